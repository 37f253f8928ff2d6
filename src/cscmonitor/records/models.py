"""SQLAlchemy models of the governance records.

Codes (roles, statuses, frameworks, judgements) are text checked by the services, so a new
code needs no migration. Money is whole pence in BigInteger columns, never a float. The schema
itself is made by the Alembic migrations; `tests/records` checks the two agree.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from sqlalchemy import (
    JSON,
    BigInteger,
    Boolean,
    Date,
    DateTime,
    Float,
    ForeignKey,
    Integer,
    MetaData,
    String,
    Text,
    UniqueConstraint,
)
from sqlalchemy.orm import DeclarativeBase, Mapped, backref, mapped_column, relationship

# Named constraints, so migrations can refer to them on every database.
NAMING = {
    "ix": "ix_%(column_0_label)s",
    "uq": "uq_%(table_name)s_%(column_0_N_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}


def utcnow() -> dt.datetime:
    """Now in UTC without a zone: SQLite drops zones, so every database stores naive UTC."""
    return dt.datetime.now(dt.UTC).replace(tzinfo=None, microsecond=0)


class Base(DeclarativeBase):
    metadata = MetaData(naming_convention=NAMING)


def _parent(table: str) -> Mapped[int]:
    return mapped_column(ForeignKey(f"{table}.id", ondelete="CASCADE"), index=True)


# Contract ----------------------------------------------------------------------------------


class Contract(Base):
    __tablename__ = "contracts"

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(200), unique=True)
    la_code: Mapped[str] = mapped_column(String(3))
    start_date: Mapped[dt.date] = mapped_column(Date)
    contract_year_start_month: Mapped[int] = mapped_column(Integer)

    parties: Mapped[list[Party]] = relationship(
        back_populates="contract", cascade="all, delete-orphan", order_by="Party.position"
    )
    services: Mapped[list[Service]] = relationship(
        back_populates="contract", cascade="all, delete-orphan", order_by="Service.id"
    )
    milestones: Mapped[list[Milestone]] = relationship(
        back_populates="contract", cascade="all, delete-orphan", order_by="Milestone.position"
    )
    basket_versions: Mapped[list[BasketVersion]] = relationship(
        back_populates="contract", cascade="all, delete-orphan", order_by="BasketVersion.version"
    )
    commentary: Mapped[list[Commentary]] = relationship(
        back_populates="contract", cascade="all, delete-orphan", order_by="Commentary.id"
    )
    inspections: Mapped[list[Inspection]] = relationship(
        back_populates="contract", cascade="all, delete-orphan", order_by="Inspection.id"
    )
    risk_share_rules: Mapped[list[RiskShareRule]] = relationship(
        back_populates="contract",
        cascade="all, delete-orphan",
        order_by="RiskShareRule.effective_from",
    )
    budgets: Mapped[list[Budget]] = relationship(
        back_populates="contract", cascade="all, delete-orphan", order_by="Budget.period_start"
    )
    change_requests: Mapped[list[ChangeRequest]] = relationship(
        back_populates="contract", cascade="all, delete-orphan", order_by="ChangeRequest.id"
    )
    priorities: Mapped[list[Priority]] = relationship(
        back_populates="contract", cascade="all, delete-orphan", order_by="Priority.position"
    )


class Party(Base):
    __tablename__ = "parties"
    __table_args__ = (UniqueConstraint("contract_id", "name"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    contract_id: Mapped[int] = _parent("contracts")
    position: Mapped[int] = mapped_column(Integer)
    role: Mapped[str] = mapped_column(String(20))
    name: Mapped[str] = mapped_column(String(200))

    contract: Mapped[Contract] = relationship(back_populates="parties")
    signatories: Mapped[list[Signatory]] = relationship(
        back_populates="party", cascade="all, delete-orphan", order_by="Signatory.position"
    )


class Signatory(Base):
    __tablename__ = "signatories"

    id: Mapped[int] = mapped_column(primary_key=True)
    party_id: Mapped[int] = _parent("parties")
    position: Mapped[int] = mapped_column(Integer)
    name: Mapped[str] = mapped_column(String(200))
    title: Mapped[str] = mapped_column(String(200))

    party: Mapped[Party] = relationship(back_populates="signatories")


class Service(Base):
    """A service in the contract's scope from one date (and, once transferred out, until one)."""

    __tablename__ = "services"

    id: Mapped[int] = mapped_column(primary_key=True)
    contract_id: Mapped[int] = _parent("contracts")
    name: Mapped[str] = mapped_column(String(200))
    description: Mapped[str | None] = mapped_column(Text)
    in_scope_from: Mapped[dt.date] = mapped_column(Date)
    in_scope_until: Mapped[dt.date | None] = mapped_column(Date)
    # The approved change requests that brought the service in and took it out, when they did.
    change_request_id: Mapped[int | None] = mapped_column(
        ForeignKey("change_requests.id", ondelete="SET NULL"), index=True
    )
    ended_by_change_request_id: Mapped[int | None] = mapped_column(
        ForeignKey("change_requests.id", ondelete="SET NULL"), index=True
    )

    contract: Mapped[Contract] = relationship(back_populates="services")


