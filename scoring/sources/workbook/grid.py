"""Spreadsheet files → grids of cells, whatever the format (.xlsx, .xlsm, .xlsb, .xls, .ods).

The one place that opens a file: values and merged ranges come from
python-calamine, and, for OOXML files, what calamine does not report (which
cells carry a percent number format, the formula of a cell saved without its
result) is read from the file itself. Everything above works on `Grid`, so
no other module knows about file formats.
"""

from __future__ import annotations

import html
import re
import zipfile
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

from openpyxl.utils import get_column_letter

from scoring.core import limits
from scoring.core.issues import ScoringError
from scoring.sources.archive import (
    OLE_SIGNATURE,
    check_size,
    is_encrypted_office_file,
    open_zip,
    password_message,
    read_member,
    stream_member,
)
from scoring.sources.workbook.scan import (
    NS,
    RID,
    WHAT,
    Extent,
    check_extents,
    check_total,
    parse_xml,
    percent_styles,
    scan_ods,
    scan_ooxml_sheet,
    scan_xls,
)


@dataclass
class Grid:
    """One sheet's cells, whatever the file format: values, percent cells, merges (0-based)."""

    title: str
    rows: list[list[object]]
    percent: set[tuple[int, int]] = field(default_factory=set)  # cells with a percent number format
    merged: dict[tuple[int, int], tuple[int, int]] = field(default_factory=dict)  # cell → its range's top-left
    formula: Callable[[int, int], str | None] | None = None  # the formula of a cell with no saved result

    def __post_init__(self):
        self.width = max((len(row) for row in self.rows), default=0)

    def raw(self, r: int, c: int) -> object:
        if r >= len(self.rows):
            return None
        row = self.rows[r]
        value = row[c] if c < len(row) else None
        return None if value == "" else value

    def value(self, r: int, c: int) -> object:
        """The value, a merged cell's taken from its range's top-left."""
        value = self.raw(r, c)
        if value is None and (r, c) in self.merged:
            return self.raw(*self.merged[(r, c)])
        return value

    def top(self, r: int, c: int) -> tuple[int, int]:
        return self.merged.get((r, c), (r, c))


def coord(r: int, c: int) -> str:
    return f"{get_column_letter(c + 1)}{r + 1}"


def load_grids(path: str | Path) -> list[Grid]:
    """Every sheet of a spreadsheet file: .xlsx/.xlsm/.xls/.ods.

    Values and merged ranges come from python-calamine (some 20 times faster than
    openpyxl, whose full mode spends most of its time formatting merged cells).
    Before calamine sees the file, its size, its zip container and the extent of
    every sheet are measured against `core.limits` (scan.py): calamine allocates a
    sheet's whole range in native code, where a hostile file aborts the process.
    For OOXML files the same pass finds the percent-formatted cells, which
    calamine does not report.

    Raises:
        ScoringError: the file is missing, not a spreadsheet, password-protected,
            or larger than the limits.
    """
    try:
        from python_calamine import CalamineWorkbook
    except ImportError:  # pragma: no cover - a dependency of jixiao
        raise ScoringError("读取工作簿需要 python-calamine；请运行 pip install python-calamine") from None

    path = Path(path)
    if not path.is_file():
        raise ScoringError(f"找不到文件：{path}")
    check_size(path, what="工作簿")
    ooxml, percent, merges = _prescan(path)
    handle = path.open("rb")  # calamine picks the format from the content this way, not the name
    try:
        wb = CalamineWorkbook.from_filelike(handle)
        names = wb.sheet_names
        if len(names) > limits.MAX_SHEETS:
            check_extents(path, {name: Extent() for name in names})
        sheets = []
        total = 0
        for name in names:
            sheet = wb.get_sheet_by_name(name)
            area = sheet.height * sheet.width  # .xls is measured here, after calamine read it
            total += area
            _check_loaded(path, name, sheet.height, sheet.width, total)
            sheets.append((name, sheet))
    except ScoringError:
        raise
    except Exception as exc:  # calamine raises its own error types for every kind of bad input
        if "password" in f"{type(exc).__name__} {exc}".lower():
            raise ScoringError(password_message(path)) from None
        raise ScoringError(f"{path}：无法作为电子表格读取（{type(exc).__name__}）；"
                           "请确认这是 Excel/WPS 工作簿（.xlsx 或 .xls），或另存为 .xlsx 后重试") from None
    finally:
        handle.close()
    grids = []
    for name, sheet in sheets:
        rows = sheet.to_python(skip_empty_area=False)
        ranges = sheet.merged_cell_ranges or merges.get(name, ())  # .ods: from the scan
        merged = _merged(path, name, ranges, len(rows), max(map(len, rows), default=0))
        if ooxml is None:  # .xls, .ods: percent cells from the scan
            grids.append(Grid(name, rows, percent.get(name, set()), merged))
        else:
            grids.append(Grid(name, rows, ooxml.percent.get(name, set()), merged, ooxml.formula_probe(name)))
    return grids


