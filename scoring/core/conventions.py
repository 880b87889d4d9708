"""The rule choices of an evaluation or a template, in words, for people.

`jixiao templates show` lists them under a template's source, so a template
author and a reviewer read the same sentence the docs (docs/scoring.md) give.
Only choices that differ from the defaults are listed.
"""

from __future__ import annotations

from scoring.core.model import Rounding, Settings
from scoring.core.numbers import plain

_MODES = {"half_up": "四舍五入", "floor": "向下舍去"}


def funding_precision(rounding: Rounding) -> int:
    """Decimals of the funds score: one, or the table's own precision where that is coarser.

    No real table found prints a non-full funds score with two decimals (seed 001 prints
    9.985 as 10, 廊坊 8.62 as 9, 临翔 9.78 and 稷山 9.91 as 9); `funding_precision` overrides.
    """
    if rounding.funding_precision is not None:
        return rounding.funding_precision
    return min(1, rounding.precision)


def conventions(settings: Settings, rounding: Rounding) -> list[str]:
    lines = []
    if rounding.precision != 2 or rounding.mode != "half_up":
        lines.append(f"得分保留 {rounding.precision} 位小数，{_MODES[rounding.mode]}")
    if rounding.funding_precision is not None:
        lines.append(f"预算执行得分保留 {rounding.funding_precision} 位小数")
    if settings.funding_rate_base == "initial":
        lines.append("执行率 = 全年执行数 ÷ 年初预算数（表中没有全年预算数）")
    for cap in settings.execution_caps:
        lines.append(f"预算执行率低于 {plain(cap.below)}% 时，总分最高 {plain(cap.max_total)} 分")
    if settings.deviation_penalty is not None:
        p = settings.deviation_penalty
        lines.append(f"实际完成值超过年度指标值 {plain(p.threshold)}% 及以上（指标偏离），该项扣 {plain(p.points)} 分")
    if settings.reverse_rule == "reverse_linear":
        lines.append("反向指标未达标时按线性扣分（超出目标一倍得 0 分）")
    if settings.not_applicable == "rescale":
        lines.append("不适用指标剔除后按百分制折算")
    return lines
