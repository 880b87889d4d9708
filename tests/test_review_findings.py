"""Problems found by a second read of the change since 3843e2e, each pinned by a test
that fails without its fix."""

from __future__ import annotations

import hashlib
import re
import shutil
import zipfile
from pathlib import Path

import openpyxl
from conftest import EXAMPLES

from scoring.cli import main
from scoring.outputs.batch import summary_workbook
from scoring.outputs.scored_copy.rebuild import from_grids
from scoring.pipeline import run, run_all
from scoring.sources.workbook.grid import Grid, load_grids

FILES = Path(__file__).resolve().parent / "files"
PROJECT = EXAMPLES / "安阳北关区医保局_2022_慢性病专家鉴定费.yaml"


def _digest(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def test_a_summary_jixiao_wrote_is_passed_over_in_a_folder_and_named_when_given(tmp_path, capsys):
    """The 汇总表 has no 三级指标 column: the reader refused it before its role was asked."""
    folder = tmp_path / "收件箱"
    folder.mkdir()
    shutil.copy(PROJECT, folder)
    scored = run(PROJECT)
    summary_workbook([(scored.evaluation, scored.result)], folder / "汇总表.xlsx")
    assert main(["score", str(folder)]) == 0
    err = capsys.readouterr().err
    assert "跳过" in err and "汇总表，不是自评表" in err, err
    assert main(["score", str(folder / "汇总表.xlsx")]) == 1
    assert "这是 jixiao 生成的汇总表" in capsys.readouterr().err


def test_a_review_record_beside_the_evaluations_is_not_read_as_a_broken_evaluation(tmp_path, capsys):
    """The reviewer page saves its records in the evaluations' folder; score, render and
    rescore of that folder must pass them over, not count them as broken evaluations."""
    folder = tmp_path / "评价"
    folder.mkdir()
    shutil.copy(PROJECT, folder)
    ev = run(PROJECT).evaluation
    from scoring.review.records import content_hash

    record = folder / "慢性病.复核.张三.2023-05-01.yaml"
    record.write_text("kind: review\nevaluation: " + ev.title + "\ninput_hash: " + content_hash(ev)
                      + "\nreviewer: 张三\ndate: 2023-05-01\nchanges:\n- level3: 专家慢病鉴定费\n  weight: 5\n"
                      "- level3: 鉴定慢病人数\n  weight: 15\n", encoding="utf-8")
    assert main(["score", str(folder)]) == 0
    assert "这是复核记录" in capsys.readouterr().err
    assert main(["render", str(folder), "-o", str(tmp_path / "文档"), "--no-report"]) == 0
    capsys.readouterr()
    assert main(["rescore", str(folder), "--review", str(record), "-o", str(tmp_path / "复核结果")]) == 0
    assert "复核后" in capsys.readouterr().out
    assert main(["score", str(record)]) == 1
    assert "这是复核记录" in capsys.readouterr().err


def test_a_choice_lists_its_values_in_chinese_without_english_or(tmp_path, capsys):
    path = tmp_path / "评价.yaml"
    path.write_text(PROJECT.read_text(encoding="utf-8").replace("kind: project", "kind: projet"), encoding="utf-8")
    assert main(["score", str(path)]) == 1
    out = capsys.readouterr().out
    assert "可选值：department、project" in out, out
    assert " or " not in out


def test_review_sheets_of_two_sheets_with_one_title_are_both_kept(tmp_path, capsys):
    book = tmp_path / "单位.xlsx"
    assert main(["workbook", str(PROJECT), str(PROJECT), "-o", str(book)]) == 0
    out = tmp_path / "复核表"
    assert main(["review-sheet", str(book), "-o", str(out)]) == 0
    assert len(list(out.glob("*.xlsx"))) == 2, list(out.iterdir())


def test_a_scored_copy_named_as_the_input_xls_does_not_overwrite_the_xlsx_beside_it(tmp_path, capsys):
    shutil.copy(FILES / "项目自评.xls", tmp_path)
    shutil.copy(FILES / "项目自评.xlsx", tmp_path)
    before = {p.name: _digest(p) for p in tmp_path.iterdir()}
    assert main(["score", str(tmp_path / "项目自评.xls"), "-o", str(tmp_path / "项目自评.xls")]) == 1
    assert "不能写到原文件" in capsys.readouterr().err
    assert {p.name: _digest(p) for p in tmp_path.iterdir()} == before


def _with_merge(path: Path, ref: str) -> Path:
    wb = openpyxl.Workbook()
    wb.active["A1"] = "x"
    wb.active["C3"] = "y"
    plain = path.with_name("plain.xlsx")
    wb.save(plain)
    with zipfile.ZipFile(plain) as src, zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as dst:
        for info in src.infolist():
            data = src.read(info.filename)
            if info.filename == "xl/worksheets/sheet1.xml":
                data = data.replace(b"</sheetData>", f'</sheetData><mergeCells count="1"><mergeCell ref="{ref}"/>'
                                    "</mergeCells>".encode())
            dst.writestr(info, data)
    return path


def test_a_merged_range_far_beyond_the_cells_costs_nothing(tmp_path):
    """A1:XFD1048576 in a 1 KB file asked for 17 billion entries (memory exhausted);
    the range is cut at the cells the sheet holds."""
    path = _with_merge(tmp_path / "合并.xlsx", "A1:Z300000")
    (grid,) = load_grids(path)
    assert len(grid.merged) == 3 * 3 - 1
    assert grid.value(2, 1) == "x"  # the range's first cell holds the value
    path = _with_merge(tmp_path / "巨大合并.xlsx", "A1:XFD1048576")
    (grid,) = load_grids(path)
    assert len(grid.merged) == 8


def test_a_rebuilt_copy_cuts_an_ods_span_at_the_cells_the_sheet_holds():
    """An .ods cell may claim number-rows-spanned="1000000": openpyxl made a cell object for
    every covered cell (memory exhausted by `jixiao score x.ods -o`)."""
    grid = Grid("表1", [["a", None, None], [None, None, "b"]])
    data, _ = from_grids([grid], {"表1": {(0, 0): (40_000, 200)}})
    import io

    ws = openpyxl.load_workbook(io.BytesIO(data)).active
    assert [str(r) for r in ws.merged_cells.ranges] == ["A1:C2"]


def test_run_all_still_names_a_workbook_without_tables(tmp_path):
    """The summary check runs only after the reader refused: other refusals keep their words."""
    path = tmp_path / "随便.xlsx"
    wb = openpyxl.Workbook()
    wb.active["A1"] = "备注"
    wb.save(path)
    try:
        run_all(path)
    except Exception as exc:  # noqa: BLE001
        assert "没有找到自评表" in str(exc)
    else:
        raise AssertionError("a workbook without tables must be refused")


def test_a_list_that_contains_itself_is_refused_not_a_crash(tmp_path, capsys):
    path = tmp_path / "自引用.yaml"
    path.write_text("kind: project\nunit: &a [*a]\n", encoding="utf-8")
    assert main(["score", str(path)]) == 1  # was 2: 内部错误：RecursionError
    err = capsys.readouterr().err
    assert "指向包含它自己" in err and "内部错误" not in err, err


def test_common_yaml_mistakes_are_explained_without_english(tmp_path, capsys):
    for text in ("kind: project\n\tunit: a\n", "kind: [\n", "kind: project\n---\nunit: a\n", "{kind: 1}}\n"):
        path = tmp_path / "评价.yaml"
        path.write_text(text, encoding="utf-8")
        assert main(["score", str(path)]) == 1
        err = capsys.readouterr().err
        assert "YAML 格式错误" in err and not re.search(r"[a-z]+ [a-z]+", err.split("YAML 格式错误")[1]), err


def test_a_merge_across_actuals_is_named_the_same_in_an_ods(tmp_path):
    """calamine reports no merged ranges for .ods; the scan reads them, so a merge down the
    实际完成值 column is the same error at the same range as in the .xlsx."""
    import os
    import shutil
    import sys
    from pathlib import Path

    import pytest

    from scoring.pipeline import run_all

    if shutil.which("soffice") is None:
        if os.environ.get("CI"):
            pytest.fail("LibreOffice is needed (CI installs libreoffice-calc-nogui)")
        pytest.skip("LibreOffice is not installed here; CI installs it")
    sys.path.insert(0, str(Path(__file__).resolve().parent / "hostile"))
    from corpus import _soffice, merged_actuals

    xlsx = merged_actuals(tmp_path)
    ods = _soffice(xlsx, "ods", tmp_path / "合并实际完成值.ods")

    def merge_errors(path):
        return sorted((i.location.cell, i.message) for s in run_all(path) for i in s.issues
                      if i.severity == "error" and "合并单元格" in i.message)

    from_xlsx = merge_errors(xlsx)
    assert from_xlsx, "the .xlsx names the merge"
    assert merge_errors(ods) == from_xlsx


def test_a_suggested_command_quotes_a_path_with_a_space(tmp_path, capsys):
    from scoring.cli import main

    out = tmp_path / "单位 工作簿.xlsx"
    assert main(["workbook", "--template", "henan_project", "--unit", "某单位", "--year", "2022",
                 "--project", "某项目", "-o", str(out)]) == 0
    assert f'jixiao score "{out}"' in capsys.readouterr().out