def _merged(path: Path, name: str, ranges, height: int, width: int) -> dict[tuple[int, int], tuple[int, int]]:
    """Cell → its merged range's top-left, for the cells the grid holds (`height` rows and
    `width` columns from A1): a range is cut at the sheet's last row and column (A1:XFD1048576 in a 1 KB file would otherwise ask
    for 17 billion entries), and ranges that overlap beyond the sheet's size are refused."""
    merged: dict[tuple[int, int], tuple[int, int]] = {}
    room = max(height * width, 1)
    for (r0, c0), (r1, c1) in dict.fromkeys(ranges):  # a range written twice counts once
        r1, c1 = min(r1, height - 1), min(c1, width - 1)
        if r1 < r0 or c1 < c0:
            continue  # wholly outside the cells the sheet holds
        room -= (r1 - r0 + 1) * (c1 - c0 + 1)
        if room < 0:
            raise ScoringError(f"{path}：工作表“{name}”的合并单元格相互重叠、超出工作表的范围（文件已损坏或被构造）；"
                               "请用 Excel/WPS 打开后另存再试")
        for r in range(r0, r1 + 1):
            for c in range(c0, c1 + 1):
                if (r, c) != (r0, c0):
                    merged[(r, c)] = (r0, c0)
    return merged


def _check_loaded(path: Path, name: str, height: int, width: int, total: int) -> None:
    extent = Extent()
    if height and width:
        extent.add(0, 0, height, width)
    check_extents(path, {name: extent})
    check_total(path, total)


def _prescan(path: Path) -> tuple["_Ooxml | None", dict[str, set[tuple[int, int]]], dict[str, list]]:
    """Measure a workbook before calamine loads it, and find what calamine does not give:
    the percent cells of every format, and for .xlsx (an `_Ooxml`) the formulas of cells
    saved without results."""
    with path.open("rb") as handle:
        head = handle.read(8)
    if is_encrypted_office_file(head, path):
        raise ScoringError(password_message(path))
    if head.startswith(OLE_SIGNATURE):
        return None, scan_xls(path)[1], {}  # an .xls: measured from its cell records
    if not head.startswith(b"PK"):
        return None, {}, {}  # not a spreadsheet: calamine says so
    with open_zip(path, WHAT) as zf:
        names = set(zf.namelist())
        if "xl/workbook.xml" in names:
            ooxml = _Ooxml.scan(zf, path)
            return ooxml, ooxml.percent, {}
        if "content.xml" in names:
            ods = scan_ods(zf, path)
            check_extents(path, ods.extents)
            return None, ods.percent, ods.merges
        if "xl/workbook.bin" in names:
            raise ScoringError(f"{path}：这是 Excel 二进制工作簿（.xlsb），jixiao 不读取这种格式；"
                               "请在 Excel/WPS 中另存为 .xlsx 后重试")
    raise ScoringError(f"{path}：不是电子表格（压缩包中没有工作表）；请确认选对了文件")


class _Ooxml:
    """What calamine does not tell about an .xlsx: which cells have a percent format,
    and the formula of a cell whose result was never saved (read on demand)."""

    def __init__(self, path: Path):
        self.path = path
        self.sheet_paths: dict[str, str] = {}
        self.percent: dict[str, set[tuple[int, int]]] = {}

    @classmethod
    def scan(cls, zf: zipfile.ZipFile, path: Path) -> "_Ooxml":
        """Every sheet measured (refused beyond the limits), its percent cells noted."""
        ooxml = cls(path)
        book = parse_xml(read_member(zf, "xl/workbook.xml", path, WHAT), path, "xl/workbook.xml")
        rels_name = "xl/_rels/workbook.xml.rels"
        rels = parse_xml(read_member(zf, rels_name, path, WHAT), path, rels_name)
        targets = {rel.get("Id"): rel.get("Target", "") for rel in rels}
        for sheet in book.iterfind("m:sheets/m:sheet", NS):
            target = targets.get(sheet.get(RID), "")
            ooxml.sheet_paths[sheet.get("name")] = target.lstrip("/") if target.startswith("/") else f"xl/{target}"
        if len(ooxml.sheet_paths) > limits.MAX_SHEETS:
            check_extents(path, {name: Extent() for name in ooxml.sheet_paths})
        styles = percent_styles(zf, path)
        names = set(zf.namelist())
        total = 0
        for title, member in ooxml.sheet_paths.items():
            if member not in names:
                continue
            extent, cells = scan_ooxml_sheet(zf, member, path, styles)
            if styles:
                ooxml.percent[title] = cells
            check_extents(path, {title: extent})
            total += extent.area
            check_total(path, total)
        if "xl/sharedStrings.xml" in names:  # streamed to its end: a header may understate it
            for _ in stream_member(zf, "xl/sharedStrings.xml", path, WHAT):
                pass
        return ooxml

    def formula_probe(self, title: str) -> Callable[[int, int], str | None]:
        """The formula of a cell saved without its result; the sheet's XML is read once,
        on the first question (a fresh workbook asks for every empty cell)."""
        cache: list[str] = []

        def formula(r: int, c: int) -> str | None:
            if not cache:
                try:
                    with open_zip(self.path, WHAT) as zf:
                        cache.append(read_member(zf, self.sheet_paths[title], self.path, WHAT)
                                     .decode("utf-8", "replace"))
                except (KeyError, ScoringError):
                    cache.append("")
            xml = cache[0]
            m = re.search(rf'<(?:\w+:)?c\s[^>]*\br="{coord(r, c)}"[^>]*>(.*?)</(?:\w+:)?c>', xml, re.S)
            f = re.search(r"<(?:\w+:)?f(?:\s[^>]*)?>(.*?)</(?:\w+:)?f>", m[1], re.S) if m else None
            return "=" + html.unescape(f[1]) if f else None

        return formula
