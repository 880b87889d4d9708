"""The 复核人's review of a version, in the reviewer page's table (`scoring.web`'s
`table_view` computes rows and merges; `reviewing.evaluate` turns the form into a
`Review` record and applies it through `scoring.review.rescore`, as ``jixiao serve``
does). A saved review is a new row of `reviews` (append-only) with who and when; the
page shows the self-evaluation's and the latest review's scores side by side, and every
earlier review of the version.
"""

from __future__ import annotations

import json
from datetime import date
from pathlib import Path

from fastapi import APIRouter, Request
from fastapi.responses import RedirectResponse
from sqlalchemy import select

from scoring.review.records import Review, content_hash, is_judged
from scoring.server.access import DB, Form, Reviewer, source
from scoring.server.accounts import audit
from scoring.server.models import SavedReview, now
from scoring.server.pages import page
from scoring.server.routes.projects import project_of, scored_version
from scoring.sources.loader import SourceMap
from scoring.web.catalog import Entry
from scoring.web.reviewing import evaluate, form_of
from scoring.web.table_view import table_view

router = APIRouter()


def _entry(row, checked) -> Entry:
    ev, result = checked.evaluation, checked.result
    return Entry(id=str(row.id), path=Path(row.original_name), relative=row.original_name, sheet=0,
                 source=SourceMap(row.original_name), evaluation=ev, result=result, issues=(),
                 input_hash=content_hash(ev),
                 judged=frozenset(r.index for r in result.indicators if is_judged(r)))


def _view(request: Request, db, me, project, row, checked, form: dict | None, status: int = 200,
          message: str = "", kind: str = ""):
    entry = _entry(row, checked)
    saved = list(db.scalars(select(SavedReview).where(SavedReview.submission_id == row.id)
                            .order_by(SavedReview.id.desc())))
    if form is None:  # the latest saved review, shown again
        form = form_of(entry, Review.model_validate(json.loads(saved[0].record))) if saved else {}
    form = {**form, "input_hash": entry.input_hash, "reviewer": me.name, "date": date.today().isoformat()}
    outcome = evaluate(entry, form)
    view = table_view(entry, outcome, form)
    return page(request, "review.html", status, me=me, project=project, row=row, problems=checked.problems,
                saved_reviews=saved, message=message, kind=kind, **{**view, "form": form})


@router.get("/projects/{project_id}/versions/{version}/review")
def review(request: Request, db: DB, me: Reviewer, project_id: int, version: int):
    project = project_of(db, me, project_id)
    row, checked = scored_version(request, db, project, version)
    audit(db, me, "review_open", f"{project.unit.name}/{project.year}/{project.name}", source(request),
          f"第 {row.version} 版")
    db.commit()
    return _view(request, db, me, project, row, checked, None)


@router.post("/projects/{project_id}/versions/{version}/review")
def save_review(request: Request, db: DB, me: Reviewer, project_id: int, version: int, form: Form):
    """Save the form as a new review of the version, when it applies without error."""
    project = project_of(db, me, project_id)
    row, checked = scored_version(request, db, project, version)
    entry = _entry(row, checked)
    fields = {k: v for k, v in form.items() if k not in ("csrf", "input_hash", "reviewer", "date")}
    fields.update(input_hash=entry.input_hash, reviewer=me.name, date=date.today().isoformat())
    outcome = evaluate(entry, fields, saving=True)
    if not outcome.ok:
        problems = list(outcome.errors) + list(outcome.field_errors.values())
        if not outcome.weights_ok and outcome.weight_total is not None:
            problems.append(f"复核后分值合计 {outcome.weight_total}，应为 100")
        return _view(request, db, me, project, row, checked, fields, 400,
                     "复核未保存：" + "；".join(problems or ["请检查填写的内容"]), "error")
    after = outcome.after
    db.add(SavedReview(submission_id=row.id, account_id=me.id, at=now(), total=str(after.total),
                       grade=after.grade, record=outcome.review.model_dump_json()))
    audit(db, me, "review_save", f"{project.unit.name}/{project.year}/{project.name}", source(request),
          f"第 {row.version} 版：自评总分 {checked.result.total}，复核总分 {after.total}，等级 {after.grade or '—'}，"
          f"调整 {len(outcome.review.changes)} 行")
    db.commit()
    return RedirectResponse(f"/projects/{project.id}/versions/{row.version}/review?saved=1", status_code=303)
