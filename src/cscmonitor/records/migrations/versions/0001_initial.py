"""The records schema: contract, basket, inspections, finance, change requests, priorities, audit.

Revision ID: 0001
Revises:
Create Date: 2026-11-26
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0001"
down_revision = None
branch_labels = None
depends_on = None

REFUSAL = "audit_log is append-only"


def _make_audit_log_append_only() -> None:
    """Refuse UPDATE and DELETE on audit rows in the database too, whatever the client."""
    if op.get_bind().dialect.name == "postgresql":
        op.execute(
            f"""
            CREATE FUNCTION audit_log_refuse_change() RETURNS trigger AS $$
            BEGIN
                RAISE EXCEPTION '{REFUSAL}: % refused', TG_OP;
            END
            $$ LANGUAGE plpgsql
            """
        )
        op.execute(
            "CREATE TRIGGER audit_log_append_only BEFORE UPDATE OR DELETE ON audit_log "
            "FOR EACH ROW EXECUTE FUNCTION audit_log_refuse_change()"
        )
        op.execute(
            "CREATE TRIGGER audit_log_no_truncate BEFORE TRUNCATE ON audit_log "
            "FOR EACH STATEMENT EXECUTE FUNCTION audit_log_refuse_change()"
        )
        return
    for event in ("UPDATE", "DELETE"):
        op.execute(
            f"CREATE TRIGGER audit_log_no_{event.lower()} BEFORE {event} ON audit_log "
            f"BEGIN SELECT RAISE(ABORT, '{REFUSAL}: {event} refused'); END"
        )


def _allow_audit_log_changes() -> None:
    if op.get_bind().dialect.name == "postgresql":
        op.execute("DROP TRIGGER IF EXISTS audit_log_no_truncate ON audit_log")
        op.execute("DROP TRIGGER IF EXISTS audit_log_append_only ON audit_log")
        op.execute("DROP FUNCTION IF EXISTS audit_log_refuse_change()")
        return
    op.execute("DROP TRIGGER IF EXISTS audit_log_no_update")
    op.execute("DROP TRIGGER IF EXISTS audit_log_no_delete")


def upgrade() -> None:
    op.create_table(
        "audit_log",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("at", sa.DateTime(), nullable=False),
        sa.Column("actor", sa.String(length=200), nullable=False),
        sa.Column("actor_role", sa.String(length=20), nullable=True),
        sa.Column("entity", sa.String(length=60), nullable=False),
        sa.Column("entity_id", sa.String(length=40), nullable=False),
        sa.Column("action", sa.String(length=10), nullable=False),
        sa.Column("before", sa.JSON(), nullable=True),
        sa.Column("after", sa.JSON(), nullable=True),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_audit_log")),
    )
    op.create_index(op.f("ix_audit_log_at"), "audit_log", ["at"], unique=False)
    op.create_index(op.f("ix_audit_log_entity"), "audit_log", ["entity"], unique=False)
    op.create_table(
        "contracts",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("name", sa.String(length=200), nullable=False),
        sa.Column("la_code", sa.String(length=3), nullable=False),
        sa.Column("start_date", sa.Date(), nullable=False),
        sa.Column("contract_year_start_month", sa.Integer(), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_contracts")),
        sa.UniqueConstraint("name", name=op.f("uq_contracts_name")),
    )
    op.create_table(
        "budgets",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("contract_id", sa.Integer(), nullable=False),
        sa.Column("label", sa.String(length=40), nullable=False),
        sa.Column("period_start", sa.Date(), nullable=False),
        sa.Column("period_end", sa.Date(), nullable=False),
        sa.Column("status", sa.String(length=20), nullable=False),
        sa.Column("base_pence", sa.BigInteger(), nullable=True),
        sa.Column("note", sa.Text(), nullable=True),
        sa.ForeignKeyConstraint(
            ["contract_id"],
            ["contracts.id"],
            name=op.f("fk_budgets_contract_id_contracts"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_budgets")),
        sa.UniqueConstraint("contract_id", "label", name=op.f("uq_budgets_contract_id_label")),
    )
    op.create_index(op.f("ix_budgets_contract_id"), "budgets", ["contract_id"], unique=False)
    op.create_table(
        "change_requests",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("contract_id", sa.Integer(), nullable=False),
        sa.Column("reference", sa.String(length=40), nullable=False),
        sa.Column("kind", sa.String(length=30), nullable=False),
        sa.Column("title", sa.String(length=300), nullable=False),
        sa.Column("description", sa.Text(), nullable=True),
        sa.Column("state", sa.String(length=30), nullable=False),
        sa.Column("needs_statutory_direction", sa.Boolean(), nullable=False),
        sa.Column("effective_date", sa.Date(), nullable=True),
        sa.Column("proposal", sa.JSON(), nullable=True),
        sa.ForeignKeyConstraint(
            ["contract_id"],
            ["contracts.id"],
            name=op.f("fk_change_requests_contract_id_contracts"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_change_requests")),
        sa.UniqueConstraint(
            "contract_id", "reference", name=op.f("uq_change_requests_contract_id_reference")
        ),
    )
    op.create_index(
        op.f("ix_change_requests_contract_id"), "change_requests", ["contract_id"], unique=False
    )
    op.create_table(
        "commentary",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("contract_id", sa.Integer(), nullable=False),
        sa.Column("indicator", sa.String(length=40), nullable=False),
        sa.Column("period_start", sa.Date(), nullable=False),
        sa.Column("period_end", sa.Date(), nullable=False),
        sa.Column("author_role", sa.String(length=20), nullable=False),
        sa.Column("author", sa.String(length=200), nullable=False),
        sa.Column("text", sa.Text(), nullable=False),
        sa.ForeignKeyConstraint(
            ["contract_id"],
            ["contracts.id"],
            name=op.f("fk_commentary_contract_id_contracts"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_commentary")),
    )
    op.create_index(op.f("ix_commentary_contract_id"), "commentary", ["contract_id"], unique=False)
    op.create_table(
        "inspections",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("contract_id", sa.Integer(), nullable=True),
        sa.Column("la_code", sa.String(length=3), nullable=False),
        sa.Column("inspectorate", sa.String(length=30), nullable=False),
        sa.Column("framework", sa.String(length=40), nullable=False),
        sa.Column("inspection_type", sa.String(length=80), nullable=True),
        sa.Column("setting", sa.String(length=200), nullable=False),
        sa.Column("urn", sa.String(length=12), nullable=True),
        sa.Column("start_date", sa.Date(), nullable=False),
        sa.Column("end_date", sa.Date(), nullable=True),
        sa.Column("published_date", sa.Date(), nullable=True),
        sa.Column("overall", sa.String(length=60), nullable=True),
        sa.Column("theme", sa.String(length=200), nullable=True),
        sa.Column("source", sa.String(length=120), nullable=False),
        sa.ForeignKeyConstraint(
            ["contract_id"],
            ["contracts.id"],
            name=op.f("fk_inspections_contract_id_contracts"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_inspections")),
    )
    op.create_index(
        op.f("ix_inspections_contract_id"), "inspections", ["contract_id"], unique=False
    )
    op.create_index(op.f("ix_inspections_la_code"), "inspections", ["la_code"], unique=False)
    op.create_index(op.f("ix_inspections_source"), "inspections", ["source"], unique=False)
    op.create_table(
        "milestones",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("contract_id", sa.Integer(), nullable=False),
        sa.Column("position", sa.Integer(), nullable=False),
        sa.Column("kind", sa.String(length=30), nullable=False),
        sa.Column("title", sa.String(length=300), nullable=False),
        sa.Column("due_date", sa.Date(), nullable=True),
        sa.Column("status", sa.String(length=20), nullable=False),
        sa.Column("note", sa.Text(), nullable=True),
        sa.ForeignKeyConstraint(
            ["contract_id"],
            ["contracts.id"],
            name=op.f("fk_milestones_contract_id_contracts"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_milestones")),
    )
    op.create_index(op.f("ix_milestones_contract_id"), "milestones", ["contract_id"], unique=False)
    op.create_table(
        "parties",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("contract_id", sa.Integer(), nullable=False),
        sa.Column("position", sa.Integer(), nullable=False),
        sa.Column("role", sa.String(length=20), nullable=False),
        sa.Column("name", sa.String(length=200), nullable=False),
        sa.ForeignKeyConstraint(
            ["contract_id"],
            ["contracts.id"],
            name=op.f("fk_parties_contract_id_contracts"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_parties")),
        sa.UniqueConstraint("contract_id", "name", name=op.f("uq_parties_contract_id_name")),
    )
    op.create_index(op.f("ix_parties_contract_id"), "parties", ["contract_id"], unique=False)
    op.create_table(
        "priorities",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("contract_id", sa.Integer(), nullable=False),
        sa.Column("position", sa.Integer(), nullable=False),
        sa.Column("kind", sa.String(length=30), nullable=False),
        sa.Column("title", sa.String(length=300), nullable=False),
        sa.Column("description", sa.Text(), nullable=True),
        sa.Column("leads", sa.JSON(), nullable=False),
        sa.Column("funder", sa.String(length=200), nullable=True),
        sa.Column("funding_pence", sa.BigInteger(), nullable=True),
        sa.Column("from_year", sa.Integer(), nullable=True),
        sa.Column("status", sa.String(length=20), nullable=False),
        sa.ForeignKeyConstraint(
            ["contract_id"],
            ["contracts.id"],
            name=op.f("fk_priorities_contract_id_contracts"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_priorities")),
    )
    op.create_index(op.f("ix_priorities_contract_id"), "priorities", ["contract_id"], unique=False)
    op.create_table(
        "risk_share_rules",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("contract_id", sa.Integer(), nullable=False),
        sa.Column("name", sa.String(length=200), nullable=False),
        sa.Column("effective_from", sa.Date(), nullable=False),
        sa.Column("trust_overspend_cap_pence", sa.BigInteger(), nullable=True),
        sa.Column("trust_underspend_cap_pence", sa.BigInteger(), nullable=True),
        sa.ForeignKeyConstraint(
            ["contract_id"],
            ["contracts.id"],
            name=op.f("fk_risk_share_rules_contract_id_contracts"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_risk_share_rules")),
        sa.UniqueConstraint(
            "contract_id",
            "effective_from",
            name=op.f("uq_risk_share_rules_contract_id_effective_from"),
        ),
    )
    op.create_index(
        op.f("ix_risk_share_rules_contract_id"), "risk_share_rules", ["contract_id"], unique=False
    )
    op.create_table(
        "action_items",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("inspection_id", sa.Integer(), nullable=False),
        sa.Column("recommendation_number", sa.Integer(), nullable=True),
        sa.Column("action", sa.Text(), nullable=False),
        sa.Column("owner", sa.String(length=200), nullable=False),
        sa.Column("due_date", sa.Date(), nullable=False),
        sa.Column("status", sa.String(length=20), nullable=False),
        sa.Column("completed_date", sa.Date(), nullable=True),
        sa.ForeignKeyConstraint(
            ["inspection_id"],
            ["inspections.id"],
            name=op.f("fk_action_items_inspection_id_inspections"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_action_items")),
    )
    op.create_index(
        op.f("ix_action_items_inspection_id"), "action_items", ["inspection_id"], unique=False
    )
    op.create_table(
        "basket_versions",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("contract_id", sa.Integer(), nullable=False),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.Column("from_year", sa.Integer(), nullable=False),
        sa.Column("change_request_id", sa.Integer(), nullable=True),
        sa.ForeignKeyConstraint(
            ["change_request_id"],
            ["change_requests.id"],
            name=op.f("fk_basket_versions_change_request_id_change_requests"),
            ondelete="SET NULL",
        ),
        sa.ForeignKeyConstraint(
            ["contract_id"],
            ["contracts.id"],
            name=op.f("fk_basket_versions_contract_id_contracts"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_basket_versions")),
        sa.UniqueConstraint(
            "contract_id", "version", name=op.f("uq_basket_versions_contract_id_version")
        ),
    )
    op.create_index(
        op.f("ix_basket_versions_change_request_id"),
        "basket_versions",
        ["change_request_id"],
        unique=False,
    )
    op.create_index(
        op.f("ix_basket_versions_contract_id"), "basket_versions", ["contract_id"], unique=False
    )
    op.create_table(
        "budget_adjustments",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("budget_id", sa.Integer(), nullable=False),
        sa.Column("position", sa.Integer(), nullable=False),
        sa.Column("kind", sa.String(length=40), nullable=False),
        sa.Column("amount_pence", sa.BigInteger(), nullable=False),
        sa.Column("note", sa.Text(), nullable=True),
        sa.ForeignKeyConstraint(
            ["budget_id"],
            ["budgets.id"],
            name=op.f("fk_budget_adjustments_budget_id_budgets"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_budget_adjustments")),
    )
    op.create_index(
        op.f("ix_budget_adjustments_budget_id"), "budget_adjustments", ["budget_id"], unique=False
    )
    op.create_table(
        "budget_lines",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("budget_id", sa.Integer(), nullable=False),
        sa.Column("position", sa.Integer(), nullable=False),
        sa.Column("service_area", sa.String(length=200), nullable=False),
        sa.Column("amount_pence", sa.BigInteger(), nullable=False),
        sa.ForeignKeyConstraint(
            ["budget_id"],
            ["budgets.id"],
            name=op.f("fk_budget_lines_budget_id_budgets"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_budget_lines")),
    )
    op.create_index(op.f("ix_budget_lines_budget_id"), "budget_lines", ["budget_id"], unique=False)
    op.create_table(
        "change_moves",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("change_request_id", sa.Integer(), nullable=False),
        sa.Column("from_state", sa.String(length=30), nullable=False),
        sa.Column("to_state", sa.String(length=30), nullable=False),
        sa.Column("actor_role", sa.String(length=20), nullable=False),
        sa.Column("actor_name", sa.String(length=200), nullable=False),
        sa.Column("reason", sa.Text(), nullable=False),
        sa.Column("at", sa.DateTime(), nullable=False),
        sa.ForeignKeyConstraint(
            ["change_request_id"],
            ["change_requests.id"],
            name=op.f("fk_change_moves_change_request_id_change_requests"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_change_moves")),
    )
    op.create_index(
        op.f("ix_change_moves_change_request_id"),
        "change_moves",
        ["change_request_id"],
        unique=False,
    )
    op.create_table(
        "contract_variations",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("budget_id", sa.Integer(), nullable=False),
        sa.Column("change_request_id", sa.Integer(), nullable=True),
        sa.Column("amount_pence", sa.BigInteger(), nullable=False),
        sa.Column("reason", sa.Text(), nullable=False),
        sa.Column("effective_date", sa.Date(), nullable=False),
        sa.ForeignKeyConstraint(
            ["budget_id"],
            ["budgets.id"],
            name=op.f("fk_contract_variations_budget_id_budgets"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["change_request_id"],
            ["change_requests.id"],
            name=op.f("fk_contract_variations_change_request_id_change_requests"),
            ondelete="SET NULL",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_contract_variations")),
    )
    op.create_index(
        op.f("ix_contract_variations_budget_id"), "contract_variations", ["budget_id"], unique=False
    )
    op.create_index(
        op.f("ix_contract_variations_change_request_id"),
        "contract_variations",
        ["change_request_id"],
        unique=False,
    )
    op.create_table(
        "forecasts",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("budget_id", sa.Integer(), nullable=False),
        sa.Column("quarter", sa.Integer(), nullable=False),
        sa.Column("as_at", sa.Date(), nullable=False),
        sa.Column("spend_pence", sa.BigInteger(), nullable=False),
        sa.Column("note", sa.Text(), nullable=True),
        sa.ForeignKeyConstraint(
            ["budget_id"],
            ["budgets.id"],
            name=op.f("fk_forecasts_budget_id_budgets"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_forecasts")),
        sa.UniqueConstraint("budget_id", "quarter", name=op.f("uq_forecasts_budget_id_quarter")),
    )
    op.create_index(op.f("ix_forecasts_budget_id"), "forecasts", ["budget_id"], unique=False)
    op.create_table(
        "judgements",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("inspection_id", sa.Integer(), nullable=False),
        sa.Column("area", sa.String(length=60), nullable=False),
        sa.Column("judgement", sa.String(length=60), nullable=False),
        sa.ForeignKeyConstraint(
            ["inspection_id"],
            ["inspections.id"],
            name=op.f("fk_judgements_inspection_id_inspections"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_judgements")),
        sa.UniqueConstraint("inspection_id", "area", name=op.f("uq_judgements_inspection_id_area")),
    )
    op.create_index(
        op.f("ix_judgements_inspection_id"), "judgements", ["inspection_id"], unique=False
    )
    op.create_table(
        "outturns",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("budget_id", sa.Integer(), nullable=False),
        sa.Column("spend_pence", sa.BigInteger(), nullable=False),
        sa.Column("note", sa.Text(), nullable=True),
        sa.ForeignKeyConstraint(
            ["budget_id"],
            ["budgets.id"],
            name=op.f("fk_outturns_budget_id_budgets"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_outturns")),
        sa.UniqueConstraint("budget_id", name=op.f("uq_outturns_budget_id")),
    )
    op.create_table(
        "priority_milestones",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("priority_id", sa.Integer(), nullable=False),
        sa.Column("position", sa.Integer(), nullable=False),
        sa.Column("title", sa.String(length=300), nullable=False),
        sa.Column("due_date", sa.Date(), nullable=True),
        sa.Column("status", sa.String(length=20), nullable=False),
        sa.ForeignKeyConstraint(
            ["priority_id"],
            ["priorities.id"],
            name=op.f("fk_priority_milestones_priority_id_priorities"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_priority_milestones")),
    )
    op.create_index(
        op.f("ix_priority_milestones_priority_id"),
        "priority_milestones",
        ["priority_id"],
        unique=False,
    )
    op.create_table(
        "priority_updates",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("priority_id", sa.Integer(), nullable=False),
        sa.Column("on", sa.Date(), nullable=False),
        sa.Column("author", sa.String(length=200), nullable=False),
        sa.Column("note", sa.Text(), nullable=False),
        sa.ForeignKeyConstraint(
            ["priority_id"],
            ["priorities.id"],
            name=op.f("fk_priority_updates_priority_id_priorities"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_priority_updates")),
    )
    op.create_index(
        op.f("ix_priority_updates_priority_id"), "priority_updates", ["priority_id"], unique=False
    )
    op.create_table(
        "recommendations",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("inspection_id", sa.Integer(), nullable=False),
        sa.Column("number", sa.Integer(), nullable=False),
        sa.Column("text", sa.Text(), nullable=False),
        sa.ForeignKeyConstraint(
            ["inspection_id"],
            ["inspections.id"],
            name=op.f("fk_recommendations_inspection_id_inspections"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_recommendations")),
        sa.UniqueConstraint(
            "inspection_id", "number", name=op.f("uq_recommendations_inspection_id_number")
        ),
    )
    op.create_index(
        op.f("ix_recommendations_inspection_id"), "recommendations", ["inspection_id"], unique=False
    )
    op.create_table(
        "risk_share_bands",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("rule_id", sa.Integer(), nullable=False),
        sa.Column("direction", sa.String(length=20), nullable=False),
        sa.Column("position", sa.Integer(), nullable=False),
        sa.Column("up_to_pence", sa.BigInteger(), nullable=True),
        sa.Column("council_share_bp", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(
            ["rule_id"],
            ["risk_share_rules.id"],
            name=op.f("fk_risk_share_bands_rule_id_risk_share_rules"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_risk_share_bands")),
    )
    op.create_index(
        op.f("ix_risk_share_bands_rule_id"), "risk_share_bands", ["rule_id"], unique=False
    )
    op.create_table(
        "services",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("contract_id", sa.Integer(), nullable=False),
        sa.Column("name", sa.String(length=200), nullable=False),
        sa.Column("description", sa.Text(), nullable=True),
        sa.Column("in_scope_from", sa.Date(), nullable=False),
        sa.Column("in_scope_until", sa.Date(), nullable=True),
        sa.Column("change_request_id", sa.Integer(), nullable=True),
        sa.Column("ended_by_change_request_id", sa.Integer(), nullable=True),
        sa.ForeignKeyConstraint(
            ["change_request_id"],
            ["change_requests.id"],
            name=op.f("fk_services_change_request_id_change_requests"),
            ondelete="SET NULL",
        ),
        sa.ForeignKeyConstraint(
            ["contract_id"],
            ["contracts.id"],
            name=op.f("fk_services_contract_id_contracts"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["ended_by_change_request_id"],
            ["change_requests.id"],
            name=op.f("fk_services_ended_by_change_request_id_change_requests"),
            ondelete="SET NULL",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_services")),
    )
    op.create_index(
        op.f("ix_services_change_request_id"), "services", ["change_request_id"], unique=False
    )
    op.create_index(op.f("ix_services_contract_id"), "services", ["contract_id"], unique=False)
    op.create_index(
        op.f("ix_services_ended_by_change_request_id"),
        "services",
        ["ended_by_change_request_id"],
        unique=False,
    )
    op.create_table(
        "signatories",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("party_id", sa.Integer(), nullable=False),
        sa.Column("position", sa.Integer(), nullable=False),
        sa.Column("name", sa.String(length=200), nullable=False),
        sa.Column("title", sa.String(length=200), nullable=False),
        sa.ForeignKeyConstraint(
            ["party_id"],
            ["parties.id"],
            name=op.f("fk_signatories_party_id_parties"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_signatories")),
    )
    op.create_index(op.f("ix_signatories_party_id"), "signatories", ["party_id"], unique=False)
    op.create_table(
        "action_updates",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("action_item_id", sa.Integer(), nullable=False),
        sa.Column("on", sa.Date(), nullable=False),
        sa.Column("author", sa.String(length=200), nullable=False),
        sa.Column("note", sa.Text(), nullable=False),
        sa.Column("evidence", sa.Text(), nullable=True),
        sa.Column("status", sa.String(length=20), nullable=True),
        sa.ForeignKeyConstraint(
            ["action_item_id"],
            ["action_items.id"],
            name=op.f("fk_action_updates_action_item_id_action_items"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_action_updates")),
    )
    op.create_index(
        op.f("ix_action_updates_action_item_id"), "action_updates", ["action_item_id"], unique=False
    )
    op.create_table(
        "basket_entries",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("basket_version_id", sa.Integer(), nullable=False),
        sa.Column("position", sa.Integer(), nullable=False),
        sa.Column("indicator", sa.String(length=40), nullable=False),
        sa.Column("baseline", sa.Float(), nullable=True),
        sa.Column("target", sa.Float(), nullable=True),
        sa.Column("tolerance", sa.Float(), nullable=True),
        sa.Column("statistical_neighbour", sa.Float(), nullable=True),
        sa.Column("reported", sa.JSON(), nullable=True),
        sa.ForeignKeyConstraint(
            ["basket_version_id"],
            ["basket_versions.id"],
            name=op.f("fk_basket_entries_basket_version_id_basket_versions"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_basket_entries")),
        sa.UniqueConstraint(
            "basket_version_id",
            "indicator",
            name=op.f("uq_basket_entries_basket_version_id_indicator"),
        ),
    )
    op.create_index(
        op.f("ix_basket_entries_basket_version_id"),
        "basket_entries",
        ["basket_version_id"],
        unique=False,
    )
    _make_audit_log_append_only()


def downgrade() -> None:
    _allow_audit_log_changes()
    op.drop_index(op.f("ix_basket_entries_basket_version_id"), table_name="basket_entries")
    op.drop_table("basket_entries")
    op.drop_index(op.f("ix_action_updates_action_item_id"), table_name="action_updates")
    op.drop_table("action_updates")
    op.drop_index(op.f("ix_signatories_party_id"), table_name="signatories")
    op.drop_table("signatories")
    op.drop_index(op.f("ix_services_ended_by_change_request_id"), table_name="services")
    op.drop_index(op.f("ix_services_contract_id"), table_name="services")
    op.drop_index(op.f("ix_services_change_request_id"), table_name="services")
    op.drop_table("services")
    op.drop_index(op.f("ix_risk_share_bands_rule_id"), table_name="risk_share_bands")
    op.drop_table("risk_share_bands")
    op.drop_index(op.f("ix_recommendations_inspection_id"), table_name="recommendations")
    op.drop_table("recommendations")
    op.drop_index(op.f("ix_priority_updates_priority_id"), table_name="priority_updates")
    op.drop_table("priority_updates")
    op.drop_index(op.f("ix_priority_milestones_priority_id"), table_name="priority_milestones")
    op.drop_table("priority_milestones")
    op.drop_table("outturns")
    op.drop_index(op.f("ix_judgements_inspection_id"), table_name="judgements")
    op.drop_table("judgements")
    op.drop_index(op.f("ix_forecasts_budget_id"), table_name="forecasts")
    op.drop_table("forecasts")
    op.drop_index(
        op.f("ix_contract_variations_change_request_id"), table_name="contract_variations"
    )
    op.drop_index(op.f("ix_contract_variations_budget_id"), table_name="contract_variations")
    op.drop_table("contract_variations")
    op.drop_index(op.f("ix_change_moves_change_request_id"), table_name="change_moves")
    op.drop_table("change_moves")
    op.drop_index(op.f("ix_budget_lines_budget_id"), table_name="budget_lines")
    op.drop_table("budget_lines")
    op.drop_index(op.f("ix_budget_adjustments_budget_id"), table_name="budget_adjustments")
    op.drop_table("budget_adjustments")
    op.drop_index(op.f("ix_basket_versions_contract_id"), table_name="basket_versions")
    op.drop_index(op.f("ix_basket_versions_change_request_id"), table_name="basket_versions")
    op.drop_table("basket_versions")
    op.drop_index(op.f("ix_action_items_inspection_id"), table_name="action_items")
    op.drop_table("action_items")
    op.drop_index(op.f("ix_risk_share_rules_contract_id"), table_name="risk_share_rules")
    op.drop_table("risk_share_rules")
    op.drop_index(op.f("ix_priorities_contract_id"), table_name="priorities")
    op.drop_table("priorities")
    op.drop_index(op.f("ix_parties_contract_id"), table_name="parties")
    op.drop_table("parties")
    op.drop_index(op.f("ix_milestones_contract_id"), table_name="milestones")
    op.drop_table("milestones")
    op.drop_index(op.f("ix_inspections_source"), table_name="inspections")
    op.drop_index(op.f("ix_inspections_la_code"), table_name="inspections")
    op.drop_index(op.f("ix_inspections_contract_id"), table_name="inspections")
    op.drop_table("inspections")
    op.drop_index(op.f("ix_commentary_contract_id"), table_name="commentary")
    op.drop_table("commentary")
    op.drop_index(op.f("ix_change_requests_contract_id"), table_name="change_requests")
    op.drop_table("change_requests")
    op.drop_index(op.f("ix_budgets_contract_id"), table_name="budgets")
    op.drop_table("budgets")
    op.drop_table("contracts")
    op.drop_index(op.f("ix_audit_log_entity"), table_name="audit_log")
    op.drop_index(op.f("ix_audit_log_at"), table_name="audit_log")
    op.drop_table("audit_log")
