"""Build the Word templates in this folder (run once; the .docx files are committed).

    python reports/make_templates.py

The templates are ordinary .docx files with docxtpl tags ({{ }}, {%tr %}), so a
finance person can open one in Word or WPS and adjust fonts, widths or wording.
Layout follows the published tables of seeds 000/001: A4 landscape, 宋体 body,
黑体 title, full borders; the indicator table is a separate table so that its
header row repeats on every page. The `vm` filter marks 一级/二级 cells for
vertical merging over their group (see scoring/outputs/render.py).
"""

from __future__ import annotations

from pathlib import Path

from docx import Document
from docx.enum.section import WD_ORIENT
from docx.enum.table import WD_CELL_VERTICAL_ALIGNMENT, WD_TABLE_ALIGNMENT
from docx.enum.text import WD_ALIGN_PARAGRAPH
from docx.oxml import OxmlElement
from docx.oxml.ns import qn
from docx.shared import Cm, Pt



HERE = Path(__file__).resolve().parent
BODY_FONT, TITLE_FONT = "宋体", "黑体"


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


def _document() -> Document:
    doc = Document()
    section = doc.sections[0]
    section.orientation = WD_ORIENT.LANDSCAPE
    section.page_width, section.page_height = Cm(29.7), Cm(21.0)
    section.left_margin = section.right_margin = Cm(1.8)
    section.top_margin = section.bottom_margin = Cm(1.6)
    normal = doc.styles["Normal"]
    normal.font.name = BODY_FONT
    normal.font.size = Pt(10)
    normal.element.get_or_add_rPr().get_or_add_rFonts().set(qn("w:eastAsia"), BODY_FONT)
    normal.paragraph_format.space_after = Pt(0)
    normal.paragraph_format.space_before = Pt(0)
    return doc


def _title(doc, text: str, sub: str | None = None) -> None:
    p = doc.add_paragraph()
    p.alignment = WD_ALIGN_PARAGRAPH.CENTER
    _fonts(p.add_run(text), TITLE_FONT, 18, bold=True)
    if sub:
        p = doc.add_paragraph()
        p.alignment = WD_ALIGN_PARAGRAPH.CENTER
        _fonts(p.add_run(sub), BODY_FONT, 11)


def _table(doc, widths_cm: list[float]):
    table = doc.add_table(rows=0, cols=len(widths_cm))
    table.style = "Table Grid"
    table.alignment = WD_TABLE_ALIGNMENT.CENTER
    table.autofit = False
    grid = table._tbl.tblGrid
    for col, width in zip(grid.findall(qn("w:gridCol")), widths_cm):
        col.set(qn("w:w"), str(int(Cm(width).twips)))
    return table


def _row(table, texts: list[str], widths: list[float], *, bold=False, center=True, header=False, spans=None):
    """Add a row; `spans` merges cells horizontally: [(start, end), …]."""
    row = table.add_row()
    cells = row.cells
    for cell, text, width in zip(cells, texts, widths):
        cell.width = Cm(width)
        cell.vertical_alignment = WD_CELL_VERTICAL_ALIGNMENT.CENTER
        para = cell.paragraphs[0]
        para.alignment = WD_ALIGN_PARAGRAPH.CENTER if center else WD_ALIGN_PARAGRAPH.LEFT
        if text:
            _fonts(para.add_run(text), BODY_FONT, 10, bold=bold)
    for start, end in spans or ():
        merged = cells[start].merge(cells[end])
        for extra in merged.paragraphs[1:]:
            extra._element.getparent().remove(extra._element)
    if header:
        trpr = row._tr.get_or_add_trPr()
        mark = OxmlElement("w:tblHeader")
        trpr.append(mark)
    trpr = row._tr.get_or_add_trPr()
    cant = OxmlElement("w:cantSplit")
    trpr.append(cant)
    return row


