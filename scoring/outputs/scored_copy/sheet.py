"""One worksheet's XML: its cells looked up and added in order, the added columns and marks put in.

Rows and cells are kept in the order Excel requires (a row's cells by column); a
`<col>` range that covers an added column is split around it; the cells of the added
columns get their text as inline strings, after the cleaning `scoring.outputs.xlsx.put_text`
gives text (no character XML forbids; the quote prefix on text that starts like a
formula), so no text ever becomes a formula.
"""

from __future__ import annotations

import copy
from decimal import Decimal

from lxml import etree

from scoring.core.text import strip_illegal
from scoring.outputs.scored_copy.package import XML_SPACE, R, Unpatchable, q
from scoring.outputs.scored_copy.plan import NOTE, WIDTHS, SheetPlan, split_ref
from scoring.outputs.scored_copy.styles import Styles
from scoring.outputs.workbook.cells import text_width
from scoring.outputs.xlsx import FORMULA_START
from scoring.sources.workbook.grid import coord

LINE = 14  # points: one line of text in the note column
# Elements that follow legacyDrawing in a worksheet (CT_Worksheet's sequence).
_AFTER_LEGACY = ("legacyDrawingHF", "drawingHF", "picture", "oleObjects", "controls", "webPublishItems",
                 "tableParts", "extLst")


class SheetPatch:
    """One worksheet's XML: its rows and cells, looked up and added in order."""

    def __init__(self, root: etree._Element):
        self.root = root
        self.data = root.find(q("sheetData"))
        if self.data is None:
            raise Unpatchable("worksheet without sheetData")
        self.rows: dict[int, etree._Element] = {}
        self.cells: dict[int, dict[int, etree._Element]] = {}  # row → column → cell
        self.used = 0  # the rightmost column holding a value, or covered by a merged range
        r = 0
        for row in self.data.iterfind(q("row")):
            r = int(row.get("r") or r + 1)
            row.set("r", str(r))
            self.rows[r] = row
            cells = self.cells.setdefault(r, {})
            c = 0
            for cell in row.iterfind(q("c")):
                at = split_ref(cell.get("r", ""))
                c = at[1] if at else c + 1
                cell.set("r", coord(r - 1, c - 1))
                cells[c] = cell
                if len(cell):
                    self.used = max(self.used, c)
        for merge in root.iterfind(f"{q('mergeCells')}/{q('mergeCell')}"):
            end = split_ref(merge.get("ref", "").split(":")[-1])
            if end:
                self.used = max(self.used, end[1])

    def row(self, r: int) -> etree._Element:
        if r not in self.rows:
            row = etree.Element(q("row"), r=str(r))
            later = [n for n in self.rows if n > r]
            if later:
                self.rows[min(later)].addprevious(row)
            else:
                self.data.append(row)
            self.rows[r] = row
        return self.rows[r]

    def cell(self, r: int, c: int) -> etree._Element:
        cells = self.cells.setdefault(r, {})
        if c not in cells:
            row = self.row(r)
            row.attrib.pop("spans", None)  # a hint of the row's extent, which now changes
            cell = etree.Element(q("c"), r=coord(r - 1, c - 1))
            later = [k for k in cells if k > c]
            if later:
                cells[min(later)].addprevious(cell)
            else:
                ext = row.find(q("extLst"))
                if ext is not None:
                    ext.addprevious(cell)
                else:
                    row.append(cell)
            cells[c] = cell
        return cells[c]

    def grow(self, r: int, height: float) -> None:
        """Row r at least `height` points high."""
        row = self.row(r)
        if float(row.get("ht") or 0) < height:
            row.set("ht", f"{height:g}")
            row.set("customHeight", "1")

    def put(self, r: int, c: int, value: Decimal | str, style: int) -> None:
        cell = self.cell(r, c)
        for child in list(cell):
            cell.remove(child)
        for attr in ("t", "cm", "vm", "ph"):
            cell.attrib.pop(attr, None)
        cell.set("s", str(style))
        if isinstance(value, Decimal):
            etree.SubElement(cell, q("v")).text = format(value.normalize(), "f")
        else:
            cell.set("t", "inlineStr")
            t = etree.SubElement(etree.SubElement(cell, q("is")), q("t"))
            t.text = value
            t.set(XML_SPACE, "preserve")

    def widths(self, first: int, widths: tuple[int, ...]) -> None:
        """Custom widths for columns first, first+1 … (a wider <col> range is split around them)."""
        cols = self.root.find(q("cols"))
        if cols is None:
            cols = etree.Element(q("cols"))
            self.root.find(q("sheetData")).addprevious(cols)
        last = first + len(widths) - 1
        for col in list(cols):
            lo, hi = int(col.get("min", "0")), int(col.get("max", "0"))
            if hi < first or lo > last:
                continue
            if lo < first:
                left = copy.deepcopy(col)
                left.set("max", str(first - 1))
                col.addprevious(left)
            if hi > last:
                right = copy.deepcopy(col)
                right.set("min", str(last + 1))
                col.addnext(right)
            cols.remove(col)
        after = [col for col in cols if int(col.get("min", "0")) > last]
        for k, width in enumerate(widths):
            n = str(first + k)
            col = etree.Element(q("col"), min=n, max=n, width=str(width), customWidth="1")
            if after:
                after[0].addprevious(col)
            else:
                cols.append(col)

    def finish(self, last_col: int) -> None:
        dimension = self.root.find(q("dimension"))
        if dimension is not None and self.rows:
            dimension.set("ref", f"A1:{coord(max(self.rows) - 1, last_col - 1)}")

    def legacy_drawing(self) -> str | None:
        found = self.root.find(q("legacyDrawing"))
        return None if found is None else found.get(f"{{{R}}}id")

    def add_legacy_drawing(self, rel_id: str) -> None:
        element = etree.Element(q("legacyDrawing"), nsmap={"r": R})
        element.set(f"{{{R}}}id", rel_id)
        later = next((child for child in self.root if etree.QName(child).localname in _AFTER_LEGACY), None)
        if later is not None:
            later.addprevious(element)
        else:
            self.root.append(element)


def patch_sheet(sheet: SheetPatch, plan: SheetPlan, styles: Styles) -> int:
    """The plan's cells added right of what the sheet holds, its cells marked; the first added column."""
    first = sheet.used + 1
    for (r, k), put in sorted(plan.puts.items()):
        value = put.value
        quote = False
        if isinstance(value, str):  # as put_text: no forbidden characters, never read as a formula
            value = strip_illegal(value, escaped=True)
            quote = value.startswith(FORMULA_START)
        sheet.put(r, first + k, value, styles.added(put.style, quote))
        if k == NOTE:  # the note wraps in its column: its row as high as its lines
            lines = -(-text_width(value) // (WIDTHS[NOTE] - 2))
            sheet.grow(r, LINE * lines + 4)
    for ref, issues in plan.marks.items():
        worst = next((s for s in ("error", "warning") if any(i.severity == s for i in issues)), None)
        at = split_ref(ref)
        if worst is None or at is None:
            continue
        cell = sheet.cell(*at)
        cell.set("s", str(styles.marked(int(cell.get("s", "0")), worst)))
    sheet.widths(first, WIDTHS)
    sheet.finish(max(first + len(WIDTHS) - 1, sheet.used))
    return first
