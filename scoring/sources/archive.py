"""Opening a user's file within the limits of `core.limits`, before anything is allocated.

.xlsx, .ods and .docx files are zip containers whose parts may expand a
thousandfold: a 3 MB workbook can hold a 3 GB sheet. `open_zip` reads what the
container declares (its entry count, each part's expanded size and its ratio to
the compressed size) before the parts are listed or read, and `stream_member`
reads a part in chunks, counting what it really expands to, so a part whose
header lies is refused too. Every refusal is a `ScoringError` in Chinese naming
the file, the part, the limit and what to do.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import TYPE_CHECKING

from scoring.core import limits
from scoring.core.issues import ScoringError
from scoring.core.limits import size_text

if TYPE_CHECKING:  # zipfile (with shutil, bz2, lzma) is imported where a container is opened:
    import zipfile  # a YAML file only has its size checked here

OLE_SIGNATURE = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"  # .xls, .doc, and password-protected .xlsx/.docx
CHUNK = 1024 * 1024


def check_size(path: Path, limit: int = limits.MAX_INPUT_BYTES, what: str = "文件") -> int:
    """The file's size on disk, refused above `limit`.

    Raises:
        ScoringError: missing, unreadable, or too large.
    """
    try:
        size = path.stat().st_size
    except FileNotFoundError:
        raise ScoringError(f"找不到文件：{path}") from None
    except OSError as exc:
        raise ScoringError(f"无法读取 {path}：{exc.strerror}") from None
    if size > limit:
        raise ScoringError(f"{path}：{what}大小 {size_text(size)}，超过上限 {size_text(limit)}；"
                           "请确认选对了文件，或把内容拆分到几个文件中")
    return size


def is_encrypted_office_file(head: bytes, path: Path) -> bool:
    """A password-protected .xlsx/.docx is an OLE container with an EncryptedPackage stream."""
    if not head.startswith(OLE_SIGNATURE):
        return False
    try:
        with path.open("rb") as handle:
            data = handle.read(4 * CHUNK)  # the directory of a small container sits early
    except OSError:
        return False
    return "EncryptedPackage".encode("utf-16-le") in data


def password_message(path: Path) -> str:
    return (f"{path}：文件设置了打开密码（已加密），jixiao 无法读取；"
            "请在 Excel/WPS 中打开，取消密码保护（文件 → 信息 → 保护 → 用密码进行加密，清空密码）后另存，再重试")


def _declared_entries(path: Path) -> int | None:
    """The entry count the zip's end record declares, read before the directory is parsed."""
    import zipfile

    end_record = getattr(zipfile, "_EndRecData", None)  # CPython's own reader of that record
    if end_record is None:  # pragma: no cover - every CPython 3.11–3.14 has it
        return None
    try:
        with path.open("rb") as handle:
            record = end_record(handle)
    except OSError:
        return None
    return None if not record else int(record[zipfile._ECD_ENTRIES_TOTAL])


@contextmanager
def open_zip(path: Path, what: str) -> Iterator[zipfile.ZipFile]:
    """A zip container (`what`: 工作簿, Word 模板 …) whose declared contents fit the limits.

    Raises:
        ScoringError: not a zip file, too many parts, a part too large or
            compressed suspiciously well, or all parts together too large.
    """
    import zipfile

    entries = _declared_entries(path)
    if entries is not None and entries > limits.MAX_ZIP_MEMBERS:
        raise ScoringError(f"{path}：{what}中有 {entries} 个组成部分，超过上限 {limits.MAX_ZIP_MEMBERS}；"
                           "文件可能已损坏或被构造，请用 Excel/WPS 打开后另存再试")
    try:
        zf = zipfile.ZipFile(path)
    except (zipfile.BadZipFile, zipfile.LargeZipFile, ValueError, EOFError):
        raise ScoringError(f"{path}：不是有效的{what}（文件已损坏，或不是这种格式）；"
                           "请用 Excel/WPS 打开后另存再试") from None
    except OSError as exc:
        raise ScoringError(f"无法读取 {path}：{exc.strerror}") from None
    with zf:
        check_members(zf, path, what)
        yield zf


def check_members(zf: zipfile.ZipFile, path: Path, what: str) -> None:
    """Every part's declared expanded size and ratio, and their sum, within the limits."""
    total = 0
    for info in zf.infolist():
        if info.flag_bits & 0x1:
            raise ScoringError(password_message(path))
        size = info.file_size
        total += size
        if size > limits.MAX_MEMBER_BYTES:
            raise ScoringError(f"{path}：{what}的组成部分 {info.filename} 解压后 {size_text(size)}，"
                               f"超过上限 {size_text(limits.MAX_MEMBER_BYTES)}；"
                               "如确是这么大的表格，请拆分成几个文件")
        if size > limits.RATIO_FLOOR and size > limits.MAX_RATIO * max(info.compress_size, 1):
            raise ScoringError(f"{path}：{what}的组成部分 {info.filename} 压缩比异常"
                               f"（{size_text(info.compress_size)} 解压为 {size_text(size)}，"
                               f"超过 {limits.MAX_RATIO} 倍），可能是构造的“压缩炸弹”，已拒绝读取；"
                               "请用 Excel/WPS 打开后另存再试")
    if total > limits.MAX_EXPANDED_BYTES:
        raise ScoringError(f"{path}：{what}解压后共 {size_text(total)}，超过上限 "
                           f"{size_text(limits.MAX_EXPANDED_BYTES)}；请拆分成几个文件")


def stream_member(zf: zipfile.ZipFile, name: str, path: Path, what: str,
                  limit: int = limits.MAX_MEMBER_BYTES) -> Iterator[bytes]:
    """A part's bytes in chunks, refused as soon as more than `limit` come out (a part
    whose header understates its size is caught here, not after it has been read).

    Raises:
        ScoringError: the part is missing, damaged or larger than `limit`.
    """
    import zipfile

    seen = 0
    try:
        with zf.open(name) as handle:
            while chunk := handle.read(CHUNK):
                seen += len(chunk)
                if seen > limit:
                    raise ScoringError(f"{path}：{what}的组成部分 {name} 解压后超过 {size_text(limit)}；"
                                       "如确是这么大的表格，请拆分成几个文件")
                yield chunk
    except ScoringError:
        raise
    except KeyError:
        raise ScoringError(f"{path}：{what}缺少组成部分 {name}；文件不完整，请用 Excel/WPS 打开后另存再试") from None
    except (zipfile.BadZipFile, EOFError, ValueError, OSError) as exc:
        raise ScoringError(f"{path}：{what}的组成部分 {name} 已损坏（{type(exc).__name__}）；"
                           "请用 Excel/WPS 打开后另存再试") from None


def read_member(zf: zipfile.ZipFile, name: str, path: Path, what: str,
                limit: int = limits.MAX_MEMBER_BYTES) -> bytes:
    """A whole part, within `limit` bytes however its header describes it."""
    return b"".join(stream_member(zf, name, path, what, limit))
