"""The audit's two files: the 审核意见.docx sent back to a unit, and the folder's 审核汇总.xlsx.

Built from audit records made by hand (findings of several kinds, judgements, an
unreadable file, a unit named like a formula, a control character in a 三级指标),
written, reopened and read back; the Word document also through LibreOffice to PDF."""

import datetime
import io
import re
import subprocess
import zipfile
from decimal import Decimal
from pathlib import Path

import docx
import openpyxl
import pytest
from conftest import needs_writer
from docx.oxml.ns import qn
from docx.shared import Cm

from scoring.audit import opinion as opinion_module
from scoring.audit.model import KINDS, FileAudit, Finding, TableAudit
from scoring.audit.opinion import COLUMNS, JUDGEMENTS, NO_ERROR, TITLE, ordinal, write_opinion
from scoring.audit.summary import DETAIL_COLUMNS, DETAILS, SUMMARY, SUMMARY_COLUMNS, write_summary
from scoring.core.differences import CAUSES
from scoring.outputs import batch
from scoring.outputs.files import BrokenOutputError

HOSTILE = '=HYPERLINK("http://example.invalid","点此")'
UNIT = "安阳市北关区医疗保障局"
DATE = "2026-11-30"

ROW = Finding("row_score", "第2页 表2 第5行第7列", "鉴定\x0b完成及时率", "8", "10", "达成目标值得满分（分值 10）",
              "rounding", "9.6 四舍五入取整为 10：印刷采用了不同的舍入方式")
RATE = Finding("funds_rate", "第2页 表2 第3行第6列", None, "25", "43.88", "预算执行率 = 执行数 ÷ 全年预算数 × 100%",
               "rate_slip", "印刷执行率与表中金额不符")
TOTAL = Finding("total", "第2页 表2 第18行第7列", None, "92.4", "96.6", "总分 = 各三级指标得分之和 + 预算执行得分",
                "follows_rows", "印刷总分等于印刷各行之和")
STORY = Finding("narrative", "第3页 第2段", None, "99", "92.4", "报告文字中的自评得分应与自评表总分一致", "narrative",
                "报告文字称自评得分为 99 分")
JUDGED = Finding("judgement", "第2页 表2 第9行第7列", "群众满意度", "8", "10", "达成目标值得满分", "judgement",
                 "实际 95% 达到目标 ≥90%，印刷 8 分，低于满分")
QUALITATIVE = Finding("judgement", "第2页 表2 第10行第7列", HOSTILE, "定性", None, "定性指标由评价人判定", None,
                      "定性指标，评价人判定得分")

PROJECT = TableAudit(f"{UNIT} 慢性病专家鉴定费", "project", UNIT, "慢性病专家鉴定费", "第2页 表2", Decimal("92.4"),
                     Decimal("96.6"), "项目支出自评表（河南）；得分保留1位小数，四舍五入",
                     (ROW, RATE, JUDGED, TOTAL, STORY, QUALITATIVE))
DEPARTMENT = TableAudit(UNIT, "department", HOSTILE, None, "表1", Decimal("100"), Decimal("100.00"),
                        "部门整体支出自评表（河南）；得分保留整数", ())
READ = FileAudit("安阳北关区医保局_2022_决算公开.docx", None, (DEPARTMENT, PROJECT))
BROKEN = FileAudit("坏文件.docx", "文件已损坏，无法打开（不是有效的 Word 文档）。", ())
EMPTY = FileAudit("说明.docx", None, ())


def texts(doc) -> list[str]:
    return [p.text for p in doc.paragraphs]


def cells(table) -> list[list[str]]:
    return [[c.text for c in row.cells] for row in table.rows]


@pytest.fixture(scope="module")
def opinion(tmp_path_factory) -> Path:
    return write_opinion(READ, tmp_path_factory.mktemp("opinion") / "审核意见.docx", date=DATE)


def test_the_opinion_names_the_file_the_date_and_what_was_found(opinion):
    doc = docx.Document(opinion)
    lines = texts(doc)
    assert lines[:3] == [TITLE, f"文件：{READ.file}", "生成日期：2026年11月30日"]
    assert "发现计算差错 4 处，需评价人说明的判定 2 处" in lines[3]
    first, second = lines.index(f"一、{UNIT}"), lines.index(f"二、{UNIT} 慢性病专家鉴定费")
    assert lines[first + 1] == "类型：部门整体支出\u3000\u3000位置：表1"
    assert lines[first + 2] == "印刷总分：100\u3000\u3000复核计算总分：100"
    assert lines[first + 3] == f"审核口径：{DEPARTMENT.assumed}"
    assert lines[first + 4:first + 6] == ["计算差错", NO_ERROR]  # a table with no finding says so
    assert lines[second + 1] == "类型：项目支出\u3000\u3000位置：第2页 表2"
    assert lines[second + 2] == "印刷总分：92.4\u3000\u3000复核计算总分：96.6（印刷少 4.2 分）"
    assert lines[-2:] == ["审核人：" + "\u3000" * 6 + "\u3000\u3000审核日期：2026年11月30日",
                          "审核人签字：" + "\u3000" * 6 + "\u3000\u3000审核单位（盖章）：" + "\u3000" * 6]


