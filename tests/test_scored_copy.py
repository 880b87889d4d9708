"""The scored copy (`jixiao score FILE -o 已计分.xlsx`): the user's sheets with the results and problems in them.

Every copy is opened again with openpyxl (as Excel users' files are) and read back by
jixiao's own reader, whose cell map says where each row is: the scores and deviations
in the added columns are the engine's, each problem's cell is coloured and commented,
the user's own cells are as they were, and the input's bytes never change.
"""

from __future__ import annotations

import hashlib
import io
import json
import posixpath
import shutil
import subprocess
import zipfile
from decimal import Decimal
from pathlib import Path

import openpyxl
import pytest
import yaml
from conftest import EXAMPLES, ROOT
from lxml import etree
from test_formula_injection import PAYLOADS, assert_no_user_formula, payload_project

from scoring.cli import main
from scoring.core.issues import ScoringError
from scoring.outputs import scored_copy
from scoring.outputs.scored_copy import copy_path, write_scored_copy
from scoring.outputs.scored_copy.ooxml import Unpatchable
from scoring.outputs.scored_copy.sheet import SheetPatch
from scoring.outputs.workbook import build_workbook
from scoring.pipeline import run_all
from scoring.sources.loader import load_yaml
from scoring.sources.workbook.reader import read_workbook

FILES = ROOT / "tests/files"
BROKEN = ROOT / "tests/workbooks/broken"
EXPECTED = yaml.safe_load((BROKEN / "expected.yaml").read_text(encoding="utf-8"))
PROJECT_YAML = EXAMPLES / "安阳北关区医保局_2022_慢性病专家鉴定费.yaml"
FILL = {"error": "FFFFC7CE", "warning": "FFF8CBAD"}
LABEL = {"error": "错误", "warning": "警告", "info": "提示"}


