"""The `chibo` command: database, organisation, invites, and the bot's run modes."""

from __future__ import annotations

import argparse
import json
import logging
import sys
from dataclasses import asdict
from pathlib import Path

from pydantic import ValidationError
from sqlalchemy.engine import make_url
from sqlalchemy.exc import DBAPIError, OperationalError, SQLAlchemyError

from bot import (
    cli_backup,
    cli_digest,
    cli_duties,
    cli_grade,
    cli_invites,
    cli_ledger,
    cli_people,
    cli_reminders,
    cli_survey,
    logs,
)
from bot.cli_common import CLI_ACTOR, fail, open_db
from bot.settings import Settings
from domain.localtime import use_zone
from domain.org import OrgFileError
from services import org
from services.clock import SystemClock
from storage import schema_version
from storage.db import Database

log = logging.getLogger(__name__)


def main(argv: list[str] | None = None) -> int:
    args = _parser().parse_args(argv)
    redactor = logs.configure()
    # `chibo db upgrade` says what it applied in one line of its own.
    logging.getLogger("alembic").setLevel(logging.WARNING)
    try:
        settings = Settings()
    except ValidationError as error:
        wrong = ", ".join(str(e["loc"][0]).upper() for e in error.errors() if e["loc"])
        return fail(f"Cấu hình không hợp lệ ({wrong}): xem bảng Configuration trong README.")
    redactor.add_secrets(
        [settings.telegram_bot_token, settings.webhook_secret, settings.survey_key]
    )
    use_zone(settings.timezone)
    # What the admin can fix gets one sentence and exit 2; the transaction that was
    # open rolled back, so nothing was written.
    try:
        settings.ensure_sqlite_dir()
        if args.needs_schema and (problem := schema_problem(settings.database_url)):
            return fail(problem)
        return int(args.func(args, settings) or 0)
    except OSError as error:  # a folder given for a file, a read-only place
        where = f" {error.filename}" if error.filename else ""
        return fail(f"Không đọc hoặc ghi được{where}: {error.strerror or error}. Chưa ghi gì.")
    except OperationalError as error:  # a read-only database file, a missing folder
        log.debug("database error", exc_info=True)
        if "no such table" in str(error.orig):
            return fail("Cơ sở dữ liệu chưa có bảng: chạy `chibo db upgrade` trước.")
        return fail(
            f"Không mở hoặc ghi được cơ sở dữ liệu ({error.orig}). Kiểm tra DATABASE_URL và "
            "quyền ghi tệp; chưa ghi gì."
        )


def schema_problem(url: str) -> str | None:
    """Why the commands cannot use this database yet (one sentence), or None."""
    db = Database(url)
    try:
        with db.engine.connect():
            pass
        current = schema_version.current(db)
    except SQLAlchemyError as error:
        reason = str(error.orig if isinstance(error, DBAPIError) else error).strip()
        return f"Không mở được cơ sở dữ liệu ({_safe_url(url)}): {reason.splitlines()[0]}"
    finally:
        db.dispose()
    if current is None:
        return (
            f"Cơ sở dữ liệu {_safe_url(url)} chưa được tạo bảng nào: chạy `chibo db upgrade` trước."
        )
    if current != schema_version.HEAD:
        return (
            f"Cơ sở dữ liệu đang ở phiên bản {current}, bản này cần {schema_version.HEAD}: "
            "chạy `chibo db upgrade` trước."
        )
    return None


def _safe_url(url: str) -> str:
    return make_url(url).render_as_string(hide_password=True)


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="chibo", description="Chi bộ bot")
    # Every command but these needs a migrated database (checked before it runs).
    parser.set_defaults(needs_schema=True)
    sub = parser.add_subparsers(required=True, metavar="COMMAND")

    db = sub.add_parser("db", help="database schema").add_subparsers(required=True)
    up = db.add_parser("upgrade", help="apply migrations")
    up.add_argument("revision", nargs="?", default="head")
    up.set_defaults(func=_db_upgrade, needs_schema=False)

    org_cmd = sub.add_parser("org", help="organisation tree").add_subparsers(required=True)
    imp = org_cmd.add_parser("import", help="import units from CSV (code,name,kind,parent,members)")
    imp.add_argument("file", type=Path)
    imp.set_defaults(func=_org_import)
    show = org_cmd.add_parser("show", help="show the tree or one subtree")
    show.add_argument("code", nargs="?")
    show.add_argument("--json", action="store_true")
    show.set_defaults(func=_org_show)

    activity = sub.add_parser("activity", help="past meetings and reports").add_subparsers(
        required=True
    )
    act_imp = activity.add_parser("import", help="import past activity from CSV (see README)")
    act_imp.add_argument("file", type=Path)
    act_imp.set_defaults(func=_activity_import)

    demo = sub.add_parser("demo", help="the demo bloc").add_subparsers(required=True)
    demo.add_parser(
        "load", help="load the demo bloc (289 units) into an empty database"
    ).set_defaults(func=_demo_load)

    cli_invites.add_commands(sub)

    run = sub.add_parser("run", help="run the bot (long polling, or --webhook)")
    run.add_argument(
        "--webhook",
        action="store_true",
        help="serve Telegram's webhook (WEBHOOK_URL, WEBHOOK_SECRET, WEBHOOK_LISTEN, WEBHOOK_PORT)",
    )
    run.set_defaults(func=_run)
    sandbox = sub.add_parser("sandbox", help="chat with the bot in this terminal, no Telegram")
    sandbox.add_argument(
        "--db",
        type=Path,
        help="keep the sandbox database in this new file (default: a temporary file); "
        "an existing file is replaced only if an earlier sandbox created it",
    )
    sandbox.set_defaults(func=_sandbox, needs_schema=False)
    cli_backup.add_commands(sub)
    cli_people.add_commands(sub)
    cli_digest.add_commands(sub)
    cli_duties.add_commands(sub)
    cli_ledger.add_commands(sub)
    cli_reminders.add_commands(sub)
    cli_survey.add_commands(sub)
    cli_grade.add_commands(sub)
    return parser


