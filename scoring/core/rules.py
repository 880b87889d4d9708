"""The scoring rules of DOMAIN.md §2, each a pure function a template or a row
can select by name.

A rule returns an `Outcome`: the raw (unrounded, unclamped) score, whether the
target was met, the raw deviation in percent, and the deduction in words. The
caller (`score.score_indicator`) clamps to [0, 分值], rounds, and finishes the
sentence with the rounded score, so that the explanation always shows the number
that is printed.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from decimal import Decimal
from functools import lru_cache
from typing import NamedTuple

from scoring.core.formulas import NAMES as FORMULA_NAMES
from scoring.core.formulas import Formula, compile_formula, evaluate
from scoring.core.model import Band, BandsRule, DeductionRule
from scoring.core.numbers import HUNDRED, ZERO, plain
from scoring.core.values import Quantity, ValueParseError, parse_value


class Outcome(NamedTuple):
    score: Decimal  # raw
    met: bool
    deviation: Decimal | None  # raw, percent
    reason: str  # "实际 85% 未达到目标 ≥90%"
    expr: str | None = None  # "20 × 85/90"; None: the score needs no working
    judged: bool = False  # the score is the evaluator's, not computed


class RuleError(ValueError):
    """A rule that cannot be applied to this row; the message says why."""


def deviation(target: Decimal, actual: Decimal) -> Decimal | None:
    """(actual − target) / target × 100, or None when the target is 0."""
    if target == 0:
        return None
    return (actual - target) / target * HUNDRED


def is_met(op: str | None, target: Decimal, actual: Decimal) -> bool:
    """Met test for a quantitative target.

    ``>`` and ``<`` count as met at equality: seed 001 scores five ``>90%`` rows
    with actual ``90%`` as met.
    """
    if op in ("<=", "<"):
        return actual <= target
    if op == "=":
        return actual == target
    return actual >= target


def _met(weight: Decimal, t: Quantity, a: Quantity, dev: Decimal | None) -> Outcome:
    return _new(Outcome, (weight, True, dev, f"实际 {a.text.strip()} 达到目标 {t.text.strip()}", None, False))


_new = tuple.__new__  # an Outcome built without its Python-level __new__: one per scored row


# ----------------------------------------------------------- quantitative


def positive_ratio(weight: Decimal, t: Quantity, a: Quantity) -> Outcome:
    """≥, >, 不低于, bare values, and = (DOMAIN §2: "otherwise scored like a
    positive indicator"): reaching the target → 分值; short of it → 分值 × actual/target.
    Over-achievement is never rewarded nor punished."""
    tn, an = t.number, a.number
    dev = (an - tn) / tn * HUNDRED if tn else None  # `deviation`, inlined
    if an >= tn:
        return _met(weight, t, a, dev)
    raw = weight * an / tn if tn else ZERO
    return _new(Outcome, (raw, False, dev, f"实际 {a.text.strip()} 未达到目标 {t.text.strip()}",
                          f"{plain(weight)} × {plain(an)}/{plain(tn)}", False))


def reverse_ratio(weight: Decimal, t: Quantity, a: Quantity) -> Outcome:
    """≤, <, 不超过 targets: missed → 分值 × target/actual."""
    tn, an = t.number, a.number
    dev = (an - tn) / tn * HUNDRED if tn else None  # `deviation`, inlined
    if is_met(t.op, tn, an):
        return _met(weight, t, a, dev)
    if an == 0:  # no ratio to take (a reverse rule named for a target it does not fit, an actual of 0)
        return Outcome(ZERO, False, dev, f"实际 {a.text.strip()} 未达到目标 {t.text.strip()}（无法按 目标/实际 的比例计分）")
    return _new(Outcome, (weight * tn / an, False, dev, f"实际 {a.text.strip()} 超出目标 {t.text.strip()}",
                          f"{plain(weight)} × {plain(tn)}/{plain(an)}", False))


def reverse_linear(weight: Decimal, t: Quantity, a: Quantity) -> Outcome:
    """≤ targets, linear penalty: 分值 × (1 − (actual − target)/target), 0 at twice the target."""
    dev = deviation(t.number, a.number)
    if is_met(t.op, t.number, a.number):
        return _met(weight, t, a, dev)
    reason = f"实际 {a.text.strip()} 超出目标 {t.text.strip()}"
    if t.number == 0:
        return Outcome(ZERO, False, dev, reason + "（目标为 0，超出即不得分）")
    raw = weight * (1 - (a.number - t.number) / t.number)
    return Outcome(raw, False, dev, reason,
                   f"{plain(weight)} × (1 − ({plain(a.number)} − {plain(t.number)})/{plain(t.number)})")


def completion_rate(weight: Decimal, t: Quantity, a: Quantity) -> Outcome:
    """An amount target (``2 万元``) with a percent actual (``24%``): the percent is a
    completion rate against 100%: 分值 × 24% = 2.4, deviation −76.00."""
    rate = a.number
    dev = rate - HUNDRED
    if rate >= HUNDRED:
        return _new(Outcome, (weight, True, dev, f"目标 {t.text.strip()}，完成率 {a.text.strip()}", None, False))
    return _new(Outcome, (weight * rate / HUNDRED, False, dev, f"目标 {t.text.strip()}，完成率 {a.text.strip()}",
                          f"{plain(weight)} × {plain(rate)}%", False))


QUANTITATIVE_RULES = {
    "positive_ratio": positive_ratio,
    "equality": positive_ratio,  # named apart so a table shows which kind of target it was
    "reverse_ratio": reverse_ratio,
    "reverse_linear": reverse_linear,
    "completion_rate": completion_rate,
}
# Rules chosen from the kind of value rather than by arithmetic.
VALUE_RULES = ("qualitative", "deadline", "judged")
RULE_NAMES = tuple(QUANTITATIVE_RULES) + VALUE_RULES + ("bands", "deduction", "formula")


# ----------------------------------------------------- bands and deductions


@lru_cache(maxsize=4096)
def band_condition(text: str) -> Quantity:
    """A band's ``when`` in the value language: ``=0``, ``≤10%``, ``>30%``."""
    try:
        value = parse_value(text)
    except ValueParseError as exc:
        raise RuleError(f"评分档条件{exc}") from None
    if not isinstance(value, Quantity):
        raise RuleError(f"评分档条件“{text}”应为比较式，如 ≤10%、>30%、=0")
    return value


def holds(condition: Quantity, number: Decimal) -> bool:
    """Strict comparison, as band tables mean it (``>30%`` excludes 30)."""
    op, limit = condition.op, condition.number
    if op == ">=":
        return number >= limit
    if op == ">":
        return number > limit
    if op == "<=":
        return number <= limit
    if op == "<":
        return number < limit
    return number == limit  # "=" or a bare number


def bands(weight: Decimal, rule: BandsRule, conditions: Sequence[Quantity | RuleError], a: Quantity,
          t: Quantity | None) -> Outcome:
    """评分标准 band table: the first band whose condition holds gives the score.

    `conditions` are the bands' conditions as parsed (`band_condition`); a condition
    that could not be read is its `RuleError`, raised only when this band is reached.
    """
    dev = deviation(t.number, a.number) if t is not None else None
    band: Band
    for band, condition in zip(rule.bands, conditions, strict=True):
        if isinstance(condition, RuleError):
            raise RuleError(str(condition))
        if condition.unit and a.unit and condition.unit != a.unit:
            raise RuleError(f"评分档条件“{band.when}”的单位与实际完成值“{a.text}”不一致")
        if holds(condition, a.number):
            return Outcome(band.score, band.score >= weight, dev,
                           f"实际 {a.text.strip()} 属于“{band.when}”档，得 {plain(band.score)} 分")
    return Outcome(rule.otherwise, rule.otherwise >= weight, dev,
                   f"实际 {a.text.strip()} 不属于任何评分档，得 {plain(rule.otherwise)} 分")


def deduction(weight: Decimal, rule: DeductionRule, t: Quantity, a: Quantity) -> Outcome:
    """Each `per` units beyond the target deduct `deduct` points, down to 0 (扣完为止)."""
    dev = deviation(t.number, a.number)
    if t.op in ("<=", "<"):
        gap = a.number - t.number
    else:
        gap = t.number - a.number
    if gap <= 0:
        return _met(weight, t, a, dev)
    steps = gap / rule.per
    if rule.whole_steps:
        steps = Decimal(math.ceil(steps))
    points = steps * rule.deduct
    reason = (f"实际 {a.text.strip()} 与目标 {t.text.strip()} 相差 {plain(gap)}{a.unit or t.unit}，"
              f"每 {plain(rule.per)} 扣 {plain(rule.deduct)} 分，扣完为止")
    return Outcome(weight - points, False, dev, reason, f"{plain(weight)} − {plain(points)}")


# ---------------------------------------------------------------- formulas


@lru_cache(maxsize=4096)
def formula_of(text: str) -> Formula:
    return compile_formula(text)


def formula(weight: Decimal, compiled: Formula, t: Quantity | None, a: Quantity) -> Outcome:
    """A custom formula over actual, target, weight and ratio."""
    names = {"actual": a.number, "weight": weight}
    if t is not None:
        names["target"] = t.number
        if t.number != 0:
            names["ratio"] = a.number / t.number
    raw = evaluate(compiled, names)
    dev = deviation(t.number, a.number) if t is not None else None
    met = raw >= weight
    if t is not None and is_met(t.op, t.number, a.number):
        met = True
    return Outcome(raw, met, dev, f"按公式 {compiled.text} 计算", None)


def classify_rule(text: str) -> str:
    """A rule given as text is a rule name or a formula.

    Raises:
        RuleError: a bare word that is neither a rule name nor a formula name,
            with the closest rule names.
    """
    if text in RULE_NAMES:
        return text
    if text.isidentifier() and text not in FORMULA_NAMES:
        import difflib  # a mistyped rule name only: `jixiao score` starts without it

        close = difflib.get_close_matches(text, RULE_NAMES, n=2)
        hint = f"，是否想写 {'、'.join(close)}？" if close else ""
        raise RuleError(f"未知的评分规则“{text}”{hint}可用规则：{'、'.join(RULE_NAMES)}，或一个公式")
    return "formula"
