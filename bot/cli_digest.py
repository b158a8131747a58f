"""`chibo digest` and `chibo export`: the leadership digest and month exports from the CLI.

    chibo digest --at 2026-11-30 [--scope CODE] [--format text|json|xlsx|png|docx] [--output FILE]
    chibo export --month 2026-11 [--scope CODE] [--format xlsx|csv] [--output FILE]

The JSON document is described in README ("Leadership digest"). Binary formats
need --output (or are written to a default file name in the current folder). A file
is written whole, readable by its owner only, and an existing one is replaced only
with --force.
"""

from __future__ import annotations

import argparse
import json
import sys
from datetime import date
from pathlib import Path
from typing import Any

from bot.settings import Settings
from domain.localtime import local_date
from domain.periods import Month
from services import digest as service
from services.clock import SystemClock
from storage.db import Database
from storage.files import write_private

EXIT_USAGE = 2


def add_commands(sub: Any) -> None:
    digest = sub.add_parser("digest", help="leadership digest for a day (text, JSON or files)")
    digest.add_argument("--at", required=True, help="local day, YYYY-MM-DD")
    digest.add_argument("--scope", help="unit code (default: the bloc)")
    digest.add_argument("--format", default="text", choices=["text", "json", "xlsx", "png", "docx"])
    digest.add_argument("--output", type=Path, help="write to this file instead of stdout")
    digest.add_argument("--force", action="store_true", help="replace OUTPUT if it exists")
    digest.set_defaults(func=run_digest)

    export = sub.add_parser("export", help="per-unit statuses of one month (XLSX or CSV)")
    export.add_argument("--month", required=True, help="YYYY-MM")
    export.add_argument("--scope", help="unit code (default: the bloc)")
    export.add_argument("--at", help="as known at the end of this local day (default: today)")
    export.add_argument("--format", default="xlsx", choices=["xlsx", "csv"])
    export.add_argument("--output", type=Path, help="file to write (default: a name in .)")
    export.add_argument("--force", action="store_true", help="replace OUTPUT if it exists")
    export.set_defaults(func=run_export)


def _fail(message: str) -> int:
    print(message, file=sys.stderr)
    return EXIT_USAGE


def _write(output: Path, data: bytes, *, force: bool) -> str | None:
    """Write the file; a sentence for the user when it was not written."""
    try:
        write_private(output, data, overwrite=force)
    except FileExistsError:
        return f"Tệp {output} đã có. Chọn tên khác (--output), hoặc thêm --force để ghi đè."
    except IsADirectoryError:
        return f"{output} là một thư mục: hãy ghi rõ tên tệp (--output)."
    return None


def _policy(settings: Settings):  # type: ignore[no-untyped-def]
    return settings.load_policy()


def _scope(db: Database, code: str | None) -> str:
    return code or service.root_code(db)


def run_digest(args: argparse.Namespace, settings: Settings) -> int:
    from messages.digest_text import digest_summary, listed_units
    from services import digest_files
    from services.digest_extras import build_extras
    from services.org import unit_labels

    try:
        at = date.fromisoformat(args.at)
    except ValueError:
        return _fail(f"Ngày {args.at!r} không đúng dạng YYYY-MM-DD.")
    db = Database(settings.database_url)
    try:
        policy = _policy(settings)
        digest = service.build_digest(db, _scope(db, args.scope), at, policy)
        names = unit_labels(db, listed_units(digest), scope_path=digest.scope.path)
        extras = build_extras(db, digest.scope.code, at, policy)
    except service.ScopeNotFound:
        return _fail(f"Không có đơn vị mã {args.scope}.")
    finally:
        db.dispose()
    if args.format in ("text", "json"):
        if args.format == "json":
            document = {**digest.as_dict(), **extras.as_dict()}
            text = json.dumps(document, ensure_ascii=False, indent=2)
        else:
            text = _plain(
                digest_summary(
                    digest, settings.locale, attachments=False, names=names, extras=extras
                )
            )
        if args.output:
            problem = _write(args.output, (text + "\n").encode(), force=args.force)
            return _fail(problem) if problem else 0
        print(text)
        return 0
    if args.format == "xlsx":
        data = digest_files.digest_xlsx(digest, settings.locale, extras)
    elif args.format == "png":
        data = digest_files.digest_chart_png(digest, settings.locale)
    else:
        data = digest_files.digest_docx(
            digest, settings.locale, issuer=service.root_name(Database(settings.database_url))
        )
    output = args.output or Path(f"{digest_files.file_stem(digest)}.{args.format}")
    problem = _write(output, data, force=args.force)
    if problem:
        return _fail(problem)
    print(f"Đã ghi {output} ({len(data)} byte).")
    return 0


def _plain(html_text: str) -> str:
    """The chat text for a terminal: tags dropped, entities unescaped."""
    import html
    import re

    return html.unescape(re.sub(r"</?[a-z]+[^>]*>", "", html_text))


def run_export(args: argparse.Namespace, settings: Settings) -> int:
    from services import digest_files

    try:
        month = Month.parse(args.month)
    except ValueError:
        return _fail(f"Tháng {args.month!r} không đúng dạng YYYY-MM.")
    try:
        at = date.fromisoformat(args.at) if args.at else local_date(SystemClock().now())
    except ValueError:
        return _fail(f"Ngày {args.at!r} không đúng dạng YYYY-MM-DD.")
    db = Database(settings.database_url)
    try:
        export = service.export_month(db, _scope(db, args.scope), month, at, _policy(settings))
    except service.ScopeNotFound:
        return _fail(f"Không có đơn vị mã {args.scope}.")
    finally:
        db.dispose()
    if args.format == "csv":
        data = digest_files.export_csv(export, settings.locale)
    else:
        data = digest_files.export_xlsx(export, settings.locale)
    output = args.output or Path(f"chibo-{export.scope.code}-{month.key}.{args.format}")
    problem = _write(output, data, force=args.force)
    if problem:
        return _fail(problem)
    print(f"Đã ghi {output}: {len(export.rows)} đơn vị, tháng {month}.")
    return 0
