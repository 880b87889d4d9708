"""Build the Word table templates in this folder (run once; the .docx files are committed).

    python reports/make_templates.py

One template per table style of `scoring/outputs/layouts.py` (the Henan, central,
安阳 2022 and 焦作 2021 layouts, each named after the published table it
follows). The templates are ordinary .docx files with docxtpl tags ({{ }}, {%tr %}),
so a finance person can open one in Word or WPS and adjust fonts or wording.

A4 landscape, 宋体 10 pt body, 黑体 title, full borders. Two tables: the head
(unit, funds, goals, tasks, funds management) and the indicators, whose header
row repeats on every page. Column widths are computed (`scoring/outputs/widths.py`)
so both tables fill the text area exactly and share their outer edges; the numbers
and labels they must hold are those of the examples (examples/*.yaml) as the
style prints them, plus the widest plausible ones (99999.99, 100.00 %, 29.17).
Block labels (部门整体支出情况, 年度履职目标, 年度主要任务, 资金管理情况) merge
vertically over their rows; the `vm` filter marks the cells (scoring/outputs/render.py).
"""

from __future__ import annotations

import re
import sys
from decimal import Decimal
from pathlib import Path

import yaml
from docx import Document
from docx.enum.section import WD_ORIENT
from docx.enum.table import WD_CELL_VERTICAL_ALIGNMENT, WD_TABLE_ALIGNMENT
from docx.enum.text import WD_ALIGN_PARAGRAPH
from docx.oxml import OxmlElement
from docx.oxml.ns import qn
from docx.shared import Cm, Pt, Twips

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE.parent))

from scoring.outputs.layouts import STYLES, TableStyle  # noqa: E402
from scoring.outputs.widths import Column, Span, solve  # noqa: E402

BODY_FONT, TITLE_FONT, SIZE = "宋体", "黑体", 10
RESTART, CONTINUE = "{{ 'restart'|vm }}", "{{ 'continue'|vm }}"
NUMBER = re.compile(r"^[≥≤<>=＞＜]{0,2}[-+]?\d[\d,]*(\.\d+)?\s?[%％]?$")


def _fonts(run, name: str, size: float, bold: bool = False) -> None:
    run.font.name = name
    run.font.size = Pt(size)
    run.font.bold = bold
    rpr = run._element.get_or_add_rPr()
    fonts = rpr.find(qn("w:rFonts"))
    if fonts is None:
        fonts = OxmlElement("w:rFonts")
        rpr.insert(0, fonts)
    for attr in ("w:ascii", "w:hAnsi", "w:eastAsia", "w:cs"):
        fonts.set(qn(attr), name)


def _document():
    doc = Document()
    section = doc.sections[0]
    section.orientation = WD_ORIENT.LANDSCAPE
    section.page_width, section.page_height = Cm(29.7), Cm(21.0)
    section.left_margin = section.right_margin = Cm(1.8)
    section.top_margin = section.bottom_margin = Cm(1.6)
    normal = doc.styles["Normal"]
    normal.font.name = BODY_FONT
    normal.font.size = Pt(SIZE)
    normal.element.get_or_add_rPr().get_or_add_rFonts().set(qn("w:eastAsia"), BODY_FONT)
    normal.paragraph_format.space_after = Pt(0)
    normal.paragraph_format.space_before = Pt(0)
    return doc


def text_width(doc) -> int:
    """The text area's width in twips (page less its left and right margins)."""
    s = doc.sections[0]
    return s.page_width.twips - s.left_margin.twips - s.right_margin.twips


def _title(doc, text: str, sub: str) -> None:
    p = doc.add_paragraph()
    p.alignment = WD_ALIGN_PARAGRAPH.CENTER
    _fonts(p.add_run(text), TITLE_FONT, 18, bold=True)
    if sub:
        p = doc.add_paragraph()
        p.alignment = WD_ALIGN_PARAGRAPH.CENTER
        _fonts(p.add_run(sub), BODY_FONT, 11)


def _table(doc, widths: list[int]):
    table = doc.add_table(rows=0, cols=len(widths))
    table.style = "Table Grid"
    table.alignment = WD_TABLE_ALIGNMENT.CENTER
    table.autofit = False  # fixed layout: Word keeps the computed widths
    tblpr = table._tbl.tblPr
    tblw = tblpr.find(qn("w:tblW"))
    tblw.set(qn("w:type"), "dxa")
    tblw.set(qn("w:w"), str(sum(widths)))
    for col, width in zip(table._tbl.tblGrid.findall(qn("w:gridCol")), widths):
        col.set(qn("w:w"), str(width))
    table.widths = widths
    return table


