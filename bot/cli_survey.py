"""`chibo survey`: open a quarter's member surveys, and read their results.

    chibo survey open [--quarter 2026-Q4] [--closes YYYY-MM-DD] [--out links.csv] [--force]
    chibo survey results [--quarter 2026-Q4] [--scope CODE | --unit CODE] [--format text|json]
                         [--at YYYY-MM-DD]

Results follow the bot's rule: averages and comments only for a survey that has
closed with at least `min_responses` answers; otherwise counts only.
"""

from __future__ import annotations

import argparse
import csv
import io
import json
import sys
from datetime import date
from pathlib import Path
from typing import Any

from bot.cli_common import fail, open_db
from bot.settings import Settings
from domain.localtime import local_date
from domain.periods import Quarter, parse_period_key
from domain.survey import format_score
from domain.survey_results import CellSurvey, SurveyRef, SurveySection
from messages.extras_text import survey_dict
from services import digest as digest_service
from services import surveys
from services.clock import SystemClock
from storage.files import write_private


def add_commands(sub: Any) -> None:
    cmd = sub.add_parser("survey", help="member surveys").add_subparsers(required=True)
    opened = cmd.add_parser("open", help="open a quarter's survey for every cell, print links")
    opened.add_argument("--quarter", help="YYYY-Qn (default: the quarter open now, or this one)")
    opened.add_argument("--closes", help="last day answers are taken, YYYY-MM-DD")
    opened.add_argument("--out", type=Path, help="the links as CSV (unit, quarter, link)")
    opened.add_argument("--force", action="store_true", help="replace OUT if it exists")
    opened.set_defaults(func=run_open)
    results = cmd.add_parser("results", help="a quarter's results (only where allowed)")
    results.add_argument("--quarter", help="YYYY-Qn (default: the latest opened)")
    where = results.add_mutually_exclusive_group()
    where.add_argument("--scope", help="unit code of a bloc, cluster or base committee")
    where.add_argument("--unit", help="one cell's code (its comments too)")
    results.add_argument("--format", default="text", choices=["text", "json"])
    results.add_argument(
        "--at", help="as of the end of this local day, YYYY-MM-DD (default: today)"
    )
    results.set_defaults(func=run_results)


def _quarter(text: str | None) -> Quarter | None:
    if text is None:
        return None
    try:
        period = parse_period_key(text)
    except ValueError:
        period = None
    if not isinstance(period, Quarter):
        raise ValueError(text)
    return period


def run_open(args: argparse.Namespace, settings: Settings) -> int:
    from bot.cli_invites import username_or_warn

    policy = settings.load_policy()
    now = SystemClock().now()
    today = local_date(now)
    try:
        quarter = _quarter(args.quarter) or policy.survey.open_quarter(today) or Quarter.of(today)
    except ValueError:
        return fail(f"--quarter phải có dạng YYYY-Qn, ví dụ 2026-Q4: {args.quarter!r}")
    closes: date | None = None
    if args.closes:
        try:
            closes = date.fromisoformat(args.closes)
        except ValueError:
            return fail(f"--closes phải có dạng YYYY-MM-DD: {args.closes!r}")
        if closes < today:
            return fail(f"Ngày đóng {closes:%d/%m/%Y} đã qua.")
    db = open_db(settings)
    try:
        opened = surveys.open_surveys(db, quarter, now=now, policy=policy, closes_on=closes)
    finally:
        db.dispose()
    if not opened:
        return fail("Không có chi bộ nào đang hoạt động để mở phiếu khảo sát.")
    first = min(s.opens_on for s in opened)
    last = max(s.closes_on for s in opened)
    print(
        f"Phiếu khảo sát {quarter} của {len(opened)} chi bộ: nhận trả lời từ {first:%d/%m/%Y} "
        f"đến hết {last:%d/%m/%Y}."
    )
    if not settings.survey_key:
        print(
            "(Chưa đặt SURVEY_KEY: đảng viên chưa trả lời được cho đến khi đặt.)", file=sys.stderr
        )
    if args.out:
        username = username_or_warn(settings)
        data = _links_csv(opened, username)
        try:
            write_private(args.out, data, overwrite=args.force)
        except FileExistsError:
            return fail(f"Tệp {args.out} đã có. Chọn tên khác, hoặc thêm --force để ghi đè.")
        print(f"Đã ghi đường link vào {args.out}.")
    return 0


def _links_csv(opened: list[SurveyRef], username: str | None) -> bytes:
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    writer.writerow(["unit_code", "quarter", "opens_on", "closes_on", "link"])
    for s in opened:
        link = f"https://t.me/{username}?start={s.link_argument}" if username else s.link_argument
        writer.writerow(
            [s.unit_code, s.quarter.key, s.opens_on.isoformat(), s.closes_on.isoformat(), link]
        )
    return ("\ufeff" + buffer.getvalue()).encode("utf-8")


