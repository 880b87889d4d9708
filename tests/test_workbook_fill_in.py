"""A unit fills in the workbook its own way: more rows than the template has, blank weights
shared within their group, and hints left in place; as written by jixiao, and after
LibreOffice has opened and saved it (.xlsx and .ods), as a unit's office suite would."""

from __future__ import annotations

import json
import shutil
import subprocess
import tempfile
from decimal import Decimal
from pathlib import Path

import openpyxl
import pytest
from docx import Document
from workbooks.sheets import block_rows, columns, find, funds_total, indicator_rows

from scoring.cli import main
from scoring.outputs.workbook import write_workbook
from scoring.pipeline import score_workbook
from scoring.sources.instantiate import PLACEHOLDER, instantiate
from scoring.sources.templates import require_template
from scoring.sources.workbook.reader import read_workbook

# Weighted 二级 under 产出指标 (the unit's 重点工作任务 share 20); none under 满意度指标
# (its rows share the 一级's 30), as docs/templates.md documents the split.
TEMPLATE = """\
name: fill_in_test
title: 填报测试模板
kind: project
funding: {label: 年度资金总额, weight: 10}
funds_management:
  - {name: 安排科学性, weight: 5, description: 资金安排是否科学合理、与项目目标匹配}
  - {name: 拨付合规性, weight: 5, description: 资金拨付是否及时、程序是否合规}
indicators:
  - name: 产出指标
    weight: 50
    children:
      - name: 重点工作任务
        weight: 20
      - name: 时效指标
        weight: 30
        children:
          - {name: 资金拨付及时率, weight: 30, target: "≥95%"}
  - name: 满意度指标
    weight: 30
    children:
      - name: 服务对象满意度指标
"""
HINT = "资金安排是否科学合理、与项目目标匹配"
SHEET = "培训项目"


def blank_workbook(tmp_path: Path) -> Path:
    path = tmp_path / "fill_in_test.yaml"
    path.write_text(TEMPLATE, encoding="utf-8")
    template = require_template(path)
    data, issues = instantiate(template, unit="某局", year=2024, project="培训项目")
    assert not issues
    return write_workbook([data], tmp_path / "单位.xlsx", template=template)


def group_rows(ws, level2: str) -> list[int]:
    """The rows of one 二级 (its label merged down them)."""
    cols, rows = indicator_rows(ws)
    top = next(r for r in rows if ws.cell(r, cols["二级指标"]).value == level2)
    for rng in ws.merged_cells.ranges:
        if rng.min_row == top and rng.min_col == cols["二级指标"]:
            return list(range(rng.min_row, rng.max_row + 1))
    return [top]


def fill(path: Path, *, weights: tuple = (None, None), hint_left: bool = True) -> Path:
    """Fill in the sheet as a unit would: two 重点工作任务 (one in the placeholder's row,
    one in the empty row below it), one 满意度 row, weights as given (None: left blank).
    Percentages are typed as text (an .ods percent cell does not read yet)."""
    wb = openpyxl.load_workbook(path)
    ws = wb[SHEET]
    cols, total, _ = funds_total(ws)
    ws.cell(total, cols["全年预算数"]).value = 100
    ws.cell(total, cols["全年执行数"]).value = 95
    header, _ = find(ws, "资金管理情况")
    fm = columns(ws, header)
    first, second = block_rows(ws, header)[:2]
    if not hint_left:
        ws.cell(first, fm["情况说明"]).value = "资金按项目计划安排，与培训任务匹配"
    ws.cell(second, fm["情况说明"]).value = "资金按进度拨付，程序合规"
    for r in (first, second):
        ws.cell(r, fm["得分"]).value = 4
        ws.cell(r, fm["存在问题和改进措施"]).value = "无"
    cols, _ = indicator_rows(ws)
    task = group_rows(ws, "重点工作任务")
    rows = [(task[0], "培训人次", "≥200人次", "200人次", weights[0], ""),
            (task[1], "检查次数", "≥4次", "3次", weights[1], "一次检查因故推迟"),
            (find(ws, "资金拨付及时率")[0], None, None, "95%", None, ""),
            (group_rows(ws, "服务对象满意度指标")[0], "参训人员满意度", "≥90%", "95%", None, "")]
    for r, name, target, actual, weight, reason in rows:
        for label, value in (("三级指标", name), ("年度指标值", target), ("实际完成值", actual),
                             ("分值", weight), ("偏差原因分析及改进措施", reason or None)):
            if value is not None:
                ws.cell(r, cols[label]).value = value
    wb.save(path)
    return path


