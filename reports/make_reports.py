"""Build the narrative reports' Word templates (portrait A4, 仿宋 body, 黑体 headings).

    python reports/make_templates.py     # builds every template, these included

Kept apart from the table layouts in make_templates.py.
"""

from __future__ import annotations

from pathlib import Path

from docx import Document
from docx.enum.text import WD_ALIGN_PARAGRAPH
from docx.oxml.ns import qn
from docx.shared import Cm, Pt

from make_templates import HERE, TITLE_FONT, _fonts


def _paragraph(doc, text: str, font: str = "仿宋", size: float = 16, bold: bool = False, indent: bool = True):
    p = doc.add_paragraph()
    p.paragraph_format.line_spacing = Pt(28)
    if indent:
        p.paragraph_format.first_line_indent = Pt(size * 2)
    _fonts(p.add_run(text), font, size, bold)
    return p


def report_template(path: Path) -> None:
    """绩效自评报告: portrait A4, 仿宋 三号 body, 黑体 headings, as official documents are set."""
    doc = Document()
    section = doc.sections[0]
    section.page_width, section.page_height = Cm(21.0), Cm(29.7)
    section.left_margin, section.right_margin = Cm(2.8), Cm(2.6)
    section.top_margin, section.bottom_margin = Cm(3.7), Cm(3.5)
    normal = doc.styles["Normal"]
    normal.font.name = "仿宋"
    normal.element.get_or_add_rPr().get_or_add_rFonts().set(qn("w:eastAsia"), "仿宋")
    p = doc.add_paragraph()
    p.alignment = WD_ALIGN_PARAGRAPH.CENTER
    p.paragraph_format.space_after = Pt(16)
    _fonts(p.add_run("{{ n.subject }}绩效自评报告"), TITLE_FONT, 22, bold=True)
    sections = [("一、基本情况", "{{ n.basic }}"), ("二、预算收支情况", "{{ n.budget }}")]
    for heading, body in sections:
        _paragraph(doc, heading, TITLE_FONT, 16)
        _paragraph(doc, body)
    _paragraph(doc, "三、绩效目标完成情况", TITLE_FONT, 16)
    _paragraph(doc, "{%p for line in n.goals %}", indent=False)
    _paragraph(doc, "{{ line }}")
    _paragraph(doc, "{%p endfor %}", indent=False)
    _paragraph(doc, "四、存在的问题和改进措施", TITLE_FONT, 16)
    _paragraph(doc, "{%p for line in n.problems %}", indent=False)
    _paragraph(doc, "{{ loop.index }}. {{ line }}")
    _paragraph(doc, "{%p endfor %}", indent=False)
    _paragraph(doc, "五、绩效自评结果", TITLE_FONT, 16)
    _paragraph(doc, "{{ n.result }}")
    p = _paragraph(doc, "{{ unit }}", indent=False)
    p.alignment = WD_ALIGN_PARAGRAPH.RIGHT
    p.paragraph_format.space_before = Pt(32)
    p = _paragraph(doc, "{{ date }}", indent=False)
    p.alignment = WD_ALIGN_PARAGRAPH.RIGHT
    doc.save(path)



def main() -> None:
    report_template(HERE / "绩效自评报告_tpl.docx")
