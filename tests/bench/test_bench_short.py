"""`python -m bench --short`: every section is there and every figure is sane.

Speed is reported (docs/benchmarks.md), not asserted: a busy CI machine must not
fail the build. This test only proves the benchmark runs end to end on a clean
clone and measures what it says.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from tests.leadership.test_query_count import DIGEST_SELECTS

pytestmark = pytest.mark.slow

ROOT = Path(__file__).resolve().parents[2]


def test_short_benchmark_runs_and_reports_every_section(tmp_path: Path) -> None:
    out = tmp_path / "bench.json"
    docs = ROOT / "docs" / "benchmarks.md"
    docs_before = docs.read_text(encoding="utf-8") if docs.exists() else None
    done = subprocess.run(
        [sys.executable, "-m", "bench", "--short", "--json-out", str(out)],
        cwd=ROOT,
        env={**os.environ, "PYTHONUNBUFFERED": "1"},
        capture_output=True,
        text=True,
        timeout=600,
        check=False,
    )
    assert done.returncode == 0, done.stderr[-4000:]
    result = json.loads(out.read_text(encoding="utf-8"))
    assert json.loads(done.stdout) == result  # the same JSON on stdout
    assert (docs.read_text(encoding="utf-8") if docs.exists() else None) == docs_before

    assert result["schema"] == "chibo.bench/1" and result["mode"] == "short"
    sections = (
        "machine",
        "data",
        "inbound",
        "outbound",
        "digest",
        "dashboard",
        "rss",
        "plan",
        "coldstart",
    )
    for section in (*sections, "targets"):
        assert section in result, section
    machine = result["machine"]
    assert machine["cores"] >= 1 and machine["python"] and machine["sqlite"]

    inbound = result["inbound"]
    assert inbound["bot"]["updates"] >= result["sizes"]["inbound_updates"]
    assert inbound["echo"]["updates"] == inbound["bot"]["updates"]
    assert inbound["sessions_registered"] == inbound["sessions"] > 0  # the flows really ran
    assert {"/status", "/schedule", "/history", "button", "text"} <= set(inbound["mix"])
    for figures in (inbound["bot"], inbound["echo"]):
        assert 0 < figures["p50_ms"] <= figures["p99_ms"]
    assert inbound["ratio_mean"] > 0
    # The second baseline replays exactly the bot's own calls: same updates, more calls.
    assert inbound["replayed_calls"]["updates"] == inbound["bot"]["updates"]
    assert inbound["calls_per_update"] > 1 and inbound["replayed_ratio_mean"] > 0
    assert "/help" in inbound["mix"] and set(inbound["by_kind_p99_ms"]) == set(inbound["mix"])
    stall = inbound["status_during_digest"]
    assert stall["samples"] > 0 and stall["digests_run"] >= 1
    assert 0 < stall["idle_p50_ms"] <= stall["idle_p99_ms"] and stall["ratio_p99"] > 0

    assert [p["cells"] for p in result["plan"]] == result["sizes"]["outbound_units"]
    assert all(p["planned"] >= p["cells"] for p in result["plan"])
    cold = result["coldstart"]
    assert cold["cells"] == result["sizes"]["coldstart_cells"]
    assert 0 < cold["first_poll_s"] <= cold["first_reply_s"] < 60

    ceilings = result["outbound"]["ceiling"]
    assert [c["cells"] for c in ceilings] == result["sizes"]["outbound_units"]
    for c in ceilings:
        assert c["planned"] >= c["cells"]  # a reminder for every secretary (and committees)
        assert c["sent"] == c["planned"] and c["not_sent"] == 0
        assert c["dispatch_per_second"] > 0 and c["raw_per_second"] > 0
    limited = result["outbound"]["limited"]
    assert 0 < limited["held_percent_of_limit"] <= 110
    assert limited["max_in_any_1s"] <= limited["limit_per_second"]  # the emulator enforced it
    assert limited["responses_429"] >= 0 and limited["group_messages"] > 0

    sqlite = result["digest"]["sqlite"]
    assert sqlite["queries"] == DIGEST_SELECTS and sqlite["seconds"] > 0
    assert sqlite["ratio_to_count"] > 0
    assert sqlite["cells"] == result["data"]["cells"]
    postgres = result["digest"]["postgresql"]
    if os.environ.get("TEST_POSTGRES_URL"):
        assert postgres.get("queries") == DIGEST_SELECTS, postgres
    else:
        assert "skipped" in postgres

    board = result["dashboard"]["sqlite"]
    assert board["cells"] == result["data"]["cells"]
    assert min(board["healthz_ms"], board["first_view_ms"], board["ratio_to_healthz"]) > 0
    assert min(board["first_view_bytes"], board["page_bytes"]) > 0
    assert set(board["views"]) >= {"cluster", "cell", "week"}
    if os.environ.get("TEST_POSTGRES_URL"):
        assert result["dashboard"]["postgresql"]["first_view_ms"] > 0
    else:
        assert "skipped" in result["dashboard"]["postgresql"]

    rss = result["rss"]
    assert 20 < rss["idle_mb"] <= rss["peak_mb"] < 4000
    assert rss["digest_replies"] == ["sendMessage", "sendDocument", "sendPhoto"]
    assert rss["planned"]["plan_reminders"] > 0

    assert set(result["targets"]) >= {
        "inbound",
        "inbound_replayed_mean",
        "inbound_replayed_p99",
        "status_during_digest",
        "coldstart",
        "dispatcher",
        "digest_sqlite",
        "dashboard_sqlite",
        "rss",
    }
    for target in result["targets"].values():
        assert target["met"] in (True, False, None)


def test_only_some_sections_at_another_size(tmp_path: Path) -> None:
    out = tmp_path / "bench.json"
    done = subprocess.run(
        [sys.executable, "-m", "bench", "--only", "plan", "--cells", "120", "--json-out", str(out)],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
    )
    assert done.returncode == 0, done.stderr[-4000:]
    result = json.loads(out.read_text(encoding="utf-8"))
    assert result["sections"] == ["plan"] and "inbound" not in result
    (plan,) = result["plan"]
    assert plan["cells"] == 120 and plan["planned"] >= 120
    assert set(result["targets"]) == {"plan_120"}  # only what was measured has a target
