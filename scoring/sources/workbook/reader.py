"""Reading evaluations from spreadsheets: the generated workbook and free-form sheets.

Every sheet is read by its content, never by its name or position: the
indicator table is the block under a header row holding 三级指标, 年度指标值,
实际完成值 and 分值 (columns in any order); the funds block, 资金管理情况,
goals and tasks are found by their own header labels above it; unit, year and
project by their labels (单位名称, 评价年度, 项目名称 …). So sheets may be
renamed and reordered, rows inserted or deleted, and a unit's own spreadsheet
laid out like the official table is read too. A sheet written by
`workbook.write_workbook` also carries a hidden JSON cell (kind, template,
rounding, settings) and may carry a hidden 评分规则 column.

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
"""

from __future__ import annotations

import datetime as _dt
import html
import json
import re
import unicodedata
import zipfile
from collections.abc import Callable
from dataclasses import dataclass, field, replace
from decimal import Decimal
from functools import lru_cache
from pathlib import Path
from xml.etree import ElementTree

import yaml
from openpyxl.utils import column_index_from_string, get_column_letter
from pydantic import TypeAdapter, ValidationError

from scoring.core import model
from scoring.core.issues import Issue, Location, ScoringError
from scoring.core.numbers import HUNDRED, ZERO, D, plain
from scoring.sources.loader import validation_issues
from scoring.sources.workbook.layout import MARKER_KEY, SOURCE_PREFIX

# ------------------------------------------------------------------ labels

_BRACKETS = re.compile(r"[（(][^（()）]*[）)]")
_SPACES = re.compile(r"\s+")


def label(value: object) -> str:
    """A header label as compared: NFKC, no whitespace, no bracketed notes (万元, %)."""
    return _label(value) if isinstance(value, str) else ""


@lru_cache(maxsize=8192)
def _label(text: str) -> str:
    text = _SPACES.sub("", unicodedata.normalize("NFKC", text))
    return _BRACKETS.sub("", text).strip(":：*")


def _aliases(table: dict[str, tuple[str, ...]]) -> dict[str, str]:
    return {label(a): key for key, names in table.items() for a in names}


INDICATOR_COLUMNS = _aliases({
    "level1": ("一级指标",),
    "level2": ("二级指标",),
    "level3": ("三级指标",),
    "description": ("指标说明", "指标解释", "指标内容"),
    "target": ("年度指标值", "指标值", "目标值", "年度目标值", "预期指标值", "全年指标值"),
    "actual": ("实际完成值", "实际值", "完成值", "全年实际值", "实际完成指标值"),
    "weight": ("分值", "权重", "指标分值"),
    "score": ("判定得分", "评价人判定得分"),
    "printed_score": ("得分", "自评得分", "评价得分"),
    "printed_deviation": ("偏差度", "偏差率"),
    "reason": ("偏差原因分析及改进措施", "未完成原因分析及改进措施", "偏差原因分析", "原因分析及改进措施",
               "偏差原因", "未完成原因"),
    "rule": ("评分规则", "计分规则"),
})
INDICATOR_REQUIRED = ("level1", "level3", "target", "actual", "weight")
INDICATOR_NAMES = {"level1": "一级指标", "level3": "三级指标", "target": "年度指标值",
                   "actual": "实际完成值", "weight": "分值"}
FUNDS_COLUMNS = _aliases({
    "initial_budget": ("年初预算数", "年初预算"),
    "annual_budget": ("全年预算数", "调整后预算数", "全年预算"),
    "executed": ("全年执行数", "执行数", "全年实际执行数", "实际支出数"),
    "weight": ("分值",),
    "printed_rate": ("执行率", "预算执行率"),
    "printed_score": ("得分",),
})
FM_COLUMNS = _aliases({
    "description": ("情况说明",),
    "weight": ("分值",),
    "score": ("得分", "判定得分", "自评得分"),
    "problems": ("存在问题和改进措施", "存在问题及改进措施", "存在问题"),
})
GOAL_COLUMNS = _aliases({"expected": ("预期目标", "目标内容"), "actual": ("实际完成情况", "目标完成情况")})
TASK_COLUMNS = _aliases({"name": ("任务名称",), "content": ("主要内容",),
                         "result": ("完成情况", "实际完成情况", "任务完成情况")})
FACTS = _aliases({
    "unit": ("单位名称", "部门名称", "部门(单位)名称", "预算单位", "单位", "部门"),
    "year": ("评价年度", "年度", "预算年度", "自评年度"),
    "project": ("项目名称",),
    "project_code": ("项目编号", "项目编码", "项目代码"),
    "supervisor": ("主管部门",),
    "implementer": ("实施单位",),
})
FM_TITLE = label("资金管理情况")
TOTAL_ROWS = {label(t) for t in ("总分", "合计", "总计", "分值合计", "综合得分", "自评总分", "总得分")}
FUND_TOTALS = {label(t) for t in ("年度资金总额", "部门预算总额", "资金总额", "预算总额", "项目资金总额",
                                  "合计", "总计")}
# Any of these in a row ends the block above it.
BLOCK_LABELS = (set(INDICATOR_COLUMNS) | set(FACTS) | {FM_TITLE, label("预期目标"), label("任务名称"),
                label("年度总体目标"), label("年度履职目标"), label("全年执行数"), label("资金情况")})

