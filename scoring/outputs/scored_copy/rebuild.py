"""Workbooks the scored copy is built on when the input is no .xlsx: its cells' values again.

openpyxl writes only .xlsx, and cannot open an .xls or an .ods. For those the copy
holds, in a new .xlsx, every sheet with the values python-calamine reads (`Grid`),
each at its own cell, so the sheet and cell of every problem stay right: text as
text (`put_value`, never a formula), numbers, dates, percent cells with a percent
format, merged ranges merged again, jixiao's hidden settings cell hidden again, and
columns as wide as their text. Fonts, colours, borders, column widths, formulas
(their last values are kept), comments and drop-down lists are not kept. The same
route serves an .xlsx whose parts cannot be edited in place.
"""

from __future__ import annotations

import datetime as _dt
from io import BytesIO
from pathlib import Path
from xml.parsers import expat

from openpyxl import Workbook
from openpyxl.styles import Alignment
from openpyxl.utils import get_column_letter

from scoring.core.issues import ScoringError
from scoring.outputs.workbook.cells import text_width
from scoring.outputs.xlsx import put_value
from scoring.sources.archive import open_zip, stream_member
from scoring.sources.workbook.grid import Grid
from scoring.sources.workbook.scan import WHAT
from scoring.sources.workbook.sheet import find_meta

_TOP = Alignment(vertical="center", wrap_text=False)
_CELL_TYPES = (str, int, float, bool, _dt.datetime, _dt.date, _dt.time, _dt.timedelta)


def from_grids(grids: list[Grid], merges: dict[str, dict] | None = None) -> tuple[bytes, dict[str, str]]:
    r"""An .xlsx holding the grids' values at their cells, one sheet per grid, in order; and
    each sheet's title in it (an .ods allows titles Excel does not: longer, or with []:*?/\).

    `merges`: each sheet's merged ranges (first cell → last) where the grids do not hold
    them (python-calamine reports none for .ods: `ods_merges` reads them)."""
    wb = Workbook()
    wb.remove(wb.active)
    titles: dict[str, str] = {}
    for grid in grids:
        titles[grid.title] = _title(grid.title, set(titles.values()))
        ws = wb.create_sheet(titles[grid.title])
        widths: dict[int, int] = {}
        for r, row in enumerate(grid.rows):
            for c, value in enumerate(row):
                if value is None or value == "" or not isinstance(value, _CELL_TYPES):
                    continue
                cell = ws.cell(r + 1, c + 1)
                put_value(cell, value)
                if (r, c) in grid.percent and isinstance(value, (int, float)):
                    cell.number_format = "0%" if float(value * 100).is_integer() else "0.00%"
                if isinstance(value, str):
                    cell.alignment = _TOP
                if (r, c) not in grid.merged:
                    widths[c] = max(widths.get(c, 0), min(text_width(value), 60))
        room = len(grid.rows) * grid.width  # an .ods may claim spans far beyond its cells
        for (r0, c0), (r1, c1) in ((merges or {}).get(grid.title) or _ranges(grid)).items():
            r1, c1 = min(r1, len(grid.rows) - 1), min(c1, grid.width - 1)
            room -= max(r1 - r0 + 1, 0) * max(c1 - c0 + 1, 0)
            if (r1, c1) > (r0, c0) and r1 >= r0 and c1 >= c0 and room >= 0:
                ws.merge_cells(start_row=r0 + 1, start_column=c0 + 1, end_row=r1 + 1, end_column=c1 + 1)
        for c, width in widths.items():
            ws.column_dimensions[get_column_letter(c + 1)].width = max(width + 2, 8)
        _, meta_at = find_meta(grid)
        if meta_at is not None:
            ws.column_dimensions[get_column_letter(meta_at[1] + 1)].hidden = True
    buffer = BytesIO()
    wb.save(buffer)
    return buffer.getvalue(), titles


_BAD_TITLE = str.maketrans({c: "_" for c in "[]:*?/\\"})


def _title(title: str, used: set[str]) -> str:
    base = title.translate(_BAD_TITLE).strip("'") or "Sheet"
    name, n = base[:31], 1
    while name.casefold() in {u.casefold() for u in used}:
        n += 1
        name = f"{base[:31 - len(str(n)) - 2]}({n})"
    return name


def _ranges(grid: Grid) -> dict[tuple[int, int], tuple[int, int]]:
    """Each merged range: its first cell → its last, from the grid's cell → first cell map."""
    ends: dict[tuple[int, int], tuple[int, int]] = {}
    for (r, c), top in grid.merged.items():
        r1, c1 = ends.get(top, top)
        ends[top] = (max(r1, r), max(c1, c))
    return ends


_TABLE = "urn:oasis:names:tc:opendocument:xmlns:table:1.0"


def ods_merges(path: Path) -> dict[str, dict[tuple[int, int], tuple[int, int]]]:
    """The merged ranges of every sheet of an .ods (first cell → last, 0-based), from its
    content.xml (already measured when the file was read), streamed through expat."""
    found: dict[str, dict[tuple[int, int], tuple[int, int]]] = {}
    at = {"sheet": None, "row": -1, "col": 0, "rows": 1}

    def start(name: str, attrs: dict) -> None:
        ns, _, local = name.rpartition(" ")
        if ns != _TABLE:
            return
        if local == "table":
            at["sheet"], at["row"] = attrs.get(f"{_TABLE} name", ""), -1
            found.setdefault(at["sheet"], {})
        elif local == "table-row":
            at["row"] += 1
            at["col"], at["rows"] = 0, int(attrs.get(f"{_TABLE} number-rows-repeated", "1"))
        elif local in ("table-cell", "covered-table-cell"):
            rows = int(attrs.get(f"{_TABLE} number-rows-spanned", "1"))
            cols = int(attrs.get(f"{_TABLE} number-columns-spanned", "1"))
            if local == "table-cell" and (rows > 1 or cols > 1) and at["sheet"] is not None:
                found[at["sheet"]][(at["row"], at["col"])] = (at["row"] + rows - 1, at["col"] + cols - 1)
            at["col"] += int(attrs.get(f"{_TABLE} number-columns-repeated", "1"))

    def end(name: str) -> None:
        if name == f"{_TABLE} table-row":
            at["row"] += at["rows"] - 1

    def refuse(*_args) -> None:
        raise ScoringError(f"{path}：content.xml 含有 DTD 声明，已拒绝读取")

    parser = expat.ParserCreate(namespace_separator=" ")
    parser.StartElementHandler, parser.EndElementHandler = start, end
    parser.StartDoctypeDeclHandler = refuse
    with open_zip(path, WHAT) as zf:
        for chunk in stream_member(zf, "content.xml", path, WHAT):
            parser.Parse(chunk, False)
    parser.Parse(b"", True)
    return found
