"""The 自评报告说明 block of the fill-in workbook: what only the unit can write in the
绩效自评报告 (how the evaluation was organised, how results will be used …).

Written under the 总分 row, after the print area is set, so the printed table stays
the official one; the cells are open for input, the labels are the ones
`sources/workbook/report_cells.py` reads back. Left empty, the report keeps its
【请填写：…】 placeholders.
"""

from __future__ import annotations

from openpyxl.styles import Font

from scoring.outputs.workbook.cells import FONT, text_value
from scoring.sources.workbook.report_cells import REPORT_CELLS, REPORT_HEADING

_PROMPT = "（填写后用于生成绩效自评报告，可不填；不填时报告中留“请填写”处）"


def write_report_cells(w) -> None:
    """Append the block to the sheet `w` (a SheetWriter) is writing."""
    report = w.data.get("report") or {}
    r = w.row + 1
    cell = w.put(r, 1, REPORT_HEADING + _PROMPT, span=w.n)
    cell.font = Font(name=FONT, size=10, bold=True)
    for key, text in REPORT_CELLS:
        if key == "projects_listed" and w.project:
            continue  # the department's count, for its 总结报告
        r += 1
        value = report.get(key)
        value = value if isinstance(value, int) else text_value(value)
        w.put(r, 1, text, head=True, span=3)
        w.put(r, 4, value, open_=True, span=w.n - 3)
        w.height(r, [(value, w.span_width(4, w.n - 3)), (text, w.span_width(1, 3))])
    w.row = r + 1