_INLINE_FACT = re.compile(r"^([^:：]{1,12})[:：](.+)$", re.S)
_TITLE_YEAR = re.compile(r"((?:19|20)\d{2})年(?!\d)")
_GROUP_WEIGHT = re.compile(r"[（(]\s*\d+(?:\.\d+)?\s*分\s*[）)]$")
_INVISIBLE = dict.fromkeys(map(ord, "\u200b\u200c\u200d\ufeff"), None)
_RULE = TypeAdapter(model.Rule)

# ------------------------------------------------------------------ grids


@dataclass
class Grid:
    """One sheet's cells, whatever the file format: values, percent cells, merges (0-based)."""

    title: str
    rows: list[list[object]]
    percent: set[tuple[int, int]] = field(default_factory=set)  # cells with a percent number format
    merged: dict[tuple[int, int], tuple[int, int]] = field(default_factory=dict)  # cell → its range's top-left
    formats_known: bool = True  # False for .xls/.ods: a percent cell there reads as a bare 0.85
    formula: Callable[[int, int], str | None] | None = None  # the formula of a cell with no saved result

    def __post_init__(self):
        self.width = max((len(row) for row in self.rows), default=0)

    def raw(self, r: int, c: int) -> object:
        if r >= len(self.rows):
            return None
        row = self.rows[r]
        value = row[c] if c < len(row) else None
        return None if value == "" else value

    def value(self, r: int, c: int) -> object:
        """The value, a merged cell's taken from its range's top-left."""
        value = self.raw(r, c)
        if value is None and (r, c) in self.merged:
            return self.raw(*self.merged[(r, c)])
        return value

    def top(self, r: int, c: int) -> tuple[int, int]:
        return self.merged.get((r, c), (r, c))


def coord(r: int, c: int) -> str:
    return f"{get_column_letter(c + 1)}{r + 1}"


def load_grids(path: str | Path) -> list[Grid]:
    """Every sheet of a spreadsheet file: .xlsx/.xlsm/.xlsb/.xls/.ods.

    Values and merged ranges come from python-calamine (some 20 times faster than
    openpyxl, whose full mode spends most of its time formatting merged cells);
    for OOXML files the percent-formatted cells are found in the file itself,
    which calamine does not report.

    Raises:
        ScoringError: the file is missing or not a spreadsheet.
    """
    try:
        from python_calamine import CalamineWorkbook
    except ImportError:  # pragma: no cover - a dependency of jixiao
        raise ScoringError("读取工作簿需要 python-calamine；请运行 pip install python-calamine") from None

    path = Path(path)
    if not path.is_file():
        raise ScoringError(f"找不到文件：{path}")
    try:
        wb = CalamineWorkbook.from_path(str(path))
        sheets = [(name, wb.get_sheet_by_name(name)) for name in wb.sheet_names]
    except Exception as exc:  # calamine raises its own error types for every kind of bad input
        raise ScoringError(f"{path}：无法作为电子表格读取（{type(exc).__name__}）；"
                           "请确认这是 Excel/WPS 工作簿（.xlsx 或 .xls），或另存为 .xlsx 后重试") from None
    ooxml = _Ooxml.open(path)
    grids = []
    for name, sheet in sheets:
        merged = {}
        for (r0, c0), (r1, c1) in sheet.merged_cell_ranges or ():
            for r in range(r0, r1 + 1):
                for c in range(c0, c1 + 1):
                    if (r, c) != (r0, c0):
                        merged[(r, c)] = (r0, c0)
        rows = sheet.to_python(skip_empty_area=False)
        if ooxml is None:
            grids.append(Grid(name, rows, set(), merged, False))
        else:
            grids.append(Grid(name, rows, ooxml.percent.get(name, set()), merged, True, ooxml.formula_probe(name)))
    return grids


_PERCENT_FORMAT_IDS = {9, 10}  # built-in 0% and 0.00%
_CELL_TAG = re.compile(r"<(?:\w+:)?c\s([^>]*)>")
_STYLE_ATTR = re.compile(r'\bs="(\d+)"')
_REF_ATTR = re.compile(r'\br="([A-Z]+)(\d+)"')


