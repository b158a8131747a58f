"""`chibo directive` and `chibo cluster-meeting`: the office's side, from the command line.

    chibo directive create --title T [--ref "Số 12-KH/ĐUK"] --due 30/06/2026
                           --to base|C2|CODE,CODE [--file FILE]
    chibo directive list [--all] [--json]       X/Y done, from the ledger
    chibo directive show ID                     each unit: done (when, late) or not
    chibo cluster-meeting create --cluster C1 --at "15/06/2026 08:00" --place P --agenda A
                                 [--units CODE,CODE]
    chibo cluster-meeting list [--cluster C1]
    chibo cluster-meeting mark ID --attended CODE,CODE [--excused CODE,CODE]

The CLI acts for the office over the whole tree (as `chibo invite` does). Bad input
(a due date in the past, an unknown unit, a file over 10 MB or of another type)
exits with code 2, says why in one sentence and writes nothing.
"""

from __future__ import annotations

import argparse
import json
from pathlib import Path
from typing import Any

from bot.cli_common import CLI_ACTOR, fail, open_db
from bot.limits import MAX_FILE_BYTES
from bot.settings import Settings
from domain import directives as rules
from domain.cluster_meetings import Mark
from domain.dates_vi import DateParseError, parse_date, parse_datetime
from domain.errors import UserInputError
from domain.localtime import local_date, to_local
from services import cluster_meetings, directives
from services.clock import SystemClock
from services.digest import ScopeNotFound, root_code


def add_commands(sub: Any) -> None:
    cmd = sub.add_parser("directive", help="directives with a deadline").add_subparsers(
        required=True
    )
    create = cmd.add_parser("create", help="issue a directive to units")
    create.add_argument("--title", required=True, help="what the units must complete")
    create.add_argument("--ref", help='the document\'s number, e.g. "Số 12-KH/ĐUK"')
    create.add_argument("--due", required=True, help="due date, DD/MM/YYYY")
    create.add_argument(
        "--to", required=True, help="base (every base organisation), a cluster (C2) or CODE,CODE"
    )
    create.add_argument("--file", type=Path, help="the directive's document (PDF, Word, photo)")
    create.set_defaults(func=run_create)
    listing = cmd.add_parser("list", help="directives with X/Y done")
    listing.add_argument("--all", action="store_true", help="also those every unit has done")
    listing.add_argument("--json", action="store_true")
    listing.set_defaults(func=run_list)
    show = cmd.add_parser("show", help="one directive, unit by unit")
    show.add_argument("id", type=int)
    show.set_defaults(func=run_show)

    meeting = sub.add_parser("cluster-meeting", help="cluster meetings (giao ban cụm)")
    meetings = meeting.add_subparsers(required=True)
    call = meetings.add_parser("create", help="call a cluster meeting and invite its units")
    call.add_argument("--cluster", required=True, help="the cluster's code")
    call.add_argument("--at", required=True, help='day and time, "15/06/2026 08:00"')
    call.add_argument("--place", required=True)
    call.add_argument("--agenda", required=True)
    call.add_argument("--units", help="CODE,CODE (default: every base organisation of it)")
    call.set_defaults(func=run_call)
    list_meetings = meetings.add_parser("list", help="meetings of the last 30 days and ahead")
    list_meetings.add_argument("--cluster", help="one cluster (default: all)")
    list_meetings.set_defaults(func=run_meetings)
    mark = meetings.add_parser("mark", help="who came to a meeting held (the others: absent)")
    mark.add_argument("id", type=int)
    mark.add_argument("--attended", default="", help="CODE,CODE of the units that came")
    mark.add_argument("--excused", default="", help="CODE,CODE absent with an accepted reason")
    mark.set_defaults(func=run_mark)


def _codes(text: str) -> list[str]:
    return [w.upper() for w in text.replace(";", ",").replace(",", " ").split()]


def _document(path: Path | None) -> tuple[str, bytes] | str | None:
    """(name, bytes) of the file given, or why it cannot be sent."""
    if path is None:
        return None
    if not path.is_file():
        return f"Không có tệp {path}."
    size = path.stat().st_size
    if size > MAX_FILE_BYTES:
        return (
            f"Tệp {path.name} lớn {size / 2**20:.1f} MB, quá giới hạn "
            f"{MAX_FILE_BYTES // 2**20} MB. Vui lòng nén hoặc chia nhỏ tệp."
        )
    try:
        rules.check_document(path.name)
    except UserInputError as error:
        return str(error)
    return path.name, path.read_bytes()


def run_create(args: argparse.Namespace, settings: Settings) -> int:
    now = SystemClock().now()
    try:
        due = parse_date(args.due, local_date(now))
    except DateParseError as error:
        return fail(f"Hạn --due {args.due!r}: {error.reason}")
    document = _document(args.file)
    if isinstance(document, str):
        return fail(document)
    db = open_db(settings)
    try:
        issued = directives.issue(
            db,
            directives.DirectiveRequest(
                args.title,
                args.ref,
                due,
                args.to,
                document_name=document[0] if document else None,
                document_data=document[1] if document else None,
            ),
            issuer=None,
            actor_label=CLI_ACTOR,
            scope_code=root_code(db),
            now=now,
            policy=settings.load_policy(),
        )
    except (UserInputError, ScopeNotFound) as error:
        return fail(str(error) if isinstance(error, UserInputError) else "Chưa có tổ chức nào.")
    finally:
        db.dispose()
    d = issued.directive
    print(
        f"Đã giao văn bản mã {d.id}: {d.reference + ' — ' if d.reference else ''}{d.title}, "
        f"hạn {d.due_on:%d/%m/%Y}, cho {len(issued.units)} đơn vị; "
        f"{issued.messages} tin nhắn chờ gửi tới bí thư, phó bí thư."
    )
    if issued.unreached:
        print(f"Chưa có ai dùng phần mềm để nhận ở: {', '.join(issued.unreached)}.")
    return 0


