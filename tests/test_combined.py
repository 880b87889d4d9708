"""自评表汇编: per unit the 部门整体 table first, then its projects; a cover and a contents list
whose page numbers are fields pointing at each table."""

import re
import zipfile

import docx
import pytest
from conftest import EXAMPLES
from docx.oxml.ns import qn

from scoring.cli import main
from scoring.outputs.batch import combine, filing_order
from scoring.sources.loader import load_evaluation

ANYANG = "安阳市北关区医疗保障局"
JIAOZUO = "焦作市中站区医疗保障局"
# Given in this order on purpose: a project of 安阳 first, 焦作's department table before
# 安阳's, and the projects in no order of their names.
GIVEN = ["安阳北关区医保局_2022_慢性病专家鉴定费", "焦作中站区医保局_2021_部门整体",
         "安阳北关区医保局_2022_城乡居民基本医疗保险区级配套资金", "安阳北关区医保局_2022_部门整体",
         "安阳北关区医保局_2022_北关区政府救助第五重"]
FILED = [(ANYANG, None), (ANYANG, "慢性病专家鉴定费"), (ANYANG, "城乡居民基本医疗保险区级配套资金"),
         (ANYANG, "北关区政府救助（第五重）"), (JIAOZUO, None)]
# A contents line is the table's title as its layout prints it, and the project's name.
TITLE = {None: r"部门整体(支出)?绩效自评(情况)?表", "project": r"项目支出绩效自评(情况)?表："}


@pytest.fixture(scope="module")
def rendered(tmp_path_factory):
    out = tmp_path_factory.mktemp("汇编")
    assert main(["render", *(str(EXAMPLES / f"{name}.yaml") for name in GIVEN), "-o", str(out),
                 "--workers", "1", "--no-report", "--combined"]) == 0
    return out


def _bookmarks(element) -> list[str]:
    return [b.get(qn("w:name")) for b in element.iter(qn("w:bookmarkStart"))]


def test_each_unit_files_its_department_table_first_then_its_projects():
    tables = [(load_evaluation(EXAMPLES / f"{name}.yaml")[0], EXAMPLES / f"{name}.yaml") for name in GIVEN]
    order = [(ev.unit, ev.kind, ev.project) for ev, _ in filing_order(tables)]
    assert order == [(ANYANG, "department", None), (ANYANG, "project", "慢性病专家鉴定费"),
                     (ANYANG, "project", "城乡居民基本医疗保险区级配套资金"),
                     (ANYANG, "project", "北关区政府救助（第五重）"), (JIAOZUO, "department", None)]


def test_the_tables_follow_the_contents_in_filing_order_each_in_its_own_section(rendered):
    doc = docx.Document(rendered / "自评表汇编.docx")
    body = doc.element.body
    found = []  # (bookmark, the text of the first table after it)
    pending = None
    for child in body:
        marks = [m for m in _bookmarks(child) if m.startswith("_jx_table")]
        if marks:
            pending = marks[0]
        if child.tag == qn("w:tbl") and pending:
            found.append((pending, "".join(t.text or "" for t in child.iter(qn("w:t")))))
            pending = None
    assert [b for b, _ in found] == [f"_jx_table{k}" for k in range(5)]
    for (unit, project), (_, text) in zip(FILED, found):
        assert unit in text
        if project:
            assert project in text
        else:
            assert "部门（单位）" in text or "部门名称" in text
    sections = doc.sections
    assert len(sections) == 6  # the cover with the contents, then one per table
    assert sections[0].page_width < sections[0].page_height  # the cover: A4 portrait
    own = docx.Document(rendered / f"{ANYANG}_慢性病专家鉴定费_2022_项目支出绩效自评表.docx")
    assert (sections[2].page_width, sections[2].page_height) == (own.sections[0].page_width,
                                                                 own.sections[0].page_height)  # its own setup
    parts = [p for p in rendered.glob("*.docx") if p.name != "自评表汇编.docx"]
    assert len(doc.tables) == sum(len(docx.Document(p).tables) for p in parts)  # every table of every document