def run_results(args: argparse.Namespace, settings: Settings) -> int:
    policy = settings.load_policy()
    try:
        today = date.fromisoformat(args.at) if args.at else local_date(SystemClock().now())
    except ValueError:
        return fail(f"--at phải có dạng YYYY-MM-DD: {args.at!r}")
    try:
        wanted = _quarter(args.quarter)
    except ValueError:
        return fail(f"--quarter phải có dạng YYYY-Qn, ví dụ 2026-Q4: {args.quarter!r}")
    db = open_db(settings)
    try:
        code = args.unit or args.scope or digest_service.root_code(db)
        path = digest_service.unit_path(db, code.upper())
        if path is None:
            return fail(f"Không có đơn vị mã {code}.")
        quarter = wanted or surveys.latest_opened(db, path, today)
        if quarter is None:
            return fail(f"Chưa có phiếu khảo sát nào trong phạm vi {code}.")
        if args.unit:
            found = surveys.cell_surveys(
                db, scope_path=path, quarter=quarter, today=today, policy=policy,
                unit_code=code.upper(),
            )  # fmt: skip
            if not found:
                return fail(f"Chi bộ {code} không có phiếu khảo sát {quarter}.")
            print(_cell_json(found[0]) if args.format == "json" else _cell_text(found[0], policy))
            return 0
        section = surveys.section(db, path, today, policy, quarter)
    finally:
        db.dispose()
    if section is None:
        return fail(f"Chưa có phiếu khảo sát {quarter} nào trong phạm vi {code}.")
    if args.format == "json":
        print(json.dumps(survey_dict(section), ensure_ascii=False, indent=2))
        return 0
    print(_section_text(section))
    return 0


def _cell_json(c: CellSurvey) -> str:
    result = c.result
    return json.dumps(
        {
            "unit": c.survey.unit_code,
            "quarter": c.survey.quarter.key,
            "closed": c.closed,
            "members": c.members,
            "responses": c.responses,
            "averages": [float(a) for a in result.averages] if result else None,
            "average": float(result.overall) if result else None,
            "comments": list(result.comments) if result else None,
        },
        ensure_ascii=False,
        indent=2,
    )


def _cell_text(c: CellSurvey, policy: Any) -> str:
    lines = [
        f"{c.unit.name} ({c.survey.unit_code}) — phiếu khảo sát {c.survey.quarter}",
        f"Số phiếu: {c.responses}" + (f" / {c.members} đảng viên" if c.members else ""),
    ]
    if not c.closed:
        lines.append(f"Phiếu đang mở đến hết {c.survey.closes_on:%d/%m/%Y}: chưa có kết quả.")
    elif c.result is None:
        lines.append(f"Chưa đủ {policy.survey.min_responses} phiếu: kết quả không được hiển thị.")
    else:
        lines.append(f"Điểm bình quân: {format_score(c.result.overall)}/5")
        for i, (q, a) in enumerate(zip(c.survey.questions, c.result.averages, strict=True), 1):
            lines.append(f"  {i}. {q.text_vi}: {format_score(a)}")
        if c.result.comments:
            lines.append("Góp ý (không kèm tên):")
            lines.extend(f"  • {comment}" for comment in c.result.comments)
    return "\n".join(lines)


def _section_text(s: SurveySection) -> str:
    state = "đã đóng" if s.closed else f"đang mở đến hết {s.closes_on:%d/%m/%Y}"
    lines = [
        f"Phiếu khảo sát {s.quarter} ({state})",
        f"Chi bộ có phiếu: {s.responded}/{len(s.cells)}; số phiếu: {s.responses}"
        + (f" / {s.members} đảng viên" if s.members else ""),
    ]
    if s.closed:
        lines.append(
            f"Có kết quả (từ {s.min_responses} phiếu): {len(s.with_results)} chi bộ; "
            f"chưa đủ phiếu: {len(s.too_few)}"
        )
        if s.overall is not None and s.averages is not None:
            lines.append(f"Điểm bình quân: {format_score(s.overall)}/5")
            for i, (q, a) in enumerate(zip(s.questions, s.averages, strict=True), 1):
                lines.append(f"  {i}. {q.text_vi}: {format_score(a)}")
        if s.below_members:
            lines.append("Tự đánh giá cao hơn ý kiến đảng viên:")
            lines.extend(f"  • {c.unit.name} ({c.survey.unit_code})" for c in s.below_members)
    lines.append("")
    lines.append("Mã\tĐảng viên\tSố phiếu\tBình quân")
    for c in s.cells:
        average = format_score(c.result.overall) if c.result else "—"
        lines.append(f"{c.survey.unit_code}\t{c.members or '—'}\t{c.responses}\t{average}")
    return "\n".join(lines)
