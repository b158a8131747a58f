"""Targets met or missed, and the figures block of docs/benchmarks.md."""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

BEGIN = "<!-- bench:figures:begin — `python -m bench` rewrites this block -->"
END = "<!-- bench:figures:end -->"

INBOUND_RATIO = 2.0
REPLAYED_MEAN_RATIO = 3.0
REPLAYED_P99_RATIO = 6.0
STALL_RATIO = 2.0
COLDSTART_SECONDS = 1.0
HELD_PERCENT = 95.0
DIGEST_SECONDS = 0.3
DASHBOARD_MS = 300.0
RSS_MB = 150.0
IDLE_MB = 90.0
RENDERER_MB = 200.0
PLAN_MS_PER_REMINDER = 0.1


def _target(text: str, value: Any, met: bool | None) -> dict[str, Any]:
    return {"target": text, "value": value, "met": met}


def _at_most(value: float | None, limit: float) -> bool | None:
    return None if value is None else value <= limit


def evaluate(result: dict[str, Any]) -> dict[str, dict[str, Any]]:
    """Each target with the measured value and whether it was met (None: not measured).

    Only the sections that ran (`--only`) have targets."""
    targets: dict[str, dict[str, Any]] = {}
    if "inbound" in result:
        _inbound_targets(result["inbound"], targets)
    if "outbound" in result:
        limited = result["outbound"]["limited"]
        targets["dispatcher"] = _target(
            f"≥ {HELD_PERCENT:g}% of 30 msg/s held, no 429",
            f"{limited['held_percent_of_limit']}%, {limited['responses_429']}× 429",
            limited["held_percent_of_limit"] >= HELD_PERCENT and limited["responses_429"] == 0,
        )
    if "coldstart" in result:
        c = result["coldstart"]
        targets["coldstart"] = _target(
            f"`chibo run` to first reply ≤ {COLDSTART_SECONDS:g} s ({c['cells']:,} cells)",
            c["first_reply_s"],
            _at_most(c["first_reply_s"], COLDSTART_SECONDS),
        )
    for db, figures in result.get("digest", {}).items():
        seconds = figures.get("seconds")
        targets[f"digest_{db}"] = {
            "target": f"digest < {DIGEST_SECONDS:g} s ({db})",
            "value": seconds if seconds is not None else figures.get("skipped"),
            "met": None if seconds is None else seconds < DIGEST_SECONDS,
        }
    for db, d in result.get("dashboard", {}).items():
        first = d.get("first_view_ms")
        targets[f"dashboard_{db}"] = {
            "target": f"the dashboard's first view of the whole bloc < {DASHBOARD_MS:g} ms "
            f"server-side ({db})",
            "value": first if first is not None else d.get("skipped"),
            "met": None if first is None else first < DASHBOARD_MS,
        }
    if "rss" in result:
        r = result["rss"]
        targets["rss"] = _target(f"peak RSS ≤ {RSS_MB:g} MB", r["peak_mb"], r["peak_mb"] <= RSS_MB)
        targets["rss_idle"] = _target(
            f"at rest ≤ {IDLE_MB:g} MB", r["idle_mb"], r["idle_mb"] <= IDLE_MB
        )
        renderer = r.get("renderer_peak_mb")
        targets["rss_renderer"] = _target(
            f"renderer child ≤ {RENDERER_MB:g} MB", renderer, _at_most(renderer, RENDERER_MB)
        )
    for p in result.get("plan", []):
        ms = p.get("ms_per_reminder")
        targets[f"plan_{p['cells']}"] = _target(
            f"planning ≤ {PLAN_MS_PER_REMINDER:g} ms per reminder ({p['cells']:,} cells)",
            ms,
            _at_most(ms, PLAN_MS_PER_REMINDER),
        )
    return targets


