"""room on ledger_account's pages for in-place balance updates (PostgreSQL)

Every posting moves the running balance of each account it touches
(``ledger_account.balance_minor``) in the same transaction. On pages filled to 100 % the
new row version goes to another page and every index of the table gets a new entry;
with 30 % of each page left free (``fillfactor = 70``) the version stays on its page
("HOT") and the indexes are left alone. SQLite has no such setting.

Revision ID: 0017_ledger_account_fillfactor
Revises: 0016_loan_transaction_entry
Create Date: 2026-12-03 01:15:00
"""

from alembic import op

revision = "0017_ledger_account_fillfactor"
down_revision = "0016_loan_transaction_entry"
branch_labels = None
depends_on = None


def upgrade() -> None:
    if op.get_bind().dialect.name == "postgresql":
        op.execute("ALTER TABLE ledger_account SET (fillfactor = 70)")


def downgrade() -> None:
    if op.get_bind().dialect.name == "postgresql":
        op.execute("ALTER TABLE ledger_account RESET (fillfactor)")
