"""Laying out the blocks above the indicator table: title, header facts, funds,
资金管理情况, goals and tasks.

Each block is written as the official table has it, under the labels the
reader finds it by, and leaves `row` two below itself for the next block.
The funds block computes 执行率 and 得分 with formulas, so a unit sees them
while filling in; jixiao computes them again from the amounts. A 情况说明 that
still holds the template's description shows it as a grey italic hint.
"""

from __future__ import annotations

from decimal import Decimal

from openpyxl.formatting.rule import FormulaRule
from openpyxl.styles import Border, Font
from openpyxl.utils import get_column_letter

from scoring.core.amounts import funding_in_wan
from scoring.core.numbers import plain
from scoring.outputs.workbook.cells import FONT, HELP, WIDTHS, CellWriter, number_value, text_value
from scoring.outputs.workbook.groups import Plan
from scoring.outputs.xlsx import put_text
from scoring.sources.workbook.layout import SOURCE_PREFIX

FUNDS_LABELS = {
    "initial_budget": "年初预算数",
    "annual_budget": "全年预算数",
    "executed": "全年执行数",
    "weight": "分值",
    "rate": "执行率",
    "score": "得分",
}
DEFAULT_SOURCES = ("财政拨款", "财政专户管理资金", "单位资金", "其他资金")
_AMOUNT_FORMAT = "#,##0.00####"
_HINT_FONT = Font(italic=True, color="FF808080")  # a hint while the cell still holds it


