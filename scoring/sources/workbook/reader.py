"""Reading evaluations from spreadsheets: the generated workbook and free-form sheets.

Every sheet is read by its content, never by its name or position: the
indicator table is the block under a header row holding 三级指标, 年度指标值,
实际完成值 and 分值 (columns in any order); the funds block, 资金管理情况,
goals and tasks are found by their own header labels above it; unit, year and
project by their labels (单位名称, 评价年度, 项目名称 …). So sheets may be
renamed and reordered, rows inserted or deleted, and a unit's own spreadsheet
laid out like the official table is read too. A sheet written by
`scoring.outputs.workbook.write_workbook` also carries a hidden JSON cell (kind,
template, rounding, settings) and may carry a hidden 评分规则 column.

Cells are read as people and spreadsheet programs leave them: numbers typed as
text (全角 digits, ideographic spaces, thousands separators, 万元), percent
cells holding 0.85, formulas (their cached values), merged cells, dates,
.xls files (through python-calamine). Every problem is collected, each with its
sheet and cell and what to type instead; the file is only ever read.

In a free-form sheet a printed 得分 column becomes each row's `printed_score`
(偏差度 → `printed_deviation`, the 总分 row → `printed_total`), so the usual
printed-vs-computed check reports the differences; where a row needs an
evaluator's judgement (a qualitative row not fully met), the printed 得分 is
that judgement.

This module holds the entry points and what concerns the workbook as a whole
(facts one sheet takes from another, validation, the sheet's words in the
engine's hints); the reading itself is layered below it: `grid` (files →
cells), `cells` (cell values), `labels` (the header vocabulary), `blocks`
and `indicators` (the parts of a sheet), `shares` (blank weights sharing
their group's), `sheet` (one sheet).
"""

from __future__ import annotations

import datetime as _dt
from dataclasses import dataclass, field, replace
from pathlib import Path

from pydantic import ValidationError

from scoring.core import model
from scoring.core.issues import Issue, Location, ScoringError
from scoring.core.numbers import plain
from scoring.core.parse import parse_indicator
from scoring.core.score import score_indicator
from scoring.sources.loader import validation_issues

# ------------------------------------------------------------ one sheet


@dataclass
class WorkbookSource:
    """Key path → cell of one sheet: what `SourceMap` is for a YAML file."""

    file: str
    sheet: str
    cells: dict[str, str] = field(default_factory=dict)

    def locate(self, path: str) -> Location:
        probe = path
        while probe:
            if probe in self.cells:
                return Location(self.file, path, sheet=self.sheet, cell=self.cells[probe])
            cut = max(probe.rfind("."), probe.rfind("["))
            probe = probe[:cut] if cut > 0 else ""
        return Location(self.file, path, sheet=self.sheet, cell=self.cells.get("", "A1"))


@dataclass
class WorkbookEvaluation:
    """One sheet read: the evaluation as plain data (None when the sheet is unusable),
    where each value came from, and the problems found while reading."""

    sheet: str
    data: dict | None
    source: WorkbookSource
    issues: list[Issue]
    generated: bool = False  # written by jixiao (the hidden settings cell was found)
    substituted: frozenset[str] = frozenset()  # key paths of unusable cells, already reported


# ---------------------------------------------------------- the workbook


def read_workbook(path: str | Path) -> list[WorkbookEvaluation]:
    """Every evaluation in a workbook: one per sheet that holds an indicator table.

    Sheets without one (填表说明, notes) are passed over. The file is only read.

    Raises:
        ScoringError: the file is missing, not a spreadsheet, or holds no
            evaluation sheet at all.
    """
    # imported here, so that importing this module (review sheets, scored copies, documents) does not load openpyxl
    from scoring.sources.workbook.grid import load_grids
    from scoring.sources.workbook.sheet import SheetReader, find_header, find_meta, mentions_level3

    file = str(path)
    grids = load_grids(path)
    found: list[WorkbookEvaluation] = []
    for grid in grids:
        header = find_header(grid)
        meta, meta_at = find_meta(grid)
        if header is None and meta is None and not mentions_level3(grid):
            continue
        reader = SheetReader(grid, file)
        if meta == {}:
            reader.problem(*meta_at, "", "隐藏的 jixiao 设置单元格已损坏",
                           "请用 jixiao workbook 重新生成本表；否则按默认设置计分", "warning")
        data = reader.read(header, meta, meta_at)
        found.append(WorkbookEvaluation(grid.title, data, WorkbookSource(file, grid.title, reader.cells),
                                        reader.issues, reader.generated, frozenset(reader.substituted)))
    if not found:
        names = "、".join(g.title for g in grids) or "（无）"
        raise ScoringError(f"{file}：没有找到自评表（含“三级指标”“年度指标值”“实际完成值”“分值”列的工作表）；"
                           f"工作表：{names}")
    _complete(found)
    return found


def finish(found: list[WorkbookEvaluation]) -> list[SheetEvaluation]:
    """Sheets read by another reader (a Word or PDF table as a grid): completed and validated
    as a workbook's sheets are."""
    _complete(found)
    return [_validated(item) for item in found]


