"""`chibo grade preview`: the year-end preview of every organisation, for the office.

    chibo grade preview --year 2026 [--scope CODE] [--format text|json|xlsx]
                        [--at YYYY-MM-DD] [--output FILE] [--force]

The same preview leadership gets with /grade (from the policy's preview month on);
the office may run it at any time. JSON: `chibo.grade_preview/1` (README).
"""

from __future__ import annotations

import argparse
import html
import json
import re
import sys
from datetime import date, time
from pathlib import Path
from typing import Any

from bot.cli_common import fail, open_db
from bot.settings import Settings
from domain.localtime import at_local
from messages.grade_text import as_dict, preview_text
from services import digest as digest_service
from services import grading
from services.clock import SystemClock
from storage.files import write_private


def add_commands(sub: Any) -> None:
    cmd = sub.add_parser("grade", help="year-end grading").add_subparsers(required=True)
    preview = cmd.add_parser("preview", help="every organisation's preview grade for a year")
    preview.add_argument("--year", type=int, required=True)
    preview.add_argument("--scope", help="unit code (default: the bloc)")
    preview.add_argument("--at", help="as of the end of this local day (default: today)")
    preview.add_argument("--format", default="text", choices=["text", "json", "xlsx"])
    preview.add_argument("--output", type=Path, help="write to this file instead of stdout")
    preview.add_argument("--force", action="store_true", help="replace OUTPUT if it exists")
    preview.set_defaults(func=run_preview)


def run_preview(args: argparse.Namespace, settings: Settings) -> int:
    from messages.year_files import preview_xlsx

    now = SystemClock().now()
    if args.at:
        try:
            now = at_local(date.fromisoformat(args.at), time(23, 59))
        except ValueError:
            return fail(f"--at phải có dạng YYYY-MM-DD: {args.at!r}")
    db = open_db(settings)
    try:
        scope = (args.scope or digest_service.root_code(db)).upper()
        found = grading.preview(db, scope, args.year, now=now, policy=settings.load_policy())
    except grading.YearNotStarted:
        return fail(f"Năm {args.year} chưa bắt đầu: chưa có gì để dự kiến.")
    except (LookupError, digest_service.ScopeNotFound):
        return fail(f"Không có đơn vị mã {args.scope}.")
    finally:
        db.dispose()
    if args.format == "xlsx":
        data = preview_xlsx(found, settings.locale)
        output = args.output or Path(f"xep-loai-{found.scope_code}-{found.year}.xlsx")
    elif args.format == "json":
        data = (json.dumps(as_dict(found), ensure_ascii=False, indent=2) + "\n").encode()
        output = args.output
    else:
        text = preview_text(found, settings.locale, cap=10_000)
        data = (_plain(text) + "\n").encode()
        output = args.output
    if output is None:
        sys.stdout.write(data.decode())
        return 0
    try:
        write_private(output, data, overwrite=args.force)
    except FileExistsError:
        return fail(f"Tệp {output} đã có. Chọn tên khác (--output), hoặc thêm --force để ghi đè.")
    except IsADirectoryError:
        return fail(f"{output} là một thư mục: hãy ghi rõ tên tệp (--output).")
    print(f"Đã ghi {output} ({len(data)} byte).")
    return 0


def _plain(html_text: str) -> str:
    return html.unescape(re.sub(r"</?[a-z]+[^>]*>", "", html_text))
