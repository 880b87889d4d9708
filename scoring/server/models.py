"""The server's tables as typed SQLAlchemy 2 records.

The tables are created and changed only by the Alembic migrations in
`migrations/versions/` (never by `Base.metadata.create_all`), so a database made by
an older jixiao is brought up to date on start. Times are kept in UTC.

Append-only: `submissions` and `audit_log` are only ever inserted into; the
migrations add triggers that refuse any UPDATE or DELETE on them, so not even a
bug or a hand-typed SQL statement changes what a unit uploaded or what the log
says. A new upload is a new row with the next version number.
"""

from __future__ import annotations

from datetime import UTC, datetime

from sqlalchemy import (
    Boolean,
    DateTime,
    ForeignKey,
    Index,
    Integer,
    LargeBinary,
    String,
    Text,
    TypeDecorator,
    UniqueConstraint,
)
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column, relationship

ROLES = {"reporter": "填报人", "reviewer": "复核人", "admin": "管理员"}
"""Role codes kept in the database, and their names as people read them."""


def now() -> datetime:
    return datetime.now(UTC)


class UtcDateTime(TypeDecorator):
    """A moment in UTC: SQLite returns it without a zone, so the zone is put back."""

    impl = DateTime(timezone=True)
    cache_ok = True

    def process_bind_param(self, value, dialect):
        if value is not None and value.tzinfo is None:
            raise ValueError("times are stored in UTC, with their zone")
        return value.astimezone(UTC) if value is not None else None

    def process_result_value(self, value, dialect):
        if value is not None and value.tzinfo is None:
            return value.replace(tzinfo=UTC)
        return value


class Base(DeclarativeBase):
    pass


class Setting(Base):
    """Values every server process shares: the key that signs session cookies."""

    __tablename__ = "settings"
    key: Mapped[str] = mapped_column(String(64), primary_key=True)
    value: Mapped[str] = mapped_column(Text)


class Unit(Base):
    """A budget unit (预算单位) that submits its self-evaluations."""

    __tablename__ = "units"
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    name: Mapped[str] = mapped_column(String(200), unique=True)
    contact: Mapped[str] = mapped_column(String(200), default="")
    created: Mapped[datetime] = mapped_column(UtcDateTime, default=now)
    projects: Mapped[list[Project]] = relationship(back_populates="unit", order_by="Project.id")


class Project(Base):
    """A project a unit is expected to evaluate in a year, with the template it uses (and,
    set up from a target table, that table's indicators and targets)."""

    __tablename__ = "projects"
    __table_args__ = (UniqueConstraint("unit_id", "year", "name"),)
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    unit_id: Mapped[int] = mapped_column(ForeignKey("units.id"), index=True)
    year: Mapped[int] = mapped_column(Integer)
    name: Mapped[str] = mapped_column(String(300))
    template: Mapped[str] = mapped_column(String(200), default="")
    contact: Mapped[str] = mapped_column(String(200), default="")
    created: Mapped[datetime] = mapped_column(UtcDateTime, default=now)
    # set up from a target table: its evaluation awaiting actuals (targets.py), else None
    targets: Mapped[str | None] = mapped_column(Text, nullable=True, default=None)
    unit: Mapped[Unit] = relationship(back_populates="projects")


class Account(Base):
    """A person who logs in. `session_epoch` grows when the password is reset or the
    account disabled, which ends every session signed before."""

    __tablename__ = "accounts"
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    name: Mapped[str] = mapped_column(String(100), unique=True)
    role: Mapped[str] = mapped_column(String(20))
    unit_id: Mapped[int | None] = mapped_column(ForeignKey("units.id"), nullable=True)
    password_hash: Mapped[str] = mapped_column(String(300))
    disabled: Mapped[bool] = mapped_column(Boolean, default=False)
    session_epoch: Mapped[int] = mapped_column(Integer, default=0)
    created: Mapped[datetime] = mapped_column(UtcDateTime, default=now)
    unit: Mapped[Unit | None] = relationship()

    @property
    def role_name(self) -> str:
        return ROLES.get(self.role, self.role)


