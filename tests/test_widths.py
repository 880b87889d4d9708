"""Column widths: every table fills its text area, no number wraps, no label leaves one character alone."""

import re

import docx
import pytest
from conftest import EXAMPLES
from docx.oxml.ns import qn

from scoring.outputs.layouts import LAYOUTS, STYLES
from scoring.outputs.render import WordTemplate, builtin_template, to_context
from scoring.outputs.widths import (
    Column,
    Span,
    TooWide,
    fits,
    one_line,
    orphaned,
    solve,
    text_em,
    wrap,
)
from scoring.pipeline import run
from scoring.sources.resources import data_dir

NUMBER = re.compile(r"^[≥≤<>=＞＜]{0,2}[-+]?\d[\d,]*(\.\d+)?\s?[%％]?$")
CASES = sorted(EXAMPLES.glob("*.yaml"))


def test_metrics_of_songti():
    assert text_em("部门（单位）名称") == 8 and text_em("29.17") == 2.5 and text_em("≥90%") == 2.5
    # the column: 737 twips less 2 × 108 margin holds 2.6 em, less the quarter em of slack
    assert not fits("29.17", 737)  # the old 分值 column, where the issue saw 29.1/7
    assert fits("29.17", one_line("29.17")) and not fits("29.17", one_line("29.17") - 1)
    # 部门（单位）名称 in 7 em: the last line would be 称 alone
    assert wrap("部门（单位）名称", 216 + 1450) == ["部门（单位）名", "称"]
    assert orphaned("部门（单位）名称", 216 + 1450) and not orphaned("部门（单位）名称", 216 + 1250)
    assert wrap("≥90% 合格", 216 + 560) == ["≥90%", "合格"]  # a number is not cut
    assert wrap("偏差度（%）", 216 + 750) == ["偏差度", "（%）"]  # no line starts with ）


def test_solve_fills_the_total_exactly_and_keeps_labels_whole():
    columns = [Column(labels=("预算绩效管理情况",)), Column(numbers=("29.17",)), Column(grow=1), Column(grow=2)]
    widths = solve(columns, 9000, spans=(Span(0, 1, labels=("部门（单位）名称",)),))
    assert sum(widths) == 9000
    assert not orphaned("预算绩效管理情况", widths[0]) and fits("29.17", widths[1])
    with pytest.raises(TooWide):
        solve([Column(numbers=("12345678901234567890",))] * 8, 5000)


def _grid(table):
    return [int(g.get(qn("w:w"))) for g in table._tbl.tblGrid.findall(qn("w:gridCol"))]


def _text_width(doc):
    s = doc.sections[0]
    return s.page_width.twips - s.left_margin.twips - s.right_margin.twips


@pytest.mark.parametrize("style", STYLES, ids=lambda s: s.template)
def test_every_table_fills_the_text_area_exactly(style):
    doc = docx.Document(data_dir("reports") / style.template)
    for table in doc.tables:
        grid = _grid(table)
        assert sum(grid) == _text_width(doc) == 14798  # A4 landscape, 1.8 cm margins
        assert int(table._tbl.tblPr.find(qn("w:tblW")).get(qn("w:w"))) == sum(grid)
        for tr in table._tbl.tr_lst:  # every row spans the whole grid
            assert sum(_span(tc) for tc in tr.tc_lst) == len(grid)
    if style.weight_column:  # the 29.17 in the 分值 column
        heads = [c.text for c in doc.tables[1].rows[0].cells]
        assert fits("29.17", _grid(doc.tables[1])[heads.index("分值")])


def _span(tc):
    span = tc.tcPr.find(qn("w:gridSpan")) if tc.tcPr is not None else None
    return 1 if span is None else int(span.get(qn("w:val")))


def _cells(table):
    """(text, width in twips) of every cell."""
    grid = _grid(table)
    for tr in table._tbl.tr_lst:
        col = 0
        for tc in tr.tc_lst:
            n = _span(tc)
            paragraphs = ["".join(t.text or "" for t in p.iter(qn("w:t"))) for p in tc.iter(qn("w:p"))]
            yield "\n".join(paragraphs), sum(grid[col: col + n])
            col += n


def _labels(style):
    """The template's own words: headers and row labels (a tag's text left out)."""
    doc = docx.Document(data_dir("reports") / style.template)
    out = set()
    for table in doc.tables:
        for text, _ in _cells(table):
            text = re.sub(r"\{\{.*?\}\}|\{%.*?%\}", "", text).strip()
            if text:
                out.add(text)
    return out


def _renderings():
    for name in LAYOUTS:
        for case in CASES:
            yield pytest.param(name, case, id=f"{name}-{case.stem}")


@pytest.mark.parametrize(("layout", "case"), list(_renderings()))
def test_no_number_wraps_and_no_label_is_left_with_one_character(layout, case, tmp_path):
    scored = run(case)
    ev = scored.evaluation
    path = builtin_template(ev, layout)
    style = next(s for s in STYLES if s.template == path.name)
    doc = docx.Document(_render(path, to_context(ev, scored.result, layout), tmp_path))
    labels = _labels(style) | {i.level1 for i in ev.indicators} | {i.level2 for i in ev.indicators}
    labels |= {m.name for m in ev.funds_management}
    checked = 0
    for table in doc.tables:
        for text, width in _cells(table):
            if NUMBER.match(text):
                assert fits(text, width), f"{text} 在 {width} 缇宽的列中折行"
                checked += 1
            elif text in labels:
                assert not orphaned(text, width), f"“{text}”在 {width} 缇宽的列中末行只剩一个字：{wrap(text, width)}"
                checked += 1
    assert checked > 30


def _render(template, context, tmp_path):
    out = tmp_path / "out.docx"
    out.write_bytes(WordTemplate(template).render_bytes(context))
    return out


def test_the_description_column_fits_and_aligns_with_the_funds_block():
    """The issue: with 指标说明 the indicator table was 16,044 twips on a 14,798 text area."""
    for name in ("部门整体支出绩效自评表_指标说明_tpl.docx", "部门整体支出绩效自评表_jiaozuo_2021_tpl.docx"):
        doc = docx.Document(data_dir("reports") / name)
        head, indicators = doc.tables
        assert sum(_grid(head)) == sum(_grid(indicators)) == _text_width(doc)
        assert head.alignment == indicators.alignment


@pytest.mark.parametrize("style", STYLES, ids=lambda s: s.template)
def test_the_standard_level_names_leave_no_character_alone(style):
    """一级/二级 names of the shipped indicator templates (满意度指标, 服务对象满意度指标 …) in the
    indicator table's first two columns."""
    import yaml

    kind = "project" if style.unit_label == "项目名称" else "department"
    names = ([], [])
    for path in sorted(data_dir("indicator_templates").glob("*.yaml")):  # 一级 of either kind, 二级 of this
        template = yaml.safe_load(path.read_text(encoding="utf-8"))
        for node in template["indicators"]:
            names[0].append(node["name"])
            if template["kind"] == kind:
                names[1].extend(child["name"] for child in node.get("children", ()))
    doc = docx.Document(data_dir("reports") / style.template)
    grid = _grid(doc.tables[-1])
    for level, width in zip(names, grid[:2]):
        assert not [n for n in level if orphaned(n, width)], (style.template, width)
