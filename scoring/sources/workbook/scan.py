"""A streaming look at a spreadsheet before it is loaded: how big each sheet really is.

python-calamine turns a sheet's cells into a dense rows × columns range in native
code: one cell at XFD1048576 in a 44 KB file asks for 512 GiB and aborts the
process. Nothing in Python can catch that, so the extent of every sheet is
measured here first, reading the sheet's XML in chunks without building it: for
.xlsx the ``r="F12"`` of every cell, for .ods the cells and their repeat counts.
The same pass finds the .xlsx cells that carry a percent number format, which
calamine does not report. A sheet or a workbook beyond `core.limits` is refused
with the sheet's name and its size.
"""

from __future__ import annotations

import codecs
import re
import zipfile
from dataclasses import dataclass, field
from pathlib import Path
from xml.etree.ElementTree import ParseError
from xml.parsers import expat

from defusedxml import ElementTree as SafeTree
from defusedxml.common import DefusedXmlException
from openpyxl.utils import column_index_from_string

from scoring.core import limits
from scoring.core.issues import ScoringError
from scoring.sources.archive import read_member, stream_member

WHAT = "工作簿"


@dataclass
class Extent:
    """The used range of one sheet, 0-based, as far as its cells reach."""

    first_row: int | None = None
    last_row: int = -1
    first_col: int | None = None
    last_col: int = -1
    cells: int = 0

    def add(self, row: int, col: int, rows: int = 1, cols: int = 1) -> None:
        self.first_row = row if self.first_row is None else min(self.first_row, row)
        self.first_col = col if self.first_col is None else min(self.first_col, col)
        self.last_row = max(self.last_row, row + rows - 1)
        self.last_col = max(self.last_col, col + cols - 1)
        self.cells += rows * cols

    @property
    def area(self) -> int:
        if self.first_row is None or self.first_col is None:
            return 0
        return (self.last_row - self.first_row + 1) * (self.last_col - self.first_col + 1)


def check_extents(path: Path, extents: dict[str, Extent]) -> None:
    """Refuse a sheet, or the workbook, whose used range is beyond the limits."""
    if len(extents) > limits.MAX_SHEETS:
        raise ScoringError(f"{path}：工作簿有 {len(extents)} 张工作表，超过上限 {limits.MAX_SHEETS}；"
                           "请拆分成几个工作簿")
    total = 0
    for title, extent in extents.items():
        area = extent.area
        total += area
        if area > limits.MAX_SHEET_CELLS:
            rows = extent.last_row - (extent.first_row or 0) + 1
            cols = extent.last_col - (extent.first_col or 0) + 1
            raise ScoringError(
                f"{path}：工作表“{title}”的数据区域有 {rows} 行 × {cols} 列（{area} 个单元格），"
                f"超过上限 {limits.MAX_SHEET_CELLS}；表格远处可能有多余的内容，"
                "请删除数据区域以外的行和列（或把表格复制到新工作簿）后另存再试")
    check_total(path, total)


def check_total(path: Path, total: int) -> None:
    """Refuse a workbook whose sheets' used ranges together are beyond the limit."""
    if total > limits.MAX_WORKBOOK_CELLS:
        raise ScoringError(f"{path}：工作簿各表的数据区域共 {total} 个单元格，超过上限 "
                           f"{limits.MAX_WORKBOOK_CELLS}；请拆分成几个工作簿")


# ------------------------------------------------------------------ .xlsx

_PERCENT_FORMAT_IDS = {9, 10}  # built-in 0% and 0.00%
_CELL_TAG = re.compile(r"<(?:\w+:)?c\s([^>]*)>")
_STYLE_ATTR = re.compile(r'\bs="(\d+)"')
_REF_ATTR = re.compile(r'\br="([A-Z]{1,3})(\d{1,7})"')
_CELL_REF = re.compile(r'<(?:\w+:)?c\s[^>]*?\br="([A-Z]{1,3})(\d{1,7})"')
NS = {"m": "http://schemas.openxmlformats.org/spreadsheetml/2006/main"}
RID = "{http://schemas.openxmlformats.org/officeDocument/2006/relationships}id"


def is_percent_format(fmt: str) -> bool:
    return "%" in re.sub(r'"[^"]*"|\\.', "", fmt)


