"""The indicator table: its header's columns and one evaluation row per 三级指标.

The table is the block under a header row holding 三级指标, 年度指标值, 实际完成值
and 分值, columns in any order; it ends at the 总分 row or a second table.
一级/二级 carry down (merged vertically or written once per group, a trailing
“（20分）” dropped). A sheet jixiao did not write may also hold printed 得分 and
偏差度 columns, read as `printed_score` and `printed_deviation`; a hidden
评分规则 column holds the rows' own scoring rules. A merge down a column that is
scored row by row (实际完成值, 分值 …) is reported at its range, not copied down.
A row with an empty 分值 in a group whose weight the hidden settings record
shares that weight (`shares`); rows left entirely empty are passed over.
"""

from __future__ import annotations

import json
import re
from decimal import Decimal

import yaml
from pydantic import TypeAdapter, ValidationError

from scoring.core import model
from scoring.core.issues import Issue, Location
from scoring.core.numbers import ZERO
from scoring.sources.workbook.cells import CellReader
from scoring.sources.workbook.grid import coord
from scoring.sources.workbook.labels import INDICATOR_COLUMNS, LEVEL3, TOTAL_ROWS, columns_of, label
from scoring.sources.workbook.shares import group_of, share

_GROUP_WEIGHT = re.compile(r"[（(]\s*\d+(?:\.\d+)?\s*分\s*[）)]$")
# Columns with one value per row, each scored: a merge down one of them is an error, since
# copying its value into every row would score the rows on a value nobody gave them. 一级/二级
# may be merged (the official table does), and so may 偏差原因 and 指标说明: one text for several rows.
PER_ROW = {"target": "年度指标值", "actual": "实际完成值", "weight": "分值", "score": "判定得分",
           "printed_score": "得分", "printed_deviation": "偏差度", "rule": "评分规则"}
_RULE = TypeAdapter(model.Rule)
INDICATOR_COLUMN_NAMES = {"level1": "一级指标", "level2": "二级指标"}


