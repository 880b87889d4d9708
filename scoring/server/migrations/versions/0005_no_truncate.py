"""PostgreSQL: the append-only tables refuse TRUNCATE too.

The row triggers of 0001, 0002 and 0004 refuse UPDATE and DELETE; TRUNCATE fires no row
trigger, so each table also gets a statement trigger that refuses it (SQLite has no TRUNCATE).

Revision ID: 0005
Revises: 0004
"""

from alembic import op

revision = "0005"
down_revision = "0004"
branch_labels = None
depends_on = None

APPEND_ONLY = ("submissions", "audit_log", "scorings", "submit_events", "reviews")


def upgrade() -> None:
    if op.get_context().dialect.name != "postgresql":
        return
    for table in APPEND_ONLY:
        op.execute(f"CREATE TRIGGER {table}_no_truncate BEFORE TRUNCATE ON {table} "
                   "FOR EACH STATEMENT EXECUTE FUNCTION jixiao_append_only()")


def downgrade() -> None:
    raise NotImplementedError("jixiao's schema is only ever upgraded; restore a backup instead")
