"""What a file is, from its first bytes, not its name.

Units save with whatever their office suite names a file: an .xlsx renamed .xls, a
WPS workbook called .et saved as .xlsx, a Word table sent as "评价.xlsx". Every
command asks `file_kind` and reads a file by what it holds; a file it cannot use
gets a message naming what the file is (`describe`) and which command takes it.
`inputs` turns the paths a user gives (files and folders, searched recursively)
into the files to read.
"""

from __future__ import annotations

from pathlib import Path

from scoring.core.issues import ScoringError
from scoring.sources.archive import OLE_SIGNATURE, open_zip

SPREADSHEETS = ("xlsx", "xls", "ods")
# The suffixes looked at when a folder is searched (a file's kind is still read from it).
SEARCHED = (".yaml", ".yml", ".xlsx", ".xlsm", ".xls", ".ods")

_NAMES = {
    "yaml": "YAML 评价文件", "xlsx": "Excel 工作簿（.xlsx）", "xls": "Excel 97-2003 工作簿（.xls）",
    "ods": "OpenDocument 电子表格（.ods）", "xlsb": "Excel 二进制工作簿（.xlsb）",
    "docx": "Word 文档（.docx）", "doc": "Word 97-2003 文档（.doc）", "pdf": "PDF 文件",
    "encrypted": "设置了打开密码的 Office 文件", "zip": "压缩包", "empty": "空文件",
    "binary": "无法识别的二进制文件", "folder": "文件夹",
}


def file_kind(path: str | Path) -> str:
    """yaml, xlsx, xls, ods, xlsb, docx, doc, pdf, encrypted, zip, empty, binary or folder.

    Raises:
        ScoringError: the file is missing or unreadable.
    """
    path = Path(path)
    if path.is_dir():
        return "folder"
    try:
        with path.open("rb") as handle:
            head = handle.read(4096)
    except FileNotFoundError:
        raise ScoringError(f"找不到文件：{path}") from None
    except OSError as exc:
        raise ScoringError(f"无法读取 {path}：{exc.strerror}") from None
    if not head:
        return "empty"
    if head.startswith(b"PK"):
        return _zip_kind(path)
    if head.startswith(OLE_SIGNATURE):
        return _ole_kind(path)
    if head.startswith(b"%PDF"):
        return "pdf"
    if b"\x00" in head:
        return "binary"
    return "yaml"  # text: read as YAML, whose reader says what is wrong with it


def _zip_kind(path: Path) -> str:
    """The kind of a zip container, opened within the limits (a bomb is refused here)."""
    import zipfile  # for zip containers only, not for a YAML file

    try:
        with open_zip(path, "压缩文件") as zf:
            names = set(zf.namelist())
            mimetype = zf.read("mimetype")[:100] if "mimetype" in names else b""
    except (zipfile.BadZipFile, OSError, KeyError):
        return "xlsx" if path.suffix.lower() in (".xlsx", ".xlsm") else "zip"  # the reader says it is damaged
    except ScoringError:
        if path.suffix.lower() in (".xlsx", ".xlsm", ".ods", ".xls"):
            return "xlsx"  # the reader refuses it again, in a workbook's words
        raise
    if "xl/workbook.xml" in names:
        return "xlsx"
    if "xl/workbook.bin" in names:
        return "xlsb"
    if "word/document.xml" in names:
        return "docx"
    if b"opendocument.spreadsheet" in mimetype or ("content.xml" in names and not mimetype):
        return "ods"
    return "zip"


def _ole_kind(path: Path) -> str:
    import olefile

    try:
        with olefile.OleFileIO(str(path)) as ole:
            if ole.exists("EncryptedPackage"):
                return "encrypted"
            if ole.exists("Workbook") or ole.exists("Book"):
                return "xls"
            if ole.exists("WordDocument"):
                return "doc"
    except Exception:  # noqa: BLE001 - olefile's own errors for a damaged container
        return "xls" if path.suffix.lower() == ".xls" else "binary"
    return "binary"


def describe(kind: str) -> str:
    return _NAMES.get(kind, kind)


def is_spreadsheet_kind(kind: str) -> bool:
    """Kinds the workbook reader takes (it explains .xlsb and password-protected files itself)."""
    return kind in (*SPREADSHEETS, "xlsb", "encrypted")


SPREADSHEET_SUFFIXES = (".xlsx", ".xlsm", ".xls", ".xlsb", ".ods")


def is_spreadsheet(path: str | Path) -> bool:
    """Whether a command should read `path` as a workbook rather than a YAML file: by
    what the file holds (an .xlsx renamed .xls is read as what it is); by its name
    only when it cannot be opened, so the reader can say why. (Here, not in the
    workbook reader, so that scoring a YAML file does not import the reader.)"""
    try:
        return is_spreadsheet_kind(file_kind(path))
    except ScoringError:
        return Path(path).suffix.lower() in SPREADSHEET_SUFFIXES


def inputs(paths: list[str | Path]) -> list[Path]:
    """The files to read: each file as given, each folder searched recursively for
    evaluations and workbooks (hidden files and Office lock files ~$… left out).

    Raises:
        ScoringError: a path does not exist, or nothing is found.
    """
    files: list[Path] = []
    for name in paths:
        path = Path(name)
        if path.is_dir():
            files += sorted(p for p in path.rglob("*") if p.suffix.lower() in SEARCHED and p.is_file()
                            and not any(part.startswith((".", "~$")) for part in p.relative_to(path).parts))
        elif path.exists():
            files.append(path)
        else:
            raise ScoringError(f"找不到文件或文件夹：{path}")
    if not files:
        raise ScoringError("没有找到评价文件：文件夹中没有 YAML 评价文件或工作簿（.yaml、.xlsx、.xls、.ods）")
    return files


class NotAnEvaluation(ScoringError):
    """A file jixiao knows but that holds no evaluation: a target table, a review sheet,
    a summary. Named by the user, it is an error; found in a folder, it is passed over."""


def is_review_record(path: str | Path) -> bool:
    """A review record (`kind: review` near the top, as `save_review` writes it): a YAML
    file beside the evaluations that is not one of them."""
    try:
        with Path(path).open("r", encoding="utf-8", errors="replace") as handle:
            head = handle.read(4096)
    except OSError:
        return False
    return any(line.strip().replace(" ", "") in ("kind:review", "kind:'review'", 'kind:"review"')
               for line in head.splitlines())
