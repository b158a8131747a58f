"""`chibo ledger`: the compliance ledger from the command line.

    chibo ledger rebuild [--from YYYY-MM]   recompute every obligation from the facts
    chibo ledger show CODE [--json]         one unit's obligations and their status today

The ledger is kept in step with every fact as it is written; a rebuild is for after
a restore, a policy change (new due days or report types) or an import that should
reach further back (`--from`).
"""

from __future__ import annotations

import argparse
import json
from datetime import date
from typing import Any

from bot.cli_common import fail, open_db
from bot.settings import Settings
from domain.localtime import local_date
from domain.periods import Month
from services import ledger
from services.clock import SystemClock


def add_commands(sub: Any) -> None:
    cmd = sub.add_parser("ledger", help="compliance ledger").add_subparsers(required=True)
    rebuild = cmd.add_parser("rebuild", help="recompute every obligation from the facts")
    rebuild.add_argument("--from", dest="start", help="first month covered, YYYY-MM")
    rebuild.set_defaults(func=run_rebuild)
    show = cmd.add_parser("show", help="one unit's obligations and their status today")
    show.add_argument("code")
    show.add_argument("--json", action="store_true")
    show.set_defaults(func=run_show)


def run_rebuild(args: argparse.Namespace, settings: Settings) -> int:
    start: date | None = None
    if args.start:
        try:
            start = Month.parse(args.start).first_day
        except ValueError:
            return fail(f"--from phải có dạng YYYY-MM: {args.start!r}")
    db = open_db(settings)
    try:
        changed = ledger.rebuild(db, SystemClock().now(), settings.load_policy(), start=start)
        begins = ledger.start_of(db)
    finally:
        db.dispose()
    print(f"Đã tính lại sổ nghĩa vụ từ ngày {begins:%d/%m/%Y}: {changed} dòng thay đổi.")
    return 0


def run_show(args: argparse.Namespace, settings: Settings) -> int:
    db = open_db(settings)
    now = SystemClock().now()
    policy = settings.load_policy()
    try:
        ledger.ensure_current(db, now, policy)
        found = ledger.unit_obligations(db, args.code.upper(), due_from=date.min)
    finally:
        db.dispose()
    if not found:
        return fail(
            f"Không có nghĩa vụ nào của đơn vị {args.code} (mã sai, hoặc đơn vị không họp)."
        )
    rows = [
        {
            "kind": o.kind.value,
            "subject": o.subject,
            "period": o.period,
            "due": o.due_on.isoformat(),
            "status": o.status(now).value,
            "done_on": o.done_on.isoformat() if o.done_on else None,
            "source": o.source,
        }
        for o in found
    ]
    if args.json:
        print(json.dumps(rows, ensure_ascii=False, indent=2))
        return 0
    print(f"Nghĩa vụ của {args.code.upper()} (tình trạng ngày {local_date(now):%d/%m/%Y}):")
    for r in rows:
        print(f"  {r['due']}  {r['kind']:<12} {r['subject']:<10} {r['period']:<8} {r['status']}")
    return 0
