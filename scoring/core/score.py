"""Scoring: pure functions from a parsed evaluation to an `EvaluationResult`.

Scoring takes the typed values of `parse.py` (targets, actuals and rules read
once, right after loading) and never parses text itself. No file, spreadsheet or
Word I/O here. Problems are returned as `Issue`s placed by `locate(path)`, a
function the loader provides (key path → file, line, column, or sheet and cell).
"""

from __future__ import annotations

from collections.abc import Callable
from decimal import ROUND_FLOOR, ROUND_HALF_UP, Decimal

from scoring.core import rules
from scoring.core.formulas import FormulaError
from scoring.core.funds import capped, score_funding, score_funds_management
from scoring.core.issues import Issue, Location
from scoring.core.model import DeductionRule, Indicator, Rounding, Settings
from scoring.core.numbers import HUNDRED, ZERO, fixed, plain, quantize
from scoring.core.parse import (
    CompiledBands,
    Parsed,
    ParsedEvaluation,
    ParsedIndicator,
    RuleProblem,
    Unreadable,
)
from scoring.core.results import (
    EvaluationResult,
    IndicatorResult,
)
from scoring.core.rules import Outcome, RuleError
from scoring.core.values import (
    ACCEPTED_FORMS,
    DateValue,
    Deadline,
    Judgement,
    NotApplicable,
    Period,
    Qualitative,
    Quantity,
    Value,
    qualitative_met,
)

Locate = Callable[[str], Location]


def _nowhere(path: str) -> Location:
    return Location(path=path)


class _RowError(Exception):
    """A row that cannot be scored: becomes an error Issue at `field`."""

    def __init__(self, field: str, message: str, hint: str = ""):
        super().__init__(message)
        self.field, self.message, self.hint = field, message, hint


# ------------------------------------------------------------------ values


def _readable(ind: Indicator, field: str, value: Parsed) -> Value | None:
    """A parsed target or actual; text that could not be read stops the row here."""
    if isinstance(value, Unreadable):
        label = "年度指标值" if field == "target" else "实际完成值"
        raise _RowError(field, f"三级指标“{ind.level3}”的{label}{value.problem}", ACCEPTED_FORMS)
    return value


def _raise(problem: RuleProblem):
    """Raise a rule's problem afresh (a parsed row may be scored more than once)."""
    raise type(problem.error)(str(problem.error))


_UNIT_SYNONYMS = {"日": "天", "位": "人", "名": "人"}


def _compatible(t: Quantity, a: Quantity, ind: Indicator) -> Quantity:
    """Check units; a bare actual takes the target's unit (seed 000 prints ``90`` for ``≥90%``)."""
    tu, au = _UNIT_SYNONYMS.get(t.unit, t.unit), _UNIT_SYNONYMS.get(a.unit, a.unit)
    if not au or not tu or au == tu:
        if tu == "%" and not au and 0 < a.number <= 1 < t.number and a.number != a.number.to_integral():
            raise _RowError(
                "actual",
                f"三级指标“{ind.level3}”的实际完成值“{a.text}”没有单位，而年度指标值是百分数“{t.text}”",
                f"如指 {plain(a.number * HUNDRED)}%，请填写“{plain(a.number * HUNDRED)}%”；"
                f"如确为 {plain(a.number)}%，请填写“{plain(a.number)}%”",
            )
        return a
    raise _RowError(
        "actual",
        f"三级指标“{ind.level3}”的实际完成值“{a.text}”与年度指标值“{t.text}”单位不一致",
        f"请按年度指标值的单位（{t.unit}）填写实际完成值",
    )


def _need_number(ind: Indicator, t: Value, a: Value) -> None:
    raise _RowError(
        "actual",
        f"三级指标“{ind.level3}”的年度指标值“{ind.target}”是数值，实际完成值“{ind.actual}”不是数值",
        f"请填写数值，例如 {_example(t)}；确需评价人判定的，请填写判定得分 score",
    )


def _example(t: Value) -> str:
    if isinstance(t, Quantity):
        return f"{plain(t.number)}{t.unit}"
    return "90%"


# ----------------------------------------------------------------- judged


def _band(settings: Settings, level: str, weight: Decimal) -> tuple[Decimal, Decimal, str]:
    b = settings.qualitative_bands
    lo_a, lo_p = weight * b.achieved / HUNDRED, weight * b.partial / HUNDRED
    if level == "achieved":
        return lo_a, weight, f"达成区间 [{plain(lo_a)}, {plain(weight)}]"
    if level == "partial":
        return lo_p, lo_a, f"部分达成区间 [{plain(lo_p)}, {plain(lo_a)})"
    return ZERO, lo_p, f"未达成区间 [0, {plain(lo_p)})"


