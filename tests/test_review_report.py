"""The 复核对比表 as it is filed: the reviewer's 总体意见, who reviewed and when, where to
sign, and no row left alone on a page."""

import dataclasses
import shutil

import docx
import openpyxl
import pytest
from conftest import EXAMPLES
from docx.oxml.ns import qn

from scoring.cli import main
from scoring.review.compare import compare
from scoring.review.records import content_hash
from scoring.review.report import KEPT_LAST_ROWS, closing, docx_bytes
from scoring.sources.loader import load_evaluation

DEPT = EXAMPLES / "安阳北关区医保局_2022_部门整体.yaml"
OPINION = "自评基本客观；满意度指标分值偏高，已调减至 15 分。"


@pytest.fixture
def reviewed(tmp_path, capsys):
    """rescore of seed 001's department table with a review record that carries a 总体意见."""
    ev, _, _ = load_evaluation(DEPT)
    evaluation = tmp_path / "部门整体.yaml"
    shutil.copy(DEPT, evaluation)
    record = tmp_path / "复核.yaml"
    record.write_text(f"""\
kind: review
evaluation: {ev.title}
input_hash: {content_hash(ev)}
reviewer: 赵六
date: 2026-11-20
comment: {OPINION}
changes:
  - {{level3: 全区参保群众满意度, weight: 15, comment: 权重偏高}}
  - {{level3: 年度履职目标相关性, weight: 6}}
""", encoding="utf-8")
    out = tmp_path / "out"
    assert main(["rescore", str(evaluation), "--review", str(record), "-o", str(out)]) == 0
    (out / "终端输出.txt").write_text(capsys.readouterr().out, encoding="utf-8")
    return out


def paragraphs(doc) -> list[str]:
    return [p.text for p in doc.paragraphs]


def test_the_overall_opinion_and_the_signature_lines_follow_the_table(reviewed):
    doc = docx.Document(reviewed / "复核对比表.docx")
    texts = paragraphs(doc)
    tail = texts[-3:]
    assert tail == [f"总体意见：{OPINION}",
                    "复核人：赵六\u3000\u3000复核日期：2026年11月20日",
                    "复核人签字：" + "\u3000" * 6 + "\u3000\u3000复核单位（盖章）：" + "\u3000" * 6]
    body = doc.element.body
    assert body.index(doc.tables[-1]._tbl) < body.index(doc.paragraphs[-3]._p)  # after the table
    sheet = [r[0] for r in openpyxl.load_workbook(reviewed / "复核对比表.xlsx")["复核对比"].values if r and r[0]]
    assert sheet[-3:] == tail  # the workbook closes the same way
    assert f"    总体意见：{OPINION}" in (reviewed / "终端输出.txt").read_text(encoding="utf-8")


def test_the_opinion_typed_in_the_review_sheet_reaches_the_document(tmp_path):
    evaluation = tmp_path / "部门整体.yaml"
    shutil.copy(DEPT, evaluation)
    sheet = tmp_path / "复核表.xlsx"
    assert main(["review-sheet", str(evaluation), "-o", str(sheet)]) == 0
    wb = openpyxl.load_workbook(sheet)
    ws = wb["复核"]
    assert ws["A3"].value == "总体意见"
    ws["B2"], ws["D2"], ws["B3"] = "王五", "2026-11-22", "　同意自评结果。　"
    wb.save(sheet)
    out = tmp_path / "out"
    assert main(["rescore", str(evaluation), "--review", str(sheet), "-o", str(out)]) == 0
    texts = paragraphs(docx.Document(out / "复核对比表.docx"))
    assert "总体意见：同意自评结果。" in texts
    assert "复核人：王五\u3000\u3000复核日期：2026年11月22日" in texts


def test_without_a_review_the_lines_are_left_blank_to_fill_by_hand():
    ev, source, _ = load_evaluation(DEPT)
    blank = "\u3000" * 6
    assert closing(compare(ev, None, None, source)) == [
        f"总体意见：{blank}", f"复核人：{blank}\u3000\u3000复核日期：{blank}",
        f"复核人签字：{blank}\u3000\u3000复核单位（盖章）：{blank}"]


def _keeps(paragraph) -> bool:
    return bool(paragraph.paragraph_format.keep_with_next)


def test_no_row_splits_and_the_heading_and_the_last_rows_keep_with_their_neighbours(reviewed):
    doc = docx.Document(reviewed / "复核对比表.docx")
    table = doc.tables[-1]
    rows = table.rows
    assert len(rows) > 20
    for row in rows:  # every row: cannot split across pages
        assert row._tr.trPr is not None and row._tr.trPr.find(qn("w:cantSplit")) is not None
    assert rows[0]._tr.trPr.find(qn("w:tblHeader")) is not None  # the header repeats on each page
    assert [c.text for c in rows[-1].cells][0] == "等级" and rows[-2].cells[0].text == "总分"
    for row in rows[-KEPT_LAST_ROWS:]:  # the last indicator, 总分 and 等级 stay together …
        assert all(_keeps(p) for cell in row.cells for p in cell.paragraphs)
    assert not any(_keeps(p) for cell in rows[-KEPT_LAST_ROWS - 1].cells for p in cell.paragraphs)
    closing_lines = doc.paragraphs[-3:]  # … and with the opinion and the signature lines
    assert [_keeps(p) for p in closing_lines] == [True, True, False]
    before_table = [p for p in doc.paragraphs if doc.element.body.index(p._p) < doc.element.body.index(table._tbl)]
    assert before_table and all(_keeps(p) for p in before_table)  # the headings keep with the table


def test_each_of_several_evaluations_starts_a_page_with_its_own_signature_block(tmp_path):
    ev, source, _ = load_evaluation(DEPT)
    c = dataclasses.replace(compare(ev, None, None, source), reviewer="王五", review_date="2026-11-22",
                            overall="同意。")
    other = dataclasses.replace(c, title="另一份评价", overall="")
    doc = docx.Document(__import__("io").BytesIO(docx_bytes([c, other])))
    starts = [p for p in doc.paragraphs if p.text in (c.title, "另一份评价")]
    assert [p.paragraph_format.page_break_before for p in starts] == [True, True]
    texts = paragraphs(doc)
    assert texts.count("复核人：王五\u3000\u3000复核日期：2026年11月22日") == 2
    assert "总体意见：同意。" in texts and "总体意见：（无）" in texts
    for table in doc.tables:
        assert all(row._tr.trPr.find(qn("w:cantSplit")) is not None for row in table.rows)
