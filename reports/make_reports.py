"""Build the written reports' Word templates: portrait A4, set as official documents are
(GB/T 9704: 仿宋 三号 body at 28 pt lines, 黑体 三号 headings, 楷体 三号 sub-headings,
a 二号 title, margins 3.7/3.5/2.8/2.6 cm).

    python reports/make_templates.py     # builds every template, these included

- 绩效自评报告_tpl.docx: docxtpl tags over `n` (`outputs.narrative`), one loop over
  the outline's sections; a placeholder paragraph (【请填写：…】) is highlighted.
- 部门项目支出绩效自评总结报告_tpl.docx: no tags, only the page and the named
  paragraph styles; `outputs.summary_report` adds the text, the chart and the
  汇总表 with python-docx. Change a style here (or in Word) and both follow.

Kept apart from the table layouts in make_templates.py.
"""

from __future__ import annotations

from pathlib import Path

from docx import Document
from docx.enum.style import WD_STYLE_TYPE
from docx.enum.text import WD_ALIGN_PARAGRAPH, WD_COLOR_INDEX
from docx.oxml import OxmlElement
from docx.oxml.ns import qn
from docx.shared import Cm, Pt

HERE = Path(__file__).resolve().parent
BODY, HEADING, SUB, TITLE = "仿宋", "黑体", "楷体", "黑体"
LINE = Pt(28)  # 28 pt lines: 22 lines a page, as official documents are set

# name: (font, size pt, bold, alignment, first-line indent in characters, space before/after pt)
STYLES = {
    "报告标题": (TITLE, 22, True, WD_ALIGN_PARAGRAPH.CENTER, 0, (0, 0)),
    "报告副标题": (SUB, 16, False, WD_ALIGN_PARAGRAPH.CENTER, 0, (0, 12)),
    "报告一级标题": (HEADING, 16, False, WD_ALIGN_PARAGRAPH.JUSTIFY, 2, (0, 0)),
    "报告二级标题": (SUB, 16, True, WD_ALIGN_PARAGRAPH.JUSTIFY, 2, (0, 0)),
    "报告正文": (BODY, 16, False, WD_ALIGN_PARAGRAPH.JUSTIFY, 2, (0, 0)),
    "报告待填写": (BODY, 16, False, WD_ALIGN_PARAGRAPH.JUSTIFY, 2, (0, 0)),
    "报告落款": (BODY, 16, False, WD_ALIGN_PARAGRAPH.RIGHT, 0, (0, 0)),
    "报告表格": (BODY, 10.5, False, WD_ALIGN_PARAGRAPH.CENTER, 0, (0, 0)),
    "报告图题": (HEADING, 12, False, WD_ALIGN_PARAGRAPH.CENTER, 0, (6, 6)),
}


def _font(target, name: str, size: float, bold: bool) -> None:
    """Set a run's or style's font, the East Asian face included (w:eastAsia)."""
    target.font.name = name
    target.font.size = Pt(size)
    target.font.bold = bold
    rpr = target.element.get_or_add_rPr() if hasattr(target, "element") else target._element.get_or_add_rPr()
    fonts = rpr.find(qn("w:rFonts"))
    if fonts is None:
        fonts = OxmlElement("w:rFonts")
        rpr.insert(0, fonts)
    for attr in ("w:ascii", "w:hAnsi", "w:eastAsia", "w:cs"):
        fonts.set(qn(attr), name)


def base_document() -> Document:
    """A4 portrait with the report styles defined and an empty body."""
    doc = Document()
    section = doc.sections[0]
    section.page_width, section.page_height = Cm(21.0), Cm(29.7)
    section.left_margin, section.right_margin = Cm(2.8), Cm(2.6)
    section.top_margin, section.bottom_margin = Cm(3.7), Cm(3.5)
    normal = doc.styles["Normal"]
    _font(normal, BODY, 16, False)
    for name, (font, size, bold, align, indent, (before, after)) in STYLES.items():
        style = doc.styles.add_style(name, WD_STYLE_TYPE.PARAGRAPH)
        style.base_style = normal
        _font(style, font, size, bold)
        fmt = style.paragraph_format
        fmt.alignment = align
        fmt.line_spacing = Pt(size * 1.25) if size < 16 else LINE
        fmt.first_line_indent = Pt(size * indent) if indent else None
        fmt.space_before, fmt.space_after = Pt(before), Pt(after)
        fmt.widow_control = True
        if name in ("报告一级标题", "报告二级标题", "报告图题"):
            fmt.keep_with_next = True
        if name == "报告待填写":
            style.font.highlight_color = WD_COLOR_INDEX.YELLOW
    body = doc.element.body
    for p in list(body.iterchildren(qn("w:p"))):
        body.remove(p)
    return doc


def _p(doc, text: str, style: str):
    return doc.add_paragraph(text, style=style)


def report_template(path: Path) -> None:
    """绩效自评报告: the seven sections of the official outline, from `n.sections`."""
    doc = base_document()
    _p(doc, "{%p for line in n.title %}", "报告标题")
    _p(doc, "{{ line }}", "报告标题")
    _p(doc, "{%p endfor %}", "报告标题")
    _p(doc, "{{ n.year }}", "报告副标题")
    _p(doc, "{%p for s in n.sections %}", "报告正文")
    _p(doc, "{{ s.heading }}", "报告一级标题")
    _p(doc, "{%p for para in s.paragraphs %}", "报告正文")
    _p(doc, '{%p if para.kind == "sub" %}', "报告正文")
    _p(doc, "{{ para.text }}", "报告二级标题")
    _p(doc, '{%p elif para.kind == "todo" %}', "报告正文")
    _p(doc, "{{ para.text }}", "报告待填写")
    _p(doc, "{%p else %}", "报告正文")
    _p(doc, "{{ para.text }}", "报告正文")
    _p(doc, "{%p endif %}", "报告正文")
    _p(doc, "{%p endfor %}", "报告正文")
    _p(doc, "{%p endfor %}", "报告正文")
    p = _p(doc, "{{ unit }}", "报告落款")
    p.paragraph_format.space_before = Pt(28)
    _p(doc, "{{ date or n.blank_date }}", "报告落款")
    doc.save(path)


def summary_template(path: Path) -> None:
    """部门项目支出绩效自评总结报告: styles and page only; the body is written by the code."""
    base_document().save(path)


def main() -> None:
    report_template(HERE / "绩效自评报告_tpl.docx")
    summary_template(HERE / "部门项目支出绩效自评总结报告_tpl.docx")


if __name__ == "__main__":
    main()
