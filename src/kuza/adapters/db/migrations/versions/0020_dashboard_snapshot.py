"""the whole-programme dashboard as the last close-day left it

One row per programme, rewritten by each close-day: the figures and charts of the
default dashboard view (the programme's start to the close-day's date) as JSON. The
default view reads it instead of counting the whole book; ``?live=1`` computes now.
Filled by the next close-day (until then the dashboard is computed live).

Revision ID: 0020_dashboard_snapshot
Revises: 0019_impact_months
Create Date: 2026-12-03 02:00:00
"""

import sqlalchemy as sa
from alembic import op

revision = "0020_dashboard_snapshot"
down_revision = "0019_impact_months"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "dashboard_snapshot",
        sa.Column("programme_id", sa.Integer(), nullable=False),
        sa.Column("as_of", sa.Date(), nullable=False),
        sa.Column("figures", sa.Text(), nullable=False),
        sa.ForeignKeyConstraint(
            ["programme_id"],
            ["programme.id"],
            name=op.f("fk_dashboard_snapshot_programme_id_programme"),
        ),
        sa.PrimaryKeyConstraint("programme_id", name=op.f("pk_dashboard_snapshot")),
    )


def downgrade() -> None:
    op.drop_table("dashboard_snapshot")