class Milestone(Base):
    """A performance direction or milestone, e.g. "Ofsted: Requires Improvement by April 2016"."""

    __tablename__ = "milestones"

    id: Mapped[int] = mapped_column(primary_key=True)
    contract_id: Mapped[int] = _parent("contracts")
    position: Mapped[int] = mapped_column(Integer)
    kind: Mapped[str] = mapped_column(String(30))
    title: Mapped[str] = mapped_column(String(300))
    due_date: Mapped[dt.date | None] = mapped_column(Date)
    status: Mapped[str] = mapped_column(String(20))
    note: Mapped[str | None] = mapped_column(Text)

    contract: Mapped[Contract] = relationship(back_populates="milestones")


# Basket ------------------------------------------------------------------------------------


class BasketVersion(Base):
    """The basket from one contract year on; version 1 is the contract's, later ones approved."""

    __tablename__ = "basket_versions"
    __table_args__ = (UniqueConstraint("contract_id", "version"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    contract_id: Mapped[int] = _parent("contracts")
    version: Mapped[int] = mapped_column(Integer)
    from_year: Mapped[int] = mapped_column(Integer)
    change_request_id: Mapped[int | None] = mapped_column(
        ForeignKey("change_requests.id", ondelete="SET NULL"), index=True
    )

    contract: Mapped[Contract] = relationship(back_populates="basket_versions")
    entries: Mapped[list[BasketEntry]] = relationship(
        back_populates="basket_version",
        cascade="all, delete-orphan",
        order_by="BasketEntry.position",
    )


class BasketEntry(Base):
    __tablename__ = "basket_entries"
    __table_args__ = (UniqueConstraint("basket_version_id", "indicator"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    basket_version_id: Mapped[int] = _parent("basket_versions")
    position: Mapped[int] = mapped_column(Integer)
    indicator: Mapped[str] = mapped_column(String(40))
    # Indicator values, in the indicator's units (percentages 0–100), not money.
    baseline: Mapped[float | None] = mapped_column(Float)
    target: Mapped[float | None] = mapped_column(Float)
    tolerance: Mapped[float | None] = mapped_column(Float)
    statistical_neighbour: Mapped[float | None] = mapped_column(Float)
    reported: Mapped[dict[str, Any] | None] = mapped_column(JSON)

    basket_version: Mapped[BasketVersion] = relationship(back_populates="entries")


class Commentary(Base):
    """What the Trust or the Council wrote about one indicator in one period."""

    __tablename__ = "commentary"

    id: Mapped[int] = mapped_column(primary_key=True)
    contract_id: Mapped[int] = _parent("contracts")
    indicator: Mapped[str] = mapped_column(String(40))
    period_start: Mapped[dt.date] = mapped_column(Date)
    period_end: Mapped[dt.date] = mapped_column(Date)
    author_role: Mapped[str] = mapped_column(String(20))
    author: Mapped[str] = mapped_column(String(200))
    text: Mapped[str] = mapped_column(Text)

    contract: Mapped[Contract] = relationship(back_populates="commentary")


# Inspections -------------------------------------------------------------------------------


class Inspection(Base):
    """One inspection or visit; `contract_id` is empty for published outcomes of any LA."""

    __tablename__ = "inspections"

    id: Mapped[int] = mapped_column(primary_key=True)
    contract_id: Mapped[int | None] = mapped_column(
        ForeignKey("contracts.id", ondelete="CASCADE"), index=True
    )
    la_code: Mapped[str] = mapped_column(String(3), index=True)
    inspectorate: Mapped[str] = mapped_column(String(30))
    framework: Mapped[str] = mapped_column(String(40))
    inspection_type: Mapped[str | None] = mapped_column(String(80))
    setting: Mapped[str] = mapped_column(String(200))
    urn: Mapped[str | None] = mapped_column(String(12))
    start_date: Mapped[dt.date] = mapped_column(Date)
    end_date: Mapped[dt.date | None] = mapped_column(Date)
    published_date: Mapped[dt.date | None] = mapped_column(Date)
    overall: Mapped[str | None] = mapped_column(String(60))
    theme: Mapped[str | None] = mapped_column(String(200))
    source: Mapped[str] = mapped_column(String(120), index=True)

    contract: Mapped[Contract | None] = relationship(back_populates="inspections")
    judgements: Mapped[list[Judgement]] = relationship(
        back_populates="inspection", cascade="all, delete-orphan", order_by="Judgement.id"
    )
    recommendations: Mapped[list[Recommendation]] = relationship(
        back_populates="inspection",
        cascade="all, delete-orphan",
        order_by="Recommendation.number",
    )
    actions: Mapped[list[ActionItem]] = relationship(
        back_populates="inspection", cascade="all, delete-orphan", order_by="ActionItem.id"
    )


class Judgement(Base):
    __tablename__ = "judgements"
    __table_args__ = (UniqueConstraint("inspection_id", "area"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    inspection_id: Mapped[int] = _parent("inspections")
    area: Mapped[str] = mapped_column(String(60))
    judgement: Mapped[str] = mapped_column(String(60))

    inspection: Mapped[Inspection] = relationship(back_populates="judgements")


class Recommendation(Base):
    __tablename__ = "recommendations"
    __table_args__ = (UniqueConstraint("inspection_id", "number"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    inspection_id: Mapped[int] = _parent("inspections")
    number: Mapped[int] = mapped_column(Integer)
    text: Mapped[str] = mapped_column(Text)

    inspection: Mapped[Inspection] = relationship(back_populates="recommendations")


class ActionItem(Base):
    """An action in an inspection's action plan, usually against one recommendation."""

    __tablename__ = "action_items"

    id: Mapped[int] = mapped_column(primary_key=True)
    inspection_id: Mapped[int] = _parent("inspections")
    recommendation_number: Mapped[int | None] = mapped_column(Integer)
    action: Mapped[str] = mapped_column(Text)
    owner: Mapped[str] = mapped_column(String(200))
    due_date: Mapped[dt.date] = mapped_column(Date)
    status: Mapped[str] = mapped_column(String(20))
    completed_date: Mapped[dt.date | None] = mapped_column(Date)

    inspection: Mapped[Inspection] = relationship(back_populates="actions")
    updates: Mapped[list[ActionUpdate]] = relationship(
        back_populates="action_item", cascade="all, delete-orphan", order_by="ActionUpdate.id"
    )


class ActionUpdate(Base):
    """A progress note on an action, with the evidence that backs it."""

    __tablename__ = "action_updates"

    id: Mapped[int] = mapped_column(primary_key=True)
    action_item_id: Mapped[int] = _parent("action_items")
    on: Mapped[dt.date] = mapped_column(Date)
    author: Mapped[str] = mapped_column(String(200))
    note: Mapped[str] = mapped_column(Text)
    evidence: Mapped[str | None] = mapped_column(Text)
    # The status the action moved to with this note, if it moved.
    status: Mapped[str | None] = mapped_column(String(20))

    action_item: Mapped[ActionItem] = relationship(back_populates="updates")


# Finance -----------------------------------------------------------------------------------


class RiskShareRule(Base):
    """How an overspend or underspend is split between council and trust, in bands."""

    __tablename__ = "risk_share_rules"
    __table_args__ = (UniqueConstraint("contract_id", "effective_from"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    contract_id: Mapped[int] = _parent("contracts")
    name: Mapped[str] = mapped_column(String(200))
    effective_from: Mapped[dt.date] = mapped_column(Date)
    # The most the trust bears of an overspend / keeps of an underspend, in pence.
    trust_overspend_cap_pence: Mapped[int | None] = mapped_column(BigInteger)
    trust_underspend_cap_pence: Mapped[int | None] = mapped_column(BigInteger)

    contract: Mapped[Contract] = relationship(back_populates="risk_share_rules")
    bands: Mapped[list[RiskShareBand]] = relationship(
        back_populates="rule", cascade="all, delete-orphan", order_by="RiskShareBand.position"
    )


class RiskShareBand(Base):
    """The council's share of the variance up to `up_to_pence` (None: all the rest)."""

    __tablename__ = "risk_share_bands"

    id: Mapped[int] = mapped_column(primary_key=True)
    rule_id: Mapped[int] = _parent("risk_share_rules")
    direction: Mapped[str] = mapped_column(String(20))
    position: Mapped[int] = mapped_column(Integer)
    up_to_pence: Mapped[int | None] = mapped_column(BigInteger)
    # Hundredths of a percent (5000 = 50%), so shares of money stay whole-number arithmetic.
    council_share_bp: Mapped[int] = mapped_column(Integer)

    rule: Mapped[RiskShareRule] = relationship(back_populates="bands")


class Budget(Base):
    """The budget for one period (Doncaster's follow financial years), built from lines."""

    __tablename__ = "budgets"
    __table_args__ = (UniqueConstraint("contract_id", "label"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    contract_id: Mapped[int] = _parent("contracts")
    label: Mapped[str] = mapped_column(String(40))
    period_start: Mapped[dt.date] = mapped_column(Date)
    period_end: Mapped[dt.date] = mapped_column(Date)
    status: Mapped[str] = mapped_column(String(20))
    # The budget the annual-review adjustments were made to (the year before's), when given.
    base_pence: Mapped[int | None] = mapped_column(BigInteger)
    note: Mapped[str | None] = mapped_column(Text)

    contract: Mapped[Contract] = relationship(back_populates="budgets")
    lines: Mapped[list[BudgetLine]] = relationship(
        back_populates="budget", cascade="all, delete-orphan", order_by="BudgetLine.position"
    )
    adjustments: Mapped[list[BudgetAdjustment]] = relationship(
        back_populates="budget",
        cascade="all, delete-orphan",
        order_by="BudgetAdjustment.position",
    )
    forecasts: Mapped[list[Forecast]] = relationship(
        back_populates="budget", cascade="all, delete-orphan", order_by="Forecast.quarter"
    )
    outturn: Mapped[Outturn | None] = relationship(
        back_populates="budget", cascade="all, delete-orphan"
    )
    variations: Mapped[list[ContractVariation]] = relationship(
        back_populates="budget", cascade="all, delete-orphan", order_by="ContractVariation.id"
    )


class BudgetLine(Base):
    __tablename__ = "budget_lines"

    id: Mapped[int] = mapped_column(primary_key=True)
    budget_id: Mapped[int] = _parent("budgets")
    position: Mapped[int] = mapped_column(Integer)
    service_area: Mapped[str] = mapped_column(String(200))
    amount_pence: Mapped[int] = mapped_column(BigInteger)

    budget: Mapped[Budget] = relationship(back_populates="lines")


class BudgetAdjustment(Base):
    """An annual-review adjustment (pay or price inflation, law, demand, savings)."""

    __tablename__ = "budget_adjustments"

    id: Mapped[int] = mapped_column(primary_key=True)
    budget_id: Mapped[int] = _parent("budgets")
    position: Mapped[int] = mapped_column(Integer)
    kind: Mapped[str] = mapped_column(String(40))
    amount_pence: Mapped[int] = mapped_column(BigInteger)
    note: Mapped[str | None] = mapped_column(Text)

    budget: Mapped[Budget] = relationship(back_populates="adjustments")


class Forecast(Base):
    """A quarter's forecast outturn: what the year is expected to cost in the end."""

    __tablename__ = "forecasts"
    __table_args__ = (UniqueConstraint("budget_id", "quarter"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    budget_id: Mapped[int] = _parent("budgets")
    quarter: Mapped[int] = mapped_column(Integer)
    as_at: Mapped[dt.date] = mapped_column(Date)
    spend_pence: Mapped[int] = mapped_column(BigInteger)
    note: Mapped[str | None] = mapped_column(Text)

    budget: Mapped[Budget] = relationship(back_populates="forecasts")


class Outturn(Base):
    __tablename__ = "outturns"

    id: Mapped[int] = mapped_column(primary_key=True)
    budget_id: Mapped[int] = mapped_column(
        ForeignKey("budgets.id", ondelete="CASCADE"), unique=True
    )
    spend_pence: Mapped[int] = mapped_column(BigInteger)
    note: Mapped[str | None] = mapped_column(Text)

    budget: Mapped[Budget] = relationship(back_populates="outturn")


class ContractVariation(Base):
    """Money added to (or taken from) a budget by an approved change request."""

    __tablename__ = "contract_variations"

    id: Mapped[int] = mapped_column(primary_key=True)
    budget_id: Mapped[int] = _parent("budgets")
    change_request_id: Mapped[int | None] = mapped_column(
        ForeignKey("change_requests.id", ondelete="SET NULL"), index=True
    )
    amount_pence: Mapped[int] = mapped_column(BigInteger)
    reason: Mapped[str] = mapped_column(Text)
    effective_date: Mapped[dt.date] = mapped_column(Date)

    budget: Mapped[Budget] = relationship(back_populates="variations")


# Change requests ---------------------------------------------------------------------------


class ChangeRequest(Base):
    """A notifiable change or contract variation, moving through the workflow in `changes`."""

    __tablename__ = "change_requests"
    __table_args__ = (UniqueConstraint("contract_id", "reference"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    contract_id: Mapped[int] = _parent("contracts")
    reference: Mapped[str] = mapped_column(String(40))
    kind: Mapped[str] = mapped_column(String(30))
    title: Mapped[str] = mapped_column(String(300))
    description: Mapped[str | None] = mapped_column(Text)
    state: Mapped[str] = mapped_column(String(30))
    needs_statutory_direction: Mapped[bool] = mapped_column(Boolean, default=False)
    effective_date: Mapped[dt.date | None] = mapped_column(Date)
    # What the change does once approved, by kind; checked by `changes` (pence for money).
    proposal: Mapped[dict[str, Any] | None] = mapped_column(JSON)

    contract: Mapped[Contract] = relationship(back_populates="change_requests")
    moves: Mapped[list[ChangeMove]] = relationship(
        back_populates="change_request", cascade="all, delete-orphan", order_by="ChangeMove.id"
    )


class ChangeMove(Base):
    """One move of a change request: who made it, as which party, when and why."""

    __tablename__ = "change_moves"

    id: Mapped[int] = mapped_column(primary_key=True)
    change_request_id: Mapped[int] = _parent("change_requests")
    from_state: Mapped[str] = mapped_column(String(30))
    to_state: Mapped[str] = mapped_column(String(30))
    actor_role: Mapped[str] = mapped_column(String(20))
    actor_name: Mapped[str] = mapped_column(String(200))
    reason: Mapped[str] = mapped_column(Text)
    at: Mapped[dt.datetime] = mapped_column(DateTime)

    change_request: Mapped[ChangeRequest] = relationship(back_populates="moves")


# Priorities, joint focus and innovation ----------------------------------------------------


class Priority(Base):
    """A strategic priority, an area of joint focus or a funded innovation project."""

    __tablename__ = "priorities"

    id: Mapped[int] = mapped_column(primary_key=True)
    contract_id: Mapped[int] = _parent("contracts")
    position: Mapped[int] = mapped_column(Integer)
    kind: Mapped[str] = mapped_column(String(30))
    title: Mapped[str] = mapped_column(String(300))
    description: Mapped[str | None] = mapped_column(Text)
    leads: Mapped[list[str]] = mapped_column(JSON)
    funder: Mapped[str | None] = mapped_column(String(200))
    funding_pence: Mapped[int | None] = mapped_column(BigInteger)
    from_year: Mapped[int | None] = mapped_column(Integer)
    status: Mapped[str] = mapped_column(String(20))

    contract: Mapped[Contract] = relationship(back_populates="priorities")
    milestones: Mapped[list[PriorityMilestone]] = relationship(
        back_populates="priority",
        cascade="all, delete-orphan",
        order_by="PriorityMilestone.position",
    )
    updates: Mapped[list[PriorityUpdate]] = relationship(
        back_populates="priority", cascade="all, delete-orphan", order_by="PriorityUpdate.id"
    )


class PriorityMilestone(Base):
    __tablename__ = "priority_milestones"

    id: Mapped[int] = mapped_column(primary_key=True)
    priority_id: Mapped[int] = _parent("priorities")
    position: Mapped[int] = mapped_column(Integer)
    title: Mapped[str] = mapped_column(String(300))
    due_date: Mapped[dt.date | None] = mapped_column(Date)
    status: Mapped[str] = mapped_column(String(20))

    priority: Mapped[Priority] = relationship(back_populates="milestones")


class PriorityUpdate(Base):
    __tablename__ = "priority_updates"

    id: Mapped[int] = mapped_column(primary_key=True)
    priority_id: Mapped[int] = _parent("priorities")
    on: Mapped[dt.date] = mapped_column(Date)
    author: Mapped[str] = mapped_column(String(200))
    note: Mapped[str] = mapped_column(Text)

    priority: Mapped[Priority] = relationship(back_populates="updates")


# Audit -------------------------------------------------------------------------------------


class AuditEntry(Base):
    """One create, change or delete of a record; written by `audit`, never changed."""

    __tablename__ = "audit_log"

    id: Mapped[int] = mapped_column(primary_key=True)
    at: Mapped[dt.datetime] = mapped_column(DateTime, index=True)
    actor: Mapped[str] = mapped_column(String(200))
    actor_role: Mapped[str | None] = mapped_column(String(20))
    entity: Mapped[str] = mapped_column(String(60), index=True)
    entity_id: Mapped[str] = mapped_column(String(40))
    action: Mapped[str] = mapped_column(String(10))
    before: Mapped[dict[str, Any] | None] = mapped_column(JSON)
    after: Mapped[dict[str, Any] | None] = mapped_column(JSON)
    # The hash chain (see `audit`): the previous row's hash, and this row's.
    prev_hash: Mapped[str] = mapped_column(String(64))
    row_hash: Mapped[str] = mapped_column(String(64))


class AuditHead(Base):
    """The newest audit row's id and hash: one row, updated with every append, so rows
    removed from the end of the log are found."""

    __tablename__ = "audit_head"

    id: Mapped[int] = mapped_column(primary_key=True)
    last_id: Mapped[int] = mapped_column(Integer)
    last_hash: Mapped[str] = mapped_column(String(64))


# Change points -----------------------------------------------------------------------------


class ChangePoint(Base):
    """A day from which an LA's service ran differently (a restructure, a new model of work).

    Control charts start a new phase there, with limits of its own (docs/spc.md). A contract's
    start is one too, without being entered here.
    """

    __tablename__ = "change_points"
    __table_args__ = (UniqueConstraint("la_code", "on"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    la_code: Mapped[str] = mapped_column(String(3), index=True)
    on: Mapped[dt.date] = mapped_column(Date)
    label: Mapped[str] = mapped_column(String(200))


# Forecasting (docs/forecast.md) ------------------------------------------------------------


class UnitCost(Base):
    """A weekly placement cost by category and provider type, from a date, with inflation.

    A new rate is a new row from its date, so earlier rates stay for the forecasts made
    with them; re-importing a rate for the same date changes it (the audit log keeps the old).
    """

    __tablename__ = "unit_costs"
    __table_args__ = (UniqueConstraint("la_code", "category", "provider", "effective_from"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    la_code: Mapped[str] = mapped_column(String(10), index=True)
    category: Mapped[str] = mapped_column(String(20))
    # A PLACE_PROVIDER code (PR0–PR5), or "all" for every provider without a rate of its own.
    provider: Mapped[str] = mapped_column(String(10))
    effective_from: Mapped[dt.date] = mapped_column(Date)
    weekly_pence: Mapped[int] = mapped_column(BigInteger)
    # Yearly inflation after effective_from, hundredths of a percent (300 = 3% a year).
    inflation_bp: Mapped[int] = mapped_column(Integer)
    source: Mapped[str | None] = mapped_column(String(200))
    recorded_at: Mapped[dt.datetime] = mapped_column(DateTime, default=utcnow)


class ForecastScenario(Base):
    """A named set of adjustments to the forecast, with who made it and on which snapshot."""

    __tablename__ = "forecast_scenarios"
    __table_args__ = (UniqueConstraint("la_code", "name"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    la_code: Mapped[str] = mapped_column(String(10), index=True)
    name: Mapped[str] = mapped_column(String(100))
    adjustments: Mapped[dict[str, Any]] = mapped_column(JSON)
    snapshot_id: Mapped[str] = mapped_column(String(20))
    created_by: Mapped[str] = mapped_column(String(200))
    created_at: Mapped[dt.datetime] = mapped_column(DateTime, default=utcnow)
    note: Mapped[str | None] = mapped_column(Text)


class ModelledForecast(Base):
    """A budget line's forecast outturn computed by the forecast model, never typed:
    spend to date plus the simulated rest of the year, with its intervals."""

    __tablename__ = "modelled_forecasts"

    id: Mapped[int] = mapped_column(primary_key=True)
    budget_id: Mapped[int] = _parent("budgets")
    service_area: Mapped[str] = mapped_column(String(200))
    as_at: Mapped[dt.date] = mapped_column(Date)
    scenario: Mapped[str | None] = mapped_column(String(100))
    snapshot_id: Mapped[str] = mapped_column(String(20))
    spent_to_date_pence: Mapped[int] = mapped_column(BigInteger)
    spend_pence: Mapped[int] = mapped_column(BigInteger)  # the forecast outturn (median)
    lower80_pence: Mapped[int] = mapped_column(BigInteger)
    upper80_pence: Mapped[int] = mapped_column(BigInteger)
    lower95_pence: Mapped[int] = mapped_column(BigInteger)
    upper95_pence: Mapped[int] = mapped_column(BigInteger)
    created_by: Mapped[str] = mapped_column(String(200))
    created_at: Mapped[dt.datetime] = mapped_column(DateTime, default=utcnow)


# Narrative (docs/reports.md, "People's words") --------------------------------------------


class NarrativeText(Base):
    """One version of a report section's text, as people wrote it: never changed, only
    followed by a newer version (`records.narrative`); the newest is the section's text."""

    __tablename__ = "narrative_texts"
    __table_args__ = (
        UniqueConstraint(
            "contract_id",
            "report",
            "contract_year",
            "quarter",
            "section",
            "version",
            name="uq_narrative_texts_version",
        ),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    contract_id: Mapped[int] = _parent("contracts")
    report: Mapped[str] = mapped_column(String(30))  # a narrative_sections.ReportKind
    contract_year: Mapped[int] = mapped_column(Integer)
    # 1–4 for a quarter's pack; 0 for a report on the whole contract year.
    quarter: Mapped[int] = mapped_column(Integer)
    section: Mapped[str] = mapped_column(String(80))
    version: Mapped[int] = mapped_column(Integer)
    # Simple Markdown (paragraphs, lists, emphasis, links); empty when cleared or not applicable.
    text: Mapped[str] = mapped_column(Text)
    not_applicable: Mapped[bool] = mapped_column(Boolean, default=False)
    author: Mapped[str] = mapped_column(String(200))
    author_role: Mapped[str] = mapped_column(String(20))  # the party: council or trust
    at: Mapped[dt.datetime] = mapped_column(DateTime, default=utcnow)

    # A backref, so the contract's removal removes (and audits) its narrative too.
    contract: Mapped[Contract] = relationship(
        backref=backref("narrative", cascade="all, delete-orphan", order_by="NarrativeText.id")
    )


# Report editions and sign-off (docs/reports.md, "Editions and sign-off") --------------------


class ReportEdition(Base):
    """One edition of a report: drafted, submitted by the Trust, agreed by the Council, signed.

    A signed edition is frozen: the snapshot and records version it was made from, and its
    files (`EditionFile`) with their hashes. Moves are `records.editions`' table.
    """

    __tablename__ = "report_editions"
    __table_args__ = (UniqueConstraint("contract_id", "report", "year", "quarter", "number"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    contract_id: Mapped[int] = _parent("contracts")
    report: Mapped[str] = mapped_column(String(30))  # quarterly, annual, corporate-parenting
    year: Mapped[int] = mapped_column(Integer)  # the contract year
    quarter: Mapped[int | None] = mapped_column(Integer)  # quarterly reports only
    number: Mapped[int] = mapped_column(Integer)  # 1, 2, … per report
    state: Mapped[str] = mapped_column(String(20))
    mode: Mapped[str] = mapped_column(String(20))  # internal or publication
    as_at: Mapped[dt.date | None] = mapped_column(Date)  # None: the report's own date
    # Frozen at signing: the warehouse snapshot and the audit head's hash the document read.
    snapshot_id: Mapped[str | None] = mapped_column(String(20), index=True)
    records_version: Mapped[str | None] = mapped_column(String(64))
    signed_on: Mapped[dt.date | None] = mapped_column(Date)
    # [{name, title, party, party_name}]: who signed, as the letter names them.
    signatories: Mapped[list[dict[str, str]] | None] = mapped_column(JSON)
    created_by: Mapped[str] = mapped_column(String(200))
    created_at: Mapped[dt.datetime] = mapped_column(DateTime, default=utcnow)

    contract: Mapped[Contract] = relationship()
    moves: Mapped[list[EditionMove]] = relationship(
        back_populates="edition", cascade="all, delete-orphan", order_by="EditionMove.id"
    )
    files: Mapped[list[EditionFile]] = relationship(
        back_populates="edition", cascade="all, delete-orphan", order_by="EditionFile.id"
    )


class EditionMove(Base):
    """One move of an edition: from and to which state, who, in which role, when and why."""

    __tablename__ = "edition_moves"

    id: Mapped[int] = mapped_column(primary_key=True)
    edition_id: Mapped[int] = _parent("report_editions")
    from_state: Mapped[str | None] = mapped_column(String(20))  # None when it was opened
    to_state: Mapped[str] = mapped_column(String(20))
    actor_name: Mapped[str] = mapped_column(String(200))
    actor_role: Mapped[str] = mapped_column(String(20))  # records.roles.Role
    reason: Mapped[str | None] = mapped_column(Text)
    at: Mapped[dt.datetime] = mapped_column(DateTime)

    edition: Mapped[ReportEdition] = relationship(back_populates="moves")


class EditionFile(Base):
    """A frozen file of a signed edition, stored under the data directory with its hash."""

    __tablename__ = "edition_files"
    __table_args__ = (UniqueConstraint("edition_id", "format"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    edition_id: Mapped[int] = _parent("report_editions")
    format: Mapped[str] = mapped_column(String(20))  # html, pdf, docx, xlsx, document, figures
    sha256: Mapped[str] = mapped_column(String(64))
    size: Mapped[int] = mapped_column(BigInteger)
    path: Mapped[str] = mapped_column(String(300))  # relative to the data directory

    edition: Mapped[ReportEdition] = relationship(back_populates="files")
