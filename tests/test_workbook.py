"""The unit's workbook: written from evaluations, filled in with openpyxl the way people
fill it in, read back; the scores equal those of the same evaluations as YAML."""

from __future__ import annotations

import os
import unicodedata
from decimal import Decimal
from pathlib import Path

import openpyxl
import pytest
from conftest import EXAMPLES
from pydantic import TypeAdapter
from workbooks.sheets import (
    FULL_WIDTH,
    blank_fill_ins,
    delete_rows,
    fill,
    find,
    indicator_rows,
    insert_rows,
)

from scoring.core.model import Rule
from scoring.outputs.workbook import build_workbook, write_workbook
from scoring.pipeline import run, score_workbook
from scoring.sources.instantiate import PLACEHOLDER, instantiate
from scoring.sources.loader import load_yaml
from scoring.sources.templates import require_template
from scoring.sources.workbook.reader import read_workbook

NAMES = sorted(p.name for p in EXAMPLES.glob("*.yaml"))
TOTALS = {"安阳北关区医保局_2022_部门整体.yaml": "98.89",
          "安阳北关区医保局_2022_城乡居民基本医疗保险区级配套资金.yaml": "100",
          "安阳北关区医保局_2022_慢性病专家鉴定费.yaml": "92.4",
          "安阳北关区医保局_2022_北关区政府救助第五重.yaml": "96.6",
          "焦作中站区医保局_2021_部门整体.yaml": "100"}


def example_data() -> list[dict]:
    return [load_yaml(EXAMPLES / name)[0] for name in NAMES]


def outcome(scored) -> dict:
    """What scoring produced, in a form two runs can be compared by."""
    r = scored.result
    return {
        "total": r.total, "grade": r.grade, "weight_total": r.weight_total,
        "funding": (r.funding.execution_rate, r.funding.score) if r.funding else None,
        "funds_management": [(f.name, f.score) for f in r.funds_management],
        "rows": [(i.level1, i.level2, i.level3, i.weight, i.score, i.deviation, i.status) for i in r.indicators],
    }


def dump(scored, *without: str) -> dict:
    """The evaluation as read, without printed numbers (not part of a fill-in workbook) and
    without the indicator fields named (values typed in another form)."""
    data = scored.evaluation.model_dump(exclude={"printed_total", "printed_narrative_total", "template"})
    if data.get("funding"):
        data["funding"] = {k: v for k, v in data["funding"].items() if not k.startswith("printed")}
    data["indicators"] = [{k: v for k, v in row.items() if not k.startswith("printed") and k not in without}
                          for row in data["indicators"]]
    return data


def issues_of(scored) -> set:
    """(path, severity, message) of each issue, but for the printed-vs-computed checks: the
    printed numbers of a transcribed table are not part of a fill-in workbook. Messages quote
    values as typed (full-width ２５％ stays so), hence the NFKC."""
    return {(i.location.path, i.severity, unicodedata.normalize("NFKC", i.message).replace("\u3000", ""))
            for i in scored.issues if "printed" not in i.location.path}


def by_title(scored: list) -> dict:
    return {(s.evaluation.unit, s.evaluation.project): s for s in scored}


@pytest.fixture(scope="module")
def yaml_scored():
    return {name: run(EXAMPLES / name) for name in NAMES}


# ------------------------------------------------------------------ round trip


def test_examples_come_back_through_the_workbook_with_the_same_scores(tmp_path, yaml_scored):
    path = write_workbook(example_data(), tmp_path / "unit.xlsx")
    scored = by_title(score_workbook(path))
    assert len(scored) == len(NAMES)
    for name in NAMES:
        expected = yaml_scored[name]
        got = scored[(expected.evaluation.unit, expected.evaluation.project)]
        assert got.result.total == Decimal(TOTALS[name]), name
        assert outcome(got) == outcome(expected), name
        assert issues_of(got) == issues_of(expected), name
        assert dump(got) == dump(expected), name


