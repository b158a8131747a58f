"""Who sees what of a survey: the secretary's link and counts, results only after it
closes and only from `min_responses` answers, for the secretary, the base committee,
the cluster officer and leadership, in the bot, the digest and the CLI."""

from __future__ import annotations

import io
import json

import pytest
from openpyxl import load_workbook

from bot.cli import main
from domain.periods import Quarter
from domain.policy import default_policy
from domain.roles import Role
from domain.survey_results import SurveyRef
from services.clock import ManualClock
from services.surveys import open_surveys
from storage.db import Database
from tests.auxil.cast import LEADER, OFFICER_C2, OFFICER_C4, SECRETARY, SECRETARY_VPUBND, bind
from tests.auxil.updates import BotHarness, User, texts
from tests.survey.helpers import answer, comment_prompt, reply

pytestmark = pytest.mark.usefixtures("demo_org")

SECRET = "Góp ý riêng của bốn người"
SHOWN = "Nên chuẩn bị tài liệu sớm"


@pytest.fixture(autouse=True)
def people(db: Database, clock: ManualClock, demo_org: None) -> None:
    bind(db, clock.now(), SECRETARY, Role.SECRETARY, "VPUBND-01")
    bind(db, clock.now(), SECRETARY_VPUBND, Role.SECRETARY, "VPUBND")
    bind(db, clock.now(), OFFICER_C2, Role.CLUSTER_OFFICER, "C2")
    bind(db, clock.now(), OFFICER_C4, Role.CLUSTER_OFFICER, "C4")
    bind(db, clock.now(), LEADER, Role.LEADER, "DUK")


@pytest.fixture
def surveys(db: Database, clock: ManualClock) -> dict[str, SurveyRef]:
    opened = open_surveys(db, Quarter(2026, 4), now=clock.now(), policy=default_policy())
    return {s.unit_code: s for s in opened}


def member(n: int) -> User:
    return User(9_100_000 + n, "Đảng viên", str(n))


async def fill(bot: BotHarness, survey: SurveyRef, answers: list[str], comment: str) -> None:
    for i, given in enumerate(answers):
        calls = await answer(bot, member(i + 100 * len(answers)), survey.link_argument, given)
        if i == 0:
            await reply(bot, member(i + 100 * len(answers)), comment_prompt(calls), comment)


async def test_the_secretary_gets_the_link_to_post_and_the_count_so_far(
    bot: BotHarness, surveys: dict[str, SurveyRef]
) -> None:
    survey = surveys["VPUBND-01"]
    await fill(bot, survey, ["45345"] * 5, SHOWN)
    calls = await bot.send(SECRETARY, "/survey")
    link, status = calls[0].text, calls[1].text
    assert f"https://t.me/ChiBoBot?start={survey.link_argument}" in link
    assert "hạn đến hết ngày 10/01/2027" in link and "chuyển tiếp (forward)" in link
    assert "Đã nhận: <b>5</b> phiếu / 11 đảng viên (45,5%)" in status
    # Open: no averages, no comments yet, even with enough answers.
    assert "Kết quả được xem sau khi phiếu đóng" in status
    assert "Điểm bình quân" not in status and SHOWN not in texts(calls)


