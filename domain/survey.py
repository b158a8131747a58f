"""Phiếu khảo sát chất lượng sinh hoạt chi bộ: the quarterly member survey's rules.

Pure. Each cell gets one survey per quarter, reached by a link
(`t.me/<bot>?start=ks-<token>`) its secretary posts in the cell's group. Members
answer in a private chat with the bot, without an invite or a role. What is kept of
an answer is the answers themselves, an optional comment, and a keyed hash
(HMAC-SHA256, the key from the settings) of the member's Telegram id and the
survey: enough to let the same person change their answer, not to say who they are.

A cell's results (averages, comments) are shown only once its survey has closed
and only when it has at least `min_responses` answers: a live average would tell
the secretary what the last person to answer said.
"""

from __future__ import annotations

import hashlib
import hmac
import re
import secrets
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import date
from fractions import Fraction

from domain.invite_codes import ALPHABET
from domain.periods import Quarter
from domain.quality import QualityLevel
from domain.yaml_node import YamlNode

# `/start ks-<token>`: the prefix keeps a survey link apart from an invite code (which
# is 16 symbols; a token is 20, and the prefix is checked first), so answering a
# survey never costs an invite attempt.
LINK_PREFIX = "ks-"
TOKEN_LENGTH = 20  # 100 random bits: another cell's survey cannot be guessed
SCALE = (1, 2, 3, 4, 5)
MAX_QUESTIONS = 10  # every answer so far rides in the buttons' 64 bytes
MAX_COMMENT = 1000
_TOKEN = re.compile(rf"(?i)\bks-([{ALPHABET}]{{{TOKEN_LENGTH}}})\b")
_QUESTION_CODE = re.compile(r"[a-z][a-z0-9_]{0,31}")


# ---------------------------------------------------------------------------
# Policy


@dataclass(frozen=True)
class Question:
    code: str
    text_vi: str


@dataclass(frozen=True)
class DayOfQuarter:
    """Day `day` of month `month` counted from a quarter's first month (4: the month after)."""

    month: int
    day: int

    def of(self, quarter: Quarter) -> date:
        return quarter.first_month.plus(self.month - 1).day(self.day)


@dataclass(frozen=True)
class SelfRatingGap:
    """ "Tự đánh giá cao hơn ý kiến đảng viên": more than `mostly_tot` of the quarter's
    rated meetings self-rated Tốt while the members' average is below `members_below`."""

    mostly_tot: Fraction
    members_below: Fraction


@dataclass(frozen=True)
class SurveyPolicy:
    opens: DayOfQuarter
    closes: DayOfQuarter
    min_responses: int
    scale: tuple[str, ...]  # the label of 1 … 5
    questions: tuple[Question, ...]
    gap: SelfRatingGap

    def window(self, quarter: Quarter) -> tuple[date, date]:
        """(first day answers are taken, last day), local dates, both inclusive."""
        return self.opens.of(quarter), self.closes.of(quarter)

    def open_quarter(self, day: date) -> Quarter | None:
        """The quarter whose survey takes answers on `day` (None between windows)."""
        quarter = Quarter.of(day)
        for candidate in (quarter, quarter.prev(), quarter.prev().prev()):
            first, last = self.window(candidate)
            if first <= day <= last:
                return candidate
        return None

    def latest_quarter(self, day: date) -> Quarter:
        """The latest quarter whose survey has opened by `day` (open or closed)."""
        quarter = Quarter.of(day)
        while self.window(quarter)[0] > day:
            quarter = quarter.prev()
        return quarter


