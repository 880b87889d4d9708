"""Cross-checks over a scored evaluation, one function per rule, listed in RULES.

Row-level problems (a value that cannot be parsed, a missing actual, a judged
score outside its band) are found while scoring each row; the rules here look
across rows and blocks, over the typed values of the parse stage (no text is
parsed again). Every rule has the signature
``rule(parsed, result, locate) -> list[Issue]``; a new rule is a function,
an entry in RULES and a test.
"""

from __future__ import annotations

from collections.abc import Callable
from decimal import Decimal
from operator import itemgetter

from scoring.core.differences import CAUSES, differences
from scoring.core.issues import Issue
from scoring.core.model import PLACEHOLDER
from scoring.core.numbers import HUNDRED, ZERO, fixed, plain, quantize
from scoring.core.parse import ParsedEvaluation
from scoring.core.results import EvaluationResult
from scoring.core.score import Locate
from scoring.core.values import Quantity

# A computed 预算执行率 / 预算调整率 and the one typed in may differ by this much
# (percentage points) before the row is flagged: printed rates are often rounded.
FUNDS_TOLERANCE = Decimal(1)


def check_weights_sum_to_100(parsed: ParsedEvaluation, result: EvaluationResult, locate: Locate) -> list[Issue]:
    ev = parsed.evaluation
    if result.weight_total == HUNDRED:
        return []
    parts = []
    if ev.funding is not None:
        parts.append(f"预算执行 {plain(ev.funding.weight)}")
    if ev.funds_management:
        parts.append(f"资金管理 {plain(sum((r.weight for r in ev.funds_management), ZERO))}")
    parts.append(f"绩效指标 {plain(sum((i.weight for i in ev.indicators if not i.breakdown), ZERO))}")
    if ev.printed_weight_total is not None:  # a transcribed published table: its weights are what it prints
        return [Issue(locate("indicators"),
                      f"分值合计为 {plain(result.weight_total)}（{'，'.join(parts)}），应为 100",
                      f"可能原因（{CAUSES['weights_not_100']}）：印刷表各行分值合计为 {plain(result.weight_total)}"
                      f"，表上合计行印 {plain(ev.printed_weight_total)}",
                      "warning")]
    return [Issue(locate("indicators"),
                  f"分值合计为 {plain(result.weight_total)}（{'，'.join(parts)}），应为 100",
                  "请调整各行分值，使总分值为 100")]


_LEVELS = itemgetter("level1", "level2", "level3")


def check_duplicate_indicators(parsed: ParsedEvaluation, result: EvaluationResult, locate: Locate) -> list[Issue]:
    ev = parsed.evaluation
    if len({ind.level3 for ind in ev.indicators}) == len(ev.indicators):
        return []  # the usual table: every 三级指标 named once, so no row repeats
    keys = [_LEVELS(ind.__dict__) for ind in ev.indicators]  # one read of each model's fields
    if len(set(keys)) == len(keys):
        return []  # the same name under different 一级/二级 指标
    seen: dict[tuple[str, str, str], int] = {}
    issues = []
    for i, ind in enumerate(ev.indicators):
        key = (ind.level1, ind.level2, ind.level3)
        if key in seen:
            issues.append(Issue(locate(f"indicators[{i}].level3"),
                                f"三级指标“{ind.level3}”（{ind.level1} / {ind.level2}）重复出现，"
                                f"与第 {seen[key] + 1} 项相同",
                                "请删除重复项，或改用不同的指标名称"))
        else:
            seen[key] = i
    return issues


def check_shortfall_reasons(parsed: ParsedEvaluation, result: EvaluationResult, locate: Locate) -> list[Issue]:
    issues = []
    for row, ind in zip(result.indicators, parsed.evaluation.indicators):  # rows in the indicators' order
        score = row.score
        if score is not None and score < row.weight and not ind.reason.strip():
            issues.append(Issue(locate(f"indicators[{row.index}].reason"),
                                f"三级指标“{row.level3}”未得满分（{plain(row.score)}/{plain(row.weight)}），"
                                "缺少偏差原因分析及改进措施",
                                "请填写 reason：说明未完成的原因和改进措施", "warning"))
    return issues


