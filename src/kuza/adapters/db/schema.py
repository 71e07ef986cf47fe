"""Table definitions (SQLAlchemy Core). Alembic migrations create them; nothing calls
``create_all`` outside tests of the migrations themselves.

Money is stored as BIGINT minor units next to a CHAR(3) ISO currency. Every table below
the root ``programme`` has ``programme_id``: the tenancy and future distribution key.
"""

from __future__ import annotations

from sqlalchemy import (
    JSON,
    BigInteger,
    Boolean,
    CheckConstraint,
    Column,
    Date,
    DateTime,
    ForeignKey,
    Index,
    Integer,
    MetaData,
    Numeric,
    String,
    Table,
    Text,
    UniqueConstraint,
    func,
)

metadata = MetaData(
    naming_convention={
        "ix": "ix_%(column_0_label)s",
        "uq": "uq_%(table_name)s_%(column_0_name)s",
        "ck": "ck_%(table_name)s_%(constraint_name)s",
        "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
        "pk": "pk_%(table_name)s",
    }
)


def _id() -> Column[int]:
    return Column("id", Integer, primary_key=True, autoincrement=True)


def _programme() -> Column[int]:
    return Column("programme_id", Integer, ForeignKey("programme.id"), nullable=False, index=True)


programme = Table(
    "programme",
    metadata,
    _id(),
    Column("code", String(40), nullable=False, unique=True),
    Column("name", String(200), nullable=False),
    Column("country", String(2), nullable=False),
    Column("currency", String(3), nullable=False),
    Column("settings", JSON, nullable=False, default=dict),
)

branch = Table(
    "branch",
    metadata,
    _id(),
    _programme(),
    Column("name", String(200), nullable=False),
)

field_agent = Table(
    "field_agent",
    metadata,
    _id(),
    _programme(),
    Column("branch_id", Integer, ForeignKey("branch.id"), nullable=False),
    Column("name", String(200), nullable=False),
    Column("phone", String(40)),
)

partner = Table(
    "partner",
    metadata,
    _id(),
    _programme(),
    Column("name", String(200), nullable=False),
    Column("kind", String(40), nullable=False),
)

savings_group = Table(
    "savings_group",
    metadata,
    _id(),
    _programme(),
    Column("branch_id", Integer, ForeignKey("branch.id"), nullable=False, index=True),
    Column("agent_id", Integer, ForeignKey("field_agent.id"), index=True),
    Column("name", String(200), nullable=False),
    Column("village", String(200)),
    Column("formed_on", Date, nullable=False),
    Column("status", String(20), nullable=False),
    Column("frequency", String(20), nullable=False),
    Column("first_meeting_on", Date, nullable=False),
    Column("currency", String(3), nullable=False),
    Column("compulsory_saving_minor", BigInteger, nullable=False),
    Column("share_out_rule", String(20), nullable=False),
    Column("share_value_minor", BigInteger),
    Column("cycle_number", Integer, nullable=False, default=1),
    Column("cycle_started_on", Date, nullable=False),
)

group_status_event = Table(
    "group_status_event",
    metadata,
    _id(),
    _programme(),
    Column("group_id", Integer, ForeignKey("savings_group.id"), nullable=False, index=True),
    Column("status", String(20), nullable=False),
    Column("on_date", Date, nullable=False),
    Column("note", Text, nullable=False, default=""),
)

meeting_move = Table(
    "meeting_move",
    metadata,
    _id(),
    _programme(),
    Column("group_id", Integer, ForeignKey("savings_group.id"), nullable=False, index=True),
    Column("nominal_on", Date, nullable=False),
    Column("moved_to", Date, nullable=False),
    Column("reason", Text, nullable=False, default=""),
    UniqueConstraint("group_id", "nominal_on"),
)

member = Table(
    "member",
    metadata,
    _id(),
    _programme(),
    Column("branch_id", Integer, ForeignKey("branch.id"), nullable=False, index=True),
    Column("name", String(200), nullable=False),
    Column("sex", String(1), nullable=False),
    Column("birth_year", Integer),
    Column("household_size", Integer, nullable=False),
    Column("literate", Boolean, nullable=False),
    Column("phone", String(40)),
    Column("consent_on", Date),
)

membership = Table(
    "membership",
    metadata,
    _id(),
    _programme(),
    Column("group_id", Integer, ForeignKey("savings_group.id"), nullable=False, index=True),
    Column("member_id", Integer, ForeignKey("member.id"), nullable=False, index=True),
    Column("joined_on", Date, nullable=False),
    Column("left_on", Date),
    Column("leave_reason", Text),
    Column("payout_entry_id", Integer, ForeignKey("journal_entry.id")),
)

officer_term = Table(
    "officer_term",
    metadata,
    _id(),
    _programme(),
    Column("group_id", Integer, ForeignKey("savings_group.id"), nullable=False, index=True),
    Column("member_id", Integer, ForeignKey("member.id"), nullable=False),
    Column("role", String(20), nullable=False),
    Column("started_on", Date, nullable=False),
    Column("ended_on", Date),
)

ledger_account = Table(
    "ledger_account",
    metadata,
    _id(),
    _programme(),
    Column("code", String(8), nullable=False),
    Column("group_id", Integer, ForeignKey("savings_group.id")),
    Column("member_id", Integer, ForeignKey("member.id")),
    Column("currency", String(3), nullable=False),
    # Running balance (debit-positive), maintained in the same transaction as the lines;
    # `kuza ledger check` proves it equals the sum of the lines.
    Column("balance_minor", BigInteger, nullable=False, default=0),
    Index("ix_ledger_account_group_code", "group_id", "code"),
)

