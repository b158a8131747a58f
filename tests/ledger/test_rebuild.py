"""Incremental rows equal a rebuild, whatever the history of facts.

Random histories go through the services that write facts (registering,
rescheduling and cancelling meetings, recording them held or not, rating, sending
reports, importing past activity, changing the organisation, issuing directives and
confirming them, calling cluster meetings, answering and marking who came), with an
admin who may also correct closed months, on a clock that moves forward. After every history the
rows the ledger kept in step with the writes are exactly what `chibo ledger rebuild`
computes from the facts.
"""

from __future__ import annotations

import contextlib
import os
from datetime import date, timedelta
from pathlib import Path
from typing import Any

import pytest
from hypothesis import HealthCheck, Phase, given, settings
from hypothesis import strategies as st
from sqlalchemy import select

from domain import meeting_record
from domain.cluster_meetings import Answer, Mark
from domain.errors import UserInputError
from domain.localtime import at_local, local_date
from domain.meeting_kinds import MeetingKind
from domain.periods import Month
from domain.roles import Role
from services import cluster_meetings, directives, meeting_records, ratings, reports, schedules
from services.activity_import import import_activity
from services.actors import Actor, load_actor
from services.org import import_org
from storage.models import ClusterInvitation, ClusterMeeting, Directive, DirectiveTarget
from tests.auxil.cast import ADMIN, bind
from tests.auxil.orgs import SMALL_ORG
from tests.ledger.rows import assert_equals_rebuild
from tests.ledger.world import World, database, world

EXAMPLES = int(os.environ.get("LEDGER_EXAMPLES", "25"))
UNITS = ("TNMT", "TNMT-01", "TNMT-02", "NTM", "TAICHINH-01", "NOICHINH")
ACTIVITY_HEADER = "record_type,unit,month,kind,held,held_on,period,report_type,sent_on\n"

unit = st.sampled_from(UNITS)
past = st.integers(-2, 0)  # months from the clock's
ahead = st.integers(0, 1)
day = st.integers(1, 28)
step = st.one_of(
    st.tuples(st.just("wait"), st.integers(0, 6)),
    st.tuples(st.just("schedule"), unit, ahead, day, st.booleans()),
    st.tuples(st.just("cancel"), unit, ahead),
    st.tuples(st.just("record"), unit, past, day, st.sampled_from(("held", "excused", "no"))),
    st.tuples(st.just("rate"), unit, past),
    st.tuples(st.just("then"), st.tuples(st.just("record"), unit, past, day, st.just("held"))),
    st.tuples(st.just("then"), st.tuples(st.just("schedule"), unit, ahead, day, st.just(False))),
    st.tuples(st.just("report"), unit, st.sampled_from(("monthly", "quarterly", "annual"))),
    st.tuples(st.just("import"), unit, st.integers(2, 9), st.booleans()),
    st.tuples(st.just("org"), st.booleans(), st.booleans()),
    st.tuples(st.just("move"), st.sampled_from(("C1", "C2"))),
    st.tuples(
        st.just("directive"), st.sampled_from(("base", "C1", "TNMT-01,NTM")), st.integers(0, 20)
    ),
    st.tuples(st.just("complete"), st.integers(0, 5), st.integers(0, 5)),
    st.tuples(st.just("call"), st.sampled_from(("C1", "C2")), st.integers(1, 10)),
    st.tuples(st.just("answer"), st.integers(0, 5), st.integers(0, 5), st.booleans()),
    st.tuples(st.just("mark"), st.integers(0, 5), st.lists(st.integers(0, 2), max_size=4)),
    # A directive issued, then (after some days: maybe late) done by one of its units.
    st.tuples(st.just("sent back"), st.integers(0, 5), st.integers(0, 10), st.integers(0, 5)),
    # A meeting called for tomorrow, then two days later its roll call.
    st.tuples(
        st.just("held"), st.sampled_from(("C1", "C2")), st.lists(st.integers(0, 2), max_size=4)
    ),
)


def kind_of(w: World, code: str, thematic: bool = False) -> MeetingKind:
    if thematic and code not in ("TNMT",):
        return MeetingKind.THEMATIC
    return MeetingKind(w.monthly(code))


