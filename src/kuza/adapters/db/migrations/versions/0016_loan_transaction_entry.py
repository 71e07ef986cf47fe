"""index loan_transaction.entry_id; room on loan_accrual's pages for in-place updates

Close-day counts, per loan, the transactions whose journal entry has been reversed: from
the few reversal entries (``journal_entry.reverses_id``, indexed) to their transactions.
Without an index on ``entry_id`` that lookup read every loan transaction (1.8 s of a
1M-loan close-day, BENCHMARKS.md ninth round). The reversal service finds a
transaction by its entry the same way.

Close-day updates the accrual of nearly every external loan every day, in place. On
PostgreSQL a page filled to 100 % leaves no room for the new row version, so every update
also wrote both index entries (163 of 2.76M updates "HOT" on the 1M book); with pages
half filled the new version goes on the same page and the indexes are left alone
(accrual 16 s -> 6.5-8 s at 1M loans). SQLite has no such setting.

Revision ID: 0016_loan_transaction_entry
Revises: 0015_portfolio_summary
Create Date: 2026-12-03 01:00:00
"""

from alembic import op

revision = "0016_loan_transaction_entry"
down_revision = "0015_portfolio_summary"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("loan_transaction", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_loan_transaction_entry_id"), ["entry_id"], unique=False
        )
    if op.get_bind().dialect.name == "postgresql":
        op.execute("ALTER TABLE loan_accrual SET (fillfactor = 50)")


def downgrade() -> None:
    if op.get_bind().dialect.name == "postgresql":
        op.execute("ALTER TABLE loan_accrual RESET (fillfactor)")
    with op.batch_alter_table("loan_transaction", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_loan_transaction_entry_id"))
