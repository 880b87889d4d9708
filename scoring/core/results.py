"""Result records: what scoring produces. NamedTuples (immutable, changed only
by `_replace`), as beancount's directives: a frozen dataclass costs ~0.25 µs per
field to build, and scoring builds one record per row. Every number is a
`Decimal`, already rounded to the evaluation's precision where tables print it."""

from __future__ import annotations

from decimal import Decimal
from typing import NamedTuple

from scoring.core.issues import Issue
from scoring.core.numbers import plain


class IndicatorResult(NamedTuple):
    index: int  # position in the evaluation's indicator list
    level1: str
    level2: str
    level3: str
    target: str
    actual: str
    weight: Decimal
    score: Decimal | None  # None: not applicable, or not scorable (see issues)
    deviation: Decimal | None  # percent, 2 decimals; None where not defined
    status: str  # met | missed | judged | not_applicable | error
    rule: str  # the rule that produced the score
    reason: str  # "实际 85% 未达到目标 ≥90%"
    working: str | None = None  # "20 × 85/90"
    note: str = ""  # "（封顶 20）"

    @property
    def explanation(self) -> str:
        """The deduction in words, ending with the printed score.

        Built on demand: scoring a batch need not format a sentence per row.
        """
        if self.score is None:
            return self.reason
        if self.working:
            return f"{self.reason}：{self.working} = {plain(self.score)}{self.note}"
        if self.status == "met" and self.score == self.weight and not self.note:
            return f"{self.reason}：得满分 {plain(self.weight)}"
        return f"{self.reason}：得 {plain(self.score)} 分{self.note}"


class SourceResult(NamedTuple):
    name: str
    execution_rate: Decimal | None  # percent, 2 decimals


class FundingResult(NamedTuple):
    weight: Decimal
    execution_rate: Decimal | None  # percent, 2 decimals
    score: Decimal | None
    explanation: str
    sources: tuple[SourceResult, ...] = ()


class FundsManagementResult(NamedTuple):
    name: str
    weight: Decimal
    score: Decimal | None


class EvaluationResult(NamedTuple):
    total: Decimal | None  # None when errors leave rows unscored
    grade: str | None
    weight_total: Decimal
    funding: FundingResult | None
    funds_management: tuple[FundsManagementResult, ...]
    indicators: tuple[IndicatorResult, ...]
    issues: tuple[Issue, ...]
    note: str = ""  # a rule applied to the total: "预算执行率 65.00% 低于 70%，总分封顶 79 分…"

    @property
    def ok(self) -> bool:
        return not any(i.severity == "error" for i in self.issues)
