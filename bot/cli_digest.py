"""`chibo digest` and `chibo export`: the leadership digest and month exports from the CLI.

    chibo digest --at 2026-11-30 [--scope CODE] [--format text|json|xlsx|png|docx] [--output FILE]
    chibo digest --period 2026-H1|2026-Q3|2026 [--at DAY] [--scope CODE]
                 [--format text|json|xlsx|docx]
    chibo export --month 2026-11 [--scope CODE] [--format xlsx|csv] [--output FILE]

A DOCX notice takes its names from the policy file (`notice:`) or from --province,
--bloc, --place, --signer, --signer-title and --number; when one is still missing the
command says which and writes nothing.

The JSON document is described in README ("Leadership digest"). Binary formats
need --output (or are written to a default file name in the current folder). A file
is written whole, readable by its owner only, and an existing one is replaced only
with --force.
"""

from __future__ import annotations

import argparse
import json
from datetime import date
from pathlib import Path
from typing import Any

from bot.cli_common import fail, open_db
from bot.settings import Settings
from domain import notice
from domain.errors import UserInputError
from domain.localtime import local_date
from domain.notice import NoticeHeader
from domain.periods import Month
from domain.policy import Policy
from services import digest as service
from services.clock import SystemClock
from storage.db import Database
from storage.files import write_private


def add_commands(sub: Any) -> None:
    digest = sub.add_parser("digest", help="leadership digest for a day (text, JSON or files)")
    digest.add_argument("--at", help="local day, YYYY-MM-DD (with --period: default today)")
    digest.add_argument(
        "--period", help="a roll-up instead: 2026-H1, 2026-H2, 2026-Q3 or 2026 (the year)"
    )
    digest.add_argument("--scope", help="unit code (default: the bloc)")
    digest.add_argument("--format", default="text", choices=["text", "json", "xlsx", "png", "docx"])
    digest.add_argument("--output", type=Path, help="write to this file instead of stdout")
    digest.add_argument("--force", action="store_true", help="replace OUTPUT if it exists")
    notice = digest.add_argument_group("the DOCX notice (default: the policy file's notice:)")
    notice.add_argument("--number", help="the notice's number: 45 in Số 45-TB/ĐUK")
    notice.add_argument("--province", help="ĐẢNG BỘ TỈNH … (the province's Party committee)")
    notice.add_argument("--bloc", help="ĐẢNG ỦY KHỐI … (the bloc's Party committee)")
    notice.add_argument("--place", help="the place in the date line")
    notice.add_argument("--signer", help="who signs")
    notice.add_argument("--signer-title", help="the signer's title (default: Chánh Văn phòng)")
    digest.set_defaults(func=run_digest)

    export = sub.add_parser("export", help="per-unit statuses of one month (XLSX or CSV)")
    export.add_argument("--month", required=True, help="YYYY-MM")
    export.add_argument("--scope", help="unit code (default: the bloc)")
    export.add_argument("--at", help="as known at the end of this local day (default: today)")
    export.add_argument("--format", default="xlsx", choices=["xlsx", "csv"])
    export.add_argument("--output", type=Path, help="file to write (default: a name in .)")
    export.add_argument("--force", action="store_true", help="replace OUTPUT if it exists")
    export.set_defaults(func=run_export)


def _write(output: Path, data: bytes, *, force: bool) -> str | None:
    """Write the file; a sentence for the user when it was not written."""
    try:
        write_private(output, data, overwrite=force)
    except FileExistsError:
        return f"Tệp {output} đã có. Chọn tên khác (--output), hoặc thêm --force để ghi đè."
    except IsADirectoryError:
        return f"{output} là một thư mục: hãy ghi rõ tên tệp (--output)."
    return None


def _policy(settings: Settings) -> Policy:
    return settings.load_policy()


def _scope(db: Database, code: str | None) -> str:
    return code or service.root_code(db)


def _notice(args: argparse.Namespace, policy: Policy, day: date) -> NoticeHeader | str:
    """The notice's header, or the sentence saying what is missing."""
    overrides = {
        "province": args.province,
        "bloc": args.bloc,
        "place": args.place,
        "signer": args.signer,
        "signer_title": args.signer_title,
    }
    try:
        found = notice.header(policy.notice, day, number=args.number, overrides=overrides)
    except UserInputError as error:
        return str(error)
    missing = notice.missing(found, number_required=True)
    if missing:
        return (
            "Chưa đủ thông tin để lập thông báo, còn thiếu: "
            + "; ".join(f"{what} ({option})" for what, option in missing)
            + ". Khai báo trong tệp chính sách (mục notice) hoặc thêm các tùy chọn trên."
        )
    return found


