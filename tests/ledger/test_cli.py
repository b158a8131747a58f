"""`chibo ledger rebuild` and `chibo ledger show`."""

from __future__ import annotations

import json

import pytest

from bot.cli import main
from storage.db import Database
from tests.ledger.rows import ledger_rows


def test_rebuild_reaches_back_and_changes_nothing_twice(
    db_url: str,
    db: Database,
    demo_org: None,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    monkeypatch.setenv("DATABASE_URL", db_url)
    before = len(ledger_rows(db))
    assert main(["ledger", "rebuild", "--from", "2026-06"]) == 0
    first = capsys.readouterr().out
    assert "từ ngày 01/06/2026" in first and len(ledger_rows(db)) > before
    assert main(["ledger", "rebuild"]) == 0
    assert "từ ngày 01/06/2026: 0 dòng thay đổi" in capsys.readouterr().out


def test_show_lists_a_units_obligations_and_bad_input_exits_2(
    db_url: str,
    demo_org: None,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    monkeypatch.setenv("DATABASE_URL", db_url)
    assert main(["ledger", "show", "ntm", "--json"]) == 0
    rows = json.loads(capsys.readouterr().out)
    assert {"kind": "registration", "subject": "regular", "period": "2026-12"}.items() <= next(
        r for r in rows if r["kind"] == "registration" and r["period"] == "2026-12"
    ).items()
    assert {r["kind"] for r in rows} >= {"registration", "meeting", "thematic", "report"}
    assert main(["ledger", "show", "NOPE"]) == 2
    assert main(["ledger", "rebuild", "--from", "2026-13"]) == 2
    assert "YYYY-MM" in capsys.readouterr().err
