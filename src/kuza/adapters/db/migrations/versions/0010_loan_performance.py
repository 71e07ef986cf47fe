"""loan performance: per-loan repayment figures as of the last close-day

Revision ID: 0010_loan_performance
Revises: 0009_donor_scope
Create Date: 2026-11-26 16:00:00
"""

import sqlalchemy as sa
from alembic import op

revision = "0010_loan_performance"
down_revision = "0009_donor_scope"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "loan_performance",
        sa.Column("loan_id", sa.Integer(), nullable=False),
        sa.Column("programme_id", sa.Integer(), nullable=False),
        sa.Column("as_of", sa.Date(), nullable=False),
        sa.Column("fallen_due_minor", sa.BigInteger(), nullable=False),
        sa.Column("paid_on_time_minor", sa.BigInteger(), nullable=False),
        sa.Column("repaid_minor", sa.BigInteger(), nullable=False),
        sa.ForeignKeyConstraint(
            ["loan_id"], ["loan.id"], name=op.f("fk_loan_performance_loan_id_loan")
        ),
        sa.ForeignKeyConstraint(
            ["programme_id"],
            ["programme.id"],
            name=op.f("fk_loan_performance_programme_id_programme"),
        ),
        sa.PrimaryKeyConstraint("loan_id", name=op.f("pk_loan_performance")),
    )
    with op.batch_alter_table("loan_performance", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_loan_performance_programme_id"), ["programme_id"], unique=False
        )


def downgrade() -> None:
    with op.batch_alter_table("loan_performance", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_loan_performance_programme_id"))
    op.drop_table("loan_performance")
