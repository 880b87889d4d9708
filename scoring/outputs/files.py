"""Writing outputs atomically: a temporary file in the same folder, then a rename.

A crash or Ctrl-C mid-write leaves the old file (or none), never half a file.
Inputs are only ever opened for reading.
"""

from __future__ import annotations

import os
import re
import tempfile
from contextlib import contextmanager
from pathlib import Path


@contextmanager
def _complete_copy(path: Path, data: bytes):
    """`data` written and flushed to disk in a temporary file beside `path`; the
    temporary file is gone afterwards, whatever happened."""
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=path.parent)
    try:
        with os.fdopen(fd, "wb") as handle:
            handle.write(data)
            handle.flush()
            os.fsync(handle.fileno())
        yield tmp
    finally:
        try:
            os.unlink(tmp)
        except FileNotFoundError:
            pass


def write_bytes_atomic(path: str | Path, data: bytes) -> Path:
    path = Path(path)
    with _complete_copy(path, data) as tmp:
        os.replace(tmp, path)
    return path


def write_new_atomic(path: str | Path, data: bytes) -> Path:
    """Write a file that must not exist yet, atomically; FileExistsError if it does.

    The complete file is linked into place (a link never replaces an existing
    name), so two writers racing for one name cannot overwrite each other's
    file; where links are not supported, the name is reserved with O_EXCL first.
    """
    path = Path(path)
    with _complete_copy(path, data) as tmp:
        try:
            os.link(tmp, path)
        except FileExistsError:
            raise
        except OSError:  # a file system without hard links
            os.close(os.open(path, os.O_CREAT | os.O_EXCL | os.O_WRONLY))
            os.replace(tmp, path)
    return path


def write_text_atomic(path: str | Path, text: str) -> Path:
    return write_bytes_atomic(path, text.encode("utf-8"))


_UNSAFE = re.compile(r'[\\/:*?"<>|\x00-\x1f]+')


def safe_name(name: str, limit: int = 80) -> str:
    """A file name from a unit or project name: Chinese kept, path and shell
    specials replaced, never empty, never hidden."""
    text = _UNSAFE.sub("_", name).strip(" .")
    return (text[:limit] or "未命名").lstrip(".") or "未命名"
