"""Reviews saved in the server: the 复核人's weights, scores and comments on a version (the
record of scoring/review/records.py, as JSON) with who and when, append-only.

Revision ID: 0004
Revises: 0003
"""

import sqlalchemy as sa
from alembic import op

from scoring.server.models import UtcDateTime

revision = "0004"
down_revision = "0003"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "reviews",
        sa.Column("id", sa.Integer(), primary_key=True),
        sa.Column("submission_id", sa.Integer(), sa.ForeignKey("submissions.id"), nullable=False, index=True),
        sa.Column("account_id", sa.Integer(), sa.ForeignKey("accounts.id"), nullable=False),
        sa.Column("at", UtcDateTime(), nullable=False),
        sa.Column("total", sa.String(20), nullable=True),
        sa.Column("grade", sa.String(10), nullable=True),
        sa.Column("record", sa.Text(), nullable=False))
    if op.get_context().dialect.name == "postgresql":  # the function 0001 made
        op.execute("CREATE TRIGGER reviews_append_only BEFORE UPDATE OR DELETE ON reviews "
                   "FOR EACH ROW EXECUTE FUNCTION jixiao_append_only()")
    else:
        for event in ("UPDATE", "DELETE"):
            op.execute(f"CREATE TRIGGER reviews_no_{event.lower()} BEFORE {event} ON reviews "
                       "BEGIN SELECT RAISE(ABORT, 'append-only table reviews: rows are never "
                       "changed or deleted'); END")


def downgrade() -> None:
    raise NotImplementedError("jixiao's schema is only ever upgraded; restore a backup instead")
