"""`chibo invite`: one-time invite codes for a unit, or for every unit without its
role holder (as CSV and a printable DOCX sheet); list and revoke them."""

from __future__ import annotations

import argparse
import sys
from datetime import timedelta
from pathlib import Path
from typing import Any

from bot.cli_common import CLI_ACTOR, fail, open_db
from bot.identity import IdentityError, bot_username
from bot.settings import Settings
from domain.invite_codes import deep_link, display
from domain.roles import Role
from messages import invite_sheet
from services import invites
from services.clock import SystemClock


def add_commands(sub: Any) -> None:
    inv = sub.add_parser("invite", help="invite codes").add_subparsers(required=True)
    create = inv.add_parser(
        "create", help="one-time invite codes: for one unit, or for every unit without one"
    )
    create.add_argument("--role", choices=[r.value for r in Role], default=None)
    target = create.add_mutually_exclusive_group(required=True)
    target.add_argument("--unit", help="the unit's code")
    target.add_argument(
        "--all-unbound",
        action="store_true",
        help="every unit where nobody holds the role yet (default role: secretary)",
    )
    create.add_argument("--out", type=Path, help="with --all-unbound: the codes as CSV")
    create.add_argument("--sheet", type=Path, help="with --all-unbound: a printable DOCX sheet")
    create.set_defaults(func=_invite_create)
    inv.add_parser("list", help="list invites").set_defaults(func=_invite_list)
    revoke = inv.add_parser("revoke", help="revoke an open invite")
    revoke.add_argument("id", type=int)
    revoke.set_defaults(func=_invite_revoke)


def _invite_create(args: argparse.Namespace, settings: Settings) -> int:
    if args.all_unbound:
        return _invite_all_unbound(args, settings)
    if args.role is None:
        return fail("Cần --role (secretary, deputy, cluster_officer, leader, admin).")
    if args.out or args.sheet:
        return fail("--out và --sheet chỉ dùng với --all-unbound.")
    try:
        created = invites.create_invite(
            open_db(settings),
            role=Role(args.role),
            unit_code=args.unit,
            now=SystemClock().now(),
            ttl=timedelta(days=settings.invite_ttl_days),
            actor=CLI_ACTOR,
        )
    except LookupError:
        return fail(f"Không có đơn vị mã {args.unit}.")
    username = username_or_warn(settings)
    print(f"Mã mời #{created.id} ({created.role.value}, {created.unit_code} — {created.unit_name})")
    print(f"Mã: {display(created.code)}")
    if username:
        print(f"Liên kết: {deep_link(username, created.code)}")
    print(f"Hết hạn: {created.expires_at.astimezone(settings.tz):%H:%M %d/%m/%Y}")
    return 0


def username_or_warn(settings: Settings) -> str | None:
    """The bot's username for links; without one, a line saying why there is no link."""
    try:
        username = bot_username(settings)
    except IdentityError as error:
        print(f"(Không có liên kết: {error})", file=sys.stderr)
        return None
    if username is None:
        print(
            "(Không có liên kết: đặt TELEGRAM_BOT_TOKEN để bot tự đọc tên của mình từ "
            "Telegram, hoặc BOT_USERNAME. Mã vẫn dùng được: gõ vào bot.)",
            file=sys.stderr,
        )
    return username


def _invite_all_unbound(args: argparse.Namespace, settings: Settings) -> int:
    role = Role(args.role or Role.SECRETARY.value)
    if not args.out and not args.sheet:
        return fail("Cần --out FILE.csv và/hoặc --sheet FILE.docx để lưu các mã mời.")
    username = username_or_warn(settings)
    batch = invites.create_unit_invites(
        open_db(settings),
        role=role,
        now=SystemClock().now(),
        ttl=timedelta(days=settings.invite_ttl_days),
        actor=CLI_ACTOR,
    )
    rows = [
        invite_sheet.SheetRow(
            i.invite.unit_code,
            i.unit_label,
            i.unit_kind.value,
            i.invite.role.value,
            i.invite.code,
            i.invite.expires_at,
        )
        for i in batch.created
    ]
    if args.out:
        args.out.write_text(
            invite_sheet.invites_csv(rows, username, settings.tz), encoding="utf-8-sig"
        )
    if args.sheet:
        args.sheet.write_bytes(
            invite_sheet.invites_docx(rows, username, settings.tz, settings.locale)
        )
    print(f"Đã tạo {len(batch.created)} mã mời {role.value}, mỗi đơn vị một mã.")
    for path in (args.out, args.sheet):
        if path:
            print(f"  → {path}")
    if batch.skipped_open:
        print(
            f"Bỏ qua {len(batch.skipped_open)} đơn vị đã có mã mời còn hạn "
            f"({', '.join(batch.skipped_open[:5])}{'…' if len(batch.skipped_open) > 5 else ''}); "
            "xem `chibo invite list`, thu hồi bằng `chibo invite revoke ID` để cấp lại."
        )
    return 0


def _invite_list(args: argparse.Namespace, settings: Settings) -> int:
    for i in invites.list_invites(open_db(settings), now=SystemClock().now()):
        expires = i.expires_at.astimezone(settings.tz)
        print(f"#{i.id}\t…{i.hint}\t{i.role.value}\t{i.unit_code}\t{i.state}\t{expires:%d/%m/%Y}")
    return 0


def _invite_revoke(args: argparse.Namespace, settings: Settings) -> int:
    if not invites.revoke_invite(
        open_db(settings), args.id, now=SystemClock().now(), actor=CLI_ACTOR
    ):
        return fail(f"Mã mời #{args.id} không tồn tại hoặc không còn hiệu lực.")
    print(f"Đã thu hồi mã mời #{args.id}.")
    return 0
