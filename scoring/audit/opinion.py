"""The 审核意见: one Word document per audited file, as a performance office sends it back to the unit.

Laid out as the 复核对比表 is (`scoring/review/report.py`), without a template: a title, the
file and the date, a sentence that counts what was found, then one section per table
(its kind, printed against computed total, the settings it was judged in) with two
tables of findings: 计算差错 (arithmetic that does not hold) and 需评价人说明的判定
(a qualitative row, a met target scored below full), so the unit can tell a slip to
correct from a judgement to explain. A file that could not be read says why. The
document ends with the lines to sign and stamp.

A4 landscape, 宋体 10 pt (黑体 headings), the columns' widths fixed so that LibreOffice
and Word lay them out alike; no row splits across pages and the header row repeats.
Every text comes from a user's file, so the characters XML forbids are removed
(`core.text.strip_illegal`) before it goes into the document, and the file is checked
and written atomically (`outputs.files.write_bytes_atomic`).

python-docx makes the package once (styles, page, fonts: `_base`); each document's body
is then written as WordprocessingML with lxml, the XML python-docx would write, in ~5 ms
instead of ~50 ms (and its check covers the one part written here): a folder of a
thousand files gets its opinions in seconds.
"""

from __future__ import annotations

import datetime
import functools
import io
import zipfile
from decimal import Decimal
from pathlib import Path

from scoring.audit.model import KINDS, FileAudit, Finding, TableAudit
from scoring.core.differences import CAUSES
from scoring.core.numbers import plain
from scoring.core.text import strip_illegal
from scoring.outputs.files import check_output, write_bytes_atomic
from scoring.outputs.prose import chinese_date

TITLE = "预算绩效自评表审核意见"
TABLE_KINDS = {"department": "部门整体支出", "project": "项目支出"}
COLUMNS = ["序号", "位置", "三级指标", "类别", "印刷值", "复核计算值", "适用规则", "可能原因"]
# cm, 26 in all (A4 landscape less 1.8 cm margins). With the cell margins (0.38 cm): 类别's
# longest name (预算执行得分, 6 em at 10 pt ≈ 2.12 cm), the bold five-character 复核计算值 and a
# place such as “第12页 表3 第18行第7列” (≈ 10.5 em) fit on one line.
WIDTHS = [1.2, 4.5, 3.7, 2.6, 1.7, 2.2, 4.5, 5.6]
CENTERED = {0, 3, 4, 5}  # 序号, 类别 and the two numbers
NO_ERROR = "未发现计算错误。"
JUDGEMENTS = "需评价人说明的判定"
BLANK = "\u3000" * 6  # room to write by hand on the printed page
DOCUMENT = "word/document.xml"


def _t(text: object) -> str:
    """A user's text as the document may hold it: no character XML forbids."""
    return "" if text is None else strip_illegal(str(text))


_DIGITS = "零一二三四五六七八九"


def ordinal(k: int) -> str:
    """一、二、… 十一、… as sections are numbered in official documents (Arabic past 99)."""
    if k < 10:
        return _DIGITS[k]
    if k < 100:
        tens, ones = divmod(k, 10)
        return ("" if tens == 1 else _DIGITS[tens]) + "十" + (_DIGITS[ones] if ones else "")
    return str(k)


def _total(value: Decimal | None, missing: str) -> str:
    return missing if value is None else plain(value)


def cause_text(f: Finding) -> str:
    """可能原因: the cause's name (`core.differences.CAUSES`) and the argument from the print."""
    name = CAUSES.get(f.cause, f.cause) if f.cause else ""
    why = _t(f.why).strip()
    if name and why:
        return f"{name}：{why}"
    return name or why


def finding_row(k: int, f: Finding) -> list[str]:
    return [str(k), _t(f.where), _t(f.level3), KINDS.get(f.kind, _t(f.kind)), _t(f.printed), _t(f.computed),
            _t(f.rule), cause_text(f)]


def split(findings: tuple[Finding, ...]) -> tuple[list[Finding], list[Finding]]:
    """The arithmetic errors, and the judgements for the evaluator to explain."""
    return [f for f in findings if f.kind != "judgement"], [f for f in findings if f.kind == "judgement"]


def totals_line(t: TableAudit) -> str:
    line = f"印刷总分：{_total(t.printed_total, '未印刷')}\u3000\u3000复核计算总分：{_total(t.computed_total, '无法计算')}"
    if t.printed_total is not None and t.computed_total is not None and t.printed_total != t.computed_total:
        gap = t.printed_total - t.computed_total
        line += f"（印刷{'多' if gap > 0 else '少'} {plain(abs(gap))} 分）"
    return line