async def test_after_closing_each_viewer_sees_results_only_where_enough_answered(
    bot: BotHarness,
    db: Database,
    clock: ManualClock,
    surveys: dict[str, SurveyRef],
    db_url: str,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    await fill(bot, surveys["VPUBND-01"], ["11111"] * 4, SECRET)  # one short of min_responses
    await fill(bot, surveys["VPUBND-02"], ["45345", "55555", "44444", "33333", "45345"], SHOWN)
    clock.set(surveys["VPUBND-01"].closes_at)

    own = texts(await bot.send(SECRETARY, "/survey"))
    assert "chưa đủ 5 phiếu: kết quả không được hiển thị" in own
    assert "Điểm bình quân" not in own

    views = {
        "committee": texts(await bot.send(SECRETARY_VPUBND, "/survey")),
        "officer": texts(await bot.send(OFFICER_C2, "/survey")),
        "leader": texts(await bot.send(LEADER, "/survey")),
    }
    for who, shown in views.items():
        assert "Có kết quả (từ 5 phiếu): <b>1</b> chi bộ; chưa đủ phiếu:" in shown, who
        assert "Điểm bình quân: <b>4,1</b>/5" in shown, who  # VPUBND-02's 5 answers only
    for who in (SECRETARY_VPUBND, OFFICER_C2, LEADER):
        short = texts(await bot.send(who, "/survey VPUBND-01"))
        assert "chưa đủ 5 phiếu" in short and "Điểm bình quân" not in short
        full = texts(await bot.send(who, "/survey VPUBND-02"))
        assert "Điểm bình quân: <b>4,1</b>/5" in full and SHOWN in full
        assert "không kèm tên" in full
    elsewhere = texts(await bot.send(OFFICER_C4, "/survey VPUBND-02"))
    assert "Không có phiếu khảo sát nào của chi bộ mã VPUBND-02" in elsewhere

    digest = await bot.send(LEADER, "/digest")
    assert "Phiếu khảo sát đảng viên Quý IV/2026</b> (đã đóng)" in digest[0].text
    workbook = load_workbook(io.BytesIO(next(iter(digest[1].files.values()))))
    sheet = workbook["Phiếu khảo sát 2026-Q4"]
    rows = {r[0]: r for r in sheet.iter_rows(min_row=2, values_only=True)}
    assert rows["VPUBND-01"][3] == 4 and rows["VPUBND-01"][5] is None
    assert rows["VPUBND-02"][3] == 5 and rows["VPUBND-02"][5] == 4.08

    monkeypatch.setenv("DATABASE_URL", db_url)
    at = ["--at", "2027-01-11"]
    assert main(["survey", "results", "--unit", "VPUBND-01", "--format", "json", *at]) == 0
    short_json = json.loads(capsys.readouterr().out)
    assert short_json["responses"] == 4 and short_json["averages"] is None
    assert short_json["comments"] is None
    assert main(["survey", "results", "--unit", "VPUBND-02", *at]) == 0
    assert SHOWN in capsys.readouterr().out
    assert main(["survey", "results", "--scope", "VPUBND", "--format", "json", *at]) == 0
    scope_json = json.loads(capsys.readouterr().out)
    by_cell = {c["code"]: c for c in scope_json["by_cell"]}
    assert by_cell["VPUBND-01"] == {
        "code": "VPUBND-01",
        "members": 11,
        "responses": 4,
        "response_rate": round(4 / 11, 4),
        "average": None,
    }
    assert main(["digest", "--at", "2027-01-11", "--format", "json"]) == 0
    digest_json = json.loads(capsys.readouterr().out)
    assert digest_json["survey"]["responses"] == 9

    everything = "\n".join([own, *views.values(), digest[0].text, json.dumps(digest_json)])
    assert SECRET not in everything


async def test_self_ratings_above_the_members_view_are_listed_for_leadership(
    bot: BotHarness, db: Database, clock: ManualClock, surveys: dict[str, SurveyRef]
) -> None:
    from tests.leadership.seed import R, record, utc

    with db.transaction() as s:
        for month in (10, 11):
            held, rated = utc(2026, month, 12, 3), utc(2026, month, 12, 4)
            rating = ("tot", 95, [], rated)
            record(s, "VPUBND-02", R, f"2026-{month}", held, present=6, total=6, rating=rating)
    await fill(bot, surveys["VPUBND-02"], ["22222", "33333", "22222", "33333", "22222"], SHOWN)
    clock.set(surveys["VPUBND-02"].closes_at)
    shown = texts(await bot.send(LEADER, "/survey"))
    assert "Tự đánh giá cao hơn ý kiến đảng viên</b> (1)" in shown
    assert "Chi bộ Phòng Kế hoạch - Tài chính" in shown
    cell = texts(await bot.send(SECRETARY, "/survey VPUBND-02"))
    assert "Không có phiếu khảo sát nào của chi bộ mã VPUBND-02 trong phạm vi" in cell
    digest = texts(await bot.send(LEADER, "/digest"))
    assert "Tự đánh giá cao hơn ý kiến đảng viên</b> (1)" in digest


async def test_the_quarter_opens_with_a_notice_to_each_cells_secretary(
    bot: BotHarness, db: Database, clock: ManualClock
) -> None:
    from datetime import UTC, datetime

    from sqlalchemy import select

    from services.survey_delivery import plan_survey_notices
    from storage.models import OutboxMessage

    policy = default_policy()
    before = datetime(2026, 12, 10, 0, 30, tzinfo=UTC)  # 07:30 local: before send_at
    assert plan_survey_notices(db, before, policy) == 0
    at = datetime(2026, 12, 10, 1, 0, tzinfo=UTC)  # 08:00 local, the window's first day
    assert plan_survey_notices(db, at, policy) == 1  # one cell secretary is bound
    assert plan_survey_notices(db, at, policy) == 0  # once per quarter
    with db.transaction() as s:
        row = s.scalars(select(OutboxMessage).where(OutboxMessage.reason == "survey")).one()
    assert row.chat_id == SECRETARY.id and row.period == "2026-Q4"
    assert "đã mở, nhận trả lời đến hết ngày 10/01/2027" in row.text
    button = row.buttons[0][0]
    assert button["callback_data"] == "survey:link:VPUBND-01"
    clock.set(at)
    calls = await bot.press(SECRETARY, button["callback_data"])
    assert "https://t.me/ChiBoBot?start=ks-" in texts(calls)
    refused = await bot.press(OFFICER_C2, button["callback_data"])
    assert "https://t.me" not in texts(refused)


async def test_a_secretary_before_any_survey_is_told_when_the_next_opens(
    bot: BotHarness, clock: ManualClock
) -> None:
    clock.set(clock.now().replace(month=11, day=20))
    shown = texts(await bot.send(SECRETARY, "/survey"))
    assert "Chưa có phiếu khảo sát nào. Phiếu quý tới mở ngày 10/12/2026" in shown
