"""Printed numbers against computed ones, each difference with its likely cause.

A transcribed published table (`printed_score`, `printed_deviation`,
`funding.printed_rate`, `funding.printed_score`, `printed_total`,
`printed_narrative_total`) is compared with what the engine computes. Real
tables often follow no rule at all; a reviewer needs to know which difference is
arithmetic and which is the evaluator's judgement, so each difference carries a
cause read from the print itself:

- ``rounding``: the printed number is the computed one at another precision or
  rounding mode (whole points, one decimal, rounded down);
- ``judgement``: the target is met, yet the row is printed below full, and no
  rule gives that number (a judgement deduction);
- ``full_despite_shortfall``: printed full although the actual misses the target;
- ``actual_rate``: the row is printed as weight × its actual percentage although the target is
  met (湖北 prints 20 × 98% = 19.6 against a target of 98%);
- ``convention``: the print follows another documented setting (a met row printing
  its over-achievement as 偏差度);
- ``rate_slip``: the printed funds rate or score does not follow the printed amounts;
- ``sum_slip``: the printed total is not the sum of the printed rows;
- ``follows_rows``: the printed total is the sum of the printed rows, so the
  difference comes from rows above;
- ``weights_not_100``: the printed weights do not add up to 100;
- ``narrative``: the score the unit's narrative states disagrees with the table;
- ``unknown``: none of these explains it.
"""

from __future__ import annotations

from decimal import ROUND_FLOOR, ROUND_HALF_UP, Decimal
from typing import NamedTuple

from scoring.core.model import Evaluation
from scoring.core.numbers import HUNDRED, ZERO, fixed, plain
from scoring.core.results import EvaluationResult, IndicatorResult
from scoring.core.values import Quantity, ValueParseError, parse_actual

CAUSES = {
    "rounding": "舍入方式不同",
    "judgement": "评价人酌情扣分",
    "full_despite_shortfall": "未达成仍给满分",
    "actual_rate": "按实际完成率给分",
    "convention": "印刷采用了另一种列示口径",
    "rate_slip": "执行率或得分与表中金额不符",
    "sum_slip": "加总错误",
    "follows_rows": "总分随上面各行的差异而不同",
    "weights_not_100": "分值合计不为 100",
    "narrative": "报告文字与自评表不一致",
    "unknown": "原因不明",
}

_MODES = ((ROUND_HALF_UP, "四舍五入"), (ROUND_FLOOR, "向下舍去"))


class Difference(NamedTuple):
    path: str  # key path of the printed number: indicators[3].printed_score, printed_total …
    what: str  # 三级指标“…”得分, 预算执行得分, 总分 …
    printed: Decimal
    computed: Decimal | None
    cause: str  # a key of CAUSES
    why: str  # the cause, argued from the print, in Chinese


def _rounded(value: Decimal, printed: Decimal) -> str | None:
    """How `value` becomes `printed` at another precision or mode, in words; None if it does not."""
    for places in (0, 1, 2):
        for mode, name in _MODES:
            if value.quantize(Decimal(1).scaleb(-places), mode) == printed:
                return f"{plain(value)} {name}保留{places}位小数为 {plain(printed)}" if places else \
                    f"{plain(value)} {name}取整为 {plain(printed)}"
    return None


def _percent(text: str) -> Decimal | None:
    """The actual as a percentage, when it is one (98%)."""
    try:
        value = parse_actual(text) if text else None
    except ValueParseError:
        return None
    return value.number if isinstance(value, Quantity) and value.unit == "%" else None


