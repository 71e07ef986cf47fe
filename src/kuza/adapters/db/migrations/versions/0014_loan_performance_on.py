"""loan performance: the date of the stored figures, kept once

Close-day keeps the rows of loans whose figures did not change; moving every kept row's
``as_of`` to the new date cost as much as rewriting them. The date the figures are as of
is now one row here; ``loan_performance.as_of`` says when each row was computed.

Revision ID: 0014_loan_performance_on
Revises: 0013_loan_performance_events
Create Date: 2026-12-02 17:25:00
"""

import sqlalchemy as sa
from alembic import op

revision = "0014_loan_performance_on"
down_revision = "0013_loan_performance_events"
branch_labels = None
depends_on = None


def upgrade() -> None:
    table = op.create_table(
        "loan_performance_on",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("as_of", sa.Date(), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_loan_performance_on")),
    )
    bind = op.get_bind()
    found = bind.execute(sa.text("SELECT max(as_of) FROM loan_performance")).scalar()
    if found is not None:
        op.bulk_insert(table, [{"id": 1, "as_of": found}])


def downgrade() -> None:
    op.drop_table("loan_performance_on")
