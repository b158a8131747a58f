"""No log line carries the bot token, a configured secret or an invite code."""

from __future__ import annotations

import io
import logging
import sys
import threading
import time
from collections.abc import Iterator
from datetime import timedelta
from pathlib import Path

import pytest

from bench.fake_bot_api import FakeBotApi
from bot import logs
from domain.invite_codes import display, new_code, redact_codes
from domain.roles import Role
from services.invites import create_invite
from storage.db import Database
from tests.auxil.clocks import T0
from tests.scaleout.helpers import free_port, message, post_update, webhook_bot, webhook_env

TOKEN = "7012345678:AAHk3vQ9x_Zy-8wLmN2pQrStUvWxYz01234"


def forms(code: str) -> list[str]:
    """Every way the code could be written: raw, display, lower case, with spaces."""
    shown = display(code)
    return [code, shown, shown.lower(), shown.replace("-", " "), code.lower()]


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("refused a text of 2001 characters from 123", None),
        ("the database schema is not current", None),
        ("Will assume non-transactional DDL.", None),
        ("ABCD EFGH-JKMN_PQRS.", "[invite-code]."),
        ("renderer exploded", None),
        ("ABCDEFGH JKMNPQRS", None),  # spaces only between groups of 4, as codes are shown
        ("update 2026-11-26 02:00:00 from 6100", None),
        ("ABCD-EFGH-JKMN-PQRS", "[invite-code]"),
        ("text='abcd efgh jkmn pqrs' entities", "text='[invite-code]' entities"),
        ("/start ABCDEFGHJKMNPQRS", "/start [invite-code]"),
        ("?start=ABCDEFGHJKMNPQRS&x", "?start=[invite-code]&x"),
        ("ABCDEFGHJKMNPQRSX", None),  # 17 symbols: not a code
    ],
)
def test_code_shaped_text_is_masked_and_ordinary_text_is_not(
    text: str, expected: str | None
) -> None:
    assert redact_codes(text) == (expected or text)


@pytest.fixture
def captured() -> Iterator[io.StringIO]:
    """The root logger writing into a buffer, configured as every run mode does."""
    buffer = io.StringIO()
    handler = logging.StreamHandler(buffer)
    root = logging.getLogger()
    level, hooks = root.level, (sys.excepthook, threading.excepthook)
    root.addHandler(handler)
    logs.configure().add_secrets([TOKEN, "webhook-secret-0123456789"])
    yield buffer
    root.removeHandler(handler)
    for other in root.handlers:  # pytest's own handlers outlive this test
        other.removeFilter(logs.REDACTOR)
    root.setLevel(level)
    sys.excepthook, threading.excepthook = hooks
    logging.captureWarnings(False)


def test_httpx_urls_exceptions_and_tracebacks_are_redacted(captured: io.StringIO) -> None:
    code = new_code()
    logging.getLogger("httpx").info(
        'HTTP Request: %s %s "%s"', "POST", f"https://api.telegram.org/bot{TOKEN}/getUpdates", 200
    )
    try:
        raise ValueError(f"cannot handle {display(code).lower()} at /bot{TOKEN}/sendMessage")
    except ValueError:
        logging.getLogger("telegram.ext.Application").exception("update failed: %s", code)
    logging.getLogger("x").warning("secret header webhook-secret-0123456789 refused")
    out = captured.getvalue()
    for leaked in [TOKEN, TOKEN.split(":")[1], "webhook-secret-0123456789", *forms(code)]:
        assert leaked not in out
    assert out.count("[bot-token]") == 2 and out.count("[invite-code]") >= 2
    assert "Traceback" in out and "ValueError" in out and "[secret]" in out


def test_a_real_run_with_a_failing_update_leaks_neither_token_nor_code(
    db_url: str, db: Database, tmp_path: Path
) -> None:
    """`chibo run --webhook` with a known token: two strangers send valid unused codes, every
    reply fails (so each update is logged with its text and traceback); grep all output."""
    codes = [
        create_invite(
            db, role=Role.SECRETARY, unit_code=unit, now=T0, ttl=timedelta(days=3650), actor="t"
        ).code
        for unit in ("TNMT-01", "VPUBND-01")
    ]
    log = tmp_path / "bot.log"
    port = free_port()
    with FakeBotApi(failing=frozenset({"sendMessage"})) as api:
        env = webhook_env(db_url, api.base_url, port, TELEGRAM_BOT_TOKEN=TOKEN)
        with webhook_bot(env, log):
            assert post_update(port, message(5101, display(codes[0]).lower())) == 200
            assert post_update(port, message(5102, f"/start {codes[1]}")) == 200
            assert api.wait_for(lambda a: len(a.methods("sendMessage")) >= 4, timeout=20)
            time.sleep(0.5)  # let the error handler finish writing its log lines
    out = log.read_text()
    # Telegram's failures are one line each (bot.run), with the error's own text: the
    # redaction of tracebacks is proved above, on a traceback that holds both secrets.
    assert "update failed" in out and "RemoteProtocolError" in out, out
    assert "[bot-token]" in out, "the run logged no Bot API request at all"
    for leaked in [TOKEN, TOKEN.split(":")[1], *(f for c in codes for f in forms(c))]:
        assert leaked not in out, f"{leaked!r} is in the log"
