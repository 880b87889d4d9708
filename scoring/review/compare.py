"""Comparing an evaluation with its review: row by row, before and after, beside the
printed score; and the ranking of many evaluations before and after review."""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal

from scoring.core.issues import Issue
from scoring.core.model import Evaluation
from scoring.core.results import EvaluationResult
from scoring.pipeline import score
from scoring.review.records import Review
from scoring.review.rescore import ReviewLocator
from scoring.sources.loader import SourceMap


@dataclass(frozen=True)
class ComparedRow:
    label: str  # 一级 / 二级 / 三级, or 资金管理情况 / 安排科学性
    level1: str
    level2: str
    level3: str
    weight_before: Decimal | None
    weight_after: Decimal | None
    score_before: Decimal | None
    score_after: Decimal | None
    printed: Decimal | None  # the score printed on the submitted table
    comment: str

    @property
    def difference(self) -> Decimal | None:
        if self.score_before is None or self.score_after is None:
            return None
        return self.score_after - self.score_before


@dataclass(frozen=True)
class Comparison:
    title: str
    reviewer: str
    review_date: str
    rows: tuple[ComparedRow, ...]
    before: EvaluationResult
    after: EvaluationResult
    printed_total: Decimal | None
    printed_narrative_total: Decimal | None
    issues: tuple[Issue, ...]
    overall: str = ""  # the reviewer's 总体意见 (the review's comment)


def compare(ev: Evaluation, reviewed: Evaluation | None, review: Review | None,
            source: SourceMap | None = None, locator: ReviewLocator | None = None) -> Comparison:
    """Row by row: original weight and score against the reviewed ones, and the printed score."""
    before = score(ev, source)
    after = score(reviewed, locator or source) if reviewed is not None else before
    comments = {}
    if review is not None:
        for c in review.changes:
            comments[("fm", c.funds_management) if c.funds_management else (c.level1, c.level2, c.level3)] = c.comment
    rows = []
    if ev.funding is not None and before.funding is not None:
        rows.append(ComparedRow("预算执行率", "预算执行率", "", ev.funding.label, before.funding.weight,
                                after.funding.weight if after.funding else None, before.funding.score,
                                after.funding.score if after.funding else None, ev.funding.printed_score,
                                review.funding_comment if review else ""))
    for m, mb, ma in zip(ev.funds_management, before.funds_management, after.funds_management):
        rows.append(ComparedRow(f"资金管理情况 / {m.name}", "资金管理情况", "", m.name, mb.weight, ma.weight,
                                mb.score, ma.score, None, comments.get(("fm", m.name), "")))
    for ind, rb, ra in zip(ev.indicators, before.indicators, after.indicators):
        comment = next((v for (l1, l2, l3), v in ((k, v) for k, v in comments.items() if k[0] != "fm")
                        if l3 == ind.level3 and l1 in ("", ind.level1) and l2 in ("", ind.level2)), "")
        rows.append(ComparedRow(f"{ind.level1} / {ind.level2} / {ind.level3}", ind.level1, ind.level2, ind.level3,
                                rb.weight, ra.weight, rb.score, ra.score, ind.printed_score, comment))
    return Comparison(ev.title, review.reviewer if review else "", review.date.isoformat() if review else "",
                      tuple(rows), before, after, ev.printed_total, ev.printed_narrative_total,
                      tuple(after.issues), review.comment if review else "")


def ranking(comparisons: list[Comparison]) -> list[tuple[str, Decimal | None, int | None, Decimal | None, int | None]]:
    """(title, total before, rank before, total after, rank after), by rank after."""
    def ranks(totals: list[Decimal | None]) -> list[int | None]:
        order = sorted((t for t in totals if t is not None), reverse=True)
        return [None if t is None else order.index(t) + 1 for t in totals]  # ties share a rank

    before = [c.before.total for c in comparisons]
    after = [c.after.total for c in comparisons]
    rows = list(zip([c.title for c in comparisons], before, ranks(before), after, ranks(after)))
    return sorted(rows, key=lambda r: (r[4] is None, r[4] or 0))