def test_messy_filling_scores_like_the_yaml(tmp_path, yaml_scored):
    """Numbers as text, percent cells, full-width digits, ideographic spaces, rows
    inserted and deleted, sheets renamed and reordered: the same scores."""
    originals = example_data()
    wb = build_workbook([blank_fill_ins(d) for d in originals])
    sheets = wb.worksheets[1:]
    ordered = sorted(originals, key=lambda e: e.get("kind") != "department")
    for ws, data in zip(sheets, ordered):
        fill(ws, data, messy=True)
    # what people do to a workbook
    cols, rows = indicator_rows(sheets[2])
    weight = sheets[2].cell(rows[0], cols["分值"])
    weight.value = f"\u3000{weight.value}分".translate(FULL_WIDTH)  # after unprotecting the sheet
    insert_rows(sheets[0], 1, 2)  # a note above everything
    sheets[0].cell(1, 1).value = "注：本表由财务科填写，金额单位万元"
    cols, rows = indicator_rows(sheets[1])
    insert_rows(sheets[1], rows[3], 1)  # an empty row inside the indicator table
    goals, _ = find(sheets[2], "预期目标")
    delete_rows(sheets[2], goals - 1)  # the blank row between two blocks
    cols, rows = indicator_rows(sheets[3])
    sheets[3].cell(rows[-1] + 2, 1).value = "填表人：张三　　联系电话：0372-1234567"
    sheets[3].merge_cells(start_row=rows[-1] + 2, start_column=1, end_row=rows[-1] + 2, end_column=8)
    sheets[4].title = "项目2"
    wb.move_sheet(sheets[4], offset=-wb.index(sheets[4]))
    wb.move_sheet(wb["填表说明"], offset=len(wb.worksheets))
    path = tmp_path / "filled.xlsx"
    wb.save(path)

    scored = score_workbook(path)
    assert [s.source.sheet for s in scored][0] == "项目2"
    scored = by_title(scored)
    for name in NAMES:
        expected = yaml_scored[name]
        got = scored[(expected.evaluation.unit, expected.evaluation.project)]
        assert outcome(got) == outcome(expected), name
        assert issues_of(got) == issues_of(expected), name
        assert dump(got, "actual") == dump(expected, "actual"), name


def test_issues_name_sheet_and_cell_of_the_value(tmp_path):
    data = load_yaml(EXAMPLES / "安阳北关区医保局_2022_部门整体.yaml")[0]
    wb = build_workbook([data])
    ws = wb.worksheets[1]
    cols, rows = indicator_rows(ws)
    i = next(k for k, ind in enumerate(data["indicators"]) if ind["level3"] == "全区参保群众满意度")
    actual = ws.cell(rows[i], cols["实际完成值"])
    actual.value = "九十"
    ws.title = "部门"
    wb.save(tmp_path / "u.xlsx")
    [scored] = score_workbook(tmp_path / "u.xlsx")
    [issue] = [x for x in scored.issues if x.severity == "error"]
    assert (issue.location.sheet, issue.location.cell) == ("部门", actual.coordinate)
    assert issue.location.path == f"indicators[{i}].actual"
    assert "“九十”不是数值" in issue.message and "90%" in issue.hint
    assert str(issue.location).startswith(f"{tmp_path / 'u.xlsx'}:'部门'!{actual.coordinate}")
    assert scored.result.total is None


def test_a_fresh_workbook_from_a_template_reads_back_with_what_is_missing(tmp_path):
    template = require_template("henan_project")
    data, _ = instantiate(template, unit="某局", year=2023, project="项目甲",
                          rows=[{"level1": "产出指标", "level2": "数量指标", "level3": "培训人次", "target": "≥200人次"}])
    path = write_workbook([data], tmp_path / "new.xlsx", template=template)
    [item] = read_workbook(path)
    assert item.generated and item.data["kind"] == "project" and item.data["template"] == "henan_project"
    assert [i["level3"] for i in item.data["indicators"]].count(PLACEHOLDER) >= 1
    [scored] = score_workbook(path)
    messages = [i.message for i in scored.issues if i.severity == "error"]
    assert "资金情况缺少全年预算数" in messages
    assert any("缺少实际完成值" in m for m in messages)
    assert any("三级指标尚未填写" in m for m in messages)
    assert all(i.location.sheet == "项目甲" and i.location.cell for i in scored.issues)


def test_reading_never_writes_the_input(tmp_path):
    path = write_workbook(example_data()[:1], tmp_path / "unit.xlsx")
    before = (path.read_bytes(), path.stat().st_mtime_ns)
    os.chmod(path, 0o444)
    try:
        score_workbook(path)
    finally:
        os.chmod(path, 0o644)
    assert (path.read_bytes(), path.stat().st_mtime_ns) == before
    assert sorted(p.name for p in tmp_path.iterdir()) == ["unit.xlsx"]


