"""The official table as the evaluation templates draw it: each reviewable row with its
score before and after the review and the difference, and the indicators with the
row spans of their merged 一级指标 and 二级指标 cells.

`table_view` is the context both the whole evaluation page and each htmx update
render from, so the two never disagree about a number.
"""

from __future__ import annotations

from decimal import Decimal

from scoring.core.results import EvaluationResult
from scoring.web.catalog import Entry
from scoring.web.reviewing import Outcome, Row, rows_of


def table_view(entry: Entry, outcome: Outcome, form: dict[str, str]) -> dict:
    """What the templates need: the rows with their merges, before and after."""
    ev, before, after = entry.evaluation, entry.result, outcome.after
    rows = [_row(row, after) for row in rows_of(entry)]
    by_key = {r["row"].key: r for r in rows}
    total_after = after.total if after is not None and after.total is not None else outcome.provisional_total
    total_difference = total_after - before.total if total_after is not None and before.total is not None else None
    return {"entry": entry, "ev": ev, "before": before, "after": after, "outcome": outcome, "form": form,
            "rows": rows, "by_key": by_key, "indicators": _indicators(entry, by_key),
            "total_difference": total_difference,
            "saved": None, "notice": "", "reviews": None, "attempt": None}


def _row(row: Row, after: EvaluationResult | None) -> dict:
    """One reviewable row: its score after the review and the change from before."""
    score_after = _score_after(row, after)
    difference = score_after - row.score if score_after is not None and row.score is not None else None
    return {"row": row, "after": score_after, "difference": difference}


def _score_after(row: Row, after: EvaluationResult | None) -> Decimal | None:
    if row.kind == "funding":
        return after.funding.score if after is not None and after.funding else None
    if row.kind == "funds_management":
        return after.funds_management[row.index].score if after is not None else None
    return after.indicators[row.index].score if after is not None else None


def _indicators(entry: Entry, by_key: dict[str, dict]) -> list[dict]:
    """The indicators in order; the first of each run of equal 一级/二级指标 carries the
    run's length as its span (the others 0), for the merged cells."""
    ev, before = entry.evaluation, entry.result
    indicators: list[dict] = []
    run1 = run2 = None  # the first item of the current run of equal 一级 (二级) 指标
    previous = None
    for k, (ind, res) in enumerate(zip(ev.indicators, before.indicators)):
        first1 = previous is None or previous.level1 != ind.level1
        first2 = first1 or previous.level2 != ind.level2
        item = {"ind": ind, "res": res, "view": by_key[f"i{k}"], "first1": first1, "first2": first2,
                "span1": 0, "span2": 0}
        if first1:
            run1 = item
        if first2:
            run2 = item
        run1["span1"] += 1
        run2["span2"] += 1
        indicators.append(item)
        previous = ind
    return indicators