def percent_styles(zf: zipfile.ZipFile, path: Path) -> set[int]:
    """Indexes of the cell styles whose number format shows a percent."""
    if "xl/styles.xml" not in zf.namelist():
        return set()
    styles = parse_xml(read_member(zf, "xl/styles.xml", path, WHAT), path, "xl/styles.xml")
    ids = set(_PERCENT_FORMAT_IDS)
    for fmt in styles.iterfind("m:numFmts/m:numFmt", NS):
        if is_percent_format(fmt.get("formatCode", "")):
            ids.add(int(fmt.get("numFmtId", -1)))
    return {i for i, xf in enumerate(styles.iterfind("m:cellXfs/m:xf", NS))
            if int(xf.get("numFmtId", 0)) in ids}


def scan_ooxml_sheet(zf: zipfile.ZipFile, member: str, path: Path,
                     styles: set[int]) -> tuple[Extent, set[tuple[int, int]]]:
    """One sheet's extent and its percent-formatted cells, from its XML in chunks."""
    extent = Extent()
    percent: set[tuple[int, int]] = set()
    columns: set[str] = set()
    decoder = codecs.getincrementaldecoder("utf-8")("replace")
    tail = ""
    for chunk in stream_member(zf, member, path, WHAT):
        text = tail + decoder.decode(chunk)
        cut = text.rfind("<")  # a tag cut in two waits for the next chunk
        text, tail = (text[:cut], text[cut:]) if cut >= 0 else (text, "")
        refs = _CELL_REF.findall(text)  # in C: one (column, row) pair per cell
        if refs:
            letters, numbers = zip(*refs)
            columns.update(letters)
            rows = [int(n) for n in numbers]
            extent.add(min(rows) - 1, 0, max(rows) - min(rows) + 1)
            extent.cells += len(refs) - (max(rows) - min(rows) + 1)
        if styles:
            for m in _CELL_TAG.finditer(text):
                style = _STYLE_ATTR.search(m[1])
                if style and int(style[1]) in styles:
                    ref = _REF_ATTR.search(m[1])
                    if ref:
                        percent.add((int(ref[2]) - 1, column_index_from_string(ref[1]) - 1))
    if columns:
        indexes = [column_index_from_string(c) - 1 for c in columns]
        extent.first_col, extent.last_col = min(indexes), max(indexes)
    return extent, percent


def parse_xml(data: bytes, path: Path, member: str):
    """A small XML part (workbook.xml, styles.xml), parsed with DTDs and entities refused."""
    try:
        return SafeTree.fromstring(data, forbid_dtd=True)
    except (ParseError, DefusedXmlException, ValueError):
        raise ScoringError(f"{path}：{WHAT}的组成部分 {member} 不是有效的 XML（文件已损坏或被构造）；"
                           "请用 Excel/WPS 打开后另存再试") from None


# ------------------------------------------------------------------- .ods

_TABLE = "urn:oasis:names:tc:opendocument:xmlns:table:1.0"
_OFFICE = "urn:oasis:names:tc:opendocument:xmlns:office:1.0"


@dataclass
class _OdsScan:
    """Walks content.xml's tables, rows and cells with their repeat counts."""

    extents: dict[str, Extent] = field(default_factory=dict)
    table: Extent | None = None
    row: int = 0
    rows_repeated: int = 1
    col: int = 0
    cell: tuple[int, int] | None = None  # (column, columns repeated) of an open cell
    cell_has_value: bool = False
    cell_percent: bool = False
    percent: dict[str, set[tuple[int, int]]] = field(default_factory=dict)
    merges: dict[str, list[tuple[tuple[int, int], tuple[int, int]]]] = field(default_factory=dict)
    title: str = ""

    def start(self, name: str, attrs: dict) -> None:
        if name == f"{_TABLE} table":
            self.title = attrs.get(f"{_TABLE} name", f"表{len(self.extents) + 1}")
            self.table = self.extents.setdefault(self.title, Extent())
            self.row = 0
        elif self.table is None:
            return
        elif name == f"{_TABLE} table-row":
            self.rows_repeated = _count(attrs.get(f"{_TABLE} number-rows-repeated"))
            self.col = 0
        elif name in (f"{_TABLE} table-cell", f"{_TABLE} covered-table-cell"):
            self.cell = (self.col, _count(attrs.get(f"{_TABLE} number-columns-repeated")))
            rows, cols = (_count(attrs.get(f"{_TABLE} number-rows-spanned")),
                          _count(attrs.get(f"{_TABLE} number-columns-spanned")))
            if rows > 1 or cols > 1:  # a merged range starts here (calamine reports none for .ods)
                self.merges.setdefault(self.title, []).append(
                    ((self.row, self.col), (self.row + rows - 1, self.col + cols - 1)))
            self.cell_has_value = f"{_OFFICE} value-type" in attrs
            self.cell_percent = attrs.get(f"{_OFFICE} value-type") == "percentage"
        elif self.cell is not None:  # any content inside a cell: a text:p, an annotation …
            self.cell_has_value = True

    def end(self, name: str) -> None:
        if self.table is None:
            return
        if name == f"{_TABLE} table":
            self.table = None
        elif name == f"{_TABLE} table-row":
            self.row += self.rows_repeated
        elif name in (f"{_TABLE} table-cell", f"{_TABLE} covered-table-cell") and self.cell is not None:
            col, repeated = self.cell
            if self.cell_has_value:
                self.table.add(self.row, col, self.rows_repeated, repeated)
            if self.cell_percent:  # the table is within the limits here: the set stays small
                cells = self.percent.setdefault(self.title, set())
                cells.update((r, c) for r in range(self.row, self.row + self.rows_repeated)
                             for c in range(col, col + repeated))
            self.col += repeated
            self.cell = None


