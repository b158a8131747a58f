"""Invite brute force through the bot, and the CLI (the admin's tool) validating its input."""

from __future__ import annotations

import secrets
from datetime import timedelta
from pathlib import Path

import pytest
from sqlalchemy import func, select

from bot.cli import main
from domain.invite_codes import ALPHABET, display
from domain.roles import Role
from services.clock import ManualClock
from services.invites import create_invite
from storage.db import Database
from storage.models import Invite, InviteFailure, Person
from tests.auxil.cast import ATTACKER
from tests.auxil.updates import BotHarness, texts


def random_code() -> str:
    return "".join(secrets.choice(ALPHABET) for _ in range(16))


def scalar(db: Database, query) -> int:  # type: ignore[no-untyped-def]
    with db.transaction() as s:
        return s.scalar(query) or 0


async def test_invite_brute_force_is_throttled_and_cannot_grow_the_table(
    bot: BotHarness, db: Database, clock: ManualClock
) -> None:
    created = create_invite(
        db, role=Role.LEADER, unit_code="DUK", now=clock.now(), ttl=timedelta(1), actor="t"
    )
    people_before = scalar(db, select(func.count()).select_from(Person))
    replies = []
    for i in range(60):  # /start links and typed codes, with look-alike formatting
        guess = random_code()
        text = f"/start {guess}" if i % 2 else display(guess).lower()
        replies.append(texts(await bot.send(ATTACKER, text)))
    assert sum("Mã mời không đúng" in r for r in replies) == 5
    assert sum("quá nhiều lần" in r for r in replies) == 55
    # Throttled attempts are not even recorded: the attacker cannot bloat the database.
    failures = select(func.count()).where(InviteFailure.telegram_user_id == ATTACKER.id)
    assert scalar(db, failures) == 5

    # Even the right code is refused while throttled, and the invite stays unused.
    assert "quá nhiều lần" in texts(await bot.send(ATTACKER, f"/start {created.code}"))
    with db.transaction() as s:
        invite = s.get(Invite, created.id)
        assert invite is not None and invite.used_at is None
    assert scalar(db, select(func.count()).select_from(Person)) == people_before

    clock.advance(timedelta(minutes=31))
    assert "Chào mừng" in texts(await bot.send(ATTACKER, f"/start {created.code}"))


@pytest.fixture
def cli_env(monkeypatch: pytest.MonkeyPatch, db_url: str, tmp_path: Path) -> None:
    monkeypatch.setenv("DATABASE_URL", db_url)
    monkeypatch.chdir(tmp_path)


@pytest.mark.usefixtures("cli_env")
@pytest.mark.parametrize(
    "argv",
    [
        ["invite", "create", "--role", "secretary", "--unit", "NOPE"],
        ["invite", "create", "--role", "secretary", "--unit", ""],
        ["invite", "create", "--role", "secretary", "--unit", "vpubnd-01"],
        ["invite", "create", "--role", "secretary", "--unit", "VPUBND-01'; DROP TABLE units;--"],
        ["invite", "create", "--role", "superuser", "--unit", "DUK"],
        ["invite", "create", "--role", "Secretary", "--unit", "DUK"],
        ["invite", "create", "--unit", "DUK"],
        ["invite", "revoke", "999999"],
        ["invite", "revoke", "abc"],
        ["org", "show", "NOPE"],
        ["org", "import", "/no/such/file.csv"],
        ["backup"],
        ["restore", "/no/such/backup.sqlite3", "--yes"],
        ["no-such-command"],
    ],
)
def test_cli_rejects_bad_input_with_exit_code_2(db: Database, argv: list[str]) -> None:
    invites_before = scalar(db, select(func.count()).select_from(Invite))
    try:
        code = main(argv)
    except SystemExit as exit_:  # argparse refuses unknown choices and missing arguments
        code = exit_.code  # type: ignore[assignment]
    assert code == 2, argv
    assert scalar(db, select(func.count()).select_from(Invite)) == invites_before
