"""The digest's labels (`digest_labels.yaml` per locale) and its number formats:
percentages, ratios, signed changes, days."""

from __future__ import annotations

from datetime import date
from fractions import Fraction
from functools import cache

from domain.text_vi import format_percent
from messages.render import DEFAULT_LOCALE, label_table


@cache
def _labels(locale: str) -> dict[str, str]:
    try:
        return label_table(locale, "digest_labels")
    except Exception:
        if locale == DEFAULT_LOCALE:
            raise
        return _labels(DEFAULT_LOCALE)


def dlabel(key: str, locale: str | None = None) -> str:
    """A digest label; unknown keys fall back to the default locale, then to the key itself."""
    labels = _labels(locale or DEFAULT_LOCALE)
    return labels.get(key) or _labels(DEFAULT_LOCALE).get(key) or key


def flag_label(flag: str, locale: str | None = None) -> str:
    """Plausibility flags are stored as rule codes; unknown ones are shown as they are."""
    return dlabel(f"flag.{flag}", locale)


def percent(value: Fraction | float | None) -> str:
    return "—" if value is None else format_percent(value)


def ratio(part: int, whole: int) -> str:
    """ "09/12", "02/8": as the bloc's documents write counts (the count zero-padded to
    two digits, the total as it is)."""
    return f"{part:02d}/{whole}"


def signed(value: int | float | None, *, as_percent: bool = False) -> str:
    if value is None:
        return ""
    if value == 0:
        return ""
    text = format_percent(abs(value)) if as_percent else str(abs(value))
    return ("+" if value > 0 else "−") + text


def day_text(value: date) -> str:
    return value.strftime("%d/%m/%Y")
