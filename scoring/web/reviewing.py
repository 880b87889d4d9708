"""The reviewer page's logic, without HTTP: form values in, a scored review out.

The page's form has one group of fields per reviewable row: ``{key}.w``
(复核分值), ``{key}.s`` (复核得分, judged rows only) and ``{key}.c`` (复核意见),
where the key is ``f`` for the funds row, ``m0, m1 …`` for 资金管理情况 rows and
``i0, i1 …`` for indicators, plus ``reviewer``, ``date``, ``comment`` and the
``input_hash`` of the evaluation the page was opened on. A blank field means
"not changed". `evaluate` turns the form into a `Review`, applies it with the
same `apply_review` and `score` as ``jixiao rescore``, and says which field
each problem belongs to, so the page can show it next to that cell.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal
from typing import Mapping

from scoring.core.issues import Issue, Location, format_issue
from scoring.core.numbers import HUNDRED, ZERO, plain
from scoring.core.parse import parse_evaluation
from scoring.core.results import EvaluationResult
from scoring.core.score import score_evaluation
from scoring.pipeline import score
from scoring.review.records import Review, ReviewChange, clean_text, parse_date, parse_number
from scoring.review.rescore import apply_review
from scoring.web.catalog import Entry

FORM_FILE = "<复核页面>"
MAX_TEXT = 2000  # characters in one comment
MAX_FIELDS = 3000  # fields in one form
WEIGHT, SCORE, COMMENT = "w", "s", "c"


class FormSource:
    """Locates a review's problems in the form: `changes[3].weight` and so on."""

    def locate(self, path: str) -> Location:
        return Location(FORM_FILE, path)


@dataclass(frozen=True)
class Row:
    """A row the reviewer may change."""

    key: str
    kind: str  # funding | funds_management | indicator
    index: int
    name: str
    weight: Decimal
    score: Decimal | None  # as computed
    given: Decimal | None  # the score the evaluator typed (judged rows), None if computed
    score_open: bool  # 复核得分 may be typed (judged rows)


def rows_of(entry: Entry) -> list[Row]:
    ev, result = entry.evaluation, entry.result
    rows = []
    if ev.funding is not None and result.funding is not None:
        rows.append(Row("f", "funding", 0, ev.funding.label, result.funding.weight, result.funding.score, None,
                        False))
    for j, (m, mr) in enumerate(zip(ev.funds_management, result.funds_management)):
        rows.append(Row(f"m{j}", "funds_management", j, m.name, mr.weight, mr.score, m.score, True))
    for k, (ind, r) in enumerate(zip(ev.indicators, result.indicators)):
        rows.append(Row(f"i{k}", "indicator", k, ind.level3, r.weight, r.score, ind.score, k in entry.judged))
    return rows


@dataclass(frozen=True)
class Group:
    """一级指标 (or the funds rows) summed before and after."""

    name: str
    weight_before: Decimal
    weight_after: Decimal | None
    score_before: Decimal | None
    score_after: Decimal | None


@dataclass
class Outcome:
    """Everything the page shows after an edit."""

    review: Review | None
    after: EvaluationResult | None
    field_errors: dict[str, str] = field(default_factory=dict)  # form field → message
    errors: list[str] = field(default_factory=list)  # problems no single field owns
    changed: dict[str, int] = field(default_factory=dict)  # row key → index in review.changes
    groups: list[Group] = field(default_factory=list)
    # While the weights do not add up to 100 the total is not valid; the page still
    # shows what it would be, marked as provisional, so a move of points can be
    # followed edit by edit.
    provisional_total: Decimal | None = None
    provisional_grade: str | None = None

    @property
    def weight_total(self) -> Decimal | None:
        return self.after.weight_total if self.after is not None else None

    @property
    def weights_ok(self) -> bool:
        return self.weight_total == HUNDRED

    @property
    def ok(self) -> bool:
        return (not self.field_errors and not self.errors and self.after is not None and self.after.ok
                and self.weights_ok and self.review is not None)


