"""The year's set-up from target tables (项目绩效目标表), as the budget stage leaves them:
each table's unit (from its title, or given when the title names none), its projects
with their indicators and targets, all under one template (default central_project).

`import_targets` reads one or several tables (.xlsx, .xls or .ods, by content, within
the hostile-file limits, through `sources.targettable`), names every problem at its
file, sheet and cell, and imports nothing while there is one. Otherwise units and
projects are created; a project already there is updated when its template or targets
changed, else left alone, so importing the same tables twice changes nothing. The
project keeps the table's evaluation awaiting actuals (`Project.targets`, JSON), from
which `evaluation_of` makes its fill-in workbook, so a unit fills in the targets it set.
"""

from __future__ import annotations

import json
from decimal import Decimal
from pathlib import Path

from sqlalchemy import select
from sqlalchemy.orm import Session

from scoring.core.issues import Issue
from scoring.server.accounts import audit
from scoring.server.models import Project, Unit, now
from scoring.server.setup import SetupResult, project_templates
from scoring.sources.instantiate import instantiate
from scoring.sources.targettable import import_target_table, read_target_table
from scoring.sources.templates import require_template
from scoring.sources.workbook.roles import workbook_role

DEFAULT_TEMPLATE = "central_project"


def is_target_table(path: Path) -> bool:
    """Whether a workbook is a target table (indicators with targets, no actuals), by content."""
    return workbook_role(path) == "targets"


def _encode(value):
    if isinstance(value, Decimal):
        return {"$decimal": str(value)}
    if isinstance(value, dict):
        return {k: _encode(v) for k, v in value.items()}
    if isinstance(value, list):
        return [_encode(v) for v in value]
    return value


def _decode(value):
    if isinstance(value, dict):
        if set(value) == {"$decimal"}:
            return Decimal(value["$decimal"])
        return {k: _decode(v) for k, v in value.items()}
    if isinstance(value, list):
        return [_decode(v) for v in value]
    return value


def set_targets(project: Project) -> dict[str, str]:
    """三级指标 → 年度指标值 as the project's target table set them (empty without one)."""
    if not project.targets:
        return {}
    data = _decode(json.loads(project.targets))
    return {i["level3"]: str(i["target"]) for i in data.get("indicators", ()) if i.get("level3") and i.get("target")}


def evaluation_of(project: Project, template) -> dict:
    """The evaluation a project's fill-in workbook is made from: its target table's, with
    the targets set, or the template's blank rows."""
    names = {"unit": project.unit.name, "year": project.year, "project": project.name}
    if not project.targets:
        return instantiate(template, **names)[0]
    data = _decode(json.loads(project.targets))
    if data.get("template") != template.name:  # a later 单位项目清单 gave it another template
        rows = [{k: i.get(k) or "" for k in ("level1", "level2", "level3", "target")} for i in data["indicators"]]
        again, _ = instantiate(template, rows=rows, placeholders=False, **names)
        if "funding" in again and "funding" in data:
            again["funding"]["initial_budget"] = data["funding"].get("initial_budget")
        again.update({k: data[k] for k in ("project_code", "goals") if k in data})
        return again
    return {**data, **names}


def _at(shown: str, issue: Issue) -> str:
    where = issue.location
    cell = f":'{where.sheet}'!{where.cell}" if where.sheet and where.cell else ""
    hint = f"（{issue.hint}）" if issue.hint else ""
    return f"{shown}{cell}：{issue.message}{hint}"


def read_targets(files: list[tuple[Path, str]], template: str, unit: str | None = None,
                 year: int | None = None) -> tuple[list[dict], list[str]]:
    """The evaluations of every project of the tables, and the problems (errors), each at
    its file, sheet and cell. `files` are (path, name shown)."""
    templates = project_templates()
    if template not in templates:
        return [], [f"没有名为“{template}”的项目模板；可用：{'、'.join(templates)}"]
    loaded = require_template(template)
    evaluations, problems = [], []
    for path, shown in files:
        table, issues = read_target_table(path)
        if table is None:
            problems += [f"{shown}：不是项目绩效目标表：{i.message}（{i.hint}）" for i in issues]
            continue
        if not (unit or table.unit):
            problems.append(f"{shown}:'{table.sheet}'!A1：表的标题中没有单位名称；请在页面的“单位名称”中填写"
                            "（命令行用 --unit），或在表头上方写明“单位名称：…”")
            continue
        if not (year or table.year):
            problems.append(f"{shown}:'{table.sheet}'!A1：表的标题中没有年度；请在页面的“年度”中填写"
                            "（命令行用 --year），或在表头上方写明“年度：2024”")
            continue
        found, issues = import_target_table(path, loaded, unit or table.unit, year or table.year)
        problems += [_at(shown, i) for i in issues if i.severity == "error"]
        if not found:
            problems.append(f"{shown}:'{table.sheet}'!A1：表中没有带绩效指标的项目")
        names = [e["project"] for e in found]
        problems += [f"{shown}：项目“{n}”在表中出现不止一次" for n in sorted(set(names)) if names.count(n) > 1]
        evaluations += found
    keys = [(e["unit"], e["year"], e["project"]) for e in evaluations]
    problems += [f"项目“{k[2]}”（{k[0]}，{k[1]} 年度）在几张目标表中重复" for k in sorted(set(keys)) if keys.count(k) > 1]
    return evaluations, problems


def import_targets(db: Session, files: list[tuple[Path, str]], template: str, by, source: str,
                   unit: str | None = None, year: int | None = None) -> SetupResult:
    """Import the target tables; nothing is changed when any has a problem."""
    evaluations, problems = read_targets(files, template, unit, year)
    result = SetupResult(problems)
    if problems:
        return result
    units = {u.name: u for u in db.scalars(select(Unit))}
    for data in evaluations:
        unit_row = units.get(data["unit"])
        if unit_row is None:
            unit_row = units[data["unit"]] = Unit(name=data["unit"], contact="", created=now())
            db.add(unit_row)
            db.flush()
            result.units_new += 1
        targets = json.dumps(_encode(data), ensure_ascii=False, sort_keys=True)
        project = db.scalar(select(Project).where(Project.unit_id == unit_row.id, Project.year == data["year"],
                                                  Project.name == data["project"]))
        if project is None:
            db.add(Project(unit_id=unit_row.id, year=data["year"], name=data["project"], template=template,
                           contact="", targets=targets, created=now()))
            result.projects_new += 1
        elif (project.template, project.targets) != (template, targets):
            project.template, project.targets = template, targets
            result.updated += 1
        else:
            result.unchanged += 1
    audit(db, by, "setup_import", "、".join(shown for _, shown in files)[:300], source,
          f"目标表 {len(files)} 张，模板 {template}：新单位 {result.units_new} 个，新项目 {result.projects_new} 个，"
          f"更新 {result.updated} 个，未变 {result.unchanged} 个")
    db.commit()
    return result
