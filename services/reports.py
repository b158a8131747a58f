"""Periodic reports: what is due for a unit, and confirming one as sent."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime

from domain.errors import UserInputError
from domain.localtime import local_date
from domain.obligations import ObligationKind, Resolution, Status, resolved_status
from domain.periods import parse_period_key
from domain.policy import Policy
from domain.reports import due_date, report_title, reports_due
from domain.roles import Action
from messages.render import error_text
from services import ledger
from services.actors import Actor, require_unit
from storage import audit, report_queries
from storage import ledger as ledger_rows
from storage.db import Database
from storage.models import ReportSubmission


@dataclass(frozen=True)
class ReportItem:
    report_type: str
    name: str
    period_key: str
    period_label: str
    due: date
    status: Status | None  # None: before the ledger starts, so not counted either way
    sent_on: date | None
    document_name: str | None

    @property
    def title(self) -> str:
        return report_title(self.name, self.period_label)

    @property
    def days_late(self) -> int:
        end = self.sent_on or None
        return max(0, ((end or self.due) - self.due).days)


def report_overview(
    db: Database, unit_code: str, now: datetime, policy: Policy
) -> list[ReportItem]:
    """The latest deadline that has come and the next one ahead, for each report type,
    with the status the ledger gives it."""
    today = local_date(now)
    dues = reports_due(policy, today)
    with db.transaction() as session:
        owed = {
            (o.subject, o.period): o
            for o in ledger_rows.entries_for_periods(
                session, unit_code, [(ObligationKind.REPORT, d.period.key) for d in dues]
            )
        }
        sent = report_queries.submissions_of(session, unit_code, {d.period.key for d in dues})
    items = []
    for due in dues:
        key = (due.report_type.code, due.period.key)
        row = sent.get(key)
        obligation = owed.get(key)
        items.append(
            ReportItem(
                due.report_type.code,
                due.report_type.name_vi,
                due.period.key,
                str(due.period),
                due.due,
                obligation.status(now) if obligation is not None else None,
                local_date(row.sent_at) if row else None,
                row.document_name if row else None,
            )
        )
    return items


def confirm_report(
    db: Database,
    actor: Actor,
    unit_code: str,
    report_type: str,
    period_key: str,
    *,
    document: tuple[str, str] | None,
    now: datetime,
    policy: Policy,
) -> ReportItem:
    """Record the report as sent now; on time or late follows from the policy's due date."""
    try:
        rtype = policy.report_type(report_type)
        period = parse_period_key(period_key)
    except (KeyError, ValueError) as error:
        raise UserInputError(error_text("report_unknown")) from error
    if not rtype.applies_to(period):
        raise UserInputError(error_text("report_unknown"))
    today = local_date(now)
    if period.first_day > today:
        raise UserInputError(error_text("report_period_not_started", period=str(period)))
    due = due_date(rtype, period)
    with db.transaction() as session:
        actor = require_unit(session, actor, Action.REPORT, unit_code)
        existing = report_queries.submission(session, unit_code, report_type, period.key)
        if existing is not None:
            raise UserInputError(
                error_text(
                    "report_already_sent",
                    report=rtype.name_vi,
                    period=str(period),
                    sent_on=existing.sent_at,
                )
            )
        session.add(
            ReportSubmission(
                unit_code=unit_code,
                report_type=report_type,
                period=period.key,
                due_on=due,
                sent_at=now,
                document_file_id=document[0] if document else None,
                document_name=document[1] if document else None,
                confirmed_by=actor.person_id,
            )
        )
        audit.record_by(
            session,
            actor,
            at=now,
            action="confirm",
            entity="report_submission",
            key=audit.report_key(unit_code, report_type, period.key),
            new={
                "sent_at": now.isoformat(),
                "due_on": due.isoformat(),
                "document": document[1] if document else None,
            },
        )
        session.flush()
        ledger.refresh_report(session, policy, now, unit_code, report_type, period.key)
    return ReportItem(
        report_type,
        rtype.name_vi,
        period.key,
        str(period),
        due,
        resolved_status(Resolution.DONE, today, due),
        today,
        document[1] if document else None,
    )
