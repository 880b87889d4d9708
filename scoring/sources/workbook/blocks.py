"""The blocks above the indicator table: funds, 资金管理情况, goals and tasks.

Each block is found by its header labels (全年执行数, 资金管理情况 with 分值,
任务名称 with 主要内容, 预期目标) and runs down to a blank row or the next
block's labels, so rows may be inserted or deleted and a unit's own layout
of the official table is read too. A funds source row is named by the label
left of its amounts, with or without the writer's “其中：”. A 情况说明 that still
holds the fill-in workbook's hint (recorded in its hidden settings) is a
warning and no text, so the hint never reaches an official document.
Amounts are in 万元 unless the block's header (项目资金（元）, 年初预算数（元）)
or a note above it (金额单位：元) says 元: then they are read in 元 and
converted to 万元, and a note says so.
"""

from __future__ import annotations

import re
from decimal import Decimal

from scoring.core.issues import Issue, Location
from scoring.core.numbers import ZERO
from scoring.sources.workbook.cells import CellReader, clean
from scoring.sources.workbook.grid import coord
from scoring.sources.workbook.labels import (
    BLOCK_LABELS,
    FM_COLUMNS,
    FM_TITLE,
    FUND_TOTALS,
    FUNDS_COLUMNS,
    GOAL_COLUMNS,
    TASK_COLUMNS,
    columns_of,
    compact,
    label,
)
from scoring.sources.workbook.layout import SOURCE_PREFIX

_AMOUNTS = {"initial_budget": "年初预算数", "annual_budget": "全年预算数", "executed": "全年执行数"}
_IN_YUAN = re.compile(r"[(（]元[)）]|单位[:：]元(?![\u4e00-\u9fff])")
# 资金管理情况 columns with one number per row: a merge down one of them is an error (texts may be merged).
_FM_PER_ROW = {"weight": "分值", "score": "得分"}
_PRINTED_WEIGHT = re.compile(r"[（(](\d+(?:\.\d+)?)分")  # (20分), (20分*执行率)


