"""Every command takes every file a user has (issue 13, point 1): score, render,
review-sheet, rescore and serve, each given the same project as YAML, as .xlsx, .xls
and .ods saved by LibreOffice (tests/files/, remade by make_files.py), and as a folder.

A review sheet filled in and saved by LibreOffice as .xls or .ods is read by rescore,
and a file a command cannot use says what it is.
"""

from __future__ import annotations

import os
import shutil
import sys
from decimal import Decimal
from pathlib import Path

import openpyxl
import pytest
from conftest import EXAMPLES
from fastapi.testclient import TestClient

from scoring.cli import main
from scoring.pipeline import run_all
from scoring.review.storage import load_review
from scoring.web.app import create_app

FILES = Path(__file__).resolve().parent / "files"
sys.path.insert(0, str(FILES))
from make_files import STEM, make, soffice  # noqa: E402

PROJECT = EXAMPLES / "安阳北关区医保局_2022_慢性病专家鉴定费.yaml"
KINDS = ("yaml", "xlsx", "xls", "ods", "folder")


def _needs_soffice():
    if shutil.which("soffice") is None:
        if os.environ.get("CI"):
            pytest.fail("LibreOffice is needed (CI installs libreoffice-calc-nogui)")
        pytest.skip("LibreOffice is not installed here; CI installs it")


def given(kind: str, tmp_path: Path) -> Path:
    """The project as the user hands it in: a file of that kind, or a folder of all of them."""
    if kind == "yaml":
        return Path(shutil.copy(PROJECT, tmp_path / PROJECT.name))
    if kind == "folder":
        folder = tmp_path / "收到的文件"
        folder.mkdir()
        shutil.copy(PROJECT, folder)
        (folder / "各单位").mkdir()
        shutil.copy(FILES / f"{STEM}.xls", folder / "各单位" / f"{STEM}.xls")
        shutil.copy(EXAMPLES / "target_tables" / "焦作市医疗保障局_2023_项目绩效目标表.xlsx", folder)
        return folder
    return Path(shutil.copy(FILES / f"{STEM}.{kind}", tmp_path / f"{STEM}.{kind}"))


@pytest.mark.parametrize("kind", KINDS)
def test_score_takes_it(kind, tmp_path, capsys):
    assert main(["score", str(given(kind, tmp_path))]) == 0
    out = capsys.readouterr()
    expected = 2 if kind == "folder" else 1  # the folder holds the YAML and the .xls
    assert out.out.count("总分 92.4（分值合计 100），等级：优") == expected, out.out
    if kind == "folder":
        assert "跳过" in out.err and "项目绩效目标表" in out.err  # passed over, with a note


@pytest.mark.parametrize("kind", KINDS)
def test_render_takes_it(kind, tmp_path):
    import docx

    out = tmp_path / "文档"
    assert main(["render", str(given(kind, tmp_path)), "-o", str(out), "--no-report"]) == 0
    tables = sorted(out.glob("*项目支出绩效自评表*.docx"))
    assert len(tables) == (2 if kind == "folder" else 1)
    for path in tables:
        text = "\n".join(c.text for t in docx.Document(str(path)).tables for r in t.rows for c in r.cells)
        assert "专家慢病鉴定费" in text and "92.4" in text


def _fill(sheet: Path) -> None:
    """A reviewer's entries: name, date, and 2 points moved between two rows."""
    wb = openpyxl.load_workbook(sheet)
    ws = wb.worksheets[0]
    labels = {str(c.value).strip(): c for row in ws.iter_rows(max_row=6) for c in row if c.value}
    ws.cell(labels["复核人"].row, labels["复核人"].column + 1).value = "张三"
    ws.cell(labels["复核日期"].row, labels["复核日期"].column + 1).value = "2026-11-22"
    wb.save(sheet)


@pytest.mark.parametrize("kind", ["yaml", "xlsx", "xls", "ods"])
def test_review_sheet_and_rescore_take_it(kind, tmp_path, capsys):
    source = given(kind, tmp_path)
    sheet = tmp_path / "复核表.xlsx"
    assert main(["review-sheet", str(source), "-o", str(sheet)]) == 0
    _fill(sheet)
    out = tmp_path / "复核结果"
    assert main(["rescore", str(source), "--review", str(sheet), "-o", str(out)]) == 0
    assert "复核前 92.4（优），复核后 92.4（优）" in capsys.readouterr().out
    assert (out / "复核对比表.docx").is_file() and (out / "复核对比表.xlsx").is_file()


@pytest.mark.parametrize("fmt", ["xls", "ods"])
def test_a_review_sheet_saved_as_xls_or_ods_is_read(fmt, tmp_path):
    _needs_soffice()
    sheet = tmp_path / "复核表.xlsx"
    assert main(["review-sheet", str(PROJECT), "-o", str(sheet)]) == 0
    _fill(sheet)
    saved = soffice(sheet, fmt, tmp_path / f"复核表.{fmt}")
    review, _, issues = load_review(saved)
    assert review is not None and not [i for i in issues if i.severity == "error"], issues
    assert review.reviewer == "张三" and str(review.date) == "2026-11-22"


@pytest.mark.parametrize("kind", KINDS)
def test_the_page_serves_it(kind, tmp_path):
    source = given(kind, tmp_path)
    folder = source if source.is_dir() else source.parent
    client = TestClient(create_app(folder, token="t"), base_url="http://127.0.0.1")
    page = client.get("/")
    assert page.status_code == 200
    assert page.text.count("92.4") >= (2 if kind == "folder" else 1)


def test_a_file_a_command_cannot_use_says_what_it_is(tmp_path, capsys):
    import docx

    word = tmp_path / "自评表.xlsx"  # a Word document under a spreadsheet's name
    document = docx.Document()
    document.add_paragraph("自评表")
    document.save(str(word))
    assert main(["score", str(word)]) == 1
    assert "这是Word 文档（.docx），不是评价文件" in capsys.readouterr().err
    targets = EXAMPLES / "target_tables" / "焦作市医疗保障局_2023_项目绩效目标表.xlsx"
    assert main(["score", str(targets)]) == 1
    assert "jixiao workbook --targets" in capsys.readouterr().err


def test_an_xlsx_named_xls_is_read_as_what_it_is(tmp_path):
    renamed = shutil.copy(FILES / f"{STEM}.xlsx", tmp_path / "改了扩展名.xls")
    [scored] = run_all(renamed)
    assert scored.result.total == Decimal("92.4")


def test_the_committed_files_are_what_libreoffice_makes_of_them_today(tmp_path):
    """The fixtures are remade by LibreOffice and read the same as the committed ones."""
    _needs_soffice()
    for path in make(tmp_path):
        fresh = [(s.evaluation, s.result.total) for s in run_all(path)]
        committed = [(s.evaluation, s.result.total) for s in run_all(FILES / path.name)]
        assert fresh == committed, path.name
