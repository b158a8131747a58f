"""Kết nạp đảng viên: admissions and transfers against a yearly target.

Pure. A base organisation's secretary records counts only (a date, how many; no
names): new members admitted, members transferred in, members transferred out.
The yearly target is the org file's `admission_target` for the base organisation,
or else the policy's share of its members, rounded up.
"""

from __future__ import annotations

import math
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date
from enum import StrEnum
from fractions import Fraction

from domain.org import UnitKind
from domain.unit_names import NamedUnit
from domain.yaml_node import YamlNode

MAX_COUNT = 500  # in one entry: a base organisation admits a handful a year


class AdmissionKind(StrEnum):
    """Its labels are in messages (labels.yaml, "admission.<value>")."""

    ADMITTED = "admitted"  # kết nạp đảng viên mới
    TRANSFER_IN = "transfer_in"  # chuyển sinh hoạt đảng đến
    TRANSFER_OUT = "transfer_out"  # chuyển sinh hoạt đảng đi


@dataclass(frozen=True)
class AdmissionsPolicy:
    default_target_share: Fraction  # of the members, when the org file sets no target


def parse_policy(node: YamlNode) -> AdmissionsPolicy:
    policy = AdmissionsPolicy(node.rate("default_target_share"))
    node.done()
    return policy


def yearly_target(explicit: int | None, members: int | None, share: Fraction) -> int | None:
    """The org file's target, or `share` of the members rounded up (None: neither known)."""
    if explicit is not None:
        return explicit
    if not members:
        return None
    return math.ceil(share * members)


@dataclass(frozen=True)
class YearCounts:
    admitted: int = 0
    transfer_in: int = 0
    transfer_out: int = 0

    def __add__(self, other: YearCounts) -> YearCounts:
        return YearCounts(
            self.admitted + other.admitted,
            self.transfer_in + other.transfer_in,
            self.transfer_out + other.transfer_out,
        )


def counts_of(entries: Iterable[tuple[AdmissionKind | str, int]]) -> YearCounts:
    totals = {kind: 0 for kind in AdmissionKind}
    for kind, count in entries:
        totals[AdmissionKind(kind)] += count
    return YearCounts(
        totals[AdmissionKind.ADMITTED],
        totals[AdmissionKind.TRANSFER_IN],
        totals[AdmissionKind.TRANSFER_OUT],
    )


def progress_share(admitted: int, target: int | None) -> Fraction | None:
    return Fraction(admitted, target) if target else None


def progress_text(admitted: int, target: int | None) -> str:
    """ "149/140, 106,42%": admitted against target, the share rounded down to two
    decimals (99,999% must not read as done)."""
    share = progress_share(admitted, target)
    if share is None:
        return f"{admitted}/—"
    hundredths = math.floor(share * 10_000)
    whole, rest = divmod(hundredths, 100)
    return f"{admitted}/{target}, {whole},{rest:02d}%"


# A year's admissions: what the services read and the texts and files show.


@dataclass(frozen=True)
class Entry:
    id: int
    kind: AdmissionKind
    on_date: date
    count: int


@dataclass(frozen=True)
class UnitAdmissions:
    """One base organisation's year."""

    unit: NamedUnit
    kind: UnitKind
    members: int | None
    target: int | None
    counts: YearCounts
    entries: tuple[Entry, ...] = ()

    @property
    def progress(self) -> str:
        return progress_text(self.counts.admitted, self.target)


@dataclass(frozen=True)
class ScopeAdmissions:
    """The base organisations under a scope, and their totals for the year."""

    year: int
    units: tuple[UnitAdmissions, ...]

    @property
    def counts(self) -> YearCounts:
        total = YearCounts()
        for unit in self.units:
            total = total + unit.counts
        return total

    @property
    def target(self) -> int | None:
        targets = [u.target for u in self.units if u.target is not None]
        return sum(targets) if targets else None

    @property
    def progress(self) -> str:
        return progress_text(self.counts.admitted, self.target)

    @property
    def without_target(self) -> tuple[UnitAdmissions, ...]:
        return tuple(u for u in self.units if u.target is None)
