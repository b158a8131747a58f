"""Texts of the roll-ups: the chat summary, and the notice's body and appendix lines.

The appendix is written as the bloc's notices write it: grouped by base
organisation, units named, counts "02/8" (`messages.digest_text.ratio`).
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from domain.digest.duties import group_names, listed_refs
from domain.digest.facts import QUALITY_ORDER
from domain.obligations import ObligationKind, Status
from domain.rollup import Counts, Rollup, RollupRow
from domain.text_vi import format_percent
from messages.digest_labels import dlabel, ratio
from messages.digest_text import CAPS, TELEGRAM_LIMIT
from messages.notice_docx import Section
from messages.render import render, render_plain
from messages.telegram_text import cut, fits


def _pair(done: int, expected: int) -> str:
    return f"{done}/{expected}"


def counts_context(c: Counts, locale: str | None) -> dict[str, Any]:
    k = ObligationKind
    average = c.attendance_average
    return {
        "registered": _pair(c.done(k.REGISTRATION), c.of(k.REGISTRATION)),
        "held": _pair(c.done(k.MEETING), c.of(k.MEETING)),
        "not_held_excused": c.of(k.MEETING, Status.EXCUSED),
        "not_held": c.of(k.MEETING, Status.MISSING),
        "thematic": _pair(c.done(k.THEMATIC), c.of(k.THEMATIC)),
        "reports_on_time": c.of(k.REPORT, Status.ON_TIME),
        "reports_late": c.of(k.REPORT, Status.LATE),
        "reports_missing": c.of(k.REPORT, Status.MISSING),
        "reports_expected": c.of(k.REPORT),
        "directives_done": c.done(k.DIRECTIVE),
        "directives_late": c.of(k.DIRECTIVE, Status.LATE),
        "directives_expected": c.of(k.DIRECTIVE),
        "cluster_attended": c.done(k.CLUSTER_MEETING),
        "cluster_excused": c.of(k.CLUSTER_MEETING, Status.EXCUSED),
        "cluster_absent": c.of(k.CLUSTER_MEETING, Status.MISSING),
        "cluster_expected": c.of(k.CLUSTER_MEETING),
        "attendance": "—" if average is None else format_percent(average),
        "quality": [
            {"label": dlabel(f"quality_short.{level}", locale), "count": n}
            for level, n in _quality(c).items()
        ],
        "visits": c.visits,
    }


def _quality(c: Counts) -> dict[str, int]:
    return {level.value: c.quality.get(level.value, 0) for level in QUALITY_ORDER}


def _row(r: RollupRow, locale: str | None, names: Mapping[str, str]) -> dict[str, Any]:
    return {
        "code": r.unit.code,
        "name": names.get(r.unit.code, r.unit.name),
        **counts_context(r.counts, locale),
    }


def appendix_data(r: Rollup, names: Mapping[str, str]) -> dict[str, Any]:
    """The four lists with units named as texts name them (namesakes told apart)."""
    a = r.appendix

    def name(code: str, fallback: str) -> str:
        return names.get(code, fallback)

    return {
        "directives": [
            {
                "label": p.label,
                "due": p.due,
                "ratio": ratio(p.not_done, p.units),
                "late": p.late,
                "groups": [
                    {
                        "base": g["base"],
                        "not_done": g["not_done"],
                        "late": [{"name": n, "on": d} for n, d in g["late"]],
                        "alone": g["base"] is None
                        or [*g["not_done"], *(n for n, _ in g["late"])] == [g["base"]],
                    }
                    for g in group_names(p, names)
                ],
            }
            for p in a.directives
        ],
        "registrations": [
            {
                "group": name(g.group.code, g.group.name) if g.group else None,
                "ratio": ratio(g.missing, g.total),
                "units": [
                    {"name": name(u.code, u.name), "months": [m.split("/")[0] for m in months]}
                    for u, months in g.units
                ],
            }
            for g in a.registrations
        ],
        "reports": [
            {
                "title": rep.title,
                "due": rep.due,
                "missing": [name(u.code, u.name) for u in rep.missing],
                "late": [{"name": name(u.code, u.name), "on": d} for u, d in rep.late],
            }
            for rep in a.reports
        ],
        "absences": [
            {
                "unit": name(x.unit.code, x.unit.name),
                "cluster": x.cluster.name,
                "day": x.meeting_on,
                "excused": x.excused,
                "reason": x.reason,
            }
            for x in a.absences
        ],
    }


def appendix_lines(r: Rollup, locale: str | None, names: Mapping[str, str]) -> dict[str, list[str]]:
    """Each list's lines, as `rollup_appendix.j2` writes them."""
    data = appendix_data(r, names)
    return {
        part: [
            line
            for line in render_plain("rollup_appendix", locale, part=part, **data).splitlines()
            if line.strip()
        ]
        for part in ("directives", "registrations", "reports", "absences")
    }


