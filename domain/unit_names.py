"""How the bot names a unit, so that units with the same name are told apart.

The demo bloc alone has many a "Chi bộ Văn phòng". Wherever a name repeats in the
scope being shown (the whole tree for one's own unit, a leader's bloc, an officer's
cluster), the unit is named with its parent and its code:
"Chi bộ Văn phòng — Đảng bộ cơ quan Sở Tài nguyên và Môi trường (TNMT-01)".
A name that does not repeat is shown as it is. Every text that names units
(welcome, /whoami, /status, flows, /overdue, /unit, reminders, digest lists, /away)
goes through `unit_label`.
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class NamedUnit:
    code: str
    name: str
    parent_name: str | None = None
    # Another unit in the scope has the same name (compared without case and diacritics).
    repeated: bool = False


def unit_label(unit: NamedUnit, *, with_code: bool | None = None) -> str:
    """The name, with the parent when it repeats, and the code when it repeats.

    `with_code=True` always adds the code (where the code is the point, as in /whoami),
    `False` never does (where the code is printed next to it anyway).
    """
    text = unit.name
    if unit.repeated and unit.parent_name:
        text += f" — {unit.parent_name}"
    show_code = unit.repeated if with_code is None else with_code
    return f"{text} ({unit.code})" if show_code else text