def _row_score(ind, row: IndicatorResult, path: str) -> Difference:
    p, c, w = ind.printed_score, row.score, row.weight
    what = f"三级指标“{row.level3}”得分"
    how = _rounded(c, p) if c is not None else None
    if how is not None:
        return Difference(path, what, p, c, "rounding", f"{how}：印刷采用了不同的舍入方式")
    if row.status == "judged":
        return Difference(path, what, p, c, "judgement", f"该行为评价人判定得分 {plain(c)}，印刷 {plain(p)}")
    share = _percent(row.actual)
    if row.status == "met" and share is not None and p < w and (
            w * share / HUNDRED == p or _rounded(w * share / HUNDRED, p) is not None):
        return Difference(path, what, p, c, "actual_rate",
                          f"印刷得分 {plain(p)} = 分值 {plain(w)} × 实际完成值 {row.actual}；实际已达到年度指标值 "
                          f"{row.target}，按规则应得满分 {plain(w)}")
    if row.status == "met" and p < w:
        return Difference(path, what, p, c, "judgement",
                          f"实际 {row.actual} 已达成年度指标值 {row.target}，按规则应得满分 {plain(w)}，"
                          f"没有规则给出 {plain(p)} 分：评价人酌情扣分")
    if row.status == "missed" and p == w:
        return Difference(path, what, p, c, "full_despite_shortfall",
                          f"实际 {row.actual} 未达到年度指标值 {row.target}，印刷仍为满分 {plain(w)}")
    return Difference(path, what, p, c, "unknown", f"没有已知规则给出 {plain(p)} 分（{row.explanation}）")


def same_as_printed(computed: Decimal, printed: Decimal) -> bool:
    """A printed number (a rate, a deviation) is the computed one at the print's own precision,
    rounded half up or down."""
    return any(computed.quantize(printed, mode) == printed for mode in (ROUND_HALF_UP, ROUND_FLOOR))


def _row_deviation(ind, row: IndicatorResult, path: str, actual_deviation: Decimal | None) -> Difference:
    p, c = ind.printed_deviation, row.deviation
    what = f"三级指标“{row.level3}”偏差度"
    how = _rounded(c, p)
    if how is not None:
        return Difference(path, what, p, c, "rounding", f"{how}：印刷采用了不同的舍入方式")
    if row.status == "met" and actual_deviation is not None and same_as_printed(actual_deviation, p):
        return Difference(path, what, p, c, "convention",
                          "已达成的行印刷了实际超出目标的比例（settings.deviation_when_met: actual）")
    if p == -c:
        return Difference(path, what, p, c, "unknown", "印刷偏差度与计算结果符号相反")
    return Difference(path, what, p, c, "unknown", "没有已知算法给出该偏差度")


def _printed_rows_sum(ev: Evaluation, result: EvaluationResult) -> Decimal | None:
    """The sum of the printed scores, where every scored row prints one."""
    total = ZERO
    if ev.funding is not None and result.funding is not None and ev.funding.weight:
        printed = ev.funding.printed_score if ev.funding.printed_score is not None else result.funding.score
        if printed is None:
            return None
        total += printed
    for row in ev.funds_management:
        if row.score is None:
            return None
        total += row.score
    for ind, row in zip(ev.indicators, result.indicators):
        if row.status == "breakdown" or (row.status == "not_applicable" and ind.printed_score is None):
            continue  # a 其中 row is never summed; a row left out prints nothing, or what it prints counts
        if ind.printed_score is None:
            return None
        total += ind.printed_score
    return total


