"""汇总表.xlsx: numbers a spreadsheet can add up and sort, printed on A4 landscape.

Budgets, executed amounts, rates and totals are number cells under number formats
(not the text “96.6” or “100.00%”); the header row is frozen, filtered and printed on
every page; the grade chart has a sheet of its own that prints on one page.
"""

from __future__ import annotations

import zipfile
from decimal import Decimal

import openpyxl
import pytest
from conftest import EXAMPLES

from scoring.cli import main
from scoring.outputs.batch import summary_workbook
from scoring.pipeline import run_all, run_data


@pytest.fixture
def summary(tmp_path):
    rows = [(s.evaluation, s.result) for path in sorted(EXAMPLES.glob("*.yaml")) for s in run_all(path)]
    return rows, summary_workbook(rows, tmp_path / "汇总表.xlsx")


def test_amounts_rates_and_totals_are_numbers_under_number_formats(summary):
    rows, path = summary
    ws = openpyxl.load_workbook(path)["汇总表"]
    assert [c.value for c in ws[1]] == ["单位", "项目", "类型", "全年预算数（万元）", "全年执行数（万元）", "执行率",
                                        "总分", "等级"]
    assert ws.max_row == len(rows) + 1 == 6
    for r, (ev, result) in enumerate(rows, 2):
        budget, executed, rate, total = (ws.cell(r, c) for c in (4, 5, 6, 7))
        for cell in (budget, executed, rate, total):
            assert cell.data_type == "n" and isinstance(cell.value, (int, float)), cell.coordinate
        assert Decimal(str(budget.value)) == ev.funding.annual_budget and budget.number_format == "0.00"
        assert Decimal(str(executed.value)) == ev.funding.executed and executed.number_format == "0.00"
        assert Decimal(str(rate.value)) * 100 == result.funding.execution_rate  # 0.9985 shown as 99.85%
        assert rate.number_format == "0.00%"
        assert Decimal(str(total.value)) == result.total and total.number_format == "0.00"
        for c in (1, 2, 3, 8):  # names, kind and grade stay text
            assert ws.cell(r, c).data_type == "s"
    assert sorted(ws.cell(r, 7).value for r in range(2, 7)) == [92.4, 96.6, 98.89, 100, 100]


def test_an_evaluation_with_errors_leaves_its_total_empty_not_text(tmp_path):
    scored = run_data({"kind": "project", "unit": "某单位", "year": 2022, "project": "某项目",
                       "indicators": [{"level1": "产出指标", "level2": "数量指标", "level3": "人数",
                                       "target": "≥10人", "actual": "很多", "weight": 100}]})
    assert scored.result.total is None
    ws = openpyxl.load_workbook(summary_workbook([(scored.evaluation, scored.result)],
                                                 tmp_path / "汇总表.xlsx"))["汇总表"]
    assert [ws.cell(2, c).value for c in range(4, 9)] == [None, None, None, None, None]


def test_a4_landscape_one_page_wide_header_frozen_filtered_and_on_every_page(summary):
    _, path = summary
    ws = openpyxl.load_workbook(path)["汇总表"]
    setup = ws.page_setup
    assert (setup.paperSize, setup.orientation) == (9, "landscape")  # 9: A4
    assert (setup.fitToWidth, setup.fitToHeight) == (1, 0) and ws.sheet_properties.pageSetUpPr.fitToPage
    assert ws.print_title_rows == "$1:$1"
    assert ws.print_area == "'汇总表'!$A$1:$H$6"
    assert ws.freeze_panes == "A2"
    assert ws.auto_filter.ref == "A1:H6"


def test_the_grade_chart_has_its_own_sheet_that_prints_on_one_page(summary):
    _, path = summary
    wb = openpyxl.load_workbook(path)
    assert wb.sheetnames == ["汇总表", "等级分布"]
    dist = wb["等级分布"]
    assert list(dist.values)[:5] == [("等级", "数量"), ("优", 5), ("良", 0), ("中", 0), ("差", 0)]
    assert len(dist._charts) == 1 and len(wb["汇总表"]._charts) == 0
    setup = dist.page_setup
    assert (setup.paperSize, setup.orientation, setup.fitToWidth, setup.fitToHeight) == (9, "landscape", 1, 1)
    assert dist.sheet_properties.pageSetUpPr.fitToPage
    with zipfile.ZipFile(path) as z:  # the chart reads its counts from the sheet, as numbers
        chart = z.read("xl/charts/chart1.xml").decode()
    assert "'等级分布'!$B$2:$B$5" in chart and "'等级分布'!$A$2:$A$5" in chart


def test_render_writes_the_summary_with_numbers(tmp_path, seed_examples):
    out = tmp_path / "docs"
    assert main(["render", str(seed_examples), "-o", str(out), "--workers", "1", "--no-report"]) == 0
    ws = openpyxl.load_workbook(out / "汇总表.xlsx")["汇总表"]
    assert all(ws.cell(r, 7).data_type == "n" for r in range(2, ws.max_row + 1))
