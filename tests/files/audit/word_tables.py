"""Build a Word table as a publication prints it: rows of cell text with merges marked in place.

A row is a list of cells; a cell is its text, or `L` (this cell belongs to the merge begun on its
left) or `U` (to the merge begun above it). A merge's top-left cell holds the text; its range is
every `L` to its right in its own row and every `U` below it, so a block two rows high and three
columns wide is written `["text", L, L]` over `[U, U, U]`. Used by make_fixtures.py.
"""

from __future__ import annotations

from docx.enum.section import WD_ORIENT
from docx.enum.table import WD_TABLE_ALIGNMENT
from docx.oxml import OxmlElement
from docx.oxml.ns import qn
from docx.shared import Cm, Pt

L = object()  # merged with the cell on the left
U = object()  # merged with the cell above


def chinese_document(document, landscape: bool = True, size: float = 9):
    """宋体 (with its East Asian font named, or Word falls back), A4, landscape by default."""
    style = document.styles["Normal"]
    style.font.name = "宋体"
    style.font.size = Pt(size)
    fonts = style.element.get_or_add_rPr().get_or_add_rFonts()
    fonts.set(qn("w:eastAsia"), "宋体")
    section = document.sections[0]
    section.page_width, section.page_height = (Cm(29.7), Cm(21.0)) if landscape else (Cm(21.0), Cm(29.7))
    section.orientation = WD_ORIENT.LANDSCAPE if landscape else WD_ORIENT.PORTRAIT
    for side in ("left_margin", "right_margin", "top_margin", "bottom_margin"):
        setattr(section, side, Cm(1.6))
    return document


def title(document, text: str, size: float = 16, bold: bool = True) -> None:
    paragraph = document.add_paragraph()
    paragraph.alignment = 1  # centred
    run = paragraph.add_run(text)
    run.bold = bold
    run.font.size = Pt(size)


def add_table(document, rows: list[list], widths: list[float]):
    """The table, its cells filled and merged as marked; `widths` in cm, one per grid column."""
    n = len(widths)
    grid = [list(row) + [""] * (n - len(row)) for row in rows]
    if any(len(row) != n for row in grid):
        raise ValueError(f"a row has more than {n} cells: {next(row for row in grid if len(row) != n)}")
    table = document.add_table(rows=len(grid), cols=n)
    table.style = "Table Grid"
    table.alignment = WD_TABLE_ALIGNMENT.CENTER
    table.autofit = False
    cells = [list(r.cells) for r in table.rows]  # once: table.cell() rebuilds the grid on every call
    for r, row in enumerate(grid):
        for c, text in enumerate(row):
            cells[r][c].width = Cm(widths[c])
            if text is not L and text is not U:
                _write(cells[r][c], str(text))
    for r, row in enumerate(grid):
        for c, text in enumerate(row):
            if text is L or text is U:
                continue
            right = c
            while right + 1 < n and row[right + 1] is L:
                right += 1
            bottom = r
            while bottom + 1 < len(grid) and grid[bottom + 1][c] is U:
                bottom += 1
            if (right, bottom) != (c, r):
                cells[r][c].merge(cells[bottom][right])
    _grid_widths(table, widths)
    return table


def _write(cell, text: str) -> None:
    lines = text.split("\n")
    cell.paragraphs[0].text = lines[0]
    for line in lines[1:]:
        cell.add_paragraph(line)


def _grid_widths(table, widths: list[float]) -> None:
    """LibreOffice honours column widths only from w:gridCol (ECOSYSTEM.md)."""
    grid = table._tbl.tblGrid
    for col, width in zip(grid.findall(qn("w:gridCol")), widths):
        col.set(qn("w:w"), str(int(Cm(width).twips)))
    layout = OxmlElement("w:tblLayout")
    layout.set(qn("w:type"), "fixed")
    table._tbl.tblPr.append(layout)