class _Ooxml:
    """What calamine does not tell about an .xlsx: which cells have a percent format,
    and the formula of a cell whose result was never saved (read on demand)."""

    NS = {"m": "http://schemas.openxmlformats.org/spreadsheetml/2006/main"}
    RID = "{http://schemas.openxmlformats.org/officeDocument/2006/relationships}id"

    def __init__(self, path: Path):
        self.path = path
        self.sheet_paths: dict[str, str] = {}
        self.percent: dict[str, set[tuple[int, int]]] = {}

    @classmethod
    def open(cls, path: Path) -> "_Ooxml | None":
        """None when the file is not OOXML (an .xls, an .ods)."""
        try:
            with zipfile.ZipFile(path) as zf:
                ooxml = cls(path)
                ooxml._read(zf)
                return ooxml
        except (zipfile.BadZipFile, KeyError, ElementTree.ParseError, OSError, ValueError):
            return None

    def _read(self, zf: zipfile.ZipFile) -> None:
        book = ElementTree.fromstring(zf.read("xl/workbook.xml"))
        rels = ElementTree.fromstring(zf.read("xl/_rels/workbook.xml.rels"))
        targets = {rel.get("Id"): rel.get("Target", "") for rel in rels}
        for sheet in book.iterfind("m:sheets/m:sheet", self.NS):
            target = targets.get(sheet.get(self.RID), "")
            self.sheet_paths[sheet.get("name")] = target.lstrip("/") if target.startswith("/") else f"xl/{target}"
        styles = self._percent_styles(zf)
        if not styles:
            return
        for title, member in self.sheet_paths.items():
            cells = self.percent[title] = set()
            xml = zf.read(member).decode("utf-8", "replace") if member in zf.namelist() else ""
            for m in _CELL_TAG.finditer(xml):
                style = _STYLE_ATTR.search(m[1])
                if style and int(style[1]) in styles:
                    ref = _REF_ATTR.search(m[1])
                    if ref:
                        cells.add((int(ref[2]) - 1, column_index_from_string(ref[1]) - 1))

    def _percent_styles(self, zf: zipfile.ZipFile) -> set[int]:
        """Indexes of the cell styles whose number format shows a percent."""
        if "xl/styles.xml" not in zf.namelist():
            return set()
        styles = ElementTree.fromstring(zf.read("xl/styles.xml"))
        ids = set(_PERCENT_FORMAT_IDS)
        for fmt in styles.iterfind("m:numFmts/m:numFmt", self.NS):
            if _is_percent(fmt.get("formatCode", "")):
                ids.add(int(fmt.get("numFmtId", -1)))
        return {i for i, xf in enumerate(styles.iterfind("m:cellXfs/m:xf", self.NS))
                if int(xf.get("numFmtId", 0)) in ids}

    def formula_probe(self, title: str) -> Callable[[int, int], str | None]:
        def formula(r: int, c: int) -> str | None:
            try:
                with zipfile.ZipFile(self.path) as zf:
                    xml = zf.read(self.sheet_paths[title]).decode("utf-8", "replace")
            except (KeyError, zipfile.BadZipFile, OSError):
                return None
            m = re.search(rf'<(?:\w+:)?c\s[^>]*\br="{coord(r, c)}"[^>]*>(.*?)</(?:\w+:)?c>', xml, re.S)
            f = re.search(r"<(?:\w+:)?f(?:\s[^>]*)?>(.*?)</(?:\w+:)?f>", m[1], re.S) if m else None
            return "=" + html.unescape(f[1]) if f else None

        return formula


# ------------------------------------------------------------- cell values


def _decimal(x: float) -> Decimal:
    """A float as the number a person typed: at most 15 significant digits, as Excel shows."""
    return Decimal(f"{x:.15g}")


def _is_percent(fmt: str) -> bool:
    return "%" in re.sub(r'"[^"]*"|\\.', "", fmt)


def _clean(text: str) -> str:
    return text.translate(_INVISIBLE).replace("\u3000", " ").replace("\xa0", " ").strip()


def _date_text(value: _dt.date) -> str:
    return f"{value.year}年{value.month}月{value.day}日"


