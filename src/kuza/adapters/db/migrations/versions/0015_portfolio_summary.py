"""portfolio summary: PAR buckets and repayment sums per programme and branch

Close-day writes one row per (programme, branch) in its transaction: the loans and their
outstanding principal per bucket of days late, the late loans, and the repayment sums of
``loan_performance``. The arrears page reads these rows instead of aggregating one row
per loan on every view. Filled by the next close-day (until then the page aggregates).
An index in the arrears page's order (programme, days late descending, loan) serves its
first page without sorting every late loan.

Revision ID: 0015_portfolio_summary
Revises: 0014_loan_performance_on
Create Date: 2026-12-02 21:00:00
"""

import sqlalchemy as sa
from alembic import op

revision = "0015_portfolio_summary"
down_revision = "0014_loan_performance_on"
branch_labels = None
depends_on = None

BUCKETS = ("current", "par1", "par30", "par90")


def upgrade() -> None:
    op.create_table(
        "portfolio_summary",
        sa.Column("programme_id", sa.Integer(), nullable=False),
        sa.Column("branch_id", sa.Integer(), nullable=False),
        sa.Column("as_of", sa.Date(), nullable=False),
        *[
            column
            for bucket in BUCKETS
            for column in (
                sa.Column(f"{bucket}_loans", sa.Integer(), nullable=False),
                sa.Column(f"{bucket}_minor", sa.BigInteger(), nullable=False),
            )
        ],
        sa.Column("counted_loans", sa.Integer(), nullable=False),
        sa.Column("fallen_due_minor", sa.BigInteger(), nullable=False),
        sa.Column("paid_on_time_minor", sa.BigInteger(), nullable=False),
        sa.Column("repaid_minor", sa.BigInteger(), nullable=False),
        sa.ForeignKeyConstraint(
            ["branch_id"], ["branch.id"], name=op.f("fk_portfolio_summary_branch_id_branch")
        ),
        sa.ForeignKeyConstraint(
            ["programme_id"],
            ["programme.id"],
            name=op.f("fk_portfolio_summary_programme_id_programme"),
        ),
        sa.PrimaryKeyConstraint("programme_id", "branch_id", name=op.f("pk_portfolio_summary")),
    )
    op.create_index(
        "ix_loan_arrears_page",
        "loan_arrears",
        ["programme_id", sa.text("days_past_due DESC"), "loan_id"],
    )


def downgrade() -> None:
    op.drop_index("ix_loan_arrears_page", table_name="loan_arrears")
    op.drop_table("portfolio_summary")
