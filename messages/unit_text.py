"""/unit: one unit's month, its open obligations and its place in the digest."""

from __future__ import annotations

from collections.abc import Mapping
from fractions import Fraction
from typing import TYPE_CHECKING, Any

from domain.digest.month_rows import UnitRow
from domain.digest.results import Digest
from domain.meeting_kinds import MONTHLY_KIND
from domain.policy import Policy
from messages.digest_labels import day_text, dlabel, flag_label, percent
from messages.digest_text import digest_context, fit_message

if TYPE_CHECKING:  # what a use-case hands in
    pass


def unit_text(
    d: Digest,
    row: UnitRow | None,
    policy: Policy,
    locale: str | None = None,
    names: Mapping[str, str] | None = None,
) -> str:
    """One unit: its own duties, and the totals of its subtree when it has one."""
    own: dict[str, Any] | None = None
    if row is not None:
        record = row.record
        rate = None
        if record and record.held and record.present is not None and record.total_members:
            rate = Fraction(record.present, record.total_members)
        own = {
            "registration": dlabel(f"registration.{row.registration.value}", locale)
            if row.registration
            else None,
            "registered_on": day_text(row.registered_on) if row.registered_on else None,
            "meeting_kind": dlabel(f"meeting.{_monthly_kind(row)}", locale),
            "meeting": dlabel(meeting_label(row), locale) if row.meeting else None,
            "held_on": day_text(record.held_on) if record and record.held_on else None,
            "attendance": percent(rate) if rate is not None else None,
            "present": record.present if record else None,
            "total": record.total_members if record else None,
            "reason": record.not_held_reason if record and not record.held else None,
            "level": dlabel(f"quality.{record.rating_level}", locale)
            if record and record.rating_level
            else None,
            "score": record.rating_score if record else None,
            "flags": [flag_label(f, locale) for f in record.rating_flags] if record else [],
            "thematic": row.thematic_held,
            "reports": [
                {
                    "report": due.report_type.name_vi,
                    "period": str(due.period),
                    "due": day_text(due.due),
                    "status": dlabel(f"report.{status.value}", locale),
                    "sent_on": day_text(sent_on) if sent_on else None,
                }
                for due, status, sent_on in row.reports
            ],
            "unreachable": list(row.unreachable),
        }
    has_subtree = len(d.breakdown) > 0
    return fit_message(
        "digest_unit",
        locale,
        lambda cap: {
            **digest_context(d, cap, locale, names),
            "code": d.scope.code,
            "own": own,
            "has_subtree": has_subtree,
        },
    )


def meeting_label(row: UnitRow) -> str:
    """A month over with nothing recorded reads "chưa báo cáo kết quả"."""
    assert row.meeting is not None
    if row.meeting.value == "missing" and not row.recorded:
        return "duty.no_record"
    return f"duty.{row.meeting.value}"


def _monthly_kind(row: UnitRow) -> str:
    return MONTHLY_KIND[row.unit.kind].value
