"""The whole product over real HTTP: `chibo run` (a subprocess) against the Bot API emulator.

One journey, three bot processes on one SQLite database:

run 1  a stranger is refused; a secretary, a leader and a second secretary join with
       invites made by `chibo invite create`; the secretary starts /schedule and picks
       the month — and the bot is killed with SIGKILL (mid-conversation). While it is
       down the leader sends /whoami.
run 2  started with a policy whose reminder slots have come: the plan tick writes
       reminders and weekly digests to the outbox; the leader's /whoami sent during the
       downtime is answered; the reminder to the secretary hangs in the Bot API and the
       bot is killed again (mid-dispatch). The second secretary has blocked the bot.
run 3  (after "time passes": the dead process's outbox leases are expired by hand,
       nothing else is touched) the reminder reaches the secretary exactly once; the
       blocked secretary is marked unreachable; the secretary continues /schedule from
       the step it was on before the first kill, registers, records the meeting, rates
       it; the leader gets the weekly digest and asks for /digest.
"""

from __future__ import annotations

import re
import time
from collections.abc import Callable
from pathlib import Path

import pytest

from domain.policy import default_policy

from .deployment import Deployment, local_minutes_since_midnight, minutes_to_local_midnight
from .emulator_client import BotApiClient, BotMessage, Predicate

pytestmark = pytest.mark.slow

SECRETARY, LEADER, BLOCKED, STRANGER = 1001, 1006, 1002, 1099
TIMEOUT = 10.0


def needs_daytime() -> None:
    if minutes_to_local_midnight() < 10 or local_minutes_since_midnight() < 5:
        pytest.skip("runs on real time: not within 10 minutes of midnight in Hà Nội")


def say(
    bot_api: BotApiClient, user: int, text: str, expect: Callable[[BotMessage], bool]
) -> BotMessage:
    bot_api.send_text(user, user, text)
    [reply] = bot_api.wait_for_bot_messages(user, expect, timeout=TIMEOUT, include_edits=False)
    return reply


def press(
    bot_api: BotApiClient,
    user: int,
    message: BotMessage,
    label: str,
    expect: Callable[[BotMessage], bool],
) -> BotMessage:
    bot_api.press_button(user, message, message.callback_data(label))
    [reply] = bot_api.wait_for_bot_messages(user, expect, timeout=TIMEOUT, include_edits=False)
    return reply


def has(*words: str) -> Callable[[BotMessage], bool]:
    return lambda m: m.text is not None and all(w in m.text for w in words)


def collect(
    bot_api: BotApiClient, chat: int, wanted: dict[str, Callable[[BotMessage], bool]]
) -> dict[str, BotMessage]:
    """Wait for one message matching each predicate, in whatever order they come."""
    found: dict[str, BotMessage] = {}
    while len(found) < len(wanted):
        missing = {k: p for k, p in wanted.items() if k not in found}

        def any_missing(m: BotMessage, missing: dict[str, Predicate] = missing) -> bool:
            return any(p(m) for p in missing.values())

        [message] = bot_api.wait_for_bot_messages(
            chat,
            any_missing,
            timeout=TIMEOUT,
            include_edits=False,
        )
        found.update({k: message for k, p in missing.items() if p(message)})
    return found


def wait_for(condition: Callable[[], bool], what: str, timeout: float = TIMEOUT) -> None:
    deadline = time.monotonic() + timeout
    while not condition():
        if time.monotonic() > deadline:
            raise AssertionError(f"timed out waiting for {what}")
        time.sleep(0.05)


def test_invite_onboard_schedule_record_rate_reminder_digest_across_crashes(
    bot_api: BotApiClient, tmp_path: Path
) -> None:
    needs_daytime()
    deployment = Deployment(tmp_path / "deploy", bot_api).setup()
    codes = {
        SECRETARY: deployment.invite("secretary", "VPUBND-01"),
        LEADER: deployment.invite("leader", "DUK"),
        BLOCKED: deployment.invite("secretary", "TNMT-01"),
    }
    quiet = deployment.policy("quiet", reminders_due=False)
    due = deployment.policy("due", reminders_due=True)
    try:
        journey(bot_api, deployment, codes, quiet, due)
    except AssertionError as exc:
        raise AssertionError(f"{exc}\n\n{deployment.output()[-6000:]}") from None
    finally:
        deployment.stop_all()


