"""dashboard: a partial index of the obligations that are not on time

The Mini App's heat map counts, for a whole bloc and twelve months, the obligations
that are missing, late, excused or still pending; about one row in eight. This index
holds only those rows, with every column the count reads.

Revision ID: 0008_dashboard
Revises: 0007_survey
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0008_dashboard"
down_revision: str | None = "0007_survey"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

NOT_ON_TIME = "resolution <> 'done' OR done_on IS NULL OR done_on > due_on"


def upgrade() -> None:
    op.create_index(
        "ix_obligations_not_on_time",
        "obligations",
        ["kind", "period", "unit_code", "resolution", "due_on", "done_on"],
        unique=False,
        sqlite_where=sa.text(NOT_ON_TIME),
        postgresql_where=sa.text(NOT_ON_TIME),
    )


def downgrade() -> None:
    op.drop_index("ix_obligations_not_on_time", table_name="obligations")