def soffice(src: Path, fmt: str, out_dir: Path) -> Path:
    """Open and save with LibreOffice, as a unit's office suite would."""
    with tempfile.TemporaryDirectory() as tmp:
        subprocess.run(["soffice", f"-env:UserInstallation=file://{tmp}/profile", "--headless",
                        "--convert-to", fmt, "--outdir", tmp, str(src)], check=True, capture_output=True,
                       timeout=180)
        out = out_dir / f"{src.stem}.{fmt}"
        shutil.move(Path(tmp) / f"{src.stem}.{fmt}", out)
    return out


MACRO = """<?xml version="1.0" encoding="UTF-8"?>
<!DOCTYPE script:module PUBLIC "-//OpenOffice.org//DTD OfficeDocument 1.0//EN" "module.dtd">
<script:module xmlns:script="http://openoffice.org/2000/script" script:name="Module1" script:language="StarBasic">
Function PV(n, v)
  Dim p As New com.sun.star.beans.PropertyValue
  p.Name = n : p.Value = v
  PV = p
End Function

Sub Main
  doc = StarDesktop.loadComponentFromURL(ConvertToURL("{src}"), "_blank", 0, Array(PV("Hidden", True)))
  ctrl = doc.getCurrentController()
  ctrl.setActiveSheet(doc.Sheets.getByName("{sheet}"))
  disp = createUnoService("com.sun.star.frame.DispatchHelper")
  ctrl.select(doc.Sheets.getByName("{sheet}").getCellRangeByName("{at}"))
  disp.executeDispatch(ctrl.getFrame(), ".uno:InsertRowsBefore", "", 0, Array())
{typing}
  doc.storeToURL(ConvertToURL("{out}"), Array(PV("FilterName", "Calc MS Excel 2007 XML")))
  doc.close(True)
End Sub
</script:module>
"""


def libreoffice_inserts_a_row(src: Path, at: str, typed: dict[str, str], out: Path) -> Path:
    """As a unit does in LibreOffice Calc: select a cell, Sheet → Insert Rows Above, type into
    the new row's cells, save (a Basic macro in a fresh profile, through the dispatcher,
    so the sheet's protection applies as it does to a person)."""
    from xml.sax.saxutils import escape

    typing = "\n".join(
        f'  ctrl.select(doc.Sheets.getByName("{SHEET}").getCellRangeByName("{cell}"))\n'
        f'  disp.executeDispatch(ctrl.getFrame(), ".uno:EnterString", "", 0, Array(PV("StringName", "{escape(text)}")))'
        for cell, text in typed.items())
    with tempfile.TemporaryDirectory() as tmp:
        profile = f"-env:UserInstallation=file://{tmp}/profile"
        subprocess.run(["soffice", profile, "--headless", "--terminate_after_init"], check=True,
                       capture_output=True, timeout=180)
        module = Path(tmp) / "profile/user/basic/Standard/Module1.xba"
        module.write_text(MACRO.format(src=src, sheet=SHEET, at=at, typing=typing, out=out), encoding="utf-8")
        subprocess.run(["soffice", profile, "--headless",
                        "vnd.sun.star.script:Standard.Module1.Main?language=Basic&location=application"],
                       check=True, capture_output=True, timeout=180)
    return out


def issue(scored, text: str):
    [found] = [i for i in scored.issues if text in i.message]
    return found


# ------------------------------------------------------------------ the layout