class _Reader:
    """Reads one sheet into an evaluation dict, its cell map and its problems."""

    def __init__(self, grid: Grid, file: str):
        self.g, self.file = grid, file
        self.cells: dict[str, str] = {}
        self.issues: list[Issue] = []
        self.substituted: set[str] = set()

    # ---------------------------------------------------------- cells

    def at(self, path: str, r: int, c: int) -> None:
        self.cells.setdefault(path, coord(*self.g.top(r, c)))

    def problem(self, r: int, c: int, path: str, message: str, hint: str = "", severity: str = "error") -> None:
        where = Location(self.file, path, sheet=self.g.title, cell=coord(*self.g.top(r, c)))
        self.issues.append(Issue(where, message, hint, severity))
        if severity == "error" and path:
            self.substituted.add(path)

    def text(self, r: int, c: int | None, path: str = "", merged: bool = True) -> str | None:
        """A cell as the text a person sees (targets, actuals, names, reasons)."""
        if c is None:
            return None
        if path:
            self.at(path, r, c)
        value = self.g.value(r, c) if merged else self.g.raw(r, c)
        if value is None:
            return None
        if isinstance(value, str):
            return _clean(value) or None
        if isinstance(value, bool):
            return "是" if value else "否"
        if isinstance(value, (int, float, Decimal)):
            number = _decimal(value) if isinstance(value, float) else Decimal(value)
            if self.g.top(r, c) in self.g.percent:
                return f"{plain(number * HUNDRED)}%"
            return plain(number)
        if isinstance(value, (_dt.datetime, _dt.date)):
            return _date_text(value)
        return _clean(str(value)) or None

    def number(self, r: int, c: int | None, path: str, what: str, *, percent: bool = False,
               amount: bool = False) -> Decimal | None:
        """A number cell (weights, amounts, scores); problems reported, None then.

        With `percent`, the result is in percent (a 0.85 percent cell and the text
        85% both give 85).
        """
        if c is None:
            return None
        self.at(path, r, c)
        value = self.g.value(r, c)
        if value is None or (isinstance(value, str) and not _clean(value)):
            return None
        if isinstance(value, (bool, _dt.datetime, _dt.date, _dt.time)):
            self.problem(r, c, path, f"{what}“{self.text(r, c)}”不是数字", _number_hint(amount))
            return None
        if isinstance(value, (int, float, Decimal)):
            number = _decimal(value) if isinstance(value, float) else Decimal(value)
            # a printed 执行率 of 0.9985 is a fraction even without a percent format
            if percent and (self.g.top(r, c) in self.g.percent
                            or (path.endswith("printed_rate") and 0 < number <= 1)):
                number *= HUNDRED
            return number
        return self._number_text(r, c, path, what, str(value), percent, amount)

    def _number_text(self, r, c, path, what, raw, percent, amount) -> Decimal | None:
        text = _SPACES.sub("", unicodedata.normalize("NFKC", _clean(raw))).replace("−", "-")
        text = text.replace(",", "")
        if amount and text.endswith(("万元", "万")):
            text = text.removesuffix("元").removesuffix("万")
        elif amount and text.endswith("元"):
            try:
                yuan = D(text[:-1])
            except ValueError:
                yuan = None
            if yuan is not None:
                self.problem(r, c, path, f"{what}“{raw}”以元为单位，本表金额以万元为单位",
                             f"请填写 {plain(yuan / 10000)}（万元）")
                return None
        elif text.endswith("分") and not amount:
            text = text[:-1]
        if text.endswith("%"):
            if not percent:
                self.problem(r, c, path, f"{what}“{raw}”不应是百分数", _number_hint(amount))
                return None
            text = text[:-1]
        try:
            number = D(text)
        except ValueError:
            self.problem(r, c, path, f"{what}“{raw}”不是数字", _number_hint(amount))
            return None
        return number

    def empty_formula(self, r: int, c: int, path: str, what: str) -> bool:
        """An empty cell holding a formula with no saved result: say so (True)."""
        if self.g.formula is None:
            return False
        formula = self.g.formula(*self.g.top(r, c))
        if formula:
            self.problem(r, c, path, f"{what}单元格是公式“{formula}”，但文件中没有保存计算结果",
                         "请用 Excel 或 WPS 打开本文件并保存一次，或直接填写数值")
            return True
        return False

    # ---------------------------------------------------------- rows

    def row_labels(self, r: int, merged: bool = True) -> dict[str, int]:
        """Normalised labels in row r → their first column."""
        found: dict[str, int] = {}
        for c in range(self.g.width):
            value = self.g.value(r, c) if merged else self.g.raw(r, c)
            if isinstance(value, str):
                found.setdefault(label(value), c)
        return found

    def blank(self, r: int, columns) -> bool:
        return all(self.g.raw(r, c) is None for c in columns)


def _number_hint(amount: bool) -> str:
    return "请填写以万元为单位的数字，如 12.5" if amount else "请填写数字，如 10 或 2.5"


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


