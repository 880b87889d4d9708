"""Applying a review: the original evaluation with the reviewer's weights and judged
scores, a new record that the same engine scores again; the original is untouched."""

from __future__ import annotations

from scoring.core.issues import Issue
from scoring.core.model import Evaluation
from scoring.core.numbers import HUNDRED, ZERO, plain
from scoring.core.parse import parse_indicator
from scoring.core.score import score_indicator
from scoring.review.records import Review, content_hash, is_judged
from scoring.sources.loader import SourceMap


class ReviewLocator:
    """Locates problems of a reviewed evaluation: rows the review changed point at
    the review's cells, everything else at the evaluation file."""

    def __init__(self, evaluation_source, review_source, changed: dict[str, int]):
        self.evaluation_source, self.review_source, self.changed = evaluation_source, review_source, changed

    def locate(self, path: str):
        for prefix, k in self.changed.items():
            if path == prefix or path.startswith(prefix + "."):
                field = path[len(prefix) + 1:] if path != prefix else ""
                field = field if field in ("weight", "score") else "level3"
                return self.review_source.locate(f"changes[{k}].{field}")
        return self.evaluation_source.locate(path)


def apply_review(ev: Evaluation, review: Review, source=None, force: bool = False,
                 evaluation_source=None) -> tuple[Evaluation | None, list[Issue], ReviewLocator | None]:
    """The reviewed evaluation: the original with the reviewer's weights and scores.

    Every problem is returned at once (stale input, rows that do not exist,
    scores given for computed rows, weights not summing to 100); judged scores
    outside their bands are found by the engine when the result is scored with
    the returned locator, which points the rows the review changed at its cells.
    """
    locate = (source or SourceMap("")).locate
    issues: list[Issue] = []
    if review.input_hash != content_hash(ev):
        issue = Issue(locate("input_hash"), f"复核记录对应的评价内容已改变（复核记录为“{review.evaluation}”所作）",
                      "原评价文件在复核后被修改过；请基于当前文件重新复核，或确认后用 --force 强制应用",
                      "warning" if force else "error")
        issues.append(issue)
        if not force:
            return None, issues, None
    indicators = list(ev.indicators)
    fm = list(ev.funds_management)
    changed: dict[str, int] = {}
    for k, change in enumerate(review.changes):
        where = f"changes[{k}]"
        if change.funds_management:
            found = [i for i, r in enumerate(fm) if r.name == change.funds_management]
            if len(found) != 1:
                what = "没有" if not found else "有多个"
                issues.append(Issue(locate(f"{where}.funds_management"),
                                    f"资金管理情况中{what}“{change.funds_management}”",
                                    "请核对名称" if not found else "同名的行无法区分，请先在评价文件中改用不同的名称"))
                continue
            idx = found[0]
            update = {k2: getattr(change, k2) for k2 in ("weight", "score") if getattr(change, k2) is not None}
            fm[idx] = fm[idx].model_copy(update=update)
            changed[f"funds_management[{idx}]"] = k
            continue
        matches = [i for i, ind in enumerate(indicators) if ind.level3 == change.level3
                   and (not change.level1 or ind.level1 == change.level1)
                   and (not change.level2 or ind.level2 == change.level2)]
        if len(matches) != 1:
            what = "没有" if not matches else "有多个"
            issues.append(Issue(locate(f"{where}.level3"), f"评价中{what}三级指标“{change.level3}”",
                                "请核对指标名称（同名时请写明一级、二级指标）"))
            continue
        i = matches[0]
        update = {}
        if change.weight is not None:
            update["weight"] = change.weight
        if change.score is not None:
            if indicators[i].score is None and not _judged_row(ev, i):
                issues.append(Issue(locate(f"{where}.score"),
                                    f"三级指标“{change.level3}”的得分由规则计算，不能直接填写复核得分",
                                    "如认为分值不合理，请调整复核分值，并在复核意见中说明"))
                continue
            update["score"] = change.score
        indicators[i] = indicators[i].model_copy(update=update)
        changed[f"indicators[{i}]"] = k
    funding = ev.funding
    if review.funding_weight is not None and funding is not None:
        funding = funding.model_copy(update={"weight": review.funding_weight})
    reviewed = ev.model_copy(update={"indicators": tuple(indicators), "funds_management": tuple(fm),
                                     "funding": funding})
    total = (sum((i.weight for i in reviewed.indicators if not i.breakdown), ZERO)
             + sum((r.weight for r in reviewed.funds_management), ZERO))
    total += reviewed.funding.weight if reviewed.funding else ZERO
    if total != HUNDRED:
        issues.append(Issue(locate("changes"), f"复核后分值合计为 {plain(total)}，应为 100",
                            "调整分值时，请在各指标之间挪动分值，使合计仍为 100"))
    locator = ReviewLocator(evaluation_source or SourceMap(""), source or SourceMap(""), changed)
    return reviewed, issues, locator


def _judged_row(ev: Evaluation, index: int) -> bool:
    row = parse_indicator(ev.indicators[index], index)
    result, _ = score_indicator(row, ev.settings, ev.rounding, ev.year)
    return is_judged(result)