def overview(audit: FileAudit) -> str:
    """The sentence before the tables: what was read and what was found."""
    if audit.error:
        return f"本文件未能读取：{_t(audit.error).rstrip('。.')}。请核对文件后重新报送。"
    if not audit.tables:
        return "本文件中未找到预算绩效自评表。"
    errors = sum(len(split(t.findings)[0]) for t in audit.tables)
    judged = sum(len(split(t.findings)[1]) for t in audit.tables)
    found = f"发现计算差错 {errors} 处" if errors else "未发现计算差错"
    if judged:
        found += f"，需评价人说明的判定 {judged} 处"
    text = f"经对本文件中的 {len(audit.tables)} 张自评表逐项复核计算，{found}。"
    if errors:
        text += "请核实下列各项，更正后重新报送。"
    elif judged:
        text += "请对下列判定补充说明依据。"
    return text


def closing(date: str) -> list[str]:
    """审核人, 审核日期 and where to sign and stamp, as the 复核对比表 ends."""
    return [f"审核人：{BLANK}\u3000\u3000审核日期：{chinese_date(date) or BLANK}",
            f"审核人签字：{BLANK}\u3000\u3000审核单位（盖章）：{BLANK}"]


def write_opinion(audit: FileAudit, path: Path, *, date: str | None = None) -> Path:
    """Write the 审核意见.docx for one file (checked, then atomically); the path written.

    `date`: the 审核日期 as ``2026-11-30`` (today when not given)."""
    # Only the document part holds what this module wrote; the others were checked once (`_base`).
    return write_bytes_atomic(path, opinion_bytes(audit, date=date), check_parts=[DOCUMENT])


# A block of the document: ("heading", text, size, centred, space before in pt), ("line", text,
# keep with next, space before, centred) or ("table", rows).
Block = tuple


def blocks(audit: FileAudit, date: str) -> list[Block]:
    """The document's content, in order."""
    out: list[Block] = [("heading", TITLE, 18, True, 0), ("line", f"文件：{_t(audit.file)}", True, 6, False),
                        ("line", f"生成日期：{chinese_date(date)}", True, 0, False),
                        ("line", overview(audit), False, 6, False)]
    for k, t in enumerate(audit.tables, 1):
        out += [("heading", f"{ordinal(k)}、{_t(t.title)}", 13, False, 12),
                ("line", f"类型：{TABLE_KINDS.get(t.kind, _t(t.kind))}\u3000\u3000位置：{_t(t.where)}", True, 0, False),
                ("line", totals_line(t), True, 0, False), ("line", f"审核口径：{_t(t.assumed)}", True, 0, False)]
        errors, judged = split(t.findings)
        out.append(("heading", "计算差错", 11, False, 6))
        out.append(("table", [finding_row(j, f) for j, f in enumerate(errors, 1)]) if errors
                   else ("line", NO_ERROR, False, 0, False))
        if judged:
            out += [("heading", JUDGEMENTS, 11, False, 6),
                    ("table", [finding_row(j, f) for j, f in enumerate(judged, 1)])]
    texts = closing(date)
    out += [("line", text, j < len(texts) - 1, 18 if j == 0 else 12, False) for j, text in enumerate(texts)]
    return out


def opinion_bytes(audit: FileAudit, *, date: str | None = None) -> bytes:
    """The 审核意见, in memory (the server may send it as a download).

    The parts that never change (styles, the landscape page, 宋体 as the Normal font) are
    made once by python-docx (`_base`); the body is written here as WordprocessingML, as
    `outputs/batch.py` writes its front matter."""
    from lxml import etree

    package, document = _base()
    root = etree.fromstring(document)
    body = root.find(_w("body"))
    section = body[-1]
    body.remove(section)
    items = blocks(audit, date or datetime.date.today().isoformat())
    for k, block in enumerate(items):
        if block[0] == "heading":
            _, text, size, centre, before = block
            body.append(_paragraph(text, keep=True, before=before, centre=centre, size=size, font="黑体"))
        elif block[0] == "line":
            _, text, keep, before, centre = block
            body.append(_paragraph(text, keep=keep, before=before, centre=centre))
        else:  # the last finding stays on the page of the lines to sign when nothing comes between
            body.append(_table(block[1], keep_last=all(b[0] == "line" for b in items[k + 1:])))
    body.append(section)
    buffer = io.BytesIO(package)
    with zipfile.ZipFile(buffer, "a", zipfile.ZIP_DEFLATED) as archive:  # the other parts stay compressed
        archive.writestr(DOCUMENT, etree.tostring(root, xml_declaration=True, encoding="UTF-8", standalone=True))
    return buffer.getvalue()