def _row(table, texts: list[str], *, bold=False, center=True, header=False, spans=(), left=()):
    """Add a row; `spans` merges cells horizontally: [(first, last), …]; `left` aligns those columns left."""
    row = table.add_row()
    cells = row.cells
    for k, (cell, text) in enumerate(zip(cells, texts)):
        cell.width = Twips(table.widths[k])
        cell.vertical_alignment = WD_CELL_VERTICAL_ALIGNMENT.CENTER
        para = cell.paragraphs[0]
        para.alignment = WD_ALIGN_PARAGRAPH.LEFT if k in left else WD_ALIGN_PARAGRAPH.CENTER
        if not center:
            para.alignment = WD_ALIGN_PARAGRAPH.LEFT
        if text:
            _fonts(para.add_run(text), BODY_FONT, SIZE, bold=bold and "{{" not in text.replace(RESTART, ""))
    for first, last in spans:
        merged = cells[first].merge(cells[last])
        for extra in merged.paragraphs[1:]:
            extra._element.getparent().remove(extra._element)
    trpr = row._tr.get_or_add_trPr()
    if header:
        trpr.append(OxmlElement("w:tblHeader"))
    trpr.append(OxmlElement("w:cantSplit"))
    return row


def _tag_row(table, tag: str) -> None:
    """A row holding only a {%tr %} tag: docxtpl replaces the whole row by the tag."""
    table.add_row().cells[0].paragraphs[0].add_run(tag)


# --------------------------------------------------------------------- the head table
# Nine columns: 0 block labels (merged down), 1–2 row labels, 3–8 the funds numbers
# (年初预算数, 全年预算数, 全年执行数, 分值, 执行率, 得分).


def _head_widths(style: TableStyle, s: dict, total: int) -> list[int]:
    group = bool(style.source_group)
    columns = [Column(labels=(style.block_label, style.goal_label, "年度主要任务", "资金管理情况"), min_em=4),
               Column(labels=(style.source_group,) if group else (), grow=1),
               Column(labels=s["source_names"] if group else (), grow=1)]
    numbers = [s["amounts"], s["amounts"], s["amounts"] + s["fm_weights"], s["weights"] + s["fm_scores"],
               s["rates"], s["funds_scores"]]
    for head, nums in zip(style.funds_heads, numbers):
        columns.append(Column(numbers=tuple(nums), labels=(head,), grow=1))
    rows = s["funding_labels"] + s["fm_names"] + (() if group else s["source_labels"]) + (style.task_heads[0],)
    spans = (Span(0, 2, labels=(style.unit_label, "主管部门")), Span(1, 2, labels=rows),
             Span(5, 6, labels=("实施单位",)), Span(1, 4, labels=("预期目标",)), Span(5, 8, labels=("实际完成情况",)),
             Span(3, 5, labels=(style.task_heads[1],)), Span(6, 8, labels=(style.task_heads[2],)),
             Span(3, 4, labels=("情况说明",)), Span(7, 8, labels=("存在问题和改进措施",)))
    return solve(columns, total, SIZE, spans)


def _funds_rows(t, style: TableStyle) -> None:
    _row(t, [style.block_label + RESTART, "", "", *style.funds_heads], bold=True, spans=[(1, 2)])
    _row(t, [CONTINUE, "{{ funding.label }}", "", "{{ funding.initial_budget }}", "{{ funding.annual_budget }}",
             "{{ funding.executed }}", "{{ funding.weight }}", "{{ funding.execution_rate }}", "{{ funding.score }}"],
         spans=[(1, 2)])
    _tag_row(t, "{%tr for s in funding.sources %}")
    numbers = ["{{ s.initial_budget }}", "{{ s.annual_budget }}", "{{ s.executed }}", "{{ s.mark }}",
               "{{ s.execution_rate }}", "{{ s.mark }}"]
    if style.source_group:  # seed 000: 资金来源 merged down, the sources' names beside it
        group = f"{{{{ '{style.source_group}' if s.merge != 'continue' else '' }}}}{{{{ s.merge|vm }}}}"
        _row(t, [CONTINUE, group, "{{ s.name }}", *numbers])
    else:
        _row(t, [CONTINUE, "{{ s.label }}", "", *numbers], spans=[(1, 2)])
    _tag_row(t, "{%tr endfor %}")


def _goal_rows(t, style: TableStyle) -> None:
    _row(t, [style.goal_label + RESTART, "预期目标", "", "", "", "实际完成情况", "", "", ""], bold=True,
         spans=[(1, 4), (5, 8)])
    _tag_row(t, "{%tr for g in goals %}")
    _row(t, [CONTINUE, "{{ g.text }}", "", "", "", "{{ g.actual }}", "", "", ""], center=False,
         spans=[(1, 4), (5, 8)])
    _tag_row(t, "{%tr endfor %}")