def parse_policy(node: YamlNode) -> SurveyPolicy:
    opens, closes = _day_of_quarter(node.node("opens")), _day_of_quarter(node.node("closes"))
    if (closes.month, closes.day) <= (opens.month, opens.day):
        node.fail("ngày đóng phải sau ngày mở", "closes")
    if closes.month - opens.month > 2:
        node.fail("phiếu chỉ mở tối đa khoảng ba tháng (quý sau có phiếu của nó)", "closes")
    scale = node.raw("scale")
    if (
        not isinstance(scale, list)
        or len(scale) != len(SCALE)
        or not all(isinstance(s, str) and s.strip() for s in scale)
    ):
        node.fail(f"phải là {len(SCALE)} nhãn, cho mức 1 đến {len(SCALE)}", "scale")
    questions = []
    for item in node.nodes("questions"):
        code = item.text("code")
        if not _QUESTION_CODE.fullmatch(code):
            item.fail("mã câu hỏi gồm chữ thường a-z, số và _, bắt đầu bằng chữ", "code")
        questions.append(Question(code, item.text("text_vi")))
        item.done()
    if len(questions) > MAX_QUESTIONS:
        node.fail(f"tối đa {MAX_QUESTIONS} câu hỏi", "questions")
    codes = [q.code for q in questions]
    if len(set(codes)) != len(codes):
        node.fail("mã câu hỏi bị trùng", "questions")
    gap_node = node.node("self_rating_gap")
    below = gap_node.raw("members_below")
    if isinstance(below, bool) or not isinstance(below, int | float) or not 1 <= below <= 5:
        gap_node.fail("phải là điểm trên thang 1–5, ví dụ 3.5", "members_below")
    gap = SelfRatingGap(gap_node.rate("mostly_tot"), Fraction(str(below)))
    gap_node.done()
    policy = SurveyPolicy(
        opens=opens,
        closes=closes,
        min_responses=node.integer("min_responses", 1, 1000),
        scale=tuple(s.strip() for s in scale),
        questions=tuple(questions),
        gap=gap,
    )
    node.done()
    return policy


def _day_of_quarter(node: YamlNode) -> DayOfQuarter:
    value = DayOfQuarter(node.integer("month", 1, 6), node.integer("day", 1, 31))
    node.done()
    return value


# ---------------------------------------------------------------------------
# Links and the respondent's key


def new_token() -> str:
    return "".join(secrets.choice(ALPHABET) for _ in range(TOKEN_LENGTH))


def link_argument(token: str) -> str:
    """What follows `?start=` in the survey's link."""
    return f"{LINK_PREFIX}{token}"


def token_in(text: str) -> str | None:
    """The survey token in a link argument or a text that quotes one."""
    match = _TOKEN.search(text)
    return match[1].upper() if match else None


def respondent_key(secret: bytes, survey_id: int, telegram_user_id: int) -> str:
    """HMAC-SHA256 of the survey and the Telegram id: the same member's second answer
    finds their first; without `secret` the value says nothing about who answered."""
    message = f"survey:{survey_id}:telegram:{telegram_user_id}".encode()
    return hmac.new(secret, message, hashlib.sha256).hexdigest()


def parse_answers(digits: str, questions: int) -> tuple[int, ...] | None:
    """Answers carried by a button ("453"), or None when they cannot be answers."""
    if len(digits) > questions or not all(c in "12345" for c in digits):
        return None
    return tuple(int(c) for c in digits)


def clean_comment(text: str) -> str | None:
    """A member's comment as kept: printable, trimmed, at most MAX_COMMENT characters."""
    printable = "".join(c if c.isprintable() or c == "\n" else " " for c in text)
    cleaned = printable.strip()
    return cleaned[:MAX_COMMENT] if cleaned else None


# ---------------------------------------------------------------------------
# Results


@dataclass(frozen=True)
class SurveyResult:
    """A cell's results: only built when enough members answered (see `result_of`)."""

    responses: int
    averages: tuple[Fraction, ...]  # per question, on the 1–5 scale
    comments: tuple[str, ...]  # in alphabetical order: the order answers came in is not told

    @property
    def overall(self) -> Fraction:
        return sum(self.averages, Fraction(0)) / len(self.averages)


def result_of(
    answers: Sequence[Sequence[int]], comments: Iterable[str | None], min_responses: int
) -> SurveyResult | None:
    """The averages and comments, or None below `min_responses` answers."""
    if len(answers) < max(1, min_responses):
        return None
    questions = len(answers[0])
    averages = tuple(Fraction(sum(a[i] for a in answers), len(answers)) for i in range(questions))
    kept = sorted((c for c in comments if c), key=lambda c: (c.casefold(), c))
    return SurveyResult(len(answers), averages, tuple(kept))


def response_rate(responses: int, members: int | None) -> Fraction | None:
    return Fraction(min(responses, members), members) if members else None


def self_rating_above_members(
    levels: Iterable[QualityLevel | str], members_overall: Fraction, gap: SelfRatingGap
) -> bool:
    """Mostly Tốt by the secretary's own ratings, below the threshold by the members'."""
    rated = [QualityLevel(level) for level in levels]
    if not rated:
        return False
    tot = sum(level == QualityLevel.TOT for level in rated)
    return Fraction(tot, len(rated)) > gap.mostly_tot and members_overall < gap.members_below


def format_score(value: Fraction) -> str:
    """An average on the 1–5 scale, Vietnamese style: "3,8"."""
    return f"{float(value):.1f}".replace(".", ",")