# One account per key. group_id/member_id are NULL on programme-wide accounts, and NULLs
# never collide in a plain UNIQUE constraint, so the unique index is on COALESCE (this
# works the same on SQLite and PostgreSQL).
Index(
    "uq_ledger_account_key",
    ledger_account.c.programme_id,
    ledger_account.c.code,
    func.coalesce(ledger_account.c.group_id, 0),
    func.coalesce(ledger_account.c.member_id, 0),
    unique=True,
)

journal_entry = Table(
    "journal_entry",
    metadata,
    _id(),
    _programme(),
    Column("posted_on", Date, nullable=False),
    Column("memo", Text, nullable=False),
    Column("source", String(100), nullable=False, default=""),
    Column("reverses_id", Integer, ForeignKey("journal_entry.id"), unique=True),
    Column("idempotency_key", String(200)),
    Column("created_at", DateTime(timezone=True), nullable=False),
    Column("created_by", String(100), nullable=False),
    UniqueConstraint("programme_id", "idempotency_key", name="uq_journal_entry_key"),
    Index("ix_journal_entry_source", "source"),
)

journal_line = Table(
    "journal_line",
    metadata,
    Column("id", BigInteger().with_variant(Integer, "sqlite"), primary_key=True),
    _programme(),
    Column("entry_id", Integer, ForeignKey("journal_entry.id"), nullable=False, index=True),
    Column("account_id", Integer, ForeignKey("ledger_account.id"), nullable=False, index=True),
    Column("amount_minor", BigInteger, nullable=False),
    Column("currency", String(3), nullable=False),
    Column("memo", Text, nullable=False, default=""),
    CheckConstraint("amount_minor <> 0", name="nonzero"),
)

meeting = Table(
    "meeting",
    metadata,
    _id(),
    _programme(),
    Column("group_id", Integer, ForeignKey("savings_group.id"), nullable=False),
    Column("held_on", Date, nullable=False),
    Column("cycle_number", Integer, nullable=False),
    Column("content_hash", String(64), nullable=False),
    Column("entry_id", Integer, ForeignKey("journal_entry.id")),
    # posted -> superseded (its entry reversed by a correction); rows are never deleted.
    Column("status", String(20), nullable=False),
    Column("notes", Text, nullable=False, default=""),
    Column("posted_at", DateTime(timezone=True), nullable=False),
    Column("posted_by", String(100), nullable=False),
    Index("ix_meeting_group_held", "group_id", "held_on"),
)

meeting_line = Table(
    "meeting_line",
    metadata,
    _id(),
    _programme(),
    Column("meeting_id", Integer, ForeignKey("meeting.id"), nullable=False, index=True),
    Column("member_id", Integer, ForeignKey("member.id"), nullable=False),
    Column("present", Boolean, nullable=False),
    Column("compulsory_minor", BigInteger, nullable=False),
    Column("voluntary_minor", BigInteger, nullable=False),
    Column("social_minor", BigInteger, nullable=False),
    Column("fines_minor", BigInteger, nullable=False),
    Column("withdrawal_minor", BigInteger, nullable=False),
    Column("social_payout_minor", BigInteger, nullable=False),
)

share_out = Table(
    "share_out",
    metadata,
    _id(),
    _programme(),
    Column("group_id", Integer, ForeignKey("savings_group.id"), nullable=False, index=True),
    Column("cycle_number", Integer, nullable=False),
    Column("on_date", Date, nullable=False),
    Column("rule", String(20), nullable=False),
    Column("fund_minor", BigInteger, nullable=False),
    Column("currency", String(3), nullable=False),
    Column("entry_id", Integer, ForeignKey("journal_entry.id"), nullable=False),
    UniqueConstraint("group_id", "cycle_number", name="uq_share_out_cycle"),
)

share_out_line = Table(
    "share_out_line",
    metadata,
    _id(),
    _programme(),
    Column("share_out_id", Integer, ForeignKey("share_out.id"), nullable=False, index=True),
    Column("member_id", Integer, ForeignKey("member.id"), nullable=False),
    Column("savings_minor", BigInteger, nullable=False),
    Column("income_minor", BigInteger, nullable=False),
    Column("payout_minor", BigInteger, nullable=False),
    Column("shares", BigInteger),
)

audit_log = Table(
    "audit_log",
    metadata,
    Column("id", BigInteger().with_variant(Integer, "sqlite"), primary_key=True),
    # Empty for changes above any programme (admin accounts); migration 0007.
    Column("programme_id", Integer, ForeignKey("programme.id"), nullable=True, index=True),
    Column("at", DateTime(timezone=True), nullable=False),
    Column("actor", String(100), nullable=False),
    Column("action", String(60), nullable=False),
    Column("object_kind", String(40), nullable=False),
    Column("object_id", String(60), nullable=False),
    Column("before", JSON),
    Column("after", JSON),
)