def test_open_groups_get_empty_open_rows_and_record_their_weights(tmp_path):
    path = blank_workbook(tmp_path)
    ws = openpyxl.load_workbook(path)[SHEET]
    cols, _ = indicator_rows(ws)
    task = group_rows(ws, "重点工作任务")
    assert len(task) == 3  # the placeholder and two empty rows
    assert ws.cell(task[0], cols["三级指标"]).value == PLACEHOLDER
    for r in task:
        assert ws.cell(r, cols["分值"]).value is None  # a placeholder's weight is the group's to share
        for label in ("三级指标", "年度指标值", "实际完成值", "分值"):
            cell = ws.cell(r, cols[label])
            assert not cell.protection.locked and cell.fill.fgColor.rgb == "00FFF2CC", (r, label)
    fixed = find(ws, "资金拨付及时率")[0]
    assert ws.cell(fixed, cols["分值"]).value == 30 and ws.cell(fixed, cols["分值"]).protection.locked
    meta = json.loads(next(c.value for c in ws[1] if isinstance(c.value, str) and c.value.startswith("{")))
    assert meta["groups"] == [{"level1": "产出指标", "level2": "重点工作任务", "weight": "20"},
                              {"level1": "满意度指标", "weight": "30"}]
    assert meta["hints"] == {"funds_management": {"安排科学性": HINT, "拨付合规性": "资金拨付是否及时、程序是否合规"}}


def test_empty_open_rows_are_passed_over(tmp_path):
    path = blank_workbook(tmp_path)
    [item] = read_workbook(path)
    assert [i["level3"] for i in item.data["indicators"]] == [PLACEHOLDER, "资金拨付及时率", PLACEHOLDER]
    assert [i["weight"] for i in item.data["indicators"]] == [Decimal(20), Decimal(30), Decimal(30)]
    assert not [i for i in item.issues if i.severity == "error"]
    assert not [i for i in item.issues if "分值" in i.message]


def test_the_hint_is_grey_italic_only_while_it_is_the_hint(tmp_path):
    ws = openpyxl.load_workbook(blank_workbook(tmp_path))[SHEET]
    r, c = find(ws, HINT)
    cell = ws.cell(r, c)
    assert not cell.font.i and not cell.protection.locked
    rules = [rule for rng in ws.conditional_formatting for rule in rng.rules if cell.coordinate in str(rng.sqref)]
    [rule] = rules
    assert rule.dxf.font.i and rule.formula == [f'AND($C${r}<>"",EXACT($C${r},$I${r}))']
    assert ws.cell(r, 9).value == HINT and ws.column_dimensions["I"].hidden


# ------------------------------------------------------------- sharing weights


def check_shared(scored) -> None:
    """Two 重点工作任务 share 20, the 满意度 row takes the 一级's 30, and the scores add up."""
    assert scored.ok, scored.issues
    rows = {r.level3: r for r in scored.result.indicators}
    assert (rows["培训人次"].weight, rows["检查次数"].weight) == (Decimal(10), Decimal(10))
    assert rows["参训人员满意度"].weight == Decimal(30)
    assert (rows["培训人次"].score, rows["检查次数"].score) == (Decimal(10), Decimal("7.5"))
    assert scored.result.weight_total == Decimal(100)
    parts = [scored.result.funding.score] + [f.score for f in scored.result.funds_management]
    parts += [r.score for r in scored.result.indicators]
    assert scored.result.total == sum(parts) == Decimal("9.5") + 8 + 10 + Decimal("7.5") + 30 + 30
    note = issue(scored, "平分")
    assert (note.severity, note.location.sheet) == ("info", SHEET)
    assert note.message == "二级指标“重点工作任务”的分值 20 由 2 个三级指标平分：10、10"
    assert note.location.path == f"indicators[{[r.level3 for r in scored.result.indicators].index('培训人次')}].weight"
    single = issue(scored, "满意度指标")
    assert single.message == "一级指标“满意度指标”的分值 30 给未填写分值的三级指标“参训人员满意度”"


def test_two_rows_written_into_one_group_share_its_weight(tmp_path):
    path = fill(blank_workbook(tmp_path), hint_left=False)
    [scored] = score_workbook(path)
    check_shared(scored)
    ws = openpyxl.load_workbook(path)[SHEET]
    cols, _ = indicator_rows(ws)
    assert issue(scored, "平分").location.cell == f"{openpyxl.utils.get_column_letter(cols['分值'])}{group_rows(ws, '重点工作任务')[0]}"


