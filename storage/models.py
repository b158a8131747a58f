"""The relational model: one module, so the whole schema reads in one place."""

from __future__ import annotations

import enum
from datetime import date, datetime
from typing import Any

from sqlalchemy import (
    JSON,
    BigInteger,
    Boolean,
    Date,
    Enum,
    ForeignKey,
    Index,
    Integer,
    LargeBinary,
    MetaData,
    String,
    Text,
    UniqueConstraint,
    text,
)
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column, relationship

from domain.meeting_kinds import MeetingKind
from domain.org import UnitKind
from domain.roles import Role
from storage.types import UTCDateTime

# The obligations not on time (missing, late, excused, pending): the heat map's rows.
NOT_ON_TIME = "resolution <> 'done' OR done_on IS NULL OR done_on > due_on"

NAMING = {
    "ix": "ix_%(column_0_label)s",
    "uq": "uq_%(table_name)s_%(column_0_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}


class Base(DeclarativeBase):
    metadata = MetaData(naming_convention=NAMING)


def _enum(cls: type[enum.Enum], name: str) -> Enum:
    # Store the readable value ("sub_cell"), checked by a CHECK constraint on every backend.
    return Enum(
        cls,
        name=name,
        native_enum=False,
        create_constraint=True,
        length=32,
        values_callable=lambda e: [m.value for m in e],
    )


class Unit(Base):
    __tablename__ = "units"

    code: Mapped[str] = mapped_column(String(64), primary_key=True)
    name: Mapped[str] = mapped_column(String(300))
    # Lower-case, diacritics removed: lets "tai nguyen" find "Tài nguyên" with a plain LIKE.
    name_folded: Mapped[str] = mapped_column(String(300), index=True)
    kind: Mapped[UnitKind] = mapped_column(_enum(UnitKind, "unit_kind"))
    parent_code: Mapped[str | None] = mapped_column(ForeignKey("units.code"), index=True)
    # "/DUK/C1/VPUBND/VPUBND-01/": a subtree is one prefix match, on SQLite and PostgreSQL.
    path: Mapped[str] = mapped_column(String(1000), index=True)
    members: Mapped[int | None] = mapped_column(Integer)
    # Kết nạp đảng viên this year (base organisations); None: the policy's share of members.
    admission_target: Mapped[int | None] = mapped_column(Integer)
    active: Mapped[bool] = mapped_column(Boolean, default=True)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime)

    parent: Mapped[Unit | None] = relationship(remote_side=[code])


class Person(Base):
    __tablename__ = "people"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    telegram_user_id: Mapped[int] = mapped_column(BigInteger, unique=True)
    full_name: Mapped[str] = mapped_column(String(300))
    username: Mapped[str | None] = mapped_column(String(64))
    locale: Mapped[str | None] = mapped_column(String(8))
    # Set when Telegram answers 403 (the user blocked the bot); shown to leadership.
    unreachable_since: Mapped[datetime | None] = mapped_column(UTCDateTime)
    # A secretary away until this local date is not reminded; the deputy is.
    away_until: Mapped[date | None] = mapped_column(Date)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime)

    roles: Mapped[list[RoleAssignment]] = relationship(
        back_populates="person", cascade="all, delete-orphan", lazy="selectin"
    )