# Login accounts. programme_id is empty only for admins; agent_id links a field agent's
# login to the field_agent whose groups she sees (see kuza.domain.access).
user_account = Table(
    "user_account",
    metadata,
    _id(),
    Column("programme_id", Integer, ForeignKey("programme.id"), index=True),
    Column("branch_id", Integer, ForeignKey("branch.id")),
    Column("agent_id", Integer, ForeignKey("field_agent.id")),
    Column("username", String(60), nullable=False, unique=True),
    Column("display_name", String(200), nullable=False),
    Column("role", String(20), nullable=False),
    Column("password_hash", String(200), nullable=False),
    Column("active", Boolean, nullable=False, default=True),
    Column("locale", String(10), nullable=False, default="en"),
    Column("created_at", DateTime(timezone=True), nullable=False),
)

# --- Stage 2: training (issue 5) ------------------------------------------------------
training_module = Table(
    "training_module",
    metadata,
    _id(),
    _programme(),
    Column("code", String(60), nullable=False),
    Column("name", String(200), nullable=False),
    Column("category", String(20), nullable=False),
    Column("expected_hours", Numeric(6, 2), nullable=False),
    Column("material_format", String(20), nullable=False),
    UniqueConstraint("programme_id", "code", name="uq_training_module_code"),
)

training_session = Table(
    "training_session",
    metadata,
    _id(),
    _programme(),
    Column("group_id", Integer, ForeignKey("savings_group.id"), nullable=False, index=True),
    Column("module_id", Integer, ForeignKey("training_module.id"), nullable=False, index=True),
    Column("trainer", String(200), nullable=False),
    Column("held_on", Date, nullable=False),
    Column("hours", Numeric(5, 2), nullable=False),
)

training_attendance = Table(
    "training_attendance",
    metadata,
    _id(),
    _programme(),
    Column("session_id", Integer, ForeignKey("training_session.id"), nullable=False, index=True),
    Column("member_id", Integer, ForeignKey("member.id"), nullable=False, index=True),
    Column("present", Boolean, nullable=False),
    UniqueConstraint("session_id", "member_id", name="uq_training_attendance_member"),
)

# A group's entry into a programme stage (2 = training ...), with the gate's evidence.
group_stage = Table(
    "group_stage",
    metadata,
    _id(),
    _programme(),
    Column("group_id", Integer, ForeignKey("savings_group.id"), nullable=False, index=True),
    Column("stage", Integer, nullable=False),
    Column("entered_on", Date, nullable=False),
    Column("evidence", JSON),
    UniqueConstraint("group_id", "stage", name="uq_group_stage_stage"),
)

# -- Credit: the loan book (see docs/credit.md "The loan book") ----------------------
# Decimal rules (multiples, percentages) are stored as decimal strings, never floats.
loan_product = Table(
    "loan_product",
    metadata,
    _id(),
    _programme(),
    Column("name", String(200), nullable=False),
    Column("kind", String(20), nullable=False),  # internal | external | in_kind
    Column("currency", String(3), nullable=False),
    Column("terms", JSON, nullable=False),  # calculator input without principal/dates
    Column("ceilings", JSON, nullable=False, default=dict),  # {"1": "100.00", "2": ...}
    Column("savings_multiple", String(20)),
    Column("guarantee_percent", String(20)),
    Column("penalty_flat_minor", BigInteger, nullable=False, default=0),
    Column("penalty_percent_bp", Integer, nullable=False, default=0),
    Column("penalty_after_days", Integer, nullable=False, default=0),
    Column("has_penalty", Boolean, nullable=False, default=False),
    Column("starter", Boolean, nullable=False, default=False),
    Column("allocation_order", JSON),
    Column("active", Boolean, nullable=False, default=True),
    UniqueConstraint("programme_id", "name", name="uq_loan_product_name"),
)

loan = Table(
    "loan",
    metadata,
    _id(),
    _programme(),
    Column("group_id", Integer, ForeignKey("savings_group.id"), nullable=False, index=True),
    Column("member_id", Integer, ForeignKey("member.id"), nullable=False, index=True),
    Column("product_id", Integer, ForeignKey("loan_product.id"), nullable=False),
    Column("kind", String(20), nullable=False),
    Column("source", String(20), nullable=False),  # internal | programme | partner
    Column("partner_id", Integer, ForeignKey("partner.id")),
    Column("principal_minor", BigInteger, nullable=False),
    Column("currency", String(3), nullable=False),
    Column("terms", JSON, nullable=False),  # snapshot: complete calculator input
    Column("status", String(20), nullable=False, index=True),
    Column("loan_cycle", Integer, nullable=False),
    Column("grant", Boolean, nullable=False, default=False),
    Column("purpose", Text, nullable=False, default=""),
    Column("monthly_revenue_minor", BigInteger),
    Column("monthly_costs_minor", BigInteger),
    Column("goods_description", Text),
    Column("goods_supplier", String(200)),
    Column("guarantee_minor", BigInteger, nullable=False, default=0),
    Column("applied_on", Date, nullable=False),
    Column("applied_by", String(100), nullable=False),
    Column("decided_on", Date),
    Column("decided_by", String(100)),
    Column("disbursed_on", Date),
    Column("disbursed_by", String(100)),
    Column("closed_on", Date),
    Column("closed_by", String(100)),
    Column("note", Text, nullable=False, default=""),
)

