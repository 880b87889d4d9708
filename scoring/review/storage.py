"""Review records on disk: read from YAML or from a filled-in review sheet, and saved
as new files beside the evaluation, never over an earlier record.

The records of one evaluation, reviewer and day are numbered (…yaml, ….2.yaml, ….3.yaml);
a new one takes the number after the highest found in one listing of the folder, and
is linked into place only if that name is still free, so two reviewers saving at once
never overwrite each other and saving stays as fast with a thousand earlier records.
"""

from __future__ import annotations

import json
import os
from pathlib import Path

from scoring.core.issues import Issue, ScoringError
from scoring.outputs.files import safe_name, write_new_atomic
from scoring.review.records import Review
from scoring.review.sheet import read_review_sheet
from scoring.sources.detect import is_spreadsheet
from scoring.sources.loader import SourceMap, dump_yaml, load_yaml, validate_leniently


def load_review(path: str | Path) -> tuple[Review | None, SourceMap, list[Issue]]:
    """A review from YAML or from a filled-in review sheet (.xlsx, .xls, .ods), by content."""
    path = Path(path)
    if is_spreadsheet(path):  # a review sheet, as any office suite saved it
        return read_review_sheet(path)
    data, source, issues = load_yaml(path)
    if not isinstance(data, dict):
        return None, source, issues + [Issue(source.locate(""), "复核文件顶层应为键值表", "请参照文档 review.md（jixiao docs 显示文档位置）")]
    review, found, _ = validate_leniently(Review, data, source)
    return (review if not found else None), source, issues + found


def save_review(review: Review, folder: Path, stem: str) -> Path:
    """Write a review as a new file; an earlier review is never overwritten."""
    base = f"{safe_name(stem)}.复核.{safe_name(review.reviewer)}.{review.date.isoformat()}"
    data = review.model_dump(mode="json", exclude_defaults=True)
    data = {"kind": "review", **{k: v for k, v in data.items() if k != "kind"}}
    data["changes"] = [{k: v for k, v in c.items() if v not in ("", None)} for c in data.get("changes", [])]
    text = dump_yaml(json.loads(json.dumps(data)), f"复核记录：{review.evaluation}\n由 jixiao 生成；原评价文件未被修改。")
    n = _next_number(folder, base)
    while n < _MAX_RECORDS:
        path = folder / (f"{base}.yaml" if n == 1 else f"{base}.{n}.yaml")
        try:
            return write_new_atomic(path, text.encode("utf-8"))
        except FileExistsError:
            n += 1  # taken a moment ago by another process: the next number
    raise ScoringError(f"{folder}：复核记录 {base}.*.yaml 已编号到 {_MAX_RECORDS - 1}，请清理后再保存")


_MAX_RECORDS = 10_000


def _next_number(folder: Path, base: str) -> int:
    """One more than the highest number among the earlier records of `base` (1: none yet),
    from one listing of the folder rather than one attempted write per earlier record."""
    try:
        names = os.listdir(folder)
    except FileNotFoundError:
        return 1  # the folder is made when the first record is written
    prefix, cut = base + ".", len(base) + 1
    numbers = [name[cut:-5] for name in names if name.startswith(prefix) and name.endswith(".yaml")]
    highest = max((int(n) for n in numbers if n.isdigit() and n.isascii() and len(n) < 10), default=0)
    if highest == 0 and "" in numbers:  # only base.yaml, the first record
        highest = 1
    return highest + 1