def _goal_rows(table, widths: list[float], label: str) -> None:
    """年度总体目标 (projects) or 年度履职目标 (departments): expected against achieved."""
    _row(table, [label, "预期目标", "", "", "实际完成情况", "", "", ""], widths, bold=True, spans=[(1, 3), (4, 7)])
    _tag_row(table, "{%tr for g in goals %}")
    _row(table, ["{{ g.name }}", "{{ g.expected }}", "", "", "{{ g.actual }}", "", "", ""], widths, center=False,
         spans=[(1, 3), (4, 7)])
    _tag_row(table, "{%tr endfor %}")


def _tag_row(table, tag: str) -> None:
    """A row holding only a {%tr %} tag: docxtpl replaces the whole row by the tag."""
    row = table.add_row()
    row.cells[0].paragraphs[0].add_run(tag)


def _signatures(doc) -> None:
    p = doc.add_paragraph()
    p.paragraph_format.space_before = Pt(8)
    _fonts(p.add_run("填表人：{{ filled_by }}        审核人：{{ reviewed_by }}        "
                     "单位（盖章）：        填报日期：{{ date }}"), BODY_FONT, 10.5)


def _indicator_table(doc, with_deviation: bool, with_description: bool = False) -> None:
    columns = [("一级指标", "{{ r.level1 }}{{ r.level1_merge|vm }}", 1.8),
               ("二级指标", "{{ r.level2 }}{{ r.level2_merge|vm }}", 2.2),
               ("三级指标", "{{ r.level3 }}", 4.6 if with_description else 5.0),
               ("年度指标值", "{{ r.target }}", 2.6 if with_description else 2.8)]
    if with_description:
        columns.append(("指标说明", "{{ r.description }}", 7.2))
    columns += [("实际完成值", "{{ r.actual }}", 2.4 if with_description else 2.8),
                ("分值", "{{ r.weight }}", 1.2 if with_description else 1.3),
                ("得分", "{{ r.score }}", 1.4 if with_description else 1.5)]
    if with_deviation:
        columns.append(("偏差度（%）", "{{ r.deviation }}", 1.6))
    columns.append(("偏差原因分析及改进措施", "{{ r.reason }}", 3.3 if with_description else (7.0 if with_deviation else 8.6)))
    heads, cells, widths = (list(x) for x in zip(*columns))
    table = _table(doc, widths)
    _row(table, heads, widths, bold=True, header=True)
    _tag_row(table, "{%tr for r in indicators %}")
    row = _row(table, cells, widths)
    for k, head in enumerate(heads):
        if head in ("三级指标", "指标说明", "偏差原因分析及改进措施"):
            row.cells[k].paragraphs[0].alignment = WD_ALIGN_PARAGRAPH.LEFT
    _tag_row(table, "{%tr endfor %}")
    n = len(widths)
    w = heads.index("分值")  # 总分 spans the columns before 分值; the columns after 得分 are one cell
    _row(table, ["总分", *[""] * (w - 1), "{{ weight_total }}", "{{ total }}", *([""] * (n - w - 2))], widths,
         bold=True, spans=[(0, w - 1)] + ([(w + 2, n - 1)] if n - w - 2 > 1 else []))
    _row(table, ["等级", "{{ grade }}"] + [""] * (n - 2), widths, bold=True, spans=[(1, n - 1)])


def _funds_rows(table, widths, label_col: str) -> None:
    _row(table, [label_col, "", "年初预算数", "全年预算数", "全年执行数", "分值", "执行率", "得分"], widths, bold=True,
         spans=[(0, 1)])
    _row(table, ["{{ funding.label }}", "", "{{ funding.initial_budget }}", "{{ funding.annual_budget }}",
                 "{{ funding.executed }}", "{{ funding.weight }}", "{{ funding.execution_rate }}", "{{ funding.score }}"],
         widths, spans=[(0, 1)])
    _tag_row(table, "{%tr for s in funding.sources %}")
    _row(table, ["{{ s.name }}", "", "{{ s.initial_budget }}", "{{ s.annual_budget }}", "{{ s.executed }}", "—",
                 "{{ s.execution_rate }}", "—"], widths, spans=[(0, 1)])
    _tag_row(table, "{%tr endfor %}")