def test_writing_is_atomic_and_leaves_no_temporary_file(tmp_path, monkeypatch):
    path = write_workbook(example_data()[:1], tmp_path / "unit.xlsx")
    old = path.read_bytes()

    def broken(self, *args, **kwargs):
        raise RuntimeError("disk full")

    monkeypatch.setattr(openpyxl.Workbook, "save", broken)
    with pytest.raises(RuntimeError):
        write_workbook(example_data(), path)
    assert path.read_bytes() == old
    assert sorted(p.name for p in tmp_path.iterdir()) == ["unit.xlsx"]


# --------------------------------------------------------------- the layout


def test_locked_structure_open_fill_ins_lists_comments_and_print_setup(tmp_path):
    data = load_yaml(EXAMPLES / "安阳北关区医保局_2022_慢性病专家鉴定费.yaml")[0]
    path = write_workbook([blank_fill_ins(data)], tmp_path / "u.xlsx")
    wb = openpyxl.load_workbook(path)
    assert wb.sheetnames == ["填表说明", "慢性病专家鉴定费"]
    ws = wb["慢性病专家鉴定费"]
    assert ws.protection.sheet
    cols, rows = indicator_rows(ws)
    first = rows[0]
    locked = {k: ws.cell(first, cols[k]).protection.locked for k in cols}
    assert locked == {"一级指标": True, "二级指标": True, "三级指标": True, "年度指标值": True, "分值": True,
                      "实际完成值": False, "判定得分": False, "偏差原因分析及改进措施": False}
    # a qualitative target gets the 达成 / 部分达成 / 未达成 list
    qualitative = next(r for r in rows if ws.cell(r, cols["年度指标值"]).value == "生活水平提高")
    lists = [dv for dv in ws.data_validations.dataValidation if dv.type == "list"]
    assert any(f"{openpyxl.utils.get_column_letter(cols['实际完成值'])}{qualitative}" in str(dv.sqref)
               and dv.formula1 == '"达成,部分达成,未达成"' for dv in lists)
    assert ws.cell(rows[0] - 1, cols["实际完成值"]).comment is not None
    assert ws.freeze_panes and ws.print_title_rows
    assert ws.page_setup.orientation == "landscape" and int(ws.page_setup.paperSize) == 9  # A4
    assert ws.sheet_properties.pageSetUpPr.fitToPage and ws.page_setup.fitToWidth == 1
    assert "jixiao_layout" in wb.defined_names
    funds_row = find(ws, "年度资金总额")[0]
    amounts = [ws.cell(funds_row, c) for c in range(3, 6)]
    assert [c.protection.locked for c in amounts] == [False, False, False]
    assert ws.cell(funds_row, 6).protection.locked  # 分值


def test_a_target_starting_with_equals_is_text_not_a_formula(tmp_path):
    data = load_yaml(EXAMPLES / "焦作中站区医保局_2021_部门整体.yaml")[0]
    path = write_workbook([data], tmp_path / "u.xlsx")
    ws = openpyxl.load_workbook(path)["部门整体"]
    cols, rows = indicator_rows(ws)
    targets = [ws.cell(r, cols["年度指标值"]) for r in rows]
    assert any(c.value == "=100%%" and c.data_type == "s" for c in targets)


def test_sheet_names_are_unique_and_valid():
    evaluations = [
        {"kind": "project", "unit": "u", "year": 2022, "project": "a/b:c*d?" + "长" * 40,
         "indicators": [{"level1": "产出指标", "level3": "x", "target": "1", "weight": 90}]},
        {"kind": "project", "unit": "u", "year": 2022, "project": "a/b:c*d?" + "长" * 40,
         "indicators": [{"level1": "产出指标", "level3": "x", "target": "1", "weight": 90}]},
    ]
    titles = build_workbook(evaluations).sheetnames[1:]
    assert len(set(titles)) == 2 and all(len(t) <= 31 and not set(t) & set("[]:*?/\\") for t in titles)


def test_rules_and_settings_travel_in_hidden_cells(tmp_path):
    template = require_template("hunan_department_bands")
    data, _ = instantiate(template, unit="某局", year=2023)
    data["rounding"] = {"precision": 1, "mode": "floor"}
    path = write_workbook([data], tmp_path / "u.xlsx", template=template)
    [item] = read_workbook(path)
    assert item.data["rounding"] == {"precision": 1, "mode": "floor"}
    ruled = [(i["level3"], i["rule"]) for i in item.data["indicators"] if "rule" in i]
    expected = [(i["level3"], i["rule"]) for i in data["indicators"] if "rule" in i]
    assert len(ruled) == len(expected) > 0
    rule_of = TypeAdapter(Rule).validate_python
    assert [(name, rule_of(rule)) for name, rule in ruled] == [(name, rule_of(rule)) for name, rule in expected]