def run_digest(args: argparse.Namespace, settings: Settings) -> int:
    from messages import digest_chart, digest_files
    from messages.digest_text import digest_summary, listed_units
    from messages.extras_text import extras_dict
    from services.digest_extras import build_extras
    from services.org import unit_labels

    if args.period:
        return run_rollup(args, settings)
    if not args.at:
        return fail("Cần --at YYYY-MM-DD (bản tổng hợp tuần) hoặc --period (sơ kết, tổng kết).")
    try:
        at = date.fromisoformat(args.at)
    except ValueError:
        return fail(f"Ngày {args.at!r} không đúng dạng YYYY-MM-DD.")
    policy = _policy(settings)
    header = _notice(args, policy, at) if args.format == "docx" else None
    if isinstance(header, str):
        return fail(header)
    db = open_db(settings)
    try:
        digest = service.build_digest(db, _scope(db, args.scope), at, policy)
        names = unit_labels(db, listed_units(digest), scope_path=digest.scope.path)
        extras = build_extras(db, digest.scope.code, at, policy)
    except service.ScopeNotFound:
        return fail(f"Không có đơn vị mã {args.scope}.")
    finally:
        db.dispose()
    if args.format in ("text", "json"):
        if args.format == "json":
            document = {**digest.as_dict(), **extras_dict(extras)}
            text = json.dumps(document, ensure_ascii=False, indent=2)
        else:
            text = _plain(
                digest_summary(
                    digest, settings.locale, attachments=False, names=names, extras=extras
                )
            )
        return _print_or_write(text, args)
    if args.format == "xlsx":
        data = digest_files.digest_xlsx(digest, settings.locale, extras)
    elif args.format == "png":
        data = digest_chart.digest_chart_png(digest, settings.locale)
    else:
        assert header is not None
        data = digest_files.digest_docx(digest, header, settings.locale)
    output = args.output or Path(f"{digest_files.file_stem(digest)}.{args.format}")
    return _save(output, data, args, f"Đã ghi {output} ({len(data)} byte).")


def run_rollup(args: argparse.Namespace, settings: Settings) -> int:
    """`chibo digest --period …`: the half-year, quarter or year roll-up."""
    from domain.rollup import parse_rollup_period
    from messages import rollup_files
    from messages.rollup_text import listed_units, rollup_summary
    from services import rollup
    from services.org import unit_labels

    try:
        today = date.fromisoformat(args.at) if args.at else local_date(SystemClock().now())
    except ValueError:
        return fail(f"Ngày {args.at!r} không đúng dạng YYYY-MM-DD.")
    try:
        period = parse_rollup_period(args.period, today)
    except UserInputError as error:
        return fail(str(error))
    if args.format == "png":
        return fail("Sơ kết, tổng kết xuất được dạng text, json, xlsx hoặc docx.")
    policy = _policy(settings)
    day = min(today, period.last_day)
    header = _notice(args, policy, day) if args.format == "docx" else None
    if isinstance(header, str):
        return fail(header)
    db = open_db(settings)
    try:
        found = rollup.build_rollup(db, _scope(db, args.scope), period, day, policy)
        names = unit_labels(db, listed_units(found), scope_path=found.scope.path)
    except service.ScopeNotFound:
        return fail(f"Không có đơn vị mã {args.scope}.")
    finally:
        db.dispose()
    if args.format in ("text", "json"):
        if args.format == "json":
            text = json.dumps(found.as_dict(), ensure_ascii=False, indent=2)
        else:
            text = _plain(rollup_summary(found, settings.locale, names=names, attachments=False))
        return _print_or_write(text, args)
    if args.format == "xlsx":
        data = rollup_files.rollup_xlsx(found, settings.locale, names)
    else:
        assert header is not None
        data = rollup_files.rollup_docx(found, header, settings.locale, names)
    output = args.output or Path(f"{rollup_files.file_stem(found)}.{args.format}")
    return _save(output, data, args, f"Đã ghi {output} ({len(data)} byte).")


def _print_or_write(text: str, args: argparse.Namespace) -> int:
    """A text result: to --output when given, else to the terminal."""
    if args.output:
        return _save(args.output, (text + "\n").encode(), args, None)
    print(text)
    return 0


def _save(output: Path, data: bytes, args: argparse.Namespace, done: str | None) -> int:
    problem = _write(output, data, force=args.force)
    if problem:
        return fail(problem)
    if done:
        print(done)
    return 0


def _plain(html_text: str) -> str:
    """The chat text for a terminal: tags dropped, entities unescaped."""
    import html
    import re

    return html.unescape(re.sub(r"</?[a-z]+[^>]*>", "", html_text))


def run_export(args: argparse.Namespace, settings: Settings) -> int:
    from messages import month_export_files

    try:
        month = Month.parse(args.month)
    except ValueError:
        return fail(f"Tháng {args.month!r} không đúng dạng YYYY-MM.")
    try:
        at = date.fromisoformat(args.at) if args.at else local_date(SystemClock().now())
    except ValueError:
        return fail(f"Ngày {args.at!r} không đúng dạng YYYY-MM-DD.")
    db = open_db(settings)
    try:
        export = service.export_month(db, _scope(db, args.scope), month, at, _policy(settings))
    except service.ScopeNotFound:
        return fail(f"Không có đơn vị mã {args.scope}.")
    finally:
        db.dispose()
    if args.format == "csv":
        data = month_export_files.export_csv(export, settings.locale)
    else:
        data = month_export_files.export_xlsx(export, settings.locale)
    output = args.output or Path(f"chibo-{export.scope.code}-{month.key}.{args.format}")
    return _save(output, data, args, f"Đã ghi {output}: {len(export.rows)} đơn vị, tháng {month}.")
