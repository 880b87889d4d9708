"""The 复核人's pages: the year's dashboard (expected, submitted, with errors, missing,
coverage; totals and grades, filtered and sorted; the grade distribution as an inline
SVG chart), the 催报清单 and the city's 汇总表 for download. Each version opens in the review view (review.py).
"""

from __future__ import annotations

import tempfile
from pathlib import Path

from fastapi import APIRouter, Request
from starlette.exceptions import HTTPException

from scoring.outputs.batch import summary_workbook
from scoring.server.access import DB, Reviewer, source
from scoring.server.accounts import audit
from scoring.server.pages import page
from scoring.server.progress import STATES, grade_chart, overview, reminder_list, statuses, years
from scoring.server.routes.projects import XLSX, download, scored_version

router = APIRouter()
SORTS = {"unit": "单位", "total": "总分", "state": "状态"}


def _year(db, year: int | None) -> int | None:
    known = years(db)
    if year is None:
        return known[0] if known else None
    if year not in known:
        raise HTTPException(404, f"没有 {year} 年度的项目清单。")
    return year


@router.get("/dashboard")
def dashboard(request: Request, db: DB, me: Reviewer, year: int | None = None, unit: str = "", state: str = "",
              sort: str = "unit"):
    chosen = _year(db, year)
    rows = statuses(db, chosen) if chosen is not None else []
    summary = overview(rows)
    shown = [s for s in rows if (not unit.strip() or unit.strip() in s.unit.name) and (not state or s.state == state)]
    if sort == "total":
        shown.sort(key=lambda s: (s.shown is None or s.shown.total is None,
                                  -(s.shown.total or 0) if s.shown else 0))
    elif sort == "state":
        shown.sort(key=lambda s: STATES.index(s.state))
    return page(request, "dashboard.html", me=me, year=chosen, years=years(db), rows=shown, summary=summary,
                chart=grade_chart(summary.grades), unit=unit[:100], state=state, sort=sort if sort in SORTS else "unit",
                states=STATES, sorts=SORTS)


@router.get("/dashboard/{year}/reminders.xlsx")
def reminders(request: Request, db: DB, me: Reviewer, year: int):
    chosen = _year(db, year)
    content = reminder_list(statuses(db, chosen), chosen)
    audit(db, me, "download", f"{chosen} 年度", source(request), "催报清单")
    db.commit()
    return download(content, f"{chosen}_催报清单.xlsx", XLSX)


@router.get("/dashboard/{year}/summary.xlsx")
def summary(request: Request, db: DB, me: Reviewer, year: int):
    """汇总表 of the submitted versions, each scored again from its stored bytes."""
    chosen = _year(db, year)
    scored = []
    for state in statuses(db, chosen):
        if state.submitted is not None:
            _, checked = scored_version(request, db, state.project, state.submitted.version)
            scored.append((checked.evaluation, checked.result))
    with tempfile.TemporaryDirectory(prefix="jixiao-summary-") as folder:
        out = summary_workbook(scored, Path(folder) / "汇总表.xlsx")
        content = Path(out).read_bytes()
    audit(db, me, "download", f"{chosen} 年度", source(request), f"汇总表（{len(scored)} 个已提交项目）")
    db.commit()
    return download(content, f"{chosen}_汇总表.xlsx", XLSX)