def run_list(args: argparse.Namespace, settings: Settings) -> int:
    db = open_db(settings)
    try:
        found = directives.overview(db, ["/"], open_only=not args.all)
    finally:
        db.dispose()
    if args.json:
        rows = [
            {
                "id": p.directive.id,
                "reference": p.directive.reference,
                "title": p.directive.title,
                "due": p.directive.due_on.isoformat(),
                "units": p.units,
                "done": p.done,
                "late": p.late,
            }
            for p in found
        ]
        print(json.dumps(rows, ensure_ascii=False, indent=2))
        return 0
    if not found:
        print("Không có văn bản chỉ đạo nào còn chờ đơn vị hoàn thành.")
    for p in found:
        d = p.directive
        late = f" ({p.late} trễ hạn)" if p.late else ""
        ref = f"{d.reference} — " if d.reference else ""
        print(f"{d.id:>4}  hạn {d.due_on:%d/%m/%Y}  {p.done}/{p.units}{late}  {ref}{d.title}")
    return 0


def run_show(args: argparse.Namespace, settings: Settings) -> int:
    db = open_db(settings)
    try:
        found = directives.detail(db, args.id, ["/"])
    finally:
        db.dispose()
    if found is None:
        return fail(f"Không có văn bản chỉ đạo mã {args.id}.")
    info, units = found
    ref = f"{info.reference} — " if info.reference else ""
    print(f"{ref}{info.title} (hạn {info.due_on:%d/%m/%Y})")
    for u in units:
        if u.done_on is None:
            state = "chưa hoàn thành"
        else:
            state = f"hoàn thành {u.done_on:%d/%m/%Y}" + (" (trễ hạn)" if u.late else "")
        print(f"  {u.code:<24} {state}  {u.name}")
    return 0


def run_call(args: argparse.Namespace, settings: Settings) -> int:
    now = SystemClock().now()
    try:
        starts = parse_datetime(args.at, now)
    except DateParseError as error:
        return fail(f"Thời gian --at {args.at!r}: {error.reason}")
    db = open_db(settings)
    try:
        request = cluster_meetings.MeetingRequest(
            args.cluster.upper(), starts, args.place, args.agenda, tuple(_codes(args.units or ""))
        )
        info, told = cluster_meetings.call(
            db, None, request, now=now, policy=settings.load_policy()
        )
    except UserInputError as error:
        return fail(str(error))
    finally:
        db.dispose()
    print(
        f"Đã đăng ký giao ban mã {info.id}: {info.cluster_name}, "
        f"{to_local(info.starts_at):%H:%M %d/%m/%Y}, {info.place}; {told} giấy mời chờ gửi."
    )
    return 0


def run_meetings(args: argparse.Namespace, settings: Settings) -> int:
    now = SystemClock().now()
    db = open_db(settings)
    try:
        found = cluster_meetings.listing(db, args.cluster.upper() if args.cluster else None, now)
    finally:
        db.dispose()
    if not found:
        print("Không có buổi giao ban nào trong 30 ngày qua và sắp tới.")
    for info, invited in found:
        came = sum(1 for i in invited if i.attended)
        answered = sum(1 for i in invited if i.answer)
        state = (
            f"có mặt {came}/{len(invited)}"
            if info.marked_at
            else f"đã trả lời {answered}/{len(invited)}"
        )
        print(
            f"{info.id:>4}  {to_local(info.starts_at):%H:%M %d/%m/%Y}  {info.cluster_code:<8} "
            f"{state}  {info.place}"
        )
    return 0


def run_mark(args: argparse.Namespace, settings: Settings) -> int:
    now = SystemClock().now()
    marks = {code: Mark.ATTENDED for code in _codes(args.attended)}
    marks |= {code: Mark.EXCUSED for code in _codes(args.excused)}
    db = open_db(settings)
    try:
        found = cluster_meetings.roll_call(db, args.id)
        if found is None:
            return fail(f"Không có buổi giao ban mã {args.id}.")
        invited = {i.unit_code for i in found[1]}
        stranger = sorted(set(marks) - invited)
        if stranger:
            return fail(f"Đơn vị {', '.join(stranger)} không có trong danh sách mời buổi này.")
        info = cluster_meetings.mark(
            db, None, args.id, marks, now=now, policy=settings.load_policy()
        )
    except UserInputError as error:
        return fail(str(error))
    finally:
        db.dispose()
    absent = len(invited) - len(marks)
    print(
        f"Đã điểm danh giao ban {to_local(info.starts_at):%d/%m/%Y}: có mặt "
        f"{sum(1 for m in marks.values() if m == Mark.ATTENDED)}, vắng có lý do "
        f"{sum(1 for m in marks.values() if m == Mark.EXCUSED)}, vắng không có lý do {absent}."
    )
    return 0