def journey(
    bot_api: BotApiClient, deployment: Deployment, codes: dict[int, str], quiet: Path, due: Path
) -> None:
    # -- run 1: onboarding, then a crash in the middle of /schedule ---------------------------
    run1 = deployment.start(quiet)
    bot_api.send_text(STRANGER, STRANGER, "xin chào", first_name="Lạ")
    [refusal] = bot_api.wait_for_bot_messages(STRANGER, timeout=TIMEOUT)
    assert "chưa được mời" in refusal.text
    say(bot_api, STRANGER, "/schedule", has("chưa được mời"))

    bot_api.send_text(SECRETARY, SECRETARY, f"/start {codes[SECRETARY]}", first_name="Bình <b>")
    [welcome] = bot_api.wait_for_bot_messages(SECRETARY, timeout=TIMEOUT)
    assert "Chào mừng Bình <b>" in welcome.text  # escaped by the bot, shown literally
    assert (
        "Bí thư chi bộ của Chi bộ Văn phòng — Đảng bộ cơ quan Văn phòng UBND tỉnh (VPUBND-01)"
        in (welcome.text.replace("<b>", "").replace("</b>", ""))
    )
    assert "/schedule" in say(bot_api, SECRETARY, "/help", has("Những việc")).text
    for user, name in ((LEADER, "Hùng"), (BLOCKED, "Cường")):
        bot_api.send_text(user, user, f"/start {codes[user]}", first_name=name)
        bot_api.wait_for_bot_messages(user, has("Chào mừng"), timeout=TIMEOUT)

    months = say(bot_api, SECRETARY, "/schedule", has("tháng nào"))
    next_month = [t for t in months.button_texts if t.startswith("Tháng")][-1]
    mm, yyyy = re.fullmatch(r"Tháng (\d\d)/(\d{4})", next_month).groups()  # type: ignore[union-attr]
    kinds = press(bot_api, SECRETARY, months, next_month, has("Chọn loại sinh hoạt"))
    run1.kill()  # mid-conversation: the dialog is at "kind"
    assert run1.returncode == -9

    bot_api.send_text(LEADER, LEADER, "/whoami")  # sent while the bot is down
    bot_api.block_chat(BLOCKED)
    bot_api.hang("sendMessage", chat_id=SECRETARY, seconds=60)

    # -- run 2: reminders planned; killed while the secretary's reminder is being sent ------
    since = bot_api.mark()
    run2 = deployment.start(due)
    wait_for(
        lambda: any(f["kind"] == "hang" for f in bot_api.events("fault", since=since)),
        "the reminder to reach the Bot API\n"
        + "\n".join(str(e)[:300] for e in bot_api.events("call", "fault", since=since)),
    )
    run2.kill()  # mid-dispatch: Telegram never answered, the row is leased to a dead worker
    rows = deployment.query("SELECT status FROM outbox WHERE chat_id = ?", SECRETARY)
    assert rows == [("pending",)], rows
    # Time passes: the dead worker's leases (and any back-off) run out.
    deployment.execute(
        "UPDATE outbox SET claimed_until = NULL, not_before = created_at WHERE status = 'pending'"
    )

    # -- run 3: everything resumes -----------------------------------------------------------
    deployment.start(due)
    leader_seen = collect(
        bot_api,
        LEADER,
        {
            "whoami": has("Lãnh đạo"),  # answered although sent while the bot was down
            "weekly": has("TỔNG HỢP TÌNH HÌNH SINH HOẠT ĐẢNG"),
        },
    )
    assert "Đảng bộ Khối" in leader_seen["weekly"].text

    [reminder] = bot_api.wait_for_bot_messages(
        SECRETARY, has("Nhắc việc"), timeout=TIMEOUT, include_edits=False
    )
    assert "Chi bộ Văn phòng" in reminder.text
    assert any(t.startswith("📅") for t in reminder.button_texts), reminder.button_texts

    wait_for(
        lambda: (
            deployment.query(
                "SELECT unreachable_since IS NOT NULL FROM people WHERE telegram_user_id = ?",
                BLOCKED,
            )
            == [(1,)]
        ),
        "the blocked secretary to be marked unreachable",
    )
    assert deployment.query("SELECT status FROM outbox WHERE chat_id = ?", BLOCKED) == [("failed",)]

    # The dialog continues from the step it was on before the first crash.
    when = press(bot_api, SECRETARY, kinds, "thường kỳ", has("ngày giờ"))
    place = say(bot_api, SECRETARY, f"5/{mm} 14:00", has("địa điểm"))
    assert place.message_id != when.message_id
    repeat = say(bot_api, SECRETARY, "Phòng họp <tầng 2> & hội trường", has("lặp lại"))
    confirm = press(bot_api, SECRETARY, repeat, "Chỉ tháng này", has("Kiểm tra lại"))
    assert "Phòng họp <tầng 2> & hội trường" in confirm.text
    done = press(bot_api, SECRETARY, confirm, "Xác nhận", has("Đã đăng ký lịch"))
    assert f"05/{mm}/{yyyy}" in done.text
    assert deployment.query(
        "SELECT month, place FROM meeting_schedules WHERE unit_code = 'VPUBND-01'"
    ) == [(f"{yyyy}-{mm}", "Phòng họp <tầng 2> & hội trường")]

    # Record this month's meeting, then rate it from the button under the confirmation.
    meetings = say(bot_api, SECRETARY, "/record", has("Chi bộ Văn phòng"))
    label = next(t for t in meetings.button_texts if "thường kỳ" in t and "chưa ghi nhận" in t)
    this_month = re.search(r"(\d\d)/(\d{4})", label).groups()  # type: ignore[union-attr]
    held = press(bot_api, SECRETARY, meetings, label, has("có được tổ chức không"))
    day = press(bot_api, SECRETARY, held, "Có", has("ngày"))
    assert day
    duration = say(bot_api, SECRETARY, f"1/{this_month[0]}", lambda m: "120 phút" in str(m.buttons))
    total = press(bot_api, SECRETARY, duration, "120 phút", lambda m: bool(m.buttons))
    present = press(bot_api, SECRETARY, total, "Giữ nguyên: 11", lambda m: bool(m.buttons))
    assert present
    excused = say(bot_api, SECRETARY, "10", lambda m: len(m.buttons) > 1)
    higher = press(bot_api, SECRETARY, excused, "1", lambda m: bool(m.buttons))
    assert higher
    minutes = say(bot_api, SECRETARY, "Đ/c Nguyễn Văn A, Ủy viên Ban Thường vụ", has("biên bản"))
    summary = press(bot_api, SECRETARY, minutes, "Có", has("Dự: 10/11"))
    recorded = press(bot_api, SECRETARY, summary, "Xác nhận", has("Đã ghi nhận"))
    criterion = press(bot_api, SECRETARY, recorded, "Đánh giá", has("Tiêu chí 1/"))
    for c in default_policy().rubric.answerable_criteria:
        criterion = press(
            bot_api, SECRETARY, criterion, str(c.max_points), lambda m: bool(m.buttons)
        )
    assert "Tổng điểm" in criterion.text
    saved = press(bot_api, SECRETARY, criterion, "Xác nhận", has("Đã lưu tự đánh giá"))
    assert saved
    assert deployment.query(
        "SELECT r.present, q.level FROM meeting_records r JOIN quality_ratings q "
        "ON q.record_id = r.id WHERE r.unit_code = 'VPUBND-01'"
    ) == [(10, "kha")]

    # The leader asks for the digest: a summary and a spreadsheet.
    bot_api.send_text(LEADER, LEADER, "/digest")
    digest = collect(
        bot_api,
        LEADER,
        {"summary": has("TỔNG HỢP TÌNH HÌNH"), "xlsx": lambda m: m.document is not None},
    )
    assert digest["xlsx"].document["file_name"].endswith(".xlsx")  # type: ignore[index]

    # Nothing lost, nothing twice: one reminder for the secretary, and no handler failed.
    reminders = [m for m in bot_api.bot_messages(SECRETARY) if "Nhắc việc" in (m.get("text") or "")]
    assert len(reminders) == 1
    assert "update failed" not in deployment.output()
