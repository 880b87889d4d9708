"""Excel error values (#DIV/0!, #REF!, #N/A …) in a workbook's cells, found in the file itself.

python-calamine reads a cell holding an error value as an empty cell, so a 分值 of
#DIV/0! looked missing, or like a formula saved without its result, and the unit was
told to open and save the file again, which changes nothing. The error is in the
formula (or was typed), and the message must say so at its cell. This module finds
the error cells: in .xlsx/.xlsm the cells marked ``t="e"`` (value ``#DIV/0!`` …), in
.ods those LibreOffice marks ``calcext:value-type="error"``. An .xls keeps its errors
in binary records only calamine reads; there an error cell still reads as empty.

The parts are streamed within `core.limits` (through `sources.archive`), and a sheet's
XML is parsed only when a byte search finds an error marker in it, so a workbook
without errors costs one pass of decompression. The result is kept per file
(path, size and modification time), since every sheet of a workbook asks for it.
"""

from __future__ import annotations

import os
import zipfile
from functools import lru_cache
from pathlib import Path
from xml.parsers import expat

from scoring.core.issues import ScoringError
from scoring.sources.archive import open_zip, read_member, stream_member
from scoring.sources.workbook.scan import NS, RID, WHAT, parse_xml

Cells = dict[tuple[int, int], str]  # (row, column), 0-based → the error as shown, e.g. #DIV/0!

MEANINGS = {
    "#DIV/0!": "公式中除数为 0",
    "#REF!": "公式引用的单元格已被删除或无效",
    "#N/A": "公式查找不到对应的值",
    "#VALUE!": "公式中的值类型不对，如文字参与了计算",
    "#NAME?": "公式中有无法识别的函数名或名称",
    "#NUM!": "公式中的数值无效或超出范围",
    "#NULL!": "公式中的区域没有交集",
}
_MAIN = NS["m"]
_TABLE = "urn:oasis:names:tc:opendocument:xmlns:table:1.0"
_CALCEXT = "urn:org:documentfoundation:names:experimental:calc:xmlns:calcext:1.0"
_MAX_REPEAT = 1_000  # cells recorded for one repeated .ods error cell (a hostile file repeats millions)
_MAX_ERRORS = 100_000  # error cells recorded for one sheet: the first ones are reported, memory stays small


def meaning(code: str) -> str:
    """What an error value means, in the words of the message: 公式计算出错：…"""
    detail = MEANINGS.get(code.upper())
    return f"公式计算出错：{detail}" if detail else "公式计算出错"


def error_cells(file: str | Path, title: str) -> Cells:
    """The error cells of one sheet; {} when there are none or the file cannot be read again."""
    try:
        stat = os.stat(file)
    except OSError:
        return {}
    return _workbook_errors(str(file), stat.st_size, stat.st_mtime_ns).get(title, {})


@lru_cache(maxsize=8)
def _workbook_errors(file: str, size: int, mtime: int) -> dict[str, Cells]:
    """Every sheet's error cells (by sheet name); size and mtime key the cache only."""
    path = Path(file)
    try:
        with path.open("rb") as handle:
            if handle.read(2) != b"PK":
                return {}  # .xls: its errors are not visible here
        with open_zip(path, WHAT) as zf:
            names = set(zf.namelist())
            if "xl/workbook.xml" in names:
                return _ooxml_errors(zf, path, names)
            if "content.xml" in names:
                return _ods_errors(zf, path)
    except (ScoringError, OSError, expat.ExpatError, zipfile.BadZipFile):
        pass  # the reader reports what is wrong with the file; here only errors are sought
    return {}


def _has_marker(zf: zipfile.ZipFile, member: str, path: Path, marker: bytes) -> bool:
    """Whether the part holds `marker`, searched chunk by chunk (across chunk boundaries)."""
    tail = b""
    for chunk in stream_member(zf, member, path, WHAT):
        if marker in tail + chunk[: len(marker)] or marker in chunk:
            return True
        tail = chunk[-len(marker):]
    return False


def _parse(zf: zipfile.ZipFile, member: str, path: Path, handler) -> None:
    """Stream one part through expat with `handler`'s start, end and text methods; no DTDs."""
    parser = expat.ParserCreate(namespace_separator=" ")
    parser.StartElementHandler = handler.start
    parser.EndElementHandler = handler.end
    parser.CharacterDataHandler = handler.text

    def refuse(*_args):
        raise ScoringError(f"{path}：{member} 含有 DTD 或实体声明")

    parser.StartDoctypeDeclHandler = refuse
    parser.EntityDeclHandler = refuse
    for chunk in stream_member(zf, member, path, WHAT):
        parser.Parse(chunk, False)
    parser.Parse(b"", True)


# ------------------------------------------------------------------ .xlsx


