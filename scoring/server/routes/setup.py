"""The 管理员's 年度项目清单 page: the blank 单位项目清单 template for download, and a
filled-in list uploaded and imported (every problem at its sheet and cell; nothing
imported while there is one)."""

from __future__ import annotations

import tempfile
from pathlib import Path

from fastapi import APIRouter, Request
from sqlalchemy import func, select

from scoring.core.issues import ScoringError
from scoring.server.access import DB, Admin, Form, source
from scoring.server.accounts import audit
from scoring.server.models import Project, Unit
from scoring.server.pages import page
from scoring.server.routes.projects import XLSX, download
from scoring.server.setup import blank_setup, import_setup
from scoring.sources.detect import describe, file_kind, is_spreadsheet_kind

router = APIRouter(prefix="/admin/setup")


def _page(request: Request, db, me, status: int = 200, message: str = "", kind: str = "",
          problems: list[str] = ()):
    counts = db.execute(select(Project.year, func.count()).group_by(Project.year).order_by(Project.year)).all()
    units = db.scalar(select(func.count()).select_from(Unit))
    return page(request, "setup.html", status, me=me, counts=counts, units=units, message=message, kind=kind,
                problems=list(problems))


@router.get("")
def setup_page(request: Request, db: DB, me: Admin):
    return _page(request, db, me)


@router.get("/template.xlsx")
def template(request: Request, db: DB, me: Admin):
    audit(db, me, "download", "单位项目清单模板", source(request))
    db.commit()
    return download(blank_setup(), "单位项目清单_模板.xlsx", XLSX)


@router.post("")
def import_list(request: Request, db: DB, me: Admin, form: Form):
    sent = getattr(request.state, "upload", None)
    if not sent or not sent[1]:
        return _page(request, db, me, 400, "请选择填好的单位项目清单（.xlsx、.xls 或 .ods）。", "error")
    name, content = sent
    shown = (name or "单位项目清单").replace("/", "_").replace("\\", "_")[:100]
    with tempfile.TemporaryDirectory(prefix="jixiao-setup-") as folder:
        path = Path(folder) / "清单"
        path.write_bytes(content)
        try:
            kind = file_kind(path)
            if not is_spreadsheet_kind(kind):
                raise ScoringError(f"{shown}：这是{describe(kind)}，不是工作簿；请上传填好的单位项目清单。")
            path = path.rename(path.with_name(f"清单.{kind}"))
            result = import_setup(db, path, shown, me, source(request))
        except ScoringError as exc:
            db.rollback()
            return _page(request, db, me, 400, str(exc).replace(str(path), shown), "error")
    if not result.ok:
        return _page(request, db, me, 400, f"清单有 {len(result.problems)} 个错误，未导入任何内容；请改正后重新上传。",
                     "error", result.problems)
    return _page(request, db, me, 200, f"已导入：新单位 {result.units_new} 个，新项目 {result.projects_new} 个，"
                 f"更新 {result.updated} 个，未变 {result.unchanged} 个。", "ok")
