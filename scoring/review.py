"""Reviews (复核): a reviewer's weights and judged scores, applied without touching the original.

A review is a record of its own (YAML, or the review workbook the reviewer
filled in): who, when, the content hash of the evaluation it applies to, and
the changes, each with the reviewer's comment. `apply_review` builds a new
evaluation from the original and the changes; the same engine re-scores it.
A review refuses to apply to an evaluation whose content changed since (a
different hash) unless forced. Reviews are written to new files, never over
an earlier review, so several reviews of one evaluation live side by side.
"""

from __future__ import annotations

import hashlib
import json
import re
import unicodedata
from dataclasses import dataclass
from datetime import date, datetime
from decimal import Decimal
from pathlib import Path

from pydantic import Field

from .issues import Issue, ScoringError
from .loader import SourceMap, dump_yaml, load_yaml, validate_leniently
from .model import Evaluation, Model, NonNegative
from .numbers import HUNDRED, ZERO, plain
from .pipeline import score
from .results import EvaluationResult, IndicatorResult


class ReviewChange(Model):
    """One reviewed row: an indicator (by its names) or a funds-management row."""

    level1: str = ""
    level2: str = ""
    level3: str = ""  # an indicator …
    funds_management: str = ""  # … or a 资金管理情况 row
    weight: NonNegative | None = None  # 复核分值
    score: NonNegative | None = None  # 复核得分 (judged rows)
    comment: str = ""  # 复核意见


class Review(Model):
    kind: str = Field("review", pattern="^review$")
    evaluation: str = ""  # the title of the evaluation it was made for
    input_hash: str = Field(pattern=r"^sha256:[0-9a-f]{64}$")
    reviewer: str = Field(min_length=1)
    date: date
    comment: str = ""
    funding_weight: NonNegative | None = None
    funding_comment: str = ""  # 复核意见 on the 预算执行 row
    changes: tuple[ReviewChange, ...] = ()


def content_hash(ev: Evaluation) -> str:
    """A hash of what the evaluation says, not of its formatting or comments."""
    canonical = json.dumps(ev.model_dump(mode="json"), ensure_ascii=False, sort_keys=True)
    return "sha256:" + hashlib.sha256(canonical.encode("utf-8")).hexdigest()


# ------------------------------------------------------------------ reading


def clean_text(value: object) -> str:
    """What a reviewer typed, trimmed (ideographic spaces too). Names and comments keep
    their full-width punctuation: a 三级指标 is matched exactly as the evaluation writes it."""
    if value is None:
        return ""
    return str(value).replace("\u3000", " ").strip()


def _folded(value: object) -> str:
    """Text for reading a number or a date: full-width digits and signs folded (NFKC)."""
    return unicodedata.normalize("NFKC", clean_text(value)).strip()


# A weight or a score as a person types it: digits, at most one decimal point, an
# optional sign, an optional 分. Nothing else: "1,5" is not read as 15, "1e9999" is
# not expanded, "1_0", "NaN" and digits of other scripts are refused.
_REVIEW_NUMBER = re.compile(r"[+-]?(?:\d{1,6}(?:\.\d{0,6})?|\.\d{1,6})分?", re.ASCII)


def parse_number(value: object) -> Decimal | None:
    """A reviewer's number (cell value or text); None when blank. Raises ValueError(text)."""
    if value is None or clean_text(value) == "":
        return None
    if isinstance(value, (int, float)) and not isinstance(value, bool):
        number = Decimal(repr(value)) if isinstance(value, float) else Decimal(value)
        if not number.is_finite() or abs(number) >= 10**6:
            raise ValueError(clean_text(value))
        return number
    text = _folded(value)
    if not _REVIEW_NUMBER.fullmatch(text):
        raise ValueError(clean_text(value)[:30])
    return Decimal(text.removesuffix("分"))