def _sheet_members(zf: zipfile.ZipFile, path: Path) -> dict[str, str]:
    """Sheet name → its part, from workbook.xml and its relationships."""
    book = parse_xml(read_member(zf, "xl/workbook.xml", path, WHAT), path, "xl/workbook.xml")
    rels_name = "xl/_rels/workbook.xml.rels"
    rels = parse_xml(read_member(zf, rels_name, path, WHAT), path, rels_name)
    targets = {rel.get("Id"): rel.get("Target", "") for rel in rels}
    members = {}
    for sheet in book.iterfind("m:sheets/m:sheet", NS):
        target = targets.get(sheet.get(RID), "")
        members[sheet.get("name")] = target.lstrip("/") if target.startswith("/") else f"xl/{target}"
    return members


def _ooxml_errors(zf: zipfile.ZipFile, path: Path, names: set[str]) -> dict[str, Cells]:
    found = {}
    for title, member in _sheet_members(zf, path).items():
        if member in names and _has_marker(zf, member, path, b't="e"'):
            handler = _OoxmlCells()
            _parse(zf, member, path, handler)
            found[title] = handler.errors
    return found


class _OoxmlCells:
    """Collects ``<c r="F12" t="e"><v>#DIV/0!</v></c>``; a cell without ``r`` follows the one before."""

    def __init__(self):
        self.errors: Cells = {}
        self.row, self.col = -1, -1
        self.cell: tuple[int, int] | None = None  # an error cell being read
        self.value: list[str] | None = None

    def start(self, name: str, attrs: dict) -> None:
        if name == f"{_MAIN} row":
            self.row = int(attrs["r"]) - 1 if attrs.get("r", "").isdigit() else self.row + 1
            self.col = -1
        elif name == f"{_MAIN} c":
            self.row, self.col = _position(attrs.get("r"), self.row, self.col + 1)
            self.cell = (self.row, self.col) if attrs.get("t") == "e" else None
        elif name == f"{_MAIN} v" and self.cell is not None:
            self.value = []

    def text(self, data: str) -> None:
        if self.value is not None:
            self.value.append(data)

    def end(self, name: str) -> None:
        if name == f"{_MAIN} v" and self.cell is not None and self.value is not None:
            if len(self.errors) < _MAX_ERRORS:
                self.errors[self.cell] = "".join(self.value).strip()[:20] or "#VALUE!"
            self.value = None


def _position(ref: str | None, row: int, col: int) -> tuple[int, int]:
    """A cell reference (F12) as 0-based (row, column); the given ones when absent or odd."""
    if not ref:
        return row, col
    letters = ref.rstrip("0123456789")
    digits = ref[len(letters):]
    if not letters.isalpha() or not letters.isascii() or not digits:
        return row, col
    number = 0
    for ch in letters.upper():
        number = number * 26 + ord(ch) - 64
    return int(digits) - 1, number - 1


# ------------------------------------------------------------------- .ods


def _ods_errors(zf: zipfile.ZipFile, path: Path) -> dict[str, Cells]:
    if not _has_marker(zf, "content.xml", path, b'value-type="error"'):
        return {}
    handler = _OdsCells()
    _parse(zf, "content.xml", path, handler)
    return handler.errors


class _OdsCells:
    """Walks tables, rows and cells with their repeat counts; keeps the cells marked as errors."""

    def __init__(self):
        self.errors: dict[str, Cells] = {}
        self.table: Cells | None = None
        self.row, self.rows, self.col = 0, 1, 0
        self.cell: tuple[int, int] | None = None  # (column, columns repeated) of an error cell
        self.value: list[str] | None = None

    def start(self, name: str, attrs: dict) -> None:
        if name == f"{_TABLE} table":
            self.table = self.errors.setdefault(attrs.get(f"{_TABLE} name", ""), {})
            self.row = 0
        elif self.table is None:
            return
        elif name == f"{_TABLE} table-row":
            self.rows, self.col = _count(attrs.get(f"{_TABLE} number-rows-repeated")), 0
        elif name in (f"{_TABLE} table-cell", f"{_TABLE} covered-table-cell"):
            repeat = _count(attrs.get(f"{_TABLE} number-columns-repeated"))
            if attrs.get(f"{_CALCEXT} value-type") == "error":
                self.cell, self.value = (self.col, repeat), []
            self.col += repeat

    def text(self, data: str) -> None:
        if self.value is not None:
            self.value.append(data)

    def end(self, name: str) -> None:
        if self.table is None:
            return
        if name == f"{_TABLE} table":
            self.table = None
        elif name == f"{_TABLE} table-row":
            self.row += self.rows
        elif name == f"{_TABLE} table-cell" and self.cell is not None:
            col, repeat = self.cell
            code = "".join(self.value or ()).strip()[:20] or "#VALUE!"
            rows = range(self.row, self.row + min(self.rows, _MAX_REPEAT))
            cells = ((r, c) for r in rows for c in range(col, col + min(repeat, _MAX_REPEAT)))
            for _, cell in zip(range(min(_MAX_REPEAT, _MAX_ERRORS - len(self.table))), cells):
                self.table[cell] = code
            self.cell, self.value = None, None


def _count(text: str | None) -> int:
    try:
        return max(1, int(text)) if text else 1
    except ValueError:
        return 1