class _SheetReader(_Reader):
    def read(self, header: int | None, meta: dict | None, meta_at: tuple[int, int] | None) -> dict | None:
        """The evaluation as plain data, or None when the sheet has no usable indicator table."""
        self.meta = meta or {}
        self.generated = meta is not None
        data: dict = {}
        self.cells[""] = "A1"
        if meta_at is not None:
            for key in ("kind", "template", "rounding", "settings"):
                self.at(key, *meta_at)
        if header is None:
            self.problem(0, 0, "indicators", "找不到绩效指标表的表头行（含“三级指标”“年度指标值”“实际完成值”“分值”的一行）",
                         "请保留指标表的表头行；表头各列顺序不限")
            return None
        columns = self.indicator_columns(header)
        missing = [INDICATOR_NAMES[k] for k in INDICATOR_REQUIRED if k not in columns]
        if missing:
            self.problem(header, columns.get("level3", 0), "indicators",
                         f"指标表的表头缺少“{'”“'.join(missing)}”列",
                         "表头行应含有：一级指标、二级指标、三级指标、年度指标值、实际完成值、分值（顺序不限）")
            return None
        facts = self.facts(header)
        data["kind"] = self.kind(facts)
        data.update(facts)
        if isinstance(self.meta.get("template"), str):
            data["template"] = self.meta["template"]
        self.settings(data, meta_at)
        blocks = self.blocks(header)
        if "funds" in blocks:
            data["funding"] = self.funds(*blocks["funds"])
        if "fm" in blocks:
            data["funds_management"] = self.funds_management(*blocks["fm"])
        if "goals" in blocks:
            data["goals"] = self.goals(*blocks["goals"])
        if "tasks" in blocks:
            data["tasks"] = self.tasks(*blocks["tasks"])
        data["indicators"], total = self.indicators(header, columns)
        if total is not None and not self.generated:
            data["printed_total"] = total
        return {k: v for k, v in data.items() if v is not None and v != []}

    # -------------------------------------------------------- header facts

    def indicator_columns(self, header: int) -> dict[str, int]:
        columns: dict[str, int] = {}
        for name, c in self.row_labels(header).items():
            key = INDICATOR_COLUMNS.get(name)
            if key and key not in columns:
                columns[key] = c
        # problems of the table as a whole (分值合计 …) point at its 分值 header
        self.cells["indicators"] = coord(header, columns.get("weight", columns.get("level3", 0)))
        return columns

    def facts(self, header: int) -> dict:
        """单位名称, 评价年度, 项目名称 … above the indicator table: a label and the
        value right of it, or “单位名称：…” in one cell; a year in the title as a last resort."""
        found: dict[str, object] = {}
        title_year = None
        for r in range(header):
            for c in range(self.g.width):
                value = self.g.raw(r, c)
                if not isinstance(value, str):
                    continue
                key = FACTS.get(label(value))
                if key is not None:
                    self.labelled_fact(found, key, r, c)
                    continue
                inline = _INLINE_FACT.match(_clean(value))  # “单位名称：某局” in one cell
                key = FACTS.get(label(inline[1])) if inline else None
                if key is not None and key not in found:
                    self.at(key, r, c)
                    tail = _clean(inline[2])
                    found[key] = self.year(r, c, tail) if key == "year" else tail
                elif title_year is None:
                    y = _TITLE_YEAR.search(_SPACES.sub("", unicodedata.normalize("NFKC", value)))
                    title_year = (int(y[1]), r, c) if y else None
        if found.get("year") is None and title_year is not None:
            found["year"] = title_year[0]
            self.cells["year"] = coord(title_year[1], title_year[2])
        return {k: v for k, v in found.items() if v is not None}

    def labelled_fact(self, found: dict, key: str, r: int, c: int) -> None:
        if key in found:
            return
        vc = self.value_right_of(r, c)
        if vc is None:
            self.at(key, r, c + 1)  # where it should be typed
            return
        self.cells[key] = coord(*self.g.top(r, vc))
        if key == "year":
            found["year"] = self.year(r, vc, self.text(r, vc))
        else:
            found[key] = self.text(r, vc, merged=False)

    def value_right_of(self, r: int, c: int) -> int | None:
        """The first filled cell right of a label, before the next label."""
        g = self.g
        for k in range(c + 1, g.width):
            if g.merged.get((r, k)) == g.top(r, c):
                continue  # the label's own merged range
            value = g.raw(r, k)
            if value is None:
                continue
            if isinstance(value, str) and label(value) in FACTS:
                return None
            return k
        return None

    def year(self, r: int, c: int, text: str | None) -> int | None:
        m = re.fullmatch(r"(\d{4})(?:\.0+)?年?度?", _SPACES.sub("", unicodedata.normalize("NFKC", text or "")))
        if m is None:
            self.problem(r, c, "year", f"评价年度“{text}”不是年份", "请填写四位年份，如 2022")
            return None
        return int(m[1])

    def kind(self, facts: dict) -> str:
        kind = self.meta.get("kind")
        if kind in ("department", "project"):
            return kind
        if "project" in facts:
            return "project"
        title = " ".join(str(v) for row in self.g.rows[:3] for v in row if isinstance(v, str))
        return "project" if "项目" in title and "部门整体" not in title else "department"

    def settings(self, data: dict, meta_at: tuple[int, int] | None) -> None:
        for key, cls in (("rounding", model.Rounding), ("settings", model.Settings)):
            value = self.meta.get(key)
            if value is None:
                continue
            try:
                cls.model_validate(value)
            except ValidationError:
                self.problem(*(meta_at or (0, 0)), key, f"隐藏的 jixiao 设置单元格中“{key}”已损坏",
                             "请用 jixiao workbook 重新生成本表；否则按默认设置计分", "warning")
                continue
            data[key] = value

    # -------------------------------------------------------- blocks

    def blocks(self, header: int) -> dict[str, tuple[int, dict[str, int]]]:
        """Header rows of the blocks above the indicator table."""
        found: dict[str, tuple[int, dict[str, int]]] = {}
        for r in range(header):
            labels = self.row_labels(r)
            if "funds" not in found and any(FUNDS_COLUMNS.get(n) == "executed" for n in labels):
                found["funds"] = (r, _columns(labels, FUNDS_COLUMNS))
            elif "fm" not in found and FM_TITLE in labels and any(FM_COLUMNS.get(n) == "weight" for n in labels):
                cols = _columns(labels, FM_COLUMNS)
                cols["name"] = labels[FM_TITLE]
                found["fm"] = (r, cols)
            elif "tasks" not in found and {"name", "content"} <= set(_columns(labels, TASK_COLUMNS)):
                found["tasks"] = (r, _columns(labels, TASK_COLUMNS))
            elif "goals" not in found and "expected" in _columns(labels, GOAL_COLUMNS):
                found["goals"] = (r, _columns(labels, GOAL_COLUMNS))
        return found

    def block_rows(self, head: int, columns, left: int = 0):
        """Rows of a block: from below its header to a blank row or the next block."""
        r = head + 1
        span = range(left, max(columns.values()) + 1)
        while r < len(self.g.rows):
            if self.blank(r, span):
                return
            labels = self.row_labels(r, merged=False)
            if any(n in BLOCK_LABELS for n in labels):
                return
            yield r
            r += 1

    def row_name(self, r: int, right: int) -> tuple[str | None, int]:
        """The rightmost filled cell left of column `right` (a row's own label)."""
        for c in range(right - 1, -1, -1):
            if self.g.raw(r, c) is not None:
                return self.text(r, c, merged=False), c
        return None, 0

    def funds(self, head: int, cols: dict[str, int]) -> dict | None:
        first = min(cols.values())
        rows = []
        for r in self.block_rows(head, cols):
            name, nc = self.row_name(r, first)
            rows.append((r, name or "", nc))
        if not rows:
            return None
        total = next((row for row in rows if label(row[1]) in FUND_TOTALS), rows[0])
        funding: dict = {}
        r, name, nc = total
        self.at("funding", r, nc)
        if name:
            funding["label"] = name
        for key in ("weight", "initial_budget", "annual_budget", "executed"):
            what = {"weight": "预算执行分值", "initial_budget": "年初预算数", "annual_budget": "全年预算数",
                    "executed": "全年执行数"}[key]
            value = self.number(r, cols.get(key), f"funding.{key}", what, amount=key != "weight")
            if value is None and key in ("annual_budget", "executed") and key in cols:
                self.empty_formula(r, cols[key], f"funding.{key}", what)
            if value is not None:
                funding[key] = self.nonnegative(r, cols[key], f"funding.{key}", what, value)
        if not self.generated:
            for key, what in (("printed_rate", "执行率"), ("printed_score", "预算执行得分")):
                value = self.number(r, cols.get(key), f"funding.{key}", what, percent=key == "printed_rate")
                if value is not None:
                    funding[key] = value
        sources = []
        amounts = [cols[k] for k in ("initial_budget", "annual_budget", "executed") if k in cols]
        for r, name, nc in rows:
            if (r, name, nc) == total or all(self.g.value(r, c) is None for c in amounts):
                continue  # the total, or a source row left empty
            name = re.sub(r"^其中[:：]?", "", name.replace(SOURCE_PREFIX, "")).strip()
            path = f"funding.sources[{len(sources)}]"
            source: dict = {"name": name}
            for key in ("initial_budget", "annual_budget", "executed"):
                what = f"{name}的" + {"initial_budget": "年初预算数", "annual_budget": "全年预算数",
                                       "executed": "全年执行数"}[key]
                value = self.number(r, cols.get(key), f"{path}.{key}", what, amount=True)
                if value is not None:
                    source[key] = self.nonnegative(r, cols[key], f"{path}.{key}", what, value)
            self.at(path, r, nc)
            sources.append(source)
        if sources:
            funding["sources"] = sources
        return funding

    def nonnegative(self, r: int, c: int, path: str, what: str, value: Decimal) -> Decimal | None:
        if value < 0:
            self.problem(r, c, path, f"{what} {plain(value)} 为负数", "请填写不小于 0 的数字")
            return None
        return value

    def funds_management(self, head: int, cols: dict[str, int]) -> list[dict]:
        rows = []
        right = min(c for k, c in cols.items() if k != "name")
        for r in self.block_rows(head, cols):
            name, nc = self.row_name(r, right)
            path = f"funds_management[{len(rows)}]"
            if not name:
                if any(self.g.raw(r, c) is not None for c in cols.values()):
                    self.problem(r, cols["name"], path, "资金管理情况有一行缺少名称", "请填写名称，如 安排科学性")
                continue
            self.at(path, r, nc)
            self.at(f"{path}.name", r, nc)
            row: dict = {"name": name}
            weight = self.number(r, cols.get("weight"), f"{path}.weight", f"资金管理情况“{name}”的分值")
            if weight is None and f"{path}.weight" not in self.substituted:
                self.problem(r, cols.get("weight", nc), f"{path}.weight", f"资金管理情况“{name}”缺少分值",
                             "请填写分值，如 5")
            row["weight"] = weight if weight is not None and weight >= 0 else ZERO
            for key in ("description", "problems"):
                text = self.text(r, cols.get(key), f"{path}.{key}")
                if text:
                    row[key] = text
            score = self.number(r, cols.get("score"), f"{path}.score", f"资金管理情况“{name}”的得分")
            if score is not None:
                row["score"] = self.nonnegative(r, cols["score"], f"{path}.score", f"资金管理情况“{name}”的得分", score)
            rows.append(row)
        return rows

    def _pairs(self, head: int, cols: dict[str, int], kind: str, keys: tuple[str, str, str]) -> list[dict]:
        """Goals and tasks: a name, a text given beforehand, a text the unit writes."""
        name_key, *text_keys = keys
        left = min(cols.values())
        items = []
        for r in self.block_rows(head, cols):
            if name_key in cols:
                name, name_col = self.text(r, cols[name_key], merged=False), cols[name_key]
            else:  # goals: an optional name left of the texts (目标1)
                name, name_col = self.row_name(r, left)
            texts = {k: self.text(r, cols.get(k), merged=False) for k in text_keys}
            if not name and not any(texts.values()):
                continue
            path = f"{kind}[{len(items)}]"
            self.at(path, r, cols.get(text_keys[0], left))
            self.at(f"{path}.{name_key}", r, name_col if name else max(left - 1, 0))
            for k in text_keys:
                if k in cols:
                    self.at(f"{path}.{k}", r, cols[k])
            item = {name_key: name or ""} if name or kind == "tasks" else {}
            item.update({k: v or "" for k, v in texts.items()})
            items.append(item)
        return items

    def goals(self, head: int, cols: dict[str, int]) -> list[dict]:
        return self._pairs(head, cols, "goals", ("name", "expected", "actual"))

    def tasks(self, head: int, cols: dict[str, int]) -> list[dict]:
        return self._pairs(head, cols, "tasks", ("name", "content", "result"))

    # -------------------------------------------------------- indicators

    def indicators(self, header: int, cols: dict[str, int]) -> tuple[list[dict], Decimal | None]:
        g = self.g
        rows: list[dict] = []
        carry: dict[str, tuple[str, int, int]] = {}
        total = None
        for r in range(header + 1, len(g.rows)):
            if any(label(v) in TOTAL_ROWS for v in g.rows[r]):  # the 总分 row, in whichever column
                if "printed_score" in cols and not self.generated:
                    total = self.number(r, cols["printed_score"], "printed_total", "总分")
                break
            if r > header + 1 and label(g.raw(r, cols["level3"])) == label("三级指标"):
                break  # a second table below
            levels = {}
            for key in ("level1", "level2"):
                c = cols.get(key)
                text = self.level_text(r, c) if c is not None else None
                if text:
                    text = _GROUP_WEIGHT.sub("", text).strip()
                    if key == "level1" and carry.get("level1", ("",))[0] != text:
                        carry.pop("level2", None)  # a new 一级 starts its own 二级
                    carry[key] = (text, *g.top(r, c))
                levels[key] = carry.get(key)
            level3 = self.level_text(r, cols["level3"])
            target = self.text(r, cols["target"])
            actual_raw = g.value(r, cols["actual"])
            if not level3:
                if target or actual_raw is not None:
                    self.problem(r, cols["level3"], "indicators", "这一行填写了年度指标值或实际完成值，但缺少三级指标名称",
                                 "请填写三级指标，或删除这一行")
                continue  # a group heading, a blank or a note row
            rows.append(self.indicator(r, len(rows), cols, levels, level3))
        if not rows:
            self.problem(header, cols["level3"], "indicators", "指标表中没有任何三级指标",
                         "请在表头下方逐行填写三级指标、年度指标值、实际完成值和分值")
        return rows, total

    def level_text(self, r: int, c: int) -> str | None:
        """A level cell: merged vertically counts, merged in from the left does not (a note row)."""
        top = self.g.top(r, c)
        return self.text(*top, merged=False) if top[1] == c else None

    def indicator(self, r: int, i: int, cols: dict[str, int], levels: dict, level3: str) -> dict:
        path = f"indicators[{i}]"
        self.at(path, r, cols["level3"])
        self.at(f"{path}.level3", r, cols["level3"])
        row: dict = {}
        for key in ("level1", "level2"):
            found = levels.get(key)
            if found:
                row[key] = found[0]
                self.cells[f"{path}.{key}"] = coord(found[1], found[2])
            elif key in cols:
                self.at(f"{path}.{key}", r, cols[key])
        if "level1" not in row:
            self.problem(r, cols["level1"], f"{path}.level1", f"三级指标“{level3}”缺少一级指标",
                         "请填写一级指标（合并单元格亦可）")
            row["level1"] = "（未填写）"
        row.setdefault("level2", "")
        row["level3"] = level3
        desc = self.text(r, cols.get("description"), f"{path}.description")
        if desc:
            row["description"] = desc
        row["target"] = self.text(r, cols["target"], f"{path}.target")
        if row["target"] is None:
            self.empty_formula(r, cols["target"], f"{path}.target", f"三级指标“{level3}”的年度指标值")
        row["actual"] = self.actual(r, cols["actual"], f"{path}.actual", level3, row["target"])
        weight = self.number(r, cols["weight"], f"{path}.weight", f"三级指标“{level3}”的分值")
        if weight is None and f"{path}.weight" not in self.substituted:
            if not self.empty_formula(r, cols["weight"], f"{path}.weight", f"三级指标“{level3}”的分值"):
                self.problem(r, cols["weight"], f"{path}.weight", f"三级指标“{level3}”缺少分值", "请填写分值，如 10")
        elif weight is not None:
            weight = self.nonnegative(r, cols["weight"], f"{path}.weight", f"三级指标“{level3}”的分值", weight)
        row["weight"] = weight if weight is not None else ZERO
        score = self.number(r, cols.get("score"), f"{path}.score", f"三级指标“{level3}”的判定得分")
        if score is not None:
            score = self.nonnegative(r, cols["score"], f"{path}.score", f"三级指标“{level3}”的判定得分", score)
            if score is not None:
                row["score"] = score
        reason = self.text(r, cols.get("reason"), f"{path}.reason")
        if reason:
            row["reason"] = reason
        if "rule" in cols:
            rule = self.rule(r, cols["rule"], f"{path}.rule", level3)
            if rule is not None:
                row["rule"] = rule
        if not self.generated:
            printed = self.number(r, cols.get("printed_score"), f"{path}.printed_score", f"三级指标“{level3}”的得分")
            if printed is not None:
                row["printed_score"] = printed
                self.cells.setdefault(f"{path}.score", self.cells[f"{path}.printed_score"])
            deviation = self.number(r, cols.get("printed_deviation"), f"{path}.printed_deviation",
                                    f"三级指标“{level3}”的偏差度", percent=True)
            if deviation is not None:
                row["printed_deviation"] = deviation
        return {k: v for k, v in row.items() if v is not None}

    def actual(self, r: int, c: int, path: str, level3: str, target: str | None) -> str | None:
        text = self.text(r, c, path)
        if text is None:
            self.empty_formula(r, c, path, f"三级指标“{level3}”的实际完成值")
            return None
        value = self.g.value(r, c)
        if (not self.g.formats_known and isinstance(value, (int, float)) and not isinstance(value, bool)
                and 0 < value <= 1 and target and "%" in unicodedata.normalize("NFKC", target)):
            number = _decimal(value)
            self.problem(r, c, path, f"三级指标“{level3}”的实际完成值是数字 {plain(number)}，"
                         "jixiao 读取 .xls/.ods 文件时看不到单元格格式，无法判断它是否为百分比",
                         f"如指 {plain(number * HUNDRED)}%，请填写文字“{plain(number * HUNDRED)}%”；"
                         f"如确为 {plain(number)}%，请填写“{plain(number)}%”")
        return text

    def rule(self, r: int, c: int, path: str, level3: str):
        text = self.text(r, c, path)
        if not text:
            return None
        value: object = text
        if text.startswith("{"):
            try:
                value = json.loads(text)
            except ValueError:
                try:  # written as in a template: {bands: [{when: "≤10%", score: 2}]}
                    value = yaml.safe_load(text)
                except yaml.YAMLError:
                    value = None
        try:
            _RULE.validate_python(value)
        except ValidationError:
            value = None
        if value is None or (isinstance(value, dict) and not value):
            self.problem(r, c, path, f"三级指标“{level3}”的评分规则“{text}”无法识别",
                         "应为规则名（如 reverse_linear）、公式（如 weight * ratio）、"
                         "评分档表 {\"bands\": [{\"when\": \"≤10%\", \"score\": 2}], \"otherwise\": 0} "
                         "或扣分规则 {\"deduct\": 0.5, \"per\": 1}")
            return None
        return value