def _level_of(actual: Value | None, settings: Settings, met: bool | None) -> str | None:
    """The official band (达成/部分达成/未达成) an actual names, if it names one."""
    if met:
        return "achieved"
    if isinstance(actual, Judgement):
        return actual.level
    if isinstance(actual, Quantity) and actual.unit == "%" and actual.op is None:
        b = settings.qualitative_bands
        if actual.number >= b.achieved:
            return "achieved"
        return "partial" if actual.number >= b.partial else "missed"
    return None


def _judged(ind: Indicator, settings: Settings, level: str | None, computed: Outcome | None) -> Outcome:
    score, weight = ind.score, ind.weight
    if score > weight:
        raise _RowError("score", f"三级指标“{ind.level3}”的判定得分 {plain(score)} 超过分值 {plain(weight)}",
                        "得分不能超过分值")
    band_text = ""
    if level is not None:
        lo, hi, band_text = _band(settings, level, weight)
        inside = lo <= score <= hi if level == "achieved" else lo <= score < hi
        if not inside:
            raise _RowError(
                "score",
                f"三级指标“{ind.level3}”的判定得分 {plain(score)} 不在实际完成值“{ind.actual}”对应的{band_text}内",
                "请调整得分，或改写实际完成值（达成/部分达成/未达成）",
            )
        band_text = f"（{band_text}）"
    reason = f"评价人判定得分{band_text}"
    if computed is not None:
        reason = f"{computed.reason}；评价人判定得分（按规则应得 {plain(quantize(computed.score))}）"
    return Outcome(score, score >= weight, None, reason, judged=True)


# ----------------------------------------------------------- dispatching


def _auto_quantitative(ind: Indicator, t: Quantity, a: Value, settings: Settings, name: str | None) -> tuple[str, Outcome]:
    if not isinstance(a, Quantity):
        _need_number(ind, t, a)
    if a.unit == "%" and t.unit not in ("%", ""):
        chosen = name or "completion_rate"
    else:
        a = _compatible(t, a, ind)
        if name:
            chosen = name
        elif t.op in ("<=", "<"):
            chosen = settings.reverse_rule
        elif t.op == "=":
            chosen = "equality"
        else:
            chosen = "positive_ratio"
    return chosen, rules.QUANTITATIVE_RULES[chosen](ind.weight, t, a)


def _qualitative(ind: Indicator, t: Value, a: Value, settings: Settings) -> tuple[str, Outcome]:
    target = t if isinstance(t, Qualitative) else Qualitative(str(ind.target))
    met = qualitative_met(target, a)
    reason = f"实际“{str(ind.actual).strip()}”对照目标“{str(ind.target).strip()}”"
    if met:
        return "qualitative", _new(Outcome, (ind.weight, True, ZERO, reason + "，已达成", None, False))
    return "qualitative", _undecided(ind, a, settings, reason)


def _undecided(ind: Indicator, a: Value, settings: Settings, reason: str) -> Outcome:
    level = _level_of(a, settings, None)
    if ind.score is not None:
        return _judged(ind, settings, level, None)
    if level is not None:
        _, _, band_text = _band(settings, level, ind.weight)
        raise _RowError("score", f"三级指标“{ind.level3}”{reason}，未完全达成，需要评价人判定得分",
                        f"请填写判定得分 score，应在{band_text}内")
    raise _RowError(
        "actual",
        f"三级指标“{ind.level3}”：无法判断实际完成值“{ind.actual}”是否达到年度指标值“{ind.target}”",
        "请填写 达成、部分达成、未达成 或完成率（如 100%），或填写判定得分 score",
    )


