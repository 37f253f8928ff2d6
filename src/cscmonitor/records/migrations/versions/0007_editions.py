"""Report editions and sign-off: editions, their moves and their frozen files.

Revision ID: 0007
Revises: 0005 (0006, the narrative's, once both are merged)
Create Date: 2026-12-03
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0007"
down_revision = "0006"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "report_editions",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("contract_id", sa.Integer(), nullable=False),
        sa.Column("report", sa.String(length=30), nullable=False),
        sa.Column("year", sa.Integer(), nullable=False),
        sa.Column("quarter", sa.Integer(), nullable=True),
        sa.Column("number", sa.Integer(), nullable=False),
        sa.Column("state", sa.String(length=20), nullable=False),
        sa.Column("mode", sa.String(length=20), nullable=False),
        sa.Column("as_at", sa.Date(), nullable=True),
        sa.Column("snapshot_id", sa.String(length=20), nullable=True),
        sa.Column("records_version", sa.String(length=64), nullable=True),
        sa.Column("signed_on", sa.Date(), nullable=True),
        sa.Column("signatories", sa.JSON(), nullable=True),
        sa.Column("created_by", sa.String(length=200), nullable=False),
        sa.Column("created_at", sa.DateTime(), nullable=False),
        sa.ForeignKeyConstraint(
            ["contract_id"],
            ["contracts.id"],
            name=op.f("fk_report_editions_contract_id_contracts"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_report_editions")),
        sa.UniqueConstraint(
            "contract_id",
            "report",
            "year",
            "quarter",
            "number",
            name=op.f("uq_report_editions_contract_id_report_year_quarter_number"),
        ),
    )
    op.create_index(op.f("ix_report_editions_contract_id"), "report_editions", ["contract_id"])
    op.create_index(op.f("ix_report_editions_snapshot_id"), "report_editions", ["snapshot_id"])
    op.create_table(
        "edition_moves",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("edition_id", sa.Integer(), nullable=False),
        sa.Column("from_state", sa.String(length=20), nullable=True),
        sa.Column("to_state", sa.String(length=20), nullable=False),
        sa.Column("actor_name", sa.String(length=200), nullable=False),
        sa.Column("actor_role", sa.String(length=20), nullable=False),
        sa.Column("reason", sa.Text(), nullable=True),
        sa.Column("at", sa.DateTime(), nullable=False),
        sa.ForeignKeyConstraint(
            ["edition_id"],
            ["report_editions.id"],
            name=op.f("fk_edition_moves_edition_id_report_editions"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_edition_moves")),
    )
    op.create_index(op.f("ix_edition_moves_edition_id"), "edition_moves", ["edition_id"])
    op.create_table(
        "edition_files",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("edition_id", sa.Integer(), nullable=False),
        sa.Column("format", sa.String(length=20), nullable=False),
        sa.Column("sha256", sa.String(length=64), nullable=False),
        sa.Column("size", sa.BigInteger(), nullable=False),
        sa.Column("path", sa.String(length=300), nullable=False),
        sa.ForeignKeyConstraint(
            ["edition_id"],
            ["report_editions.id"],
            name=op.f("fk_edition_files_edition_id_report_editions"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_edition_files")),
        sa.UniqueConstraint(
            "edition_id", "format", name=op.f("uq_edition_files_edition_id_format")
        ),
    )
    op.create_index(op.f("ix_edition_files_edition_id"), "edition_files", ["edition_id"])


def downgrade() -> None:
    op.drop_index(op.f("ix_edition_files_edition_id"), table_name="edition_files")
    op.drop_table("edition_files")
    op.drop_index(op.f("ix_edition_moves_edition_id"), table_name="edition_moves")
    op.drop_table("edition_moves")
    op.drop_index(op.f("ix_report_editions_snapshot_id"), table_name="report_editions")
    op.drop_index(op.f("ix_report_editions_contract_id"), table_name="report_editions")
    op.drop_table("report_editions")
