"""Cluster meetings (giao ban Cụm): who must come, and what the officer's marking means.

The cluster officer calls a meeting (date, time, place, agenda) for the base
organisations of the cluster, each of which must send a delegate. Before it, each
unit answers (who will come, or why it cannot); after it, the officer marks who
came, one tap per unit. An absent unit with an accepted reason is excused ("có lý
do"), else absent without a reason ("không có lý do"). The ledger's obligation
follows the marking (`domain.obligations`). Pure.
"""

from __future__ import annotations

import enum
from collections.abc import Iterable, Sequence
from datetime import datetime

from domain.errors import UserInputError
from domain.org import REPORTING_KINDS, UnitKind

MAX_PLACE = 300
MAX_AGENDA = 1000
MAX_DELEGATE = 300
MAX_REASON = 500


class Answer(enum.StrEnum):
    ATTEND = "attend"
    ABSENT = "absent"


class Mark(enum.StrEnum):
    """The officer's marking of one unit, cycled by a tap: came → excused → absent."""

    ATTENDED = "attended"
    EXCUSED = "excused"
    ABSENT = "absent"

    def next(self) -> Mark:
        order = (Mark.ATTENDED, Mark.EXCUSED, Mark.ABSENT)
        return order[(order.index(self) + 1) % len(order)]

    @property
    def attended(self) -> bool:
        return self == Mark.ATTENDED

    @property
    def reason_accepted(self) -> bool | None:
        return None if self == Mark.ATTENDED else self == Mark.EXCUSED


def first_mark(answer: str | None, attended: bool | None, reason_accepted: bool | None) -> Mark:
    """Where the marking starts: what was marked before, else the unit's answer (a unit
    that said it cannot come, with a reason, starts excused; everyone else absent)."""
    if attended is not None:
        if attended:
            return Mark.ATTENDED
        return Mark.EXCUSED if reason_accepted else Mark.ABSENT
    return Mark.EXCUSED if answer == Answer.ABSENT else Mark.ABSENT


def check_start(starts_at: datetime, now: datetime) -> datetime:
    if starts_at <= now:
        raise UserInputError("Thời điểm giao ban đã qua. Vui lòng chọn thời điểm sắp tới.")
    return starts_at


def invitees(
    cluster_path: str,
    units: Iterable[tuple[str, UnitKind, str]],
    chosen: Sequence[str] | None = None,
) -> list[str]:
    """The units that must send a delegate: by default every base organisation of the
    cluster; `chosen` codes must be base organisations of it. (code, kind, path) in."""
    base = [
        (path, code)
        for code, kind, path in units
        if kind in REPORTING_KINDS and path.startswith(cluster_path)
    ]
    codes = [code for _, code in sorted(base)]
    if not chosen:
        if not codes:
            raise UserInputError("Cụm này chưa có tổ chức cơ sở đảng nào để mời.")
        return codes
    wrong = [c for c in chosen if c not in codes]
    if wrong:
        raise UserInputError(
            f"Đơn vị {', '.join(wrong)} không phải tổ chức cơ sở đảng của cụm này. "
            "Vui lòng chọn lại."
        )
    wanted = set(chosen)
    return [code for code in codes if code in wanted]