def _inbound_targets(i: dict[str, Any], targets: dict[str, dict[str, Any]]) -> None:
    targets["inbound"] = _target(
        f"mean per update ≤ {INBOUND_RATIO:g}× the echo bot",
        i.get("ratio_mean"),
        _at_most(i.get("ratio_mean"), INBOUND_RATIO),
    )
    targets["inbound_replayed_mean"] = _target(
        f"mean ≤ {REPLAYED_MEAN_RATIO:g}× the replayed-calls echo",
        i.get("replayed_ratio_mean"),
        _at_most(i.get("replayed_ratio_mean"), REPLAYED_MEAN_RATIO),
    )
    targets["inbound_replayed_p99"] = _target(
        f"p99 ≤ {REPLAYED_P99_RATIO:g}× the replayed-calls echo",
        i.get("replayed_ratio_p99"),
        _at_most(i.get("replayed_ratio_p99"), REPLAYED_P99_RATIO),
    )
    stall = i.get("status_during_digest")
    if stall is not None:
        targets["status_during_digest"] = _target(
            f"/status p99 while a /digest runs ≤ {STALL_RATIO:g}× idle p99",
            stall["ratio_p99"],
            _at_most(stall["ratio_p99"], STALL_RATIO),
        )


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
    bot, echo, rep = i["bot"], i["echo"], i["replayed_calls"]
    st = i["status_during_digest"]
    lines += [
        "",
        f"**Inbound** ({bot['updates']:,} updates, {i['sessions']:,} secretaries' sessions; "
        f"mix: {', '.join(f'{k} {v}' for k, v in i['mix'].items())}; "
        f"{i['calls_per_update']} Bot API calls per update)",
        "",
        "| per update | bot | echo bot | ratio | replayed calls | ratio |",
        "|---|---|---|---|---|---|",
        f"| mean | {bot['mean_ms']} ms | {echo['mean_ms']} ms | {i['ratio_mean']}× "
        f"| {rep['mean_ms']} ms | {i['replayed_ratio_mean']}× |",
        f"| p50 | {bot['p50_ms']} ms | {echo['p50_ms']} ms | {i['ratio_p50']}× "
        f"| {rep['p50_ms']} ms | {i['replayed_ratio_p50']}× |",
        f"| p99 | {bot['p99_ms']} ms | {echo['p99_ms']} ms | {i['ratio_p99']}× "
        f"| {rep['p99_ms']} ms | {i['replayed_ratio_p99']}× |",
        f"| updates/s (one process, in turn) | {bot['per_second']} | {echo['per_second']} | "
        f"| {rep['per_second']} | |",
        "",
        "p50 by kind: "
        + ", ".join(f"{k} {v} ms" for k, v in i.get("by_kind_p50_ms", {}).items())
        + "; p99 by kind: "
        + ", ".join(f"{k} {v} ms" for k, v in i.get("by_kind_p99_ms", {}).items())
        + ".",
        "",
        f"**`/status` while a `/digest` of the whole bloc runs** ({st['samples']} `/status` each, "
        f"through the update queue and the per-chat processor; {st['digests_run']} digests ran): "
        f"idle p50 {st['idle_p50_ms']} ms, p99 {st['idle_p99_ms']} ms; during the digest "
        f"p50 {st['during_digest_p50_ms']} ms, p99 {st['during_digest_p99_ms']} ms: "
        f"**{st['ratio_p99']}×** idle p99.",
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
    lines += [
        "",
        "Planning alone (`--only plan`): "
        + "; ".join(
            f"{p['cells']:,} cells, {p['planned']:,} reminders in {p['plan_seconds']} s "
            f"({p['ms_per_reminder']} ms each)"
            for p in result["plan"]
        )
        + ".",
    ]
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
    lines += [
        "",
        "**Dashboard** (the Mini App over ASGI in-process, a leader's signed launch data; "
        "median, and the very first request after the server was built)",
        "",
        "| database | first view of the bloc | very first request | `/healthz` | first view / "
        "healthz | other views |",
        "|---|---|---|---|---|---|",
    ]
    for db, w in result["dashboard"].items():
        if "skipped" in w:
            lines.append(f"| {db} | skipped: {w['skipped']} | | | | |")
            continue
        others = ", ".join(
            f"{name.replace('_', ' ')} {v['ms']} ms ({v['bytes']:,} B)"
            for name, v in w["views"].items()
        )
        lines.append(
            f"| {db} | **{w['first_view_ms']} ms** ({w['first_view_bytes']:,} B) "
            f"| {w['first_request_ms']} ms | {w['healthz_ms']} ms | {w['ratio_to_healthz']}× "
            f"| {others} |"
        )
    r = result["rss"]
    steps = ", ".join(f"{k} {v} MB" for k, v in r["steps_mb"].items())
    c = result["coldstart"]
    lines += [
        "",
        f"**Memory** (a `chibo` process on the {data['cells']:,}-cell bloc): peak RSS "
        f"**{r['peak_mb']} MB**; at rest {r['idle_mb']} MB. Peak after each step: {steps}. "
        f"The files are drawn in a short-lived renderer child: its peak "
        f"{r.get('renderer_peak_mb')} MB; the process tree at worst {r.get('tree_peak_mb')} MB.",
        "",
        f"**Cold start** ({c['cells']:,} cells, {c['units']:,} units with 24 months of history; "
        f"median of {c['starts']} starts): from spawning `chibo run` to the first reply "
        f"**{c['first_reply_s']} s** (first getUpdates at {c['first_poll_s']} s; each start: "
        f"{', '.join(f'{x} s' for x in c['each_first_reply_s'])}).",
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