def test_arithmetic_errors_and_judgements_are_two_tables(opinion):
    doc = docx.Document(opinion)
    assert len(doc.tables) == 2  # the department table has none; the project's errors, then its judgements
    errors, judged = (cells(t) for t in doc.tables)
    assert errors[0] == judged[0] == COLUMNS
    assert errors[1] == ["1", "第2页 表2 第5行第7列", "鉴定完成及时率", "得分", "8", "10", "达成目标值得满分（分值 10）",
                         "舍入方式不同：9.6 四舍五入取整为 10：印刷采用了不同的舍入方式"]  # the control character removed
    assert [r[3] for r in errors[1:]] == [KINDS[f.kind] for f in (ROW, RATE, TOTAL, STORY)]
    assert [r[0] for r in errors[1:]] == ["1", "2", "3", "4"]
    assert errors[2][4:6] == ["25", "43.88"] and errors[2][7] == f"{CAUSES['rate_slip']}：印刷执行率与表中金额不符"
    assert [r[2] for r in judged[1:]] == ["群众满意度", HOSTILE]  # a formula-like name is just text
    assert judged[1][7] == f"{CAUSES['judgement']}：{JUDGED.why}"
    assert judged[2][4:6] == ["定性", ""] and judged[2][7] == QUALITATIVE.why  # no cause: the argument alone
    body = doc.element.body
    heading = next(p for p in doc.paragraphs if p.text == JUDGEMENTS)
    assert body.index(doc.tables[0]._tbl) < body.index(heading._p) < body.index(doc.tables[1]._tbl)


def test_the_tables_fit_the_landscape_page_and_never_split_a_row(opinion):
    doc = docx.Document(opinion)
    section = doc.sections[0]
    assert section.page_width > section.page_height  # A4 landscape, as the 复核对比表
    room = section.page_width - section.left_margin - section.right_margin
    style = doc.styles["Normal"].element.rPr.rFonts
    assert style.get(qn("w:eastAsia")) == "宋体"
    for table in doc.tables:
        grid = [int(c.get(qn("w:w"))) for c in table._tbl.tblGrid.findall(qn("w:gridCol"))]
        assert len(grid) == len(COLUMNS) and sum(grid) <= Cm(26).twips + 1
        assert Cm(sum(grid) / 567).emu <= room + Cm(0.05).emu
        assert table.rows[0]._tr.trPr.find(qn("w:tblHeader")) is not None  # the header repeats on each page
        assert all(row._tr.trPr.find(qn("w:cantSplit")) is not None for row in table.rows)
        assert all(p.paragraph_format.keep_with_next for c in table.rows[0].cells for p in c.paragraphs)
    last_row = doc.tables[-1].rows[-1]  # the last finding stays with the lines to sign
    assert all(p.paragraph_format.keep_with_next for c in last_row.cells for p in c.paragraphs)
    assert not any(p.paragraph_format.keep_with_next for c in doc.tables[0].rows[-1].cells for p in c.paragraphs)
    assert [bool(p.paragraph_format.keep_with_next) for p in doc.paragraphs[-2:]] == [True, False]


def test_an_unreadable_file_says_why_and_a_file_without_tables_says_so(tmp_path):
    doc = docx.Document(write_opinion(BROKEN, tmp_path / "坏.docx", date=DATE))
    assert texts(doc)[3] == "本文件未能读取：文件已损坏，无法打开（不是有效的 Word 文档）。请核对文件后重新报送。"
    assert not doc.tables
    doc = docx.Document(write_opinion(EMPTY, tmp_path / "空.docx"))
    assert texts(doc)[3] == "本文件中未找到预算绩效自评表。"
    today = datetime.date.today()
    assert texts(doc)[2] == f"生成日期：{today.year}年{today.month}月{today.day}日"  # today when no date is given
    assert sorted(p.name for p in tmp_path.iterdir()) == ["坏.docx", "空.docx"]  # no temporary file left


def test_a_document_whose_xml_is_broken_is_refused_and_nothing_is_written(tmp_path, monkeypatch):
    good = opinion_module.opinion_bytes(READ, date=DATE)

    def broken(audit, *, date=None):  # a control character in the part this module writes
        out = io.BytesIO()
        with zipfile.ZipFile(io.BytesIO(good)) as source, zipfile.ZipFile(out, "w") as target:
            for name in source.namelist():
                data = source.read(name)
                target.writestr(name, data.replace("鉴定完成".encode(), "鉴定\x0b完成".encode())
                                if name == "word/document.xml" else data)
        return out.getvalue()

    monkeypatch.setattr(opinion_module, "opinion_bytes", broken)
    with pytest.raises(BrokenOutputError, match="word/document.xml"):
        write_opinion(READ, tmp_path / "审核意见.docx", date=DATE)
    assert list(tmp_path.iterdir()) == []


