"""Rendering the Mini App's HTML: one Jinja environment over `web/templates/`.

Autoescaped (names come from the office's CSV, reasons from what secretaries type);
every visible text comes from `messages/` (`wlabel` for the app's own words,
`dlabel` for what the digest already names), so the app speaks the bot's words in
the person's language.
"""

from __future__ import annotations

import hashlib
from datetime import date, datetime
from fractions import Fraction
from functools import cache
from importlib import resources
from typing import Any

from jinja2 import Environment, PackageLoader, StrictUndefined
from markupsafe import Markup

from domain.heatmap import Mark
from domain.localtime import to_local
from domain.periods import Month
from domain.reports import report_title
from domain.text_vi import format_percent
from messages.dashboard_text import wlabel
from messages.digest_labels import dlabel, flag_label, signed
from services.dashboard import HeatCell

# The symbol of each mark: the heat map reads without colour.
SYMBOLS = {
    Mark.ON_TIME: "✓",
    Mark.PENDING: "·",
    Mark.EXCUSED: "–",
    Mark.LATE: "!",
    Mark.MISSING: "✗",
}
MARK_NAMES = {
    Mark.ON_TIME: "on_time",
    Mark.PENDING: "pending",
    Mark.EXCUSED: "excused",
    Mark.LATE: "late",
    Mark.MISSING: "missing",
}


def _date(value: date | datetime | None) -> str:
    if value is None:
        return "—"
    if isinstance(value, datetime):
        value = to_local(value).date()
    return value.strftime("%d/%m/%Y")


def _day(value: date) -> str:
    return value.strftime("%d/%m")


def _percent(value: float | Fraction | None) -> str:
    return "—" if value is None else format_percent(value)


def _month(value: Month) -> str:
    return f"{value.month:02d}/{value.year % 100:02d}"


def heat_cell(cell: HeatCell, grouped: bool) -> Markup:
    """One cell of the heat map: its mark's colour and symbol; a group's cell shows how
    many of its units failed (✗3), or were late (!2), and a darker red the larger the
    share that failed. Built here, not in the template: a bloc has thousands of cells."""
    mark = cell.mark
    if mark is None:
        return Markup("<td></td>")
    g = cell.group
    if not grouped or g is None:
        return Markup(f'<td class="m{mark.value}">{SYMBOLS[mark]}</td>')
    count = g.missing or g.late or g.excused
    text = f"{SYMBOLS[mark]}{count}" if mark > Mark.PENDING else SYMBOLS[mark]
    return Markup(f'<td class="m{mark.value} {share_class(g.missing, g.units)}">{text}</td>')


def share_class(missing: int, units: int) -> str:
    """How dark a group's cell is: the share of its units that failed the month."""
    if not units or not missing:
        return "s0"
    share = missing / units
    return "s3" if share >= 0.25 else "s2" if share >= 0.1 else "s1"


_ENV = Environment(
    loader=PackageLoader("web", "templates"),
    autoescape=True,
    trim_blocks=True,
    lstrip_blocks=True,
    undefined=StrictUndefined,
)
_ENV.filters.update(date=_date, day=_day, percent=_percent, month=_month)
_ENV.globals.update(
    SYMBOLS=SYMBOLS,
    MARK_NAMES=MARK_NAMES,
    heat_cell=heat_cell,
    signed=signed,
    report_title=report_title,
)


def render(template: str, locale: str, /, **context: Any) -> str:
    return _ENV.get_template(f"{template}.j2").render(
        t=lambda key, **values: wlabel(key, locale, **values),
        d=lambda key: dlabel(key, locale),
        flag=lambda code: flag_label(code, locale),
        locale=locale,
        **context,
    )


@cache
def static_file(name: str) -> bytes:
    return resources.files("web").joinpath("static", name).read_bytes()


@cache
def asset_version() -> str:
    """Changes with the files, so a browser's cached copy is never stale."""
    digest = hashlib.sha256()
    for name in ("app.css", "app.js"):
        digest.update(static_file(name))
    return digest.hexdigest()[:12]
