"""The workbook as a whole: its sheets in order, their titles, the layout mark; saving it.

`build_workbook` puts 填表说明 first, then one sheet per evaluation
(departments first), each written by `SheetWriter`; the sheets share one
style cache, since style indexes belong to the workbook. `write_workbook`
saves it atomically.
"""

from __future__ import annotations

from io import BytesIO
from pathlib import Path

from openpyxl import Workbook
from openpyxl.workbook.defined_name import DefinedName

from scoring.outputs.files import write_bytes_atomic
from scoring.outputs.workbook.instructions import INSTRUCTIONS_TITLE, write_instructions
from scoring.outputs.workbook.sheet import SheetWriter
from scoring.sources.templates import DEFAULT_FILL_IN, Template
from scoring.sources.workbook.layout import DEFINED_NAME, LAYOUT_VERSION


def write_workbook(evaluations: list[dict], path: str | Path, *, template: Template | None = None) -> Path:
    """Write one fill-in workbook for a unit: 填表说明, then a sheet per evaluation.

    Args:
        evaluations: evaluation dicts as `instantiate`, `import_target_table` or the
            YAML loader produce them (actuals may be empty). Departments come first.
        path: the .xlsx to write; written atomically (a crash leaves no half file).
        template: the indicator template, for which cells the unit fills in
            (`fill_in`); by default every usual fill-in cell is open.

    Returns:
        The path written.
    """
    buffer = BytesIO()
    build_workbook(evaluations, template=template).save(buffer)
    return write_bytes_atomic(path, buffer.getvalue())


def build_workbook(evaluations: list[dict], *, template: Template | None = None) -> Workbook:
    """The workbook `write_workbook` saves (tests fill it in before saving)."""
    fill_in = frozenset(template.fill_in if template is not None else DEFAULT_FILL_IN)
    ordered = sorted(evaluations, key=lambda e: e.get("kind") != "department")  # stable
    wb = Workbook()
    write_instructions(wb.active, ordered)
    used: set[str] = {INSTRUCTIONS_TITLE}
    departments = sum(1 for e in ordered if e.get("kind") == "department")
    styles: dict = {}  # shared by the sheets: style indexes belong to the workbook
    for data in ordered:
        ws = wb.create_sheet(sheet_title(data, used, by_unit=departments > 1))
        SheetWriter(ws, data, fill_in, styles, template).write()
    wb.defined_names[DEFINED_NAME] = DefinedName(DEFINED_NAME, attr_text=f'"{LAYOUT_VERSION}"')
    return wb


_BAD_TITLE = str.maketrans({c: "_" for c in "[]:*?/\\"})


def sheet_title(data: dict, used: set[str], by_unit: bool = False) -> str:
    """部门整体 (the unit's name when there are several), or the project's name:
    at most 31 characters, unique, no []:*?/\\."""
    if data.get("kind") == "department":
        base = str(data.get("unit") or "部门整体") if by_unit else "部门整体"
    else:
        base = str(data.get("project") or "项目")
    base = base.translate(_BAD_TITLE).strip("' ") or "项目"
    title, n = base[:31], 1
    while title.casefold() in {u.casefold() for u in used}:
        n += 1
        suffix = f"({n})"
        title = base[: 31 - len(suffix)] + suffix
    used.add(title)
    return title
