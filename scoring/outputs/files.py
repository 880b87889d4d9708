"""Writing outputs atomically: a temporary file in the same folder, then a rename.

A crash or Ctrl-C mid-write leaves the old file (or none), never half a file.
Inputs are only ever opened for reading.

Before a .docx or .xlsx is put in place its XML parts are checked for
well-formedness (`scoring.outputs.xmlcheck`): a document Word would refuse to open
is an error here, with no file left behind, never a success. The temporary file
is created with mode 0666 less the umask, as any program's file is, so outputs in a
shared folder are readable by the colleagues who share it (`tempfile.mkstemp`
would make them 0600, and the rename keeps that). The process umask is never
changed: the reviewer page writes from several threads.
"""

from __future__ import annotations

import os
import re
import secrets
from collections.abc import Iterable
from contextlib import contextmanager
from pathlib import Path

from scoring.core.issues import ScoringError
from scoring.outputs.xmlcheck import zip_problem

# Zip containers of XML parts whose parts are checked before the file is written.
CHECKED_SUFFIXES = (".docx", ".docm", ".dotx", ".xlsx", ".xlsm", ".xltx")


class BrokenOutputError(ScoringError):
    """A generated file whose XML is broken: nothing was written."""

    def __init__(self, path: Path, part: str, problem: str):
        self.path, self.part, self.problem = path, part, problem
        super().__init__(f"{path}：生成的文件有误，未保存（组成部分 {part} {problem}）；"
                         "打开它的程序会拒绝整个文件。请报告此问题")

    def __reduce__(self):  # crosses from a worker process to the command
        return type(self), (self.path, self.part, self.problem)


def check_output(path: Path, data: bytes, check_parts: Iterable[str] | bool | None = None) -> None:
    """Refuse `data` if a checked XML part is broken.

    `check_parts`: None checks every XML part of a .docx/.xlsx (by `path`'s suffix) and
    nothing in other files; True every XML part, False nothing; a list of part names
    only those (a rendered document: the parts the template did not change were
    checked when the template was loaded).

    Raises:
        BrokenOutputError: naming the file and the part.
    """
    if check_parts is None:
        check_parts = path.suffix.lower() in CHECKED_SUFFIXES
    if check_parts is False:
        return
    found = zip_problem(data, None if check_parts is True else check_parts)
    if found:
        raise BrokenOutputError(path, *found)


def _temporary(path: Path) -> tuple[int, str]:
    """A new file beside `path`, created 0666 less the umask, never an existing one."""
    stem = path.name
    while len(stem.encode("utf-8")) > 200:  # room for the suffix within a 255-byte name
        stem = stem[:-1]
    flags = os.O_CREAT | os.O_EXCL | os.O_WRONLY | getattr(os, "O_BINARY", 0)
    for _ in range(100):
        tmp = str(path.parent / f".{stem}.{secrets.token_hex(4)}.tmp")
        try:
            return os.open(tmp, flags, 0o666), tmp
        except FileExistsError:
            continue
    raise FileExistsError(f"无法在 {path.parent} 中创建临时文件")  # pragma: no cover


def _flushed_copy(path: Path, data: bytes) -> str:
    """`data` written and flushed to disk in a new temporary file beside `path`, whose name is
    returned; nothing is left behind when writing fails."""
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = _temporary(path)
    try:
        with os.fdopen(fd, "wb") as handle:
            handle.write(data)
            handle.flush()
            os.fsync(handle.fileno())
    except BaseException:
        os.unlink(tmp)
        raise
    return tmp


@contextmanager
def _complete_copy(path: Path, data: bytes):
    """`data` written and flushed to disk in a temporary file beside `path`; the
    temporary file is gone afterwards, whatever happened."""
    tmp = _flushed_copy(path, data)
    try:
        yield tmp
    finally:
        try:
            os.unlink(tmp)
        except FileNotFoundError:
            pass


def write_bytes_atomic(path: str | Path, data: bytes, *,
                       check_parts: Iterable[str] | bool | None = None) -> Path:
    """Write `data` to `path` atomically, after `check_output` (see there for `check_parts`)."""
    path = Path(path)
    check_output(path, data, check_parts)
    with _complete_copy(path, data) as tmp:
        os.replace(tmp, path)
    return path


def write_pending(path: str | Path, data: bytes, *,
                  check_parts: Iterable[str] | bool | None = None) -> str:
    """The first half of `write_bytes_atomic`, for a file whose final name another
    process decides: `data`, checked (`check_output`), complete and flushed to disk in
    a temporary file beside `path`, whose name is returned; `put_in_place` ends it."""
    path = Path(path)
    check_output(path, data, check_parts)
    return _flushed_copy(path, data)


def put_in_place(tmp: str, path: str | Path) -> Path:
    """The second half: the temporary file of `write_pending` renamed to `path` (in the same folder)."""
    os.replace(tmp, path)
    return Path(path)


def write_new_atomic(path: str | Path, data: bytes, *,
                     check_parts: Iterable[str] | bool | None = None) -> Path:
    """Write a file that must not exist yet, atomically; FileExistsError if it does.

    The complete file is linked into place (a link never replaces an existing
    name), so two writers racing for one name cannot overwrite each other's
    file; where links are not supported, the name is reserved with O_EXCL first.
    """
    path = Path(path)
    check_output(path, data, check_parts)
    with _complete_copy(path, data) as tmp:
        try:
            os.link(tmp, path)
        except FileExistsError:
            raise
        except OSError:  # a file system without hard links
            os.close(os.open(path, os.O_CREAT | os.O_EXCL | os.O_WRONLY, 0o666))
            os.replace(tmp, path)
    return path


def write_text_atomic(path: str | Path, text: str) -> Path:
    return write_bytes_atomic(path, text.encode("utf-8"))


_UNSAFE = re.compile(r'[\\/:*?"<>|\x00-\x1f\x7f-\x9f\u2028\u2029]+')
# Invisible marks that reorder how a name is shown: "报告\u202Excod.exe" displays as "报告exe.docx".
_BIDI = re.compile("[\u200e\u200f\u061c\u202a-\u202e\u2066-\u2069]")
MAX_NAME_BYTES = 180  # UTF-8 bytes of the part a name gives: file systems allow 255 for the whole name


def safe_name(name: str, limit: int = 80) -> str:
    """A file name from a unit or project name: Chinese kept, path and shell specials
    and control characters replaced, bidirectional marks removed; never empty, never
    hidden, never starting with “-” (which a command would read as an option)."""
    text = _UNSAFE.sub("_", _BIDI.sub("", name))
    text = text.strip(" .")[:limit]
    while len(text.encode("utf-8")) > MAX_NAME_BYTES:
        text = text[:-1]
    return text.lstrip(" .-").rstrip(" .") or "未命名"