def apply(w: World, admin: Actor, action: tuple) -> None:  # type: ignore[type-arg]
    now, policy = w.clock.now(), w.policy
    this = Month.of(local_date(now))
    name = action[0]
    if name == "then":  # a write, then its natural follow-up on the same meeting
        first = action[1]
        apply(w, admin, first)
        follow = ("rate", *first[1:3]) if first[0] == "record" else ("cancel", *first[1:3])
        apply(w, admin, follow)
    elif name == "wait":
        w.clock.advance(timedelta(days=action[1]))
    elif name == "schedule":
        _, code, months, d, thematic = action
        month = this.plus(months)
        planned = at_local(month.day(d), at_local(date(2026, 1, 1), now.timetz()).timetz())
        request = schedules.ScheduleRequest(
            code, kind_of(w, code, thematic), month, planned, "Hội trường",
            theme="Chuyên đề" if thematic else None, reason="Đổi lịch",
        )  # fmt: skip
        schedules.register_schedule(w.db, admin, request, now=now, policy=policy)
    elif name == "cancel":
        _, code, months = action
        schedules.cancel_schedule(
            w.db, admin, code, kind_of(w, code), this.plus(months), "Bận", now=now, policy=policy
        )
    elif name == "record":
        _, code, months, d, how = action
        month = this.plus(months)
        held = how == "held"
        record = meeting_record.RecordInput(
            held=held,
            held_on=month.day(d) if held else None,
            duration_minutes=90 if held else None,
            present=9 if held else None,
            total_members=10 if held else None,
            not_held_reason=None if held else "Công tác",
            not_held_excused=None if held else how == "excused",
        )
        meeting_records.record_meeting(
            w.db, admin, code, kind_of(w, code), month, record, now=now, policy=policy
        )
    elif name == "rate":
        _, code, months = action
        answers = {c.code: c.max_points for c in policy.rubric.answerable_criteria}
        ratings.rate_meeting(
            w.db, admin, code, kind_of(w, code), this.plus(months), answers, now=now, policy=policy
        )
    elif name == "report":
        _, code, report_type = action
        period = {"monthly": this.key, "quarterly": this.quarter.key, "annual": str(this.year)}
        reports.confirm_report(
            w.db, admin, code, report_type, period[report_type], document=None, now=now,
            policy=policy,
        )  # fmt: skip
    elif name == "import":
        _, code, months_back, held = action
        month = this.plus(-months_back)
        on = month.day(10).strftime("%d/%m/%Y")
        row = (
            f"meeting,{code},{month.key},{kind_of(w, code).value},"
            f"{'có' if held else 'không'},{on if held else ''},,,\n"
        )
        if not held:  # a meeting not held needs its reason: report the month instead
            row = f"report,{code},,,,,{month.key},monthly,{on}\n"
        import_activity(w.db, ACTIVITY_HEADER + row, now=now, policy=policy)
    elif name == "move":
        # A file of one line: TNMT moves, and its sub-cells with it, though not listed.
        line = f"TNMT,Đảng bộ cơ quan Sở Tài nguyên và Môi trường,base_committee,{action[1]},\n"
        header = SMALL_ORG.splitlines()[0]
        import_org(w.db, f"{header}\n{line}", now=now, actor="test", policy=policy)
    elif name == "directive":
        _, targets, days = action
        request = directives.DirectiveRequest(
            "Chương trình hành động",
            "Số 12-KH/ĐUK",
            local_date(now) + timedelta(days=days),
            targets,
        )
        directives.issue(
            w.db,
            request,
            issuer=admin,
            actor_label="test",
            scope_code="DUK",
            now=now,
            policy=policy,
        )
    elif name == "complete":
        _, k, j = action
        directive = _nth(w, Directive, k)
        code = _nth_unit(w, DirectiveTarget, DirectiveTarget.directive_id, directive, j)
        directives.confirm(
            w.db, admin, directive, code, document=("file-x", "x.pdf"), now=now, policy=policy
        )
    elif name == "call":
        _, cluster, days = action
        request = cluster_meetings.MeetingRequest(
            cluster, now + timedelta(days=days), "Hội trường", "Giao ban quý"
        )
        cluster_meetings.call(w.db, admin, request, now=now, policy=policy)
    elif name == "answer":
        _, k, j, attend = action
        meeting = _nth(w, ClusterMeeting, k)
        code = _nth_unit(w, ClusterInvitation, ClusterInvitation.meeting_id, meeting, j)
        choice = Answer.ATTEND if attend else Answer.ABSENT
        cluster_meetings.answer(w.db, admin, meeting, code, choice, "Đồng chí A", now=now)
    elif name == "sent back":
        _, due_in, wait, j = action
        apply(w, admin, ("directive", "base", due_in))
        w.clock.advance(timedelta(days=wait))
        apply(w, admin, ("complete", -1, j))
    elif name == "held":
        _, cluster, marks = action
        apply(w, admin, ("call", cluster, 1))
        w.clock.advance(timedelta(days=2))
        apply(w, admin, ("mark", -1, marks))
    elif name == "mark":
        _, k, marks = action
        meeting = _nth(w, ClusterMeeting, k)
        found = cluster_meetings.roll_call(w.db, meeting)
        invited = [i.unit_code for i in found[1]] if found else []
        chosen = {code: list(Mark)[m] for code, m in zip(invited, marks, strict=False)}
        cluster_meetings.mark(w.db, admin, meeting, chosen, now=now, policy=policy)
    elif name == "org":
        # NTM becomes a base committee (its duties change), or back; a new cell appears;
        # a sub-cell moves to another committee and NTM to another cluster, or back.
        _, committee, moved = action
        kind = "base_committee" if committee else "base_cell"
        text = SMALL_ORG.replace(
            "NTM,Chi bộ Ban Xây dựng nông thôn mới,base_cell,C1",
            f"NTM,Chi bộ Ban Xây dựng nông thôn mới,{kind},{'C2' if moved else 'C1'}",
        )
        if moved:  # TNMT's sub-cells move with it, without a line of their own changing
            text = text.replace(
                "TNMT-02,Chi bộ Thanh tra,sub_cell,TNMT",
                "TNMT-02,Chi bộ Thanh tra,sub_cell,TAICHINH",
            ).replace(",base_committee,C1,", ",base_committee,C2,")
        import_org(
            w.db, text + "MOI,Chi bộ mới,base_cell,C2,5\n", now=now, actor="test", policy=policy
        )