def test_the_cover_names_the_title_the_years_and_the_units(rendered):
    texts = [p.text for p in docx.Document(rendered / "自评表汇编.docx").paragraphs]
    cover = texts[:texts.index("目\u3000\u3000录")]
    assert cover[:2] == ["部门绩效自评表汇编", "（2021、2022 年度）"]
    assert cover[2:4] == [ANYANG, JIAOZUO]
    assert cover[-1] == "共 5 份自评表：部门整体 2 份，项目 3 份"


def test_the_contents_lists_every_table_with_a_page_field_to_its_bookmark(rendered):
    doc = docx.Document(rendered / "自评表汇编.docx")
    paragraphs = doc.paragraphs
    start = next(k for k, p in enumerate(paragraphs) if p.text == "目\u3000\u3000录")
    assert paragraphs[start].paragraph_format.page_break_before  # the contents on a page of its own
    entries, units = [], []
    for p in paragraphs[start + 1:]:
        instr = "".join(t.text for t in p._p.iter(qn("w:instrText")))
        if "PAGEREF" in instr:
            label = p.text.split("\t")[0]
            entries.append((units[-1], label.removesuffix(f"（{2022 if units[-1] == ANYANG else 2021} 年度）"),
                            instr.split()[1]))
        elif p.text in (ANYANG, JIAOZUO):
            units.append(p.text)
        if p._p.pPr is not None and p._p.pPr.sectPr is not None:
            break
    assert [u for u, _, _ in entries] == [u for u, _ in FILED]
    for (_, label, _), (_, project) in zip(entries, FILED):
        assert re.fullmatch(TITLE["project"] + re.escape(project) if project else TITLE[None], label), label
    marks = set(_bookmarks(doc.element.body))
    assert all(target in marks for _, _, target in entries)
    with zipfile.ZipFile(rendered / "自评表汇编.docx") as z:
        footer = z.read("word/footer_jixiao.xml").decode()
        settings = z.read("word/settings.xml").decode()
        rels = z.read("word/_rels/document.xml.rels").decode()
        types = z.read("[Content_Types].xml").decode()
    assert " PAGE " in footer and "footer_jixiao.xml" in rels and "/word/footer_jixiao.xml" in types
    assert '<w:updateFields w:val="true"/>' in settings  # Word refreshes the page numbers on opening


def test_where_the_department_table_is_given_does_not_change_the_document(rendered, tmp_path):
    files = [p for p in rendered.glob("*.docx") if p.name != "自评表汇编.docx"]
    tables = []
    for name in GIVEN:
        ev = load_evaluation(EXAMPLES / f"{name}.yaml")[0]
        tables.append((ev, next(p for p in files if p.name.startswith(ev.unit) and (ev.project or "部门整体") in p.name)))
    a = combine(tables, tmp_path / "a.docx")
    b = combine([tables[3], tables[0], tables[1], tables[2], tables[4]], tmp_path / "b.docx")
    with zipfile.ZipFile(a) as za, zipfile.ZipFile(b) as zb:
        assert za.read("word/document.xml") == zb.read("word/document.xml")


def test_a_tab_or_line_break_in_a_name_stays_on_its_contents_line(tmp_path):
    from conftest import evaluation
    from test_render import render

    from scoring.pipeline import run_data

    scored = run_data(evaluation({"target": "≥1", "actual": "1", "weight": 90}, project="渠道\t维修\n二期"))
    doc = render(scored, tmp_path).rename(tmp_path / "t.docx")
    out = combine([(scored.evaluation, doc)], tmp_path / "汇编.docx")
    lines = [p.text for p in docx.Document(out).paragraphs if "渠道" in p.text]
    assert lines and all("渠道 维修 二期" in t for t in lines)
