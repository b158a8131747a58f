"""Every text the bot says, rendered from Jinja2 templates per locale.

Chat texts are HTML-escaped for Telegram's HTML parse mode; button labels and CLI
output are plain text, so they come from a second, non-escaping environment.
"""

from __future__ import annotations

from datetime import date, datetime
from fractions import Fraction
from functools import cache
from typing import Any

import yaml
from jinja2 import Environment, PackageLoader, StrictUndefined, Template, TemplateNotFound

from domain.localtime import to_local
from domain.reports import report_title
from domain.text_vi import format_percent

DEFAULT_LOCALE = "vi"
LOCALES = ("vi", "en")


def _fmt_date(value: date | datetime) -> str:
    if isinstance(value, datetime):
        value = to_local(value).date()
    return value.strftime("%d/%m/%Y")


def _fmt_datetime(value: datetime) -> str:
    return to_local(value).strftime("%H:%M %d/%m/%Y")


def _fmt_percent(value: float | Fraction | None) -> str:
    return "—" if value is None else format_percent(value)


def _lower_first(text: object) -> str:
    """ "Báo cáo quý III/2026" → "báo cáo quý III/2026" (roman numerals keep their case)."""
    text = str(text)
    return text[:1].lower() + text[1:]


def _environment(autoescape: bool) -> Environment:
    env = Environment(
        loader=PackageLoader("messages", "templates"),
        autoescape=autoescape,
        trim_blocks=True,
        lstrip_blocks=True,
        keep_trailing_newline=False,
        undefined=StrictUndefined,
    )
    env.filters.update(
        date=_fmt_date, datetime=_fmt_datetime, percent=_fmt_percent, lower_first=_lower_first
    )
    env.globals.update(report_title=report_title)
    return env


_HTML = _environment(autoescape=True)
_PLAIN = _environment(autoescape=False)


def _locale(locale: str | None) -> str:
    return locale if locale in LOCALES else DEFAULT_LOCALE


def _template(env: Environment, name: str, locale: str | None):
    try:
        return env.get_template(f"{_locale(locale)}/{name}.j2")
    except TemplateNotFound:
        return env.get_template(f"{DEFAULT_LOCALE}/{name}.j2")


def render(template: str, locale: str | None = None, /, **context: Any) -> str:
    """A chat message in HTML parse mode."""
    return _template(_HTML, template, locale).render(**context).strip()


def render_plain(template: str, locale: str | None = None, /, **context: Any) -> str:
    """Plain text: CLI output, documents."""
    return _template(_PLAIN, template, locale).render(**context).strip()


@cache
def label_table(locale: str, table: str = "labels") -> dict[str, str]:
    """A locale's YAML table of labels (`labels.yaml`, `digest_labels.yaml`, …)."""
    loader = _PLAIN.loader
    assert loader is not None  # built with a FileSystemLoader above
    source, _, _ = loader.get_source(_PLAIN, f"{locale}/{table}.yaml")
    return yaml.safe_load(source)


def table_label(table: str, key: str, locale: str | None, context: dict[str, Any]) -> str:
    """`key` of a label table in the locale (else the default locale's); `{{ name }}`
    placeholders filled from `context`."""
    text = label_table(_locale(locale), table).get(key) or label_table(DEFAULT_LOCALE, table)[key]
    return _compiled(text).render(**context) if context else text


@cache
def _compiled(text: str) -> Template:
    return _PLAIN.from_string(text)


def role_title(role: str, unit_kind: str, locale: str | None = None) -> str:
    """ "Bí thư chi bộ", but "Bí thư đảng ủy" for a base committee: the title follows the unit."""
    labels = label_table(_locale(locale))
    return labels.get(f"role.{role}.{unit_kind}") or label(f"role.{role}", locale)


def label(key: str, locale: str | None = None, /, **context: Any) -> str:
    """A short plain label (buttons, role and kind names)."""
    return table_label("labels", key, locale, context)


def error_text(key: str, locale: str | None = None, /, **context: Any) -> str:
    """The sentence of a UserInputError (errors.yaml), plain: the chat escapes it.

    Use-cases do not know the user's locale and raise it in Vietnamese, the default.
    """
    return table_label("errors", key, locale, context)
