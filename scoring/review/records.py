"""Review records (复核): a reviewer's weights and judged scores, kept apart from the original.

A review is a record of its own (YAML, or the review workbook the reviewer
filled in): who, when, the content hash of the evaluation it applies to, and
the changes, each with the reviewer's comment. `rescore.apply_review` builds a
new evaluation from the original and the changes; the same engine re-scores it.
A review refuses to apply to an evaluation whose content changed since (a
different hash) unless forced. `storage.save_review` writes reviews to new files,
never over an earlier review, so several reviews of one evaluation live side by side.
This module holds the records and the reading of what a reviewer types.
"""

from __future__ import annotations

import hashlib
import json
import re
import unicodedata
from datetime import date, datetime
from decimal import Decimal

from pydantic import Field

from scoring.core.model import Evaluation, Model, NonNegative
from scoring.core.results import IndicatorResult
from scoring.core.text import strip_illegal


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
    """What a reviewer typed, trimmed (ideographic spaces too), without the control
    characters XML forbids (pasted, they would break the 复核对比表). Names and comments
    keep their full-width punctuation: a 三级指标 is matched exactly as the evaluation writes it."""
    if value is None:
        return ""
    return strip_illegal(str(value)).replace("\u3000", " ").strip()


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


def is_judged(row: IndicatorResult) -> bool:
    """A row whose score is the evaluator's (a qualitative or deadline row, or one
    no rule could score), so a reviewer may correct the score itself; every other
    row's score follows from its rule and only its weight can be reviewed."""
    return row.status in ("judged", "error") or row.rule in ("qualitative", "deadline")
