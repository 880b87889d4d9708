"""PDF output for real: every built-in Word layout through LibreOffice Writer, its text read
back with pdftotext (poppler-utils).

Each shipped table template (reports/*自评表*_tpl.docx) is rendered with an example of its
kind, beside what `jixiao render --pdf --combined` makes (the tables the examples choose,
their 绩效自评报告 and the 自评表汇编) and a 复核对比表. All conversions run in two soffice
calls (about 0.3 s a document). Without LibreOffice Writer, a Chinese font or pdftotext the
tests skip here and fail in CI (CI=true), which installs them (.ci/run)."""

import dataclasses
import re
import subprocess
from decimal import Decimal
from pathlib import Path

import pytest
from conftest import EXAMPLES, ROOT, needs_writer

from scoring.cli import main
from scoring.outputs import batch
from scoring.outputs.render import REPORT_TEMPLATE, render_many, to_context
from scoring.pipeline import run
from scoring.review.compare import compare
from scoring.review.report import write_docx
from scoring.sources.loader import load_evaluation

PROJECT = EXAMPLES / "安阳北关区医保局_2022_慢性病专家鉴定费.yaml"
DEPARTMENT = EXAMPLES / "焦作中站区医保局_2021_部门整体.yaml"
ALL = sorted(EXAMPLES.glob("*.yaml"))
LONG = range(18, 32)  # 复核对比表 lengths around a page break (each length in one document)
# The department's summary report has a context of its own (not an evaluation's): its
# command's tests convert it.
SUMMARY_REPORT = "部门项目支出绩效自评总结报告_tpl.docx"
TABLE_HEADERS = ("一级指标", "二级指标", "三级指标", "得分")
# The title as each layout prints it: 部门整体支出绩效自评表, 部门整体绩效自评表 (seed 000),
# 项目支出绩效自评情况表 (seed 001) …
TITLE = {"department": re.compile(r"部门整体(支出)?绩效自评(情况)?表"), "project": re.compile(r"项目支出绩效自评(情况)?表")}



def _needs_writer() -> None:
    needs_writer("pdftotext")


def raw_pages(pdf: Path) -> list[str]:
    text = subprocess.run(["pdftotext", str(pdf), "-"], capture_output=True, text=True, check=True).stdout
    return text.split("\f")[:-1]


def pages(pdf: Path) -> list[str]:
    """The PDF's text, page by page, without whitespace (a wrapped cell reads as one)."""
    return [re.sub(r"\s+", "", page) for page in raw_pages(pdf)]


def numbers(pdf: Path) -> set[Decimal]:
    """Every number printed (read where whitespace still parts neighbouring cells)."""
    return {Decimal(n) for page in raw_pages(pdf) for n in re.findall(r"(?<![\d.])\d+(?:\.\d+)?", page)}


def table_templates() -> list[Path]:
    return sorted(p for p in (ROOT / "reports").glob("*_tpl.docx") if "自评表" in p.name)


@pytest.fixture(scope="module")
def made(tmp_path_factory):
    _needs_writer()
    out = tmp_path_factory.mktemp("pdf")
    assert main(["render", *map(str, ALL), "-o", str(out / "cli"), "--combined", "--workers", "2"]) == 0
    extra = out / "extra"
    jobs = []
    for template in table_templates():
        example = DEPARTMENT if "部门整体" in template.name else PROJECT
        scored = run(example)
        jobs.append((str(template), to_context(scored.evaluation, scored.result), str(extra / template.name)))
    render_many(jobs, workers=1)
    ev, source, _ = load_evaluation(ALL[3])
    comparison = dataclasses.replace(compare(ev, None, None, source), reviewer="赵六", review_date="2026-11-20",
                                     overall="自评基本客观，同意自评结果。")
    docs = [Path(j[2]) for j in jobs] + [write_docx([comparison], extra / "复核对比表.docx")]
    rows = [r for r in comparison.rows if "/" in r.label] * 10  # every label: 一级 / 二级 / 三级
    long = [dataclasses.replace(comparison, title=f"长表{n}行", rows=rows[:n]) for n in LONG]  # each on new pages
    docs.append(write_docx(long, extra / "复核对比表_长表.docx"))
    docs += sorted((out / "cli").glob("*.docx"))  # what `jixiao render --pdf` converts, with the same call
    converted = batch.to_pdf(docs, out / "pdf")  # one soffice call for all
    assert sorted(p.stem for p in converted) == sorted(p.stem for p in docs)
    return out


