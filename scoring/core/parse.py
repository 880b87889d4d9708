"""Parsing, the stage between loading and scoring: every target, actual and rule of an
evaluation is read once into typed values.

A loaded `Evaluation` keeps targets and actuals as the text people typed (``≥90%``,
``2 万元``, ``年底前``) and rules as names, formulas or band tables. `parse_evaluation`
reads each of them once, right after loading, into a `ParsedIndicator` per row:
the typed `values.Value` of its target and actual, and its rule compiled (a rule
name checked, a formula parsed into its syntax tree, each band condition read).
Scoring (`score.py`) and the cross-checks (`validate.py`) take these typed values
only; neither parses text again.

Each typed value keeps its text (the `Value` records carry it, and the row keeps
the `Indicator` it was read from) and its location: the key path
``indicators[i].target``, which the source map of the file turns into a line and
column or a sheet and cell when a problem is reported.

Text that cannot be read is not an exception here but a value, `Unreadable` or
`RuleProblem`, holding the message. Scoring reports it where today's rules need
it: an unreadable target or actual makes its row an error; a rule that cannot be
compiled, or a band condition that cannot be read, is an error only when the row
is scored by it (a not-applicable row, a row without an actual but with a judged
score, and the bands before the one that holds keep being scored as before).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import NamedTuple

from scoring.core.formulas import Formula, FormulaError
from scoring.core.model import BandsRule, DeductionRule, Evaluation, Indicator
from scoring.core.rules import RuleError, band_condition, classify_rule, formula_of
from scoring.core.values import Quantity, Value, ValueParseError, parse_actual, parse_value


@dataclass(frozen=True, slots=True)
class Unreadable:
    """A target or an actual that starts like a number or a date but is not one."""

    text: str  # as typed
    problem: str  # “≥abc”不是可识别的数值


@dataclass(frozen=True, slots=True)
class RuleProblem:
    """A rule that cannot be applied as written; raised when the row is scored by it."""

    error: ValueError  # a rules.RuleError or a formulas.FormulaError


@dataclass(frozen=True, slots=True)
class CompiledBands:
    """A band table with each condition read: a `Quantity`, or the `RuleError` saying why
    it cannot be read, raised only if scoring reaches that band."""

    rule: BandsRule
    conditions: tuple[Quantity | RuleError, ...]


# What a row's rule becomes: a rule name (positive_ratio, qualitative …), a parsed
# formula, a band table, a deduction, or the problem that stops it.
CompiledRule = str | Formula | CompiledBands | DeductionRule | RuleProblem
Parsed = Value | Unreadable | None  # None: the cell or key was left empty


class ParsedIndicator(NamedTuple):
    """One 三级指标 row, its target, actual and rule read once. A NamedTuple, as the
    results are: one is built per row, and a frozen dataclass costs more to build."""

    indicator: Indicator
    index: int  # position in the evaluation's indicator list
    target: Parsed
    actual: Parsed
    rule: CompiledRule | None

    def path(self, field: str) -> str:
        """The key path of one of the row's fields: where its source map finds it."""
        return f"indicators[{self.index}].{field}"


@dataclass(frozen=True, slots=True)
class ParsedEvaluation:
    """An evaluation with every row parsed: what scoring and the cross-checks take."""

    evaluation: Evaluation
    indicators: tuple[ParsedIndicator, ...]


def parse_text(text: str | None, parse=parse_value) -> Parsed:
    """One target or actual as typed: its value, `Unreadable`, or None when empty.
    Actuals are read by `values.parse_actual` (an operator printed in one is dropped)."""
    if text is None or text == "":
        return None
    try:
        return parse(text)
    except ValueParseError as exc:
        return Unreadable(text, str(exc))


def parse_indicator(ind: Indicator, index: int) -> ParsedIndicator:
    return _new(ParsedIndicator, (ind, index, _read(ind.target, _TARGETS, _parse_target),
                                  _read(ind.actual, _ACTUALS, _parse_actual),
                                  None if ind.rule is None else compile_rule(ind.rule)))


def parse_evaluation(ev: Evaluation) -> ParsedEvaluation:
    """Every row of an evaluation, parsed. Never raises: unreadable text becomes a value."""
    targets, actuals = _TARGETS, _ACTUALS
    rows = []
    append = rows.append
    for index, ind in enumerate(ev.indicators):
        # the two look-ups inlined: a batch parses each distinct text once, and the rest of
        # its rows cost a dictionary look-up each (the same as `parse_text`, cached); the
        # fields are read from the model's __dict__, past pydantic's attribute hook
        fields = ind.__dict__
        text = fields["target"]
        target = targets.get(text) if text else None
        if target is None and text:
            target = _read(text, targets, _parse_target)
        text = fields["actual"]
        actual = actuals.get(text) if text else None
        if actual is None and text:
            actual = _read(text, actuals, _parse_actual)
        rule = fields["rule"]
        append(_new(ParsedIndicator, (ind, index, target, actual, None if rule is None else compile_rule(rule))))
    return ParsedEvaluation(ev, tuple(rows))


_new = tuple.__new__  # a NamedTuple built without its Python-level __new__

# What each distinct target and actual text was read as (a value or `Unreadable`). Sized for
# a batch: 10,000 evaluations of 20 rows type about 70,000 distinct texts; past the bound
# the cache starts afresh rather than evicting one by one.
_TARGETS: dict[str, Parsed] = {}
_ACTUALS: dict[str, Parsed] = {}
CACHE_SIZE = 1 << 17
# the parsers behind values' own caches: a text read here is kept here only
_parse_target, _parse_actual = parse_value.__wrapped__, parse_actual.__wrapped__


def _read(text: str | None, cache: dict[str, Parsed], parse) -> Parsed:
    if not text:
        return None
    value = cache.get(text)
    if value is None:
        if len(cache) >= CACHE_SIZE:
            cache.clear()
        value = cache[text] = parse_text(text, parse)
    return value


def clear_caches() -> None:
    """Forget every text read so far (benchmarks start cold)."""
    _TARGETS.clear()
    _ACTUALS.clear()
    parse_value.cache_clear()
    parse_actual.cache_clear()


def compile_rule(rule: str | BandsRule | DeductionRule) -> CompiledRule:
    """A row's rule as scoring applies it; a rule that cannot be compiled becomes a `RuleProblem`."""
    if isinstance(rule, DeductionRule):
        return rule
    if isinstance(rule, BandsRule):
        conditions: list[Quantity | RuleError] = []
        for band in rule.bands:
            try:
                conditions.append(band_condition(band.when))
            except RuleError as exc:
                conditions.append(exc)
        return CompiledBands(rule, tuple(conditions))
    try:
        name = classify_rule(rule)
        if name in _SPELLED_OUT:
            raise RuleError(f"“{rule}”{_SPELLED_OUT[name]}")
        return formula_of(rule) if name == "formula" else name
    except (RuleError, FormulaError) as exc:
        return RuleProblem(exc)


# Kinds of rule that a bare name cannot express: the rule must be written out.
_SPELLED_OUT = {
    "bands": "是评分档表的类别，需写成评分档表：rule: {bands: [{when: ≤10%, score: 2}, …]}",
    "deduction": "是扣分规则的类别，需写成扣分规则：rule: {deduct: 1, per: 1}",
}