def _number(form: Mapping[str, str], name: str, label: str, errors: dict[str, str]) -> Decimal | None:
    raw = form.get(name, "")
    try:
        value = parse_number(raw)
    except ValueError:
        errors[name] = f"“{clean_text(raw)[:20]}”不是数字，请填写数字，如 8 或 7.5；不调整请留空"
        return None
    if value is None:
        return None
    if value < 0:  # parse_number reads only plain finite numbers
        errors[name] = f"{label}应为不小于 0 的数字"
        return None
    if value > HUNDRED:
        errors[name] = f"{label} {plain(value)} 超过 100"
        return None
    return value


def form_of(entry: Entry, review: Review) -> dict[str, str]:
    """The form that shows a saved review again (to continue from it)."""
    form = {"reviewer": review.reviewer, "date": review.date.isoformat(), "comment": review.comment,
            "input_hash": review.input_hash}
    if review.funding_weight is not None:
        form["f.w"] = plain(review.funding_weight)
    if review.funding_comment:
        form[f"f.{COMMENT}"] = review.funding_comment
    ev = entry.evaluation
    for change in review.changes:
        if change.funds_management:
            key = next((f"m{j}" for j, m in enumerate(ev.funds_management) if m.name == change.funds_management),
                       None)
        else:
            key = next((f"i{k}" for k, ind in enumerate(ev.indicators) if ind.level3 == change.level3
                        and change.level1 in ("", ind.level1) and change.level2 in ("", ind.level2)), None)
        if key is None:
            continue
        for suffix, value in ((WEIGHT, change.weight), (SCORE, change.score)):
            if value is not None:
                form[f"{key}.{suffix}"] = plain(value)
        if change.comment:
            form[f"{key}.{COMMENT}"] = change.comment
    return form


def evaluate(entry: Entry, form: Mapping[str, str], saving: bool = False,
             today: date | None = None) -> Outcome:
    """Apply what the form says to the entry's evaluation and score the result.

    With ``saving``, the reviewer and the date are required too.
    """
    ev = entry.evaluation
    field_errors: dict[str, str] = {}
    errors: list[str] = []
    if len(form) > MAX_FIELDS:
        return Outcome(None, None, errors=[f"表单字段过多（{len(form)} 个），请刷新页面后重试"],
                       groups=groups(entry, None))
    for name, value in form.items():
        if len(value) > MAX_TEXT:
            field_errors[name] = f"内容过长（{len(value)} 字），请控制在 {MAX_TEXT} 字以内"
    reviewer = clean_text(form.get("reviewer", ""))
    when_text = clean_text(form.get("date", ""))
    when = parse_date(when_text) if when_text else None
    if saving and not reviewer:
        field_errors["reviewer"] = "请填写复核人姓名"
    if when_text and when is None:
        field_errors["date"] = f"复核日期“{when_text[:20]}”无法识别，请填写如 2026-11-22"
    elif saving and when is None:
        field_errors["date"] = "请填写复核日期，如 2026-11-22"

    funding_weight, funding_comment = None, ""
    changes: list[ReviewChange] = []
    changed: dict[str, int] = {}
    for row in rows_of(entry):
        weight = _number(form, f"{row.key}.{WEIGHT}", "复核分值", field_errors)
        given = _number(form, f"{row.key}.{SCORE}", "复核得分", field_errors) if row.score_open else None
        if not row.score_open and clean_text(form.get(f"{row.key}.{SCORE}", "")):
            errors.append(f"“{row.name}”的得分由规则计算，不能直接填写复核得分；如有异议请调整复核分值并说明")
        comment = clean_text(form.get(f"{row.key}.{COMMENT}", ""))
        weight = None if weight == row.weight else weight
        # a score that repeats the evaluator's own is no change; one typed where the rule
        # computed the score is, even if equal: with a new weight it keeps that score
        given = None if given is not None and given == row.given else given
        if row.kind == "funding":
            funding_weight, funding_comment = weight, comment
            continue
        if weight is None and given is None and not comment:
            continue
        changed[row.key] = len(changes)
        if row.kind == "funds_management":
            changes.append(ReviewChange(funds_management=row.name, weight=weight, score=given, comment=comment))
        else:
            ind = ev.indicators[row.index]
            changes.append(ReviewChange(level1=ind.level1, level2=ind.level2, level3=ind.level3,
                                        weight=weight, score=given, comment=comment))
    input_hash = form.get("input_hash", "")
    if not input_hash:
        return Outcome(None, None, field_errors, ["页面数据不完整（缺少评价内容校验码），请刷新页面"], changed,
                       groups(entry, None))
    try:
        review = Review(evaluation=ev.title, input_hash=input_hash, reviewer=reviewer or "（未填写）",
                        date=when or today or date.today(), comment=clean_text(form.get("comment", "")),
                        funding_weight=funding_weight, funding_comment=funding_comment, changes=tuple(changes))
    except ValueError:
        return Outcome(None, None, field_errors, ["页面数据不完整（评价内容校验码无效），请刷新页面"], changed,
                       groups(entry, None))
    reviewed, issues, locator = apply_review(ev, review, FormSource(), evaluation_source=entry.source)
    after = score(reviewed, locator) if reviewed is not None else None
    by_key = {k: key for key, k in changed.items()}
    if after is not None:
        issues = issues + [i for i in after.issues if i.severity == "error"]
    known = {format_issue(i) for i in entry.issues}  # already listed on the page as the file's own
    for issue in issues:
        if issue.severity == "error" and format_issue(issue) not in known:
            _place(issue, by_key, after, field_errors, errors)
    outcome = Outcome(review, after, field_errors, errors, changed)
    outcome.groups = groups(entry, after)
    if after is not None and after.total is None and not outcome.weights_ok:
        raw = score_evaluation(parse_evaluation(reviewed), locator.locate)
        if not any(i.severity == "error" for i in raw.issues):
            outcome.provisional_total, outcome.provisional_grade = raw.total, raw.grade
    return outcome