def _columns(labels: dict[str, int], aliases: dict[str, str]) -> dict[str, int]:
    columns: dict[str, int] = {}
    for name, c in labels.items():
        key = aliases.get(name)
        if key and key not in columns:
            columns[key] = c
    return columns


# ---------------------------------------------------------- recognising


def _find_header(grid: Grid) -> int | None:
    """The indicator table's header row: 三级指标 with at least two of its usual companions."""
    level3 = label("三级指标")
    candidates = {r for r, row in enumerate(grid.rows) if any(label(v) == level3 for v in row)}
    candidates |= {r for (r, c), top in grid.merged.items() if label(grid.raw(*top)) == level3}
    for r in sorted(candidates):
        keys = {INDICATOR_COLUMNS.get(label(grid.value(r, c))) for c in range(grid.width)}
        if "level3" in keys and len(keys & {"target", "actual", "weight", "level1"}) >= 2:
            return r
    return None


def _find_meta(grid: Grid) -> tuple[dict | None, tuple[int, int] | None]:
    for r, row in enumerate(grid.rows[:12]):
        for c, value in enumerate(row):
            if isinstance(value, str) and value.startswith("{") and f'"{MARKER_KEY}"' in value:
                try:
                    meta = json.loads(value)
                except ValueError:
                    return {}, (r, c)
                return (meta if isinstance(meta, dict) else {}), (r, c)
    return None, None