loan_instalment = Table(
    "loan_instalment",
    metadata,
    _id(),
    _programme(),
    Column("loan_id", Integer, ForeignKey("loan.id"), nullable=False),
    Column("n", Integer, nullable=False),
    Column("due_on", Date, nullable=False),
    Column("principal_minor", BigInteger, nullable=False),
    Column("interest_minor", BigInteger, nullable=False),
    Column("fee_minor", BigInteger, nullable=False),
    Column("penalty_minor", BigInteger, nullable=False, default=0),
    Column("principal_paid_minor", BigInteger, nullable=False, default=0),
    Column("interest_paid_minor", BigInteger, nullable=False, default=0),
    Column("fee_paid_minor", BigInteger, nullable=False, default=0),
    Column("penalty_paid_minor", BigInteger, nullable=False, default=0),
    Column("principal_written_off_minor", BigInteger, nullable=False, default=0),
    Column("penalty_charged_on", Date),
    UniqueConstraint("loan_id", "n", name="uq_loan_instalment_n"),
    Index("ix_loan_instalment_due", "due_on"),
)

loan_transaction = Table(
    "loan_transaction",
    metadata,
    _id(),
    _programme(),
    Column("loan_id", Integer, ForeignKey("loan.id"), nullable=False, index=True),
    Column("kind", String(20), nullable=False),
    Column("on_date", Date, nullable=False),
    Column("amount_minor", BigInteger, nullable=False),
    Column("currency", String(3), nullable=False),
    Column("principal_minor", BigInteger, nullable=False, default=0),
    Column("interest_minor", BigInteger, nullable=False, default=0),
    Column("fee_minor", BigInteger, nullable=False, default=0),
    Column("penalty_minor", BigInteger, nullable=False, default=0),
    Column("overpaid_minor", BigInteger, nullable=False, default=0),
    Column("allocation", JSON),  # per instalment, what this repayment settled
    Column("entry_id", Integer, ForeignKey("journal_entry.id"), index=True),
    Column("meeting_id", Integer, ForeignKey("meeting.id")),
    Column("reference", String(200), nullable=False),
    Column("created_at", DateTime(timezone=True), nullable=False),
    Column("created_by", String(100), nullable=False),
    UniqueConstraint("programme_id", "reference", name="uq_loan_transaction_reference"),
)

# State left by the last `kuza close-day` (one row per active loan, rewritten set-wise).
loan_arrears = Table(
    "loan_arrears",
    metadata,
    Column("loan_id", Integer, ForeignKey("loan.id"), primary_key=True),
    _programme(),
    Column("as_of", Date, nullable=False),
    Column("days_past_due", Integer, nullable=False),
    Column("principal_in_arrears_minor", BigInteger, nullable=False),
    Column("interest_in_arrears_minor", BigInteger, nullable=False),
    Column("penalty_due_minor", BigInteger, nullable=False),
    Column("outstanding_principal_minor", BigInteger, nullable=False),
)
# The arrears page's order (latest to fall behind last): its first page is read from
# the index, not sorted from every late loan.
Index(
    "ix_loan_arrears_page",
    loan_arrears.c.programme_id,
    loan_arrears.c.days_past_due.desc(),
    loan_arrears.c.loan_id,
)

# Repayment figures per loan as of the last `kuza close-day` (its date in ``as_of``), for
# every loan whose repayment counts (active, rescheduled, closed): the portfolio report
# sums them instead of matching every instalment and repayment (adapters/db/
# repayment_figures.py holds the definitions).
loan_performance = Table(
    "loan_performance",
    metadata,
    Column("loan_id", Integer, ForeignKey("loan.id"), primary_key=True),
    _programme(),
    Column("as_of", Date, nullable=False),
    Column("fallen_due_minor", BigInteger, nullable=False),
    Column("paid_on_time_minor", BigInteger, nullable=False),
    Column("repaid_minor", BigInteger, nullable=False),
    # the loan's transactions + reversed ones when computed (-1: recompute at the next
    # close-day); close-day keeps the row while the number and the dates allow
    Column("events", Integer, nullable=False, server_default="-1"),
)

# What the arrears page shows, per programme and branch, as the last close-day left it
# (its date in ``as_of``), written by close-day in its transaction: loans and outstanding
# principal per bucket of days late (current, 1-30, 31-90, over 90; a rescheduled loan is
# moved to the last bucket when read, as its status may change after close-day) and the
# sums of ``loan_performance``. The page reads a few rows instead of one per loan.
portfolio_summary = Table(
    "portfolio_summary",
    metadata,
    Column("programme_id", Integer, ForeignKey("programme.id"), primary_key=True),
    Column("branch_id", Integer, ForeignKey("branch.id"), primary_key=True),
    Column("as_of", Date, nullable=False),
    *[
        column
        for bucket in ("current", "par1", "par30", "par90")
        for column in (
            Column(f"{bucket}_loans", Integer, nullable=False),
            Column(f"{bucket}_minor", BigInteger, nullable=False),
        )
    ],
    Column("counted_loans", Integer, nullable=False),  # rows of loan_performance summed
    Column("fallen_due_minor", BigInteger, nullable=False),
    Column("paid_on_time_minor", BigInteger, nullable=False),
    Column("repaid_minor", BigInteger, nullable=False),
)

# The date the stored ``loan_performance`` figures are as of (one row, id 1; none before
# any close-day): close-day keeps unchanged rows without moving their ``as_of``.
loan_performance_on = Table(
    "loan_performance_on",
    metadata,
    Column("id", Integer, primary_key=True),
    Column("as_of", Date, nullable=False),
)

