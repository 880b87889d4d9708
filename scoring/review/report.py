"""The 复核对比表: original against reviewed, and printed against computed, in Word and Excel."""

from __future__ import annotations

import io
from decimal import Decimal
from pathlib import Path

from scoring.core.numbers import plain
from scoring.outputs.files import write_bytes_atomic
from scoring.outputs.xlsx import append_row
from scoring.review.compare import Comparison, ranking

COLUMNS = ["指标", "原分值", "复核分值", "原得分", "复核得分", "差异", "印刷得分", "复核意见"]


def _n(value: Decimal | None) -> str:
    return "" if value is None else plain(value)


def _diff(value: Decimal | None) -> str:
    if value is None or value == 0:
        return "" if value is None else "0"
    return ("+" if value > 0 else "") + plain(value)


def _lines(c: Comparison) -> list[list[str]]:
    rows = [[r.label, _n(r.weight_before), _n(r.weight_after), _n(r.score_before), _n(r.score_after),
             _diff(r.difference), _n(r.printed), r.comment] for r in c.rows]
    b, a = c.before, c.after
    total_diff = a.total - b.total if a.total is not None and b.total is not None else None
    rows.append(["总分", _n(b.weight_total), _n(a.weight_total), _n(b.total), _n(a.total), _diff(total_diff),
                 _n(c.printed_total), ""])
    rows.append(["等级", "", "", b.grade or "", a.grade or "", "", "", ""])
    return rows


def _chinese_date(iso: str) -> str:
    """2026-11-22 → 2026年11月22日 (as dates are written on documents)."""
    try:
        year, month, day = (int(x) for x in iso.split("-"))
    except ValueError:
        return iso
    return f"{year}年{month}月{day}日"


BLANK = "\u3000" * 6  # room to write by hand on the printed page


def closing(c: Comparison) -> list[str]:
    """What follows the table: the reviewer's 总体意见, then who reviewed, when, and where to
    sign. Blank lines (to fill in by hand) when the comparison has no review record."""
    opinion = c.overall or ("（无）" if c.reviewer else BLANK)
    return [f"总体意见：{opinion}",
            f"复核人：{c.reviewer or BLANK}　　复核日期：{_chinese_date(c.review_date) if c.review_date else BLANK}",
            f"复核人签字：{BLANK}　　复核单位（盖章）：{BLANK}"]


def _notes(c: Comparison) -> list[str]:
    notes = []
    printed = [r for r in c.rows if r.printed is not None and r.score_before is not None and r.printed != r.score_before]
    for r in printed:
        notes.append(f"印刷得分与计算得分不一致：{r.label}，印刷 {plain(r.printed)}，计算 {plain(r.score_before)}")
    if c.printed_total is not None and c.before.total is not None and c.printed_total != c.before.total:
        notes.append(f"印刷总分 {plain(c.printed_total)}，计算总分 {plain(c.before.total)}")
    if c.printed_narrative_total is not None and c.before.total is not None \
            and c.printed_narrative_total != c.before.total:
        notes.append(f"自评报告（决算说明）中的得分 {plain(c.printed_narrative_total)} 与计算总分 "
                     f"{plain(c.before.total)} 不一致")
    return notes


def write_xlsx(comparisons: list[Comparison], path: Path) -> Path:
    return write_bytes_atomic(path, xlsx_bytes(comparisons))


def xlsx_bytes(comparisons: list[Comparison]) -> bytes:
    """The comparison workbook, in memory (the web page sends it as a download).

    Every string goes in as text (`append_row`): names, titles and 复核意见 are what
    people typed, and one beginning with “=” must not become a formula."""
    from openpyxl import Workbook
    from openpyxl.styles import Alignment, Font

    wb = Workbook()
    wb.remove(wb.active)
    if len(comparisons) > 1:
        ws = wb.create_sheet("排名")
        append_row(ws, ["评价", "复核前总分", "复核前排名", "复核后总分", "复核后排名"])
        for title, before, rb, after, ra in ranking(comparisons):
            append_row(ws, [title, _n(before), rb, _n(after), ra])
        ws.column_dimensions["A"].width = 48
    for k, c in enumerate(comparisons, 1):
        ws = wb.create_sheet(f"对比{k}" if len(comparisons) > 1 else "复核对比")
        append_row(ws, [f"复核对比：{c.title}"])
        ws["A1"].font = Font(bold=True, size=13)
        for note in _notes(c):
            append_row(ws, [note])
        ws.append([])
        append_row(ws, COLUMNS)
        header = ws.max_row
        for cell in ws[header]:
            cell.font = Font(bold=True)
            cell.alignment = Alignment(horizontal="center")
        for row in _lines(c):
            append_row(ws, row)
        ws.append([])
        for line in closing(c):
            append_row(ws, [line])
        for col, width in zip("ABCDEFGH", (52, 9, 9, 9, 9, 8, 9, 40)):
            ws.column_dimensions[col].width = width
        ws.freeze_panes = ws.cell(header + 1, 1)
    buffer = io.BytesIO()
    wb.save(buffer)
    return buffer.getvalue()


