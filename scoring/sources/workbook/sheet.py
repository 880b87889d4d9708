"""One evaluation sheet: recognised by its content, read into one evaluation dict.

A sheet is an evaluation sheet when it holds the indicator table's header row
(三级指标 with its usual companions) or jixiao's hidden settings cell; the
header facts above the table (单位名称, 评价年度, 项目名称 … as a label and the
value right of it, or “单位名称：…” in one cell) and the hidden settings are
read here, and the blocks and the indicator table by the readers this one
combines.
"""

from __future__ import annotations

import json
import re

from pydantic import ValidationError

from scoring.core import model
from scoring.sources.workbook.blocks import BlocksReader
from scoring.sources.workbook.cells import clean
from scoring.sources.workbook.grid import Grid, coord
from scoring.sources.workbook.indicators import IndicatorsReader
from scoring.sources.workbook.labels import (
    FACTS,
    INDICATOR_COLUMNS,
    INDICATOR_NAMES,
    INDICATOR_REQUIRED,
    LEVEL3,
    compact,
    label,
)
from scoring.sources.workbook.layout import GROUPS_KEY, HINTS_KEY, MARKER_KEY
from scoring.sources.workbook.report_cells import read_report_cells
from scoring.sources.workbook.shares import read_groups

_INLINE_FACT = re.compile(r"^([^:：]{1,12})[:：](.+)$", re.S)
_TITLE_YEAR = re.compile(r"((?:19|20)\d{2})年(?!\d)")


# ---------------------------------------------------------- recognising


def find_header(grid: Grid) -> int | None:
    """The indicator table's header row: 三级指标 with at least two of its usual companions."""
    candidates = {r for r, row in enumerate(grid.rows) if any(label(v) == LEVEL3 for v in row)}
    candidates |= {r for (r, c), top in grid.merged.items() if label(grid.raw(*top)) == LEVEL3}
    for r in sorted(candidates):
        keys = {INDICATOR_COLUMNS.get(label(grid.value(r, c))) for c in range(grid.width)}
        if "level3" in keys and len(keys & {"target", "actual", "weight", "level1"}) >= 2:
            return r
    return None


def find_meta(grid: Grid) -> tuple[dict | None, tuple[int, int] | None]:
    """jixiao's hidden settings cell and where it is: {} when damaged, None when absent."""
    for r, row in enumerate(grid.rows[:12]):
        for c, value in enumerate(row):
            if isinstance(value, str) and value.startswith("{") and f'"{MARKER_KEY}"' in value:
                try:
                    meta = json.loads(value)
                except ValueError:
                    return {}, (r, c)
                return (meta if isinstance(meta, dict) else {}), (r, c)
    return None, None


def mentions_level3(grid: Grid) -> bool:
    return any(isinstance(v, str) and label(v) == LEVEL3 for row in grid.rows for v in row)


# ---------------------------------------------------------- reading