# Interest earned but not yet due on each active external loan as of the last close-day
# that accrued (its date in ``as_of``); the programme's ACCRUED_INTEREST_RECEIVABLE equals
# their sum (`kuza ledger check`). Only loans with something accrued have a row.
# Updated in place daily; on PostgreSQL its pages are half filled (fillfactor 50,
# migration 0016) so the new row versions stay on their page.
loan_accrual = Table(
    "loan_accrual",
    metadata,
    Column("loan_id", Integer, ForeignKey("loan.id"), primary_key=True),
    _programme(),
    Column("as_of", Date, nullable=False),
    Column("currency", String(3), nullable=False),
    Column("accrued_minor", BigInteger, nullable=False),
)

close_day_run = Table(
    "close_day_run",
    metadata,
    _id(),
    Column("run_on", Date, nullable=False, unique=True),
    Column("loans", Integer, nullable=False),
    Column("penalties_charged", Integer, nullable=False),
    Column("ran_at", DateTime(timezone=True), nullable=False),
    Column("ran_by", String(100), nullable=False),
)

# --- Enterprises and jobs (issue 5) ---------------------------------------------------
value_chain = Table(
    "value_chain",
    metadata,
    _id(),
    _programme(),
    Column("code", String(60), nullable=False),
    Column("name", String(200), nullable=False),
    UniqueConstraint("programme_id", "code", name="uq_value_chain_code"),
)

enterprise = Table(
    "enterprise",
    metadata,
    _id(),
    _programme(),
    Column("branch_id", Integer, ForeignKey("branch.id"), nullable=False, index=True),
    Column("name", String(200), nullable=False),
    Column("sector", String(60), nullable=False),
    Column("value_chain_id", Integer, ForeignKey("value_chain.id"), index=True),
    Column("started_on", Date, nullable=False),
    Column("location", String(200), nullable=False, default=""),
    Column("status", String(20), nullable=False),
    Column("registered", Boolean, nullable=False),
    Column("registration_no", String(60)),
    # Family members benefiting: the owners' household size when the enterprise started;
    # later enterprise checks record it again.
    Column("household_size", Integer, nullable=False),
)

enterprise_owner = Table(
    "enterprise_owner",
    metadata,
    _id(),
    _programme(),
    Column("enterprise_id", Integer, ForeignKey("enterprise.id"), nullable=False, index=True),
    Column("member_id", Integer, ForeignKey("member.id"), nullable=False, index=True),
    UniqueConstraint("enterprise_id", "member_id", name="uq_enterprise_owner_member"),
)

job = Table(
    "job",
    metadata,
    _id(),
    _programme(),
    Column("enterprise_id", Integer, ForeignKey("enterprise.id"), nullable=False, index=True),
    Column("role", String(20), nullable=False),
    Column("member_id", Integer, ForeignKey("member.id"), index=True),
    Column("worker_name", String(200), nullable=False),
    Column("worker_sex", String(1), nullable=False),
)

job_event = Table(
    "job_event",
    metadata,
    _id(),
    _programme(),
    Column("job_id", Integer, ForeignKey("job.id"), nullable=False, index=True),
    Column("kind", String(20), nullable=False),
    Column("on_date", Date, nullable=False),
    Column("work_time", String(20)),
    Column("hours_per_week", Numeric(5, 2)),
    Column("fte_change", Numeric(4, 2), nullable=False),
    Column("note", Text, nullable=False, default=""),
    Column("recorded_by", String(100), nullable=False),
)

job_verification = Table(
    "job_verification",
    metadata,
    _id(),
    _programme(),
    Column("event_id", Integer, ForeignKey("job_event.id"), nullable=False, unique=True),
    Column("verified_by", String(100), nullable=False),
    Column("verified_on", Date, nullable=False),
    Column("method", String(20), nullable=False),
    Column("note", Text, nullable=False, default=""),
)

enterprise_check = Table(
    "enterprise_check",
    metadata,
    _id(),
    _programme(),
    Column("enterprise_id", Integer, ForeignKey("enterprise.id"), nullable=False, index=True),
    Column("checked_on", Date, nullable=False),
    Column("checked_by", String(100), nullable=False),
    Column("currency", String(3), nullable=False),
    Column("revenue_minor", BigInteger, nullable=False),
    Column("costs_minor", BigInteger, nullable=False),
    Column("profit_band", String(20), nullable=False),
    Column("employees", Integer, nullable=False),
    Column("household_size", Integer, nullable=False),
)

# The dashboard's figures by date: events by day, sessions by day.
Index("ix_job_event_programme_on", job_event.c.programme_id, job_event.c.on_date)
Index(
    "ix_training_session_programme_held",
    training_session.c.programme_id,
    training_session.c.held_on,
)

# --- Dashboard summaries by month (issue 7), written by close-day --------------------
# The months of a programme whose jobs, training and household visits close-day
# summarised (first day of the month), with the training sessions held in it that have
# attendance lines. A month
# is read from its summary unless it is marked in ``impact_stale``.
impact_month = Table(
    "impact_month",
    metadata,
    Column("programme_id", Integer, ForeignKey("programme.id"), primary_key=True),
    Column("month", Date, primary_key=True),
    Column("sessions", Integer, nullable=False),
    Column("as_of", Date, nullable=False),  # the close-day that wrote it
)

# A month whose summary a later write may have changed (a job event, a verification, a
# training session or a household visit dated in it, or in another month of the same
# job, pair or household): read
# live until close-day recomputes it. Rows are only appended by the writers (never
# "insert if absent": a mark seen by a close-day still running would hide the write)
# and deleted by close-day before it recomputes.
impact_stale = Table(
    "impact_stale",
    metadata,
    _id(),
    Column("programme_id", Integer, ForeignKey("programme.id"), nullable=False),
    Column("month", Date, nullable=False),
    Index("ix_impact_stale_programme_month", "programme_id", "month"),
)

