"""Budget-stage target tables (项目绩效目标表) → one evaluation per project.

The spreadsheet holds, per indicator row: 项目编号, 项目名称, 资金总额（万元）,
年度目标, 一级指标, 二级指标, 三级指标, 指标值 (columns in any order; the header
row is found by its labels, not by position). Project cells are usually written
once and merged down over the project's rows, and 一级/二级 cells likewise:
merged and blank cells take the value above. The file is only read.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass, field
from decimal import Decimal
from pathlib import Path

from scoring.core.issues import Issue, Location, ScoringError
from scoring.core.numbers import D
from scoring.sources.instantiate import instantiate
from scoring.sources.templates import Template
from scoring.sources.workbook.indicators import NATURE_HINT, join_split, nature_operator

HEADERS = {
    "code": ("项目编号", "项目编码", "单位编码(项目编号)", "项目代码"),
    "project": ("项目名称", "项目单位(项目名称)"),
    "amount": ("资金总额", "资金总额(万元)", "年度资金总额", "项目金额", "项目金额(万元)", "金额(万元)"),
    "goal": ("年度目标", "年度总体目标", "绩效目标"),
    "level1": ("一级指标",),
    "level2": ("二级指标",),
    "level3": ("三级指标",),
    "target": ("指标值", "年度指标值", "目标值"),
    # the platforms export a target over three cells: 指标性质 | 指标值 | 度量单位
    "nature": ("指标性质", "指标方向", "计算符号", "运算符号", "指标值性质"),
    "measure": ("度量单位", "计量单位", "指标单位"),
}
REQUIRED = ("project", "level1", "level3", "target")
FILL_DOWN = ("code", "project", "amount", "goal")


def _label(value: object) -> str:
    text = unicodedata.normalize("NFKC", str(value or ""))
    return re.sub(r"\s+", "", text)


@dataclass
class ProjectTargets:
    code: str
    name: str
    amount: Decimal | None
    goal: str
    rows: list[dict] = field(default_factory=list)
    cell: str = ""


@dataclass
class TargetTable:
    path: Path
    sheet: str
    unit: str | None
    year: int | None
    projects: list[ProjectTargets]


def read_target_table(path: str | Path) -> tuple[TargetTable | None, list[Issue]]:
    """Read the projects and indicator rows of a target table (.xlsx, .xls or .ods, as a
    platform exported it or an office suite saved it; read by content, within the limits).

    Raises:
        ScoringError: the file is missing or not a spreadsheet.
    """
    from openpyxl.utils import get_column_letter

    from scoring.sources.workbook.grid import load_grids

    path = Path(path)
    if not path.exists():
        raise ScoringError(f"找不到文件：{path}")
    for ws in (_GridSheet(grid) for grid in load_grids(path)):
        def value(r: int, c: int, ws=ws) -> object:
            return ws.grid.value(r - 1, c - 1)  # a merged cell's value from its range's top-left

        header_row, columns = _find_header(ws, value)
        if header_row is None:
            continue
        issues: list[Issue] = []
        unit, year = _title_facts(ws, value, header_row)
        projects: list[ProjectTargets] = []
        current: dict[str, object] = {}
        for r in range(header_row + 1, ws.max_row + 1):
            cells = {k: value(r, c) for k, c in columns.items()}
            if all(v is None or str(v).strip() == "" for v in cells.values()):
                continue
            for key in FILL_DOWN + ("level1", "level2"):
                if key in cells and (cells[key] is None or str(cells[key]).strip() == ""):
                    cells[key] = current.get(key)
            new_project = cells.get("project") != current.get("project") or (
                "code" in cells and cells.get("code") != current.get("code"))
            current = cells

            def where(key: str, r=r) -> Location:
                return Location(str(path), sheet=ws.title, cell=f"{get_column_letter(columns[key])}{r}")

            if not cells.get("project"):
                issues.append(Issue(where("project"), "缺少项目名称", "请在第一行填写项目名称（合并单元格亦可）"))
                continue
            if new_project:
                amount = None
                if cells.get("amount") not in (None, ""):
                    try:
                        amount = D(unicodedata.normalize("NFKC", str(cells["amount"])).strip())
                    except ValueError:
                        issues.append(Issue(where("amount"), f"资金总额“{cells['amount']}”不是数字",
                                            "请填写以万元为单位的数字，如 27 或 371.2"))
                projects.append(ProjectTargets(
                    code=_text(cells.get("code")), name=_text(cells["project"]), amount=amount,
                    goal=_text(cells.get("goal")), cell=where("project").cell))
            level3, target = _text(cells.get("level3")), _text(cells.get("target"))
            if target and ("nature" in cells or "measure" in cells):
                try:
                    operator = nature_operator(_text(cells.get("nature")))
                except ValueError:
                    issues.append(Issue(where("nature"), f"三级指标“{level3}”的指标性质“{_text(cells.get('nature'))}”"
                                        "无法识别", NATURE_HINT))
                    continue
                target = join_split(operator, target, _text(cells.get("measure"))) or target
            if not level3 and not target:
                continue
            if not level3:
                issues.append(Issue(where("level3"), f"指标值“{target}”没有三级指标名称", "请填写三级指标"))
                continue
            if not target:
                issues.append(Issue(where("target"), f"三级指标“{level3}”缺少指标值", "请填写年度指标值"))
                continue
            if not cells.get("level1"):
                issues.append(Issue(where("level1"), f"三级指标“{level3}”缺少一级指标", "请填写一级指标"))
                continue
            projects[-1].rows.append({
                "level1": _text(cells["level1"]), "level2": _text(cells.get("level2")),
                "level3": level3, "target": target, "cell": where("level3").cell,
            })
        return TargetTable(path, ws.title, unit, year, projects), issues
    labels = "、".join(h[0] for h in HEADERS.values())
    return None, [Issue(Location(str(path)), "找不到项目绩效目标表的表头行",
                        f"表头应含有这些列名（顺序不限）：{labels}")]


class _GridSheet:
    """A grid with the 1-based size and title the table reading below asks for."""

    def __init__(self, grid):
        self.grid, self.title = grid, grid.title
        self.max_row, self.max_column = len(grid.rows), grid.width


def _text(value: object) -> str:
    if value is None:
        return ""
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    # as typed: 项目名称 keep their full-width brackets; only ideographic spaces go
    return str(value).replace("\u3000", " ").strip()


def _find_header(ws, value) -> tuple[int | None, dict[str, int]]:
    wanted = {_label(a): key for key, aliases in HEADERS.items() for a in aliases}
    for r in range(1, min(ws.max_row, 30) + 1):
        columns: dict[str, int] = {}
        for c in range(1, ws.max_column + 1):
            key = wanted.get(_label(value(r, c)))
            if key and key not in columns:
                columns[key] = c
        if all(k in columns for k in REQUIRED):
            return r, columns
    return None, {}


def _title_facts(ws, value, header_row: int) -> tuple[str | None, int | None]:
    unit = year = None
    for r in range(1, header_row):
        for c in range(1, ws.max_column + 1):
            text = _label(value(r, c))
            if not text:
                continue
            m = re.search(r"(?:单位名称|部门名称|单位)[:：](.+)", text)
            if m and unit is None:
                unit = m.group(1)
            m = re.search(r"(?:年度[:：])?(20\d{2})年?", text)
            if m and year is None:
                year = int(m.group(1))
    return unit, year


def import_target_table(
    path: str | Path, template: Template, unit: str | None = None, year: int | None = None,
) -> tuple[list[dict], list[Issue]]:
    """One evaluation (as plain data, awaiting actuals) per project of the table.

    The project's amount becomes the funds block's 年初预算数; its 年度目标 the
    expected goal. Weights follow the template's rule (see `instantiate`).
    """
    table, issues = read_target_table(path)
    if table is None:
        return [], issues
    unit = unit or table.unit
    year = year or table.year
    if not unit or not year:
        missing = "、".join(x for x, v in (("单位名称", unit), ("年度", year)) if not v)
        issues.append(Issue(Location(str(path), sheet=table.sheet, cell="A1"),
                            f"表中找不到{missing}", "请在表头上方写明“单位名称：…”“年度：2023”，或在命令中用 --unit、--year 指定"))
        return [], issues
    evaluations = []
    for project in table.projects:
        if not project.rows:
            issues.append(Issue(Location(str(path), sheet=table.sheet, cell=project.cell),
                                f"项目“{project.name}”没有任何绩效指标", "请填写三级指标和指标值", "warning"))
            continue
        rows = [{k: v for k, v in row.items() if k != "cell"} for row in project.rows]
        data, found = instantiate(template, unit=unit, year=year, project=project.name, rows=rows,
                                  placeholders=False, where=f"{path}（{project.name}）")
        for issue in found:  # point row problems at their cells
            m = re.match(r"rows\[(\d+)\]", issue.location.path)
            if m:
                cell = project.rows[int(m.group(1))]["cell"]
                issue = Issue(Location(str(path), sheet=table.sheet, cell=cell), issue.message, issue.hint, issue.severity)
            issues.append(issue)
        if project.code:
            data["project_code"] = project.code
        if "funding" in data:
            data["funding"]["initial_budget"] = project.amount
        if project.goal:
            data["goals"] = [{"expected": project.goal, "actual": ""}]
        evaluations.append(_ordered(data))
    if any(i.severity == "error" for i in issues):
        issues += _better_template(table, template, unit, year, path)
    return evaluations, issues


def _better_template(table, template: Template, unit: str, year: int, path) -> list[Issue]:
    """When the table does not fit the chosen template, the shipped template it fits, if any."""
    from scoring.sources.templates import load_template, shipped_templates

    for candidate_path in shipped_templates():
        candidate = load_template(candidate_path).template
        if candidate is None or candidate.name == template.name or candidate.kind != template.kind:
            continue
        fits = all(not any(i.severity == "error" for i in instantiate(
            candidate, unit=unit, year=year, project=project.name, placeholders=False,
            rows=[{k: v for k, v in row.items() if k != "cell"} for row in project.rows])[1])
            for project in table.projects if project.rows)
        if fits:
            return [Issue(Location(str(path), sheet=table.sheet, cell="A1"),
                          f"这张目标表的指标体系不符合模板“{template.title}”（{template.name}），"
                          f"但符合内置模板“{candidate.title}”（{candidate.name}）",
                          f"请改用 --template {candidate.name}")]
    return []


_ORDER = ("kind", "unit", "year", "project", "project_code", "template", "rounding", "settings",
          "funding", "funds_management", "goals", "tasks", "indicators")


def _ordered(data: dict) -> dict:
    return {k: data[k] for k in sorted(data, key=lambda k: _ORDER.index(k) if k in _ORDER else 99)}