def _count(text: str | None) -> int:
    try:
        return max(1, int(text)) if text else 1
    except ValueError:
        return 1


def scan_ods(zf: zipfile.ZipFile, path: Path) -> _OdsScan:
    """Every table's extent in an .ods, counting repeated rows and cells as LibreOffice
    writes them, and its percent cells (``office:value-type="percentage"``): calamine
    gives such a cell as its bare number, 0.24 for 24%.
    Merged ranges (``number-rows-spanned`` / ``number-columns-spanned``) are kept too:
    calamine reports none for an .ods.
    """
    scan = _OdsScan()
    parser = expat.ParserCreate(namespace_separator=" ")
    parser.StartElementHandler = scan.start
    parser.EndElementHandler = scan.end

    def refuse(*_args):
        raise ScoringError(f"{path}：{WHAT}的 content.xml 含有 DTD 或实体声明，已拒绝读取；"
                           "请用 LibreOffice/WPS 打开后另存再试")

    parser.StartDoctypeDeclHandler = refuse
    parser.EntityDeclHandler = refuse
    try:
        for chunk in stream_member(zf, "content.xml", path, WHAT):
            parser.Parse(chunk, False)
            _ods_guard(scan, path)
        parser.Parse(b"", True)
    except expat.ExpatError as exc:
        raise ScoringError(f"{path}：{WHAT}的 content.xml 不是有效的 XML（{expat.ErrorString(exc.code)}，"
                           f"第 {exc.lineno} 行）；请用 LibreOffice/WPS 打开后另存再试") from None
    return scan


def _ods_guard(scan: _OdsScan, path: Path) -> None:
    """Stop early: a table already past the limits need not be read to its end."""
    check_extents(path, scan.extents)  # a few tables: measured again after every chunk


# ------------------------------------------------------------------- .xls

# BIFF records that place a cell: each starts with its row and column (uint16 each).
_XLS_CELLS = {0x00FD, 0x0203, 0x027E, 0x0204, 0x0006, 0x0201, 0x0205, 0x00D6}  # LABELSST NUMBER RK LABEL …
_XLS_RUNS = {0x00BD, 0x00BE}  # MULRK, MULBLANK: row, first column, …, last column (uint16 at the end)
_XLS_BOF, _XLS_EOF, _XLS_SHEET = 0x0809, 0x000A, 0x0085
_XLS_FORMAT, _XLS_XF, _XLS_MULRK = 0x041E, 0x00E0, 0x00BD


def scan_xls(path: Path) -> tuple[dict[str, Extent], dict[str, set[tuple[int, int]]]]:
    """Every worksheet's extent in an .xls (BIFF8 in an OLE container), from its cell
    records, walked without building anything (calamine allocates the whole range), and
    the cells whose number format shows a percent (calamine gives 0.24 for 24%)."""
    import olefile

    try:
        with olefile.OleFileIO(str(path)) as ole:
            name = next((n for n in ("Workbook", "Book") if ole.exists(n)), None)
            if name is None:
                raise ScoringError(f"{path}：不是 Excel 工作簿（没有 Workbook 数据流）；请确认选对了文件")
            if ole.get_size(name) > limits.MAX_INPUT_BYTES:
                raise ScoringError(f"{path}：工作簿数据超过上限；请拆分成几个工作簿")
            data = ole.openstream(name).read()
    except ScoringError:
        raise
    except Exception as exc:  # olefile raises its own and OSError for damaged containers
        raise ScoringError(f"{path}：不是有效的 Excel 工作簿（{type(exc).__name__}）；"
                           "请用 Excel/WPS 打开后另存为 .xlsx 再试") from None
    return _walk_biff(data, path)