def check_over_achievement(parsed: ParsedEvaluation, result: EvaluationResult, locate: Locate) -> list[Issue]:
    ev = parsed.evaluation
    limit = ev.settings.over_achievement_warning
    issues = []
    rows = parsed.indicators
    for row in result.indicators:
        if row.status != "met" or row.rule not in ("positive_ratio", "equality"):
            continue
        t, a = rows[row.index].target, rows[row.index].actual
        if isinstance(t, Quantity) and isinstance(a, Quantity) and t.number > 0:
            over = (a.number - t.number) / t.number * HUNDRED
            if over > limit:
                issues.append(Issue(locate(f"indicators[{row.index}].actual"),
                                    f"三级指标“{row.level3}”：实际 {a.text.strip()}，目标 {t.text.strip()}，"
                                    f"超出 {plain(quantize(over, 1))}%（超出 {plain(limit)}% 以上即提示），"
                                    "年度指标值可能设定偏低",
                                    "请在 reason 中说明超额完成的原因，并在下年度合理设定目标", "warning"))
    return issues


def check_funds_contradictions(parsed: ParsedEvaluation, result: EvaluationResult, locate: Locate) -> list[Issue]:
    """预算执行率 and 预算调整率 rows must agree with the funds block of the same table."""
    ev = parsed.evaluation
    f = ev.funding
    if f is None:
        return []
    named = "\0".join(ind.level3 for ind in ev.indicators)
    if "预算执行率" not in named and "预算调整率" not in named:
        return []  # the usual table: no row names a rate, one search over all the names
    computed: dict[str, Decimal] = {}
    if result.funding is not None and result.funding.execution_rate is not None:
        computed["预算执行率"] = result.funding.execution_rate
    if f.initial_budget and f.annual_budget is not None:
        computed["预算调整率"] = (f.annual_budget - f.initial_budget) / f.initial_budget * HUNDRED
    if not computed:
        return []
    names = tuple(computed)
    issues = []
    for i, ind in enumerate(ev.indicators):
        level3 = ind.level3
        for name in names:  # the first of the names the row's 三级指标 contains
            if name in level3:
                break
        else:
            continue
        if not ind.actual:
            continue
        a = parsed.indicators[i].actual
        if not isinstance(a, Quantity) or a.unit not in ("%", ""):
            continue
        value = computed[name]
        if abs(a.number - value) > FUNDS_TOLERANCE:
            base = "年初预算数" if ev.settings.funding_rate_base == "initial" else "全年预算数"
            formula = (f"全年执行数 ÷ {base}" if name == "预算执行率"
                       else "（全年预算数 − 年初预算数）÷ 年初预算数")
            issues.append(Issue(locate(f"indicators[{i}].actual"),
                                f"三级指标“{ind.level3}”的实际完成值 {ind.actual} 与资金情况不符：按 {formula} "
                                f"计算为 {fixed(value)}%",
                                f"请核对，实际完成值应为 {fixed(value)}%", "warning"))
    return issues


def check_funds_block(parsed: ParsedEvaluation, result: EvaluationResult, locate: Locate) -> list[Issue]:
    ev = parsed.evaluation
    f = ev.funding
    if f is None:
        return []
    issues = []
    if f.executed is not None and f.annual_budget is not None and f.executed > f.annual_budget:
        issues.append(Issue(locate("funding.executed"),
                            f"全年执行数 {plain(f.executed)} 超过全年预算数 {plain(f.annual_budget)}",
                            "请核对执行数；执行率按 100% 封顶计分", "warning"))
    if not f.sources:
        return issues  # no sources to add up
    for field, label in (("initial_budget", "年初预算数"), ("annual_budget", "全年预算数"), ("executed", "全年执行数")):
        values = [getattr(s, field) for s in f.sources]
        total = getattr(f, field)
        if total is not None and all(v is not None for v in values):
            parts = sum(values, ZERO)
            if parts != total:
                issues.append(Issue(locate(f"funding.{field}"),
                                    f"资金来源各项{label}合计 {plain(parts)}，与合计行 {plain(total)} 不等",
                                    "请核对资金来源明细", "warning"))
    return issues