class BlocksWriter(CellWriter):
    """Writes the blocks of one sheet above its indicator table, top to bottom."""

    plan: Plan  # the hints among the cells (set by the sheet)

    def title(self) -> None:
        name = "项目支出绩效自评表" if self.project else "部门整体支出绩效自评表"
        cell = self.put(1, 1, name, span=self.n, center=True)
        cell.font = Font(name=FONT, size=16, bold=True)
        for c in range(1, self.n + 1):
            self.ws.cell(1, c).border = Border()
        self.ws.row_dimensions[1].height = 30
        self.row = 2

    def facts(self) -> None:
        d = self.data
        pairs = [(("单位名称", d.get("unit"), False), ("评价年度", d.get("year"), False))]
        if self.project:
            pairs.append((("项目名称", d.get("project"), False), ("项目编号", d.get("project_code"), False)))
            pairs.append((("主管部门", d.get("supervisor"), True), ("实施单位", d.get("implementer"), True)))
        half = self.n // 2
        for pair in pairs:
            r = self.row
            for (label, value, open_), (lc, vc, span) in zip(pair, ((1, 2, half - 1), (half + 1, half + 2, self.n - half - 1))):
                self.put(r, lc, label, head=True)
                year = label == "评价年度"
                self.put(r, vc, number_value(value) if year else text_value(value), open_=open_, span=span, center=year)
            self.height(r, [(text_value(pair[0][1]), self.span_width(2, half - 1))])
            self.row += 1
        self.row += 1

    def funds(self) -> None:
        f = funding_in_wan(self.data["funding"] or {})  # 150万, 1,500,000元, unit: 元 → 万元
        span = self.n - 6
        first = span + 1  # 年初预算数
        r = self.row
        self.put(r, 1, "资金情况（万元）", head=True, span=span)
        for k, (key, label) in enumerate(FUNDS_LABELS.items()):
            cell = self.put(r, first + k, label, head=True)
            if key in ("initial_budget", "annual_budget", "executed"):
                self.note(cell, HELP["amount"])
        self.ws.row_dimensions[r].height = 28
        r += 1
        self.put(r, 1, text_value(f.get("label")) or "年度资金总额", span=span)
        for k, key in enumerate(("initial_budget", "annual_budget", "executed")):
            cell = self.put(r, first + k, number_value(f.get(key)), open_=key in self.fill_in, fmt=_AMOUNT_FORMAT)
            if key in self.fill_in:
                self.validate(cell, "decimal", low=0, high=10 ** 9, prompt=HELP["amount"], error=HELP["amount"])
        self.put(r, first + 3, number_value(f.get("weight", 10)), center=True)
        rounding = self.data.get("rounding") or {}
        places = rounding.get("funding_precision")
        places = min(1, int(rounding.get("precision", 2))) if places is None else places  # conventions.funding_precision
        fn = "ROUNDDOWN" if rounding.get("mode") == "floor" else "ROUND"
        c_ann, c_exe, c_w, c_rate = (get_column_letter(first + k) for k in (1, 2, 3, 4))
        if (self.data.get("settings") or {}).get("funding_rate_base") == "initial":
            c_ann = get_column_letter(first)  # 执行率 against 年初预算数
        self.put(r, first + 4, f'=IF(AND(ISNUMBER({c_ann}{r}),N({c_ann}{r})>0),ROUND({c_exe}{r}/{c_ann}{r},4),"")',
                 center=True, fmt="0.00%", formula=True)
        self.put(r, first + 5, f'=IF({c_rate}{r}="","",{fn}({c_w}{r}*MIN(1,{c_rate}{r}),{int(places)}))', center=True, formula=True)
        sources = f.get("sources") or [{"name": n} for n in DEFAULT_SOURCES]
        open_sources = "sources" in self.fill_in
        for source in sources:
            r += 1
            self.put(r, 1, f"{SOURCE_PREFIX}{text_value(source.get('name')) or ''}", span=span)
            for k, key in enumerate(("initial_budget", "annual_budget", "executed")):
                cell = self.put(r, first + k, number_value(source.get(key)), open_=open_sources, fmt=_AMOUNT_FORMAT)
                if open_sources:
                    self.validate(cell, "decimal", low=0, high=10 ** 9, prompt=HELP["amount"], error=HELP["amount"])
            for k in range(3, 6):
                self.put(r, first + k, None)
        self.row = r + 2

    def funds_management(self) -> None:
        r = self.row
        n = self.n
        desc_span = n - 5
        open_ = "funds_management" in self.fill_in
        self.put(r, 1, "资金管理情况", head=True, span=2)
        self.put(r, 3, "情况说明", head=True, span=desc_span)
        self.put(r, n - 2, "分值", head=True)
        self.note(self.put(r, n - 1, "得分", head=True), HELP["fm_score"])
        self.put(r, n, "存在问题和改进措施", head=True)
        for row in self.data["funds_management"]:
            r += 1
            self.put(r, 1, text_value(row.get("name")), span=2)
            cell = self.put(r, 3, text_value(row.get("description")), open_=open_, span=desc_span)
            if open_ and row.get("name") in self.plan.hints:
                self.hint(cell, self.plan.hints[row["name"]])
            weight = number_value(row.get("weight"))
            self.put(r, n - 2, weight, center=True)
            cell = self.put(r, n - 1, number_value(row.get("score")), open_=open_, center=True)
            if open_ and isinstance(weight, Decimal):
                self.validate(cell, "decimal", low=0, high=plain(weight), prompt=HELP["fm_score"])
            self.put(r, n, text_value(row.get("problems")), open_=open_)
            self.height(r, [(text_value(row.get("description")), self.span_width(3, desc_span)),
                            (text_value(row.get("problems")), WIDTHS[self.keys[n - 1]])])
        self.row = r + 2

    def hint(self, cell, text: str) -> None:
        """A cell holding a fill-in hint: grey italic while it still holds exactly the hint.

        The hint's copy sits in the hidden settings column of the same row, and a
        conditional format compares the two (a formula's own text is limited to 255
        characters); the hidden settings record it for the reader.
        """
        copy = put_text(self.ws.cell(cell.row, self.meta_col), text)
        mine, hidden = f"${cell.column_letter}${cell.row}", f"${copy.column_letter}${copy.row}"
        self.ws.conditional_formatting.add(cell.coordinate, FormulaRule(
            formula=[f'AND({mine}<>"",EXACT({mine},{hidden}))'], font=_HINT_FONT, stopIfTrue=False))
        self.validate(cell, "any", prompt=f"填表提示：{text}。{HELP['hint']}")

    def _pairs(self, head: tuple[str, str, str], rows: list[tuple], fill_key: str, blank_rows: int) -> None:
        """Goals and tasks: name (A:B), a locked text, an open text."""
        r = self.row
        n = self.n
        mid_span = n - 5
        self.put(r, 1, head[0], head=True, span=2)
        self.put(r, 3, head[1], head=True, span=mid_span)
        self.note(self.put(r, n - 2, head[2], head=True, span=3), HELP["goal"])
        open_result = fill_key in self.fill_in
        for name, middle, result in rows or [(None, None, None)] * blank_rows:
            r += 1
            self.put(r, 1, text_value(name), open_=not text_value(name) and not text_value(middle), span=2)
            self.put(r, 3, text_value(middle), open_=not text_value(middle), span=mid_span)
            self.put(r, n - 2, text_value(result), open_=open_result, span=3)
            self.height(r, [(text_value(middle), self.span_width(3, mid_span)),
                            (text_value(result), self.span_width(n - 2, 3)), (text_value(name), self.span_width(1, 2))])
        self.row = r + 2

    def goals(self) -> None:
        label = "年度总体目标" if self.project else "年度履职目标"
        rows = [(g.get("name"), g.get("expected"), g.get("actual")) for g in self.data.get("goals") or []]
        self._pairs((label, "预期目标", "实际完成情况"), rows, "goals", 1)

    def tasks(self) -> None:
        rows = [(t.get("name"), t.get("content"), t.get("result")) for t in self.data.get("tasks") or []]
        self._pairs(("任务名称", "主要内容", "完成情况"), rows, "tasks", 3)
