"""A project set up from a target table (项目绩效目标表) keeps the table's indicators and
targets (the evaluation awaiting actuals, as JSON), from which its fill-in workbook is made.

Revision ID: 0003
Revises: 0002
"""

import sqlalchemy as sa
from alembic import op

revision = "0003"
down_revision = "0002"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.add_column("projects", sa.Column("targets", sa.Text(), nullable=True))


def downgrade() -> None:
    raise NotImplementedError("jixiao's schema is only ever upgraded; restore a backup instead")