# ------------------------------------------------------- cells as people type them


def _small(tmp_path, rows, fill_cells):
    """A one-project workbook of `rows` (level3, target, weight), filled by `fill_cells(ws, cols, rows)`."""
    data = {"kind": "project", "unit": "某局", "year": 2022, "project": "甲",
            "funding": {"weight": 10, "initial_budget": 10, "annual_budget": 10, "executed": 10},
            "indicators": [{"level1": "产出指标", "level2": "数量指标", "level3": n, "target": t, "weight": w}
                           for n, t, w in rows]}
    wb = build_workbook([data])
    ws = wb.worksheets[1]
    cols, cells = indicator_rows(ws)
    fill_cells(ws, cols, cells)
    wb.save(tmp_path / "s.xlsx")
    return tmp_path / "s.xlsx"


def test_dates_merged_reasons_text_weights_and_judged_scores(tmp_path):
    import datetime

    def fill_cells(ws, cols, rows):
        ws.cell(rows[0], cols["实际完成值"]).value = datetime.datetime(2022, 11, 30)
        ws.cell(rows[1], cols["实际完成值"]).value = "部分达成"
        ws.cell(rows[1], cols["判定得分"]).value = "２０"
        ws.cell(rows[1], cols["分值"]).value = "３０分"
        ws.cell(rows[2], cols["实际完成值"]).value = 0.8
        ws.cell(rows[2], cols["实际完成值"]).number_format = "0.0%"
        ws.cell(rows[1], cols["偏差原因分析及改进措施"]).value = "受疫情影响"
        ws.merge_cells(start_row=rows[1], end_row=rows[2], start_column=cols["偏差原因分析及改进措施"],
                       end_column=cols["偏差原因分析及改进措施"])

    path = _small(tmp_path, [("完成时间", "2022年12月31日前", 30), ("培训质量", "明显提升", 30),
                             ("覆盖率", "≥90%", 30)], fill_cells)
    [scored] = score_workbook(path)
    assert scored.ok, scored.issues
    rows = scored.result.indicators
    assert [r.actual for r in rows] == ["2022年11月30日", "部分达成", "80%"]
    assert [r.score for r in rows] == [Decimal(30), Decimal(20), Decimal("26.67")]
    assert [i.reason for i in scored.evaluation.indicators] == ["", "受疫情影响", "受疫情影响"]
    assert scored.result.total == Decimal("86.67")


def test_source_locates_scoring_and_validation_issues_in_cells(tmp_path):
    from pydantic import ValidationError

    from scoring.core.model import Evaluation
    from scoring.pipeline import score
    from scoring.sources.loader import validation_issues

    def fill_cells(ws, cols, rows):
        ws.cell(rows[0], cols["实际完成值"]).value = "85%"

    path = _small(tmp_path, [("覆盖率", "≥90%", 90)], fill_cells)
    [item] = read_workbook(path)
    result = score(Evaluation.model_validate(item.data), item.source, item.issues)
    [warning] = [i for i in result.issues if i.severity == "warning"]
    cols_row = item.source.locate("indicators[0].reason")
    assert (warning.location.sheet, warning.location.cell) == ("甲", cols_row.cell)
    assert item.source.locate("funding.executed").cell == item.source.cells["funding.executed"]
    bad = dict(item.data, indicators=[dict(item.data["indicators"][0], weight="-1")], year=1066)
    with pytest.raises(ValidationError) as exc:
        Evaluation.model_validate(bad)
    located = {(i.location.path, i.location.cell) for i in validation_issues(exc.value, item.source)}
    assert located == {("year", item.source.cells["year"]),
                       ("indicators[0].weight", item.source.cells["indicators[0].weight"])}


def test_every_read_evaluation_validates():
    from scoring.core.issues import ScoringError
    from scoring.core.model import Evaluation

    for path in sorted((Path(__file__).parent / "workbooks" / "broken").glob("*.xls*")):
        try:
            items = read_workbook(path)
        except ScoringError:
            continue
        for item in items:
            if item.data is not None:
                Evaluation.model_validate(item.data)
