"""The digest's computation: from the ledger's counts, as of each day of the trend."""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable, Mapping, Sequence
from datetime import date
from fractions import Fraction
from typing import TYPE_CHECKING, Any

from domain.digest.facts import (
    QUALITY_ORDER,
    REGULAR,
    THEMATIC_SUBJECT,
    DigestFacts,
    LedgerCount,
    UnitRef,
    rounded,
)
from domain.digest.lists import build_lists
from domain.digest.results import CHANGE_KEYS, Breakdown, Digest, Past, Snapshot, Totals, TrendPoint
from domain.obligations import ObligationKind, Status, end_of_day
from domain.windows import Window

if TYPE_CHECKING:
    pass


def compute_digest(windows: Sequence[Window], facts: DigestFacts, target: Fraction) -> Digest:
    """The digest as of the end of the last of `facts.days` (`windows` in the same order)."""
    last = len(facts.days) - 1
    window = windows[last]
    by_child = _day_tallies(window, last, facts, facts.current)
    current = Snapshot(window, _combined(by_child.values()), build_lists(window, facts))
    recomputed = {
        i: _combined(_day_tallies(windows[i], i, facts, facts.history).values())
        for i in range(last)
    }
    recomputed[last] = current.totals
    previous = _past(windows[max(0, last - 1)], recomputed[max(0, last - 1)], facts.frozen)
    trend = tuple(
        TrendPoint(day, *_frozen_or(recomputed[i], facts.frozen.get(day)))
        for i, day in enumerate(facts.days)
    )
    breakdown = tuple(
        Breakdown(UnitRef(c.code, c.name), _combined([by_child.get(c.code, _Tally())]))
        for c in facts.children
    )
    return Digest(facts.scope, current, previous, breakdown, trend, target)


def _frozen_or(totals: Totals, frozen: Mapping[str, Any] | None) -> tuple[Totals, bool]:
    return (Totals.from_dict(frozen), True) if frozen is not None else (totals, False)


def _past(window: Window, recomputed: Totals, frozen: Mapping[date, Mapping[str, Any]]) -> Past:
    stored = frozen.get(window.day)
    if stored is None:
        return Past(window, recomputed)
    kept = Totals.from_dict(stored)
    corrected = {
        key: _plain(getattr(recomputed, key))
        for key, _ in CHANGE_KEYS
        if _plain(getattr(recomputed, key)) != _plain(getattr(kept, key))
    }
    return Past(window, kept, frozen=True, corrected=corrected)


def _plain(value: Any) -> Any:
    return rounded(value) if isinstance(value, Fraction) else value


class _Tally:
    """Counts of statuses per obligation kind, plus the measured facts, for one day."""

    def __init__(self) -> None:
        self.statuses: Counter[tuple[ObligationKind, Status]] = Counter()
        self.rated = 0
        self.quality: Counter[str] = Counter()
        self.meetings = 0
        self.rate_sum = 0.0
        self.below = 0
        self.unreachable = 0

    def add(self, count: LedgerCount, status: Status) -> None:
        done = status in (Status.ON_TIME, Status.LATE)
        if count.kind == ObligationKind.RATING:
            # The quality figures count ratings of the monthly meeting only.
            if count.subject != THEMATIC_SUBJECT and done:
                self.rated += count.count
                if count.level:
                    self.quality[count.level] += count.count
            return
        self.statuses[(count.kind, status)] += count.count
        # Attendance: held regular meetings with figures (committees count members apart).
        if count.kind == ObligationKind.MEETING and count.subject == REGULAR and done:
            self.meetings += count.measured
            self.rate_sum += count.rate_sum
            self.below += count.below_target

    def totals(self) -> Totals:
        s = self.statuses
        k = ObligationKind

        def of(kind: ObligationKind, *statuses: Status) -> int:
            return sum(s[(kind, status)] for status in statuses or tuple(Status))

        average = None
        if self.meetings:
            average = Fraction(self.rate_sum / self.meetings).limit_denominator(1_000_000)
        return Totals(
            registration_expected=of(k.REGISTRATION),
            registration_on_time=of(k.REGISTRATION, Status.ON_TIME),
            registration_late=of(k.REGISTRATION, Status.LATE),
            registration_missing=of(k.REGISTRATION, Status.MISSING, Status.EXCUSED),
            registration_pending=of(k.REGISTRATION, Status.PENDING),
            meetings_expected=of(k.MEETING),
            meetings_held=of(k.MEETING, Status.ON_TIME, Status.LATE),
            meetings_excused=of(k.MEETING, Status.EXCUSED),
            meetings_unexcused=of(k.MEETING, Status.MISSING),
            meetings_pending=of(k.MEETING, Status.PENDING),
            rated=self.rated,
            quality={level.value: self.quality.get(level.value, 0) for level in QUALITY_ORDER},
            attendance_meetings=self.meetings,
            attendance_average=average,
            attendance_below_target=self.below,
            thematic_expected=of(k.THEMATIC),
            thematic_held=of(k.THEMATIC, Status.ON_TIME, Status.LATE),
            reports_expected=of(k.REPORT),
            reports_on_time=of(k.REPORT, Status.ON_TIME),
            reports_late=of(k.REPORT, Status.LATE),
            reports_missing=of(k.REPORT, Status.MISSING, Status.EXCUSED),
            unreachable=self.unreachable,
        )


def _known(known_from: int | None, index: int) -> bool:
    return known_from is not None and known_from <= index


def _day_tallies(
    window: Window, index: int, facts: DigestFacts, counts: Iterable[LedgerCount]
) -> dict[str | None, _Tally]:
    """One day's tallies per child of the scope (None: the scope's own units)."""
    tallies: dict[str | None, _Tally] = {}

    def tally(child: str | None) -> _Tally:
        found = tallies.get(child)
        if found is None:
            found = tallies[child] = _Tally()
        return found

    for c in counts:
        if window.holds(c.kind, c.subject, c.period):
            tally(c.child).add(c, c.status(window.day, index))
    cutoff = end_of_day(window.day)
    for child, since in facts.unreachable_since:
        if since < cutoff:
            tally(child).unreachable += 1
    return tallies


def _combined(tallies: Iterable[_Tally]) -> Totals:
    total = _Tally()
    for t in tallies:
        total.statuses.update(t.statuses)
        total.rated += t.rated
        total.quality.update(t.quality)
        total.meetings += t.meetings
        total.rate_sum += t.rate_sum
        total.below += t.below
        total.unreachable += t.unreachable
    return total.totals()
