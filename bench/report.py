"""Targets met or missed, and the figures block of docs/benchmarks.md."""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

BEGIN = "<!-- bench:figures:begin — `python -m bench` rewrites this block -->"
END = "<!-- bench:figures:end -->"

INBOUND_RATIO = 2.0
HELD_PERCENT = 95.0
DIGEST_SECONDS = 0.5
RSS_MB = 150.0


def evaluate(result: dict[str, Any]) -> dict[str, dict[str, Any]]:
    """Each target with the measured value and whether it was met (None: not measured)."""
    targets: dict[str, dict[str, Any]] = {}
    ratio = result["inbound"].get("ratio_mean")
    targets["inbound"] = {
        "target": f"mean per update ≤ {INBOUND_RATIO:g}× the echo bot",
        "value": ratio,
        "met": None if ratio is None else ratio <= INBOUND_RATIO,
    }
    limited = result["outbound"]["limited"]
    targets["dispatcher"] = {
        "target": f"≥ {HELD_PERCENT:g}% of 30 msg/s held, no 429",
        "value": f"{limited['held_percent_of_limit']}%, {limited['responses_429']}× 429",
        "met": limited["held_percent_of_limit"] >= HELD_PERCENT and limited["responses_429"] == 0,
    }
    for db, figures in result["digest"].items():
        seconds = figures.get("seconds")
        targets[f"digest_{db}"] = {
            "target": f"digest < {DIGEST_SECONDS:g} s ({db})",
            "value": seconds if seconds is not None else figures.get("skipped"),
            "met": None if seconds is None else seconds < DIGEST_SECONDS,
        }
    peak = result["rss"]["peak_mb"]
    targets["rss"] = {"target": f"peak RSS < {RSS_MB:g} MB", "value": peak, "met": peak < RSS_MB}
    return targets


def _met(value: bool | None) -> str:
    return {True: "met", False: "**missed**", None: "not measured"}[value]


def render(result: dict[str, Any]) -> str:
    m = result["machine"]
    data = result["data"]
    lines = [
        BEGIN,
        "",
        f"Measured {m['date']} ({result['mode']} mode, {result['total_seconds']} s in all) on "
        f"{m['cpu']}, {m['cores']} cores, {m['ram_mb']} MB RAM, {m['os']}; "
        f"Python {m['python']}, SQLite {m['sqlite']}, PostgreSQL {m['postgresql'] or 'none'}.",
        "",
        f"Synthetic bloc: {data['units']:,} units ({data['cells']:,} cells), "
        f"{data['people']:,} people; 24 months: {data['schedules']:,} schedules, "
        f"{data['records']:,} records, {data['ratings']:,} ratings, {data['reports']:,} reports.",
        "",
        "| target | measured | |",
        "|---|---|---|",
    ]
    for t in result["targets"].values():
        lines.append(f"| {t['target']} | {t['value']} | {_met(t['met'])} |")

    i = result["inbound"]
    bot, echo = i["bot"], i["echo"]
    lines += [
        "",
        f"**Inbound** ({bot['updates']:,} updates, {i['sessions']:,} secretaries' sessions; "
        f"mix: {', '.join(f'{k} {v}' for k, v in i['mix'].items())})",
        "",
        "| per update | bot | echo bot | ratio |",
        "|---|---|---|---|",
        f"| mean | {bot['mean_ms']} ms | {echo['mean_ms']} ms | {i['ratio_mean']}× |",
        f"| p50 | {bot['p50_ms']} ms | {echo['p50_ms']} ms | {i['ratio_p50']}× |",
        f"| p99 | {bot['p99_ms']} ms | {echo['p99_ms']} ms | {i['ratio_p99']}× |",
        f"| updates/s (one process, in turn) | {bot['per_second']} | {echo['per_second']} | |",
        "",
        "p50 by kind: "
        + ", ".join(f"{k} {v} ms" for k, v in i.get("by_kind_p50_ms", {}).items())
        + ".",
        "",
        "**Outbound, the dispatcher's ceiling** (SQLite, in-process Bot API that answers at once)",
        "",
        "| cells | reminders planned | planning | dispatcher | raw send loop | dispatcher / raw "
        "| × the 30/s limit |",
        "|---|---|---|---|---|---|---|",
    ]
    for c in result["outbound"]["ceiling"]:
        lines.append(
            f"| {c['cells']:,} | {c['planned']:,} | {c['plan_seconds']} s "
            f"| {c['dispatch_per_second']} msg/s ({c['dispatch_seconds']} s) "
            f"| {c['raw_per_second']} msg/s | {c['ratio_to_raw']} | {c['headroom_vs_limit']}× |"
        )
    lim = result["outbound"]["limited"]
    lines += [
        "",
        f"**Outbound under the limit** (the runner's dispatch job, rate-limited bot, HTTP to a "
        f"Bot API enforcing 30 msg/s and 20/min per group): held {lim['held_per_second']} msg/s "
        f"= **{lim['held_percent_of_limit']}%** of the limit over {lim['window_seconds']} s, "
        f"{lim['responses_429']} answers 429, at most {lim['max_in_any_1s']} messages in any "
        f"second ({lim['sent_total']} sent, {lim['group_messages']} of them to groups).",
        "",
        "**Digest of the whole bloc** (current week, last week, breakdown, 8-week trend)",
        "",
        "| database | time | SELECTs | `SELECT count(*) FROM units` | digest / count |",
        "|---|---|---|---|---|",
    ]
    for db, d in result["digest"].items():
        if "skipped" in d:
            lines.append(f"| {db} | skipped: {d['skipped']} | | | |")
        else:
            lines.append(
                f"| {db} | {d['seconds']} s | {d['queries']} | {d['baseline_count_ms']} ms "
                f"| {d['ratio_to_count']}× |"
            )
    r = result["rss"]
    steps = ", ".join(f"{k} {v} MB" for k, v in r["steps_mb"].items())
    lines += [
        "",
        f"**Memory** (a `chibo` process on the {data['cells']:,}-cell bloc): peak RSS "
        f"**{r['peak_mb']} MB**; at rest {r['idle_mb']} MB. Peak after each step: {steps}.",
        "",
        END,
    ]
    return "\n".join(lines)


def update_docs(path: Path, result: dict[str, Any]) -> None:
    """Replace the figures block of `path` (or append one) with this run's figures."""
    text = path.read_text(encoding="utf-8") if path.exists() else "# Benchmarks\n"
    block = render(result)
    pattern = re.compile(re.escape(BEGIN) + r".*?" + re.escape(END), re.DOTALL)
    if pattern.search(text):
        text = pattern.sub(lambda _: block, text)
    else:
        text = text.rstrip("\n") + "\n\n" + block + "\n"
    path.write_text(text, encoding="utf-8")
