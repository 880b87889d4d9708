"""The year's set-up: the 单位项目清单 workbook (its blank template, and importing it)
and the 催报清单 of units and projects still missing or with errors.

`blank_setup` is the template the server gives out: one sheet 单位项目清单 with the
columns 单位名称, 联系人, 项目名称, 模板, 年度, and a sheet 填写说明 in Chinese.
`import_setup` reads a filled-in copy (.xlsx, .xls or .ods, opened within the
hostile-file limits by `sources.workbook.grid`), checks every row and names each
problem at its sheet and cell; when there is any error nothing is imported. Otherwise
units and projects are created (a unit or project already there is kept: importing
the same list twice changes nothing; a changed contact or template is updated).
"""

from __future__ import annotations

import io
import re
import unicodedata
from dataclasses import dataclass, field
from pathlib import Path

from sqlalchemy import select
from sqlalchemy.orm import Session

from scoring.core.issues import ScoringError
from scoring.outputs.xlsx import append_row
from scoring.server.accounts import audit
from scoring.server.models import Project, Unit, now
from scoring.sources.templates import load_template, shipped_templates
from scoring.sources.workbook.grid import coord, load_grids

SHEET = "单位项目清单"
COLUMNS = ("单位名称", "联系人", "项目名称", "模板", "年度")
MAX_ROWS = 20_000  # projects in one list (a city has 50–200 units of 5–30 projects)
INSTRUCTIONS = (
    "单位项目清单填写说明",
    "",
    "1. 在“单位项目清单”工作表中每行填写一个项目：单位名称、联系人（姓名和电话）、项目名称、模板、年度。",
    "2. 一个单位有几个项目就填几行，单位名称每行都要填写，且写法一致。",
    "3. “模板”填写 jixiao 的指标模板名称，可用的模板见本表下方；不清楚时填 henan_project。",
    "4. “年度”填写评价的年度，如 2024。",
    "5. 不要改动第一行的列名；可以增加行，不要合并单元格。",
    "6. 由管理员在服务器的“年度项目清单”页面上传，或在服务器上运行 jixiao server import-setup 本文件。",
    "   有错误时不导入任何一行，页面列出每个错误所在的单元格；改正后重新上传即可。",
    "7. 再次导入同一份清单不会重复建立单位和项目；联系人或模板改了的，按新清单更新。",
    "",
    "可用的模板：",
)


@dataclass
class SetupResult:
    problems: list[str] = field(default_factory=list)  # each names its sheet and cell
    units_new: int = 0
    projects_new: int = 0
    updated: int = 0
    unchanged: int = 0

    @property
    def ok(self) -> bool:
        return not self.problems


def project_templates() -> dict[str, str]:
    """Shipped project templates: name → title (the only names a set-up may use: no path
    ever comes from a file or a request)."""
    found = {}
    for path in shipped_templates():
        loaded = load_template(path)
        if loaded.ok and loaded.template.kind == "project":
            found[path.stem] = loaded.template.title
    return found


def blank_setup() -> bytes:
    from openpyxl import Workbook
    from openpyxl.styles import Font

    wb = Workbook()
    ws = wb.active
    ws.title = SHEET
    append_row(ws, list(COLUMNS))
    append_row(ws, ["（示例，请删除）某某市交通运输局", "张三 0371-12345678", "农村公路养护项目", "henan_project", 2024])
    for cell in ws[1]:
        cell.font = Font(bold=True)
    for column, width in zip("ABCDE", (32, 24, 36, 20, 8)):
        ws.column_dimensions[column].width = width
    ws.freeze_panes = "A2"
    notes = wb.create_sheet("填写说明")
    for line in INSTRUCTIONS:
        append_row(notes, [line])
    for name, title in project_templates().items():
        append_row(notes, [f"    {name}：{title}"])
    notes.column_dimensions["A"].width = 100
    buffer = io.BytesIO()
    wb.save(buffer)
    return buffer.getvalue()


