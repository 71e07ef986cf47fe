"""donor scope: the branches and value chains a donor funds

Revision ID: 0009_donor_scope
Revises: 0008_markets_visits_insurance
Create Date: 2026-11-26 10:00:00
"""

import sqlalchemy as sa
from alembic import op

revision = "0009_donor_scope"
down_revision = "0008_markets_visits_insurance"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "donor_scope",
        sa.Column("id", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("programme_id", sa.Integer(), nullable=False),
        sa.Column("user_id", sa.Integer(), nullable=False),
        sa.Column("branch_id", sa.Integer(), nullable=True),
        sa.Column("value_chain_id", sa.Integer(), nullable=True),
        sa.CheckConstraint(
            "(branch_id IS NULL) <> (value_chain_id IS NULL)",
            name=op.f("ck_donor_scope_one_restriction"),
        ),
        sa.ForeignKeyConstraint(
            ["programme_id"], ["programme.id"], name=op.f("fk_donor_scope_programme_id_programme")
        ),
        sa.ForeignKeyConstraint(
            ["user_id"], ["user_account.id"], name=op.f("fk_donor_scope_user_id_user_account")
        ),
        sa.ForeignKeyConstraint(
            ["branch_id"], ["branch.id"], name=op.f("fk_donor_scope_branch_id_branch")
        ),
        sa.ForeignKeyConstraint(
            ["value_chain_id"],
            ["value_chain.id"],
            name=op.f("fk_donor_scope_value_chain_id_value_chain"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_donor_scope")),
    )
    with op.batch_alter_table("donor_scope", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_donor_scope_programme_id"), ["programme_id"])
        batch_op.create_index(batch_op.f("ix_donor_scope_user_id"), ["user_id"])


def downgrade() -> None:
    with op.batch_alter_table("donor_scope", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_donor_scope_user_id"))
        batch_op.drop_index(batch_op.f("ix_donor_scope_programme_id"))
    op.drop_table("donor_scope")