class BlocksReader(CellReader):
    """Reads the blocks of one sheet above its indicator table into plain data."""

    def blocks(self, header: int) -> dict[str, tuple[int, dict[str, int]]]:
        """Header rows of the blocks above the indicator table."""
        found: dict[str, tuple[int, dict[str, int]]] = {}
        for r in range(header):
            labels = self.row_labels(r)
            if "funds" not in found and any(FUNDS_COLUMNS.get(n) == "executed" for n in labels):
                found["funds"] = (r, columns_of(labels, FUNDS_COLUMNS))
            elif "fm" not in found and FM_TITLE in labels and any(FM_COLUMNS.get(n) == "weight" for n in labels):
                cols = columns_of(labels, FM_COLUMNS)
                cols["name"] = labels[FM_TITLE]
                found["fm"] = (r, cols)
            elif "tasks" not in found and {"name", "content"} <= set(columns_of(labels, TASK_COLUMNS)):
                found["tasks"] = (r, columns_of(labels, TASK_COLUMNS))
            elif "goals" not in found and "expected" in columns_of(labels, GOAL_COLUMNS):
                found["goals"] = (r, columns_of(labels, GOAL_COLUMNS))
        return found

    def block_rows(self, head: int, columns, left: int = 0):
        """Rows of a block: from below its header to a blank row or the next block."""
        r = head + 1
        span = range(left, max(columns.values()) + 1)
        while r < len(self.g.rows):
            if self.blank(r, span) or self.heading_row(r):
                return
            labels = self.row_labels(r, merged=False)
            if any(n in BLOCK_LABELS for n in labels):
                return
            yield r
            r += 1

    def heading_row(self, r: int) -> Decimal | None:
        """A heading across the whole table that prints a weight (湖北's 年度绩效目标1(40分)): its weight."""
        if not self.spans_row(r):
            return None
        m = _PRINTED_WEIGHT.search(compact(str(self.g.value(r, 0))))
        return Decimal(m[1]) if m else None

    def weight_in_header(self, head: int) -> Decimal | None:
        """A funds weight printed in the block's header (得分(20分*执行率), 预算执行情况(万元)(20分))."""
        for c in range(self.g.width):
            value = self.g.value(head, c)
            m = _PRINTED_WEIGHT.search(compact(value)) if isinstance(value, str) else None
            if m:
                return Decimal(m[1])
        return None

    def row_name(self, r: int, right: int) -> tuple[str | None, int]:
        """The rightmost filled cell left of column `right` (a row's own label)."""
        for c in range(right - 1, -1, -1):
            if self.g.raw(r, c) is not None:
                return self.text(r, c, merged=False), c
        return None, 0

    # -------------------------------------------------------- funds

    def in_yuan(self, head: int) -> tuple[int, int] | None:
        """The cell saying the funds block is in 元: in its header row (项目资金（元）), or a
        金额单位：元 above it. None: the block is in 万元."""
        for r in [head, *range(head)]:
            for c in range(self.g.width):
                value = self.g.value(r, c) if r == head else self.g.raw(r, c)
                if isinstance(value, str) and _IN_YUAN.search(compact(value)):
                    return r, c
        return None

    def funds(self, head: int, cols: dict[str, int]) -> dict | None:
        first = min(cols.values())
        yuan = self.in_yuan(head)
        self.amount_unit = "元" if yuan else "万元"
        if yuan:
            where = Location(self.file, "funding", sheet=self.g.title, cell=coord(*self.g.top(*yuan)))
            self.issues.append(Issue(where, "资金情况以元为单位，金额已换算为万元（除以 10000）", "", "info"))
        rows = []
        for r in self.block_rows(head, cols):
            name, nc = self.row_name(r, first)
            rows.append((r, name or "", nc))
        if not rows:
            return None
        total = next((row for row in rows if label(row[1]) in FUND_TOTALS), rows[0])
        funding: dict = {}
        r, name, nc = total
        self.at("funding", r, nc)
        if name:
            funding["label"] = name
        if "weight" not in cols and (printed := self.weight_in_header(head)) is not None:
            funding["weight"] = printed
        for key in ("weight", "initial_budget", "annual_budget", "executed"):
            what = {"weight": "预算执行分值", **_AMOUNTS}[key]
            value = self.number(r, cols.get(key), f"funding.{key}", what, amount=key != "weight")
            if value is None and key in ("annual_budget", "executed") and key in cols:
                self.empty_formula(r, cols[key], f"funding.{key}", what)
            if value is not None:
                funding[key] = self.nonnegative(r, cols[key], f"funding.{key}", what, value)
        if not self.generated:
            for key, what in (("printed_rate", "执行率"), ("printed_score", "预算执行得分")):
                value = self.number(r, cols.get(key), f"funding.{key}", what, percent=key == "printed_rate")
                if value is not None:
                    funding[key] = value
        sources = self.fund_sources(rows, total, cols)
        if sources:
            funding["sources"] = sources
        return funding

    def fund_sources(self, rows: list[tuple[int, str, int]], total: tuple[int, str, int],
                     cols: dict[str, int]) -> list[dict]:
        """The rows of the funds block other than its total: one per source with an amount."""
        sources = []
        amounts = [cols[k] for k in ("initial_budget", "annual_budget", "executed") if k in cols]
        for r, name, nc in rows:
            if (r, name, nc) == total or all(self.g.value(r, c) is None for c in amounts):
                continue  # the total, or a source row left empty
            name = re.sub(r"^其中[:：]?", "", name.replace(SOURCE_PREFIX, "")).strip()
            path = f"funding.sources[{len(sources)}]"
            source: dict = {"name": name}
            for key in ("initial_budget", "annual_budget", "executed"):
                what = f"{name}的" + _AMOUNTS[key]
                value = self.number(r, cols.get(key), f"{path}.{key}", what, amount=True)
                if value is not None:
                    source[key] = self.nonnegative(r, cols[key], f"{path}.{key}", what, value)
            self.at(path, r, nc)
            sources.append(source)
        return sources

    # -------------------------------------------------------- 资金管理情况, goals, tasks

    def funds_management(self, head: int, cols: dict[str, int]) -> list[dict]:
        rows = []
        right = min(c for k, c in cols.items() if k != "name")
        for r in self.block_rows(head, cols):
            name, nc = self.row_name(r, right)
            path = f"funds_management[{len(rows)}]"
            if not name:
                if any(self.g.raw(r, c) is not None for c in cols.values()):
                    self.problem(r, cols["name"], path, "资金管理情况有一行缺少名称", "请填写名称，如 安排科学性")
                continue
            self.at(path, r, nc)
            self.at(f"{path}.name", r, nc)
            rows.append(self.funds_management_row(r, self.own_columns(r, cols, path, _FM_PER_ROW), path, name, nc))
        return rows

    def funds_management_row(self, r: int, cols: dict[str, int | None], path: str, name: str, nc: int) -> dict:
        row: dict = {"name": name}
        weight = self.number(r, cols.get("weight"), f"{path}.weight", f"资金管理情况“{name}”的分值")
        if weight is None and f"{path}.weight" not in self.substituted:
            self.problem(r, cols.get("weight", nc), f"{path}.weight", f"资金管理情况“{name}”缺少分值",
                         "请填写分值，如 5")
        row["weight"] = weight if weight is not None and weight >= 0 else ZERO
        for key in ("description", "problems"):
            text = self.text(r, cols.get(key), f"{path}.{key}")
            if text and key == "description" and self.left_hint(r, cols[key], path, name, text):
                continue
            if text:
                row[key] = text
        score = self.number(r, cols.get("score"), f"{path}.score", f"资金管理情况“{name}”的得分")
        if score is not None:
            row["score"] = self.nonnegative(r, cols["score"], f"{path}.score", f"资金管理情况“{name}”的得分", score)
        return row

    def left_hint(self, r: int, c: int, path: str, name: str, text: str) -> bool:
        """A 情况说明 still holding the workbook's fill-in hint: a warning, and no text (True)."""
        hint = self.hints.get(name)
        if hint is None or clean(hint) != text:
            return False
        shown = hint if len(hint) <= 30 else hint[:30] + "…"
        self.problem(r, c, f"{path}.description", f"“{name}”的情况说明仍是填表提示“{shown}”，不会写入自评表",
                     "请填写本单位的实际情况", "warning")
        return True

    def _pairs(self, head: int, cols: dict[str, int], kind: str, keys: tuple[str, str, str]) -> list[dict]:
        """Goals and tasks: a name, a text given beforehand, a text the unit writes."""
        name_key, *text_keys = keys
        left = min(cols.values())
        items = []
        for r in self.block_rows(head, cols):
            if name_key in cols:
                name, name_col = self.text(r, cols[name_key], merged=False), cols[name_key]
            else:  # goals: an optional name left of the texts (目标1)
                name, name_col = self.row_name(r, left)
            texts = {k: self.text(r, cols.get(k), merged=False) for k in text_keys}
            if not name and not any(texts.values()):
                continue
            path = f"{kind}[{len(items)}]"
            self.at(path, r, cols.get(text_keys[0], left))
            self.at(f"{path}.{name_key}", r, name_col if name else max(left - 1, 0))
            for k in text_keys:
                if k in cols:
                    self.at(f"{path}.{k}", r, cols[k])
            item = {name_key: name or ""} if name or kind == "tasks" else {}
            item.update({k: v or "" for k, v in texts.items()})
            items.append(item)
        return items

    def goals(self, head: int, cols: dict[str, int]) -> list[dict]:
        return self._pairs(head, cols, "goals", ("name", "expected", "actual"))

    def tasks(self, head: int, cols: dict[str, int]) -> list[dict]:
        return self._pairs(head, cols, "tasks", ("name", "content", "result"))
