"""Submitted files, kept exactly as uploaded and never overwritten.

`store_submission` adds a new row with the next version number of its project: the
file's bytes go into the database, or, when the server names a storage folder
(shared by every process), into a file there named by its SHA-256 (content-addressed:
no name from a request ever becomes a path, and a file once written is never
replaced). `submission_bytes` gives the bytes back and checks them against the hash.
"""

from __future__ import annotations

import hashlib
import random
import time
from pathlib import Path

from sqlalchemy import func, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from scoring.core.issues import ScoringError
from scoring.outputs.files import write_new_atomic
from scoring.server.accounts import audit
from scoring.server.models import Account, Project, Submission, now

MAX_NAME = 300
RETRIES = 20  # processes racing for the same next version: the loser waits a moment, takes the one after


def store_submission(db: Session, project: Project, content: bytes, original_name: str, by: Account,
                     source: str, storage: Path | None = None) -> Submission:
    """A new version of `project`'s file, committed with its audit entry."""
    digest = hashlib.sha256(content).hexdigest()
    stored_as = _store_file(storage, digest, content) if storage else None
    name = (original_name or "").strip()[:MAX_NAME] or "未命名"
    target = f"{project.unit.name}/{project.year}/{project.name}"
    project_id, by_id = project.id, by.id
    for attempt in range(RETRIES):
        try:
            latest = db.scalar(select(func.max(Submission.version)).where(Submission.project_id == project_id))
            row = Submission(project_id=project_id, version=(latest or 0) + 1, original_name=name,
                             sha256=digest, size=len(content), content=None if stored_as else content,
                             stored_as=stored_as, uploaded_by=by_id, uploaded_at=now())
            db.add(row)
            audit(db, by, "upload", target, source, f"第 {row.version} 版，{name}，SHA-256 {digest}")
            db.commit()
            return row
        except IntegrityError:  # another process took this version number first
            db.rollback()
            time.sleep(random.uniform(0, 0.01 * (attempt + 1)))  # so racers do not collide again in step
    raise ScoringError("上传太多、太快：请稍后再上传一次。")


def versions(db: Session, project: Project) -> list[Submission]:
    return list(db.scalars(select(Submission).where(Submission.project_id == project.id)
                           .order_by(Submission.version)))


def submission_bytes(row: Submission, storage: Path | None = None) -> bytes:
    """The file as uploaded; a file whose bytes no longer match their hash is an error."""
    if row.stored_as is None:
        content = row.content or b""
    else:
        if storage is None:
            raise ScoringError(f"第 {row.version} 版文件存放在存储文件夹中，但服务器未指定存储文件夹（--storage）。")
        content = _path(storage, row.stored_as).read_bytes()
    if hashlib.sha256(content).hexdigest() != row.sha256:
        raise ScoringError(f"第 {row.version} 版文件（{row.original_name}）与上传时的 SHA-256 不符：文件已被改动。")
    return content


def _path(storage: Path, digest: str) -> Path:
    if len(digest) != 64 or any(c not in "0123456789abcdef" for c in digest):
        raise ScoringError("存储的文件名无效。")
    return storage / digest[:2] / digest


def _store_file(storage: Path, digest: str, content: bytes) -> str:
    path = _path(storage, digest)
    path.parent.mkdir(parents=True, exist_ok=True)
    try:
        write_new_atomic(path, content, check_parts=False)
    except FileExistsError:  # the same bytes were uploaded before: the file is already there
        pass
    return digest
