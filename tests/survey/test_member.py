"""A member answers the quarterly survey: no invite, no role, a link and buttons."""

from __future__ import annotations

from datetime import timedelta

import pytest
from sqlalchemy import func, select

from bot.settings import Settings
from domain.periods import Quarter
from domain.policy import default_policy
from domain.roles import Role
from domain.survey_results import SurveyRef
from services.clock import ManualClock
from services.invites import create_invite
from services.surveys import open_surveys
from storage.db import Database
from storage.models import InviteFailure, Person, SurveyResponse
from tests.auxil.cast import MEMBER, OTHER_MEMBER
from tests.auxil.updates import BotHarness, callback, group_chat, message, texts
from tests.survey.helpers import answer, comment_prompt, reply

pytestmark = pytest.mark.usefixtures("demo_org")


@pytest.fixture
def survey(db: Database, clock: ManualClock) -> SurveyRef:
    opened = open_surveys(db, Quarter(2026, 4), now=clock.now(), policy=default_policy())
    return next(s for s in opened if s.unit_code == "VPUBND-01")


def responses(db: Database) -> list[SurveyResponse]:
    with db.transaction() as s:
        return list(s.scalars(select(SurveyResponse)))


async def test_the_link_shows_the_survey_and_its_first_question(
    bot: BotHarness, survey: SurveyRef
) -> None:
    calls = await bot.send(MEMBER, f"/start {survey.link_argument}")
    intro, question = calls[0].text, calls[1]
    assert "Phiếu khảo sát chất lượng sinh hoạt chi bộ Quý IV/2026" in intro
    assert "Chi bộ Văn phòng — Đảng bộ cơ quan Văn phòng UBND tỉnh" in intro
    assert "Hạn trả lời: hết ngày 10/01/2027" in intro
    assert "không lưu tên, tài khoản hay mã Telegram" in intro
    assert "Câu 1/5." in question.text
    labels = [label for label, _ in question.buttons]
    assert labels == [
        "1 · Rất chưa tốt",
        "2 · Chưa tốt",
        "3 · Bình thường",
        "4 · Tốt",
        "5 · Rất tốt",
    ]
    # The answers so far ride in the buttons: nothing is stored while the member answers.
    assert question.buttons[3][1] == f"ks:{survey.token}:4"


async def test_a_stranger_answers_and_comments_and_becomes_no_one(
    bot: BotHarness, db: Database, survey: SurveyRef
) -> None:
    calls = await answer(bot, MEMBER, survey.link_argument, "45345")
    shown = texts(calls)
    assert "Đã ghi nhận câu trả lời." in shown
    assert (
        "Kết luận rõ ràng, nghị quyết của chi bộ được tổ chức thực hiện: <b>5</b> (Rất tốt)"
        in shown
    )
    prompt = comment_prompt(calls)
    assert prompt.params["reply_markup"]["force_reply"] is True
    assert f"🔖 {survey.link_argument}" in prompt.text

    said = await reply(bot, MEMBER, prompt, "Nên gửi tài liệu trước ba ngày")
    assert "Đã ghi nhận góp ý" in said

    [row] = responses(db)
    assert row.answers == [4, 5, 3, 4, 5]
    assert row.comment == "Nên gửi tài liệu trước ba ngày"
    with db.transaction() as s:
        assert s.scalar(select(func.count()).select_from(Person)) == 0
    # Answering gave no role: the bot still refuses the stranger everything else.
    assert "chưa được mời" in texts(await bot.send(MEMBER, "/status"))
    assert "chưa được mời" in texts(await bot.send(MEMBER, "/survey"))


async def test_answering_again_replaces_the_answer_until_the_survey_closes(
    bot: BotHarness, db: Database, clock: ManualClock, survey: SurveyRef
) -> None:
    await answer(bot, MEMBER, survey.link_argument, "11111")
    again = await bot.send(MEMBER, f"/start {survey.link_argument}")
    assert "Đồng chí đã trả lời phiếu này (1, 1, 1, 1, 1)" in texts(again)
    calls = await answer(bot, MEMBER, survey.link_argument, "55554")
    assert "câu trả lời mới (thay câu trả lời trước)" in texts(calls)
    await answer(bot, OTHER_MEMBER, survey.link_argument, "33333")
    assert sorted(r.answers for r in responses(db)) == [[3, 3, 3, 3, 3], [5, 5, 5, 5, 4]]

    clock.set(survey.closes_at)  # the first instant after the closing day
    late = await bot.send(MEMBER, f"/start {survey.link_argument}")
    assert "đã đóng (hết ngày 10/01/2027)" in texts(late)
    press = await bot.press(MEMBER, f"ks:{survey.token}:22222")
    assert "đã đóng" in texts(press)
    assert sorted(r.answers for r in responses(db)) == [[3, 3, 3, 3, 3], [5, 5, 5, 5, 4]]


