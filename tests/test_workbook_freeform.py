"""A unit's own spreadsheet, laid out like the official table: columns in any order, the
header row found by its labels, merged 一级/二级 cells, printed 得分 and 偏差度 checked
against computed ones, row by row."""

from __future__ import annotations

from decimal import Decimal

import pytest
from conftest import EXAMPLES
from openpyxl import Workbook
from test_workbook import outcome

from scoring.pipeline import run_data, score_workbook
from scoring.sources.loader import load_yaml
from scoring.sources.workbook.reader import read_workbook

DEPARTMENT = "安阳北关区医保局_2022_部门整体.yaml"
COLUMNS = ("三级指标", "一级指标", "二级指标", "分值", "年度指标值", "实际完成值", "得分", "偏差度",
           "偏差原因分析及改进措施")
KEYS = {"一级指标": "level1", "二级指标": "level2", "三级指标": "level3", "分值": "weight",
        "年度指标值": "target", "实际完成值": "actual", "得分": "printed_score", "偏差度": "printed_deviation",
        "偏差原因分析及改进措施": "reason"}


def _number(value):
    return None if value is None else float(value)


def write_free_form(ws, data: dict, columns=COLUMNS, title_rows: int = 2) -> dict[tuple[int, str], str]:
    """The official table as a finance office types it; returns (row index, column label) → cell."""
    ws.append([f"{data['year']}年度部门整体支出绩效自评表"])
    ws.append([f"部门（单位）名称：{data['unit']}"])
    for _ in range(title_rows - 2):
        ws.append([])
    f = data["funding"]
    ws.append(["资金情况（万元）", None, "年初预算数", "全年预算数", "全年执行数", "分值", "执行率", "得分"])
    ws.append([None, f["label"], _number(f["initial_budget"]), _number(f["annual_budget"]),
               _number(f["executed"]), _number(f["weight"]), float(f["printed_rate"]) / 100, _number(f["printed_score"])])
    ws.cell(ws.max_row, 7).number_format = "0.00%"
    for s in f["sources"]:
        ws.append([None, s["name"], _number(s["initial_budget"]), _number(s["annual_budget"]), _number(s["executed"])])
    ws.merge_cells(start_row=ws.max_row - len(f["sources"]) - 1, start_column=1, end_row=ws.max_row, end_column=1)
    ws.append([])
    ws.append(["年度履职目标", "预期目标", None, None, "实际完成情况"])
    for g in data["goals"]:
        ws.append([None, g["expected"], None, None, g["actual"]])
    ws.append([])
    ws.append(list(columns))
    cells = {}
    start = ws.max_row + 1
    for i, ind in enumerate(data["indicators"]):
        row = []
        for label in columns:
            value = ind.get(KEYS[label])
            if KEYS[label] in ("weight", "printed_score", "printed_deviation"):
                value = _number(value)
            row.append(value)
        ws.append(row)
        for k, label in enumerate(columns, 1):
            cell = ws.cell(ws.max_row, k)
            cells[(i, label)] = cell.coordinate
            if isinstance(cell.value, str) and cell.value.startswith("="):
                cell.data_type = "s"  # “=100%” typed as text, not a formula
    for label in ("一级指标", "二级指标"):  # merged down, as printed
        col = columns.index(label) + 1
        run_start = start
        for r in range(start + 1, ws.max_row + 2):
            same = r <= ws.max_row and all(
                ws.cell(r, columns.index(name) + 1).value == ws.cell(run_start, columns.index(name) + 1).value
                for name in ("一级指标", label))
            if not same:
                if r - run_start > 1:
                    for k in range(run_start + 1, r):
                        ws.cell(k, col).value = None
                    ws.merge_cells(start_row=run_start, start_column=col, end_row=r - 1, end_column=col)
                run_start = r
    total = [None] * len(columns)
    total[0] = "总分"
    total[columns.index("分值")] = 100
    total[columns.index("得分")] = _number(data["printed_total"])
    ws.append(total)
    cells["total"] = ws.cell(ws.max_row, columns.index("得分") + 1).coordinate
    return cells


@pytest.fixture
def department():
    return load_yaml(EXAMPLES / DEPARTMENT)[0]


def test_the_published_table_as_a_spreadsheet_scores_as_printed(tmp_path, department):
    wb = Workbook()
    write_free_form(wb.active, department)
    wb.save(tmp_path / "t.xlsx")
    [item] = read_workbook(tmp_path / "t.xlsx")
    assert not item.generated and item.data["kind"] == "department"
    assert item.data["unit"] == department["unit"] and item.data["year"] == 2022
    assert item.data["funding"]["printed_rate"] == Decimal("99.85")
    for got, want in zip(item.data["indicators"], department["indicators"]):
        assert (got["level1"], got["level2"], got["level3"]) == (want["level1"], want["level2"], want["level3"])
        assert got["printed_score"] == want["printed_score"]
    # The published table rounds its funds score to one decimal (9.985 → 10), the default
    # funds rounding: the sheet scores exactly as printed, with no setting to give.
    [scored] = score_workbook(tmp_path / "t.xlsx")
    assert outcome(scored) == outcome(run_data(department))
    assert scored.result.total == Decimal("98.89")
    assert not [i for i in scored.issues if "printed" in i.location.path]


