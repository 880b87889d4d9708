"""The multi-unit server (`jixiao server`): accounts and roles, the year's set-up,
submissions kept as uploaded, and an append-only audit log, on SQLite or PostgreSQL.

Layers: cli → server → web → …; the server reuses the reviewer page's security
pieces and style, and is the only package that talks to a database.

- models: the tables (SQLAlchemy 2, typed); migrations/: Alembic, applied on start.
- database: where the data lives (`place`), the engine, migrating, SQLite backups.
- accounts: passwords (argon2), logins with their rate limit, the audit log.
- submissions: uploaded files, append-only, with their SHA-256.
- backup: backup and restore (one SQLite file, from either database).
- access: session cookie, CSRF, the login guard and role dependencies.
- pages, app, routes/: the FastAPI app and its pages.
"""