class SheetReader(BlocksReader, IndicatorsReader):
    """Reads one sheet into an evaluation dict, its cell map and its problems."""

    def read(self, header: int | None, meta: dict | None, meta_at: tuple[int, int] | None) -> dict | None:
        """The evaluation as plain data, or None when the sheet has no usable indicator table."""
        self.meta = meta or {}
        self.generated = meta is not None
        data: dict = {}
        self.cells[""] = "A1"
        if meta_at is not None:
            for key in ("kind", "template", "rounding", "settings"):
                self.at(key, *meta_at)
        if header is None:
            self.problem(0, 0, "indicators", "找不到绩效指标表的表头行（含“三级指标”“年度指标值”“实际完成值”“分值”的一行）",
                         "请保留指标表的表头行；表头各列顺序不限")
            return None
        columns = self.indicator_columns(header)
        missing = [INDICATOR_NAMES[k] for k in INDICATOR_REQUIRED if k not in columns]
        if missing:
            self.problem(header, columns.get("level3", 0), "indicators",
                         f"指标表的表头缺少“{'”“'.join(missing)}”列",
                         "表头行应含有：一级指标、二级指标、三级指标、年度指标值、实际完成值、分值（顺序不限）")
            return None
        facts = self.facts(header)
        data["kind"] = self.kind(facts)
        data.update(facts)
        if isinstance(self.meta.get("template"), str):
            data["template"] = self.meta["template"]
        self.settings(data, meta_at)
        blocks = self.blocks(header)
        if "funds" in blocks:
            data["funding"] = self.funds(*blocks["funds"])
        if "fm" in blocks:
            data["funds_management"] = self.funds_management(*blocks["fm"])
        if "goals" in blocks:
            data["goals"] = self.goals(*blocks["goals"])
        if "tasks" in blocks:
            data["tasks"] = self.tasks(*blocks["tasks"])
        data["indicators"], total = self.indicators(header, columns)
        data.update(read_report_cells(self, header))  # the report's text, below 总分 (sources/workbook/report_cells.py)
        if total is not None and not self.generated:
            data["printed_total"] = total
        return {k: v for k, v in data.items() if v is not None and v != []}

    # -------------------------------------------------------- header facts

    def facts(self, header: int) -> dict:
        """单位名称, 评价年度, 项目名称 … above the indicator table: a label and the
        value right of it, or “单位名称：…” in one cell; a year in the title as a last resort."""
        found: dict[str, object] = {}
        title_year = None
        for r in range(header):
            for c in range(self.g.width):
                value = self.g.raw(r, c)
                if not isinstance(value, str):
                    continue
                key = FACTS.get(label(value))
                if key is not None:
                    self.labelled_fact(found, key, r, c)
                    continue
                inline = _INLINE_FACT.match(clean(value))  # “单位名称：某局” in one cell
                key = FACTS.get(label(inline[1])) if inline else None
                if key is not None and key not in found:
                    self.at(key, r, c)
                    tail = clean(self.visible(r, c, inline[2], key))
                    found[key] = self.year(r, c, tail) if key == "year" else tail
                elif title_year is None:
                    y = _TITLE_YEAR.search(compact(value))
                    title_year = (int(y[1]), r, c) if y else None
        if found.get("year") is None and title_year is not None:
            found["year"] = title_year[0]
            self.cells["year"] = coord(title_year[1], title_year[2])
        return {k: v for k, v in found.items() if v is not None}

    def labelled_fact(self, found: dict, key: str, r: int, c: int) -> None:
        if key in found:
            return
        vc = self.value_right_of(r, c)
        if vc is None:
            self.at(key, r, c + 1)  # where it should be typed
            return
        self.cells[key] = coord(*self.g.top(r, vc))
        if key == "year":
            found["year"] = self.year(r, vc, self.text(r, vc))
        else:
            found[key] = self.text(r, vc, merged=False)

    def value_right_of(self, r: int, c: int) -> int | None:
        """The first filled cell right of a label, before the next label."""
        g = self.g
        for k in range(c + 1, g.width):
            if g.merged.get((r, k)) == g.top(r, c):
                continue  # the label's own merged range
            value = g.raw(r, k)
            if value is None:
                continue
            if isinstance(value, str) and (label(value) in FACTS or value.strip().endswith((":", "："))):
                return None  # the next label (单位（盖章）：  填报日期：), not a value
            return k
        return None

    def year(self, r: int, c: int, text: str | None) -> int | None:
        m = re.fullmatch(r"(\d{4})(?:\.0+)?年?度?", compact(text or ""))
        if m is None:
            self.problem(r, c, "year", f"评价年度“{text}”不是年份", "请填写四位年份，如 2022")
            return None
        return int(m[1])

    def kind(self, facts: dict) -> str:
        kind = self.meta.get("kind")
        if kind in ("department", "project"):
            return kind
        if "project" in facts:
            return "project"
        title = " ".join(str(v) for row in self.g.rows[:3] for v in row if isinstance(v, str))
        return "project" if "项目" in title and "部门整体" not in title else "department"

    def settings(self, data: dict, meta_at: tuple[int, int] | None) -> None:
        for key, cls in (("rounding", model.Rounding), ("settings", model.Settings)):
            value = self.meta.get(key)
            if value is None:
                continue
            try:
                cls.model_validate(value)
            except ValidationError:
                self.problem(*(meta_at or (0, 0)), key, f"隐藏的 jixiao 设置单元格中“{key}”已损坏",
                             "请用 jixiao workbook 重新生成本表；否则按默认设置计分", "warning")
                continue
            data[key] = value
        self.fill_in_marks(meta_at)

    def fill_in_marks(self, meta_at: tuple[int, int] | None) -> None:
        """The weights of the groups the unit writes rows in, and the hints left in cells."""
        where = meta_at or (0, 0)
        groups = read_groups(self.meta.get(GROUPS_KEY, []))
        if groups is None:
            self.problem(*where, "", f"隐藏的 jixiao 设置单元格中“{GROUPS_KEY}”已损坏",
                         "请用 jixiao workbook 重新生成本表，或逐行填写分值", "warning")
        self.groups = groups or []
        hints = self.meta.get(HINTS_KEY, {})
        hints = hints.get("funds_management", {}) if isinstance(hints, dict) else None
        if not isinstance(hints, dict) or not all(isinstance(v, str) for v in hints.values()):
            self.problem(*where, "", f"隐藏的 jixiao 设置单元格中“{HINTS_KEY}”已损坏",
                         "请用 jixiao workbook 重新生成本表", "warning")
            hints = {}
        self.hints = hints
