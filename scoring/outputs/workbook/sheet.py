"""One evaluation as one sheet: its blocks in order, then what makes it a jixiao sheet.

`SheetWriter` puts the blocks one under another (title, facts, funds,
资金管理情况, goals, tasks, indicators, 总分) and finishes the sheet: column
widths, the hidden 评分规则 column, the hidden JSON settings cell the reader
recognises the sheet by (with the weights of the groups whose rows the unit
writes and the hints left in cells, see `groups`), print setup and sheet
protection.
"""

from __future__ import annotations

import json

from openpyxl.utils import get_column_letter

from scoring.outputs.workbook.blocks import BlocksWriter
from scoring.outputs.workbook.cells import WIDTHS, print_setup
from scoring.outputs.workbook.groups import plan_sheet
from scoring.outputs.workbook.indicators import IndicatorsWriter
from scoring.outputs.workbook.report_cells import write_report_cells
from scoring.outputs.xlsx import put_text
from scoring.sources.templates import Template
from scoring.sources.workbook.layout import LAYOUT_VERSION, MARKER_KEY


class SheetWriter(BlocksWriter, IndicatorsWriter):
    """Writes one evaluation as one sheet, block after block, top to bottom."""

    def __init__(self, ws, data: dict, fill_in: frozenset[str], styles: dict, template: Template | None = None):
        super().__init__(ws, data, fill_in, styles)
        self.plan = plan_sheet(data, template, fill_in)

    def write(self) -> None:
        self.title()
        self.facts()
        if self.data.get("funding") is not None:
            self.funds()
        if self.data.get("funds_management"):
            self.funds_management()
        self.goals()
        if not self.project:
            self.tasks()
        header = self.indicators()
        self.total()
        self.finish(header)
        write_report_cells(self)  # below the print area: the report's text (outputs/workbook/report_cells.py)

    def finish(self, header: int) -> None:
        ws = self.ws
        for key in self.keys:
            ws.column_dimensions[get_column_letter(self.col(key))].width = WIDTHS[key]
        if self.has_rules:
            ws.column_dimensions[get_column_letter(self.n + 1)].width = WIDTHS["rule"]
            ws.column_dimensions[get_column_letter(self.n + 1)].hidden = True
        meta = {MARKER_KEY: LAYOUT_VERSION, "kind": self.data.get("kind")}
        for key in ("template", "rounding", "settings"):
            if self.data.get(key):
                meta[key] = self.data[key]
        meta.update(self.plan.meta())
        put_text(ws.cell(1, self.meta_col), json.dumps(meta, ensure_ascii=False, default=str))
        ws.column_dimensions[get_column_letter(self.meta_col)].hidden = True
        ws.freeze_panes = "A4" if not self.project else "A5"  # the title and the names stay in view
        ws.print_title_rows = f"{header}:{header}"
        print_setup(ws, f"A1:{get_column_letter(self.n)}{self.row - 1}")
        protection = ws.protection
        protection.sheet = True
        protection.formatColumns = False  # widths and heights may still be adjusted
        protection.formatRows = False
        protection.insertRows = False  # a unit may insert rows for more 三级 (not delete any)
        protection.selectLockedCells = False
        protection.selectUnlockedCells = False