def _nth_unit(w: World, model: type, column: Any, parent: int, j: int) -> str:
    """The j-th unit (modulo) of a directive's targets or a meeting's invitations."""
    with w.db.transaction() as s:
        codes = sorted(s.scalars(select(model.unit_code).where(column == parent)))  # type: ignore[attr-defined]
    return codes[j % len(codes)] if codes else "NTM"


def _nth(w: World, model: type, k: int) -> int:
    """The id of the k-th row of `model` (modulo how many there are); 0 when none."""
    with w.db.transaction() as s:
        ids = sorted(s.scalars(select(model.id)))  # type: ignore[attr-defined]
    return ids[k % len(ids)] if ids else 0


@settings(
    max_examples=EXAMPLES,
    deadline=None,
    derandomize=os.environ.get("LEDGER_RANDOM") != "1",
    phases=[Phase.explicit, Phase.reuse, Phase.generate],
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(history=st.lists(step, min_size=5, max_size=30))
def test_incremental_rows_equal_a_rebuild(
    backend: str,
    postgres_ready: None,
    migrated_db_file: Path,
    tmp_path: Path,
    history: list,  # type: ignore[type-arg]
) -> None:
    with database(backend, migrated_db_file, tmp_path, "rebuild") as db:
        w = world(db)
        bind(db, w.clock.now(), ADMIN, Role.ADMIN, "DUK")
        admin = load_actor(db, ADMIN.id)
        assert admin is not None
        for action in history:
            # Refused input writes nothing: the ledger must still be right after it.
            with contextlib.suppress(UserInputError, ValueError):
                apply(w, admin, action)
        assert_equals_rebuild(db, w.clock, w.policy)


@pytest.fixture
def postgres_ready(backend: str, request: pytest.FixtureRequest) -> None:
    if backend == "postgresql":
        request.getfixturevalue("postgres_template")
