"""Laying out the indicator table and its 总分 row.

One row per 三级指标 under the labels of the official table, and, under each
二级 whose rows the unit writes, empty open rows for them (`groups`); runs of
equal 一级 (and of equal 二级 within one 一级) are merged as the official table
merges them. Cells a unit fills in are open: 实际完成值 with a drop-down list
where the target is qualitative or a deadline, 判定得分 limited to the row's
分值, the weights of an open group. A row's own scoring rule goes in the
hidden 评分规则 column.
"""

from __future__ import annotations

import json
from decimal import Decimal

from scoring.core.model import PLACEHOLDER
from scoring.core.numbers import D, plain
from scoring.core.values import Deadline, Period, Qualitative, ValueParseError, parse_value
from scoring.outputs.workbook.cells import HELP, WIDTHS, CellWriter, number_value, text_value
from scoring.outputs.workbook.groups import GroupKey, Plan, Row
from scoring.sources.workbook.shares import group_name

# The labels of the indicator block, in the order of the official table.
INDICATOR_LABELS = {
    "level1": "一级指标",
    "level2": "二级指标",
    "level3": "三级指标",
    "description": "指标说明",
    "target": "年度指标值",
    "actual": "实际完成值",
    "weight": "分值",
    "score": "判定得分",
    "reason": "偏差原因分析及改进措施",
    "rule": "评分规则",
}
TOTAL_LABEL = "总分"
QUALITATIVE_CHOICES = ("达成", "部分达成", "未达成")
DEADLINE_CHOICES = ("按时完成", "部分完成", "未完成")


def _choices(target: object) -> tuple[str, ...] | None:
    """The drop-down list for an actual: by what the target is."""
    if target is None or str(target).strip() == "":
        return None
    try:
        value = parse_value(str(target))
    except ValueParseError:
        return None
    if isinstance(value, Qualitative):
        return QUALITATIVE_CHOICES
    if isinstance(value, (Deadline, Period)):
        return DEADLINE_CHOICES
    return None


def _share_prompt(group: GroupKey, weight: Decimal | None) -> str:
    if weight is None:
        return "填写本行的分值，如 5"
    return (f"{group_name(*group)}的分值为 {plain(weight)}：本组未填写分值的三级指标平分扣除已填分值后的余数；"
            "也可以逐行填写分值")


def _level_runs(rows: list[dict]) -> list[tuple[str, int, int]]:
    """Runs of equal 一级 (and of equal 二级 within one 一级) longer than one row,
    as (key, first, end): merged as the official table merges them."""
    runs = []
    for key, parents in (("level1", ("level1",)), ("level2", ("level1", "level2"))):
        start = 0
        for i in range(1, len(rows) + 1):
            if i < len(rows) and all(rows[i].get(k) == rows[start].get(k) for k in parents):
                continue
            if i - start > 1:
                runs.append((key, start, i))
            start = i
    return runs


class IndicatorsWriter(CellWriter):
    """Writes the indicator table of one sheet and its 总分 row."""

    plan: Plan  # the rows as laid out, with the room for the unit's own (set by the sheet)

    def indicators(self) -> int:
        ws = self.ws
        header = self.row
        for key in self.keys:
            cell = self.put(header, self.col(key), INDICATOR_LABELS[key], head=True)
            if key in ("actual", "score", "reason"):
                self.note(cell, HELP[key])
        if self.has_rules:
            self.put(header, self.n + 1, INDICATOR_LABELS["rule"], head=True)
        ws.row_dimensions[header].height = 28
        rows = self.plan.rows
        first = header + 1
        runs = _level_runs([row.data for row in rows])
        merged: list[set[str]] = [set() for _ in rows]
        for key, start, end in runs:
            merged[start:end] = [m | {key} for m in merged[start:end]]
        for i, row in enumerate(rows):
            self.indicator_row(first + i, row, merged[i])
        for key, start, end in runs:
            self.merge(first + start, self.col(key), first + end - 1, self.col(key))
        self.row = first + len(rows)
        return header

    def indicator_row(self, r: int, row: Row, merged: set[str]) -> None:
        """One 三级 row; in an open group the unit's cells (name and target of a placeholder or
        an empty row, every weight) are open, and a blank weight shares the group's."""
        ind = row.data
        empty = row.kind == "empty"
        placeholder = ind.get("level3") == PLACEHOLDER
        writes = placeholder or empty  # the unit writes the row's name and target
        target = text_value(ind.get("target"))
        shared = row.kind in ("placeholder", "empty")  # weight left to the group's share
        values = {
            "level1": (text_value(ind.get("level1")), False),
            "level2": (text_value(ind.get("level2")), False),
            "level3": (text_value(ind.get("level3")), writes),
            "description": (text_value(ind.get("description")), False),
            "target": (target, writes or target is None),
            "actual": (text_value(ind.get("actual")), "actual" in self.fill_in),
            "weight": (None if shared else number_value(ind.get("weight")), row.group is not None),
            "score": (number_value(ind.get("score")), "score" in self.fill_in),
            "reason": (text_value(ind.get("reason")), "reason" in self.fill_in),
        }
        group_weight = self.plan.weights.get(row.group) if row.group is not None else None
        for key in self.keys:
            value, open_ = values[key]
            cell = self.put(r, self.col(key), value, open_=open_,
                            center=key in ("weight", "score"),
                            fmt="@" if key in ("target", "actual") and open_ else None)
            if key == "actual" and open_:
                choices = _choices(target)
                self.validate(cell, "list" if choices else "any", choices=choices,
                              prompt=(f"年度指标值：{target}。" if target else "") + HELP["actual"])
            elif key == "score" and open_:
                weight = values["weight"][0] if isinstance(values["weight"][0], Decimal) else group_weight
                if isinstance(weight, Decimal):
                    self.validate(cell, "decimal", low=0, high=plain(weight), prompt=HELP["score"])
            elif key == "weight" and open_:
                self.validate(cell, "decimal", low=0, high=plain(group_weight) if group_weight is not None else 100,
                              prompt=_share_prompt(row.group, group_weight))
            elif key == "level3" and placeholder:
                self.note(cell, HELP["placeholder"])
            elif key == "level3" and empty:
                self.validate(cell, "any", prompt=HELP["open_row"])
        if self.has_rules:
            rule = ind.get("rule")
            if rule not in (None, ""):
                rule = rule if isinstance(rule, str) else json.dumps(rule, ensure_ascii=False, default=str)
            self.put(r, self.n + 1, rule or None)
        texts = [(values[k][0], WIDTHS[k]) for k in self.keys if k not in ("weight", "score") and k not in merged]
        self.height(r, texts)

    def total(self) -> None:
        r = self.row
        weight_col = self.col("weight")
        self.put(r, 1, TOTAL_LABEL, head=True, span=weight_col - 1)
        weights = []
        funding = self.data.get("funding")
        if funding is not None:
            weights.append(funding.get("weight", 10))
        weights += [row.get("weight") for row in self.data.get("funds_management") or []]
        weights += [row.get("weight") for row in self.data.get("indicators") or []]
        try:
            total = sum((D(w) for w in weights if w not in (None, "")), Decimal(0))
        except ValueError:
            total = None
        self.put(r, weight_col, total, head=True)
        self.put(r, weight_col + 1, None, head=True, span=self.n - weight_col)
        self.row = r + 1