def _text(value: object) -> str:
    if value is None:
        return ""
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    return unicodedata.normalize("NFKC", str(value)).strip()


def read_setup(path: Path, shown: str) -> tuple[list[tuple[str, str, str, str, int]], list[str]]:
    """The rows of the list and the problems, each at its sheet and cell."""
    grids = load_grids(path)
    grid = next((g for g in grids if g.title.strip() == SHEET), None)
    if grid is None:
        raise ScoringError(f"{shown}：找不到工作表“{SHEET}”；请使用服务器提供的单位项目清单模板。")
    header = {_text(grid.raw(0, c)): c for c in range(grid.width)}
    missing = [name for name in COLUMNS if name not in header]
    if missing:
        raise ScoringError(f"{shown}：工作表“{SHEET}”第 1 行缺少列：{'、'.join(missing)}；请使用服务器提供的模板。")
    if len(grid.rows) > MAX_ROWS + 1:
        raise ScoringError(f"{shown}：项目超过 {MAX_ROWS} 行，请分几份导入。")
    templates = project_templates()
    rows, problems, seen = [], [], {}
    for r in range(1, len(grid.rows)):
        values = {name: _text(grid.value(r, header[name])) for name in COLUMNS}
        if not any(values.values()) or values["单位名称"].startswith("（示例"):
            continue

        def problem(column: str, message: str) -> None:
            problems.append(f"{shown}:'{grid.title}'!{coord(r, header[column])}：{message}")

        unit, contact, project, template, year = (values[name] for name in COLUMNS)
        if not unit or len(unit) > 100 or any(unicodedata.category(ch).startswith("C") for ch in unit):
            problem("单位名称", "单位名称须为 1–100 个可见字符")
        if not project or len(project) > 300:
            problem("项目名称", "项目名称须为 1–300 个字符")
        if len(contact) > 200:
            problem("联系人", "联系人不超过 200 个字符")
        if template not in templates:
            problem("模板", f"没有名为“{template}”的项目模板；可用：{'、'.join(templates)}")
        if not re.fullmatch(r"20\d\d", year):
            problem("年度", f"年度“{year}”应为四位数字，如 2024")
        key = (unit, project, year)
        if key in seen:
            problem("项目名称", f"与第 {seen[key]} 行重复（同一单位、同一年度的同名项目）")
        seen.setdefault(key, r + 1)
        if unit and project and template in templates and re.fullmatch(r"20\d\d", year):
            rows.append((unit, contact, project, template, int(year)))
    if not rows and not problems:
        problems.append(f"{shown}:'{grid.title}'!A2：清单中没有项目；请从第 2 行起每行填写一个项目。")
    return rows, problems


def import_setup(db: Session, path: Path, shown: str, by, source: str) -> SetupResult:
    """Import the list at `path`; nothing is changed when it has any problem."""
    rows, problems = read_setup(path, shown)
    result = SetupResult(problems)
    if problems:
        return result
    units = {u.name: u for u in db.scalars(select(Unit))}
    for unit_name, contact, name, template, year in rows:
        unit = units.get(unit_name)
        if unit is None:
            unit = units[unit_name] = Unit(name=unit_name, contact=contact, created=now())
            db.add(unit)
            db.flush()
            result.units_new += 1
        elif contact and not unit.contact:
            unit.contact = contact
        project = db.scalar(select(Project).where(Project.unit_id == unit.id, Project.year == year,
                                                  Project.name == name))
        if project is None:
            db.add(Project(unit_id=unit.id, year=year, name=name, template=template, contact=contact,
                           created=now()))
            result.projects_new += 1
        elif (project.template, project.contact) != (template, contact):
            project.template, project.contact = template, contact
            result.updated += 1
        else:
            result.unchanged += 1
    audit(db, by, "setup_import", shown, source,
          f"新单位 {result.units_new} 个，新项目 {result.projects_new} 个，更新 {result.updated} 个，"
          f"未变 {result.unchanged} 个")
    db.commit()
    return result
