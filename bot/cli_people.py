"""`chibo person list`, `chibo role revoke`, `chibo role move`: the office admin's tools for
people who changed post. Changes are audited (actor `cli:admin`)."""

from __future__ import annotations

import argparse
import json
from dataclasses import asdict
from typing import Any

from bot.cli_common import CLI_ACTOR, fail, open_db
from bot.settings import Settings
from domain.roles import Role
from services import people
from services.clock import SystemClock

_ROLES = [r.value for r in Role]


def add_commands(sub: Any) -> None:
    person = sub.add_parser("person", help="people who use the bot").add_subparsers(required=True)
    listing = person.add_parser("list", help="people with their roles (id for `chibo role`)")
    listing.add_argument("--unit", help="only roles in this unit's subtree")
    listing.add_argument("--json", action="store_true")
    listing.set_defaults(func=_person_list)

    role = sub.add_parser("role", help="take a role away, or move it").add_subparsers(required=True)
    revoke = role.add_parser("revoke", help="take a person's role in a unit away")
    revoke.add_argument("person", type=int, help="the person's id (chibo person list)")
    revoke.add_argument("--role", required=True, choices=_ROLES)
    revoke.add_argument("--unit", required=True)
    revoke.set_defaults(func=_role_revoke)
    move = role.add_parser("move", help="move a person's role to another unit")
    move.add_argument("person", type=int, help="the person's id (chibo person list)")
    move.add_argument("--role", required=True, choices=_ROLES)
    move.add_argument("--from", dest="from_unit", required=True)
    move.add_argument("--to", dest="to_unit", required=True)
    move.set_defaults(func=_role_move)


def _person_list(args: argparse.Namespace, settings: Settings) -> int:
    try:
        found = people.list_people(open_db(settings), args.unit)
    except people.PeopleError as error:
        return fail(str(error))
    if args.json:
        print(json.dumps([asdict(p) for p in found], ensure_ascii=False, indent=2))
        return 0
    for p in found:
        handle = f" @{p.username}" if p.username else ""
        roles = "; ".join(f"{h.role.value} {h.unit_code} ({h.unit_name})" for h in p.roles)
        print(f"#{p.id}\ttg:{p.telegram_user_id}\t{p.full_name}{handle}\t{roles}")
    return 0


def _role_revoke(args: argparse.Namespace, settings: Settings) -> int:
    try:
        change = people.revoke_role(
            open_db(settings),
            person_id=args.person,
            role=Role(args.role),
            unit_code=args.unit,
            now=SystemClock().now(),
            actor=CLI_ACTOR,
        )
    except people.PeopleError as error:
        return fail(str(error))
    print(f"Đã thu hồi vai trò {change.role.value} ở {change.old_unit} của {change.full_name}.")
    return 0


def _role_move(args: argparse.Namespace, settings: Settings) -> int:
    try:
        change = people.move_role(
            open_db(settings),
            person_id=args.person,
            role=Role(args.role),
            from_unit=args.from_unit,
            to_unit=args.to_unit,
            now=SystemClock().now(),
            actor=CLI_ACTOR,
        )
    except people.PeopleError as error:
        return fail(str(error))
    print(
        f"Đã chuyển vai trò {change.role.value} của {change.full_name} "
        f"từ {change.old_unit} sang {change.new_unit}."
    )
    return 0
