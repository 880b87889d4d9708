"""``/e/{id}/reviews/{review}/compare.docx|xlsx``: a saved review record's 复核对比表,
built afresh from the evaluation as it is now and the record (the same `apply_review`,
`compare` and report writers as ``jixiao rescore``), as a download."""

from __future__ import annotations

from urllib.parse import quote

from fastapi import APIRouter
from fastapi.responses import Response
from starlette.exceptions import HTTPException

from scoring.review import report as review_report
from scoring.review.compare import compare
from scoring.review.rescore import apply_review
from scoring.web.catalog import Entry, ReviewRecord
from scoring.web.state import State, WebState

MEDIA = {
    "docx": "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
    "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
}
WRITERS = {"docx": review_report.docx_bytes, "xlsx": review_report.xlsx_bytes}

router = APIRouter()


@router.get("/e/{entry_id}/reviews/{review_id}/compare.{suffix}")
def download(entry_id: str, review_id: str, suffix: str, state: State):
    if suffix not in MEDIA:
        raise HTTPException(404, "只提供 .docx 和 .xlsx 两种对比表。")
    entry, record = _record(state, entry_id, review_id)
    data = WRITERS[suffix]([_comparison(entry, record)])
    name = f"复核对比表_{entry.title}_{record.review.reviewer}_{record.review.date.isoformat()}.{suffix}"
    disposition = f"attachment; filename=\"review.{suffix}\"; filename*=UTF-8''{quote(name)}"
    return Response(data, media_type=MEDIA[suffix], headers={"Content-Disposition": disposition})


def _record(state: WebState, entry_id: str, review_id: str) -> tuple[Entry, ReviewRecord]:
    """The evaluation and the review record the address names, as the folder is now."""
    state.catalog.scan()
    entry = state.entry_or_404(entry_id)
    record = state.catalog.review(entry, review_id)
    if record is None or entry.evaluation is None:
        raise HTTPException(404, "没有找到这份复核记录，或它不是为这份评价当前的内容所作。")
    return entry, record


def _comparison(entry: Entry, record: ReviewRecord):
    """The record applied to the evaluation and compared with it (409 if it no longer applies)."""
    reviewed, issues, locator = apply_review(entry.evaluation, record.review, None,
                                             evaluation_source=entry.source)
    if reviewed is None or any(i.severity == "error" for i in issues):
        raise HTTPException(409, "这份复核记录不能应用到当前的评价（例如分值合计不为 100），请重新复核。")
    return compare(entry.evaluation, reviewed, record.review, entry.source, locator)