def parse_date(value: object) -> date | None:
    """A date as typed: 2026-11-22, 2026/11/22, 2026年11月22日; None when not one."""
    if isinstance(value, datetime):
        return value.date()
    if isinstance(value, date):
        return value
    m = re.fullmatch(r"(\d{4})[-./年](\d{1,2})[-./月](\d{1,2})日?", _folded(value))
    if m:
        try:
            return date(int(m[1]), int(m[2]), int(m[3]))
        except ValueError:
            return None
    return None


def load_review(path: str | Path) -> tuple[Review | None, SourceMap, list[Issue]]:
    """A review from YAML or from a filled-in review workbook (.xlsx)."""
    path = Path(path)
    if path.suffix.lower() in (".xlsx", ".xlsm"):
        from .review_sheet import read_review_sheet

        return read_review_sheet(path)
    data, source, issues = load_yaml(path)
    if not isinstance(data, dict):
        return None, source, issues + [Issue(source.locate(""), "复核文件顶层应为键值表", "请参照 docs/review.md")]
    review, found, _ = validate_leniently(Review, data, source)
    return (review if not found else None), source, issues + found


def save_review(review: Review, folder: Path, stem: str) -> Path:
    """Write a review as a new file; an earlier review is never overwritten."""
    from .files import safe_name, write_new_atomic

    base = f"{safe_name(stem)}.复核.{safe_name(review.reviewer)}.{review.date.isoformat()}"
    data = review.model_dump(mode="json", exclude_defaults=True)
    data = {"kind": "review", **{k: v for k, v in data.items() if k != "kind"}}
    data["changes"] = [{k: v for k, v in c.items() if v not in ("", None)} for c in data.get("changes", [])]
    text = dump_yaml(json.loads(json.dumps(data)), f"复核记录：{review.evaluation}\n由 jixiao 生成；原评价文件未被修改。")
    for n in range(1, 10_000):
        path = folder / (f"{base}.yaml" if n == 1 else f"{base}.{n}.yaml")
        try:
            return write_new_atomic(path, text.encode("utf-8"))
        except FileExistsError:
            continue  # taken, perhaps a moment ago by another process: the next number
    raise ScoringError(f"{folder}：复核记录 {base}.*.yaml 已有 9999 份，请清理后再保存")


# ----------------------------------------------------------------- applying


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
    total = sum((i.weight for i in reviewed.indicators), ZERO) + sum((r.weight for r in reviewed.funds_management), ZERO)
    total += reviewed.funding.weight if reviewed.funding else ZERO
    if total != HUNDRED:
        issues.append(Issue(locate("changes"), f"复核后分值合计为 {plain(total)}，应为 100",
                            "调整分值时，请在各指标之间挪动分值，使合计仍为 100"))
    locator = ReviewLocator(evaluation_source or SourceMap(""), source or SourceMap(""), changed)
    return reviewed, issues, locator


def _judged_row(ev: Evaluation, index: int) -> bool:
    from .score import score_indicator

    result, _ = score_indicator(ev.indicators[index], index, ev.settings, ev.rounding, ev.year)
    return is_judged(result)


def is_judged(row: IndicatorResult) -> bool:
    """A row whose score is the evaluator's (a qualitative or deadline row, or one
    no rule could score), so a reviewer may correct the score itself; every other
    row's score follows from its rule and only its weight can be reviewed."""
    return row.status in ("judged", "error") or row.rule in ("qualitative", "deadline")


# --------------------------------------------------------------- comparing


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
                      tuple(after.issues))


def ranking(comparisons: list[Comparison]) -> list[tuple[str, Decimal | None, int | None, Decimal | None, int | None]]:
    """(title, total before, rank before, total after, rank after), by rank after."""
    def ranks(totals: list[Decimal | None]) -> list[int | None]:
        order = sorted((t for t in totals if t is not None), reverse=True)
        return [None if t is None else order.index(t) + 1 for t in totals]  # ties share a rank

    before = [c.before.total for c in comparisons]
    after = [c.after.total for c in comparisons]
    rows = list(zip([c.title for c in comparisons], before, ranks(before), after, ranks(after)))
    return sorted(rows, key=lambda r: (r[4] is None, r[4] or 0))
