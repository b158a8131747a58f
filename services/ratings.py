"""Quality ratings: a held meeting's self-rating on the policy's rubric, audited."""

from __future__ import annotations

from datetime import datetime

from domain import meeting_record
from domain.edit_window import check_editable
from domain.errors import UserInputError
from domain.localtime import local_date
from domain.meeting_kinds import MeetingKind
from domain.periods import Month
from domain.policy import Policy
from domain.roles import Action
from domain.rubric import RatingResult, score_rating
from messages.render import error_text
from services import ledger
from services.actors import Actor, require_unit
from services.meeting_records import record_view
from storage import audit, meeting_rows
from storage.db import Database
from storage.models import MeetingRecord, QualityRating


def rate_meeting(
    db: Database,
    actor: Actor,
    unit_code: str,
    kind: MeetingKind,
    month: Month,
    answers: dict[str, int],
    *,
    now: datetime,
    policy: Policy,
) -> RatingResult:
    with db.transaction() as session:
        actor = require_unit(session, actor, Action.RATE, unit_code)
        check_editable(
            month, local_date(now), policy, edits_closed=actor.may(Action.EDIT_CLOSED_PERIOD)
        )
        row = meeting_rows.one(session, MeetingRecord, unit_code, kind, month)
        if row is None or not row.held:
            raise UserInputError(error_text("rating_nothing_held"))
        if row.present is None or row.total_members is None:
            # An imported record may lack attendance, which the rubric scores.
            raise UserInputError(error_text("rating_no_attendance"))
        result = score_rating(policy, answers, meeting_record.facts_of(record_view(row).data))
        rating = row.rating
        old = (
            {"score": rating.score, "level": rating.level, "answers": rating.answers}
            if rating
            else None
        )
        if rating is None:
            rating = QualityRating(record_id=row.id)
            session.add(rating)
        rating.answers = dict(answers)
        rating.score = result.total
        rating.level = result.level.value
        rating.flags = [f.code for f in result.flags]
        rating.rated_at = now
        rating.rated_by = actor.person_id
        new = {"score": result.total, "level": result.level.value, "answers": dict(answers)}
        audit.meeting_change(
            session, actor, "quality_rating", (unit_code, kind, month), at=now, old=old, new=new
        )
        session.flush()
        ledger.refresh_month(session, policy, now, unit_code, month)
        return result