def _complete(found: list[WorkbookEvaluation]) -> None:
    """Header facts a sheet lacks come from the workbook's other sheets (one unit, one
    year); what is still missing is reported, with a stand-in so the rest is checked."""
    units = [w.data["unit"] for w in found if w.data and w.data.get("unit")]
    years = [w.data["year"] for w in found if w.data and w.data.get("year")]
    for item in found:
        data = item.data
        if data is None:
            continue
        missing = []
        if not data.get("unit"):
            if units:
                data["unit"] = units[0]
            else:
                missing.append(("unit", "单位名称", "（未填写）"))
        if not data.get("year"):
            if years:
                data["year"] = years[0]
            elif "year" not in item.substituted:
                missing.append(("year", "评价年度", _dt.date.today().year))
        if data["kind"] == "project" and not data.get("project"):
            missing.append(("project", "项目名称", item.sheet))
        for key, what, stand_in in missing:
            data[key] = stand_in
            cell = item.source.cells.get(key, "A1")
            item.issues.append(Issue(Location(item.source.file, key, sheet=item.sheet, cell=cell),
                                     f"表中找不到{what}", f"请在表头填写“{what}”及其内容"))
            item.substituted = item.substituted | {key}
        if not data.get("year"):
            data["year"] = _dt.date.today().year
        _ordered(data)
        if not item.generated:
            _adopt_printed_judgements(item)


_ORDER = ("kind", "unit", "year", "project", "project_code", "supervisor", "implementer", "template",
          "rounding", "settings", "funding", "funds_management", "goals", "tasks", "indicators", "printed_total")


def _ordered(data: dict) -> None:
    items = sorted(data.items(), key=lambda kv: _ORDER.index(kv[0]) if kv[0] in _ORDER else 99)
    data.clear()
    data.update(items)


def _adopt_printed_judgements(item: WorkbookEvaluation) -> None:
    """A row that needs an evaluator's judgement takes the printed 得分 as that judgement."""
    data = item.data
    try:
        settings = model.Settings.model_validate(data.get("settings") or {})
        rounding = model.Rounding.model_validate(data.get("rounding") or {})
    except ValidationError:
        return
    for i, row in enumerate(data.get("indicators", [])):
        printed = row.get("printed_score")
        if printed is None or "score" in row:
            continue
        try:
            ind = model.Indicator.model_validate(row)
            parsed = parse_indicator(ind, i)
            result, issues = score_indicator(parsed, settings, rounding, data["year"])
            if result.status != "error":
                continue
            taken = min(printed, ind.weight)  # a judgement printed above the weight counts as full
            judged = parsed._replace(indicator=ind.model_copy(update={"score": taken}))
            result, issues = score_indicator(judged, settings, rounding, data["year"])
        except (ValidationError, ValueError, ArithmeticError):
            continue
        if result.status == "judged" and not any(i.severity == "error" for i in issues):
            row["score"] = taken  # a judgement outside its band is taken, and warned about when scored
            over = f"（超过分值，按分值 {plain(taken)} 计）" if taken != printed else ""
            item.issues.append(Issue(item.source.locate(f"indicators[{i}].printed_score"),
                                     f"三级指标“{row['level3']}”需要评价人判定得分，已采用表中的得分 {plain(printed)}{over}",
                                     "", "info"))


# ------------------------------------------------------------- scoring


def load_evaluations(path: str | Path) -> list[SheetEvaluation]:
    """Every evaluation of a workbook, validated: what `loader.load_evaluation` gives for
    one YAML file, once per sheet (validation errors mapped to their cells).

    Raises:
        ScoringError: the file is missing, not a spreadsheet, or holds no evaluation.
    """
    return [_validated(item) for item in read_workbook(path)]


@dataclass(frozen=True, slots=True)
class SheetEvaluation:
    """One evaluation sheet, validated, and what reading it found."""

    evaluation: model.Evaluation | None
    source: WorkbookSource
    issues: list[Issue]
    item: WorkbookEvaluation

    def sheet_issues(self, issues: tuple[Issue, ...]) -> tuple[Issue, ...]:
        """The issues of scoring this sheet as a workbook user reads them: without those
        that only echo a cell the reader already reported, and in the columns' words."""
        return tuple(_for_sheets(i) for i in issues if not _consequence(i, self.item))


def _validated(item: WorkbookEvaluation) -> SheetEvaluation:
    issues = list(item.issues)
    if item.data is None:
        return SheetEvaluation(None, item.source, issues, item)
    try:
        return SheetEvaluation(model.Evaluation.model_validate(item.data), item.source, issues, item)
    except ValidationError as exc:
        return SheetEvaluation(None, item.source, issues + validation_issues(exc, item.source), item)


# The engine's hints name YAML keys; in a workbook the columns have Chinese names.
_SHEET_WORDS = (("判定得分 score", "“判定得分”"), ("请填写 reason：", "请在“偏差原因分析及改进措施”中"),
                ("请在 reason 中", "请在“偏差原因分析及改进措施”中"), ("请填写 actual", "请填写实际完成值"))


def _for_sheets(issue: Issue) -> Issue:
    hint, message = issue.hint, issue.message
    for old, new in _SHEET_WORDS:
        hint, message = hint.replace(old, new), message.replace(old, new)
    return issue if (hint, message) == (issue.hint, issue.message) else replace(issue, hint=hint, message=message)


def _consequence(issue: Issue, item: WorkbookEvaluation) -> bool:
    """A scoring issue that only echoes a cell the reader already reported (and stood in for)."""
    if issue in item.issues:
        return False
    path = issue.location.path
    if path in item.substituted:
        return True
    return path == "indicators" and issue.message.startswith("分值合计") and any(
        p.endswith(".weight") for p in item.substituted)
