"""The multi-unit server (`jixiao server`): accounts and roles, the year's set-up,
submissions kept as uploaded, and an append-only audit log, on SQLite or PostgreSQL.

Layers: cli → server → web → …; the server reuses the reviewer page's security
pieces and style, and is the only package that talks to a database.

- models: the tables (SQLAlchemy 2, typed); migrations/: Alembic, applied on start.
- database: where the data lives (`place`), the engine, migrating, SQLite backups.
- accounts: passwords (argon2), logins with their rate limit, the audit log.
- submissions: uploaded files, append-only, with their SHA-256.
- checking: an upload scored at once (its kind read from its content, within the
  hostile-file limits), its problems at sheet and cell, kept as a `Scoring` row.
- progress: where each project of a year stands (from versions, scorings and 提交
  events), the dashboard's figures, the 催报清单.
- setup: the 单位项目清单 (its blank template, and importing it).
- backup: backup and restore (one SQLite file, from either database).
- access: session cookie, CSRF, the login guard and role dependencies.
- pages, app, routes/: the FastAPI app and its pages.
"""
