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

The platforms' tables split a target over three cells, 指标性质 | 指标值 | 度量单位
(``≥`` or 正向 | ``90`` | ``%``), in one header row or under a 年度指标值 spanning
them; the three are joined into one target text (``≥90%``), and a bare number in
实际完成值 takes the 度量单位 (its own, right of it, or the target's). A 三级指标
starting with 其中 and without a 分值 is a breakdown row (`breakdown: true`): shown,
never scored.
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
from scoring.core.values import normalize
from scoring.sources.workbook.cells import CellReader, is_nothing
from scoring.sources.workbook.grid import coord
from scoring.sources.workbook.labels import (
    INDICATOR_COLUMNS,
    LEVEL3,
    MEASURES,
    NATURES,
    SUBTOTAL_ROWS,
    TOTAL_ROWS,
    columns_of,
    compact,
    label,
)
from scoring.sources.workbook.shares import group_of, share

# The official forms' blank rows, which published tables print unfilled: 指标2, 指标1：/, …….
_PLACEHOLDER = re.compile(r"(?:指标\d*[:：]?/?|[.…。·]+)")
_GROUP_WEIGHT = re.compile(r"[（(]\s*\d+(?:\.\d+)?\s*分\s*[）)]$")
# Columns with one value per row, each scored: a merge down one of them is an error, since
# copying its value into every row would score the rows on a value nobody gave them. 一级/二级
# may be merged (the official table does), and so may 偏差原因 and 指标说明: one text for several rows.
PER_ROW = {"target": "年度指标值", "actual": "实际完成值", "weight": "分值", "score": "判定得分",
           "printed_score": "得分", "printed_deviation": "偏差度", "rule": "评分规则"}
_RULE = TypeAdapter(model.Rule)
INDICATOR_COLUMN_NAMES = {"level1": "一级指标", "level2": "二级指标"}
_OPERATORS = ("≥", "≤", "=", ">", "<")
_BARE_NUMBER = re.compile(r"[+-]?\d[\d,]*(?:\.\d+)?")
NATURE_HINT = "指标性质应为 ≥、≤、=、>、<、正向、反向 或 定性"


def nature_operator(text: str | None) -> str | None:
    """The operator a 指标性质 cell gives the target (``≧`` and 正向 → ≥; 定性 → None).

    Raises:
        ValueError: a 指标性质 that names no direction.
    """
    s = normalize(text or "").strip("()（）")
    if not s:
        return None
    if s in _OPERATORS:
        return s
    if s in NATURES:
        return NATURES[s]
    found = {op for op in _OPERATORS if op in s} | {NATURES[w] for w in ("正向", "反向") if w in s}
    if len(found) == 1:  # 正向/≥, 正向指标（≥）; not 正向≤
        return found.pop()
    raise ValueError(text)


def join_split(operator: str | None, value: str | None, measure: str | None) -> str | None:
    """指标性质 | 指标值 | 度量单位 as one text: (≥, 90, %) → ≥90%. The operator goes before a
    number that has none; the unit after a bare number; text (明显提升) stays as it is."""
    if value is None:
        return None
    s = normalize(value)
    unit = normalize(measure or "")
    unit = MEASURES.get(unit, unit)
    if unit and _BARE_NUMBER.fullmatch(s.lstrip("≥≤=<>")):
        value += unit
    if operator and s[:1].isdigit():
        value = operator + value
    return value


class IndicatorsReader(CellReader):
    """Reads the indicator table of one sheet into indicator dicts."""

    def indicator_columns(self, header: int) -> dict[str, int]:
        columns = columns_of(self.row_labels(header), INDICATOR_COLUMNS)
        self.first_row = header + 1  # below a two-row header, one further (`split_columns`)
        self.split_columns(header, columns)
        # problems of the table as a whole (分值合计 …) point at its 分值 header
        self.cells["indicators"] = coord(header, columns.get("weight", columns.get("level3", 0)))
        return columns

    def split_columns(self, header: int, columns: dict[str, int]) -> None:
        """The columns of a split target (`nature`, `measure`, `actual_measure`): in the header
        row, or in the row below it under a 年度指标值 / 实际完成值 spanning them."""
        g = self.g
        below = {c: INDICATOR_COLUMNS.get(label(g.raw(header + 1, c))) for c in range(g.width)} \
            if header + 1 < len(g.rows) else {}
        sub_header = g.raw(header + 1, columns["level3"]) is None if "level3" in columns and below else False
        if sub_header and any(key in ("nature", "measure") for key in below.values()):  # a two-row header
            self.first_row = header + 2
            for c, key in below.items():
                over = INDICATOR_COLUMNS.get(label(g.value(header, c)))
                if over == "actual" and key in ("measure", "target", "actual"):
                    columns["actual_measure" if key == "measure" else "actual"] = c
                elif key in ("nature", "measure", "target") and (key == "target" or key not in columns):
                    columns[key] = c
            columns.setdefault("actual_measure", columns.get("measure", -1))
            if columns["actual_measure"] < 0:
                del columns["actual_measure"]
            return
        measures = [c for c in range(g.width) if INDICATOR_COLUMNS.get(label(g.value(header, c))) == "measure"]
        if not measures or "target" not in columns:
            columns.pop("measure", None)
            return
        t, a = columns["target"], columns.get("actual", -1)
        after_target = [c for c in measures if c > t and not t < a < c]
        after_actual = [c for c in measures if a >= 0 and c > a and not a < t < c]
        columns["measure"] = (after_target or measures)[0]
        columns["actual_measure"] = (after_actual or [columns["measure"]])[0]

    def indicators(self, header: int, cols: dict[str, int]) -> tuple[list[dict], Decimal | None]:
        g = self.g
        rows: list[dict] = []
        carry: dict[str, tuple[str, int, int]] = {}
        total = None
        self.blank_weights: list[int] = []  # rows with an empty 分值 in a group whose weight is known
        for r in range(self.first_row, len(g.rows)):
            if any(label(v) in TOTAL_ROWS for v in g.rows[r]):  # the 总分 row, in whichever column
                if "printed_score" in cols and not self.generated:
                    total = self.number(r, cols["printed_score"], "printed_total", "总分")
                break
            if r > self.first_row and label(g.raw(r, cols["level3"])) == LEVEL3:
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
            if self.spans_row(r) or any(label(v) in SUBTOTAL_ROWS for v in g.rows[r]):
                continue  # a heading across the table (年度绩效目标2(40分)), a note, a group's 小计
            level3 = self.level_text(r, cols["level3"], "三级指标")
            target = self.text(r, cols["target"])
            actual_raw = g.value(r, cols["actual"])
            if level3 and _PLACEHOLDER.fullmatch(compact(level3)) and all(
                    is_nothing(v) for v in (target, actual_raw, g.value(r, cols["weight"]))):
                continue  # the official form's blank row (指标2, ……), printed as it came
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
        if "nature" in cols or "measure" in cols:
            row["target"] = self.joined_target(r, cols, path, level3, row["target"])
        if row["target"] is None:
            self.empty_formula(r, cols["target"], f"{path}.target", f"三级指标“{level3}”的年度指标值")
        row["actual"] = self.actual(r, cols["actual"], f"{path}.actual", level3, row["target"])
        if "actual_measure" in cols:
            row["actual"] = join_split(None, row["actual"], self.text(r, cols["actual_measure"]))
        weight = self.number(r, cols["weight"], f"{path}.weight", f"三级指标“{level3}”的分值")
        if weight is None and f"{path}.weight" not in self.substituted:
            told = self.empty_formula(r, cols["weight"], f"{path}.weight", f"三级指标“{level3}”的分值")
            if not told and level3.startswith("其中"):
                row["breakdown"] = True  # a part of the row above: shown, never scored
            elif not told and group_of(self.groups, row) is not None:
                self.blank_weights.append(i)  # shares its group's weight (`shares`)
            elif not told:
                self.problem(r, cols["weight"], f"{path}.weight", f"三级指标“{level3}”缺少分值", "请填写分值，如 10")
        elif weight is not None:
            weight = self.nonnegative(r, cols["weight"], f"{path}.weight", f"三级指标“{level3}”的分值", weight)
        if not row.get("breakdown"):
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

    def joined_target(self, r: int, cols: dict[str, int], path: str, level3: str, value: str | None) -> str | None:
        """指标性质 | 指标值 | 度量单位 read as one target text; an unknown 指标性质 is an error."""
        nature = self.text(r, cols.get("nature"))
        try:
            operator = nature_operator(nature)
        except ValueError:
            self.problem(r, cols["nature"], f"{path}.target", f"三级指标“{level3}”的指标性质“{nature}”无法识别",
                         NATURE_HINT)
            operator = None
        return join_split(operator, value, self.text(r, cols.get("measure")))

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
