"""Odd cells in a unit's workbook: Excel error values, merges down a scored column,
invisible control characters. Each is reported at its cell (or range) with what to do;
none is read as an empty cell, a copied value or a broken name."""

from __future__ import annotations

import shutil
import subprocess
import zipfile
from decimal import Decimal
from pathlib import Path

import pytest
from workbooks.sheets import indicator_rows

from scoring.core.text import clean_text, has_illegal, strip_illegal
from scoring.outputs.workbook import build_workbook
from scoring.pipeline import score_workbook
from scoring.sources.workbook.errors import error_cells

ROWS = [("覆盖率", "≥90%", 30, "95%"), ("满意度", "≥90%", 30, "92%"), ("完成时间", "2022年12月31日前", 30,
                                                                 "2022年11月30日")]
ERRORS = ("#DIV/0!", "#REF!", "#N/A", "#VALUE!", "#NAME?", "#NUM!", "#NULL!")


def project():
    """A generated project sheet with three filled rows; (workbook, sheet, columns, rows)."""
    data = {"kind": "project", "unit": "某局", "year": 2022, "project": "甲",
            "funding": {"weight": 10, "initial_budget": 10, "annual_budget": 10, "executed": 10},
            "indicators": [{"level1": "产出指标", "level2": "数量指标", "level3": n, "target": t, "weight": w,
                            "actual": a} for n, t, w, a in ROWS]}
    wb = build_workbook([data])
    ws = wb.worksheets[1]
    cols, rows = indicator_rows(ws)
    return wb, ws, cols, rows


def issues(path: Path) -> list:
    return [i for s in score_workbook(path) for i in s.issues]


def at(found: list, cell: str) -> list:
    return [i for i in found if i.location.cell == cell]


def patch(path: Path, member: str, old: str, new: str) -> None:
    """Replace text in one part of a saved workbook, as another program would have written it."""
    with zipfile.ZipFile(path) as z:
        parts = [(i.filename, z.read(i.filename)) for i in z.infolist()]
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as z:
        for name, data in parts:
            if name == member:
                assert old.encode() in data, (old, member)
                data = data.replace(old.encode(), new.encode())
            z.writestr(name, data)


# ------------------------------------------------------------------ the characters


def test_the_characters_xml_forbids_are_found_and_removed():
    for ch in [*map(chr, range(0, 9)), "\x0b", "\x0c", *map(chr, range(0x0E, 0x20)), "\ufffe", "\uffff"]:
        assert has_illegal(f"甲{ch}乙") and strip_illegal(f"甲{ch}乙") == "甲乙", repr(ch)
    assert not has_illegal("甲\t乙\n丙\r") and strip_illegal("甲\t乙\n") == "甲\t乙\n"
    assert clean_text("ab") == ("ab", False) and clean_text("a\x07b") == ("ab", True)
    # Excel's escaped form: only when asked (text read from a spreadsheet file by openpyxl)
    assert not has_illegal("a_x000B_b") and strip_illegal("a_x000B_b") == "a_x000B_b"
    assert has_illegal("a_x000B_b", escaped=True) and strip_illegal("a_x000B_b", escaped=True) == "ab"
    assert strip_illegal("a_x005F_x000B_b", escaped=True) == "a_x005F_x000B_b"  # a typed “_x000B_”
    assert strip_illegal("_x0009_ _x000A_", escaped=True) == "_x0009_ _x000A_"  # tab, line feed