# Verified job events counted in a month, per branch and value chain of the enterprise:
# jobs created, grown (events, and jobs: each job once in the month) and lost, with
# their FTE in hundredths. Only jobs counted the same way in any period: at most one
# 'created' and one 'lost' event, and 'grown' events in one month alone; the others
# are in ``job_counted_live`` and counted from their events on every view.
job_month = Table(
    "job_month",
    metadata,
    Column("programme_id", Integer, ForeignKey("programme.id"), nullable=False),
    Column("month", Date, nullable=False),
    Column("branch_id", Integer, ForeignKey("branch.id"), nullable=False),
    Column("value_chain_id", Integer, ForeignKey("value_chain.id")),
    Column("created_jobs", Integer, nullable=False),
    Column("created_fte_centi", Integer, nullable=False),
    Column("grown_events", Integer, nullable=False),
    Column("grown_jobs", Integer, nullable=False),
    Column("grown_fte_centi", Integer, nullable=False),
    Column("lost_jobs", Integer, nullable=False),
    Column("lost_fte_centi", Integer, nullable=False),
    Index("ix_job_month_programme_month", "programme_id", "month"),
)

# The enterprises with a job created (verified, counted in ``job_month``) in a month:
# the families benefiting are those of the enterprises with a job counted. Derived rows
# close-day rewrites, one per enterprise and month: no foreign keys (their check per
# inserted row was a third of close-day's summary at 100k loans, BENCHMARKS.md).
job_month_enterprise = Table(
    "job_month_enterprise",
    metadata,
    Column("programme_id", Integer, primary_key=True),
    Column("month", Date, primary_key=True),
    Column("enterprise_id", Integer, primary_key=True),
)

job_counted_live = Table(
    "job_counted_live",
    metadata,
    Column("job_id", Integer, ForeignKey("job.id"), primary_key=True),
    _programme(),
)

# (member, module) pairs taught, by the month of the pair's last session: how many
# pairs have each shape (sessions held, attended, hours attended in hundredths). Judged
# completed or not when read (the programme's rule and the module's hours may change).
training_month = Table(
    "training_month",
    metadata,
    Column("programme_id", Integer, ForeignKey("programme.id"), nullable=False),
    Column("month", Date, nullable=False),
    Column("module_id", Integer, ForeignKey("training_module.id"), nullable=False),
    Column("held", Integer, nullable=False),
    Column("came", Integer, nullable=False),
    Column("centi", Integer, nullable=False),
    Column("pairs", Integer, nullable=False),
    Index("ix_training_month_programme_month", "programme_id", "month"),
)

# Households (member, scorecard) visited at least twice, by the day of their last visit:
# how many and the sum of their score changes (last score - first). The dashboard's
# mean score change of a period sums the days from its start.
visit_month = Table(
    "visit_month",
    metadata,
    Column("programme_id", Integer, ForeignKey("programme.id"), nullable=False),
    Column("month", Date, nullable=False),
    Column("last_on", Date, nullable=False),
    Column("households", Integer, nullable=False),
    Column("change", BigInteger, nullable=False),
    Index("ix_visit_month_programme_month", "programme_id", "month"),
)

# The whole-programme dashboard as the last close-day left it (issue 7): its figures and
# charts from the programme's start to ``as_of``, as JSON written by
# ``kuza.reports.dashboard_snapshot`` (exact decimal strings, ISO dates). The default
# dashboard view reads it; ``?live=1``, a period or a narrowed scope compute live.
dashboard_snapshot = Table(
    "dashboard_snapshot",
    metadata,
    Column("programme_id", Integer, ForeignKey("programme.id"), primary_key=True),
    Column("as_of", Date, nullable=False),  # the close-day that wrote it
    Column("figures", Text, nullable=False),
)

# --- Programme costs (issue 5) --------------------------------------------------------
cost_entry = Table(
    "cost_entry",
    metadata,
    _id(),
    _programme(),
    Column("reference", String(100), nullable=False),
    Column("stage", Integer, nullable=False),
    Column("branch_id", Integer, ForeignKey("branch.id"), index=True),
    Column("category", String(20), nullable=False),
    Column("period_start", Date, nullable=False),
    Column("period_end", Date, nullable=False),
    Column("amount_minor", BigInteger, nullable=False),
    Column("currency", String(3), nullable=False),
    Column("memo", Text, nullable=False, default=""),
    Column("entry_id", Integer, ForeignKey("journal_entry.id"), nullable=False),
    Column("recorded_by", String(100), nullable=False),
    UniqueConstraint("programme_id", "reference", name="uq_cost_entry_reference"),
    CheckConstraint("amount_minor > 0", name="positive"),
)

# --- HTTP API and maker-checker (issue 6) ---------------------------------------------
# Bearer tokens: only the SHA-256 of the token is kept; revoked or expired rows refuse.
api_token = Table(
    "api_token",
    metadata,
    _id(),
    Column("user_id", Integer, ForeignKey("user_account.id"), nullable=False, index=True),
    Column("token_hash", String(64), nullable=False, unique=True),
    Column("created_at", DateTime(timezone=True), nullable=False),
    Column("expires_at", DateTime(timezone=True), nullable=False),
    Column("revoked_at", DateTime(timezone=True)),
)