def test_render_pdf_converts_what_the_command_wrote(made, monkeypatch, capsys):
    """`jixiao render --pdf` hands every document it wrote, the 汇编 too, to one conversion."""
    calls = []
    monkeypatch.setattr(batch, "to_pdf", lambda docs, folder: calls.append((docs, folder)) or docs)
    assert main(["render", str(PROJECT), "-o", str(made / "again"), "--combined", "--pdf", "--workers", "1"]) == 0
    (docs, folder), = calls
    assert sorted(p.name for p in docs) == sorted(p.name for p in (made / "again").glob("*.docx"))
    assert len(docs) == 3 and folder == made / "again" / "pdf"  # the table, the report, the 汇编


@pytest.mark.parametrize("example", ALL, ids=lambda p: p.stem)
def test_each_table_and_report_reads_back_with_its_title_unit_total_and_headers(made, example):
    scored = run(example)
    ev, result = scored.evaluation, scored.result
    pdf = made / "pdf"
    table = next(p for p in pdf.glob(f"*{'部门整体' if ev.kind == 'department' else '项目支出'}*自评表.pdf")
                 if p.name.startswith(ev.unit) and (ev.project or str(ev.year)) in p.name)
    text = "".join(pages(table))
    assert TITLE[ev.kind].match(text)  # the title comes first
    for fragment in (ev.unit, str(ev.year), *(TABLE_HEADERS), *([ev.project] if ev.project else [])):
        assert fragment in text, fragment
    assert result.total in numbers(table)
    report = pdf / table.name.replace(table.stem.rsplit("_", 1)[1], "绩效自评报告")
    text = "".join(pages(report))
    assert "绩效自评报告" in text[:80] and ev.unit in text and result.total in numbers(report)


@pytest.mark.parametrize("template", table_templates(), ids=lambda p: p.stem)
def test_every_shipped_table_layout_converts_with_its_text(made, template):
    example = DEPARTMENT if "部门整体" in template.name else PROJECT
    scored = run(example)
    pdf = made / "pdf" / f"{template.stem}.pdf"
    text = "".join(pages(pdf))
    assert TITLE[scored.evaluation.kind].match(text), text[:30]
    for fragment in (scored.evaluation.unit, *TABLE_HEADERS):
        assert fragment in text, fragment
    assert scored.result.total in numbers(pdf)


def test_the_templates_cover_every_shipped_layout():
    shipped = {p.name for p in (ROOT / "reports").glob("*_tpl.docx")}
    others = {REPORT_TEMPLATE, SUMMARY_REPORT}  # the 绩效自评报告: rendered by `render` above
    assert shipped - others == {p.name for p in table_templates()}, \
        "a new layout: render it in this test (tests/test_pdf.py)"


def test_the_comparison_reads_back_with_its_opinion_and_signature_lines(made):
    text = "".join(pages(made / "pdf" / "复核对比表.pdf"))
    for fragment in ("绩效自评复核对比表", "复核分值", "复核意见", "总分", "等级", "总体意见：自评基本客观，同意自评结果。",
                     "复核人：赵六", "复核日期：2026年11月20日", "复核人签字", "复核单位（盖章）"):
        assert fragment in text, fragment


@pytest.mark.parametrize("n", LONG)
def test_the_grade_row_never_stands_alone_on_a_page(made, n):
    """Wherever the page breaks, 等级 stays with 总分, a row above them and the closing lines."""
    everything = pages(made / "pdf" / "复核对比表_长表.pdf")
    first = next(k for k, page in enumerate(everything) if page.startswith(f"长表{n}行"))
    every = [everything[first]]
    for page in everything[first + 1:]:
        if page.startswith("长表"):
            break
        every.append(page)
    last = every[-1]
    assert "等级" in last and "总分" in last and "总体意见" in last and "复核单位（盖章）" in last
    if len(every) > 1:
        assert "/" in last.split("总分")[0]  # an indicator row came along with 总分


def test_the_combined_document_has_its_cover_contents_and_right_page_numbers(made):
    every = pages(made / "pdf" / "自评表汇编.pdf")
    assert every[0].startswith("部门绩效自评表汇编") and "（2021、2022年度）" in every[0]
    assert every[1].startswith("目录")
    entries = re.findall(r"((?:部门整体|项目支出)[^：（.]*?表(?:：[^.]+?)?)（(\d{4})年度）\.+(\d+)", every[1])
    assert len(entries) == len(ALL)
    for label, year, page in entries:  # each number is the page its table starts on
        start = every[int(page) - 1]
        assert year in start[:40]
        assert TITLE["project" if "：" in label else "department"].match(start)  # its title opens the page
        if "：" in label:
            assert label.split("：", 1)[1] in start