def test_control_characters_in_cells_are_removed_with_a_warning_at_the_cell(tmp_path):
    wb, ws, cols, rows = project()
    name = ws.cell(rows[0], cols["三级指标"])
    actual = ws.cell(rows[1], cols["实际完成值"])
    name.value, actual.value = "覆盖率CTRL1", "92%CTRL2"
    path = tmp_path / "ctrl.xlsx"
    wb.save(path)
    # Excel writes a control character escaped; calamine reads it back as the character
    patch(path, "xl/worksheets/sheet2.xml", "CTRL1", "_x000B_")
    patch(path, "xl/worksheets/sheet2.xml", "CTRL2", "_x0001_")
    [scored] = score_workbook(path)
    warnings = [i for i in scored.issues if "已删除不可见的控制字符" in i.message]
    assert {i.location.cell for i in warnings} == {name.coordinate, actual.coordinate}
    assert all(i.severity == "warning" and i.location.sheet == ws.title and i.hint for i in warnings)
    assert scored.ok, scored.issues
    assert [i.level3 for i in scored.evaluation.indicators][:2] == ["覆盖率", "满意度"]
    assert scored.result.indicators[1].actual == "92%"
    assert scored.result.total == Decimal(100)


# ------------------------------------------------------------------ error values


@pytest.mark.parametrize("code", ERRORS)
def test_an_error_value_is_reported_as_such_at_its_cell(tmp_path, code):
    wb, ws, cols, rows = project()
    weight = ws.cell(rows[0], cols["分值"])
    weight.value = code  # openpyxl writes an error value for these texts: <c t="e"><v>#N/A</v></c>
    assert weight.data_type == "e"
    path = tmp_path / "error.xlsx"
    wb.save(path)
    found = issues(path)
    [issue] = at(found, weight.coordinate)
    assert issue.severity == "error" and issue.location.sheet == ws.title
    assert f"三级指标“覆盖率”的分值单元格是 Excel 错误值 {code}（公式计算出错" in issue.message
    assert issue.hint == "请修正该单元格的公式或直接填写数值"
    assert not any("没有保存计算结果" in i.message or "缺少分值" in i.message for i in found)
    assert not any(i.message.startswith("分值合计") for i in found), "a consequence of the one error"


def test_a_formula_whose_saved_result_is_an_error(tmp_path):
    """The cell as Excel saves it: the formula and its error result."""
    wb, ws, cols, rows = project()
    actual = ws.cell(rows[1], cols["实际完成值"])
    actual.value = "ERRMARK"
    path = tmp_path / "formula.xlsx"
    wb.save(path)
    ref = actual.coordinate
    with zipfile.ZipFile(path) as z:
        xml = z.read("xl/worksheets/sheet2.xml").decode()
    start = xml.index(f'<c r="{ref}"')
    end = xml.index("</c>", start) + 4
    patch(path, "xl/worksheets/sheet2.xml", xml[start:end], f'<c r="{ref}" t="e"><f>1/0</f><v>#DIV/0!</v></c>')
    assert error_cells(path, ws.title) == {(actual.row - 1, actual.column - 1): "#DIV/0!"}
    [issue] = at(issues(path), ref)
    assert "实际完成值单元格是 Excel 错误值 #DIV/0!（公式计算出错：公式中除数为 0）" in issue.message


@pytest.mark.skipif(shutil.which("soffice") is None, reason="LibreOffice is not installed")
@pytest.mark.parametrize("fmt", ["xlsx", "ods"])
def test_error_values_in_a_file_saved_by_libreoffice(tmp_path, fmt):
    wb, ws, cols, rows = project()
    weight = ws.cell(rows[0], cols["分值"])
    actual = ws.cell(rows[1], cols["实际完成值"])
    target = ws.cell(rows[2], cols["年度指标值"])
    weight.value, actual.value, target.value = "=30/0", "=NA()", "=#REF!+1"
    for cell in (weight, actual, target):
        cell.data_type = "f"
    source = tmp_path / "source.xlsx"
    wb.save(source)
    out = tmp_path / "out"
    subprocess.run(["soffice", f"-env:UserInstallation=file://{tmp_path}/lo", "--headless", "--convert-to", fmt,
                    "--outdir", str(out), str(source)], check=True, capture_output=True, timeout=180)
    found = issues(out / f"source.{fmt}")
    for cell, what, code in ((weight, "分值", "#DIV/0!"), (actual, "实际完成值", "#N/A"), (target, "年度指标值", "#REF!")):
        [issue] = at(found, cell.coordinate)
        assert f"的{what}单元格是 Excel 错误值 {code}（公式计算出错：" in issue.message, issue
        assert issue.location.path.endswith(("weight", "actual", "target"))
    assert not any("没有保存计算结果" in i.message for i in found)