def _deadline(ind: Indicator, t: Deadline | Period, a: Value, settings: Settings, year: int) -> tuple[str, Outcome]:
    reason = f"期限“{str(ind.target).strip()}”，实际“{str(ind.actual).strip()}”"
    met: bool | None = None
    if isinstance(a, Quantity) and a.unit == "%" and a.op is None:
        if a.number < HUNDRED and isinstance(t, Deadline):
            return "deadline", Outcome(ind.weight * a.number / HUNDRED, False, a.number - HUNDRED,
                                       reason, f"{plain(ind.weight)} × {plain(a.number)}%")
        met = a.number >= HUNDRED or None
    elif isinstance(a, Judgement):
        met = a.level == "achieved" or None
    elif isinstance(t, Deadline) and isinstance(a, (DateValue, Deadline)):
        done = a.date if isinstance(a, DateValue) else a.resolve(year)
        met = done <= t.resolve(year) or None
    elif (isinstance(t, Deadline) and isinstance(a, Quantity) and a.op is None and a.unit in ("月", "月份")
          and a.number == a.number.to_integral_value() and 1 <= a.number <= 12):
        # "7月" against "9月前" (安徽 prints): done some time in that month of the evaluation's year;
        # taken at its last day, so "9月" does not meet "9月15日前" by assumption (calendar imported
        # for this rare row only: `jixiao score` starts without it)
        from calendar import monthrange

        month = int(a.number)
        met = Deadline(None, month, monthrange(year, month)[1], a.text).resolve(year) <= t.resolve(year) or None
    elif isinstance(t, Period) and isinstance(a, Period):
        met = a.every == t.every or None
    elif isinstance(a, Qualitative):
        met = qualitative_met(Qualitative("按时"), a) or a.text == str(ind.target).replace(" ", "") or None
    if met:
        return "deadline", _new(Outcome, (ind.weight, True, ZERO, reason + "，按期完成", None, False))
    return "deadline", _undecided(ind, a, settings, reason)


def _custom(row: ParsedIndicator, t: Value | None, a: Value) -> tuple[str, Outcome]:
    ind, rule = row.indicator, row.rule
    if not isinstance(a, Quantity):
        raise _RowError("actual", f"三级指标“{ind.level3}”使用自定义评分规则，实际完成值“{ind.actual}”应为数值",
                        "请填写数值，例如 90% 或 150 人")
    tq = t if isinstance(t, Quantity) else None
    if tq is not None:
        a = _compatible(tq, a, ind)
    if isinstance(rule, CompiledBands):
        return "bands", rules.bands(ind.weight, rule.rule, rule.conditions, a, tq)
    if tq is None:
        raise _RowError("target", f"三级指标“{ind.level3}”的评分规则需要数值型年度指标值，实际为“{ind.target}”",
                        "请填写数值型年度指标值，如 ≤10%")
    if isinstance(rule, DeductionRule):
        return "deduction", rules.deduction(ind.weight, rule, tq, a)
    if isinstance(rule, RuleProblem):  # a formula that cannot be compiled
        _raise(rule)
    return "formula", rules.formula(ind.weight, rule, tq, a)


_NAMED_RULES = frozenset((*rules.VALUE_RULES, *rules.QUANTITATIVE_RULES))


def _outcome(row: ParsedIndicator, t: Value | None, a: Value, settings: Settings,
             year: int) -> tuple[str, Outcome]:
    ind, rule = row.indicator, row.rule
    if isinstance(rule, RuleProblem) and not isinstance(rule.error, FormulaError):
        _raise(rule)  # an unknown rule name
    if rule is not None and not (isinstance(rule, str) and rule in _NAMED_RULES):
        return _custom(row, t, a)
    name = rule if isinstance(rule, str) and rule in rules.QUANTITATIVE_RULES else None
    if name and not (isinstance(t, Quantity) and isinstance(a, Quantity)):
        raise _RowError("rule", f"三级指标“{ind.level3}”的评分规则 {name} 需要数值型年度指标值和实际完成值",
                        "请改用适合定性指标的规则，或填写数值")
    if t is None:
        if ind.score is not None:  # a table that prints no target for a judged row (宁夏, 安徽 prints)
            return "judged", _judged(ind, settings, None, None)
        raise _RowError("target", f"三级指标“{ind.level3}”缺少年度指标值", "请填写年度指标值；不适用的指标填“/”")
    if isinstance(t, Quantity):
        chosen, outcome = _auto_quantitative(ind, t, a, settings, name)
        if ind.score is not None:
            return "judged", _judged(ind, settings, None, outcome)
        return chosen, outcome
    if isinstance(t, (Deadline, Period)):
        return _deadline(ind, t, a, settings, year)
    if isinstance(t, DateValue):
        return _deadline(ind, Deadline(t.date.year, t.date.month, t.date.day, t.text), a, settings, year)
    return _qualitative(ind, t, a, settings)


