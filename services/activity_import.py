"""Import past activity (meetings, ratings, reports) from a spreadsheet export, in one transaction.

The whole file is validated first (`domain.activity_csv`): a bad file raises
`ActivityFileError` and writes nothing. A good file is an idempotent upsert by
natural key — (unit, kind, month) for schedules and records, (unit, report type,
period) for reports — and every create, update or delete is in the audit log with
old and new values.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import UTC, date, datetime
from enum import Enum
from typing import Any

from domain.activity_csv import (
    ActivityFile,
    ImportedRating,
    ImportedSchedule,
    MeetingRow,
    ReportRow,
    parse_activity_csv,
)
from domain.ledger_facts import Selection
from domain.localtime import local_date
from domain.meeting_record import RecordInput
from domain.policy import Policy
from domain.reports import due_date
from services import ledger
from storage import activity_queries, audit
from storage.db import Database, Session
from storage.models import MeetingRecord, MeetingSchedule, QualityRating, ReportSubmission
from storage.org_queries import unit_kinds

IMPORT_ACTOR = "import"
IMPORT_SOURCE = "import"


@dataclass
class Counts:
    created: int = 0
    updated: int = 0
    unchanged: int = 0
    deleted: int = 0


@dataclass
class ActivityImportResult:
    meeting_rows: int = 0
    report_rows: int = 0
    schedules: Counts = field(default_factory=Counts)
    records: Counts = field(default_factory=Counts)
    ratings: Counts = field(default_factory=Counts)
    reports: Counts = field(default_factory=Counts)


def import_activity(
    db: Database, text: str, *, now: datetime, policy: Policy, actor: str = IMPORT_ACTOR
) -> ActivityImportResult:
    """Validate the whole file, then upsert every row in one transaction."""
    with db.transaction() as session:
        parsed = parse_activity_csv(text, unit_kinds(session), policy, local_date(now))
        result = _Importer(session, now, actor).run(parsed)
        _refresh_ledger(session, policy, now, parsed)
        return result


def _refresh_ledger(session: Session, policy: Policy, now: datetime, parsed: ActivityFile) -> None:
    """The obligations the imported facts settle; the ledger reaches back to cover them."""
    months = frozenset(row.month for row in parsed.meetings)
    reports = frozenset((r.report_type, r.period.key) for r in parsed.reports)
    if not months and not reports:
        return
    first = ledger.facts_start(
        policy,
        min((r.month.key for r in parsed.meetings if r.schedule is not None), default=None),
        min((r.month.key for r in parsed.meetings if r.record is not None), default=None),
        min(
            (due_date(policy.report_type(r.report_type), r.period) for r in parsed.reports),
            default=None,
        ),
    )
    if first is not None:
        ledger.cover_from(session, policy, now, first)
    selection = Selection(months, frozenset(m.quarter for m in months), reports)
    units = {row.unit for row in parsed.meetings} | {r.unit for r in parsed.reports}
    ledger.refresh(session, policy, now, selection, units)


class _Importer:
    def __init__(self, session: Session, now: datetime, actor: str) -> None:
        self.session = session
        self.now = now
        self.actor = actor
        self.result = ActivityImportResult()

    def run(self, parsed: ActivityFile) -> ActivityImportResult:
        self.result.meeting_rows = len(parsed.meetings)
        self.result.report_rows = len(parsed.reports)
        months = {row.month.key for row in parsed.meetings}
        schedules = activity_queries.schedules_of(self.session, months)
        records = activity_queries.records_of(self.session, months)
        for row in parsed.meetings:
            key = (row.unit, row.kind, row.month.key)
            if row.schedule is not None:
                self.schedule(row, row.schedule, schedules.get(key))
            if row.record is not None:
                self.record(row, row.record, row.rating, records.get(key))

        periods = {row.period.key for row in parsed.reports}
        reports = activity_queries.reports_of(self.session, periods)
        for report in parsed.reports:
            self.report(report, reports.get((report.unit, report.report_type, report.period.key)))
        self.session.flush()
        return self.result

    # -- one entity each -----------------------------------------------------

    def schedule(
        self, row: MeetingRow, data: ImportedSchedule, existing: MeetingSchedule | None
    ) -> None:
        values: dict[str, Any] = {
            "planned_at": data.planned_at,
            "place": data.place,
            "theme": data.theme,
            "registered_at": data.registered_at,
            "source": IMPORT_SOURCE,
        }
        if existing is None:
            self.session.add(
                MeetingSchedule(
                    unit_code=row.unit,
                    kind=row.kind,
                    month=row.month.key,
                    status="planned",
                    registered_by=None,
                    updated_at=self.now,
                    **values,
                )
            )
            self.created(
                self.result.schedules,
                "meeting_schedule",
                audit.meeting_key(row.unit, row.kind, row.month),
                values,
            )
            return
        if self.apply(
            existing,
            values,
            self.result.schedules,
            "meeting_schedule",
            audit.meeting_key(row.unit, row.kind, row.month),
        ):
            existing.updated_at = self.now

    def record(
        self,
        row: MeetingRow,
        data: RecordInput,
        rating: ImportedRating | None,
        existing: MeetingRecord | None,
    ) -> None:
        values: dict[str, Any] = {
            "held": data.held,
            "held_on": data.held_on,
            "duration_minutes": data.duration_minutes,
            "present": data.present,
            "total_members": data.total_members,
            "excused_absent": data.excused_absent,
            "higher_attendee": data.higher_attendee,
            "theme": data.theme,
            "minutes_taken": data.minutes_taken,
            "not_held_reason": data.not_held_reason,
            "not_held_excused": data.not_held_excused,
        }
        if existing is None:
            existing = MeetingRecord(
                unit_code=row.unit,
                kind=row.kind,
                month=row.month.key,
                recorded_at=self.now,
                recorded_by=None,
                updated_at=self.now,
                **values,
            )
            self.session.add(existing)
            self.created(
                self.result.records,
                "meeting_record",
                audit.meeting_key(row.unit, row.kind, row.month),
                values,
            )
        elif self.apply(
            existing,
            values,
            self.result.records,
            "meeting_record",
            audit.meeting_key(row.unit, row.kind, row.month),
        ):
            existing.updated_at = self.now

        if rating is not None:
            self.rating(row, rating, existing)
        elif not data.held and existing.rating is not None:
            # A meeting that did not take place has nothing to rate.
            old = _rating_values(existing.rating)
            self.session.delete(existing.rating)
            existing.rating = None
            self.result.ratings.deleted += 1
            self.audit(
                "delete",
                "quality_rating",
                audit.meeting_key(row.unit, row.kind, row.month),
                old=old,
            )

    def rating(self, row: MeetingRow, data: ImportedRating, record: MeetingRecord) -> None:
        new: dict[str, Any] = {
            "score": data.score,
            "level": data.level.value,
            "answers": {},
            "flags": [],
        }
        current = record.rating
        if current is None:
            record.rating = QualityRating(
                rated_at=self.now,
                rated_by=None,
                **new,
            )
            self.created(
                self.result.ratings,
                "quality_rating",
                audit.meeting_key(row.unit, row.kind, row.month),
                new,
            )
            return
        # Same score and level: keep the answers given in the bot, if any.
        if (current.score, current.level) == (data.score, data.level.value):
            self.result.ratings.unchanged += 1
            return
        old = _rating_values(current)
        for name, value in new.items():
            setattr(current, name, value)
        current.rated_at = self.now
        current.rated_by = None
        self.result.ratings.updated += 1
        self.audit(
            "update",
            "quality_rating",
            audit.meeting_key(row.unit, row.kind, row.month),
            old=old,
            new=new,
        )

    def report(self, row: ReportRow, existing: ReportSubmission | None) -> None:
        values: dict[str, Any] = {"due_on": row.due_on, "sent_at": row.sent_at}
        if existing is None:
            self.session.add(
                ReportSubmission(
                    unit_code=row.unit,
                    report_type=row.report_type,
                    period=row.period.key,
                    confirmed_by=None,
                    **values,
                )
            )
            self.created(
                self.result.reports,
                "report_submission",
                audit.report_key(row.unit, row.report_type, row.period.key),
                values,
            )
            return
        self.apply(
            existing,
            values,
            self.result.reports,
            "report_submission",
            audit.report_key(row.unit, row.report_type, row.period.key),
        )

    # -- shared --------------------------------------------------------------

    def created(self, counts: Counts, entity: str, key: str, values: dict[str, Any]) -> None:
        counts.created += 1
        self.audit("create", entity, key, new=values)

    def apply(
        self, obj: object, values: dict[str, Any], counts: Counts, entity: str, key: str
    ) -> bool:
        """Set `values` on `obj`; count and audit the change. False when nothing differs."""
        old = {name: getattr(obj, name) for name in values}
        if old == values:
            counts.unchanged += 1
            return False
        for name, value in values.items():
            setattr(obj, name, value)
        counts.updated += 1
        changed = [name for name in values if old[name] != values[name]]
        self.audit(
            "update",
            entity,
            key,
            old={name: old[name] for name in changed},
            new={name: values[name] for name in changed},
        )
        return True

    def audit(
        self,
        action: str,
        entity: str,
        key: str,
        *,
        old: dict[str, Any] | None = None,
        new: dict[str, Any] | None = None,
    ) -> None:
        audit.record(
            self.session,
            at=self.now,
            actor=self.actor,
            action=action,
            entity=entity,
            key=key,
            old=_jsonable(old),
            new=_jsonable(new),
        )


def _rating_values(rating: QualityRating) -> dict[str, Any]:
    return {
        "score": rating.score,
        "level": rating.level,
        "answers": dict(rating.answers),
        "flags": list(rating.flags),
    }


def _jsonable(values: dict[str, Any] | None) -> dict[str, Any] | None:
    if values is None:
        return None
    return {name: _plain(value) for name, value in values.items()}


def _plain(value: Any) -> Any:
    if isinstance(value, datetime):
        return value.astimezone(UTC).isoformat()
    if isinstance(value, date):
        return value.isoformat()
    if isinstance(value, Enum):
        return value.value
    return value
