"""dashboard summaries by month: jobs, training and visits, written by close-day

Close-day summarises, per programme, each month that has ended (and each month a later
write marked stale): verified job events per branch and value chain (``job_month``),
the enterprises with a job created (``job_month_enterprise``), the (member, module)
training pairs by the month of their last session (``training_month``), the households
visited twice or more by the day of their last visit (``visit_month``) and the month's
sessions (``impact_month``); jobs that cannot be summed by month are listed in
``job_counted_live``. The dashboard reads these for whole past months and counts the
rest from the rows. Indexes on the event, session and visit dates serve those live
parts.
Filled by the next close-day (until then the dashboard counts everything live).
``job_month_enterprise`` (one row per enterprise and month) has no foreign keys: their
check per inserted row cost a third of the summary's first run at 100k loans.

Revision ID: 0019_impact_months
Revises: 0018_savings_group_agent
Create Date: 2026-12-03 01:00:00
"""

import sqlalchemy as sa
from alembic import op

revision = "0019_impact_months"
down_revision = "0018_savings_group_agent"
branch_labels = None
depends_on = None


def _fk(table: str, column: str, target: str) -> sa.ForeignKeyConstraint:
    return sa.ForeignKeyConstraint(
        [column], [f"{target}.id"], name=op.f(f"fk_{table}_{column}_{target}")
    )


def upgrade() -> None:
    op.create_index(
        "ix_job_event_programme_on", "job_event", ["programme_id", "on_date"], unique=False
    )
    op.create_index(
        "ix_training_session_programme_held",
        "training_session",
        ["programme_id", "held_on"],
        unique=False,
    )
    op.create_table(
        "impact_month",
        sa.Column("programme_id", sa.Integer(), nullable=False),
        sa.Column("month", sa.Date(), nullable=False),
        sa.Column("sessions", sa.Integer(), nullable=False),
        sa.Column("as_of", sa.Date(), nullable=False),
        _fk("impact_month", "programme_id", "programme"),
        sa.PrimaryKeyConstraint("programme_id", "month", name=op.f("pk_impact_month")),
    )
    op.create_table(
        "impact_stale",
        sa.Column("id", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("programme_id", sa.Integer(), nullable=False),
        sa.Column("month", sa.Date(), nullable=False),
        _fk("impact_stale", "programme_id", "programme"),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_impact_stale")),
    )
    op.create_index(
        "ix_impact_stale_programme_month", "impact_stale", ["programme_id", "month"], unique=False
    )
    op.create_table(
        "job_month",
        sa.Column("programme_id", sa.Integer(), nullable=False),
        sa.Column("month", sa.Date(), nullable=False),
        sa.Column("branch_id", sa.Integer(), nullable=False),
        sa.Column("value_chain_id", sa.Integer(), nullable=True),
        *[
            sa.Column(name, sa.Integer(), nullable=False)
            for name in (
                "created_jobs",
                "created_fte_centi",
                "grown_events",
                "grown_jobs",
                "grown_fte_centi",
                "lost_jobs",
                "lost_fte_centi",
            )
        ],
        _fk("job_month", "programme_id", "programme"),
        _fk("job_month", "branch_id", "branch"),
        _fk("job_month", "value_chain_id", "value_chain"),
    )
    op.create_index(
        "ix_job_month_programme_month", "job_month", ["programme_id", "month"], unique=False
    )
    op.create_table(
        "job_month_enterprise",
        sa.Column("programme_id", sa.Integer(), nullable=False),
        sa.Column("month", sa.Date(), nullable=False),
        sa.Column("enterprise_id", sa.Integer(), nullable=False),
        sa.PrimaryKeyConstraint(
            "programme_id", "month", "enterprise_id", name=op.f("pk_job_month_enterprise")
        ),
    )
    op.create_table(
        "job_counted_live",
        sa.Column("job_id", sa.Integer(), nullable=False),
        sa.Column("programme_id", sa.Integer(), nullable=False),
        _fk("job_counted_live", "job_id", "job"),
        _fk("job_counted_live", "programme_id", "programme"),
        sa.PrimaryKeyConstraint("job_id", name=op.f("pk_job_counted_live")),
    )
    op.create_index(
        op.f("ix_job_counted_live_programme_id"),
        "job_counted_live",
        ["programme_id"],
        unique=False,
    )
    op.create_table(
        "training_month",
        sa.Column("programme_id", sa.Integer(), nullable=False),
        sa.Column("month", sa.Date(), nullable=False),
        sa.Column("module_id", sa.Integer(), nullable=False),
        sa.Column("held", sa.Integer(), nullable=False),
        sa.Column("came", sa.Integer(), nullable=False),
        sa.Column("centi", sa.Integer(), nullable=False),
        sa.Column("pairs", sa.Integer(), nullable=False),
        _fk("training_month", "programme_id", "programme"),
        _fk("training_month", "module_id", "training_module"),
    )
    op.create_index(
        "ix_training_month_programme_month",
        "training_month",
        ["programme_id", "month"],
        unique=False,
    )
    op.create_table(
        "visit_month",
        sa.Column("programme_id", sa.Integer(), nullable=False),
        sa.Column("month", sa.Date(), nullable=False),
        sa.Column("last_on", sa.Date(), nullable=False),
        sa.Column("households", sa.Integer(), nullable=False),
        sa.Column("change", sa.BigInteger(), nullable=False),
        _fk("visit_month", "programme_id", "programme"),
    )
    op.create_index(
        "ix_visit_month_programme_month", "visit_month", ["programme_id", "month"], unique=False
    )
    op.create_index(
        "ix_household_visit_programme_on",
        "household_visit",
        ["programme_id", "visited_on"],
        unique=False,
    )


def downgrade() -> None:
    op.drop_index("ix_household_visit_programme_on", table_name="household_visit")
    op.drop_index("ix_visit_month_programme_month", table_name="visit_month")
    op.drop_table("visit_month")
    op.drop_index("ix_training_month_programme_month", table_name="training_month")
    op.drop_table("training_month")
    op.drop_index(op.f("ix_job_counted_live_programme_id"), table_name="job_counted_live")
    op.drop_table("job_counted_live")
    op.drop_table("job_month_enterprise")
    op.drop_index("ix_job_month_programme_month", table_name="job_month")
    op.drop_table("job_month")
    op.drop_index("ix_impact_stale_programme_month", table_name="impact_stale")
    op.drop_table("impact_stale")
    op.drop_table("impact_month")
    op.drop_index("ix_training_session_programme_held", table_name="training_session")
    op.drop_index("ix_job_event_programme_on", table_name="job_event")
