"""loan accrual: interest earned but not yet due per external loan, by close-day

Revision ID: 0011_loan_accrual
Revises: 0010_loan_performance
Create Date: 2026-11-27 10:00:00
"""

import sqlalchemy as sa
from alembic import op

revision = "0011_loan_accrual"
down_revision = "0010_loan_performance"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "loan_accrual",
        sa.Column("loan_id", sa.Integer(), nullable=False),
        sa.Column("programme_id", sa.Integer(), nullable=False),
        sa.Column("as_of", sa.Date(), nullable=False),
        sa.Column("currency", sa.String(length=3), nullable=False),
        sa.Column("accrued_minor", sa.BigInteger(), nullable=False),
        sa.ForeignKeyConstraint(
            ["loan_id"], ["loan.id"], name=op.f("fk_loan_accrual_loan_id_loan")
        ),
        sa.ForeignKeyConstraint(
            ["programme_id"],
            ["programme.id"],
            name=op.f("fk_loan_accrual_programme_id_programme"),
        ),
        sa.PrimaryKeyConstraint("loan_id", name=op.f("pk_loan_accrual")),
    )
    with op.batch_alter_table("loan_accrual", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_loan_accrual_programme_id"), ["programme_id"], unique=False
        )


def downgrade() -> None:
    with op.batch_alter_table("loan_accrual", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_loan_accrual_programme_id"))
    op.drop_table("loan_accrual")
