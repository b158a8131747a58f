"""directives, cluster meetings, the committee member at a meeting, outbox file refs

Revision ID: 0006_obligations
Revises: 0005
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

import storage.types

revision: str = "0006_obligations"
down_revision: str | None = "0005"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "cluster_meetings",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("cluster_code", sa.String(length=64), nullable=False),
        sa.Column("starts_at", storage.types.UTCDateTime(timezone=True), nullable=False),
        sa.Column("place", sa.String(length=300), nullable=False),
        sa.Column("agenda", sa.String(length=1000), nullable=False),
        sa.Column("created_at", storage.types.UTCDateTime(timezone=True), nullable=False),
        sa.Column("created_by", sa.Integer(), nullable=True),
        sa.Column("marked_at", storage.types.UTCDateTime(timezone=True), nullable=True),
        sa.ForeignKeyConstraint(
            ["cluster_code"], ["units.code"], name=op.f("fk_cluster_meetings_cluster_code_units")
        ),
        sa.ForeignKeyConstraint(
            ["created_by"], ["people.id"], name=op.f("fk_cluster_meetings_created_by_people")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_cluster_meetings")),
    )
    with op.batch_alter_table("cluster_meetings", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_cluster_meetings_cluster_code"), ["cluster_code"], unique=False
        )

    op.create_table(
        "directives",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("title", sa.String(length=300), nullable=False),
        sa.Column("reference", sa.String(length=64), nullable=True),
        sa.Column("due_on", sa.Date(), nullable=False),
        sa.Column("scope_code", sa.String(length=64), nullable=False),
        sa.Column("issued_at", storage.types.UTCDateTime(timezone=True), nullable=False),
        sa.Column("issued_by", sa.Integer(), nullable=True),
        sa.Column("issued_by_label", sa.String(length=100), nullable=False),
        sa.Column("document_name", sa.String(length=300), nullable=True),
        sa.Column("document_file_id", sa.String(length=300), nullable=True),
        sa.Column("document_data", sa.LargeBinary(), nullable=True),
        sa.ForeignKeyConstraint(
            ["issued_by"], ["people.id"], name=op.f("fk_directives_issued_by_people")
        ),
        sa.ForeignKeyConstraint(
            ["scope_code"], ["units.code"], name=op.f("fk_directives_scope_code_units")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_directives")),
    )
    op.create_table(
        "cluster_invitations",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("meeting_id", sa.Integer(), nullable=False),
        sa.Column("unit_code", sa.String(length=64), nullable=False),
        sa.Column("answer", sa.String(length=16), nullable=True),
        sa.Column("delegate", sa.String(length=300), nullable=True),
        sa.Column("reason", sa.String(length=500), nullable=True),
        sa.Column("answered_at", storage.types.UTCDateTime(timezone=True), nullable=True),
        sa.Column("answered_by", sa.Integer(), nullable=True),
        sa.Column("attended", sa.Boolean(), nullable=True),
        sa.Column("reason_accepted", sa.Boolean(), nullable=True),
        sa.Column("marked_at", storage.types.UTCDateTime(timezone=True), nullable=True),
        sa.Column("marked_by", sa.Integer(), nullable=True),
        sa.ForeignKeyConstraint(
            ["answered_by"], ["people.id"], name=op.f("fk_cluster_invitations_answered_by_people")
        ),
        sa.ForeignKeyConstraint(
            ["marked_by"], ["people.id"], name=op.f("fk_cluster_invitations_marked_by_people")
        ),
        sa.ForeignKeyConstraint(
            ["meeting_id"],
            ["cluster_meetings.id"],
            name=op.f("fk_cluster_invitations_meeting_id_cluster_meetings"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["unit_code"], ["units.code"], name=op.f("fk_cluster_invitations_unit_code_units")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_cluster_invitations")),
        sa.UniqueConstraint(
            "meeting_id", "unit_code", name=op.f("uq_cluster_invitations_meeting_id")
        ),
    )
    with op.batch_alter_table("cluster_invitations", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_cluster_invitations_meeting_id"), ["meeting_id"], unique=False
        )
        batch_op.create_index(
            batch_op.f("ix_cluster_invitations_unit_code"), ["unit_code"], unique=False
        )

    op.create_table(
        "directive_targets",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("directive_id", sa.Integer(), nullable=False),
        sa.Column("unit_code", sa.String(length=64), nullable=False),
        sa.Column("done_at", storage.types.UTCDateTime(timezone=True), nullable=True),
        sa.Column("document_file_id", sa.String(length=300), nullable=True),
        sa.Column("document_name", sa.String(length=300), nullable=True),
        sa.Column("confirmed_by", sa.Integer(), nullable=True),
        sa.ForeignKeyConstraint(
            ["confirmed_by"], ["people.id"], name=op.f("fk_directive_targets_confirmed_by_people")
        ),
        sa.ForeignKeyConstraint(
            ["directive_id"],
            ["directives.id"],
            name=op.f("fk_directive_targets_directive_id_directives"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["unit_code"], ["units.code"], name=op.f("fk_directive_targets_unit_code_units")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_directive_targets")),
        sa.UniqueConstraint(
            "directive_id", "unit_code", name=op.f("uq_directive_targets_directive_id")
        ),
    )
    with op.batch_alter_table("directive_targets", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_directive_targets_directive_id"), ["directive_id"], unique=False
        )
        batch_op.create_index(
            batch_op.f("ix_directive_targets_unit_code"), ["unit_code"], unique=False
        )

    with op.batch_alter_table("meeting_records", schema=None) as batch_op:
        batch_op.add_column(sa.Column("higher_attendee_code", sa.String(length=32), nullable=True))

    with op.batch_alter_table("outbox", schema=None) as batch_op:
        batch_op.add_column(sa.Column("attachment_ref", sa.String(length=64), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("outbox", schema=None) as batch_op:
        batch_op.drop_column("attachment_ref")

    with op.batch_alter_table("meeting_records", schema=None) as batch_op:
        batch_op.drop_column("higher_attendee_code")

    with op.batch_alter_table("directive_targets", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_directive_targets_unit_code"))
        batch_op.drop_index(batch_op.f("ix_directive_targets_directive_id"))

    op.drop_table("directive_targets")
    with op.batch_alter_table("cluster_invitations", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_cluster_invitations_unit_code"))
        batch_op.drop_index(batch_op.f("ix_cluster_invitations_meeting_id"))

    op.drop_table("cluster_invitations")
    op.drop_table("directives")
    with op.batch_alter_table("cluster_meetings", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_cluster_meetings_cluster_code"))

    op.drop_table("cluster_meetings")