def _walk_biff(data: bytes, path: Path) -> tuple[dict[str, Extent], dict[str, set[tuple[int, int]]]]:
    names: dict[int, str] = {}  # a worksheet's BOF position → its name (BOUNDSHEET8)
    formats: dict[int, str] = {}  # number format id → format code (FORMAT)
    xf_formats: list[int] = []  # cell style (XF) index → number format id
    extents: dict[str, Extent] = {}
    percent: dict[str, set[tuple[int, int]]] = {}
    current: Extent | None = None
    styles: set[int] = set()  # XF indexes whose format shows a percent, known once a sheet starts
    cells: set[tuple[int, int]] = set()
    at, end = 0, len(data)
    while at + 4 <= end:
        start = at
        kind, length = int.from_bytes(data[at:at + 2], "little"), int.from_bytes(data[at + 2:at + 4], "little")
        body = data[at + 4:at + 4 + length]
        at += 4 + length
        if kind == _XLS_SHEET and len(body) >= 8:
            names[int.from_bytes(body[0:4], "little")] = _biff_sheet_name(body) or f"工作表{len(names) + 1}"
        elif kind == _XLS_FORMAT and len(body) >= 5:
            formats[int.from_bytes(body[0:2], "little")] = _biff_string(body[2:])
        elif kind == _XLS_XF and len(body) >= 4:
            xf_formats.append(int.from_bytes(body[2:4], "little"))
        elif kind == _XLS_BOF and len(body) >= 4 and int.from_bytes(body[2:4], "little") == 0x0010:
            title = names.get(start, f"工作表{len(extents) + 1}")
            current = extents.setdefault(title, Extent())
            cells = percent.setdefault(title, set())
            styles = {i for i, f in enumerate(xf_formats)
                      if f in _PERCENT_FORMAT_IDS or is_percent_format(formats.get(f, ""))}
        elif kind == _XLS_EOF:
            if current is not None:
                check_extents(path, extents)
            current = None
        elif current is not None and len(body) >= 4 and (kind in _XLS_CELLS or kind in _XLS_RUNS):
            row, col = int.from_bytes(body[0:2], "little"), int.from_bytes(body[2:4], "little")
            last = int.from_bytes(body[-2:], "little") if kind in _XLS_RUNS and len(body) >= 6 else col
            current.add(row, col, 1, max(last - col + 1, 1))
            if styles:
                _percent_cells(kind, body, row, col, styles, cells)
    check_extents(path, extents)
    return extents, {title: found for title, found in percent.items() if found}


def _percent_cells(kind: int, body: bytes, row: int, col: int, styles: set[int],
                   cells: set[tuple[int, int]]) -> None:
    """The cells of one record whose style shows a percent: a number (RK, NUMBER,
    FORMULA) carries its style after row and column; MULRK carries one per cell."""
    if kind == _XLS_MULRK:
        for k in range((len(body) - 6) // 6):
            if int.from_bytes(body[4 + 6 * k: 6 + 6 * k], "little") in styles:
                cells.add((row, col + k))
    elif len(body) >= 6 and int.from_bytes(body[4:6], "little") in styles:
        cells.add((row, col))


def _biff_string(body: bytes) -> str:
    """An XLUnicodeString: character count (2), flags (1), then Latin-1 or UTF-16 characters."""
    count, flags = int.from_bytes(body[0:2], "little"), body[2]
    raw = body[3:3 + count * (2 if flags & 1 else 1)]
    return raw.decode("utf-16-le" if flags & 1 else "latin-1", errors="replace")


def _biff_sheet_name(body: bytes) -> str:
    """BOUNDSHEET8: position (4), state and type (2), then a short string (length, flags)."""
    count, flags = body[6], body[7] if len(body) > 7 else 0
    raw = body[8:8 + count * (2 if flags & 1 else 1)]
    return raw.decode("utf-16-le" if flags & 1 else "latin-1", errors="replace")