# The first response to a write carrying an Idempotency-Key, replayed for the same key.
idempotency_record = Table(
    "idempotency_record",
    metadata,
    _id(),
    Column("user_id", Integer, ForeignKey("user_account.id"), nullable=False),
    Column("key", String(200), nullable=False),
    Column("request_hash", String(64), nullable=False),
    Column("status_code", Integer, nullable=False),
    Column("body", JSON, nullable=False),
    Column("created_at", DateTime(timezone=True), nullable=False),
    UniqueConstraint("user_id", "key", name="uq_idempotency_record_user_key"),
)

# A change held for a second user (maker-checker): what, proposed by whom, decided by whom.
pending_action = Table(
    "pending_action",
    metadata,
    _id(),
    _programme(),
    Column("kind", String(40), nullable=False),
    Column("group_id", Integer, ForeignKey("savings_group.id"), index=True),
    Column("payload", JSON, nullable=False),
    Column("reason", Text, nullable=False, default=""),
    Column("status", String(20), nullable=False),
    Column("made_by", String(100), nullable=False),
    Column("made_at", DateTime(timezone=True), nullable=False),
    Column("checked_by", String(100)),
    Column("checked_at", DateTime(timezone=True)),
    Column("result", JSON),
)

# --- Stage 4: links to larger markets (issue 5) ---------------------------------------
# A member or a group (exactly one) linked to a buyer or supplier (partner.kind).
market_linkage = Table(
    "market_linkage",
    metadata,
    _id(),
    _programme(),
    Column("partner_id", Integer, ForeignKey("partner.id"), nullable=False, index=True),
    Column("value_chain_id", Integer, ForeignKey("value_chain.id"), index=True),
    Column("member_id", Integer, ForeignKey("member.id"), index=True),
    Column("group_id", Integer, ForeignKey("savings_group.id"), index=True),
    Column("started_on", Date, nullable=False),
    Column("ended_on", Date),
    Column("note", Text, nullable=False, default=""),
    Column("recorded_by", String(100), nullable=False),
    CheckConstraint("(member_id IS NULL) <> (group_id IS NULL)", name="one_party"),
)

# Women's visibility in the chain: the women members involved and their role.
linkage_woman = Table(
    "linkage_woman",
    metadata,
    _id(),
    _programme(),
    Column("linkage_id", Integer, ForeignKey("market_linkage.id"), nullable=False, index=True),
    Column("member_id", Integer, ForeignKey("member.id"), nullable=False, index=True),
    Column("role", String(20), nullable=False),
    UniqueConstraint("linkage_id", "member_id", name="uq_linkage_woman_member"),
)

market_contract = Table(
    "market_contract",
    metadata,
    _id(),
    _programme(),
    Column("linkage_id", Integer, ForeignKey("market_linkage.id"), nullable=False, index=True),
    Column("product", String(200), nullable=False),
    Column("volume", Numeric(14, 3), nullable=False),
    Column("unit", String(20), nullable=False),
    Column("price_minor", BigInteger, nullable=False),  # per unit
    Column("currency", String(3), nullable=False),
    Column("starts_on", Date, nullable=False),
    Column("ends_on", Date),
    Column("recorded_by", String(100), nullable=False),
    CheckConstraint("volume >= 0", name="volume_not_negative"),
    CheckConstraint("price_minor >= 0", name="price_not_negative"),
)

# Collective purchasing, branding and packaging support given to a group.
market_activity = Table(
    "market_activity",
    metadata,
    _id(),
    _programme(),
    Column("kind", String(30), nullable=False),
    Column("group_id", Integer, ForeignKey("savings_group.id"), nullable=False, index=True),
    Column("linkage_id", Integer, ForeignKey("market_linkage.id")),
    Column("value_chain_id", Integer, ForeignKey("value_chain.id")),
    Column("held_on", Date, nullable=False),
    Column("description", Text, nullable=False),
    Column("members_involved", Integer, nullable=False),
    Column("amount_minor", BigInteger),  # e.g. value of inputs bought together
    Column("currency", String(3)),
    Column("recorded_by", String(100), nullable=False),
)

# --- Family progress: household visits and referrals (issue 5) ------------------------
# The scorecard definition exactly as loaded (JSON); visits keep the score they got.
scorecard = Table(
    "scorecard",
    metadata,
    _id(),
    _programme(),
    Column("code", String(60), nullable=False),
    Column("definition", JSON, nullable=False),
    Column("loaded_on", Date, nullable=False),
    Column("loaded_by", String(100), nullable=False),
    UniqueConstraint("programme_id", "code", name="uq_scorecard_code"),
)

household_visit = Table(
    "household_visit",
    metadata,
    _id(),
    _programme(),
    Column("member_id", Integer, ForeignKey("member.id"), nullable=False, index=True),
    Column("group_id", Integer, ForeignKey("savings_group.id"), nullable=False, index=True),
    Column("agent_id", Integer, ForeignKey("field_agent.id")),
    Column("scorecard_id", Integer, ForeignKey("scorecard.id"), nullable=False),
    Column("visited_on", Date, nullable=False),
    Column("visited_by", String(100), nullable=False),
    Column("answers", JSON, nullable=False),
    Column("score", Integer, nullable=False),
    Column("likelihood", Numeric(5, 2), nullable=False),
    Column("household_size", Integer, nullable=False),
    Column("note", Text, nullable=False, default=""),
)

