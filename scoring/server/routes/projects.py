"""A project's page, for its unit's 填报人 (and, reading, the 复核人 and 管理员): download
the fill-in workbook, upload it back (scored at once, every problem at its sheet and
cell), the versions kept, 提交 once the latest has no error, and the Word document of
the submitted version.

Every route finds its project through `project_of`, which keeps a 填报人 to its own
unit (another unit's project does not exist for it: 404). Uploads, 提交 and downloads
are written to the audit log.
"""

from __future__ import annotations

import io
import re
from urllib.parse import quote

from fastapi import APIRouter, Request
from fastapi.responses import RedirectResponse, Response
from sqlalchemy import select
from sqlalchemy.orm import Session
from starlette.exceptions import HTTPException

from scoring.core.issues import ScoringError
from scoring.outputs.files import safe_name
from scoring.outputs.workbook import build_workbook
from scoring.server.access import DB, Anyone, Form, Reporter, source, unit_of
from scoring.server.accounts import audit
from scoring.server.checking import MAX_UPLOAD, check, problems_of, record
from scoring.server.models import Account, Project, Scoring, Submission, SubmitEvent, now
from scoring.server.pages import page
from scoring.server.progress import statuses
from scoring.server.setup import project_templates
from scoring.server.submissions import store_submission, submission_bytes
from scoring.server.targets import evaluation_of
from scoring.sources.templates import require_template

router = APIRouter(prefix="/projects")
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
DOCX = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"


def project_of(db: Session, account: Account, project_id: int) -> Project:
    project = db.get(Project, project_id)
    if project is None:
        raise HTTPException(404, "没有这个项目，或您无权查看。")
    unit_of(db, account, project.unit_id)  # 404 for another unit's 填报人
    return project


def download(content: bytes, name: str, kind: str) -> Response:
    """A file to save, its Chinese name in the RFC 6266 form every browser reads."""
    ext = re.search(r"\.[A-Za-z0-9]{1,5}$", name)  # the name's own suffix only: never a quote or a line break
    ascii_name = "download" + (ext.group(0) if ext else "")
    return Response(content, media_type=kind, headers={
        "Content-Disposition": f"attachment; filename=\"{ascii_name}\"; filename*=UTF-8''{quote(name)}",
        "Cache-Control": "no-store"})


def version_row(db: Session, project: Project, version: int) -> Submission:
    row = db.scalar(select(Submission).where(Submission.project_id == project.id, Submission.version == version))
    if row is None:
        raise HTTPException(404, "没有这个版本。")
    return row


