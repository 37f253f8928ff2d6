"""Forecasting: unit costs, scenarios, and modelled forecast outturns of budget lines.

Revision ID: 0005
Revises: 0004
Create Date: 2026-12-02
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0005"
down_revision = "0004"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "unit_costs",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("la_code", sa.String(length=10), nullable=False),
        sa.Column("category", sa.String(length=20), nullable=False),
        sa.Column("provider", sa.String(length=10), nullable=False),
        sa.Column("effective_from", sa.Date(), nullable=False),
        sa.Column("weekly_pence", sa.BigInteger(), nullable=False),
        sa.Column("inflation_bp", sa.Integer(), nullable=False),
        sa.Column("source", sa.String(length=200), nullable=True),
        sa.Column("recorded_at", sa.DateTime(), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_unit_costs")),
        sa.UniqueConstraint(
            "la_code",
            "category",
            "provider",
            "effective_from",
            name=op.f("uq_unit_costs_la_code_category_provider_effective_from"),
        ),
    )
    op.create_index(op.f("ix_unit_costs_la_code"), "unit_costs", ["la_code"])
    op.create_table(
        "forecast_scenarios",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("la_code", sa.String(length=10), nullable=False),
        sa.Column("name", sa.String(length=100), nullable=False),
        sa.Column("adjustments", sa.JSON(), nullable=False),
        sa.Column("snapshot_id", sa.String(length=20), nullable=False),
        sa.Column("created_by", sa.String(length=200), nullable=False),
        sa.Column("created_at", sa.DateTime(), nullable=False),
        sa.Column("note", sa.Text(), nullable=True),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_forecast_scenarios")),
        sa.UniqueConstraint("la_code", "name", name=op.f("uq_forecast_scenarios_la_code_name")),
    )
    op.create_index(op.f("ix_forecast_scenarios_la_code"), "forecast_scenarios", ["la_code"])
    op.create_table(
        "modelled_forecasts",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("budget_id", sa.Integer(), nullable=False),
        sa.Column("service_area", sa.String(length=200), nullable=False),
        sa.Column("as_at", sa.Date(), nullable=False),
        sa.Column("scenario", sa.String(length=100), nullable=True),
        sa.Column("snapshot_id", sa.String(length=20), nullable=False),
        sa.Column("spent_to_date_pence", sa.BigInteger(), nullable=False),
        sa.Column("spend_pence", sa.BigInteger(), nullable=False),
        sa.Column("lower80_pence", sa.BigInteger(), nullable=False),
        sa.Column("upper80_pence", sa.BigInteger(), nullable=False),
        sa.Column("lower95_pence", sa.BigInteger(), nullable=False),
        sa.Column("upper95_pence", sa.BigInteger(), nullable=False),
        sa.Column("created_by", sa.String(length=200), nullable=False),
        sa.Column("created_at", sa.DateTime(), nullable=False),
        sa.ForeignKeyConstraint(
            ["budget_id"],
            ["budgets.id"],
            name=op.f("fk_modelled_forecasts_budget_id_budgets"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_modelled_forecasts")),
    )
    op.create_index(op.f("ix_modelled_forecasts_budget_id"), "modelled_forecasts", ["budget_id"])


def downgrade() -> None:
    op.drop_index(op.f("ix_modelled_forecasts_budget_id"), table_name="modelled_forecasts")
    op.drop_table("modelled_forecasts")
    op.drop_index(op.f("ix_forecast_scenarios_la_code"), table_name="forecast_scenarios")
    op.drop_table("forecast_scenarios")
    op.drop_index(op.f("ix_unit_costs_la_code"), table_name="unit_costs")
    op.drop_table("unit_costs")