async def test_the_back_button_asks_the_previous_question_again(
    bot: BotHarness, db: Database, survey: SurveyRef
) -> None:
    calls = await answer(bot, MEMBER, survey.link_argument, "12")
    back = next(d for label, d in calls[-1].buttons if label.startswith("↩"))
    assert back == f"ks:{survey.token}:1"
    calls = await bot.press(MEMBER, back)
    assert "Câu 2/5." in texts(calls)
    assert responses(db) == []  # nothing kept until the last answer


async def test_a_comment_without_answers_and_a_comment_after_closing_are_refused(
    bot: BotHarness, db: Database, clock: ManualClock, survey: SurveyRef
) -> None:
    calls = await answer(bot, MEMBER, survey.link_argument, "44444")
    prompt = comment_prompt(calls)
    assert "chưa trả lời các câu hỏi" in await reply(bot, OTHER_MEMBER, prompt, "Tôi góp ý")
    clock.set(survey.closes_at)
    assert "đã đóng" in await reply(bot, MEMBER, prompt, "Muộn rồi")
    assert [r.comment for r in responses(db)] == [None]


async def test_wrong_or_not_yet_open_links_say_so_and_never_cost_an_invite_attempt(
    bot: BotHarness, db: Database, clock: ManualClock
) -> None:
    for argument in ("ks-0000000000000000000Z", "ks-abc", "KS-", "ks-" + "A" * 16):
        assert "không đúng hoặc đã cũ" in texts(await bot.send(MEMBER, f"/start {argument}"))
    future = open_surveys(
        db, Quarter(2027, 1), now=clock.now(), policy=default_policy(), unit_codes=["NTM"]
    )[0]
    assert "chưa mở" in texts(await bot.send(MEMBER, f"/start {future.link_argument}"))
    with db.transaction() as s:
        assert s.scalar(select(func.count()).select_from(InviteFailure)) == 0
    # The invite throttle still stands at zero: a real invite binds at once.
    created = create_invite(
        db,
        role=Role.SECRETARY,
        unit_code="NTM",
        now=clock.now(),
        ttl=timedelta(days=14),
        actor="test",
    )
    assert "Chào mừng" in texts(await bot.send(MEMBER, f"/start {created.code}"))


async def test_a_survey_is_answered_only_in_a_private_chat(
    bot: BotHarness, db: Database, survey: SurveyRef
) -> None:
    in_group = await bot.deliver(
        callback_query=callback(MEMBER, f"ks:{survey.token}:44444", chat=group_chat())
    )
    assert "chỉ trả lời trong tin nhắn riêng" in texts(in_group)
    start_in_group = await bot.deliver(
        message=message(MEMBER, text=f"/start {survey.link_argument}", chat=group_chat())
    )
    assert start_in_group == []
    assert responses(db) == []


async def test_a_forged_press_with_impossible_answers_stores_nothing(
    bot: BotHarness, db: Database, survey: SurveyRef
) -> None:
    for data in (f"ks:{survey.token}:99999", f"ks:{survey.token}:444444", f"ks:{survey.token}:4x"):
        calls = await bot.press(MEMBER, data)
        assert [c for c in calls if c.method == "answerCallbackQuery"]
    assert responses(db) == []


async def test_without_a_survey_key_members_are_told_and_nothing_is_kept(
    bot: BotHarness,
    db: Database,
    survey: SurveyRef,
    settings: Settings,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setattr(settings, "survey_key", "")
    assert "chưa được bật" in texts(await bot.send(MEMBER, f"/start {survey.link_argument}"))
    assert "chưa được bật" in texts(await bot.press(MEMBER, f"ks:{survey.token}:44444"))
    assert responses(db) == []
