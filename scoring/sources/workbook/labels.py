"""The words a sheet is read by: header labels as compared, and their aliases.

A sheet's blocks and columns are found by their labels, never by position, so
every spelling a unit's own spreadsheet may use (指标值 for 年度指标值, 权重 for
分值 …) maps here to one key. Kept apart from the reading itself so that the
readers of the header facts, the blocks and the indicator table share one
vocabulary.
"""

from __future__ import annotations

import re
import unicodedata
from functools import lru_cache

_BRACKETS = re.compile(r"[（(][^（()）]*[）)]")
_SPACES = re.compile(r"\s+")


def compact(text: str) -> str:
    """NFKC, no whitespace at all: how labels, numbers and years typed as text are compared."""
    return _SPACES.sub("", unicodedata.normalize("NFKC", text))


def label(value: object) -> str:
    """A header label as compared: NFKC, no whitespace, no bracketed notes (万元, %)."""
    return _label(value) if isinstance(value, str) else ""


@lru_cache(maxsize=8192)
def _label(text: str) -> str:
    return _BRACKETS.sub("", compact(text)).strip(":：*")


def _aliases(table: dict[str, tuple[str, ...]]) -> dict[str, str]:
    return {label(a): key for key, names in table.items() for a in names}


def columns_of(labels: dict[str, int], aliases: dict[str, str]) -> dict[str, int]:
    """Column of each key whose label (or an alias of it) is in a row: the first one."""
    columns: dict[str, int] = {}
    for name, c in labels.items():
        key = aliases.get(name)
        if key and key not in columns:
            columns[key] = c
    return columns


INDICATOR_COLUMNS = _aliases({
    "level1": ("一级指标",),
    "level2": ("二级指标",),
    "level3": ("三级指标",),
    "description": ("指标说明", "指标解释", "指标内容"),
    "target": ("年度指标值", "指标值", "目标值", "年度目标值", "预期指标值", "全年指标值", "年初目标值"),
    "actual": ("实际完成值", "实际值", "完成值", "全年实际值", "实际完成指标值"),
    "weight": ("分值", "权重", "指标分值"),
    "score": ("判定得分", "评价人判定得分"),
    "printed_score": ("得分", "自评得分", "评价得分"),
    "printed_deviation": ("偏差度", "偏差率"),
    "reason": ("偏差原因分析及改进措施", "未完成原因分析及改进措施", "偏差原因分析", "原因分析及改进措施",
               "偏差原因", "未完成原因"),
    "rule": ("评分规则", "计分规则"),
    # a target split over three cells: 指标性质 | 指标值 | 度量单位 (the platforms' tables)
    "nature": ("指标性质", "指标方向", "计算符号", "运算符号", "指标值性质"),
    "measure": ("度量单位", "计量单位", "指标单位", "单位"),
})
INDICATOR_REQUIRED = ("level1", "level3", "target", "actual", "weight")
INDICATOR_NAMES = {"level1": "一级指标", "level3": "三级指标", "target": "年度指标值",
                   "actual": "实际完成值", "weight": "分值"}
# 指标性质 as printed → the operator the target is read with; None: the value alone (定性, 定量).
NATURES = {
    "正向": "≥", "正向指标": "≥", "反向": "≤", "反向指标": "≤",
    "定性": None, "定性指标": None, "定量": None, "定量指标": None,
    "大于等于": "≥", "不低于": "≥", "不小于": "≥", "小于等于": "≤", "不高于": "≤", "不大于": "≤", "不超过": "≤",
    "等于": "=", "大于": ">", "小于": "<",
}
# 度量单位 cells that name no unit, or name one in words.
MEASURES = {"百分比": "%", "百分率": "%", "/": "", "-": "", "—": "", "无": ""}
FUNDS_COLUMNS = _aliases({
    "initial_budget": ("年初预算数", "年初预算", "年初数"),
    # 湖北's table prints one 预算数 column, noted as the adjusted budget (黄冈 2020)
    "annual_budget": ("全年预算数", "调整后预算数", "全年预算", "预算数", "全年数"),
    "executed": ("全年执行数", "执行数", "全年实际执行数", "实际支出数"),
    "weight": ("分值",),
    "printed_rate": ("执行率", "预算执行率"),
    "printed_score": ("得分",),
})
FM_COLUMNS = _aliases({
    "description": ("情况说明",),
    "weight": ("分值",),
    "score": ("得分", "判定得分", "自评得分"),
    "problems": ("存在问题和改进措施", "存在问题及改进措施", "存在问题"),
})
GOAL_COLUMNS = _aliases({"expected": ("预期目标", "目标内容"), "actual": ("实际完成情况", "目标完成情况")})
TASK_COLUMNS = _aliases({"name": ("任务名称",), "content": ("主要内容",),
                         "result": ("完成情况", "实际完成情况", "任务完成情况")})
FACTS = _aliases({
    "unit": ("单位名称", "部门名称", "部门(单位)名称", "预算单位", "单位", "部门"),
    "year": ("评价年度", "年度", "预算年度", "自评年度"),
    "project": ("项目名称",),
    "project_code": ("项目编号", "项目编码", "项目代码"),
    "supervisor": ("主管部门",),
    "implementer": ("实施单位",),
})
FM_TITLE = label("资金管理情况")
LEVEL3 = label("三级指标")
TOTAL_ROWS = {label(t) for t in ("总分", "合计", "总计", "分值合计", "综合得分", "自评总分", "总得分")}
SUBTOTAL_ROWS = {label(t) for t in ("小计", "分项小计")}  # a group's sum inside the indicator table
FUND_TOTALS = {label(t) for t in ("年度资金总额", "部门预算总额", "资金总额", "预算总额", "项目资金总额",
                                  "合计", "总计")}
# Any of these in a row ends the block above it.
BLOCK_LABELS = (set(INDICATOR_COLUMNS) | set(FACTS) | {FM_TITLE, label("预期目标"), label("任务名称"),
                label("年度总体目标"), label("年度履职目标"), label("全年执行数"), label("资金情况")})
