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
from xml.etree import ElementTree

from openpyxl.utils import column_index_from_string, get_column_letter

from scoring.core.issues import ScoringError


@dataclass
class Grid:
    """One sheet's cells, whatever the file format: values, percent cells, merges (0-based)."""

    title: str
    rows: list[list[object]]
    percent: set[tuple[int, int]] = field(default_factory=set)  # cells with a percent number format
    merged: dict[tuple[int, int], tuple[int, int]] = field(default_factory=dict)  # cell → its range's top-left
    formats_known: bool = True  # False for .xls/.ods: a percent cell there reads as a bare 0.85
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
    """Every sheet of a spreadsheet file: .xlsx/.xlsm/.xlsb/.xls/.ods.

    Values and merged ranges come from python-calamine (some 20 times faster than
    openpyxl, whose full mode spends most of its time formatting merged cells);
    for OOXML files the percent-formatted cells are found in the file itself,
    which calamine does not report.

    Raises:
        ScoringError: the file is missing or not a spreadsheet.
    """
    try:
        from python_calamine import CalamineWorkbook
    except ImportError:  # pragma: no cover - a dependency of jixiao
        raise ScoringError("读取工作簿需要 python-calamine；请运行 pip install python-calamine") from None

    path = Path(path)
    if not path.is_file():
        raise ScoringError(f"找不到文件：{path}")
    try:
        wb = CalamineWorkbook.from_path(str(path))
        sheets = [(name, wb.get_sheet_by_name(name)) for name in wb.sheet_names]
    except Exception as exc:  # calamine raises its own error types for every kind of bad input
        raise ScoringError(f"{path}：无法作为电子表格读取（{type(exc).__name__}）；"
                           "请确认这是 Excel/WPS 工作簿（.xlsx 或 .xls），或另存为 .xlsx 后重试") from None
    ooxml = _Ooxml.open(path)
    grids = []
    for name, sheet in sheets:
        merged = {}
        for (r0, c0), (r1, c1) in sheet.merged_cell_ranges or ():
            for r in range(r0, r1 + 1):
                for c in range(c0, c1 + 1):
                    if (r, c) != (r0, c0):
                        merged[(r, c)] = (r0, c0)
        rows = sheet.to_python(skip_empty_area=False)
        if ooxml is None:
            grids.append(Grid(name, rows, set(), merged, False))
        else:
            grids.append(Grid(name, rows, ooxml.percent.get(name, set()), merged, True, ooxml.formula_probe(name)))
    return grids


_PERCENT_FORMAT_IDS = {9, 10}  # built-in 0% and 0.00%
_CELL_TAG = re.compile(r"<(?:\w+:)?c\s([^>]*)>")
_STYLE_ATTR = re.compile(r'\bs="(\d+)"')
_REF_ATTR = re.compile(r'\br="([A-Z]+)(\d+)"')


def _is_percent(fmt: str) -> bool:
    return "%" in re.sub(r'"[^"]*"|\\.', "", fmt)


class _Ooxml:
    """What calamine does not tell about an .xlsx: which cells have a percent format,
    and the formula of a cell whose result was never saved (read on demand)."""

    NS = {"m": "http://schemas.openxmlformats.org/spreadsheetml/2006/main"}
    RID = "{http://schemas.openxmlformats.org/officeDocument/2006/relationships}id"

    def __init__(self, path: Path):
        self.path = path
        self.sheet_paths: dict[str, str] = {}
        self.percent: dict[str, set[tuple[int, int]]] = {}

    @classmethod
    def open(cls, path: Path) -> "_Ooxml | None":
        """None when the file is not OOXML (an .xls, an .ods)."""
        try:
            with zipfile.ZipFile(path) as zf:
                ooxml = cls(path)
                ooxml._read(zf)
                return ooxml
        except (zipfile.BadZipFile, KeyError, ElementTree.ParseError, OSError, ValueError):
            return None

    def _read(self, zf: zipfile.ZipFile) -> None:
        book = ElementTree.fromstring(zf.read("xl/workbook.xml"))
        rels = ElementTree.fromstring(zf.read("xl/_rels/workbook.xml.rels"))
        targets = {rel.get("Id"): rel.get("Target", "") for rel in rels}
        for sheet in book.iterfind("m:sheets/m:sheet", self.NS):
            target = targets.get(sheet.get(self.RID), "")
            self.sheet_paths[sheet.get("name")] = target.lstrip("/") if target.startswith("/") else f"xl/{target}"
        styles = self._percent_styles(zf)
        if not styles:
            return
        for title, member in self.sheet_paths.items():
            cells = self.percent[title] = set()
            xml = zf.read(member).decode("utf-8", "replace") if member in zf.namelist() else ""
            for m in _CELL_TAG.finditer(xml):
                style = _STYLE_ATTR.search(m[1])
                if style and int(style[1]) in styles:
                    ref = _REF_ATTR.search(m[1])
                    if ref:
                        cells.add((int(ref[2]) - 1, column_index_from_string(ref[1]) - 1))

    def _percent_styles(self, zf: zipfile.ZipFile) -> set[int]:
        """Indexes of the cell styles whose number format shows a percent."""
        if "xl/styles.xml" not in zf.namelist():
            return set()
        styles = ElementTree.fromstring(zf.read("xl/styles.xml"))
        ids = set(_PERCENT_FORMAT_IDS)
        for fmt in styles.iterfind("m:numFmts/m:numFmt", self.NS):
            if _is_percent(fmt.get("formatCode", "")):
                ids.add(int(fmt.get("numFmtId", -1)))
        return {i for i, xf in enumerate(styles.iterfind("m:cellXfs/m:xf", self.NS))
                if int(xf.get("numFmtId", 0)) in ids}

    def formula_probe(self, title: str) -> Callable[[int, int], str | None]:
        def formula(r: int, c: int) -> str | None:
            try:
                with zipfile.ZipFile(self.path) as zf:
                    xml = zf.read(self.sheet_paths[title]).decode("utf-8", "replace")
            except (KeyError, zipfile.BadZipFile, OSError):
                return None
            m = re.search(rf'<(?:\w+:)?c\s[^>]*\br="{coord(r, c)}"[^>]*>(.*?)</(?:\w+:)?c>', xml, re.S)
            f = re.search(r"<(?:\w+:)?f(?:\s[^>]*)?>(.*?)</(?:\w+:)?f>", m[1], re.S) if m else None
            return "=" + html.unescape(f[1]) if f else None

        return formula