def differences(ev: Evaluation, result: EvaluationResult,
                over: dict[int, Decimal] | None = None) -> list[Difference]:
    """Every printed number that differs from the computed one, in table order.

    `over` gives, by row index, the raw deviation of met rows (what a table that
    prints over-achievement would show); `validate` passes it from the parsed values.
    """
    found: list[Difference] = []
    fr = result.funding
    f = ev.funding
    if f is not None and fr is not None and fr.execution_rate is not None and f.printed_rate is not None:
        if not same_as_printed(fr.execution_rate, f.printed_rate):
            found.append(Difference("funding.printed_rate", "预算执行率", f.printed_rate, fr.execution_rate,
                                    "rate_slip", f"按表中金额计算执行率为 {fixed(fr.execution_rate)}%，"
                                                 f"印刷 {plain(f.printed_rate)}%"))
    if f is not None and fr is not None and fr.score is not None and f.printed_score is not None:
        if f.printed_score != fr.score and fr.execution_rate is None:  # a funds row worth 0, no rate
            found.append(Difference("funding.printed_score", "预算执行得分", f.printed_score, fr.score, "unknown",
                                    f"本表预算执行分值为 {plain(fr.weight)}，印刷得分 {plain(f.printed_score)}"))
        elif f.printed_score != fr.score:
            rate = fr.execution_rate
            raw = fr.weight * min(rate, HUNDRED) / HUNDRED
            how = _rounded(raw, f.printed_score)
            if how is not None:
                found.append(Difference("funding.printed_score", "预算执行得分", f.printed_score, fr.score,
                                        "rounding", f"{plain(fr.weight)} × {fixed(rate)}% = {how}：印刷采用了不同的舍入方式"))
            elif f.printed_rate is not None and _rounded(
                    fr.weight * min(f.printed_rate, HUNDRED) / HUNDRED, f.printed_score) is not None:
                found.append(Difference("funding.printed_score", "预算执行得分", f.printed_score, fr.score,
                                        "rate_slip", f"印刷得分按印刷执行率 {plain(f.printed_rate)}% 计算，"
                                                     f"而表中金额给出 {fixed(rate)}%"))
            else:
                found.append(Difference("funding.printed_score", "预算执行得分", f.printed_score, fr.score,
                                        "unknown", f"分值 {plain(fr.weight)} × 执行率 {fixed(rate)}% 不给出 "
                                                   f"{plain(f.printed_score)}"))
    over = over or {}
    for ind, row in zip(ev.indicators, result.indicators):
        if ind.printed_score is not None and row.score is not None and ind.printed_score != row.score:
            found.append(_row_score(ind, row, f"indicators[{row.index}].printed_score"))
        if ind.printed_deviation is not None and row.deviation is not None and ind.printed_deviation != row.deviation:
            found.append(_row_deviation(ind, row, f"indicators[{row.index}].printed_deviation", over.get(row.index)))
    if ev.printed_weight_total is not None and ev.printed_weight_total != result.weight_total:
        found.append(Difference("printed_weight_total", "分值合计", ev.printed_weight_total, result.weight_total,
                                "sum_slip", f"各行分值之和为 {plain(result.weight_total)}，表上合计行却印 "
                                            f"{plain(ev.printed_weight_total)}"))
    elif ev.printed_weight_total is not None and result.weight_total != HUNDRED:
        found.append(Difference("indicators", "分值合计", result.weight_total, HUNDRED, "weights_not_100",
                                f"印刷表各行分值合计 {plain(result.weight_total)}，不是 100"))
    if ev.printed_total is not None and result.total is not None and ev.printed_total != result.total:
        rows = _printed_rows_sum(ev, result)
        if result.note and rows is not None and rows > ev.printed_total >= result.total:
            cause, why = "unknown", f"各行印刷得分之和为 {plain(rows)}；本表规则：{result.note}"
        elif rows is not None and rows != ev.printed_total:
            cause, why = "sum_slip", f"各行印刷得分之和为 {plain(rows)}，印刷总分却是 {plain(ev.printed_total)}"
        elif rows is not None:
            cause, why = "follows_rows", f"印刷总分等于各行印刷得分之和 {plain(rows)}，差异来自上面各行"
            if result.note:
                why += f"；另按本表规则{result.note}"
        elif result.note:
            cause, why = "unknown", f"本表按规则{result.note}"
        else:
            cause, why = "unknown", "表中部分行没有印刷得分，无法判断"
        found.append(Difference("printed_total", "总分", ev.printed_total, result.total, cause, why))
    narrative = ev.printed_narrative_total
    if narrative is not None and result.total is not None and narrative != result.total:
        found.append(Difference("printed_narrative_total", "报告文字中的得分", narrative, result.total, "narrative",
                                f"自评报告（决算说明）写 {plain(narrative)} 分，自评表计算为 {plain(result.total)} 分"))
    return found
