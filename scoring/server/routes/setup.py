"""The 管理员's 年度项目清单 page: the blank 单位项目清单 template for download, and a
filled-in list, or one or several target tables (项目绩效目标表, told apart by content),
uploaded and imported (every problem at its sheet and cell; nothing imported while
there is one)."""

from __future__ import annotations

import re
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
from scoring.server.setup import blank_setup, import_setup, project_templates
from scoring.server.targets import DEFAULT_TEMPLATE, import_targets, is_target_table
from scoring.sources.detect import describe, file_kind, is_spreadsheet_kind

router = APIRouter(prefix="/admin/setup")


def _page(request: Request, db, me, status: int = 200, message: str = "", kind: str = "",
          problems: list[str] = ()):
    counts = db.execute(select(Project.year, func.count()).group_by(Project.year).order_by(Project.year)).all()
    units = db.scalar(select(func.count()).select_from(Unit))
    return page(request, "setup.html", status, me=me, counts=counts, units=units, message=message, kind=kind,
                problems=list(problems), templates=project_templates(), default_template=DEFAULT_TEMPLATE)


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
    """A 单位项目清单, or one or several 项目绩效目标表 (told apart by content)."""
    sent = [(name, content) for name, content in getattr(request.state, "uploads", []) if content]
    if not sent:
        return _page(request, db, me, 400, "请选择填好的单位项目清单，或项目绩效目标表（.xlsx、.xls 或 .ods）。", "error")
    with tempfile.TemporaryDirectory(prefix="jixiao-setup-") as folder:
        files = []
        try:
            for n, (name, content) in enumerate(sent):
                shown = (name or "清单").replace("/", "_").replace("\\", "_")[:100]
                path = Path(folder) / f"上传{n}"
                path.write_bytes(content)
                kind = file_kind(path)
                if not is_spreadsheet_kind(kind):
                    raise ScoringError(f"{shown}：这是{describe(kind)}，不是工作簿；请上传单位项目清单或项目绩效目标表。")
                files.append((path.rename(path.with_name(f"上传{n}.{kind}")), shown))
            tables = [is_target_table(path) for path, _ in files]
            if all(tables):
                year = form.get("year", "").strip()
                result = import_targets(db, files, form.get("template") or DEFAULT_TEMPLATE, me, source(request),
                                        unit=form.get("unit", "").strip()[:100] or None,
                                        year=int(year) if re.fullmatch(r"[0-9]{4}", year) else None)
            elif len(files) == 1:
                result = import_setup(db, files[0][0], files[0][1], me, source(request))
            else:
                raise ScoringError("一次只能上传一份单位项目清单，或者一张或几张项目绩效目标表；"
                                   f"其中不是目标表的：{'、'.join(s for (_, s), t in zip(files, tables) if not t)}")
        except ScoringError as exc:
            db.rollback()
            message = str(exc)
            for path, shown in files:
                message = message.replace(str(path), shown)
            return _page(request, db, me, 400, message, "error")
    if not result.ok:
        return _page(request, db, me, 400, f"有 {len(result.problems)} 个错误，未导入任何内容；请改正后重新上传。",
                     "error", result.problems)
    return _page(request, db, me, 200, f"已导入：新单位 {result.units_new} 个，新项目 {result.projects_new} 个，"
                 f"更新 {result.updated} 个，未变 {result.unchanged} 个。", "ok")
