"""Review records on disk: read from YAML or from a filled-in review sheet, and saved
as new files beside the evaluation, never over an earlier record."""

from __future__ import annotations

import json
from pathlib import Path

from scoring.core.issues import Issue, ScoringError
from scoring.outputs.files import safe_name, write_new_atomic
from scoring.review.records import Review
from scoring.review.sheet import read_review_sheet
from scoring.sources.loader import SourceMap, dump_yaml, load_yaml, validate_leniently


def load_review(path: str | Path) -> tuple[Review | None, SourceMap, list[Issue]]:
    """A review from YAML or from a filled-in review workbook (.xlsx)."""
    path = Path(path)
    if path.suffix.lower() in (".xlsx", ".xlsm"):
        return read_review_sheet(path)
    data, source, issues = load_yaml(path)
    if not isinstance(data, dict):
        return None, source, issues + [Issue(source.locate(""), "复核文件顶层应为键值表", "请参照 docs/review.md")]
    review, found, _ = validate_leniently(Review, data, source)
    return (review if not found else None), source, issues + found


def save_review(review: Review, folder: Path, stem: str) -> Path:
    """Write a review as a new file; an earlier review is never overwritten."""
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