class RoleAssignment(Base):
    __tablename__ = "role_assignments"
    __table_args__ = (UniqueConstraint("person_id", "role", "unit_code"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    person_id: Mapped[int] = mapped_column(ForeignKey("people.id", ondelete="CASCADE"), index=True)
    role: Mapped[Role] = mapped_column(_enum(Role, "role"))
    unit_code: Mapped[str] = mapped_column(ForeignKey("units.code"), index=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime)

    person: Mapped[Person] = relationship(back_populates="roles")
    unit: Mapped[Unit] = relationship(lazy="joined")


class Invite(Base):
    __tablename__ = "invites"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    # Only a hash is kept: a leaked database does not leak usable codes.
    code_hash: Mapped[str] = mapped_column(String(64), unique=True)
    code_hint: Mapped[str] = mapped_column(String(8))
    role: Mapped[Role] = mapped_column(_enum(Role, "role"))
    unit_code: Mapped[str] = mapped_column(ForeignKey("units.code"), index=True)
    created_by: Mapped[str] = mapped_column(String(100))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime)
    expires_at: Mapped[datetime] = mapped_column(UTCDateTime)
    used_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    used_by_person_id: Mapped[int | None] = mapped_column(ForeignKey("people.id"))
    revoked_at: Mapped[datetime | None] = mapped_column(UTCDateTime)


class InviteFailure(Base):
    """One wrong code typed by a Telegram user: the brute-force throttle counts these."""

    __tablename__ = "invite_failures"
    __table_args__ = (Index("ix_invite_failures_user_at", "telegram_user_id", "at"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    telegram_user_id: Mapped[int] = mapped_column(BigInteger)
    at: Mapped[datetime] = mapped_column(UTCDateTime)


class AuditEntry(Base):
    __tablename__ = "audit_log"
    __table_args__ = (Index("ix_audit_log_entity", "entity", "entity_key"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    at: Mapped[datetime] = mapped_column(UTCDateTime, index=True)
    actor_person_id: Mapped[int | None] = mapped_column(ForeignKey("people.id"))
    # "cli:admin", "import", or the person's Telegram id: who did it, even without a person row.
    actor_label: Mapped[str] = mapped_column(String(100))
    action: Mapped[str] = mapped_column(String(64))
    entity: Mapped[str] = mapped_column(String(64))
    entity_key: Mapped[str] = mapped_column(String(200))
    old_value: Mapped[dict[str, Any] | None] = mapped_column(JSON)
    new_value: Mapped[dict[str, Any] | None] = mapped_column(JSON)


class DialogState(Base):
    """Where a user is in a multi-step flow, kept in the database.

    Any instance can serve the next message, and a restart loses nothing. `token`
    changes at every step; buttons carry it, so a stale button is recognised.
    """

    __tablename__ = "dialog_states"

    telegram_user_id: Mapped[int] = mapped_column(BigInteger, primary_key=True)
    flow: Mapped[str] = mapped_column(String(64))
    step: Mapped[str] = mapped_column(String(64))
    data: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
    token: Mapped[str] = mapped_column(String(16))
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime)


class MeetingSchedule(Base):
    """A registered meeting (đăng ký lịch sinh hoạt) for one unit, kind and month."""

    __tablename__ = "meeting_schedules"
    __table_args__ = (UniqueConstraint("unit_code", "kind", "month"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    unit_code: Mapped[str] = mapped_column(ForeignKey("units.code"), index=True)
    kind: Mapped[MeetingKind] = mapped_column(_enum(MeetingKind, "meeting_kind"))
    month: Mapped[str] = mapped_column(String(7), index=True)  # "2026-12"
    planned_at: Mapped[datetime] = mapped_column(UTCDateTime)
    place: Mapped[str] = mapped_column(String(300))
    theme: Mapped[str | None] = mapped_column(String(500))
    # "planned" or "cancelled"; a reschedule keeps the row and moves planned_at.
    status: Mapped[str] = mapped_column(String(16), default="planned")
    cancel_reason: Mapped[str | None] = mapped_column(String(500))
    # "manual", "recurrence" (filled from a standing rule) or "import".
    source: Mapped[str] = mapped_column(String(16), default="manual")
    registered_at: Mapped[datetime] = mapped_column(UTCDateTime)
    registered_by: Mapped[int | None] = mapped_column(ForeignKey("people.id"))
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime)


class StandingSchedule(Base):
    """A recurrence ("ngày 5 hằng tháng") that fills later months until changed."""

    __tablename__ = "standing_schedules"
    __table_args__ = (UniqueConstraint("unit_code", "kind"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    unit_code: Mapped[str] = mapped_column(ForeignKey("units.code"), index=True)
    kind: Mapped[MeetingKind] = mapped_column(_enum(MeetingKind, "meeting_kind"))
    rule: Mapped[str] = mapped_column(String(64))  # domain.recurrence text form
    local_time: Mapped[str] = mapped_column(String(5))  # "14:00"
    place: Mapped[str] = mapped_column(String(300))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime)
    created_by: Mapped[int | None] = mapped_column(ForeignKey("people.id"))


class MeetingRecord(Base):
    """What happened: held or not, when, how long, who came."""

    __tablename__ = "meeting_records"
    __table_args__ = (UniqueConstraint("unit_code", "kind", "month"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    unit_code: Mapped[str] = mapped_column(ForeignKey("units.code"), index=True)
    kind: Mapped[MeetingKind] = mapped_column(_enum(MeetingKind, "meeting_kind"))
    month: Mapped[str] = mapped_column(String(7), index=True)
    held: Mapped[bool] = mapped_column(Boolean)
    held_on: Mapped[date | None] = mapped_column(Date)
    duration_minutes: Mapped[int | None] = mapped_column(Integer)
    present: Mapped[int | None] = mapped_column(Integer)
    total_members: Mapped[int | None] = mapped_column(Integer)
    excused_absent: Mapped[int | None] = mapped_column(Integer)
    higher_attendee: Mapped[str | None] = mapped_column(String(300))
    # The committee member (policy `committee_members` code) who attended, when chosen
    # from the list; `higher_attendee` keeps the name as it was then.
    higher_attendee_code: Mapped[str | None] = mapped_column(String(32))
    theme: Mapped[str | None] = mapped_column(String(500))
    minutes_taken: Mapped[bool | None] = mapped_column(Boolean)
    not_held_reason: Mapped[str | None] = mapped_column(String(500))
    not_held_excused: Mapped[bool | None] = mapped_column(Boolean)
    recorded_at: Mapped[datetime] = mapped_column(UTCDateTime)
    recorded_by: Mapped[int | None] = mapped_column(ForeignKey("people.id"))
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime)

    rating: Mapped[QualityRating | None] = relationship(back_populates="record")


class QualityRating(Base):
    """The self-rating of a held meeting against the policy rubric."""

    __tablename__ = "quality_ratings"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    record_id: Mapped[int] = mapped_column(
        ForeignKey("meeting_records.id", ondelete="CASCADE"), unique=True
    )
    answers: Mapped[dict[str, Any]] = mapped_column(JSON)
    score: Mapped[int] = mapped_column(Integer)
    level: Mapped[str] = mapped_column(String(16))  # domain QualityLevel value
    flags: Mapped[list[str]] = mapped_column(JSON, default=list)
    rated_at: Mapped[datetime] = mapped_column(UTCDateTime)
    rated_by: Mapped[int | None] = mapped_column(ForeignKey("people.id"))

    record: Mapped[MeetingRecord] = relationship(back_populates="rating")


class ReportSubmission(Base):
    """A periodic report confirmed as sent; on time or late is computed from due_on."""

    __tablename__ = "report_submissions"
    __table_args__ = (UniqueConstraint("unit_code", "report_type", "period"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    unit_code: Mapped[str] = mapped_column(ForeignKey("units.code"), index=True)
    report_type: Mapped[str] = mapped_column(String(32))
    period: Mapped[str] = mapped_column(String(16), index=True)  # "2026-11", "2026-Q4", …
    due_on: Mapped[date] = mapped_column(Date)
    sent_at: Mapped[datetime] = mapped_column(UTCDateTime)
    document_file_id: Mapped[str | None] = mapped_column(String(300))
    document_name: Mapped[str | None] = mapped_column(String(300))
    confirmed_by: Mapped[int | None] = mapped_column(ForeignKey("people.id"))


class OutboxMessage(Base):
    """A message that is due to be sent. The dispatcher claims, sends and marks it.

    `dedup_key` is unique per (recipient, reason, period): planning the same thing
    twice, after a restart or on a second instance, inserts nothing new.
    """

    __tablename__ = "outbox"
    __table_args__ = (Index("ix_outbox_due", "status", "not_before"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    dedup_key: Mapped[str] = mapped_column(String(255), unique=True)
    chat_id: Mapped[int] = mapped_column(BigInteger, index=True)
    person_id: Mapped[int | None] = mapped_column(ForeignKey("people.id"))
    reason: Mapped[str] = mapped_column(String(64))
    period: Mapped[str] = mapped_column(String(32))
    text: Mapped[str] = mapped_column(Text)
    buttons: Mapped[list[Any] | None] = mapped_column(JSON)
    attachment_name: Mapped[str | None] = mapped_column(String(200))
    attachment: Mapped[bytes | None] = mapped_column(LargeBinary)
    # A file kept elsewhere, sent with the text: "directive:<id>" (storage.attachments).
    # A directive's document goes to every unit without a copy per outbox row.
    attachment_ref: Mapped[str | None] = mapped_column(String(64))
    not_before: Mapped[datetime] = mapped_column(UTCDateTime)
    # Past this instant the message is no longer relevant (the meeting has passed).
    expires_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    # pending → sent | failed | dropped
    status: Mapped[str] = mapped_column(String(16), default="pending")
    attempts: Mapped[int] = mapped_column(Integer, default=0)
    claimed_by: Mapped[str | None] = mapped_column(String(64))
    claimed_until: Mapped[datetime | None] = mapped_column(UTCDateTime)
    sent_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    last_error: Mapped[str | None] = mapped_column(String(500))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime)


class ChatSubscription(Base):
    """A group chat that receives the weekly digest for a unit's subtree."""

    __tablename__ = "chat_subscriptions"

    chat_id: Mapped[int] = mapped_column(BigInteger, primary_key=True)
    title: Mapped[str | None] = mapped_column(String(300))
    unit_code: Mapped[str] = mapped_column(ForeignKey("units.code"))
    subscribed_by: Mapped[int | None] = mapped_column(ForeignKey("people.id"))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime)


class PlannerRun(Base):
    """One planning run of a scheduled slot ("reminders:0800:2026-12-22"), written once.

    The row is inserted in the same transaction as the outbox rows the run planned,
    so a slot is planned completely or not at all, and later runs (every few
    minutes, or on a second instance) skip it. After downtime the missing rows
    show which reminder days were missed.
    """

    __tablename__ = "planner_runs"

    key: Mapped[str] = mapped_column(String(64), primary_key=True)
    ran_at: Mapped[datetime] = mapped_column(UTCDateTime)
    messages: Mapped[int] = mapped_column(Integer, default=0)


class LedgerEntry(Base):
    """One obligation of one unit for one period: the compliance ledger's row.

    Kept in step with the facts in the same transaction that changes them
    (`services.ledger`); `domain.obligations` says what each column means and how a
    status as of any instant follows from them. `chibo ledger rebuild` recomputes
    every row from the facts.
    """

    __tablename__ = "obligations"
    __table_args__ = (
        UniqueConstraint("unit_code", "kind", "subject", "period"),
        # The digest and the exports count one period of one kind for a whole subtree:
        # every column they read is in the index, so the table itself is not touched.
        Index(
            "ix_obligations_period",
            "kind",
            "period",
            "subject",
            "resolution",
            "due_on",
            "done_on",
            "resolved_at",
            "unit_path",
            "present",
            "total",
            "level",
            "unit_code",
        ),
        # The reminder planner reads what is still open around today.
        Index("ix_obligations_open", "resolution", "due_on"),
        # The dashboard's heat map counts what is not on time (storage/dashboard_queries).
        Index(
            "ix_obligations_not_on_time",
            "kind",
            "period",
            "unit_code",
            "resolution",
            "due_on",
            "done_on",
            sqlite_where=text(NOT_ON_TIME),
            postgresql_where=text(NOT_ON_TIME),
        ),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    unit_code: Mapped[str] = mapped_column(ForeignKey("units.code"))
    # The unit's Unit.path, kept here so a subtree's obligations are counted from the
    # index alone (an org change that moves the unit rewrites it).
    unit_path: Mapped[str] = mapped_column(String(1000))
    kind: Mapped[str] = mapped_column(String(32))  # domain ObligationKind value
    subject: Mapped[str] = mapped_column(String(64))  # meeting kind, report type, …
    period: Mapped[str] = mapped_column(String(16))  # "2026-12", "2026-Q4", "2026"
    due_on: Mapped[date] = mapped_column(Date)
    resolution: Mapped[str] = mapped_column(String(16), default="open")  # domain Resolution
    done_on: Mapped[date | None] = mapped_column(Date)
    resolved_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    planned_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    since: Mapped[datetime | None] = mapped_column(UTCDateTime)
    note: Mapped[str | None] = mapped_column(String(500))
    source: Mapped[str | None] = mapped_column(String(64))
    present: Mapped[int | None] = mapped_column(Integer)  # a held meeting's attendance
    total: Mapped[int | None] = mapped_column(Integer)
    level: Mapped[str | None] = mapped_column(String(16))  # a rating's level
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime)


class LedgerState(Base):
    """How far the ledger reaches: from `start_on`, with periods opened up to `extended_through`."""

    __tablename__ = "ledger_state"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)  # always 1
    start_on: Mapped[date] = mapped_column(Date)
    extended_through: Mapped[date] = mapped_column(Date)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime)


class DigestSnapshot(Base):
    """The figures of a weekly digest as sent, frozen: later corrections are shown
    beside them, never written over them."""

    __tablename__ = "digest_snapshots"

    scope_code: Mapped[str] = mapped_column(String(64), primary_key=True)
    at: Mapped[date] = mapped_column(Date, primary_key=True)
    totals: Mapped[dict[str, Any]] = mapped_column(JSON)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime)


class HandledUpdate(Base):
    """A Telegram update whose changes are committed, written in the same transaction.

    Telegram delivers an update again when its offset was not confirmed (the bot
    died just after answering): the repeat finds its id here and changes nothing.
    Rows older than Telegram keeps updates (24 h) are pruned by the plan tick.
    """

    __tablename__ = "handled_updates"

    update_id: Mapped[int] = mapped_column(BigInteger, primary_key=True, autoincrement=False)
    handled_at: Mapped[datetime] = mapped_column(UTCDateTime, index=True)


class Directive(Base):
    """A task leadership gives units to complete and send back by a date (văn bản chỉ
    đạo có thời hạn): an action programme for a resolution, a plan, a revised rule."""

    __tablename__ = "directives"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    title: Mapped[str] = mapped_column(String(300))
    reference: Mapped[str | None] = mapped_column(String(64))  # "Số 12-KH/ĐUK"
    due_on: Mapped[date] = mapped_column(Date)
    # The issuer's unit: the directive may name units of its subtree only.
    scope_code: Mapped[str] = mapped_column(ForeignKey("units.code"))
    issued_at: Mapped[datetime] = mapped_column(UTCDateTime)
    issued_by: Mapped[int | None] = mapped_column(ForeignKey("people.id"))
    issued_by_label: Mapped[str] = mapped_column(String(100))
    document_name: Mapped[str | None] = mapped_column(String(300))
    # Telegram's id of the attached document (sent in the bot, or uploaded once by the
    # dispatcher); `document_data` holds a file given to the CLI until Telegram has it.
    document_file_id: Mapped[str | None] = mapped_column(String(300))
    document_data: Mapped[bytes | None] = mapped_column(LargeBinary)


class DirectiveTarget(Base):
    """One unit a directive names, and its confirmation with the document it sent back."""

    __tablename__ = "directive_targets"
    __table_args__ = (UniqueConstraint("directive_id", "unit_code"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    directive_id: Mapped[int] = mapped_column(
        ForeignKey("directives.id", ondelete="CASCADE"), index=True
    )
    unit_code: Mapped[str] = mapped_column(ForeignKey("units.code"), index=True)
    done_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    document_file_id: Mapped[str | None] = mapped_column(String(300))
    document_name: Mapped[str | None] = mapped_column(String(300))
    confirmed_by: Mapped[int | None] = mapped_column(ForeignKey("people.id"))


class ClusterMeeting(Base):
    """A cluster meeting (giao ban Cụm) the cluster officer calls."""

    __tablename__ = "cluster_meetings"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    cluster_code: Mapped[str] = mapped_column(ForeignKey("units.code"), index=True)
    starts_at: Mapped[datetime] = mapped_column(UTCDateTime)
    place: Mapped[str] = mapped_column(String(300))
    agenda: Mapped[str] = mapped_column(String(1000))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime)
    created_by: Mapped[int | None] = mapped_column(ForeignKey("people.id"))
    marked_at: Mapped[datetime | None] = mapped_column(UTCDateTime)  # attendance saved


class ClusterInvitation(Base):
    """A unit that must send a delegate: its answer beforehand, the officer's marking after."""

    __tablename__ = "cluster_invitations"
    __table_args__ = (UniqueConstraint("meeting_id", "unit_code"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    meeting_id: Mapped[int] = mapped_column(
        ForeignKey("cluster_meetings.id", ondelete="CASCADE"), index=True
    )
    unit_code: Mapped[str] = mapped_column(ForeignKey("units.code"), index=True)
    answer: Mapped[str | None] = mapped_column(String(16))  # "attend" or "absent"
    delegate: Mapped[str | None] = mapped_column(String(300))
    reason: Mapped[str | None] = mapped_column(String(500))
    answered_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    answered_by: Mapped[int | None] = mapped_column(ForeignKey("people.id"))
    attended: Mapped[bool | None] = mapped_column(Boolean)  # None: not marked yet
    reason_accepted: Mapped[bool | None] = mapped_column(Boolean)
    marked_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    marked_by: Mapped[int | None] = mapped_column(ForeignKey("people.id"))


class Survey(Base):
    """A cell's quarterly member survey (phiếu khảo sát): its link and when it takes answers.

    The questions are kept as they were when it opened: answers are a list in that order.
    """

    __tablename__ = "surveys"
    __table_args__ = (UniqueConstraint("unit_code", "quarter"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    unit_code: Mapped[str] = mapped_column(ForeignKey("units.code"), index=True)
    quarter: Mapped[str] = mapped_column(String(7), index=True)  # "2026-Q4"
    token: Mapped[str] = mapped_column(String(32), unique=True)  # t.me/<bot>?start=ks-<token>
    opens_on: Mapped[date] = mapped_column(Date)
    closes_on: Mapped[date] = mapped_column(Date)  # the last local day answers are taken
    questions: Mapped[list[dict[str, str]]] = mapped_column(JSON)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime)


class SurveyResponse(Base):
    """One member's answer. Who answered is not kept: `respondent_key` is an HMAC (key
    in the settings) of their Telegram id and the survey, so the same member's next
    answer replaces this one. No time is kept either (README: "Member survey")."""

    __tablename__ = "survey_responses"
    __table_args__ = (UniqueConstraint("survey_id", "respondent_key"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    survey_id: Mapped[int] = mapped_column(ForeignKey("surveys.id", ondelete="CASCADE"))
    respondent_key: Mapped[str] = mapped_column(String(64))
    answers: Mapped[list[int]] = mapped_column(JSON)
    comment: Mapped[str | None] = mapped_column(Text)


class AdmissionEntry(Base):
    """Admissions (kết nạp) and transfers in or out of a base organisation: counts only."""

    __tablename__ = "admissions"
    __table_args__ = (Index("ix_admissions_unit_on", "unit_code", "on_date"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    unit_code: Mapped[str] = mapped_column(ForeignKey("units.code"))
    kind: Mapped[str] = mapped_column(String(16))  # domain AdmissionKind value
    on_date: Mapped[date] = mapped_column(Date)
    count: Mapped[int] = mapped_column(Integer)
    recorded_at: Mapped[datetime] = mapped_column(UTCDateTime)
    recorded_by: Mapped[int | None] = mapped_column(ForeignKey("people.id"))
