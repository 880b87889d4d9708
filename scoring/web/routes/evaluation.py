"""``/e/{id}``: one evaluation's official table with the reviewer's columns, and the two
htmx posts made from it.

- GET shows the table, blank or filled in from a saved review record (``?review=``).
- ``recompute`` answers every edit with only the numbers and errors that changed.
- ``save`` writes a new review record (``save_review``: a new file, atomically, never
  over an earlier one), or answers 422 with the reasons it cannot.

The hidden ATTEMPT field carries the digest of the form as last saved (or refused), so
that a delayed edit event arriving after a save does not wipe the save's answer.
"""

from __future__ import annotations

import hashlib
import time
from datetime import date

from fastapi import APIRouter
from fastapi.responses import HTMLResponse, Response
from starlette.exceptions import HTTPException

from scoring.core.numbers import plain
from scoring.review.storage import save_review
from scoring.web.catalog import Entry
from scoring.web.reviewing import Outcome, evaluate, form_of
from scoring.web.security import PostedForm
from scoring.web.state import State, WebState
from scoring.web.table_view import table_view

ATTEMPT = "attempt"  # hidden field: the digest of the form as last saved (or refused)

router = APIRouter()


@router.get("/e/{entry_id}", response_class=HTMLResponse)
def evaluation(entry_id: str, state: State, review: str = ""):
    state.catalog.scan()  # a whole page: review records added or removed since are seen
    entry = state.entry_or_404(entry_id)
    if entry.evaluation is None or entry.result is None:
        return state.page("broken.html", entry=entry)
    form = {"date": date.today().isoformat(), "input_hash": entry.input_hash}
    loaded = None
    if review:
        loaded = state.catalog.review(entry, review)
        if loaded is None:
            raise HTTPException(404, "没有找到这份复核记录，或它不是为这份评价当前的内容所作。")
        form = form_of(entry, loaded.review)
    view = table_view(entry, evaluate(entry, form), form)
    view.update(loaded=loaded, reviews=state.catalog.reviews_of(entry))
    return state.page("evaluation.html", **view)


@router.post("/e/{entry_id}/recompute", response_class=HTMLResponse)
async def recompute(entry_id: str, form: PostedForm, state: State):
    entry = state.scorable(entry_id)
    if form.get(ATTEMPT) and form[ATTEMPT] == form_digest(form):
        # a delayed edit event with nothing new since the last save: the save's
        # answer (saved, or refused with its reasons) stays on the page
        return Response(status_code=204)
    started = time.perf_counter()
    outcome = evaluate(entry, form)
    response = state.page("_updates.html", **table_view(entry, outcome, form))
    response.headers["Server-Timing"] = f"app;dur={(time.perf_counter() - started) * 1000:.1f}"
    return response


@router.post("/e/{entry_id}/save", response_class=HTMLResponse)
async def save(entry_id: str, form: PostedForm, state: State):
    entry = state.scorable(entry_id)
    outcome = evaluate(entry, form, saving=True)
    view = table_view(entry, outcome, form)
    view["attempt"] = form_digest(form)
    if not outcome.ok:
        _explain_refusal(outcome)
        view["notice"] = "未保存：请先改正标出的问题。"
        return state.page("_updates.html", 422, **view)
    path = save_review(outcome.review, entry.path.parent, entry.stem)
    _show_saved(state, entry, path, view)
    return state.page("_updates.html", **view)


def form_digest(form: dict[str, str]) -> str:
    """What the reviewer has typed, as a short digest (the form's own ATTEMPT field left out)."""
    pairs = sorted((k, v) for k, v in form.items() if k != ATTEMPT)
    return hashlib.sha256(repr(pairs).encode("utf-8")).hexdigest()[:32]


def _explain_refusal(outcome: Outcome) -> None:
    """The reasons a save is refused that no form field shows by itself."""
    if not outcome.weights_ok and outcome.weight_total is not None:
        outcome.errors.append(f"复核后分值合计为 {plain(outcome.weight_total)}，应为 100："
                              "调整分值时，请在各指标之间挪动分值，使合计仍为 100")
    if not outcome.errors and not outcome.field_errors:
        outcome.errors.append("评价文件本身有错误（见页面上方），不能保存复核；请先修正评价文件。")


def _show_saved(state: WebState, entry: Entry, path, view: dict) -> None:
    """The new record in the page's list of reviews, and a notice naming its file."""
    state.catalog.scan()
    record = next((r for r in state.catalog.reviews_of(entry) if r.path == path), None)
    view.update(saved=record, reviews=state.catalog.reviews_of(entry),
                notice=f"已保存复核记录：{path.relative_to(state.catalog.root).as_posix()}")