def write_docx(comparisons: list[Comparison], path: Path) -> Path:
    return write_bytes_atomic(path, docx_bytes(comparisons))


# cm, 26 in all (A4 landscape less 1.8 cm margins): a four-character header at 10 pt bold
# (4 em ≈ 1.41 cm) and the cell margins (0.38 cm) fit in 1.9 cm without wrapping.
WIDTHS = [9.0, 1.6, 1.9, 1.6, 1.9, 1.4, 1.9, 6.7]
KEPT_LAST_ROWS = 3  # the last indicator, 总分 and 等级 stay on one page with the closing lines


def docx_bytes(comparisons: list[Comparison]) -> bytes:
    """The comparison document, in memory.

    Printed and filed as it is, so nothing is left alone on a page: a row never splits
    across pages (``w:cantSplit``), the header row repeats, the heading and the notes are
    kept with the table (keep with next), and the table's last rows (the last indicator,
    总分, 等级) are kept with the 总体意见 and the signature lines that follow them. Each
    evaluation after the first starts on a new page, with its own signature block."""
    from docx import Document
    from docx.enum.section import WD_ORIENT
    from docx.enum.text import WD_ALIGN_PARAGRAPH
    from docx.oxml.ns import qn
    from docx.shared import Cm, Pt

    doc = Document()
    section = doc.sections[0]
    section.orientation = WD_ORIENT.LANDSCAPE
    section.page_width, section.page_height = Cm(29.7), Cm(21.0)
    section.left_margin = section.right_margin = Cm(1.8)
    normal = doc.styles["Normal"]
    normal.font.name, normal.font.size = "宋体", Pt(10)
    normal.element.get_or_add_rPr().get_or_add_rFonts().set(qn("w:eastAsia"), "宋体")

    def heading(text: str, size: int, new_page: bool = False) -> None:
        p = doc.add_paragraph()
        p.alignment = WD_ALIGN_PARAGRAPH.CENTER
        p.paragraph_format.keep_with_next = True
        p.paragraph_format.page_break_before = new_page
        run = p.add_run(text)
        run.bold, run.font.size, run.font.name = True, Pt(size), "黑体"
        run._element.get_or_add_rPr().get_or_add_rFonts().set(qn("w:eastAsia"), "黑体")

    def line(text: str, keep: bool, before: float = 0) -> None:
        p = doc.add_paragraph(text)
        p.paragraph_format.keep_with_next = keep
        p.paragraph_format.space_before = Pt(before)

    def table(head: list[str], rows: list[list[str]], widths: list[float], kept: int = 0) -> None:
        t = doc.add_table(rows=1, cols=len(head))
        t.style = "Table Grid"
        t.autofit = False
        for col, width in zip(t._tbl.tblGrid.findall(qn("w:gridCol")), widths):
            col.set(qn("w:w"), str(int(Cm(width).twips)))  # LibreOffice reads the grid, not cell widths
        for cell, text, width in zip(t.rows[0].cells, head, widths):
            cell.width = Cm(width)
            cell.paragraphs[0].add_run(text).bold = True
        trpr = t.rows[0]._tr.get_or_add_trPr()
        trpr.append(trpr.makeelement(qn("w:tblHeader"), {}))
        for row in rows:
            cells = t.add_row().cells
            for cell, text, width in zip(cells, row, widths):
                cell.width = Cm(width)
                cell.text = "" if text is None else str(text)
        for k, row in enumerate(t.rows):
            trpr = row._tr.get_or_add_trPr()
            trpr.insert(0, trpr.makeelement(qn("w:cantSplit"), {}))  # first: CT_TrPr's order
            if k == 0 or k >= len(t.rows) - kept:  # keep with the next row (and what follows)
                for cell in row.cells:
                    for p in cell.paragraphs:
                        p.paragraph_format.keep_with_next = True

    heading("绩效自评复核对比表", 18)
    if len(comparisons) > 1:
        line("复核前后排名", keep=True)
        table(["评价", "复核前总分", "复核前排名", "复核后总分", "复核后排名"],
              [[t, _n(b), rb or "", _n(a), ra or ""] for t, b, rb, a, ra in ranking(comparisons)],
              [12, 3, 3, 3, 3])
    for k, c in enumerate(comparisons):
        heading(c.title, 13, new_page=len(comparisons) > 1)
        for note in _notes(c):
            line(note, keep=True)
        table(COLUMNS, _lines(c), WIDTHS, kept=KEPT_LAST_ROWS)
        texts = closing(c)
        for j, text in enumerate(texts):
            line(text, keep=j < len(texts) - 1, before=12 if j < 2 else 18)
    buffer = io.BytesIO()
    doc.save(buffer)
    return buffer.getvalue()