def _place(issue: Issue, by_key: dict[int, str], after: EvaluationResult | None,
           field_errors: dict[str, str], errors: list[str]) -> None:
    """Put a problem next to the field it belongs to, or in the general list."""
    loc = issue.location
    text = issue.message + (f"；{issue.hint}" if issue.hint else "")
    if loc.file == FORM_FILE:
        if loc.path == "changes":
            return  # the sum of the weights: shown by the total's own check
        if loc.path == "input_hash":
            errors.append("评价文件在打开本页后被修改过，请刷新页面后重新复核")
            return
        head, _, tail = loc.path.partition(".")
        k = int(head.removeprefix("changes[").removesuffix("]")) if head.startswith("changes[") else None
        key = by_key.get(k) if k is not None else None
        if key is None:
            errors.append(text)
            return
        suffix = {"weight": WEIGHT, "score": SCORE}.get(tail)
        name = f"{key}.{suffix}" if suffix else f"{key}.{WEIGHT}"
        field_errors.setdefault(name, text)
        return
    if loc.path == "indicators" and after is not None and after.weight_total != HUNDRED:
        return  # the same sum, found again by the engine's own check
    errors.append(format_issue(issue))


def groups(entry: Entry, after: EvaluationResult | None) -> list[Group]:
    """Weights and scores per 一级指标 (and for the funds rows), before and after;
    the after side is None throughout when the review could not be applied."""
    before = entry.result
    if before is None:
        return []

    def total(values) -> Decimal | None:
        values = list(values)
        return None if any(v is None for v in values) else sum(values, ZERO)

    def weights(rows) -> Decimal:
        return sum((r.weight for r in rows), ZERO)

    def scores(rows) -> Decimal | None:
        return total(r.score for r in rows if getattr(r, "status", "") != "not_applicable")

    out = []
    if before.funding is not None:
        fa = after.funding if after is not None else None
        out.append(Group("预算执行", before.funding.weight, fa.weight if fa else None,
                         before.funding.score, fa.score if fa else None))
    if before.funds_management:
        fm_after = after.funds_management if after is not None else None
        out.append(Group("资金管理情况", weights(before.funds_management),
                         weights(fm_after) if fm_after is not None else None,
                         scores(before.funds_management), scores(fm_after) if fm_after is not None else None))
    for name in dict.fromkeys(r.level1 for r in before.indicators):
        rb = [r for r in before.indicators if r.level1 == name]
        ra = [r for r in after.indicators if r.level1 == name] if after is not None else None
        out.append(Group(name, weights(rb), weights(ra) if ra is not None else None,
                         scores(rb), scores(ra) if ra is not None else None))
    return out