@pytest.mark.skipif(shutil.which("soffice") is None, reason="needs LibreOffice")
def test_the_same_after_libreoffice_saves_it_as_xlsx_and_ods(tmp_path):
    path = fill(blank_workbook(tmp_path), hint_left=False)
    for fmt in ("xlsx", "ods"):
        out = tmp_path / fmt
        out.mkdir()
        [scored] = score_workbook(soffice(path, fmt, out))
        check_shared(scored)
        assert not [i for i in scored.issues if i.severity != "info"], (fmt, scored.issues)
    # what LibreOffice keeps of the layout: protection, open empty rows, the hint's format
    ws = openpyxl.load_workbook(tmp_path / "xlsx" / path.name)[SHEET]
    cols, _ = indicator_rows(ws)
    empty = group_rows(ws, "服务对象满意度指标")[1]
    assert ws.protection.sheet and not ws.protection.insertRows and ws.protection.deleteRows
    assert not ws.cell(empty, cols["三级指标"]).protection.locked and ws.cell(empty, cols["三级指标"]).value is None
    assert any(rule.dxf.font.i for rng in ws.conditional_formatting for rule in rng.rules)


@pytest.mark.skipif(shutil.which("soffice") is None, reason="needs LibreOffice")
def test_a_hint_left_in_place_is_found_after_libreoffice_saves_it_as_ods(tmp_path):
    path = fill(blank_workbook(tmp_path), hint_left=True)
    [scored] = score_workbook(soffice(path, "ods", tmp_path))
    assert issue(scored, "填表提示").severity == "warning"
    assert scored.evaluation.funds_management[0].description == ""


def test_a_weight_typed_for_one_row_leaves_the_rest_to_the_other(tmp_path):
    [scored] = score_workbook(fill(blank_workbook(tmp_path), weights=(15, None), hint_left=False))
    rows = {r.level3: r.weight for r in scored.result.indicators}
    assert (rows["培训人次"], rows["检查次数"]) == (Decimal(15), Decimal(5))
    assert issue(scored, "检查次数").message == ("二级指标“重点工作任务”的分值 20 扣除已填写的 15，余下 5 "
                                             "给未填写分值的三级指标“检查次数”")


def test_weights_that_use_up_the_group_leave_a_blank_row_at_zero_with_a_warning(tmp_path):
    [scored] = score_workbook(fill(blank_workbook(tmp_path), weights=(20, None), hint_left=False))
    rows = {r.level3: r.weight for r in scored.result.indicators}
    assert (rows["培训人次"], rows["检查次数"]) == (Decimal(20), Decimal(0))
    warning = issue(scored, "按 0 分计")
    assert warning.severity == "warning"
    assert warning.message == ("二级指标“重点工作任务”的分值 20 已由填写了分值的三级指标分完，"
                               "未填写分值的三级指标“检查次数”按 0 分计")


def test_a_blank_weight_outside_an_open_group_is_still_missing(tmp_path):
    path = fill(blank_workbook(tmp_path), hint_left=False)
    wb = openpyxl.load_workbook(path)
    ws = wb[SHEET]
    cols, _ = indicator_rows(ws)
    ws.protection.sheet = False
    ws.cell(find(ws, "资金拨付及时率")[0], cols["分值"]).value = None
    wb.save(path)
    [scored] = score_workbook(path)
    assert issue(scored, "缺少分值").message == "三级指标“资金拨付及时率”缺少分值"


# ------------------------------------------------------------------ hints