def printed_differences(parsed: ParsedEvaluation, result: EvaluationResult) -> list:
    """`differences` of a parsed evaluation, with what its met rows would print as over-achievement."""
    ev = parsed.evaluation
    f = ev.funding
    if (ev.printed_total is None and ev.printed_weight_total is None and ev.printed_narrative_total is None
            and (f is None or (f.printed_rate is None and f.printed_score is None))
            and all(ind.printed_score is None and ind.printed_deviation is None for ind in ev.indicators)):
        return []  # an evaluation typed in, not transcribed from a printed table: nothing printed to compare
    over = {}  # what met rows would print as over-achievement, for tables that print it
    for row, ind in zip(result.indicators, ev.indicators):
        if ind.printed_deviation is None or row.status != "met":
            continue
        t, a = parsed.indicators[row.index].target, parsed.indicators[row.index].actual
        if isinstance(t, Quantity) and isinstance(a, Quantity) and t.number:
            over[row.index] = (a.number - t.number) / t.number * HUNDRED
    return differences(ev, result, over)


def check_printed(parsed: ParsedEvaluation, result: EvaluationResult, locate: Locate) -> list[Issue]:
    """Printed numbers (a transcribed published table) against computed ones, each with its likely cause."""
    issues = []
    for d in printed_differences(parsed, result):
        if d.path == "indicators":
            continue  # the weights' sum is check_weights_sum_to_100's
        hint = f"可能原因（{CAUSES[d.cause]}）：{d.why}"
        if d.path.endswith("printed_score") and d.path.startswith("indicators["):
            row = result.indicators[int(d.path[11:d.path.index("]")])]
            message = f"三级指标“{row.level3}”印刷得分 {plain(d.printed)}，计算得分 {plain(d.computed)}"
            if d.cause != "unknown":
                hint += f"；计算：{row.explanation}"
        elif d.path.endswith("printed_deviation"):
            row = result.indicators[int(d.path[11:d.path.index("]")])]
            message = f"三级指标“{row.level3}”印刷偏差度 {fixed(d.printed)}，计算偏差度 {fixed(d.computed)}"
        elif d.path == "funding.printed_score":
            message = f"预算执行印刷得分 {plain(d.printed)}，计算得分 {plain(d.computed)}"
            hint += f"；计算：{result.funding.explanation}"
        elif d.path == "funding.printed_rate":
            message = f"印刷执行率 {plain(d.printed)}%，计算执行率 {fixed(d.computed)}%"
        elif d.path == "printed_weight_total":
            message = f"印刷分值合计 {plain(d.printed)}，各行分值之和 {plain(d.computed)}"
        elif d.path == "printed_narrative_total":
            message = f"自评报告（决算说明）中的得分 {plain(d.printed)} 与计算总分 {plain(d.computed)} 不一致"
            hint = "报告文字应与自评表一致；jixiao 生成的自评报告取自同一计算结果"
        else:
            message = f"印刷总分 {plain(d.printed)}，计算总分 {plain(d.computed)}"
        issues.append(Issue(locate(d.path), message, hint, "warning"))
    return issues


def check_placeholders(parsed: ParsedEvaluation, result: EvaluationResult, locate: Locate) -> list[Issue]:
    """Rows a template left for the unit (“（请填写三级指标）”) must be filled in."""
    ev = parsed.evaluation
    if not any(ind.level3 == PLACEHOLDER for ind in ev.indicators):
        return []
    return [Issue(locate(f"indicators[{i}].level3"),
                  f"“{ind.level1}{' / ' + ind.level2 if ind.level2 else ''}”下的三级指标尚未填写",
                  "请把“（请填写三级指标）”换成本单位的指标名称，并填写年度指标值和实际完成值")
            for i, ind in enumerate(ev.indicators) if ind.level3 == PLACEHOLDER]


Rule = Callable[[ParsedEvaluation, EvaluationResult, Locate], list[Issue]]

RULES: tuple[Rule, ...] = (
    check_weights_sum_to_100,
    check_duplicate_indicators,
    check_shortfall_reasons,
    check_over_achievement,
    check_funds_contradictions,
    check_funds_block,
    check_printed,
    check_placeholders,
)


def validate(parsed: ParsedEvaluation, result: EvaluationResult, locate: Locate) -> list[Issue]:
    """Run every rule; collect every problem."""
    issues: list[Issue] = []
    for rule in RULES:
        issues += rule(parsed, result, locate)
    return issues
