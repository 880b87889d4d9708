"""Result records: what scoring produces. Frozen dataclasses, changed only by
`dataclasses.replace`. Every number is a `Decimal`, already rounded to the
evaluation's precision where the tables print it."""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal

from .issues import Issue


@dataclass(frozen=True, slots=True)
class IndicatorResult:
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
    explanation: str  # the deduction in words


@dataclass(frozen=True, slots=True)
class SourceResult:
    name: str
    execution_rate: Decimal | None  # percent, 2 decimals


@dataclass(frozen=True, slots=True)
class FundingResult:
    weight: Decimal
    execution_rate: Decimal | None  # percent, 2 decimals
    score: Decimal | None
    explanation: str
    sources: tuple[SourceResult, ...] = ()


@dataclass(frozen=True, slots=True)
class FundsManagementResult:
    name: str
    weight: Decimal
    score: Decimal | None


@dataclass(frozen=True, slots=True)
class EvaluationResult:
    total: Decimal | None  # None when errors leave rows unscored
    grade: str | None
    weight_total: Decimal
    funding: FundingResult | None
    funds_management: tuple[FundsManagementResult, ...]
    indicators: tuple[IndicatorResult, ...]
    issues: tuple[Issue, ...]

    @property
    def ok(self) -> bool:
        return not any(i.severity == "error" for i in self.issues)