def test_printed_against_computed_is_reported_row_by_row_at_the_printed_cells(tmp_path, department):
    i = next(k for k, ind in enumerate(department["indicators"]) if ind["level3"] == "全区参保群众满意度")
    department["indicators"][i]["printed_score"] = Decimal("19")
    department["indicators"][i]["printed_deviation"] = Decimal("-5")
    department["printed_total"] = Decimal("99")
    wb = Workbook()
    cells = write_free_form(wb.active, department, columns=tuple(reversed(COLUMNS)), title_rows=5)
    wb.save(tmp_path / "t.xlsx")
    [scored] = score_workbook(tmp_path / "t.xlsx")
    warnings = {(x.location.cell, x.message) for x in scored.issues if x.severity == "warning"}
    assert (cells[(i, "得分")], "三级指标“全区参保群众满意度”印刷得分 19，计算得分 18.89") in warnings
    assert (cells[(i, "偏差度")], "三级指标“全区参保群众满意度”印刷偏差度 -5.00，计算偏差度 -5.56") in warnings
    assert (cells["total"], "印刷总分 99，计算总分 98.89") in warnings


def _sheet(ws, rows, header=("一级指标", "二级指标", "三级指标", "年度指标值", "实际完成值", "分值", "得分")):
    ws.append(["单位名称", "某市某局", None, "评价年度", "2023年"])
    ws.append(["项目名称", ws.title])
    ws.append(list(header))
    for row in rows:
        ws.append(list(row))
    return ws


def test_a_row_needing_judgement_takes_its_printed_score(tmp_path):
    wb = Workbook()
    _sheet(wb.active, [("产出指标", "质量指标", "培训质量", "明显提升", "部分达成", 30, 20),
                       ("产出指标", "数量指标", "培训人次", "≥100人次", "120人次", 70, 70)])
    wb.save(tmp_path / "t.xlsx")
    [scored] = score_workbook(tmp_path / "t.xlsx")
    assert scored.ok and scored.result.total == Decimal(90)
    [info] = [i for i in scored.issues if i.severity == "info"]
    assert info.location.cell == "G4" and "已采用表中的得分 20" in info.message


def test_rules_in_a_column_header_labels_in_full_width_and_a_second_sheet_without_unit(tmp_path):
    wb = Workbook()
    header = ("一级指标", "二级指标", "三级指标　", "年度指标值", "实际完成值", "分值", "评分规则")
    _sheet(wb.active, [("产出指标", "", "预算调整率", "≤10%", "15%", 50, "{bands: [{when: '≤10%', score: 50}, "
                                                                  "{when: '≤20%', score: 30}], otherwise: 0}"),
                       ("效益指标", "", "满意度", "≥90%", "95%", 50, "")], header)
    second = wb.create_sheet("项目乙")
    second.append(["项目名称", "项目乙"])
    second.append(list(header))
    second.append(["产出指标", "", "x", "≥90%", "95%", 100, "{bands: oops}"])
    wb.save(tmp_path / "t.xlsx")
    first, other = score_workbook(tmp_path / "t.xlsx")
    assert first.result.total == Decimal(80)  # 30 by the band table + 50
    assert other.evaluation.unit == "某市某局" and other.evaluation.year == 2023
    [error] = [i for i in other.issues if i.severity == "error"]
    assert (error.location.sheet, error.location.cell) == ("项目乙", "G3")
    assert "评分规则" in error.message and "bands" in error.hint


def test_group_rows_notes_and_blank_rows_inside_the_table_are_passed_over(tmp_path):
    wb = Workbook()
    ws = _sheet(wb.active, [("产出指标（60分）", None, None, None, None, 60, None),
                            (None, "数量指标", "培训人次", "≥100人次", "120人次", 60, 60),
                            (None, None, None, None, None, None, None),
                            ("效益指标（40分）", None, None, None, None, 40, None),
                            (None, "社会效益指标", "满意度", "≥90%", "95%", 40, 40)])
    ws.append(["总分", None, None, None, None, 100, 100])
    ws.append(["填表人：张三"])
    ws.merge_cells(start_row=ws.max_row, start_column=1, end_row=ws.max_row, end_column=7)
    wb.save(tmp_path / "t.xlsx")
    [scored] = score_workbook(tmp_path / "t.xlsx")
    assert scored.ok, scored.issues
    assert [(r.level1, r.level2, r.level3) for r in scored.result.indicators] == [
        ("产出指标", "数量指标", "培训人次"), ("效益指标", "社会效益指标", "满意度")]
    assert scored.result.total == Decimal(100)