def score_indicator(
    row: ParsedIndicator, settings: Settings, rounding: Rounding, year: int,
    locate: Locate = _nowhere,
) -> tuple[IndicatorResult, list[Issue]]:
    """Score one parsed 三级指标 row.

    Returns:
        The result, and the problems found in this row (an unscorable row has
        status ``error`` and score None).
    """
    issues: list[Issue] = []
    return _score_row(row, row.indicator.__dict__, _Context(settings, rounding, year), locate, issues), issues


class _Context:
    """What every row of one evaluation is scored with, looked up once per evaluation."""

    __slots__ = ("settings", "year", "quant", "mode", "penalty", "zero_when_met", "reverse_rule")

    def __init__(self, settings: Settings, rounding: Rounding, year: int):
        self.settings, self.year = settings, year
        self.quant, self.mode = _QUANTS[rounding.precision], _ROUNDING[rounding.mode]
        self.penalty = settings.deviation_penalty
        self.zero_when_met = settings.deviation_when_met == "zero"
        self.reverse_rule = settings.reverse_rule


# The per-row path reads an indicator's fields from its `__dict__` (where pydantic keeps
# them), `fields`: an attribute of a pydantic model goes through its `__getattr__` hook,
# several times the cost of a dictionary look-up, and scoring reads a dozen per row.


def _score_row(row: ParsedIndicator, fields: dict, ctx: _Context, locate: Locate,
               issues: list[Issue]) -> IndicatorResult:
    """`score_indicator`, with the row's problems added to `issues`."""
    ind, index, t, a, rule = row
    if fields["breakdown"]:
        return _row(fields, index, None, None, "breakdown", "breakdown", "其中项，只列示，不计分")
    try:
        if t.__class__ is Quantity and a.__class__ is Quantity and rule is None and fields["score"] is None:
            # the common row, numbers on both sides, no rule and no judged score: what
            # `_outcome` and `_auto_quantitative` do for it, without the checks that cannot
            # apply (a change to how `_outcome` chooses a rule changes these paths too)
            tu, au = t.unit, a.unit
            if au == "%" and tu != "%" and tu != "":
                chosen = "completion_rate"
            else:
                if au != tu or not au:
                    a = _compatible(t, a, ind)
                op = t.op
                chosen = ctx.reverse_rule if op == "<=" or op == "<" else "equality" if op == "=" else "positive_ratio"
            return _finish(fields, index, chosen, _QUANTITATIVE[chosen](fields["weight"], t, a), ctx)
        settings = ctx.settings
        if rule is None and fields["score"] is None and a.__class__ in _READ_VALUES:
            tc = t.__class__  # likewise a worded target, or a deadline, against a value that was read
            if tc is Qualitative:
                rule_name, outcome = _qualitative(ind, t, a, settings)
                return _finish(fields, index, rule_name, outcome, ctx)
            if tc is Deadline or tc is Period:
                rule_name, outcome = _deadline(ind, t, a, settings, ctx.year)
                return _finish(fields, index, rule_name, outcome, ctx)
        t = _readable(ind, "target", t)
        a = _readable(ind, "actual", a)
        if isinstance(t, NotApplicable) or isinstance(a, NotApplicable):
            return _row(fields, index, None, None, "not_applicable", "not_applicable", "本年度不适用，不计分")
        if a is None:
            if fields["score"] is not None:
                return _finish(fields, index, "judged", _judged(ind, settings, None, None), ctx)
            raise _RowError("actual", f"三级指标“{ind.level3}”缺少实际完成值",
                            "请填写实际完成值；不适用的指标填“/”")
        rule_name, outcome = _outcome(row, t, a, settings, ctx.year)
        if fields["score"] is not None and not outcome.judged and outcome.score != fields["score"]:
            rule_name, outcome = "judged", _judged(ind, settings, _level_of(a, settings, outcome.met), None)
        return _finish(fields, index, rule_name, outcome, ctx)
    except _RowError as exc:
        issue = Issue(locate(row.path(exc.field)), exc.message, exc.hint)
    except (RuleError, FormulaError) as exc:
        issue = Issue(locate(row.path("rule")), f"三级指标“{ind.level3}”的评分规则：{exc}",
                      _rule_hint(exc))
    issues.append(issue)
    return _row(fields, index, None, None, "error", "", issue.message)


_QUANTITATIVE = rules.QUANTITATIVE_RULES
# Values an actual can be read as that neither stop the row nor make it not applicable.
_READ_VALUES = frozenset((Quantity, Deadline, Period, DateValue, Judgement, Qualitative))