def digest(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def scored_copy_of(path: Path, out: Path):
    """The evaluations of `path` and its scored copy at `out`; the input's bytes unchanged."""
    before = digest(path)
    scored = run_all(path)
    made = write_scored_copy(path, scored, out)
    assert digest(path) == before, "the input is never modified"
    return scored, made


def number(value) -> Decimal | None:
    return None if value is None else Decimal(str(value))


def row_of(ref: str) -> int:
    return int("".join(ch for ch in ref if ch.isdigit()))


def added_columns(ws) -> tuple[int, int, int, int]:
    """(header row, 计算得分, 计算偏差度, 问题说明 columns) of the indicator table, found by their labels."""
    for row in ws.iter_rows():
        at = {c.value: c.column for c in row if isinstance(c.value, str)}
        if "三级指标" in at and "计算得分" in at:
            return row[0].row, at["计算得分"], at["计算偏差度（%）"], at["问题说明（jixiao）"]
    raise AssertionError(f"{ws.title}: no 计算得分 column beside the indicator table")


def assert_results(copy: Path, scored: list) -> None:
    """Each evaluation's scores, deviations, funds score, rate, total and grade are in the copy,
    at the rows jixiao's reader finds in the copy itself."""
    wb = openpyxl.load_workbook(copy)
    found = {item.sheet: item.source.cells for item in read_workbook(copy)}
    for s in scored:
        title = getattr(s.source, "sheet", None) or next(iter(found))
        ws, cells = wb[title], found[title]
        header, score_col, second_col, _ = added_columns(ws)
        result = s.result
        for ind in result.indicators:
            r = row_of(cells[f"indicators[{ind.index}]"])
            assert r > header
            if ind.score is not None:
                assert number(ws.cell(r, score_col).value) == ind.score, (title, ind.level3)
            assert number(ws.cell(r, second_col).value) == ind.deviation, (title, ind.level3)
            if ind.deviation is not None:
                assert ws.cell(r, second_col).number_format == "0.00"
        if result.funding is not None and result.funding.score is not None:
            r = row_of(cells["funding"])
            assert number(ws.cell(r, score_col).value) == result.funding.score
            assert number(ws.cell(r, second_col).value) * 100 == result.funding.execution_rate
            assert ws.cell(r, second_col).number_format == "0.00%"
        for i, fm in enumerate(result.funds_management):
            assert number(ws.cell(row_of(cells[f"funds_management[{i}]"]), score_col).value) == fm.score
        last = max(row_of(cells[f"indicators[{i.index}]"]) for i in result.indicators)
        total_row = next(r for r in range(last + 1, ws.max_row + 1)
                         if ws.cell(r, score_col).value is not None)
        if result.total is not None:
            assert number(ws.cell(total_row, score_col).value) == result.total
            assert ws.cell(total_row, second_col).value == f"等级：{result.grade}"
        else:
            assert ws.cell(total_row, score_col).value == "未计算"


# ---------------------------------------------------------------- .xlsx


def test_the_copy_of_an_xlsx_holds_the_engines_results_beside_the_users_unchanged_sheet(tmp_path):
    source = FILES / "项目自评.xlsx"
    scored, made = scored_copy_of(source, tmp_path / "已计分.xlsx")
    assert made.kept and made.kind == "xlsx" and made.path == tmp_path / "已计分.xlsx"
    assert_results(made.path, scored)
    assert scored[0].result.total == Decimal("92.40")

    before, after = openpyxl.load_workbook(source), openpyxl.load_workbook(made.path)
    assert after.sheetnames == before.sheetnames
    for old in before.worksheets:
        new = after[old.title]
        for row in old.iter_rows():
            for cell in row:  # every cell the user had: the same value (formulas as written), the same format
                twin = new[cell.coordinate]
                assert (twin.value, twin.number_format) == (cell.value, cell.number_format), cell.coordinate
        assert {str(r) for r in new.merged_cells.ranges} == {str(r) for r in old.merged_cells.ranges}
        assert len(new.data_validations.dataValidation) == len(old.data_validations.dataValidation)
        assert (new.freeze_panes, new.protection.sheet) == (old.freeze_panes, old.protection.sheet)
        for letter, dim in old.column_dimensions.items():
            assert (new.column_dimensions[letter].width, new.column_dimensions[letter].hidden) == (
                dim.width, dim.hidden), letter
        for row in old.iter_rows():
            for cell in row:
                if cell.comment is not None:  # the fill-in hints the unit reads stay
                    assert new[cell.coordinate].comment.text.startswith(cell.comment.text)
    ws = after["慢性病专家鉴定费"]
    header, score_col, second_col, note_col = added_columns(ws)
    assert (header, score_col, second_col, note_col) == (21, 10, 11, 12)  # right of the hidden settings column I
    assert ws.print_area == "'慢性病专家鉴定费'!$A$1:$L$28"  # printed with the added columns
    assert not ws.column_dimensions["J"].hidden and ws.column_dimensions["J"].width == 11
    with zipfile.ZipFile(made.path) as z:  # the cached results of the user's formulas are still there
        sheet = z.read("xl/worksheets/sheet2.xml").decode()
    assert '<f aca="false">IF(AND(ISNUMBER(D7),N(D7)&gt;0),ROUND(E7/D7,4),"")</f><v>1</v>' in sheet


@pytest.mark.parametrize("name", [n for n in EXPECTED if EXPECTED[n].get("issues")])
def test_a_cell_with_a_problem_is_coloured_and_carries_a_chinese_comment(name, tmp_path):
    source = BROKEN / name
    try:
        scored, made = scored_copy_of(source, tmp_path / "已计分.xlsx")
    except ScoringError:  # a sheet with no usable table: reported, no copy (as `jixiao score` does)
        assert name == "header_renamed.xlsx"
        return
    wb = openpyxl.load_workbook(made.path)
    for want in EXPECTED[name]["issues"]:
        ws = wb[want["sheet"]]
        cell = ws[want["cell"]]
        assert cell.fill.fgColor.rgb == FILL[want["severity"]], (want, cell.fill.fgColor.rgb)
        comment = cell.comment.text
        assert f"jixiao {LABEL[want['severity']]}：" in comment and want["message"] in comment, comment
        _, _, _, note_col = added_columns(ws)
        note = ws.cell(cell.row, note_col).value
        assert f"【{want['cell']} {LABEL[want['severity']]}】" in note and want["message"] in note, note
    for s in scored:  # a sheet with errors: no total, and the copy says so
        if s.result is not None and s.result.total is None:
            ws = wb[s.source.sheet]
            _, score_col, _, _ = added_columns(ws)
            assert "未计算" in [ws.cell(r, score_col).value for r in range(1, ws.max_row + 1)]


def test_a_units_own_sheet_gets_the_columns_beside_its_table_and_an_info_is_a_comment_without_colour(tmp_path):
    """A free-form table with a printed 得分: a judged row takes it (提示: commented, not coloured)."""
    wb = openpyxl.Workbook()
    ws = wb.active
    ws.title = "自评表"
    for row in (["项目支出绩效自评表"], ["单位名称", "某单位", "评价年度", 2022], ["项目名称", "某项目"], [],
                ["一级指标", "二级指标", "三级指标", "年度指标值", "实际完成值", "分值", "得分"],
                ["产出指标", "数量指标", "人数", "≥10人", "10人", 50, 50],
                ["效益指标", "社会效益指标", "群众满意", "明显提升", "部分达成", 50, 35],
                ["总分", None, None, None, None, 100, 85]):
        ws.append(row)
    source = tmp_path / "自制表.xlsx"
    wb.save(source)
    scored, made = scored_copy_of(source, tmp_path / "已计分.xlsx")
    assert_results(made.path, scored)
    copy = openpyxl.load_workbook(made.path)["自评表"]
    assert added_columns(copy) == (5, 8, 9, 10)  # right of the table's last column, G
    assert [copy.cell(8, c).value for c in (7, 8, 9)] == [85, 85, "等级：良"]  # 总分 row: printed, computed, grade
    (info,) = [i for i in scored[0].issues if i.severity == "info"]
    cell = copy[info.location.cell]
    assert cell.value == 35 and "jixiao 提示：" in cell.comment.text and "已采用表中的得分 35" in cell.comment.text
    assert cell.fill.fgColor.rgb not in FILL.values()
    assert "【G7 提示】" in copy.cell(7, 10).value and "【C7 警告】" in copy.cell(7, 10).value
    assert copy["C7"].fill.fgColor.rgb == FILL["warning"]


def test_an_existing_comment_on_a_marked_cell_keeps_its_text_and_jixiaos_follows(tmp_path):
    data = load_yaml(PROJECT_YAML)[0]
    data["indicators"][5]["actual"] = "九十五"
    wb = build_workbook([data])
    ws = wb.worksheets[1]
    cell = next(c for row in ws.iter_rows() for c in row if c.value == "九十五")
    cell.comment = openpyxl.comments.Comment("单位备注：满意度调查未完成", "填表人")
    source = tmp_path / "单位.xlsx"
    wb.save(source)
    _, made = scored_copy_of(source, tmp_path / "已计分.xlsx")
    text = openpyxl.load_workbook(made.path)[ws.title][cell.coordinate].comment.text
    assert text.startswith("单位备注：满意度调查未完成") and "jixiao 错误：" in text and "九十五" in text


def test_the_copy_is_read_by_jixiao_as_the_original_is(tmp_path):
    for source in (FILES / "项目自评.xlsx", BROKEN / "many_problems.xlsx"):
        scored, made = scored_copy_of(source, tmp_path / f"{source.stem}_已计分.xlsx")
        again = run_all(made.path)
        assert [(s.source.sheet, s.result.total if s.result else None) for s in again] == [
            (s.source.sheet, s.result.total if s.result else None) for s in scored]
        assert [[(i.location.cell, i.message) for i in s.issues] for s in again] == [
            [(i.location.cell, i.message) for i in s.issues] for s in scored]


def test_a_macro_enabled_workbook_becomes_a_plain_xlsx(tmp_path):
    source = tmp_path / "单位.xlsm"
    with zipfile.ZipFile(FILES / "项目自评.xlsx") as zin, zipfile.ZipFile(source, "w") as zout:
        for info in zin.infolist():
            data = zin.read(info.filename)
            if info.filename == "[Content_Types].xml":
                data = data.replace(b"spreadsheetml.sheet.main+xml", b"ms-excel.sheet.macroEnabled.main+xml")
                data = data.replace(b"</Types>", b'<Override PartName="/xl/vbaProject.bin" '
                                    b'ContentType="application/vnd.ms-office.vbaProject"/></Types>')
            if info.filename == "xl/_rels/workbook.xml.rels":
                data = data.replace(b"</Relationships>", b'<Relationship Id="rId99" Type="http://schemas.'
                                    b'microsoft.com/office/2006/relationships/vbaProject" Target="vbaProject.bin"/>'
                                    b"</Relationships>")
            zout.writestr(info, data)
        zout.writestr("xl/vbaProject.bin", b"\xd0\xcf\x11\xe0 not really macros")
    scored, made = scored_copy_of(source, tmp_path / "已计分.xlsx")
    assert made.kept
    with zipfile.ZipFile(made.path) as z:
        assert "xl/vbaProject.bin" not in z.namelist()
        types = z.read("[Content_Types].xml")
        assert b"macroEnabled" not in types and b"vbaProject" not in types
        assert b"vbaProject" not in z.read("xl/_rels/workbook.xml.rels")
    assert_results(made.path, scored)


def test_parts_that_cannot_be_edited_in_place_are_rebuilt_from_the_values(tmp_path, monkeypatch):
    real = scored_copy.patch
    calls = []

    def refuse_the_users_file(data, plans):
        calls.append(1)
        if len(calls) == 1:
            raise Unpatchable("an unusual part")
        return real(data, plans)

    monkeypatch.setattr(scored_copy, "patch", refuse_the_users_file)
    scored, made = scored_copy_of(FILES / "项目自评.xlsx", tmp_path / "已计分.xlsx")
    assert not made.kept and len(calls) == 2
    assert_results(made.path, scored)


def test_a_col_range_over_the_added_columns_is_split_around_them():
    m = "http://schemas.openxmlformats.org/spreadsheetml/2006/main"
    root = etree.fromstring(f'<worksheet xmlns="{m}"><cols><col min="1" max="3" width="9"/>'
                            f'<col min="4" max="1024" width="12" hidden="1"/></cols>'
                            f'<sheetData><row r="1"><c r="A1"><v>1</v></c></row></sheetData></worksheet>'.encode())
    sheet = SheetPatch(root)
    sheet.widths(10, (11, 15, 50))
    cols = [(c.get("min"), c.get("max"), c.get("width"), c.get("hidden")) for c in root[0]]
    assert cols == [("1", "3", "9", None), ("4", "9", "12", "1"), ("10", "10", "11", None),
                    ("11", "11", "15", None), ("12", "12", "50", None), ("13", "1024", "12", "1")]


# ---------------------------------------------------------------- .xls, .ods


@pytest.mark.parametrize("suffix", ["xls", "ods"])
def test_an_xls_or_ods_is_rebuilt_from_its_values_with_the_results(suffix, tmp_path):
    source = FILES / f"项目自评.{suffix}"
    scored, made = scored_copy_of(source, tmp_path / "已计分.xlsx")
    assert not made.kept and made.kind == suffix
    assert_results(made.path, scored)
    ws = openpyxl.load_workbook(made.path)["慢性病专家鉴定费"]
    assert (ws["A2"].value, ws["B2"].value, ws["C22"].value, ws["D22"].value) == (
        "单位名称", "安阳市北关区医疗保障局", "专家慢病鉴定费", "2 万元")
    assert "A23:A25" in {str(r) for r in ws.merged_cells.ranges}  # 产出指标, merged down its rows
    assert ws.column_dimensions["I"].hidden  # jixiao's settings cell stays out of sight
    assert [s.result.total for s in run_all(made.path)] == [s.result.total for s in scored]


# ---------------------------------------------------------------- YAML


def test_a_yaml_file_becomes_the_fill_in_workbook_with_results_and_problems_at_their_cells(tmp_path):
    scored, made = scored_copy_of(PROJECT_YAML, tmp_path / "已计分.xlsx")
    assert made.kind == "yaml"
    assert_results(made.path, scored)
    (warning,) = [i for i in scored[0].issues if i.severity == "warning"]  # the narrative's 94 against 92.4
    ws = openpyxl.load_workbook(made.path)["慢性病专家鉴定费"]
    assert ws["A1"].fill.fgColor.rgb == FILL["warning"] and warning.message in ws["A1"].comment.text

    data = yaml.safe_load(PROJECT_YAML.read_text(encoding="utf-8"))
    data["indicators"][5]["actual"] = "九十五"
    broken = tmp_path / "有错误.yaml"
    broken.write_text(yaml.safe_dump(data, allow_unicode=True, sort_keys=False), encoding="utf-8")
    scored, made = scored_copy_of(broken, tmp_path / "有错误_已计分.xlsx")
    cells = read_workbook(made.path)[0].source.cells
    ws = openpyxl.load_workbook(made.path)["慢性病专家鉴定费"]
    actual = ws[cells["indicators[5].actual"]]
    assert actual.value == "九十五" and actual.fill.fgColor.rgb == FILL["error"]
    assert "jixiao 错误：" in actual.comment.text and "九十五" in actual.comment.text
    assert_results(made.path, scored)


def test_a_yaml_file_too_broken_to_lay_out_gets_no_copy(write, tmp_path):
    path = write("坏.yaml", "kind: project\nunit: 某单位\nyear: 2022\nindicators: []\n")
    with pytest.raises(ScoringError, match="无法排成工作簿"):
        scored_copy_of(path, tmp_path / "已计分.xlsx")
    assert not (tmp_path / "已计分.xlsx").exists()


# ---------------------------------------------------------------- text stays text


def test_text_that_looks_like_a_formula_stays_text_in_the_copy(tmp_path):
    source = tmp_path / "payload.yaml"
    data = payload_project()
    data["indicators"][0]["actual"] = PAYLOADS[1]  # “=1+1” where a number belongs: an error naming it
    source.write_text(yaml.safe_dump(data, allow_unicode=True, sort_keys=False), encoding="utf-8")
    _, made = scored_copy_of(source, tmp_path / "已计分.xlsx")
    texts = assert_no_user_formula(made.path, own=("=IF(",))  # the funds block's 执行率 and 得分
    for payload in PAYLOADS:
        assert any(payload in t for t in texts), payload
    workbook = tmp_path / "payload.xlsx"
    build_workbook([data]).save(workbook)
    _, made = scored_copy_of(workbook, tmp_path / "已计分2.xlsx")
    assert_no_user_formula(made.path, own=("=IF(",))


@pytest.mark.skipif(shutil.which("soffice") is None, reason="needs LibreOffice")
def test_text_that_looks_like_a_formula_stays_text_in_a_rebuilt_ods(tmp_path):
    workbook = tmp_path / "payload.xlsx"
    build_workbook([payload_project()]).save(workbook)
    subprocess.run(["soffice", f"-env:UserInstallation=file://{tmp_path}/profile", "--headless",
                    "--convert-to", "ods", "--outdir", str(tmp_path), str(workbook)],
                   check=True, capture_output=True, timeout=180)
    _, made = scored_copy_of(tmp_path / "payload.ods", tmp_path / "已计分.xlsx")
    assert not made.kept
    texts = assert_no_user_formula(made.path)  # rebuilt from values: no formula at all
    assert set(PAYLOADS) <= set(texts)


# ---------------------------------------------------------------- the command


def test_jixiao_score_o_writes_the_copy_and_leaves_the_input(tmp_path, capsys):
    source = tmp_path / "单位.xlsx"
    shutil.copy(BROKEN / "many_problems.xlsx", source)
    before = digest(source)
    assert main(["score", str(source), "-o", str(tmp_path / "已计分")]) == 1  # errors: exit 1, copy written
    out = capsys.readouterr().out
    assert f"已写出计分副本 {tmp_path / '已计分.xlsx'}" in out and "附批注" in out
    assert digest(source) == before
    assert openpyxl.load_workbook(tmp_path / "已计分.xlsx")["项目1"]["E7"].fill.fgColor.rgb == FILL["error"]

    assert main(["score", str(FILES / "项目自评.xlsx"), "--json", "-o", str(tmp_path / "a.xlsx")]) == 0
    captured = capsys.readouterr()
    assert json.loads(captured.out)[0]["total"] == "92.4" and "已写出计分副本" in captured.err

    assert main(["score", str(PROJECT_YAML), "-o", str(tmp_path / "b.xlsx")]) == 0
    assert "已写出计分副本" in capsys.readouterr().out and (tmp_path / "b.xlsx").exists()

    assert main(["score", str(FILES / "项目自评.ods"), "-o", str(tmp_path / "c.ods")]) == 0
    assert "按单元格的值重建" in capsys.readouterr().out and (tmp_path / "c.xlsx").exists()


def test_jixiao_score_o_refuses_to_overwrite_its_input_or_to_take_many_files(tmp_path, capsys):
    source = tmp_path / "单位.xlsx"
    shutil.copy(FILES / "项目自评.xlsx", source)
    before = digest(source)
    assert main(["score", str(source), "-o", str(source)]) == 1
    assert "不能写到原文件" in capsys.readouterr().err
    assert digest(source) == before
    assert main(["score", str(tmp_path), "-o", str(tmp_path / "x.xlsx")]) == 1
    assert "只能用于一个文件" in capsys.readouterr().err
    assert not (tmp_path / "x.xlsx").exists()


def test_where_o_writes():
    assert copy_path("单位.xls", "已计分") == Path("已计分.xlsx")
    assert copy_path("单位.xls", "已计分.ods") == Path("已计分.xlsx")
    assert copy_path("单位.xls", "已计分.XLSX") == Path("已计分.XLSX")
    assert copy_path("a/单位.xls", ROOT / "tests") == ROOT / "tests" / "单位_已计分.xlsx"


def test_the_copy_is_a_valid_package(tmp_path):
    """Every XML part parses; every relationship points at a part that is there; every part has a type."""
    _, made = scored_copy_of(BROKEN / "many_problems.xlsx", tmp_path / "已计分.xlsx")
    with zipfile.ZipFile(made.path) as z:
        names = set(z.namelist())
        for name in names:
            if name.endswith((".xml", ".rels")):
                etree.fromstring(z.read(name))
        types = etree.fromstring(z.read("[Content_Types].xml"))
        defaults = {t.get("Extension") for t in types if t.get("Extension")}
        overrides = {t.get("PartName").lstrip("/") for t in types if t.get("PartName")}
        for name in names - {"[Content_Types].xml"}:
            assert name in overrides or name.rsplit(".", 1)[-1] in defaults, name
        for rels in (n for n in names if n.endswith(".rels")):
            base = rels.replace("_rels/", "").removesuffix(".rels")
            folder = base.rsplit("/", 1)[0] if "/" in base else ""
            for rel in etree.fromstring(z.read(rels)):
                if rel.get("TargetMode") == "External":
                    continue
                target = rel.get("Target")
                path = target.lstrip("/") if target.startswith("/") else posixpath.normpath(
                    posixpath.join(folder, target))
                assert path in names, (rels, target)
    wb = openpyxl.load_workbook(io.BytesIO(made.path.read_bytes()))
    assert len(wb.sheetnames) == 4
