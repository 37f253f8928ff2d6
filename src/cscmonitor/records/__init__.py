"""The contract's governance records: held by people, kept with history, rules and an audit trail.

Models are in `models`, the rules in the service modules (`contracts`, `basket`,
`inspections`, `finance`, `changes`, `priorities`), every write is audited (`audit`), and the
schema is made by the Alembic migrations in `migrations/` (`db.upgrade`). The web and reports
read plain values from `governance_views`, `governance_facts` and `money_facts`, never the models.
"""

# The audit listeners and the signed-edition guard are installed by `db` (every engine and
# transaction comes from there), not here: `cscmonitor records --help` imports this package
# and must not pay for SQLAlchemy.