Index(
    "ix_household_visit_programme_on", household_visit.c.programme_id, household_visit.c.visited_on
)

referral = Table(
    "referral",
    metadata,
    _id(),
    _programme(),
    Column("member_id", Integer, ForeignKey("member.id"), nullable=False, index=True),
    Column("visit_id", Integer, ForeignKey("household_visit.id")),
    Column("kind", String(20), nullable=False),
    Column("service", String(200), nullable=False),
    Column("referred_on", Date, nullable=False),
    Column("referred_by", String(100), nullable=False),
    Column("status", String(20), nullable=False),
    Column("note", Text, nullable=False, default=""),
)

referral_follow_up = Table(
    "referral_follow_up",
    metadata,
    _id(),
    _programme(),
    Column("referral_id", Integer, ForeignKey("referral.id"), nullable=False, index=True),
    Column("on_date", Date, nullable=False),
    Column("status", String(20), nullable=False),
    Column("note", Text, nullable=False, default=""),
    Column("recorded_by", String(100), nullable=False),
)

# --- Micro health insurance (issue 5) -------------------------------------------------
insurance_plan = Table(
    "insurance_plan",
    metadata,
    _id(),
    _programme(),
    Column("name", String(200), nullable=False),
    Column("currency", String(3), nullable=False),
    Column("premium_minor", BigInteger, nullable=False),
    Column("dependant_premium_minor", BigInteger, nullable=False),
    Column("period", String(10), nullable=False),
    Column("cover_per_year_minor", BigInteger, nullable=False),
    Column("waiting_days", Integer, nullable=False),
    Column("subsidy", JSON, nullable=False),  # percent per year of membership, as strings
    Column("active", Boolean, nullable=False, default=True),
    UniqueConstraint("programme_id", "name", name="uq_insurance_plan_name"),
)

insurance_enrolment = Table(
    "insurance_enrolment",
    metadata,
    _id(),
    _programme(),
    Column("plan_id", Integer, ForeignKey("insurance_plan.id"), nullable=False, index=True),
    Column("member_id", Integer, ForeignKey("member.id"), nullable=False, index=True),
    Column("group_id", Integer, ForeignKey("savings_group.id"), nullable=False),
    Column("enrolled_on", Date, nullable=False),
    Column("ended_on", Date),
    Column("pays_from", String(20), nullable=False),
    Column("recorded_by", String(100), nullable=False),
    UniqueConstraint("plan_id", "member_id", name="uq_insurance_enrolment_member"),
)

insurance_dependant = Table(
    "insurance_dependant",
    metadata,
    _id(),
    _programme(),
    Column(
        "enrolment_id", Integer, ForeignKey("insurance_enrolment.id"), nullable=False, index=True
    ),
    Column("name", String(200), nullable=False),
    Column("relation", String(40), nullable=False),
    Column("sex", String(1), nullable=False),
    Column("birth_year", Integer),
)

# One row per enrolment and period: collecting the same period again books nothing.
insurance_premium = Table(
    "insurance_premium",
    metadata,
    _id(),
    _programme(),
    Column(
        "enrolment_id", Integer, ForeignKey("insurance_enrolment.id"), nullable=False, index=True
    ),
    Column("period_start", Date, nullable=False),
    Column("membership_year", Integer, nullable=False),
    Column("currency", String(3), nullable=False),
    Column("premium_minor", BigInteger, nullable=False),
    Column("subsidy_minor", BigInteger, nullable=False),
    Column("member_minor", BigInteger, nullable=False),
    Column("pays_from", String(20), nullable=False),
    Column("entry_id", Integer, ForeignKey("journal_entry.id"), nullable=False),
    Column("recorded_by", String(100), nullable=False),
    UniqueConstraint("enrolment_id", "period_start", name="uq_insurance_premium_period"),
)

insurance_claim = Table(
    "insurance_claim",
    metadata,
    _id(),
    _programme(),
    Column(
        "enrolment_id", Integer, ForeignKey("insurance_enrolment.id"), nullable=False, index=True
    ),
    Column("dependant_id", Integer, ForeignKey("insurance_dependant.id")),
    Column("incurred_on", Date, nullable=False),
    Column("membership_year", Integer, nullable=False),
    Column("description", Text, nullable=False),
    Column("currency", String(3), nullable=False),
    Column("claimed_minor", BigInteger, nullable=False),
    Column("approved_minor", BigInteger),
    Column("status", String(20), nullable=False),
    Column("submitted_on", Date, nullable=False),
    Column("submitted_by", String(100), nullable=False),
    Column("decided_on", Date),
    Column("decided_by", String(100)),
    Column("paid_on", Date),
    Column("entry_id", Integer, ForeignKey("journal_entry.id")),
    Column("reason", Text, nullable=False, default=""),
    CheckConstraint("claimed_minor > 0", name="claimed_positive"),
)

# What a donor funds, as restrictions within her account's programme: no row, the whole
# programme; rows, only those branches and/or value chains (each row names one of them).
donor_scope = Table(
    "donor_scope",
    metadata,
    _id(),
    _programme(),
    Column("user_id", Integer, ForeignKey("user_account.id"), nullable=False, index=True),
    Column("branch_id", Integer, ForeignKey("branch.id")),
    Column("value_chain_id", Integer, ForeignKey("value_chain.id")),
    CheckConstraint("(branch_id IS NULL) <> (value_chain_id IS NULL)", name="one_restriction"),
)