def _task_rows(t, style: TableStyle) -> None:
    _tag_row(t, "{%tr if tasks %}")
    a, b, c = style.task_heads
    _row(t, ["年度主要任务" + RESTART, a, "", b, "", "", c, "", ""], bold=True, spans=[(1, 2), (3, 5), (6, 8)])
    _tag_row(t, "{%tr for k in tasks %}")
    _row(t, [CONTINUE, "{{ k.name }}", "", "{{ k.content }}", "", "", "{{ k.result }}", "", ""], center=False,
         spans=[(1, 2), (3, 5), (6, 8)])
    _tag_row(t, "{%tr endfor %}")
    _tag_row(t, "{%tr endif %}")


def _funds_management_rows(t) -> None:
    _tag_row(t, "{%tr if funds_management %}")
    _row(t, ["资金管理情况" + RESTART, "", "", "情况说明", "", "分值", "得分", "存在问题和改进措施", ""], bold=True,
         spans=[(1, 2), (3, 4), (7, 8)])
    _tag_row(t, "{%tr for m in funds_management %}")
    _row(t, [CONTINUE, "{{ m.name }}", "", "{{ m.description }}", "", "{{ m.weight }}", "{{ m.score }}",
             "{{ m.problems }}", ""], spans=[(1, 2), (3, 4), (7, 8)], left=(3, 7))
    _tag_row(t, "{%tr endfor %}")
    _tag_row(t, "{%tr endif %}")


# --------------------------------------------------------------- the indicator table

_CELLS = {"一级指标": "{{ r.level1 }}{{ r.level1_merge|vm }}", "二级指标": "{{ r.level2 }}{{ r.level2_merge|vm }}",
          "三级指标": "{{ r.level3 }}", "指标说明": "{{ r.description }}", "实际完成值": "{{ r.actual }}",
          "分值": "{{ r.weight }}", "得分": "{{ r.score }}"}


def _indicator_columns(style: TableStyle, s: dict) -> list[Column]:
    out = []
    for head in style.columns():
        if head == "一级指标":
            out.append(Column(labels=(head, *s["level1"])))
        elif head == "二级指标":
            out.append(Column(labels=(head, *s["level2"])))
        elif head == "三级指标":
            out.append(Column(labels=(head,), min_em=4, grow=2))
        elif head == style.target_head:
            out.append(Column(numbers=s["targets"], labels=(head,), min_em=3, grow=1.5))
        elif head == "指标说明":
            out.append(Column(labels=(head,), min_em=6, grow=6))
        elif head == "实际完成值":
            out.append(Column(numbers=s["actuals"], labels=(head,), min_em=3, grow=1.5))
        elif head == "分值":
            out.append(Column(numbers=s["weights"], labels=(head,)))
        elif head == "得分":
            out.append(Column(numbers=s["scores"], labels=(head,)))
        elif head == style.deviation_head and style.deviation_column:
            out.append(Column(numbers=s["deviations"], labels=(head,)))
        else:  # the reason
            out.append(Column(labels=(head,), min_em=4, grow=2.5))
    return out


def _indicator_table(doc, style: TableStyle, s: dict, total: int) -> None:
    heads = style.columns()
    cells = [_CELLS.get(h, "") for h in heads]
    cells[3] = "{{ r.target }}"
    if style.deviation_column:
        cells[heads.index(style.deviation_head)] = "{{ r.deviation }}"
    cells[-1] = "{{ r.reason }}"
    t = _table(doc, solve(_indicator_columns(style, s), total, SIZE))
    _row(t, heads, bold=True, header=True)
    _tag_row(t, "{%tr for r in indicators %}")
    left = [k for k, h in enumerate(heads) if h in ("三级指标", "指标说明") or k == len(heads) - 1]
    _row(t, cells, left=left)
    _tag_row(t, "{%tr endfor %}")
    n, score = len(heads), heads.index("得分")
    if style.weight_column:  # 总分 over the columns before 分值; after 得分 one empty cell
        texts = ["总分", *[""] * (score - 2), "{{ weight_total }}", "{{ total }}"]
    else:
        texts = ["总分", *[""] * (score - 1), "{{ total }}"]
    first = score - 1 if style.weight_column else score
    texts += [""] * (n - len(texts))
    spans = [(0, first - 1)] + ([(score + 1, n - 1)] if n - score - 1 > 1 else [])
    total_row = _row(t, texts, bold=True, spans=spans)
    if style.grade_row:
        for para in (p for cell in total_row.cells for p in cell.paragraphs):
            para.paragraph_format.keep_with_next = True  # 等级 never alone on a page
        _row(t, ["等级", "{{ grade }}"] + [""] * (n - 2), bold=True, spans=[(1, n - 1)])


def _signatures(doc) -> None:
    p = doc.add_paragraph()
    p.paragraph_format.space_before = Pt(8)
    _fonts(p.add_run("填表人：{{ filled_by }}        审核人：{{ reviewed_by }}        "
                     "单位（盖章）：        填报日期：{{ date }}"), BODY_FONT, 10.5)