# ------------------------------------------------------------------ merges


@pytest.mark.parametrize("label", ["实际完成值", "分值", "年度指标值", "判定得分"])
def test_a_merge_down_a_scored_column_is_an_error_at_its_range(tmp_path, label):
    wb, ws, cols, rows = project()
    col = cols[label]
    ws.merge_cells(start_row=rows[0], end_row=rows[2], start_column=col, end_column=col)
    path = tmp_path / "merged.xlsx"
    wb.save(path)
    [scored] = score_workbook(path)
    span = f"{ws.cell(rows[0], col).coordinate}:{ws.cell(rows[2], col).coordinate}"
    merged = [i for i in scored.issues if "合并单元格" in i.message]
    assert len(merged) == 1, scored.issues
    [issue] = merged
    assert issue.location.cell == span and issue.severity == "error"
    assert issue.message == f"'{ws.title}'!{span} 是合并单元格，跨了 3 行；{label}每行应各自填写"
    assert issue.hint.startswith("请取消合并")
    assert scored.result is None or scored.result.total is None
    assert not any(i.message.startswith("分值合计") or "缺少" in i.message for i in scored.issues)


def test_merges_in_the_level_and_reason_columns_stay_allowed(tmp_path):
    wb, ws, cols, rows = project()  # the writer merges the equal 一级 and 二级 cells itself
    assert any(r.min_col == cols["一级指标"] and r.max_row > r.min_row for r in ws.merged_cells.ranges)
    col = cols["偏差原因分析及改进措施"]
    ws.cell(rows[0], col).value = "提前完成"
    ws.merge_cells(start_row=rows[0], end_row=rows[1], start_column=col, end_column=col)
    path = tmp_path / "levels.xlsx"
    wb.save(path)
    [scored] = score_workbook(path)
    assert scored.ok, scored.issues
    assert [i.reason for i in scored.evaluation.indicators] == ["提前完成", "提前完成", ""]


def test_a_merge_across_columns_of_one_row_is_not_a_merge_down(tmp_path):
    wb, ws, cols, rows = project()
    ws.cell(rows[2], cols["实际完成值"]).value = "2022年11月30日"
    ws.merge_cells(start_row=rows[2], end_row=rows[2], start_column=cols["实际完成值"],
                   end_column=cols["偏差原因分析及改进措施"])
    path = tmp_path / "across.xlsx"
    wb.save(path)
    assert not any("合并单元格" in i.message for i in issues(path))


def test_an_error_value_in_a_name_is_reported_once_as_such(tmp_path):
    wb, ws, cols, rows = project()
    name = ws.cell(rows[1], cols["三级指标"])
    name.value = "#REF!"
    path = tmp_path / "name.xlsx"
    wb.save(path)
    found = at(issues(path), name.coordinate)
    assert [i.message for i in found] == ["三级指标单元格是 Excel 错误值 #REF!（公式计算出错：公式引用的单元格已被删除或无效）"]


def test_an_error_value_in_a_level_column_is_not_also_a_missing_level(tmp_path):
    wb, ws, cols, rows = project()
    level1 = ws.cell(rows[0], cols["一级指标"])  # the top of the writer's merged 一级 range
    level1.value = "#N/A"
    path = tmp_path / "level.xlsx"
    wb.save(path)
    found = issues(path)
    assert [i.message for i in at(found, level1.coordinate)] == [
        "一级指标单元格是 Excel 错误值 #N/A（公式计算出错：公式查找不到对应的值）"]
    assert not any("缺少一级指标" in i.message for i in found)