def _page(request: Request, db: Session, me: Account, project: Project, status: int = 200, message: str = "",
          kind: str = "", version: int | None = None):
    state = statuses(db, project.year, project.unit_id)
    state = next(s for s in state if s.project.id == project.id)
    shown = next((v for v in state.versions if v.version == version), None) if version else state.latest
    scoring = db.scalar(select(Scoring).where(Scoring.submission_id == shown.id).order_by(Scoring.id.desc())
                        ) if shown else None
    return page(request, "project.html", status, me=me, project=project, state=state, shown=shown,
                problems=problems_of(scoring), message=message, kind=kind, max_upload=MAX_UPLOAD // (1024 * 1024))


@router.get("/{project_id}")
def project_page(request: Request, db: DB, me: Anyone, project_id: int, version: int | None = None):
    return _page(request, db, me, project_of(db, me, project_id), version=version)


@router.get("/{project_id}/workbook")
def workbook(request: Request, db: DB, me: Anyone, project_id: int):
    project = project_of(db, me, project_id)
    if project.template not in project_templates():
        raise HTTPException(409, f"本项目的模板“{project.template}”不可用，请联系管理员在年度项目清单中改正。")
    template = require_template(project.template)
    data = evaluation_of(project, template)
    buffer = io.BytesIO()
    build_workbook([data], template=template).save(buffer)
    name = f"{safe_name(project.unit.name)}_{project.year}_{safe_name(project.name)}_填报.xlsx"
    audit(db, me, "download", f"{project.unit.name}/{project.year}/{project.name}", source(request), f"填报工作簿 {name}")
    db.commit()
    return download(buffer.getvalue(), name, XLSX)


@router.post("/{project_id}/upload")
def upload(request: Request, db: DB, me: Reporter, project_id: int, form: Form):
    project = project_of(db, me, project_id)
    sent = getattr(request.state, "upload", None)
    if not sent or not sent[1]:
        return _page(request, db, me, project, 400, "请选择要上传的填报工作簿（.xlsx、.xls 或 .ods）。", "error")
    name, content = sent
    try:  # stored first, exactly as uploaded: whatever scoring finds, the file is kept
        row = store_submission(db, project, content, name, me, source(request), request.app.state.store.place.storage)
    except ScoringError as exc:
        return _page(request, db, me, project, 503, str(exc), "error")
    checked = check(content, name, project)
    record(db, row, checked)
    db.commit()
    if checked.errors:
        message = f"已保存为第 {row.version} 版，但有 {checked.errors} 个错误：请按下面列出的单元格改正后重新上传。"
    else:
        message = f"已保存为第 {row.version} 版，没有错误，总分 {checked.result.total}，可以提交。"
    return _page(request, db, me, project, 200, message, "error" if checked.errors else "ok", row.version)


@router.post("/{project_id}/submit")
def submit(request: Request, db: DB, me: Reporter, project_id: int, form: Form):
    project = project_of(db, me, project_id)
    state = next(s for s in statuses(db, project.year, project.unit_id) if s.project.id == project.id)
    latest = state.latest
    wanted = form.get("version", "")
    if latest is None or str(latest.version) != wanted:
        return _page(request, db, me, project, 409, "只能提交最新上传的版本；请刷新页面后再提交。", "error")
    if latest.errors is None or latest.errors > 0:
        return _page(request, db, me, project, 409, f"第 {latest.version} 版有错误，不能提交：请改正后重新上传。", "error")
    if state.submitted is not None and state.submitted.id == latest.id:
        return _page(request, db, me, project, 200, f"第 {latest.version} 版已经提交过。", "ok")
    db.add(SubmitEvent(submission_id=latest.id, project_id=project.id, account_id=me.id, at=now()))
    audit(db, me, "submit", f"{project.unit.name}/{project.year}/{project.name}", source(request),
          f"第 {latest.version} 版，总分 {latest.total}，等级 {latest.grade or '—'}")
    db.commit()
    return RedirectResponse(f"/projects/{project.id}?version={latest.version}", status_code=303)


def scored_version(request: Request, db: Session, project: Project, version: int):
    """The evaluation and result of a stored version, scored again from its bytes."""
    row = version_row(db, project, version)
    try:
        content = submission_bytes(row, request.app.state.store.place.storage)
    except ScoringError as exc:
        raise HTTPException(409, str(exc)) from None
    checked = check(content, row.original_name, project)
    if checked.result is None or checked.result.total is None:
        raise HTTPException(409, f"第 {version} 版有错误，没有计分结果。")
    return row, checked


@router.get("/{project_id}/document")
def document(request: Request, db: DB, me: Anyone, project_id: int):
    """The 自评表 in Word of the submitted version."""
    from scoring.outputs.render import WordTemplate, builtin_template, document_name, to_context

    project = project_of(db, me, project_id)
    state = next(s for s in statuses(db, project.year, project.unit_id) if s.project.id == project.id)
    if state.submitted is None:
        raise HTTPException(409, "本项目尚未提交：提交后才能下载 Word 自评表。")
    row, checked = scored_version(request, db, project, state.submitted.version)
    content = WordTemplate(builtin_template(checked.evaluation)).render_bytes(
        to_context(checked.evaluation, checked.result))
    name = document_name(checked.evaluation)
    audit(db, me, "download", f"{project.unit.name}/{project.year}/{project.name}", source(request),
          f"第 {row.version} 版的 Word 自评表 {name}")
    db.commit()
    return download(content, name, DOCX)


@router.get("/{project_id}/versions/{version}/file")
def original(request: Request, db: DB, me: Anyone, project_id: int, version: int):
    """A version exactly as uploaded."""
    project = project_of(db, me, project_id)
    row = version_row(db, project, version)
    try:
        content = submission_bytes(row, request.app.state.store.place.storage)
    except ScoringError as exc:
        raise HTTPException(409, str(exc)) from None
    suffix = row.original_name.rsplit(".", 1)[-1].lower() if "." in row.original_name else "xlsx"
    name = f"{safe_name(project.name)}_第{row.version}版.{suffix if suffix in ('xlsx', 'xls', 'ods') else 'bin'}"
    audit(db, me, "download", f"{project.unit.name}/{project.year}/{project.name}", source(request),
          f"第 {row.version} 版原文件，SHA-256 {row.sha256}")
    db.commit()
    return download(content, name, "application/octet-stream")