class IndicatorsReader(CellReader):
    """Reads the indicator table of one sheet into indicator dicts."""

    def indicator_columns(self, header: int) -> dict[str, int]:
        columns = columns_of(self.row_labels(header), INDICATOR_COLUMNS)
        # problems of the table as a whole (分值合计 …) point at its 分值 header
        self.cells["indicators"] = coord(header, columns.get("weight", columns.get("level3", 0)))
        return columns

    def indicators(self, header: int, cols: dict[str, int]) -> tuple[list[dict], Decimal | None]:
        g = self.g
        rows: list[dict] = []
        carry: dict[str, tuple[str, int, int]] = {}
        total = None
        self.blank_weights: list[int] = []  # rows with an empty 分值 in a group whose weight is known
        for r in range(header + 1, len(g.rows)):
            if any(label(v) in TOTAL_ROWS for v in g.rows[r]):  # the 总分 row, in whichever column
                if "printed_score" in cols and not self.generated:
                    total = self.number(r, cols["printed_score"], "printed_total", "总分")
                break
            if r > header + 1 and label(g.raw(r, cols["level3"])) == LEVEL3:
                break  # a second table below
            levels = {}
            for key in ("level1", "level2"):
                c = cols.get(key)
                text = self.level_text(r, c, INDICATOR_COLUMN_NAMES[key]) if c is not None else None
                if text:
                    text = _GROUP_WEIGHT.sub("", text).strip()
                    if key == "level1" and carry.get("level1", ("",))[0] != text:
                        carry.pop("level2", None)  # a new 一级 starts its own 二级
                    carry[key] = (text, *g.top(r, c))
                levels[key] = carry.get(key)
            if self.merged_from_above(r, cols["level3"], f"indicators[{len(rows) - 1}].level3" if rows else "",
                                      "三级指标"):
                continue  # reported; the merge's first row is the indicator
            level3 = self.level_text(r, cols["level3"], "三级指标")
            target = self.text(r, cols["target"])
            actual_raw = g.value(r, cols["actual"])
            if not level3:
                if (target or actual_raw is not None) and ("error", g.top(r, cols["level3"])) not in self.told:
                    self.problem(r, cols["level3"], "indicators", "这一行填写了年度指标值或实际完成值，但缺少三级指标名称",
                                 "请填写三级指标，或删除这一行")
                continue  # a group heading, a blank or a note row
            rows.append(self.indicator(r, len(rows), cols, levels, level3))
        if not rows:
            self.problem(header, cols["level3"], "indicators", "指标表中没有任何三级指标",
                         "请在表头下方逐行填写三级指标、年度指标值、实际完成值和分值")
        for note in share(rows, self.blank_weights, self.groups):
            path = f"indicators[{note.row}].weight"
            where = Location(self.file, path, sheet=self.g.title, cell=self.cells[path])
            self.issues.append(Issue(where, note.message, note.hint, note.severity))
        return rows, total

    def level_text(self, r: int, c: int, what: str) -> str | None:
        """A level cell: merged vertically counts, merged in from the left does not (a note row)."""
        top = self.g.top(r, c)
        return self.text(*top, merged=False, what=what) if top[1] == c else None

    def indicator(self, r: int, i: int, cols: dict[str, int], levels: dict, level3: str) -> dict:
        path = f"indicators[{i}]"
        cols = self.own_columns(r, cols, path, PER_ROW)
        self.at(path, r, cols["level3"])
        self.at(f"{path}.level3", r, cols["level3"])
        row: dict = {}
        for key in ("level1", "level2"):
            found = levels.get(key)
            if found:
                row[key] = found[0]
                self.cells[f"{path}.{key}"] = coord(found[1], found[2])
            elif key in cols:
                self.at(f"{path}.{key}", r, cols[key])
        if "level1" not in row:
            if ("error", self.g.top(r, cols["level1"])) in self.told:
                self.substituted.add(f"{path}.level1")  # an error value, reported as such
            else:
                self.problem(r, cols["level1"], f"{path}.level1", f"三级指标“{level3}”缺少一级指标",
                             "请填写一级指标（合并单元格亦可）")
            row["level1"] = "（未填写）"
        row.setdefault("level2", "")
        row["level3"] = level3
        desc = self.text(r, cols.get("description"), f"{path}.description")
        if desc:
            row["description"] = desc
        row["target"] = self.text(r, cols["target"], f"{path}.target", what=f"三级指标“{level3}”的年度指标值")
        if row["target"] is None:
            self.empty_formula(r, cols["target"], f"{path}.target", f"三级指标“{level3}”的年度指标值")
        row["actual"] = self.actual(r, cols["actual"], f"{path}.actual", level3, row["target"])
        weight = self.number(r, cols["weight"], f"{path}.weight", f"三级指标“{level3}”的分值")
        if weight is None and f"{path}.weight" not in self.substituted:
            told = self.empty_formula(r, cols["weight"], f"{path}.weight", f"三级指标“{level3}”的分值")
            if not told and group_of(self.groups, row) is not None:
                self.blank_weights.append(i)  # shares its group's weight (`shares`)
            elif not told:
                self.problem(r, cols["weight"], f"{path}.weight", f"三级指标“{level3}”缺少分值", "请填写分值，如 10")
        elif weight is not None:
            weight = self.nonnegative(r, cols["weight"], f"{path}.weight", f"三级指标“{level3}”的分值", weight)
        row["weight"] = weight if weight is not None else ZERO
        score = self.number(r, cols.get("score"), f"{path}.score", f"三级指标“{level3}”的判定得分")
        if score is not None:
            score = self.nonnegative(r, cols["score"], f"{path}.score", f"三级指标“{level3}”的判定得分", score)
            if score is not None:
                row["score"] = score
        reason = self.text(r, cols.get("reason"), f"{path}.reason")
        if reason:
            row["reason"] = reason
        if "rule" in cols:
            rule = self.rule(r, cols["rule"], f"{path}.rule", level3)
            if rule is not None:
                row["rule"] = rule
        if not self.generated:
            self.printed(r, cols, path, level3, row)
        return {k: v for k, v in row.items() if v is not None}

    def printed(self, r: int, cols: dict[str, int], path: str, level3: str, row: dict) -> None:
        """A printed 得分 and 偏差度 (a sheet jixiao did not write), for checking against computed ones."""
        printed = self.number(r, cols.get("printed_score"), f"{path}.printed_score", f"三级指标“{level3}”的得分")
        if printed is not None:
            row["printed_score"] = printed
            self.cells.setdefault(f"{path}.score", self.cells[f"{path}.printed_score"])
        deviation = self.number(r, cols.get("printed_deviation"), f"{path}.printed_deviation",
                                f"三级指标“{level3}”的偏差度", percent=True)
        if deviation is not None:
            row["printed_deviation"] = deviation

    def actual(self, r: int, c: int, path: str, level3: str, target: str | None) -> str | None:
        text = self.text(r, c, path, what=f"三级指标“{level3}”的实际完成值")
        if text is None:
            self.empty_formula(r, c, path, f"三级指标“{level3}”的实际完成值")
            return None
        return text

    def rule(self, r: int, c: int, path: str, level3: str):
        text = self.text(r, c, path)
        if not text:
            return None
        value: object = text
        if text.startswith("{"):
            try:
                value = json.loads(text)
            except ValueError:
                try:  # written as in a template: {bands: [{when: "≤10%", score: 2}]}
                    value = yaml.safe_load(text)
                except yaml.YAMLError:
                    value = None
        try:
            _RULE.validate_python(value)
        except ValidationError:
            value = None
        if value is None or (isinstance(value, dict) and not value):
            self.problem(r, c, path, f"三级指标“{level3}”的评分规则“{text}”无法识别",
                         "应为规则名（如 reverse_linear）、公式（如 weight * ratio）、"
                         "评分档表 {\"bands\": [{\"when\": \"≤10%\", \"score\": 2}], \"otherwise\": 0} "
                         "或扣分规则 {\"deduct\": 0.5, \"per\": 1}")
            return None
        return value