def test_a_hint_left_in_place_is_a_warning_and_stays_out_of_the_word_table(tmp_path, capsys):
    path = fill(blank_workbook(tmp_path), hint_left=True)
    [scored] = score_workbook(path)
    warning = issue(scored, "填表提示")
    ws = openpyxl.load_workbook(path)[SHEET]
    assert (warning.severity, warning.location.sheet, warning.location.cell) == (
        "warning", SHEET, ws.cell(*find(ws, HINT)).coordinate)
    assert warning.message == f"“安排科学性”的情况说明仍是填表提示“{HINT}”，不会写入自评表"
    assert warning.hint == "请填写本单位的实际情况"
    fm = {f.name: f.description for f in scored.evaluation.funds_management}
    assert fm == {"安排科学性": "", "拨付合规性": "资金按进度拨付，程序合规"}
    assert scored.ok  # a warning: the document is still written

    out = tmp_path / "word"
    assert main(["render", str(path), "-o", str(out)]) == 0
    assert "填表提示" in capsys.readouterr().err
    documents = {d.name: Document(d) for d in out.glob("*.docx")}
    assert len(documents) == 2  # the table and the report
    for doc in documents.values():
        cells = [cell.text for table in doc.tables for row in table.rows for cell in row.cells]
        assert not any(HINT in t for t in cells + [para.text for para in doc.paragraphs])
    [table] = [doc for name, doc in documents.items() if name.endswith("自评表.docx")]
    texts = [[cell.text.strip() for cell in row.cells] for t in table.tables for row in t.rows]
    [row] = [r for r in texts if "安排科学性" in r]
    assert set(row) - {"资金管理情况", "安排科学性", "5", "4", "无"} == {""}  # 情况说明 printed empty (the block label merges down)
    assert any("资金按进度拨付，程序合规" in t for r in texts for t in r)


@pytest.mark.skipif(shutil.which("soffice") is None, reason="needs LibreOffice")
def test_a_row_inserted_in_libreoffice_into_the_protected_sheet_shares_too(tmp_path):
    path = fill(blank_workbook(tmp_path), hint_left=False)
    ws = openpyxl.load_workbook(path)[SHEET]
    cols, _ = indicator_rows(ws)
    at = group_rows(ws, "重点工作任务")[1]  # insert above the second row: the new row is at[1]
    letter = {k: openpyxl.utils.get_column_letter(cols[k]) for k in ("三级指标", "年度指标值", "实际完成值")}
    typed = {f"{letter['三级指标']}{at}": "宣传次数", f"{letter['年度指标值']}{at}": "≥2次",
             f"{letter['实际完成值']}{at}": "2次"}
    out = libreoffice_inserts_a_row(path, f"{letter['三级指标']}{at}", typed, tmp_path / "inserted.xlsx")
    assert openpyxl.load_workbook(out)[SHEET].protection.sheet  # still protected
    [scored] = score_workbook(out)
    assert scored.ok, scored.issues
    rows = {r.level3: r for r in scored.result.indicators}
    assert [r.level3 for r in scored.result.indicators][:3] == ["培训人次", "宣传次数", "检查次数"]
    assert [rows[n].weight for n in ("培训人次", "宣传次数", "检查次数")] == [
        Decimal("6.67"), Decimal("6.67"), Decimal("6.66")]
    assert issue(scored, "平分").message == "二级指标“重点工作任务”的分值 20 由 3 个三级指标平分：6.67、6.67、6.66"
    assert scored.result.weight_total == Decimal(100)
    parts = [scored.result.funding.score] + [f.score for f in scored.result.funds_management]
    assert scored.result.total == sum(parts + [r.score for r in scored.result.indicators])


def test_damaged_group_weights_are_a_warning_and_blank_weights_missing_again(tmp_path):
    path = fill(blank_workbook(tmp_path), hint_left=False)
    wb = openpyxl.load_workbook(path)
    ws = wb[SHEET]
    cell = next(c for c in ws[1] if isinstance(c.value, str) and c.value.startswith("{"))
    meta = json.loads(cell.value)
    meta["groups"][0]["weight"] = "二十"
    cell.value = json.dumps(meta, ensure_ascii=False)
    wb.save(path)
    [scored] = score_workbook(path)
    damaged = issue(scored, "已损坏")
    assert (damaged.severity, damaged.location.cell) == ("warning", cell.coordinate)
    assert damaged.message == "隐藏的 jixiao 设置单元格中“groups”已损坏"
    missing = {i.message for i in scored.issues if "缺少分值" in i.message}
    assert missing == {"三级指标“培训人次”缺少分值", "三级指标“检查次数”缺少分值", "三级指标“参训人员满意度”缺少分值"}