def appendix_sections(
    r: Rollup, locale: str | None, names: Mapping[str, str]
) -> tuple[Section, ...]:
    lines = appendix_lines(r, locale, names)
    L = lambda key: dlabel(key, locale)  # noqa: E731
    return (
        Section(
            L("rollup.appendix.directives"), tuple(lines["directives"]), empty=L("appendix.none")
        ),
        Section(
            L("rollup.appendix.registrations"),
            tuple(lines["registrations"]),
            empty=L("appendix.none"),
        ),
        Section(L("rollup.appendix.reports"), tuple(lines["reports"]), empty=L("appendix.none")),
        Section(L("rollup.appendix.absences"), tuple(lines["absences"]), empty=L("appendix.none")),
    )


def rollup_context(
    r: Rollup, cap: int, locale: str | None, names: Mapping[str, str] | None = None
) -> dict[str, Any]:
    names = names or {}
    lines = appendix_lines(r, locale, names)
    return {
        "scope_name": names.get(r.scope.code, r.scope.name),
        "period": str(r.period),
        "at": f"{r.day:%d/%m/%Y}",
        "t": counts_context(r.total, locale),
        "target": format_percent(r.target),
        "clusters": [_row(c, locale, names) for c in r.clusters],
        "rows": [_row(x, locale, names) for x in r.rows],
        "members": [{"name": n, "visits": v} for n, v in r.member_visits[:cap]],
        "members_more": max(0, len(r.member_visits) - cap),
        "without_visit": [names.get(u.code, u.name) for u in r.without_visit[:cap]],
        "without_visit_count": len(r.without_visit),
        "appendix": {key: value[: cap * 3] for key, value in lines.items()},
        "appendix_more": any(len(v) > cap * 3 for v in lines.values()),
        "attachments": False,
    }


def rollup_summary(
    r: Rollup,
    locale: str | None = None,
    *,
    names: Mapping[str, str] | None = None,
    attachments: bool = True,
) -> str:
    """The roll-up as one chat message (HTML) within Telegram's limit."""
    text = ""
    for cap in CAPS:
        text = render(
            "rollup",
            locale,
            **{**rollup_context(r, cap, locale, names), "attachments": attachments},
        )
        if fits(text, TELEGRAM_LIMIT):
            return text
    return cut(text, TELEGRAM_LIMIT)


def listed_units(r: Rollup) -> set[str]:
    """Every unit code the texts may name (to tell namesakes apart)."""
    a = r.appendix
    codes = {x.unit.code for x in r.rows} | {r.scope.code}
    codes |= {u.code for g in a.registrations for u, _ in g.units}
    codes |= {g.group.code for g in a.registrations if g.group}
    codes |= {u.code for rep in a.reports for u in rep.missing}
    codes |= {u.code for rep in a.reports for u, _ in rep.late}
    codes |= {u.code for u in r.without_visit}
    return codes | listed_refs(a.directives, a.absences)
