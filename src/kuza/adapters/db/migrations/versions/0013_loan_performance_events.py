"""loan performance: the loan's events counted when its figures were computed

``events`` = the loan's transactions + those of them whose journal entry is reversed,
both append-only, so the number only grows: close-day recomputes a loan's figures only
when it differs (or something fell due or was dated in between), and keeps the rest.
Rows stored before this revision get -1: recomputed at the next close-day.

Revision ID: 0013_loan_performance_events
Revises: 0012_pending_action_unstick
Create Date: 2026-12-02 17:05:00
"""

import sqlalchemy as sa
from alembic import op

revision = "0013_loan_performance_events"
down_revision = "0012_pending_action_unstick"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("loan_performance", schema=None) as batch_op:
        batch_op.add_column(sa.Column("events", sa.Integer(), nullable=False, server_default="-1"))


def downgrade() -> None:
    with op.batch_alter_table("loan_performance", schema=None) as batch_op:
        batch_op.drop_column("events")