def _mentions_level3(grid: Grid) -> bool:
    level3 = label("三级指标")
    return any(isinstance(v, str) and label(v) == level3 for row in grid.rows for v in row)


def read_workbook(path: str | Path) -> list[WorkbookEvaluation]:
    """Every evaluation in a workbook: one per sheet that holds an indicator table.

    Sheets without one (填表说明, notes) are passed over. The file is only read.

    Raises:
        ScoringError: the file is missing, not a spreadsheet, or holds no
            evaluation sheet at all.
    """
    file = str(path)
    grids = load_grids(path)
    found: list[WorkbookEvaluation] = []
    for grid in grids:
        header = _find_header(grid)
        meta, meta_at = _find_meta(grid)
        if header is None and meta is None and not _mentions_level3(grid):
            continue
        reader = _SheetReader(grid, file)
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
    from scoring.core.score import score_indicator

    data = item.data
    try:
        settings = model.Settings.model_validate(data.get("settings") or {})
        rounding = model.Rounding.model_validate(data.get("rounding") or {})
    except ValidationError:
        return
    for i, row in enumerate(data["indicators"]):
        printed = row.get("printed_score")
        if printed is None or "score" in row:
            continue
        try:
            ind = model.Indicator.model_validate(row)
            result, issues = score_indicator(ind, i, settings, rounding, data["year"])
            if result.status != "error":
                continue
            judged = ind.model_copy(update={"score": printed})
            result, issues = score_indicator(judged, i, settings, rounding, data["year"])
        except (ValidationError, ValueError):
            continue
        if result.status == "judged" and not issues:
            row["score"] = printed
            item.issues.append(Issue(item.source.locate(f"indicators[{i}].printed_score"),
                                     f"三级指标“{row['level3']}”需要评价人判定得分，已采用表中的得分 {plain(printed)}",
                                     "", "info"))


# ------------------------------------------------------------- scoring


SPREADSHEET_SUFFIXES = (".xlsx", ".xlsm", ".xls", ".xlsb", ".ods")


def is_spreadsheet(path: str | Path) -> bool:
    """Whether a command should read `path` as a workbook rather than a YAML file."""
    return Path(path).suffix.lower() in SPREADSHEET_SUFFIXES


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
