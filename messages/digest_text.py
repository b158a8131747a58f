"""Chat texts of the leadership digest: the context the `digest*.j2` templates read.

Telegram refuses messages over 4096 characters, so lists are capped ("… và N
đơn vị khác, xem tệp đính kèm") and the caps shrink until the text fits.
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from datetime import date
from fractions import Fraction
from typing import TYPE_CHECKING, Any

from domain.digest.duties import DirectiveProblem, group_names, listed_refs
from domain.digest.facts import UnitRef
from domain.digest.lists import Lists
from domain.digest.results import Digest, Totals
from domain.localtime import local_date
from messages.digest_labels import day_text, dlabel, flag_label, percent, ratio, signed
from messages.notice_docx import Section, numbered
from messages.render import render
from messages.telegram_text import cut, fits

if TYPE_CHECKING:  # what a use-case hands in
    from domain.digest.extras import DigestExtras

TELEGRAM_LIMIT = 4096  # UTF-16 units (messages.telegram_text)
CAPS = (8, 5, 3, 1, 0)
_BLANK_LINES = re.compile(r"\n\s*\n(\s*\n)+")


def _capped(items: Sequence[Any], cap: int) -> dict[str, Any]:
    return {"shown": list(items[:cap]), "more": max(0, len(items) - cap), "count": len(items)}


def totals_context(t: Totals, target: Fraction, locale: str | None) -> dict[str, Any]:
    return {
        "registered": t.registered,
        "registration_expected": t.registration_expected,
        "registration_on_time": t.registration_on_time,
        "registration_late": t.registration_late,
        "registration_missing": t.registration_missing,
        "registration_pending": t.registration_pending,
        "meetings_expected": t.meetings_expected,
        "meetings_held": t.meetings_held,
        "meetings_excused": t.meetings_excused,
        "meetings_unexcused": t.meetings_unexcused,
        "meetings_pending": t.meetings_pending,
        "rated": t.rated,
        "quality": [
            {"label": dlabel(f"quality_short.{code}", locale), "count": count}
            for code, count in t.quality.items()
        ],
        "attendance_average": percent(t.attendance_average),
        "attendance_meetings": t.attendance_meetings,
        "attendance_below_target": t.attendance_below_target,
        "attendance_ok": t.attendance_average is not None and t.attendance_average >= target,
        "target": percent(target),
        "thematic_expected": t.thematic_expected,
        "thematic_held": t.thematic_held,
        "reports_expected": t.reports_expected,
        "reports_on_time": t.reports_on_time,
        "reports_late": t.reports_late,
        "reports_missing": t.reports_missing,
        "unreachable": t.unreachable,
    }


def _lists_context(
    lists: Lists, cap: int, locale: str | None, names: Mapping[str, str]
) -> dict[str, Any]:
    def name(unit: UnitRef) -> str:
        return names.get(unit.code, unit.name)

    groups = [
        {
            "name": name(g.group) if g.group else dlabel("base_cells_group", locale),
            "is_committee": g.group is not None,
            "ratio": ratio(g.missing, g.total),
            "units": [name(u) for u in g.units],
        }
        for g in lists.not_registered
    ]
    reports = _report_groups(lists, cap, locale, names)
    meetings = [
        {
            "unit": name(m.unit),
            "kind": dlabel(f"meeting.{m.kind.value}", locale),
            "excused": m.excused,
            "recorded": m.recorded,
            "reason": m.reason,
        }
        for m in lists.meetings_not_held
    ]
    ratings = [
        {
            "unit": name(r.unit),
            "level": dlabel(f"quality.{r.level}", locale),
            "score": r.score,
            "flags": [flag_label(f, locale) for f in r.flags],
        }
        for r in lists.implausible_ratings
    ]
    low = [
        {"unit": name(a.unit), "rate": percent(a.rate), "present": a.present, "total": a.total}
        for a in lists.attendance_below_target
    ]
    unreachable = [
        {
            "unit": name(u.unit),
            "role": dlabel(f"role.{u.role}", locale),
            "name": u.person_name,
            "since": day_text(_local_day(u.since)),
        }
        for u in lists.unreachable
    ]
    directives = [
        {
            "label": p.label,
            "due": day_text(p.due),
            "units": p.units,
            "not_done": p.not_done,
            "late": p.late,
            "groups": _directive_groups(p, names),
        }
        for p in lists.directives
    ]
    absences = [
        {
            "unit": names.get(a.unit.code, a.unit.name),
            "cluster": a.cluster.name,
            "day": a.meeting_on.strftime("%d/%m"),
            "excused": a.excused,
            "reason": a.reason,
        }
        for a in lists.cluster_absences
    ]
    return {
        "directives": _capped(directives, cap),
        "cluster_absences": _capped(absences, cap),
        "not_registered": _capped(groups, cap),
        "not_registered_units": sum(g.missing for g in lists.not_registered),
        "reports": _capped(reports, cap),
        "reports_problems": len(lists.reports),
        "meetings": _capped(meetings, cap),
        "ratings": _capped(ratings, cap),
        "low_attendance": _capped(low, cap),
        "unreachable": _capped(unreachable, cap),
        "thematic_missing": _capped([name(t.unit) for t in lists.thematic_missing], cap),
    }


def _directive_groups(p: DirectiveProblem, names: Mapping[str, str]) -> list[str]:
    """A directive's units by base organisation: "Đảng bộ X: Chi bộ A, Chi bộ B", or the
    base organisation alone when it is the unit."""
    lines = []
    for g in group_names(p, names):
        units = [*g["not_done"], *(f"{n} (chậm, {d:%d/%m})" for n, d in g["late"])]
        base = g["base"]
        alone = base is None or g["not_done"] + [n for n, _ in g["late"]] == [base]
        lines.append(", ".join(units) if alone else f"{base}: {', '.join(units)}")
    return lines


def _report_groups(
    lists: Lists, cap: int, locale: str | None, names: Mapping[str, str]
) -> list[dict[str, Any]]:
    """Late and missing reports, one line per report and period, with a few unit names."""
    groups: dict[tuple[str, str], dict[str, Any]] = {}
    for r in lists.reports:
        group = groups.setdefault(
            (r.report_type, r.period),
            {
                "report": r.report_name,
                "period": r.period_label,
                "due": day_text(r.due),
                "due_date": r.due,
                "missing": [],
                "late": [],
            },
        )
        group["missing" if r.status.value == "missing" else "late"].append(
            names.get(r.unit.code, r.unit.name)
        )
    result = sorted(groups.values(), key=lambda g: g["due_date"], reverse=True)
    for g in result:
        for key in ("missing", "late"):
            listed = g[key]
            g[key] = {
                "count": len(listed),
                "shown": listed[:cap],
                "more": max(0, len(listed) - cap),
            }
    return result


def _local_day(moment: Any) -> date:
    return local_date(moment)


def listed_units(d: Digest) -> set[str]:
    """The codes of every unit the chat texts may name: to look up how to name them."""
    lists = d.lists
    refs = [
        *(g.group for g in lists.not_registered if g.group),
        *(u for g in lists.not_registered for u in g.units),
        *(r.unit for r in lists.reports),
        *(m.unit for m in lists.meetings_not_held),
        *(r.unit for r in lists.implausible_ratings),
        *(a.unit for a in lists.attendance_below_target),
        *(u.unit for u in lists.unreachable),
        *(t.unit for t in lists.thematic_missing),
    ]
    duties = listed_refs(lists.directives, lists.cluster_absences)
    return {u.code for u in refs} | {d.scope.code} | duties


def digest_context(
    d: Digest, cap: int, locale: str | None, names: Mapping[str, str] | None = None
) -> dict[str, Any]:
    """`names`: how to name units (services.org.unit_labels), so namesakes are told apart."""
    names = names or {}
    p = d.periods
    changes = d.changes
    return {
        "scope_name": names.get(d.scope.code, d.scope.name),
        "scope_kind": dlabel(f"kind.{d.scope.kind}", locale),
        "at": day_text(d.at),
        "previous_at": day_text(d.previous.periods.day),
        "registration_month": str(p.registration_month),
        "registration_due": day_text(p.registration_due),
        "meeting_month": str(p.meeting_month),
        "meeting_month_over": p.meeting_month_over,
        "quarter": str(p.quarter),
        "t": totals_context(d.totals, d.attendance_target, locale),
        "change": {
            key: signed(value, as_percent=key == "attendance_average")
            for key, value in changes.items()
        },
        "lists": _lists_context(d.lists, cap, locale, names),
        "attachments": False,  # the files are sent with this text (set by digest_summary)
    }


def fit_message(template: str, locale: str | None, build: Any) -> str:
    text = ""
    for cap in CAPS:
        text = _BLANK_LINES.sub("\n\n", render(template, locale, **build(cap)))
        if fits(text, TELEGRAM_LIMIT):
            return text
    return cut(text, TELEGRAM_LIMIT)


def digest_summary(
    d: Digest,
    locale: str | None = None,
    *,
    attachments: bool = True,
    names: Mapping[str, str] | None = None,
    extras: DigestExtras | None = None,
) -> str:
    """The weekly digest as one chat message (HTML), within Telegram's limit; `extras`
    (services.digest_extras: survey, admissions, year-end shares) close it."""
    from messages.extras_text import extras_context

    return fit_message(
        "digest",
        locale,
        lambda cap: {
            **digest_context(d, cap, locale, names),
            "attachments": attachments,
            "extras": extras_context(extras, cap, locale, names) if extras else None,
        },
    )


def overdue_text(
    d: Digest, locale: str | None = None, names: Mapping[str, str] | None = None
) -> str:
    return fit_message("digest_overdue", locale, lambda cap: digest_context(d, cap, locale, names))


def notice_context(d: Digest, locale: str | None = None) -> dict[str, Any]:
    """What the weekly notice's body template and its appendix read."""
    ctx = digest_context(d, 10_000, locale)
    L = lambda key: dlabel(key, locale)  # noqa: E731
    lists = d.lists

    def excused(yes: bool, reason: str | None) -> str:
        return L("absence.excused" if yes else "absence.unexcused") + (
            f": {reason}" if reason else ""
        )

    ctx.update(
        groups=ctx["lists"]["not_registered"]["shown"],
        quality=[
            {"label": L(f"quality.{code}"), "count": count}
            for code, count in d.totals.quality.items()
        ],
        ratings=len(lists.implausible_ratings),
        directives=ctx["lists"]["directives"]["shown"],
        absences=ctx["lists"]["cluster_absences"]["shown"],
        appendix=(
            Section(
                L("appendix.directives"),
                lines=tuple(
                    line
                    for p in ctx["lists"]["directives"]["shown"]
                    for line in (f"{p['label']} ({p['due']}):", *(f"- {g}" for g in p["groups"]))
                ),
                empty=L("appendix.none"),
            ),
            Section(
                L("appendix.not_registered").format(month=d.periods.registration_month),
                header=("TT", L("col.group"), L("col.code"), L("col.unit")),
                rows=numbered(
                    [
                        (g.group.name if g.group else L("base_cells_group"), u.code, u.name)
                        for g in lists.not_registered
                        for u in g.units
                    ]
                ),
                empty=L("appendix.none"),
            ),
            Section(
                L("appendix.reports"),
                header=("TT", L("col.unit"), L("col.report"), L("col.due"), L("col.status")),
                rows=numbered(
                    [
                        (
                            r.unit.name,
                            f"{r.report_name} ({r.period_label})",
                            day_text(r.due),
                            L(f"report.{r.status.value}"),
                        )
                        for r in lists.reports
                    ]
                ),
                empty=L("appendix.none"),
            ),
            Section(
                L("appendix.cluster_absences"),
                header=("TT", L("col.unit"), L("col.cluster"), L("col.day"), L("col.status")),
                rows=numbered(
                    [
                        (
                            a.unit.name,
                            a.cluster.name,
                            day_text(a.meeting_on),
                            excused(a.excused, a.reason),
                        )
                        for a in lists.cluster_absences
                    ]
                ),
                empty=L("appendix.none"),
            ),
            Section(
                L("appendix.meetings").format(month=d.periods.meeting_month),
                header=("TT", L("col.unit"), L("col.meeting"), L("col.status"), L("col.reason")),
                rows=numbered(
                    [
                        (
                            m.unit.name,
                            L(f"meeting.{m.kind.value}"),
                            L(
                                "duty.excused"
                                if m.excused
                                else ("duty.missing" if m.recorded else "duty.no_record")
                            ),
                            m.reason or "",
                        )
                        for m in lists.meetings_not_held
                    ]
                ),
                empty=L("appendix.none"),
            ),
            Section(
                L("appendix.ratings"),
                header=("TT", L("col.unit"), L("col.level"), L("col.flags")),
                rows=numbered(
                    [
                        (
                            r.unit.name,
                            L(f"quality.{r.level}"),
                            "; ".join(flag_label(f, locale) for f in r.flags),
                        )
                        for r in lists.implausible_ratings
                    ]
                ),
                empty=L("appendix.none"),
            ),
            Section(
                L("appendix.attendance"),
                header=("TT", L("col.unit"), L("col.present"), L("col.total"), L("col.rate")),
                rows=numbered(
                    [
                        (a.unit.name, a.present, a.total, percent(a.rate))
                        for a in lists.attendance_below_target
                    ]
                ),
                empty=L("appendix.none"),
            ),
        ),
    )
    return ctx
