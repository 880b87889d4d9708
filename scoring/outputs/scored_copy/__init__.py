"""The scored copy (`jixiao score FILE -o 已计分.xlsx`): the user's own sheets, with the results and problems in them.

Finance staff type their figures into a workbook; the copy shows them, in that same
workbook, what jixiao computed and where each problem is:

- right of everything a sheet holds, three added columns: 计算得分 (each row's score,
  the funds score, each 资金管理情况 score, the total on the 总分 row), 计算偏差度 (each
  row's deviation in percent; 计算执行率 on the funds rows; the grade on the 总分 row) and
  问题说明 (every problem of the row, with its cell), each with a header on the header
  rows, which are found by their labels (`plan`); no cell the user typed is overwritten;
- each cell with a problem filled (red for an error, orange for a warning) and carrying
  a comment in Chinese that says what is wrong and what to type (a note: comment only).

The input is only ever read, and the copy is always an .xlsx. An .xlsx is copied part
by part with only the changed parts edited (`ooxml`): its sheets, layout, styles,
formulas, drop-down lists, comments, pictures and charts stay as they were (a
macro-enabled workbook loses its macros). An .xls or an .ods is rebuilt from its
cells' values (`rebuild`): values, merged ranges and percent formats are kept, the
formatting is not. A YAML evaluation file becomes the fill-in workbook
(`scoring.outputs.workbook`) with the results and problems added, each problem at
the cell of the value it concerns.
"""

from __future__ import annotations

import os
import re
import tempfile
from dataclasses import dataclass
from io import BytesIO
from pathlib import Path

from scoring.core.issues import Issue, Location, ScoringError
from scoring.outputs.files import write_bytes_atomic
from scoring.outputs.scored_copy.ooxml import Unpatchable, patch
from scoring.outputs.scored_copy.plan import plan_sheet
from scoring.outputs.scored_copy.rebuild import from_grids, ods_merges
from scoring.outputs.workbook import build_workbook
from scoring.pipeline import Scored
from scoring.sources.archive import open_zip
from scoring.sources.detect import file_kind
from scoring.sources.loader import load_yaml
from scoring.sources.workbook.grid import load_grids
from scoring.sources.workbook.reader import WorkbookSource, read_workbook
from scoring.sources.workbook.scan import WHAT


@dataclass(frozen=True, slots=True)
class ScoredCopy:
    path: Path
    kept: bool  # the user's own workbook, layout and formatting kept (False: rebuilt from values)
    kind: str  # what the input was: yaml, xlsx, xls, ods


def write_scored_copy(source: str | Path, scored: list[Scored], out: str | Path) -> ScoredCopy:
    """Write the scored copy of `source`, whose evaluations `scored` are, to `out` (an .xlsx).

    Raises:
        ScoringError: `out` is the input itself, or a YAML file too broken to lay out.
    """
    source, out = Path(source), Path(out)
    if _same(source, out):
        raise ScoringError(f"计分副本不能写到原文件 {source} 上：请用 -o 给出另一个文件名，如 已计分.xlsx")
    kind = file_kind(source)
    if kind == "yaml":
        data = _from_yaml(source, scored[0])
        kept = True
    else:
        data, kept = _from_workbook(source, scored, kind)
    return ScoredCopy(write_bytes_atomic(out, data), kept, kind)


def copy_path(source: str | Path, out: str | Path) -> Path:
    """Where `-o OUT` writes: OUT as an .xlsx (已计分 → 已计分.xlsx, 已计分.xls → 已计分.xlsx),
    or, when OUT is a folder, 原名_已计分.xlsx in it."""
    source, out = Path(source), Path(out)
    if _same(source, out):  # -o 原件.xls: refused as the input itself, not written over 原件.xlsx beside it
        return out
    if out.is_dir():
        return out / f"{source.stem}_已计分.xlsx"
    if out.suffix.lower() == ".xlsx":
        return out
    if out.suffix.lower() in (".xls", ".xlsm", ".xlsb", ".ods", ".et", ".yaml", ".yml"):
        return out.with_suffix(".xlsx")
    return out.with_name(out.name + ".xlsx")


