"""Alembic's environment and the schema's versions, shipped inside the package and run
from Python (`scoring.server.database.migrate`), never from an alembic.ini."""
