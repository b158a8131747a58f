"""What a survey read returns: one cell's survey and a scope's quarter at a glance.

Results (averages, comments) exist only for a closed survey with at least
`min_responses` answers: `CellSurvey.result` is None otherwise, so no reader can show
them by mistake."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from fractions import Fraction

from domain import survey as rules
from domain.localtime import at_local
from domain.org import UnitKind
from domain.periods import Quarter
from domain.policy import Policy
from domain.unit_names import NamedUnit


@dataclass(frozen=True)
class SurveyRef:
    id: int
    unit_code: str
    quarter: Quarter
    token: str
    opens_on: date
    closes_on: date
    questions: tuple[rules.Question, ...]

    @property
    def link_argument(self) -> str:
        return rules.link_argument(self.token)

    def is_open(self, day: date) -> bool:
        return self.opens_on <= day <= self.closes_on

    def is_closed(self, day: date) -> bool:
        return day > self.closes_on

    @property
    def closes_at(self) -> datetime:
        """The instant answers stop: the end of the closing day, local time."""
        return at_local(self.closes_on + timedelta(days=1), datetime.min.time())


@dataclass(frozen=True)
class CellSurvey:
    survey: SurveyRef
    unit: NamedUnit
    unit_kind: UnitKind
    members: int | None
    responses: int
    closed: bool
    # Only for a closed survey with at least min_responses answers; None otherwise.
    result: rules.SurveyResult | None = None
    # The cell's own quality ratings of the quarter's meetings (levels).
    self_ratings: tuple[str, ...] = field(default_factory=tuple)

    @property
    def response_rate(self) -> Fraction | None:
        return rules.response_rate(self.responses, self.members)

    def below_members(self, policy: Policy) -> bool:
        """ "Tự đánh giá cao hơn ý kiến đảng viên"."""
        return self.result is not None and rules.self_rating_above_members(
            self.self_ratings, self.result.overall, policy.survey.gap
        )


@dataclass(frozen=True)
class SurveySection:
    quarter: Quarter
    opens_on: date
    closes_on: date
    closed: bool
    min_responses: int
    questions: tuple[rules.Question, ...]
    cells: tuple[CellSurvey, ...]
    below_members: tuple[CellSurvey, ...]  # "tự đánh giá cao hơn ý kiến đảng viên"

    @property
    def responded(self) -> int:
        return sum(1 for c in self.cells if c.responses)

    @property
    def responses(self) -> int:
        return sum(c.responses for c in self.cells)

    @property
    def members(self) -> int:
        return sum(c.members or 0 for c in self.cells)

    @property
    def response_rate(self) -> Fraction | None:
        return rules.response_rate(self.responses, self.members)

    @property
    def with_results(self) -> tuple[CellSurvey, ...]:
        return tuple(c for c in self.cells if c.result is not None)

    @property
    def too_few(self) -> tuple[CellSurvey, ...]:
        """Closed with fewer answers than min_responses: nothing of theirs is shown."""
        return tuple(c for c in self.cells if c.closed and c.result is None)

    @property
    def averages(self) -> tuple[Fraction, ...] | None:
        """Per question, over every answer of the cells with results (None: none)."""
        pooled = [c for c in self.with_results if c.survey.questions == self.questions]
        total = sum(c.responses for c in pooled)
        if not total:
            return None
        return tuple(
            sum((c.result.averages[i] * c.responses for c in pooled if c.result), Fraction(0))
            / total
            for i in range(len(self.questions))
        )

    @property
    def overall(self) -> Fraction | None:
        averages = self.averages
        return sum(averages, Fraction(0)) / len(averages) if averages else None