W = "http://schemas.openxmlformats.org/wordprocessingml/2006/main"
XML_SPACE = "{http://www.w3.org/XML/1998/namespace}space"
_TWIPS_PER_CM = 1440 / 2.54


def _w(tag: str) -> str:
    return f"{{{W}}}{tag}"


def _el(tag: str, *children, **attrs: str):
    from lxml import etree

    element = etree.Element(_w(tag), {_w(k): v for k, v in attrs.items()})
    element.extend(children)
    return element


@functools.lru_cache(maxsize=1)
def _base() -> tuple[bytes, bytes]:
    """python-docx's empty document set up once: A4 landscape, 1.8 cm side margins, 宋体 10 pt.
    The package without its document.xml (every part checked here, once), and the document.xml
    (an empty body and the section's properties)."""
    from docx import Document
    from docx.enum.section import WD_ORIENT
    from docx.oxml.ns import qn
    from docx.shared import Cm, Pt

    doc = Document()
    section = doc.sections[0]
    section.orientation = WD_ORIENT.LANDSCAPE
    section.page_width, section.page_height = Cm(29.7), Cm(21.0)
    section.left_margin = section.right_margin = Cm(1.8)
    section.top_margin = section.bottom_margin = Cm(2.0)
    normal = doc.styles["Normal"]
    normal.font.name, normal.font.size = "宋体", Pt(10)
    normal.element.get_or_add_rPr().get_or_add_rFonts().set(qn("w:eastAsia"), "宋体")
    saved, package = io.BytesIO(), io.BytesIO()
    doc.save(saved)
    check_output(Path("审核意见.docx"), saved.getvalue(), True)
    with zipfile.ZipFile(saved) as source, zipfile.ZipFile(package, "w", zipfile.ZIP_DEFLATED) as target:
        for name in source.namelist():
            if name != DOCUMENT:
                target.writestr(name, source.read(name))
        document = source.read(DOCUMENT)
    return package.getvalue(), document


def _runs(text: str, props) -> list:
    """Runs of `text`, a line feed a break and a tab a tab, as python-docx writes them."""
    from copy import deepcopy

    run = _el("r", deepcopy(props)) if props is not None else _el("r")
    for k, line in enumerate(text.split("\n")):
        if k:
            run.append(_el("br"))
        for j, piece in enumerate(line.split("\t")):
            if j:
                run.append(_el("tab"))
            if piece:
                t = _el("t")
                t.text = piece
                t.set(XML_SPACE, "preserve")
                run.append(t)
    return [run]


def _paragraph(text: str, *, keep: bool = False, before: float = 0, centre: bool = False, size: int | None = None,
               font: str | None = None, bold: bool = False):
    ppr = _el("pPr")  # CT_PPr's order: keepNext, spacing, jc
    if keep:
        ppr.append(_el("keepNext"))
    if before:
        ppr.append(_el("spacing", before=str(int(before * 20))))
    if centre:
        ppr.append(_el("jc", val="center"))
    rpr = None
    if font or size or bold:
        rpr = _el("rPr")  # CT_RPr's order: rFonts, b, sz
        if font:
            rpr.append(_el("rFonts", ascii=font, hAnsi=font, eastAsia=font))
        if font or bold:  # headings are bold
            rpr.append(_el("b"))
        if size:
            rpr.append(_el("sz", val=str(size * 2)))
    return _el("p", ppr, *_runs(_t(text), rpr))


def _table(rows: list[list[str]], keep_last: bool):
    """The findings table: fixed widths (LibreOffice reads the grid), the header row repeated on each
    page and kept with the first finding, no row split across pages."""
    widths = [str(round(w * _TWIPS_PER_CM)) for w in WIDTHS]
    table = _el("tbl", _el("tblPr", _el("tblStyle", val="TableGrid"), _el("tblW", w="0", type="auto"),
                           _el("tblLayout", type="fixed"),
                           _el("tblLook", val="04A0", firstRow="1", lastRow="0", firstColumn="1", lastColumn="0",
                               noHBand="0", noVBand="1")),
                _el("tblGrid", *(_el("gridCol", w=w) for w in widths)))
    for k, row in enumerate([COLUMNS, *rows]):
        header, keep = k == 0, k == 0 or (keep_last and k == len(rows))
        trpr = _el("trPr", _el("cantSplit"), *([_el("tblHeader")] if header else []))
        tr = _el("tr", trpr)
        for j, (text, width) in enumerate(zip(row, widths)):
            p = _paragraph(text, keep=keep, centre=header or j in CENTERED, bold=header)
            tr.append(_el("tc", _el("tcPr", _el("tcW", w=width, type="dxa")), p))
        table.append(tr)
    return table
