"""The home page and a unit's page: its projects and every uploaded version.

A 填报人 sees only its own unit (access.unit_of); 复核人 and 管理员 see every unit.
"""

from __future__ import annotations

from fastapi import APIRouter, Request
from fastapi.responses import RedirectResponse
from sqlalchemy import func, select

from scoring.server.access import DB, Anyone, unit_of
from scoring.server.models import Project, Submission, Unit
from scoring.server.pages import page

router = APIRouter()


@router.get("/")
def home(request: Request, db: DB, me: Anyone):
    if me.role == "reporter":
        if me.unit_id is None:
            return page(request, "error.html", 403, me=me, message="您的账户未关联单位，请联系管理员。", status=403)
        return RedirectResponse(f"/units/{me.unit_id}", status_code=303)
    counts = dict(db.execute(select(Project.unit_id, func.count()).group_by(Project.unit_id)).all())
    every = list(db.scalars(select(Unit).order_by(Unit.name)))
    return page(request, "home.html", me=me, units=every, counts=counts)


@router.get("/units/{unit_id}")
def unit_page(request: Request, db: DB, me: Anyone, unit_id: int):
    unit = unit_of(db, me, unit_id)
    rows = db.scalars(select(Submission).join(Project).where(Project.unit_id == unit.id)
                      .order_by(Submission.project_id, Submission.version))
    by_project: dict[int, list[Submission]] = {}
    for row in rows:
        by_project.setdefault(row.project_id, []).append(row)
    return page(request, "unit.html", me=me, unit=unit, versions=by_project)
