"""Workbooks jixiao knows that hold no evaluation: a target table (项目绩效目标表), a
review sheet (复核表), the 汇总表 it wrote. Named on a command line they get a message
saying what they are and which command takes them; found in a folder, they are
passed over with a note instead of counted as broken evaluations."""

from __future__ import annotations

from pathlib import Path

from scoring.sources.detect import NotAnEvaluation
from scoring.sources.workbook.grid import load_grids
from scoring.sources.workbook.labels import INDICATOR_COLUMNS, label

TARGETS = {alias for alias, key in INDICATOR_COLUMNS.items() if key == "target"}
ACTUALS = {alias for alias, key in INDICATOR_COLUMNS.items() if key == "actual"}
LEVEL3, REVIEW, TOTAL = label("三级指标"), label("复核分值"), label("总分")

_ROLES = {
    "targets": "这是项目绩效目标表（有年度指标值，没有实际完成值），不是自评表；"
               "请用 jixiao workbook --targets 该文件 --template 模板 生成填报工作簿",
    "review": "这是复核表，不是自评表；请用 jixiao rescore 评价文件 --review 该文件 重新计分",
    "summary": "这是 jixiao 生成的汇总表，不是自评表",
}


def workbook_role(path: Path) -> str | None:
    """What a workbook without evaluation sheets is, from the labels of its first rows:
    targets, review or summary; None when it is none of them."""
    for grid in load_grids(path):
        labels = {label(grid.raw(r, c)) for r in range(min(len(grid.rows), 30))
                  for c in range(min(grid.width, 30)) if grid.raw(r, c) is not None}
        if REVIEW in labels:
            return "review"
        if grid.title == "汇总表" and TOTAL in labels:
            return "summary"
        if LEVEL3 in labels and labels & TARGETS and not labels & ACTUALS:
            return "targets"
    return None


def refuse_role(path: Path) -> None:
    """Raise `NotAnEvaluation` when a workbook that gave no evaluation is one jixiao knows."""
    role = workbook_role(path)
    if role is not None:
        raise NotAnEvaluation(f"{path}：{_ROLES[role]}")
