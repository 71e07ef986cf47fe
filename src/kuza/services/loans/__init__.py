"""The loan book on the database: products, applications with maker-checker, disbursement,
repayments (also at meetings), reschedule, write-off and recovery, and close-day. Every
command is one transaction, audited, and all money goes through the ledger."""
