"""The home page and a unit's page: its projects, where each stands, its latest version;
the unit's whole workbook (one sheet per project of a year) to download, upload (each
project's sheet becomes a new version of that project, scored) and 提交 at once.

A 填报人 sees only its own unit (access.unit_of); 复核人 and 管理员 see every unit.
"""

from __future__ import annotations

import io
import re

from fastapi import APIRouter, Request
from fastapi.responses import RedirectResponse
from sqlalchemy import func, select
from starlette.exceptions import HTTPException

from scoring.core.issues import ScoringError
from scoring.outputs.files import safe_name
from scoring.outputs.workbook import build_workbook
from scoring.server.access import DB, Anyone, Form, Reporter, source, unit_of
from scoring.server.accounts import audit
from scoring.server.checking import MAX_UPLOAD, for_project, read, record, same_name
from scoring.server.models import Project, SubmitEvent, Unit, now
from scoring.server.pages import page
from scoring.server.progress import statuses
from scoring.server.routes.projects import XLSX, download
from scoring.server.setup import project_templates
from scoring.server.submissions import store_submission
from scoring.server.targets import evaluation_of
from scoring.sources.templates import require_template

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


def _unit_page(request: Request, db, me, unit: Unit, status: int = 200, message: str = "", kind: str = "",
               results: list | None = None):
    rows = statuses(db, unit_id=unit.id)
    years = sorted({s.project.year for s in rows}, reverse=True)
    return page(request, "unit.html", status, me=me, unit=unit, rows=rows, years=years, message=message, kind=kind,
                results=results or [], max_upload=MAX_UPLOAD // (1024 * 1024))


def _year_of(rows, year: int | None) -> int:
    years = sorted({s.project.year for s in rows}, reverse=True)
    if not years or (year is not None and year not in years):
        raise HTTPException(404, "本单位没有这个年度的项目。")
    return year if year is not None else years[0]


@router.get("/units/{unit_id}")
def unit_page(request: Request, db: DB, me: Anyone, unit_id: int):
    return _unit_page(request, db, me, unit_of(db, me, unit_id))


@router.get("/units/{unit_id}/workbook")
def unit_workbook(request: Request, db: DB, me: Anyone, unit_id: int, year: int | None = None):
    """One workbook for all the unit's projects of a year, a sheet each. Its open cells are
    those of the projects' template when they share one (else every usual fill-in cell)."""
    unit = unit_of(db, me, unit_id)
    year = _year_of(statuses(db, unit_id=unit.id), year)
    projects = list(db.scalars(select(Project).where(Project.unit_id == unit.id, Project.year == year)
                               .order_by(Project.name)))
    known = project_templates()
    if any(p.template not in known for p in projects):
        raise HTTPException(409, "有项目的模板不可用，请联系管理员在年度项目清单中改正。")
    templates = {p.template: require_template(p.template) for p in projects}
    evaluations = [evaluation_of(p, templates[p.template]) for p in projects]
    shared = next(iter(templates.values())) if len(templates) == 1 else None
    buffer = io.BytesIO()
    build_workbook(evaluations, template=shared).save(buffer)
    name = f"{safe_name(unit.name)}_{year}_填报.xlsx"
    audit(db, me, "download", f"{unit.name}/{year}", source(request), f"单位填报工作簿 {name}（{len(projects)} 个项目）")
    db.commit()
    return download(buffer.getvalue(), name, XLSX)


@router.post("/units/{unit_id}/upload")
def unit_upload(request: Request, db: DB, me: Reporter, unit_id: int, form: Form):
    """The unit's workbook: each of the year's projects found in it gets a new version
    (the file as uploaded), scored from its own sheet; projects not in it are left alone."""
    unit = unit_of(db, me, unit_id)
    rows = statuses(db, unit_id=unit.id)
    year = _year_of(rows, int(form["year"]) if re.fullmatch(r"[0-9]{1,4}", form.get("year", "")) else None)
    sent = getattr(request.state, "upload", None)
    if not sent or not sent[1]:
        return _unit_page(request, db, me, unit, 400, "请选择要上传的填报工作簿（.xlsx、.xls 或 .ods）。", "error")
    name, content = sent
    reading = read(content, name)
    if reading.failure:
        return _unit_page(request, db, me, unit, 400, "；".join(p["message"] for p in reading.failure), "error")
    found = [s.project for s in rows if s.project.year == year and any(same_name(p, s.project.name) for p in reading.projects)]
    if not found:
        return _unit_page(request, db, me, unit, 400, f"工作簿中没有本单位 {year} 年度任何项目的自评表"
                          f"（其中：{'、'.join(reading.projects) or '没有可读的自评表'}）。", "error")
    results = []
    for project in found:
        try:
            row = store_submission(db, project, content, name, me, source(request),
                                   request.app.state.store.place.storage)
        except ScoringError as exc:
            return _unit_page(request, db, me, unit, 503, str(exc), "error")
        checked = for_project(reading, project)
        record(db, row, checked)
        db.commit()
        results.append((project, row.version, checked.errors))
    wrong = sum(1 for *_, errors in results if errors)
    message = (f"已为 {len(results)} 个项目各保存一个新版本；" +
               (f"其中 {wrong} 个有错误，请打开项目查看每个错误所在的单元格。" if wrong else "都没有错误，可以提交。"))
    return _unit_page(request, db, me, unit, 200, message, "error" if wrong else "ok", results)


@router.post("/units/{unit_id}/submit")
def unit_submit(request: Request, db: DB, me: Reporter, unit_id: int, form: Form):
    """提交 every project whose latest version has no error and is not submitted yet."""
    unit = unit_of(db, me, unit_id)
    ready = [s for s in statuses(db, unit_id=unit.id) if s.state == "待提交"]
    for s in ready:
        db.add(SubmitEvent(submission_id=s.latest.id, project_id=s.project.id, account_id=me.id, at=now()))
        audit(db, me, "submit", f"{unit.name}/{s.project.year}/{s.project.name}", source(request),
              f"第 {s.latest.version} 版，总分 {s.latest.total}，等级 {s.latest.grade or '—'}")
    db.commit()
    if not ready:
        return _unit_page(request, db, me, unit, 409, "没有可提交的项目：需要最新版本没有错误且尚未提交。", "error")
    return _unit_page(request, db, me, unit, 200, f"已提交 {len(ready)} 个项目。", "ok")