def _rule_hint(exc: Exception) -> str:
    from scoring.core.formulas import HELP

    return HELP if isinstance(exc, FormulaError) else "见文档 scoring.md 的“评分规则”一节（jixiao docs 显示文档位置）"


def _finish(fields: dict, index: int, rule_name: str, outcome: Outcome, ctx: _Context) -> IndicatorResult:
    weight = fields["weight"]
    raw, met, dev, reason, expr, judged = outcome
    note = ""
    if raw > weight:
        raw, note = weight, f"（封顶 {plain(weight)}）"
    elif raw < ZERO:
        raw, note = ZERO, "（最低 0 分）"
    penalty = ctx.penalty
    penalised = (penalty is not None and rule_name in _PENALISED and dev is not None
                 and dev >= penalty.threshold and raw > 0)
    if penalised:
        cut = min(raw, penalty.points)
        raw -= cut
        note += f"（指标偏离：超出年度指标值 {fixed(quantize(dev, 2))}%，达到 {plain(penalty.threshold)}%，扣 {plain(cut)} 分）"
    score = raw.quantize(ctx.quant, ctx.mode)
    if score > weight:  # a weight of 2.5 rounded to 0 decimals must not print 3
        score = weight
    if met and ctx.zero_when_met and not penalised:
        dev = ZERO_DEVIATION  # a penalised row shows the deviation it was penalised for
    elif dev is not None:
        dev = dev.quantize(_CENT, ROUND_HALF_UP)
    status = "judged" if judged else ("met" if met else "missed")
    return _new(IndicatorResult, (index, fields["level1"], fields["level2"], fields["level3"],
                                  fields["target"] or "", fields["actual"] or "", weight, score, dev, status,
                                  rule_name, reason, expr, note))


# Rows the 指标偏离 penalty applies to: quantitative targets where more is better.
_PENALISED = frozenset(("positive_ratio", "equality", "completion_rate"))
_QUANTS = {p: Decimal(1).scaleb(-p) for p in range(0, 3)}
_ROUNDING = {"half_up": ROUND_HALF_UP, "floor": ROUND_FLOOR}
_CENT = _QUANTS[2]
ZERO_DEVIATION = Decimal("0.00")
_new = tuple.__new__  # a NamedTuple built without its Python-level __new__


def _row(fields: dict, index: int, score, dev, status: str, rule: str, reason: str) -> IndicatorResult:
    return _new(IndicatorResult, (index, fields["level1"], fields["level2"], fields["level3"], fields["target"] or "",
                                  fields["actual"] or "", fields["weight"], score, dev, status, rule, reason, None, ""))


# ----------------------------------------------------------------- totals


def grade_of(total: Decimal, settings: Settings) -> str:
    for band in settings.grades:
        if total >= band.min:
            return band.grade
    return settings.grades[-1].grade


def score_evaluation(parsed: ParsedEvaluation, locate: Locate = _nowhere) -> EvaluationResult:
    """Score every row, the funds block and the total; collect every problem."""
    ev = parsed.evaluation
    issues: list[Issue] = []
    settings, rounding = ev.settings, ev.rounding
    funding = None
    weight_total = ZERO
    total = ZERO
    if ev.funding is not None:
        funding, found = score_funding(ev.funding, rounding, locate, settings.funding_rate_base)
        issues += found
        weight_total += funding.weight
        total += funding.score or ZERO
    fm, found = score_funds_management(ev, locate)
    issues += found
    for row in fm:
        weight_total += row.weight
        total += row.score or ZERO
    rows = []
    na_weight = ZERO
    ctx = _Context(settings, rounding, ev.year)
    for row in parsed.indicators:
        fields = row[0].__dict__
        result = _score_row(row, fields, ctx, locate, issues)
        rows.append(result)
        if fields["breakdown"]:  # a 其中 row: shown, never weighed or scored, even when a 分值 is printed
            continue
        weight = fields["weight"]
        weight_total += weight
        if result.status == "not_applicable":
            na_weight += weight
        elif result.score is not None:
            total += result.score
    final: Decimal | None = None
    grade, note = None, ""
    if not any(i.severity == "error" for i in issues):
        final = total
        if settings.not_applicable == "rescale" and na_weight and weight_total > na_weight:
            final = quantize(total * weight_total / (weight_total - na_weight), rounding.precision, rounding.mode)
        final, note = capped(final, funding, settings)
        grade = grade_of(final, settings)
    return EvaluationResult(final, grade, weight_total, funding, fm, tuple(rows), tuple(issues), note)
