"""Narrative: versions of the text people write in each report's named sections.

Revision ID: 0006
Revises: 0005
Create Date: 2026-12-03
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0006"
down_revision = "0005"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "narrative_texts",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("contract_id", sa.Integer(), nullable=False),
        sa.Column("report", sa.String(length=30), nullable=False),
        sa.Column("contract_year", sa.Integer(), nullable=False),
        sa.Column("quarter", sa.Integer(), nullable=False),
        sa.Column("section", sa.String(length=80), nullable=False),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.Column("text", sa.Text(), nullable=False),
        sa.Column("not_applicable", sa.Boolean(), nullable=False),
        sa.Column("author", sa.String(length=200), nullable=False),
        sa.Column("author_role", sa.String(length=20), nullable=False),
        sa.Column("at", sa.DateTime(), nullable=False),
        sa.ForeignKeyConstraint(
            ["contract_id"],
            ["contracts.id"],
            name=op.f("fk_narrative_texts_contract_id_contracts"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_narrative_texts")),
        sa.UniqueConstraint(
            "contract_id",
            "report",
            "contract_year",
            "quarter",
            "section",
            "version",
            name=op.f("uq_narrative_texts_version"),
        ),
    )
    op.create_index(op.f("ix_narrative_texts_contract_id"), "narrative_texts", ["contract_id"])


def downgrade() -> None:
    op.drop_index(op.f("ix_narrative_texts_contract_id"), table_name="narrative_texts")
    op.drop_table("narrative_texts")