def build(style: TableStyle, path: Path) -> None:
    s = samples(style)
    doc = _document()
    total = text_width(doc)
    _title(doc, style.title, style.subtitle)
    t = _table(doc, _head_widths(style, s, total))
    if style.unit_label == "项目名称":
        _row(t, ["项目名称", "", "", "{{ project }}", "", "", "", "", ""], spans=[(0, 2), (3, 8)])
        _row(t, ["主管部门", "", "", "{{ supervisor }}", "", "实施单位", "", "{{ implementer }}", ""],
             spans=[(0, 2), (3, 4), (5, 6), (7, 8)])
    else:
        _row(t, [style.unit_label, "", "", "{{ unit }}", "", "", "", "", ""], spans=[(0, 2), (3, 8)])
    _funds_rows(t, style)
    if style.funds_management:
        _funds_management_rows(t)
    _goal_rows(t, style)
    if style.unit_label != "项目名称":
        _task_rows(t, style)
    doc.add_paragraph()
    _indicator_table(doc, style, s, total)
    _signatures(doc)
    doc.save(path)


# ------------------------------------------------------------------------ samples


def samples(style: TableStyle) -> dict[str, tuple[str, ...]]:
    """What the columns must hold: the examples' values as `style` prints them, and
    the widest plausible ones."""
    from scoring.outputs.render import to_context
    from scoring.pipeline import run

    kind = "项目名称" == style.unit_label and "project" or "department"
    out: dict[str, set[str]] = {k: set() for k in (
        "amounts", "rates", "weights", "scores", "deviations", "funds_scores", "fm_weights", "fm_scores",
        "targets", "actuals", "level1", "level2", "funding_labels", "source_labels", "source_names", "fm_names")}
    out["amounts"].add("99999.99")
    out["weights"].add("29.17")
    out["scores"].add("29.17")
    out["deviations"].add("-100.00")
    out["rates"].update({style.rate_text(Decimal("100")), style.rate_text(Decimal("99.85")), style.empty_rate})
    out["funds_scores"].add(style.funds_score_text(Decimal("9.99")))
    for case in sorted((HERE.parent / "examples").glob("*.yaml")):
        scored = run(case)
        if scored.evaluation.kind != kind or scored.result is None:
            continue
        c = _context_in(style, scored, to_context)
        f = c["funding"]
        out["amounts"].update(x for x in (f["initial_budget"], f["annual_budget"], f["executed"]) if x)
        out["rates"].add(f["execution_rate"])
        out["funds_scores"].add(f["score"])
        out["weights"].update({f["weight"], c["weight_total"]})
        out["funding_labels"].add(f["label"])
        for src in f["sources"]:
            out["amounts"].update(x for x in (src["initial_budget"], src["annual_budget"], src["executed"]) if x)
            out["rates"].add(src["execution_rate"])
            out["source_labels"].add(src["label"])
            out["source_names"].add(src["name"])
        for m in c["funds_management"]:
            out["fm_weights"].add(m["weight"])
            out["fm_scores"].add(m["score"])
            out["fm_names"].add(m["name"])
        for r, ind in zip(c["indicators"], scored.evaluation.indicators):
            out["weights"].add(r["weight"])
            out["scores"].update({r["score"], c["total"]})
            out["deviations"].add(r["deviation"])
            out["level1"].add(ind.level1)
            out["level2"].add(ind.level2)
            out["targets"].update({r["target"]} if NUMBER.match(r["target"]) else set())
            out["actuals"].update({r["actual"]} if NUMBER.match(r["actual"]) else set())
    for path in sorted((HERE.parent / "indicator_templates").glob("*.yaml")):  # the standard 一级/二级 names:
        template = yaml.safe_load(path.read_text(encoding="utf-8"))  # 一级 of either kind (provinces mix
        for node in template.get("indicators", ()):                    # them), 二级 of this kind
            out["level1"].add(node["name"])
            if template.get("kind") == kind:
                out["level2"].update(child["name"] for child in node.get("children", ()))
    return {k: tuple(sorted(v - {""})) for k, v in out.items()}


def _context_in(style: TableStyle, scored, to_context) -> dict:
    from scoring.outputs.layouts import LAYOUTS

    for name, layout in LAYOUTS.items():  # a layout that draws this evaluation in `style`
        if style in (layout.department, layout.project, layout.described_department, layout.central_project):
            return to_context(scored.evaluation, scored.result, layout=name, style=style)
    raise LookupError(style.template)


def main() -> None:
    import make_reports  # the narrative reports' templates (portrait, 仿宋)

    for style in STYLES:
        build(style, HERE / style.template)
    make_reports.main()
    print("已生成：", ", ".join(p.name for p in sorted(HERE.glob("*_tpl.docx"))))


if __name__ == "__main__":
    main()
