"""Scoring results of uploaded versions and 提交 events, both append-only.

Revision ID: 0002
Revises: 0001
"""

import sqlalchemy as sa
from alembic import op

from scoring.server.models import UtcDateTime

revision = "0002"
down_revision = "0001"
branch_labels = None
depends_on = None

APPEND_ONLY = ("scorings", "submit_events")


def upgrade() -> None:
    op.create_table(
        "scorings",
        sa.Column("id", sa.Integer(), primary_key=True),
        sa.Column("submission_id", sa.Integer(), sa.ForeignKey("submissions.id"), nullable=False, index=True),
        sa.Column("scored_at", UtcDateTime(), nullable=False),
        sa.Column("errors", sa.Integer(), nullable=False),
        sa.Column("warnings", sa.Integer(), nullable=False),
        sa.Column("total", sa.String(20), nullable=True),
        sa.Column("grade", sa.String(10), nullable=True),
        sa.Column("issues", sa.Text(), nullable=False))
    op.create_table(
        "submit_events",
        sa.Column("id", sa.Integer(), primary_key=True),
        sa.Column("submission_id", sa.Integer(), sa.ForeignKey("submissions.id"), nullable=False, index=True),
        sa.Column("project_id", sa.Integer(), sa.ForeignKey("projects.id"), nullable=False, index=True),
        sa.Column("account_id", sa.Integer(), sa.ForeignKey("accounts.id"), nullable=False),
        sa.Column("at", UtcDateTime(), nullable=False))
    if op.get_context().dialect.name == "postgresql":  # the function 0001 made
        for table in APPEND_ONLY:
            op.execute(f"CREATE TRIGGER {table}_append_only BEFORE UPDATE OR DELETE ON {table} "
                       "FOR EACH ROW EXECUTE FUNCTION jixiao_append_only()")
    else:
        for table in APPEND_ONLY:
            for event in ("UPDATE", "DELETE"):
                op.execute(f"CREATE TRIGGER {table}_no_{event.lower()} BEFORE {event} ON {table} "
                           f"BEGIN SELECT RAISE(ABORT, 'append-only table {table}: rows are never "
                           "changed or deleted'); END")


def downgrade() -> None:
    raise NotImplementedError("jixiao's schema is only ever upgraded; restore a backup instead")