def test_sections_are_numbered_as_official_documents_number_them():
    assert [ordinal(k) for k in (1, 9, 10, 11, 20, 23, 99, 100)] == \
        ["一", "九", "十", "十一", "二十", "二十三", "九十九", "100"]


@pytest.fixture(scope="module")
def summary(tmp_path_factory) -> openpyxl.Workbook:
    path = write_summary([READ, BROKEN, EMPTY], tmp_path_factory.mktemp("summary") / "审核汇总.xlsx")
    return openpyxl.load_workbook(path)


def test_the_summary_has_a_row_per_table_and_a_row_per_unreadable_file(summary):
    assert summary.sheetnames == [SUMMARY, DETAILS]
    ws = summary[SUMMARY]
    rows = [[c.value for c in row] for row in ws.iter_rows()]
    assert rows[0] == SUMMARY_COLUMNS
    assert rows[1][:7] == [READ.file, HOSTILE, "（部门整体）", 100, 100, 0, 0] and rows[1][7] == "未发现问题"
    assert rows[2][:7] == [READ.file, UNIT, "慢性病专家鉴定费", 92.4, 96.6, 6, 2]
    assert rows[2][7].startswith("得分（鉴定完成及时率）印刷 8，复核 10；预算执行率（第2页 表2 第3行第6列）印刷 25，复核 43.88；")
    assert rows[3][0] == BROKEN.file and rows[3][1:7] == [None] * 6
    assert rows[3][7] == f"未能读取：{BROKEN.error}"
    assert rows[4][0] == EMPTY.file and rows[4][7] == "未找到预算绩效自评表"
    assert len(rows) == 5
    assert ws["D3"].data_type == "n" and ws["D3"].number_format == "0.0"  # numbers, with their own decimals
    assert ws["D2"].number_format == ws["E2"].number_format == "0"  # computed 100.00 shows as printed: 100
    assert ws["B2"].data_type == "s" and ws["B2"].quotePrefix  # the unit named like a formula is text
    assert ws.freeze_panes == "A2" and ws.auto_filter.ref == "A1:H5"
    assert ws.column_dimensions["H"].width >= 40 and ws.column_dimensions["A"].width >= 20
    assert ws["H3"].alignment.wrap_text and ws.row_dimensions[3].height >= 4 * 15  # the summary wraps, all shown
    assert ws.row_dimensions[5].height is None  # a one-line row keeps the default height


def test_the_details_have_a_row_per_finding_with_numbers_as_numbers(summary):
    ws = summary[DETAILS]
    rows = [[c.value for c in row] for row in ws.iter_rows()]
    assert rows[0] == DETAIL_COLUMNS
    assert len(rows) == 1 + len(PROJECT.findings)
    assert rows[1] == [READ.file, UNIT, "慢性病专家鉴定费", ROW.where, "鉴定完成及时率", "得分", 8, 10, ROW.rule,
                       f"{CAUSES['rounding']}：{ROW.why}"]
    assert [r[5] for r in rows[1:]] == [KINDS[f.kind] for f in PROJECT.findings]
    assert ws["H3"].value == 43.88 and ws["H3"].number_format == "0.00"
    last = rows[-1]
    assert last[4] == HOSTILE and last[6] == "定性" and last[7] is None and last[9] == QUALITATIVE.why
    hostile = ws.cell(len(rows), 5)
    assert hostile.data_type == "s" and hostile.quotePrefix  # never a live formula
    assert ws.freeze_panes == "A2"



def _needs_writer() -> None:
    needs_writer("pdftotext")


def test_the_opinion_prints_through_libreoffice(opinion, tmp_path):
    _needs_writer()
    broken = write_opinion(BROKEN, tmp_path / "审核意见_坏文件.docx", date=DATE)
    pdfs = batch.to_pdf([opinion, broken], tmp_path / "pdf")
    assert [p.name for p in pdfs] == ["审核意见.pdf", "审核意见_坏文件.pdf"]
    text = subprocess.run(["pdftotext", str(pdfs[0]), "-"], capture_output=True, text=True, check=True).stdout
    flat = re.sub(r"\s+", "", text)
    assert TITLE in flat and "需评价人说明的判定" in flat and "未发现计算错误" in flat
    assert "鉴定完成及时率" in flat and "43.88" in flat and "审核单位（盖章）" in flat
    assert len(text.split("\f")) - 1 <= 2  # two tables and their findings on at most two pages
    text = subprocess.run(["pdftotext", str(pdfs[1]), "-"], capture_output=True, text=True, check=True).stdout
    assert "文件已损坏" in text
