"""The contract's governance records: held by people, kept with history, rules and an audit trail.

Models are in `models`, the rules in the service modules (`contracts`, `basket`,
`inspections`, `finance`, `changes`, `priorities`), every write is audited (`audit`), and the
schema is made by the Alembic migrations in `migrations/` (`db.upgrade`). The web and reports
read plain values from `governance_views`, `governance_facts` and `money_facts`, never the models.
"""

# Importing any part of records installs the audit listeners, so no write escapes the trail.
from cscmonitor.records import audit as _audit  # noqa: F401

# And the guard that keeps signed report editions as they were signed.
from cscmonitor.records import editions as _editions  # noqa: F401
