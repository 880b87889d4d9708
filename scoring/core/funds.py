"""Scoring the funds block (资金情况), the judged 资金管理情况 rows, and the cap of the total by
the execution rate: pure functions, as `score.py`, which calls them."""

from __future__ import annotations

from collections.abc import Callable
from decimal import Decimal

from scoring.core.conventions import funding_precision
from scoring.core.issues import Issue, Location
from scoring.core.model import Evaluation, Funding, Rounding, Settings
from scoring.core.numbers import HUNDRED, ZERO, fixed, plain, quantize
from scoring.core.results import FundingResult, FundsManagementResult, SourceResult

Locate = Callable[[str], Location]


def _nowhere(path: str) -> Location:
    return Location(path=path)


def score_funding(funding: Funding, rounding: Rounding, locate: Locate = _nowhere,
                  rate_base: str = "annual") -> tuple[FundingResult, list[Issue]]:
    """执行率 = 全年执行数 / 全年预算数 (the adjusted budget); 得分 = 分值 × 执行率, capped.

    The rate is taken at the two decimals it is printed with (99.85%), then
    multiplied: 10 × 99.85% = 9.985, which seed 001 prints as 10: the funds score is
    rounded to one decimal, or to the table's precision where that is coarser
    (`conventions.funding_precision`). `rate_base="initial"` takes the rate against
    年初预算数, for tables that print no 全年预算数.
    """
    precision = funding_precision(rounding)
    base_key, base_label = ("initial_budget", "年初预算数") if rate_base == "initial" else ("annual_budget", "全年预算数")
    fields = funding.__dict__  # read once, past pydantic's attribute hook: every evaluation has a funds block
    weight, executed, budget = fields["weight"], fields["executed"], fields[base_key]
    sources = tuple(
        SourceResult(s.name, _rate(s.executed, getattr(s, base_key))) for s in fields["sources"]
    ) if fields["sources"] else ()
    missing = [(f, label) for f, label, value in ((base_key, base_label, budget), ("executed", "全年执行数", executed))
               if value is None]
    if not weight and (missing or not budget):
        # a funds row worth 0 (专项债 without fiscal money in the year): nothing to score or require
        return FundingResult(weight, None, ZERO, "预算执行率分值为 0，不计分", sources), []
    if missing:
        issues = [Issue(locate(f"funding.{f}"), f"资金情况缺少{label}", f"请填写{label}（万元）")
                  for f, label in missing]
        return FundingResult(weight, None, None, issues[0].message, sources), issues
    rate = _rate(executed, budget)
    if rate is None:
        issue = Issue(locate(f"funding.{base_key}"), f"{base_label}为 0，无法计算预算执行率",
                      f"请填写{base_label}（万元）")
        return FundingResult(weight, None, None, issue.message, sources), [issue]
    raw = weight * min(rate, HUNDRED) / HUNDRED
    score = quantize(raw, precision, rounding.mode)
    shown = fixed(rate)
    explanation = (
        f"执行率 = 全年执行数 {plain(executed)} ÷ {base_label} {plain(budget)}"
        f" = {shown}%：{plain(weight)} × {shown}% = {plain(raw)}"
    )
    if raw != score:
        how = "保留" if rounding.mode == "half_up" else "向下舍去至"
        explanation += f"，{how} {precision} 位小数得 {plain(score)}" if precision else f"，{how}整数得 {plain(score)}"
    if rate > HUNDRED:
        explanation += f"（执行率超过 100%，得分封顶 {plain(weight)}）"
    return FundingResult(weight, rate, score, explanation, sources), []


def _rate(executed: Decimal | None, budget: Decimal | None) -> Decimal | None:
    if executed is None or not budget:
        return None
    return quantize(executed / budget * HUNDRED, 2)


def score_funds_management(ev: Evaluation, locate: Locate = _nowhere) -> tuple[tuple[FundsManagementResult, ...], list[Issue]]:
    issues: list[Issue] = []
    results = []
    for i, row in enumerate(ev.funds_management):
        score = row.score
        if score is None:
            issues.append(Issue(locate(f"funds_management[{i}].score"),
                                f"资金管理情况“{row.name}”缺少判定得分", f"请填写 0 到 {plain(row.weight)} 之间的得分"))
        elif score > row.weight:
            issues.append(Issue(locate(f"funds_management[{i}].score"),
                                f"资金管理情况“{row.name}”的得分 {plain(score)} 超过分值 {plain(row.weight)}",
                                "得分不能超过分值"))
            score = None
        results.append(FundsManagementResult(row.name, row.weight, score))
    return tuple(results), issues



def capped(total: Decimal, funding: FundingResult | None, settings: Settings) -> tuple[Decimal, str]:
    """The platform rule: a low execution rate caps the total (never raises it)."""
    if not settings.execution_caps or funding is None or funding.execution_rate is None:
        return total, ""
    rate = funding.execution_rate
    caps = [c for c in settings.execution_caps if rate < c.below]
    if not caps:
        return total, ""
    cap = min(caps, key=lambda c: c.max_total)
    if total <= cap.max_total:
        return total, ""
    return cap.max_total, (f"预算执行率 {fixed(rate)}% 低于 {plain(cap.below)}%，总分封顶 {plain(cap.max_total)} 分"
                           f"（各项得分合计 {plain(total)}）")