def _same(source: Path, out: Path) -> bool:
    if out.resolve() == source.resolve():
        return True
    try:
        return out.exists() and os.path.samefile(source, out)
    except OSError:
        return False


def _from_workbook(source: Path, scored: list[Scored], kind: str) -> tuple[bytes, bool]:
    grids = load_grids(source)
    by_title = {grid.title: grid for grid in grids}
    plans = [plan_sheet(s.source.sheet, by_title.get(s.source.sheet), s.source.cells, s.result, s.issues)
             for s in scored if getattr(s.source, "sheet", None) is not None]
    if kind == "xlsx":
        with open_zip(source, WHAT):  # its parts measured against the limits, as when it was read
            pass
        try:
            return patch(source.read_bytes(), plans), True
        except Unpatchable:
            pass  # parts this cannot edit in place: rebuilt from the values, as an .xls is
    data, titles = from_grids(grids, ods_merges(source) if kind == "ods" else None)
    for plan in plans:
        plan.title = titles.get(plan.title, plan.title)
    return patch(data, plans), False


def _from_yaml(source: Path, scored: Scored) -> bytes:
    """The evaluation as the fill-in workbook, each problem moved from its line to its cell."""
    if scored.evaluation is None or scored.result is None:
        raise ScoringError(f"{source}：评价文件有错误（见上），无法排成工作簿，未写出计分副本；请先修改这些错误")
    data, _, _ = load_yaml(source)
    buffer = _saved(build_workbook([data]))
    with tempfile.TemporaryDirectory() as tmp:
        laid_out = Path(tmp) / "layout.xlsx"
        laid_out.write_bytes(buffer)
        item = next((i for i in read_workbook(laid_out) if i.data is not None), None)
        if item is None:  # pragma: no cover - the fill-in workbook of a valid evaluation reads back
            raise ScoringError(f"{source}：无法排成工作簿，未写出计分副本；请报告此问题")
        grid = next(g for g in load_grids(laid_out) if g.title == item.sheet)
    cells = _by_yaml_index(item.source.cells, item.data["indicators"], scored.evaluation.indicators)
    where = WorkbookSource(str(source), item.sheet, cells)
    issues = [_at_cell(issue, where) for issue in scored.issues]
    plan = plan_sheet(item.sheet, grid, cells, scored.result, issues)
    return patch(buffer, [plan])


def _saved(wb) -> bytes:
    buffer = BytesIO()
    wb.save(buffer)
    return buffer.getvalue()


_INDEX = re.compile(r"^indicators\[(\d+)\]")


def _by_yaml_index(cells: dict[str, str], laid_out: list[dict], rows) -> dict[str, str]:
    """The laid-out sheet's cell map with its indicator rows numbered as in the YAML file
    (matched in order by their 三级指标, should the layout have left one out)."""
    mapping: dict[int, int] = {}
    j = 0
    for i, row in enumerate(rows):
        k = next((k for k in range(j, len(laid_out)) if laid_out[k].get("level3") == row.level3), None)
        if k is not None:
            mapping[k] = i
            j = k + 1
    renumbered = {}
    for key, cell in cells.items():
        m = _INDEX.match(key)
        if m is None:
            renumbered[key] = cell
        elif int(m[1]) in mapping:
            renumbered[f"indicators[{mapping[int(m[1])]}]{key[m.end():]}"] = cell
    return renumbered


def _at_cell(issue: Issue, where: WorkbookSource) -> Issue:
    at = where.locate(issue.location.path)
    loc = Location(issue.location.file, issue.location.path, issue.location.line, issue.location.column,
                   sheet=at.sheet, cell=at.cell)
    return Issue(loc, issue.message, issue.hint, issue.severity)


__all__ = ["ScoredCopy", "copy_path", "write_scored_copy"]
