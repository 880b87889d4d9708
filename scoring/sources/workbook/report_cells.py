"""The 绩效自评报告's text from a workbook: labelled cells below the indicator table.

The fill-in workbook (`outputs/workbook/report_cells.py`) puts a 自评报告说明 block
under the 总分 row: one label (绩效自评工作开展情况 …) and the text right of it per
row. Any sheet with such a label somewhere (a unit may add the rows to its own
sheet) gives the evaluation's `report` keys; an empty cell gives nothing, so the
report keeps its 【请填写：…】 placeholder. Nothing else reads below 总分.
"""

from __future__ import annotations

import re

from scoring.sources.workbook.cells import clean
from scoring.sources.workbook.labels import label

# (key of ReportText, the label the writer prints and the reader finds), in the order written
REPORT_CELLS = (
    ("organisation", "绩效自评工作开展情况"),
    ("execution", "预算未全部执行的原因和改进措施"),
    ("use_of_results", "绩效自评结果拟应用和公开情况"),
    ("other", "其他需要说明的问题"),
    ("projects_listed", "本年度项目支出总个数"),
)
REPORT_HEADING = "自评报告说明"
_KEYS = {label(text): key for key, text in REPORT_CELLS}


def read_report_cells(reader, start: int) -> dict:
    """``{"report": {...}}`` from the labelled cells at or below row `start` (0-based), or ``{}``."""
    g = reader.g
    found: dict[str, object] = {}
    for r in range(start, len(g.rows)):
        for c in range(g.width):
            key = _KEYS.get(label(g.raw(r, c)))
            if key is None or key in found:
                continue
            vc = reader.value_right_of(r, c)
            path = f"report.{key}"
            if vc is None:
                reader.at(path, r, c + 1)
                continue
            text = clean(reader.text(r, vc, path) or "")
            if not text:
                continue
            if key == "projects_listed":
                whole = re.fullmatch(r"(\d+)(?:\.0+)?个?", text)
                if whole is None:
                    reader.problem(r, vc, path, f"本年度项目支出总个数“{text}”不是整数", "请填写个数，如 4", "warning")
                    continue
                found[key] = int(whole[1])
            else:
                found[key] = text
    return {"report": found} if found else {}
