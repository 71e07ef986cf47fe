"""index savings_group.agent_id

A field agent sees the groups she runs: every list scoped to her is
``group_id IN (SELECT id FROM savings_group WHERE programme_id = … AND agent_id = …)``
(``kuza.adapters.db.scoping``). Without an index on ``agent_id`` that subquery reads all
the programme's groups (~50,000 in a country) on every page an agent opens.

Revision ID: 0018_savings_group_agent
Revises: 0017_ledger_account_fillfactor
Create Date: 2026-12-03 01:45:00
"""

from alembic import op

revision = "0018_savings_group_agent"
down_revision = "0017_ledger_account_fillfactor"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("savings_group", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_savings_group_agent_id"), ["agent_id"], unique=False)


def downgrade() -> None:
    with op.batch_alter_table("savings_group", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_savings_group_agent_id"))
