"""What an audit finds: one record per wrong or doubtful printed number, per table, per file."""

from __future__ import annotations

from decimal import Decimal
from typing import NamedTuple

# A finding's kind → its name in the audit's documents.
KINDS = {
    "row_score": "得分",
    "deviation": "偏差度",
    "funds_rate": "预算执行率",
    "funds_score": "预算执行得分",
    "weights": "分值",
    "total": "总分",
    "grade": "等级",
    "narrative": "报告文字",
    "cross_check": "交叉核对",
    "judgement": "评价人判定",
}


class Finding(NamedTuple):
    """One printed number that is wrong, or doubtful (a judgement)."""

    kind: str  # a key of KINDS
    where: str  # 第2页 表3 第5行第7列, or the narrative's paragraph
    level3: str | None  # the row's 三级指标, when the finding is on a row
    printed: str | None  # as printed (a decimal string for numbers)
    computed: str | None  # what jixiao computes, a decimal string; None when there is nothing to compute
    rule: str  # the rule applied, in Chinese
    cause: str | None  # a key of core.differences.CAUSES, when one is likely
    why: str  # the cause argued from the print, in Chinese


class TableAudit(NamedTuple):
    """One self-evaluation table found in a file, recomputed."""

    title: str  # 单位 项目 (or 单位 for a department table)
    kind: str  # department | project
    unit: str | None
    project: str | None
    where: str  # 表2, 第3页 表2, or a workbook's sheet
    printed_total: Decimal | None
    computed_total: Decimal | None
    assumed: str  # the settings the table was judged in: template, rounding
    findings: tuple[Finding, ...]
    problems: tuple[str, ...] = ()  # what kept the table (or some of its rows) from being recomputed


class FileAudit(NamedTuple):
    """One file: its tables, or why it could not be read."""

    file: str
    error: str | None
    tables: tuple[TableAudit, ...]

    @property
    def findings(self) -> int:
        return sum(len(t.findings) for t in self.tables)
