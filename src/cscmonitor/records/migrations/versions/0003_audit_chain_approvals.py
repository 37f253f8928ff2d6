"""The audit log's hash chain and head; two-person approval requests.

Rows already in the log are chained in id order, as `audit.verify` walks them.

Revision ID: 0003
Revises: 0002
Create Date: 2026-12-02
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

from cscmonitor.records.audit import GENESIS, chain_hash

revision = "0003"
down_revision = "0002"
branch_labels = None
depends_on = None

REFUSAL = "audit_log is append-only"


def _sqlite() -> bool:
    return op.get_bind().dialect.name == "sqlite"


def _allow_changes(allow: bool) -> None:
    """Lift (or put back) the append-only triggers of migration 0001 around the rewrite."""
    if not _sqlite():
        verb = "DISABLE" if allow else "ENABLE"
        op.execute(f"ALTER TABLE audit_log {verb} TRIGGER audit_log_append_only")
        return
    for event in ("UPDATE", "DELETE"):
        op.execute(f"DROP TRIGGER IF EXISTS audit_log_no_{event.lower()}")
        if not allow:
            op.execute(
                f"CREATE TRIGGER audit_log_no_{event.lower()} BEFORE {event} ON audit_log "
                f"BEGIN SELECT RAISE(ABORT, '{REFUSAL}: {event} refused'); END"
            )


def _chain_existing_rows() -> str:
    connection = op.get_bind()
    log = sa.table(
        "audit_log",
        sa.column("id", sa.Integer()),
        # Typed as the model is, so the hash sees the values `audit.verify` will read.
        sa.column("at", sa.DateTime()),
        *(sa.column(c) for c in ("actor", "actor_role", "entity", "entity_id", "action")),
        sa.column("before", sa.JSON()),
        sa.column("after", sa.JSON()),
        sa.column("prev_hash"),
        sa.column("row_hash"),
    )
    previous = GENESIS
    rows = connection.execute(sa.select(log).order_by(log.c.id)).mappings().all()
    for row in rows:
        own = chain_hash(previous, row)
        connection.execute(
            sa.update(log).where(log.c.id == row["id"]).values(prev_hash=previous, row_hash=own)
        )
        previous = own
    return previous


def upgrade() -> None:
    _allow_changes(True)
    op.add_column("audit_log", sa.Column("prev_hash", sa.String(length=64), nullable=True))
    op.add_column("audit_log", sa.Column("row_hash", sa.String(length=64), nullable=True))
    last_hash = _chain_existing_rows()
    with op.batch_alter_table("audit_log") as batch:
        batch.alter_column("prev_hash", existing_type=sa.String(length=64), nullable=False)
        batch.alter_column("row_hash", existing_type=sa.String(length=64), nullable=False)
    _allow_changes(False)
    head = op.create_table(
        "audit_head",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("last_id", sa.Integer(), nullable=False),
        sa.Column("last_hash", sa.String(length=64), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_audit_head")),
    )
    last_id = op.get_bind().execute(sa.text("SELECT max(id) FROM audit_log")).scalar()
    op.bulk_insert(head, [{"id": 1, "last_id": last_id or 0, "last_hash": last_hash}])
    op.create_table(
        "approval_requests",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("kind", sa.String(length=20), nullable=False),
        sa.Column("subject", sa.String(length=80), nullable=False),
        sa.Column("detail", sa.JSON(), nullable=False),
        sa.Column("state", sa.String(length=12), nullable=False),
        sa.Column("requested_by_id", sa.Integer(), nullable=True),
        sa.Column("requested_by", sa.String(length=200), nullable=False),
        sa.Column("requested_at", sa.DateTime(), nullable=False),
        sa.Column("decided_by_id", sa.Integer(), nullable=True),
        sa.Column("decided_by", sa.String(length=200), nullable=True),
        sa.Column("decided_at", sa.DateTime(), nullable=True),
        sa.Column("reason", sa.Text(), nullable=True),
        sa.ForeignKeyConstraint(
            ["requested_by_id"],
            ["web_users.id"],
            name=op.f("fk_approval_requests_requested_by_id_web_users"),
            ondelete="SET NULL",
        ),
        sa.ForeignKeyConstraint(
            ["decided_by_id"],
            ["web_users.id"],
            name=op.f("fk_approval_requests_decided_by_id_web_users"),
            ondelete="SET NULL",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_approval_requests")),
    )
    op.create_index(
        op.f("ix_approval_requests_subject"), "approval_requests", ["subject"], unique=False
    )
    op.create_index(
        op.f("ix_approval_requests_state"), "approval_requests", ["state"], unique=False
    )


def downgrade() -> None:
    op.drop_table("approval_requests")
    op.drop_table("audit_head")
    _allow_changes(True)
    with op.batch_alter_table("audit_log") as batch:
        batch.drop_column("row_hash")
        batch.drop_column("prev_hash")
    _allow_changes(False)