class Submission(Base):
    """One uploaded file, exactly as uploaded: its bytes (or, with a storage folder,
    the name of the file there, which is its hash), its SHA-256, its original name,
    who uploaded it and when. Version n+1 of a project is a new row."""

    __tablename__ = "submissions"
    __table_args__ = (UniqueConstraint("project_id", "version"),)
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    project_id: Mapped[int] = mapped_column(ForeignKey("projects.id"), index=True)
    version: Mapped[int] = mapped_column(Integer)
    original_name: Mapped[str] = mapped_column(String(300))
    sha256: Mapped[str] = mapped_column(String(64))
    size: Mapped[int] = mapped_column(Integer)
    content: Mapped[bytes | None] = mapped_column(LargeBinary, nullable=True)
    stored_as: Mapped[str | None] = mapped_column(String(100), nullable=True)
    uploaded_by: Mapped[int] = mapped_column(ForeignKey("accounts.id"))
    uploaded_at: Mapped[datetime] = mapped_column(UtcDateTime, default=now)
    project: Mapped[Project] = relationship()
    uploader: Mapped[Account] = relationship()


class AuditEntry(Base):
    """Who did what to what, when, from where (an IP address, or 命令行)."""

    __tablename__ = "audit_log"
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    at: Mapped[datetime] = mapped_column(UtcDateTime, default=now, index=True)
    account_id: Mapped[int | None] = mapped_column(ForeignKey("accounts.id"), nullable=True)
    actor: Mapped[str] = mapped_column(String(100))
    action: Mapped[str] = mapped_column(String(50))
    target: Mapped[str] = mapped_column(String(300), default="")
    source: Mapped[str] = mapped_column(String(100), default="")
    detail: Mapped[str] = mapped_column(Text, default="")


class LoginAttempt(Base):
    """One try to log in; failures in the last window are counted per name and address,
    in the database, so the limit holds across server processes."""

    __tablename__ = "login_attempts"
    __table_args__ = (Index("ix_login_attempts_lookup", "name", "source", "at"),
                      Index("ix_login_attempts_source", "source", "at"))
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    name: Mapped[str] = mapped_column(String(100))
    source: Mapped[str] = mapped_column(String(100))
    at: Mapped[datetime] = mapped_column(UtcDateTime, default=now)
    success: Mapped[bool] = mapped_column(Boolean)


class Scoring(Base):
    """What scoring one uploaded version gave, kept when it was uploaded: a new row per
    version (append-only), so a later jixiao scoring it differently adds, never rewrites.
    `issues` is JSON: [{"severity", "where", "message", "hint"}], each at its sheet and cell."""

    __tablename__ = "scorings"
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    submission_id: Mapped[int] = mapped_column(ForeignKey("submissions.id"), index=True)
    scored_at: Mapped[datetime] = mapped_column(UtcDateTime, default=now)
    errors: Mapped[int] = mapped_column(Integer)
    warnings: Mapped[int] = mapped_column(Integer)
    total: Mapped[str | None] = mapped_column(String(20), nullable=True)  # Decimal as text
    grade: Mapped[str | None] = mapped_column(String(10), nullable=True)
    issues: Mapped[str] = mapped_column(Text, default="[]")
    submission: Mapped[Submission] = relationship()


class SubmitEvent(Base):
    """提交: a unit declares one uploaded version (without errors) its submission.
    Append-only; a later 提交 of a newer version is a new row."""

    __tablename__ = "submit_events"
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    submission_id: Mapped[int] = mapped_column(ForeignKey("submissions.id"), index=True)
    project_id: Mapped[int] = mapped_column(ForeignKey("projects.id"), index=True)
    account_id: Mapped[int] = mapped_column(ForeignKey("accounts.id"))
    at: Mapped[datetime] = mapped_column(UtcDateTime, default=now)
    submission: Mapped[Submission] = relationship()


class SavedReview(Base):
    """A 复核人's review of one version: the record of scoring/review/records.py (`Review`,
    as JSON: weights, judged scores, comments, the evaluation's content hash), who saved it
    and when, and the total it gives. Append-only: a later review is a new row."""

    __tablename__ = "reviews"
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    submission_id: Mapped[int] = mapped_column(ForeignKey("submissions.id"), index=True)
    account_id: Mapped[int] = mapped_column(ForeignKey("accounts.id"))
    at: Mapped[datetime] = mapped_column(UtcDateTime, default=now)
    total: Mapped[str | None] = mapped_column(String(20), nullable=True)  # Decimal as text
    grade: Mapped[str | None] = mapped_column(String(10), nullable=True)
    record: Mapped[str] = mapped_column(Text)
    account: Mapped[Account] = relationship()