def project_template(path: Path, with_funds_management: bool = True, with_deviation: bool = True) -> None:
    """The project table; the central (财预〔2020〕10号) layout has neither the
    资金管理情况 block nor the 偏差度 column."""
    doc = _document()
    _title(doc, "项目支出绩效自评表", "（{{ year }} 年度）")
    widths = [3.2, 4.6, 3.0, 3.0, 3.0, 2.0, 2.6, 4.6]
    t = _table(doc, widths)
    _row(t, ["项目名称", "{{ project }}", "", "", "", "", "", ""], widths, spans=[(1, 7)])
    _row(t, ["主管部门", "{{ supervisor }}", "", "", "实施单位", "{{ implementer }}", "", ""], widths,
         spans=[(1, 3), (5, 7)])
    _funds_rows(t, widths, "项目资金（万元）")
    if with_funds_management:
        _tag_row(t, "{%tr if funds_management %}")
        _row(t, ["资金管理情况", "情况说明", "", "", "分值", "得分", "存在问题和改进措施", ""], widths, bold=True,
             spans=[(1, 3), (6, 7)])
        _tag_row(t, "{%tr for m in funds_management %}")
        _row(t, ["{{ m.name }}", "{{ m.description }}", "", "", "{{ m.weight }}", "{{ m.score }}", "{{ m.problems }}",
                 ""], widths, spans=[(1, 3), (6, 7)])
        _tag_row(t, "{%tr endfor %}")
        _tag_row(t, "{%tr endif %}")
    _goal_rows(t, widths, "年度总体目标")
    doc.add_paragraph()
    _indicator_table(doc, with_deviation=with_deviation)
    _signatures(doc)
    doc.save(path)


def department_template(path: Path, with_description: bool = False) -> None:
    doc = _document()
    _title(doc, "部门整体支出绩效自评表", "（{{ year }} 年度）")
    widths = [3.2, 4.6, 3.0, 3.0, 3.0, 2.0, 2.6, 4.6]
    t = _table(doc, widths)
    _row(t, ["部门（单位）名称", "{{ unit }}", "", "", "", "", "", ""], widths, spans=[(1, 7)])
    _funds_rows(t, widths, "部门整体支出情况（万元）")
    _goal_rows(t, widths, "年度履职目标")
    _tag_row(t, "{%tr if tasks %}")
    _row(t, ["年度主要任务", "任务名称", "主要内容", "", "", "完成情况", "", ""], widths, bold=True, spans=[(2, 4), (5, 7)])
    _tag_row(t, "{%tr for k in tasks %}")
    _row(t, ["", "{{ k.name }}", "{{ k.content }}", "", "", "{{ k.result }}", "", ""], widths, center=False,
         spans=[(2, 4), (5, 7)])
    _tag_row(t, "{%tr endfor %}")
    _tag_row(t, "{%tr endif %}")
    doc.add_paragraph()
    _indicator_table(doc, with_deviation=True, with_description=with_description)
    _signatures(doc)
    doc.save(path)


def main() -> None:
    import make_reports  # the narrative reports' templates (portrait, 仿宋)

    project_template(HERE / "项目支出绩效自评表_tpl.docx")
    department_template(HERE / "部门整体支出绩效自评表_tpl.docx")
    department_template(HERE / "部门整体支出绩效自评表_指标说明_tpl.docx", with_description=True)
    project_template(HERE / "项目支出绩效自评表_中央_tpl.docx", with_funds_management=False, with_deviation=False)
    make_reports.main()
    print("已生成：", ", ".join(p.name for p in sorted(HERE.glob("*_tpl.docx"))))


if __name__ == "__main__":
    main()