def _db_upgrade(args: argparse.Namespace, settings: Settings) -> int:
    from storage import migrate  # Alembic: a fifth of a second that `chibo run` need not pay

    try:
        applied = migrate.upgrade(settings.database_url, args.revision)
    except SQLAlchemyError as error:
        reason = str(error.orig if isinstance(error, DBAPIError) else error).strip()
        return fail(f"Không cập nhật được cơ sở dữ liệu: {reason.splitlines()[0]}")
    current = migrate.current_revision(settings.database_url)
    where = _safe_url(settings.database_url)
    if not applied:
        print(f"Cơ sở dữ liệu {where} đã ở phiên bản mới nhất ({current}): không có gì để áp dụng.")
        return 0
    print(f"Đã áp dụng {len(applied)} bản cập nhật cho {where}:")
    for step in applied:
        print(f"  {step.revision}: {step.doc}")
    print(f"Cơ sở dữ liệu đang ở phiên bản {current}.")
    return 0


def _org_import(args: argparse.Namespace, settings: Settings) -> int:
    try:
        text = args.file.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as error:
        return fail(f"Không đọc được tệp {args.file}: {error}")
    try:
        result = org.import_org(
            open_db(settings),
            text,
            now=SystemClock().now(),
            actor=CLI_ACTOR,
            policy=settings.load_policy(),
        )
    except OrgFileError as error:
        return fail(f"Tệp {args.file} có lỗi, chưa ghi gì vào cơ sở dữ liệu:\n{error}")
    print(
        f"Đã nhập: {result.created} mới, {result.updated} cập nhật, "
        f"{result.unchanged} không đổi. Tổng số đơn vị: {result.total_units}."
    )
    return 0


def _demo_load(args: argparse.Namespace, settings: Settings) -> int:
    from bot.sandbox import DEMO_ORG

    try:
        result = org.load_demo(
            open_db(settings),
            DEMO_ORG.read_text(encoding="utf-8"),
            now=SystemClock().now(),
            policy=settings.load_policy(),
        )
    except org.RealDataPresent as error:
        return fail(
            f"Cơ sở dữ liệu này đã có dữ liệu thật ({error.people} người dùng, "
            f"{error.own_units} đơn vị ngoài bộ mẫu), nên không nạp dữ liệu mẫu: đơn vị mẫu "
            "sẽ lẫn vào báo cáo thật. Hãy dùng một cơ sở dữ liệu trống (DATABASE_URL), "
            "hoặc `chibo sandbox` để thử."
        )
    print(
        f"Đã nạp bộ đơn vị mẫu: {result.created} mới, {result.unchanged} đã có. "
        f"Tạo mã mời để thử, ví dụ: chibo invite create --role secretary --unit VPUBND-01"
    )
    return 0


def _org_show(args: argparse.Namespace, settings: Settings) -> int:
    try:
        units = org.list_subtree(open_db(settings), args.code)
    except LookupError:
        return fail(f"Không có đơn vị mã {args.code}.")
    if args.json:
        print(json.dumps([asdict(u) for u in units], ensure_ascii=False, indent=2))
        return 0
    for u in units:
        members = f" — {u.members} đảng viên" if u.members is not None else ""
        print(f"{'  ' * u.depth}{u.code}  {u.name} [{u.kind}]{members}")
    return 0


def _activity_import(args: argparse.Namespace, settings: Settings) -> int:
    from domain.activity_csv import ActivityFileError
    from services.activity_import import import_activity

    try:
        text = args.file.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as error:
        return fail(f"Không đọc được tệp {args.file}: {error}")
    try:
        result = import_activity(
            open_db(settings), text, now=SystemClock().now(), policy=settings.load_policy()
        )
    except ActivityFileError as error:
        return fail(f"Tệp {args.file} có lỗi, chưa ghi gì vào cơ sở dữ liệu:\n{error}")
    print(f"Đã nhập {result.meeting_rows} dòng cuộc họp, {result.report_rows} dòng báo cáo.")
    for label, c in (
        ("Lịch sinh hoạt", result.schedules),
        ("Kết quả sinh hoạt", result.records),
        ("Đánh giá chất lượng", result.ratings),
        ("Báo cáo", result.reports),
    ):
        deleted = f", {c.deleted} xóa" if c.deleted else ""
        print(f"{label}: {c.created} mới, {c.updated} cập nhật, {c.unchanged} không đổi{deleted}.")
    return 0


def _run(args: argparse.Namespace, settings: Settings) -> int:
    from bot.run import run_polling, run_webhook, webhook_problem

    if not settings.telegram_bot_token:
        return fail(
            "Chưa có TELEGRAM_BOT_TOKEN. Đặt biến môi trường này (hoặc trong tệp .env), "
            "hoặc chạy `chibo sandbox` để thử bot ngay trong cửa sổ dòng lệnh."
        )
    if args.webhook:
        problem = webhook_problem(settings)
        return fail(problem) if problem else run_webhook(settings)
    return run_polling(settings)


def _sandbox(args: argparse.Namespace, settings: Settings) -> int:
    from bot.sandbox import run_sandbox

    return run_sandbox(settings, args.db)


if __name__ == "__main__":
    sys.exit(main())
