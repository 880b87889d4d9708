"""Where each project of a year stands, from the append-only rows alone: its versions,
their scorings, its 提交 events. Read by the unit's page, the 复核人's dashboard, the
催报清单 and the 汇总表.

A project is 已提交 when a 提交 event names one of its versions (the latest such
event counts); otherwise 有错误 when its latest upload has errors, 待提交 when the
latest upload has none, 未上传 when nothing was uploaded. Coverage is 已提交 ÷ expected.
"""

from __future__ import annotations

import io
from collections import Counter
from dataclasses import dataclass
from decimal import Decimal

from sqlalchemy import select
from sqlalchemy.orm import Session

from scoring.core.numbers import HUNDRED, quantize
from scoring.outputs.xlsx import append_row
from scoring.server.models import Project, Scoring, Submission, SubmitEvent, Unit

STATES = ("已提交", "待提交", "有错误", "未上传")
GRADES = ("优", "良", "中", "差")


@dataclass(frozen=True)
class Version:
    id: int
    version: int
    original_name: str
    uploaded_at: object
    errors: int | None  # None: not scored
    warnings: int | None
    total: Decimal | None
    grade: str | None


@dataclass(frozen=True)
class Status:
    project: Project
    unit: Unit
    versions: tuple[Version, ...]
    submitted: Version | None

    @property
    def latest(self) -> Version | None:
        return self.versions[-1] if self.versions else None

    @property
    def state(self) -> str:
        if self.submitted is not None:
            return "已提交"
        if self.latest is None:
            return "未上传"
        return "有错误" if (self.latest.errors or 0) > 0 or self.latest.errors is None else "待提交"

    @property
    def shown(self) -> Version | None:
        """The version whose total counts: the submitted one, else the latest."""
        return self.submitted or self.latest


def statuses(db: Session, year: int | None = None, unit_id: int | None = None) -> list[Status]:
    """Every project of `year` (or every year) and `unit_id` (or every unit), by unit and name."""
    query = select(Project, Unit).join(Unit, Project.unit_id == Unit.id)
    if year is not None:
        query = query.where(Project.year == year)
    if unit_id is not None:
        query = query.where(Project.unit_id == unit_id)
    pairs = db.execute(query.order_by(Unit.name, Project.year, Project.name)).all()
    ids = [p.id for p, _ in pairs]
    if not ids:
        return []
    uploads = db.execute(select(Submission.id, Submission.project_id, Submission.version, Submission.original_name,
                                Submission.uploaded_at).where(Submission.project_id.in_(ids))
                         .order_by(Submission.project_id, Submission.version)).all()
    scorings = {s.submission_id: s for s in db.execute(  # the latest scoring of each version
        select(Scoring.submission_id, Scoring.errors, Scoring.warnings, Scoring.total, Scoring.grade)
        .join(Submission).where(Submission.project_id.in_(ids)).order_by(Scoring.id))}
    submits = {e.project_id: e.submission_id for e in db.scalars(
        select(SubmitEvent).where(SubmitEvent.project_id.in_(ids)).order_by(SubmitEvent.id))}
    by_project: dict[int, list[Version]] = {}
    for u in uploads:
        s = scorings.get(u.id)
        by_project.setdefault(u.project_id, []).append(Version(
            u.id, u.version, u.original_name, u.uploaded_at, s.errors if s else None, s.warnings if s else None,
            Decimal(s.total) if s and s.total else None, s.grade if s else None))
    found = []
    for project, unit in pairs:
        versions = tuple(by_project.get(project.id, ()))
        chosen = submits.get(project.id)
        found.append(Status(project, unit, versions, next((v for v in versions if v.id == chosen), None)))
    return found


def years(db: Session) -> list[int]:
    return sorted(set(db.scalars(select(Project.year))), reverse=True)


@dataclass(frozen=True)
class Overview:
    units: int
    units_done: int  # every project submitted
    expected: int
    counts: dict[str, int]
    coverage: Decimal  # percent, two decimals
    grades: dict[str, int]


def overview(rows: list[Status]) -> Overview:
    counts = Counter(s.state for s in rows)
    by_unit: dict[int, list[Status]] = {}
    for s in rows:
        by_unit.setdefault(s.unit.id, []).append(s)
    done = sum(all(s.state == "已提交" for s in group) for group in by_unit.values())
    coverage = quantize(Decimal(counts["已提交"]) * HUNDRED / len(rows), 2) if rows else Decimal("0.00")
    grades = Counter(s.submitted.grade for s in rows if s.submitted is not None and s.submitted.grade)
    return Overview(len(by_unit), done, len(rows), {k: counts.get(k, 0) for k in STATES}, coverage,
                    {g: grades.get(g, 0) for g in GRADES})


def grade_chart(grades: dict[str, int]) -> dict:
    """Bars of an inline SVG chart: each grade's count and height (of 120 px)."""
    top = max(grades.values(), default=0) or 1
    return {"bars": [{"grade": g, "count": n, "height": n * 120 // top, "x": 20 + k * 70}
                     for k, (g, n) in enumerate(grades.items())]}


def reminder_list(rows: list[Status], year: int) -> bytes:
    """催报清单 (.xlsx): every project of `year` not yet submitted, with its contacts."""
    from openpyxl import Workbook
    from openpyxl.styles import Font

    wb = Workbook()
    ws = wb.active
    ws.title = "催报清单"
    append_row(ws, ["单位名称", "单位联系人", "项目名称", "项目联系人", "年度", "状态", "最新版本", "错误数"])
    for s in rows:
        if s.state == "已提交":
            continue
        latest = s.latest
        append_row(ws, [s.unit.name, s.unit.contact or "", s.project.name, s.project.contact or "", year, s.state,
                        f"第 {latest.version} 版" if latest else "", latest.errors if latest else None])
    for cell in ws[1]:
        cell.font = Font(bold=True)
    for column, width in zip("ABCDEFGH", (30, 24, 36, 24, 8, 10, 10, 8)):
        ws.column_dimensions[column].width = width
    ws.freeze_panes = "A2"
    ws.auto_filter.ref = f"A1:H{max(ws.max_row, 2)}"
    buffer = io.BytesIO()
    wb.save(buffer)
    return buffer.getvalue()
