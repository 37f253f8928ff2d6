"""Change points: days from which an LA's service ran differently, where control charts rebase.

Revision ID: 0004
Revises: 0003
Create Date: 2026-12-02
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0004"
down_revision = "0003"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "change_points",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("la_code", sa.String(length=3), nullable=False),
        sa.Column("on", sa.Date(), nullable=False),
        sa.Column("label", sa.String(length=200), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_change_points")),
        sa.UniqueConstraint("la_code", "on", name=op.f("uq_change_points_la_code_on")),
    )
    op.create_index(op.f("ix_change_points_la_code"), "change_points", ["la_code"], unique=False)


def downgrade() -> None:
    op.drop_index(op.f("ix_change_points_la_code"), table_name="change_points")
    op.drop_table("change_points")
