"""The `chibo` command: database, organisation, invites, and the bot's run modes."""

from __future__ import annotations

import argparse
import json
import logging
import sys
from dataclasses import asdict
from datetime import timedelta
from pathlib import Path

from bot import cli_backup, cli_digest, cli_people, cli_reminders
from bot.settings import Settings
from domain.invite_codes import deep_link, display
from domain.localtime import use_zone
from domain.org import OrgFileError
from domain.roles import Role
from services import invites, org
from services.clock import SystemClock
from storage.db import Database

EXIT_USAGE = 2
CLI_ACTOR = "cli:admin"


def main(argv: list[str] | None = None) -> int:
    args = _parser().parse_args(argv)
    logging.basicConfig(
        level=logging.INFO, format="%(asctime)s %(levelname)s %(name)s: %(message)s"
    )
    settings = Settings()
    use_zone(settings.timezone)
    settings.ensure_sqlite_dir()
    return int(args.func(args, settings) or 0)


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="chibo", description="Chi bộ bot")
    sub = parser.add_subparsers(required=True, metavar="COMMAND")

    db = sub.add_parser("db", help="database schema").add_subparsers(required=True)
    up = db.add_parser("upgrade", help="apply migrations")
    up.add_argument("revision", nargs="?", default="head")
    up.set_defaults(func=_db_upgrade)

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

    inv = sub.add_parser("invite", help="invite codes").add_subparsers(required=True)
    create = inv.add_parser("create", help="create a one-time invite code")
    create.add_argument("--role", required=True, choices=[r.value for r in Role])
    create.add_argument("--unit", required=True)
    create.set_defaults(func=_invite_create)
    inv.add_parser("list", help="list invites").set_defaults(func=_invite_list)
    revoke = inv.add_parser("revoke", help="revoke an open invite")
    revoke.add_argument("id", type=int)
    revoke.set_defaults(func=_invite_revoke)

    run = sub.add_parser("run", help="run the bot (long polling, or --webhook)")
    run.add_argument(
        "--webhook",
        action="store_true",
        help="serve Telegram's webhook (WEBHOOK_URL, WEBHOOK_SECRET, WEBHOOK_LISTEN, WEBHOOK_PORT)",
    )
    run.set_defaults(func=_run)
    sandbox = sub.add_parser("sandbox", help="chat with the bot in this terminal, no Telegram")
    sandbox.add_argument("--db", default="var/sandbox.sqlite3", help="sandbox database file")
    sandbox.set_defaults(func=_sandbox)
    cli_backup.add_commands(sub)
    cli_people.add_commands(sub)
    cli_digest.add_commands(sub)
    cli_reminders.add_commands(sub)
    return parser


def _db(settings: Settings) -> Database:
    return Database(settings.database_url)


def _fail(message: str) -> int:
    print(message, file=sys.stderr)
    return EXIT_USAGE


def _db_upgrade(args: argparse.Namespace, settings: Settings) -> int:
    from storage import migrate  # Alembic: a fifth of a second that `chibo run` need not pay

    migrate.upgrade(settings.database_url, args.revision)
    print(f"Cơ sở dữ liệu đã ở phiên bản {args.revision}.")
    return 0


def _org_import(args: argparse.Namespace, settings: Settings) -> int:
    try:
        text = args.file.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as error:
        return _fail(f"Không đọc được tệp {args.file}: {error}")
    try:
        result = org.import_org(_db(settings), text, now=SystemClock().now(), actor=CLI_ACTOR)
    except OrgFileError as error:
        return _fail(f"Tệp {args.file} có lỗi, chưa ghi gì vào cơ sở dữ liệu:\n{error}")
    print(
        f"Đã nhập: {result.created} mới, {result.updated} cập nhật, "
        f"{result.unchanged} không đổi. Tổng số đơn vị: {result.total_units}."
    )
    return 0


def _org_show(args: argparse.Namespace, settings: Settings) -> int:
    try:
        units = org.list_subtree(_db(settings), args.code)
    except LookupError:
        return _fail(f"Không có đơn vị mã {args.code}.")
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
        return _fail(f"Không đọc được tệp {args.file}: {error}")
    try:
        result = import_activity(
            _db(settings), text, now=SystemClock().now(), policy=settings.load_policy()
        )
    except ActivityFileError as error:
        return _fail(f"Tệp {args.file} có lỗi, chưa ghi gì vào cơ sở dữ liệu:\n{error}")
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


def _invite_create(args: argparse.Namespace, settings: Settings) -> int:
    try:
        created = invites.create_invite(
            _db(settings),
            role=Role(args.role),
            unit_code=args.unit,
            now=SystemClock().now(),
            ttl=timedelta(days=settings.invite_ttl_days),
            actor=CLI_ACTOR,
        )
    except LookupError:
        return _fail(f"Không có đơn vị mã {args.unit}.")
    print(f"Mã mời #{created.id} ({created.role.value}, {created.unit_code} — {created.unit_name})")
    print(f"Mã: {display(created.code)}")
    print(f"Liên kết: {deep_link(settings.bot_username, created.code)}")
    print(f"Hết hạn: {created.expires_at.astimezone(settings.tz):%H:%M %d/%m/%Y}")
    return 0


def _invite_list(args: argparse.Namespace, settings: Settings) -> int:
    for i in invites.list_invites(_db(settings), now=SystemClock().now()):
        expires = i.expires_at.astimezone(settings.tz)
        print(f"#{i.id}\t…{i.hint}\t{i.role.value}\t{i.unit_code}\t{i.state}\t{expires:%d/%m/%Y}")
    return 0


def _invite_revoke(args: argparse.Namespace, settings: Settings) -> int:
    if not invites.revoke_invite(_db(settings), args.id, now=SystemClock().now(), actor=CLI_ACTOR):
        return _fail(f"Mã mời #{args.id} không tồn tại hoặc không còn hiệu lực.")
    print(f"Đã thu hồi mã mời #{args.id}.")
    return 0


def _run(args: argparse.Namespace, settings: Settings) -> int:
    from bot.run import run_polling, run_webhook, webhook_problem

    if not settings.telegram_bot_token:
        return _fail(
            "Chưa có TELEGRAM_BOT_TOKEN. Đặt biến môi trường này (hoặc trong tệp .env), "
            "hoặc chạy `chibo sandbox` để thử bot ngay trong cửa sổ dòng lệnh."
        )
    if args.webhook:
        problem = webhook_problem(settings)
        return _fail(problem) if problem else run_webhook(settings)
    return run_polling(settings)


def _sandbox(args: argparse.Namespace, settings: Settings) -> int:
    from bot.sandbox import run_sandbox

    return run_sandbox(settings, Path(args.db))


if __name__ == "__main__":
    sys.exit(main())
