"""Outputs about a batch of documents: one combined document, PDFs, the 汇总表.

All writes are atomic; inputs are only read.
"""

from __future__ import annotations

import io
import re
import subprocess
import tempfile
import zipfile
from collections import Counter
from collections.abc import Iterable, Sequence
from pathlib import Path

from scoring.core.model import Evaluation
from scoring.core.numbers import HUNDRED
from scoring.core.results import EvaluationResult
from scoring.outputs.files import write_bytes_atomic
from scoring.outputs.render import DOCUMENT
from scoring.outputs.xlsx import append_row
from scoring.sources.document.doc import soffice

W = "http://schemas.openxmlformats.org/wordprocessingml/2006/main"
R = "http://schemas.openxmlformats.org/officeDocument/2006/relationships"
_RELS = "word/_rels/document.xml.rels"
_FOOTER = "word/footer_jixiao.xml"
_FOOTER_ID = "rIdJixiaoFooter"
_COVER_TITLE = "部门绩效自评表汇编"


def _w(tag: str) -> str:
    return f"{{{W}}}{tag}"


def filing_order(tables: Sequence[tuple[Evaluation, Path]]) -> list[tuple[Evaluation, Path]]:
    """Per unit, its 部门整体 table first, then its projects (in the order given); the units
    in the order they first appear (a folder is read in name order), earlier years first."""
    units: dict[str, int] = {}
    for ev, _ in tables:
        units.setdefault(ev.unit, len(units))
    return sorted(tables, key=lambda t: (units[t[0].unit], t[0].year, t[0].kind != "department"))


def entry_label(ev: Evaluation, title: str = "") -> str:
    """A table's line in the contents list: its title as printed (the layouts word it
    differently: 部门整体绩效自评表, 项目支出绩效自评情况表 …), and the project's name."""
    title = title or ("部门整体支出绩效自评表" if ev.kind == "department" else "项目支出绩效自评表")
    return title if ev.kind == "department" else f"{title}：{ev.project or ''}"


def _title(content: list) -> str:
    """The text of a document's first paragraph when it reads as a title (short, one line)."""
    first = content[0] if content and content[0].tag == _w("p") else None
    text = "".join(t.text or "" for t in first.iter(_w("t"))).strip() if first is not None else ""
    return text if 0 < len(text) <= 30 else ""


def years_text(years: Iterable[int]) -> str:
    return "、".join(str(y) for y in sorted(set(years))) + " 年度"


def combine(tables: Sequence[tuple[Evaluation, Path]], out: Path) -> Path:
    """自评表汇编: a cover page, a contents list, then every table on pages of its own.

    Per unit the 部门整体 table comes first, then the unit's projects (`filing_order`).
    Each table keeps its own page setup (a section of its own, so a portrait table
    and a landscape one can follow each other) and starts on a new page. The contents
    list is written out (readable as it is) and each line's page number is a PAGEREF
    field to a bookmark at the start of its table: LibreOffice computes it as it lays
    the pages out (so the PDF's numbers are right); Word updates it when the document
    is opened (``w:updateFields``), before which it shows an estimate of one page per
    table. A Word TOC field was not used: it collects headings, which the tables'
    titles are not, and LibreOffice does not refresh it when converting. Every page
    but the cover carries its number in the footer.

    The first table supplies styles and the other parts: meant for documents made from
    the same family of templates (the shipped tables share their styles).
    """
    from lxml import etree

    parser = etree.XMLParser(resolve_entities=False, no_network=True, load_dtd=False)
    ordered = filing_order(tables)
    with zipfile.ZipFile(ordered[0][1]) as z:
        parts = {i.filename: z.read(i.filename) for i in z.infolist()}
    root = etree.fromstring(parts[DOCUMENT], parser)
    body = root.find(_w("body"))
    for child in list(body):
        body.remove(child)
    bodies = []
    for _, path in ordered:
        with zipfile.ZipFile(path) as z:
            bodies.append(list(etree.fromstring(z.read(DOCUMENT), parser).find(_w("body"))))
    labels = [entry_label(ev, _title(content)) for (ev, _), content in zip(ordered, bodies)]
    cover_pages = 1 + 1 + len(ordered) // 25  # the estimate Word shows until it updates the fields
    for element in _front_matter(ordered, labels, cover_pages):
        body.append(element)
    names: set[str] = set()
    for k, content in enumerate(bodies):
        section = content.pop() if content and content[-1].tag == _w("sectPr") else _default_section()
        _rename_bookmarks(content, names, k)
        first = next((e for e in content if e.tag == _w("p")), None)
        mark = [_el("bookmarkStart", id=str(90000 + k), name=f"_jx_table{k}"), _el("bookmarkEnd", id=str(90000 + k))]
        if first is not None and content.index(first) == 0:
            ppr = first.find(_w("pPr"))
            at = 0 if ppr is None else 1
            first[at:at] = mark
        else:
            content[0:0] = mark
        _with_footer(section)
        last = k == len(ordered) - 1
        if not last:  # the section ends with its last paragraph (a new one after a closing table)
            if not content or content[-1].tag != _w("p"):
                content.append(_el("p"))
            ppr = content[-1].find(_w("pPr"))
            if ppr is None:
                ppr = _el("pPr")
                content[-1].insert(0, ppr)
            ppr.append(section)
        body.extend(content)
        if last:
            body.append(section)
    parts[DOCUMENT] = etree.tostring(root, xml_declaration=True, encoding="UTF-8", standalone=True)
    _add_footer_part(parts, parser)
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as z:
        for name, data in parts.items():
            z.writestr(name, data)
    return write_bytes_atomic(out, buffer.getvalue())


def _el(tag: str, text: str | None = None, **attrs: str):
    from lxml import etree

    element = etree.Element(_w(tag), {_w(k): v for k, v in attrs.items()}, nsmap={"w": W})
    if text is not None:
        element.text = text
    return element


def _run(text: str, size: int, font: str = "宋体", bold: bool = False):
    run = _el("r")
    rpr = _el("rPr")
    rpr.append(_el("rFonts", ascii=font, hAnsi=font, eastAsia=font, cs=font))
    if bold:
        rpr.append(_el("b"))
    rpr.append(_el("sz", val=str(size * 2)))
    run.append(rpr)
    # one line of the cover or the contents: a tab or line break typed in a name would act as the
    # contents' dot-leader tab or split the entry, so each becomes a space (ideographic spaces stay)
    t = _el("t", re.sub(r"[\t\n\r\v\f]+", " ", text))
    t.set("{http://www.w3.org/XML/1998/namespace}space", "preserve")
    run.append(t)
    return run


def _paragraph(*runs, align: str = "center", before: int = 0, after: int = 0, indent: int = 0,
               tab: int = 0, page_break: bool = False, section=None):
    p = _el("p")
    ppr = _el("pPr")
    if page_break:
        ppr.append(_el("pageBreakBefore"))
    if tab:
        tabs = _el("tabs")
        tabs.append(_el("tab", val="right", leader="dot", pos=str(tab)))
        ppr.append(tabs)
    ppr.append(_el("spacing", before=str(before), after=str(after)))
    if indent:
        ppr.append(_el("ind", left=str(indent)))
    ppr.append(_el("jc", val=align))
    if section is not None:
        ppr.append(section)
    p.append(ppr)
    p.extend(runs)
    return p


def _page_ref(bookmark: str, estimate: int) -> list:
    """A PAGEREF field showing `estimate` until it is updated."""
    def char(kind: str):
        r = _el("r")
        r.append(_el("fldChar", fldCharType=kind))
        return r

    instr = _el("r")
    instr.append(_el("instrText", f" PAGEREF {bookmark} \\h "))
    instr[0].set("{http://www.w3.org/XML/1998/namespace}space", "preserve")
    return [char("begin"), instr, char("separate"), _run(str(estimate), 12), char("end")]


def _front_matter(ordered: list[tuple[Evaluation, Path]], labels: list[str], cover_pages: int) -> list:
    """The cover (title, years, units, count) and the contents list: an A4 portrait section."""
    units = list(dict.fromkeys(ev.unit for ev, _ in ordered))
    projects = sum(ev.kind != "department" for ev, _ in ordered)
    out = [_paragraph(_run(_COVER_TITLE, 26, "黑体", bold=True), before=3600, after=600),
           _paragraph(_run(f"（{years_text(ev.year for ev, _ in ordered)}）", 16), after=1800)]
    out += [_paragraph(_run(unit, 16), after=200) for unit in units]
    out.append(_paragraph(_run(f"共 {len(ordered)} 份自评表：部门整体 {len(ordered) - projects} 份，"
                               f"项目 {projects} 份", 14), before=1200))
    out.append(_paragraph(_run("目\u3000\u3000录", 18, "黑体", bold=True), page_break=True, after=400))
    width = 11906 - 1587 - 1474  # A4 portrait less the margins: the right tab stop
    several_years = len({ev.year for ev, _ in ordered}) > 1
    seen_units: set[str] = set()
    for k, (ev, _) in enumerate(ordered):
        if ev.unit not in seen_units:
            seen_units.add(ev.unit)
            out.append(_paragraph(_run(ev.unit, 12, "黑体", bold=True), align="left", before=240, after=60))
        label = labels[k] + (f"（{ev.year} 年度）" if several_years else "")
        tab = _el("r")
        tab.append(_el("tab"))
        out.append(_paragraph(_run(label, 12), tab, *_page_ref(f"_jx_table{k}", cover_pages + 1 + k),
                              align="left", after=60, indent=420, tab=width))
    section = _default_section()
    section.insert(0, _el("footerReference", type="default"))
    section[0].set(f"{{{R}}}id", _FOOTER_ID)
    section.append(_el("titlePg"))  # no number on the cover
    out[-1].find(_w("pPr")).append(section)
    return out


def _default_section():
    """A4 portrait with the margins of the shipped report (GB/T 9704)."""
    section = _el("sectPr")
    section.append(_el("pgSz", w="11906", h="16838"))
    section.append(_el("pgMar", top="2098", right="1474", bottom="1984", left="1587",
                       header="720", footer="720", gutter="0"))
    return section


def _with_footer(section) -> None:
    """The page number in the footer of a table's section (it replaces the table's own footer)."""
    for old in section.findall(_w("footerReference")):
        section.remove(old)
    ref = _el("footerReference", type="default")
    ref.set(f"{{{R}}}id", _FOOTER_ID)
    section.insert(0, ref)
    margins = section.find(_w("pgMar"))
    if margins is not None and margins.get(_w("bottom")) and margins.get(_w("footer")):
        bottom = int(margins.get(_w("bottom")))
        margins.set(_w("footer"), str(min(int(margins.get(_w("footer"))), max(bottom - 450, 200))))


def _rename_bookmarks(content: list, names: set[str], k: int) -> None:
    """Bookmarks of several documents in one: unique ids and names."""
    for element in content:
        for mark in element.iter(_w("bookmarkStart"), _w("bookmarkEnd")):
            old = mark.get(_w("id"), "0")
            mark.set(_w("id"), str((k + 1) * 100000 + (int(old) % 100000 if old.isdigit() else 0)))
            name = mark.get(_w("name"))
            if name is not None:
                if name in names:
                    mark.set(_w("name"), f"{name}_{k + 1}")
                names.add(mark.get(_w("name")))


def _add_footer_part(parts: dict[str, bytes], parser) -> None:
    """A footer with the page number, its relationship and content type; Word asked to
    update the fields (the contents' page numbers) when the document is opened."""
    from lxml import etree

    footer = (f'<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n<w:ftr xmlns:w="{W}">'
              '<w:p><w:pPr><w:jc w:val="center"/></w:pPr>'
              '<w:r><w:rPr><w:sz w:val="21"/></w:rPr><w:t xml:space="preserve">— </w:t></w:r>'
              '<w:r><w:rPr><w:sz w:val="21"/></w:rPr><w:fldChar w:fldCharType="begin"/></w:r>'
              '<w:r><w:rPr><w:sz w:val="21"/></w:rPr><w:instrText xml:space="preserve"> PAGE </w:instrText></w:r>'
              '<w:r><w:rPr><w:sz w:val="21"/></w:rPr><w:fldChar w:fldCharType="separate"/></w:r>'
              '<w:r><w:rPr><w:sz w:val="21"/></w:rPr><w:t>1</w:t></w:r>'
              '<w:r><w:rPr><w:sz w:val="21"/></w:rPr><w:fldChar w:fldCharType="end"/></w:r>'
              '<w:r><w:rPr><w:sz w:val="21"/></w:rPr><w:t xml:space="preserve"> —</w:t></w:r></w:p></w:ftr>')
    parts[_FOOTER] = footer.encode("utf-8")
    rels = etree.fromstring(parts[_RELS], parser)
    rel_ns = "http://schemas.openxmlformats.org/package/2006/relationships"
    etree.SubElement(rels, f"{{{rel_ns}}}Relationship", Id=_FOOTER_ID, Target=_FOOTER.removeprefix("word/"),
                     Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/footer")
    parts[_RELS] = etree.tostring(rels, xml_declaration=True, encoding="UTF-8", standalone=True)
    types = etree.fromstring(parts["[Content_Types].xml"], parser)
    ct_ns = "http://schemas.openxmlformats.org/package/2006/content-types"
    etree.SubElement(types, f"{{{ct_ns}}}Override", PartName=f"/{_FOOTER}",
                     ContentType="application/vnd.openxmlformats-officedocument.wordprocessingml.footer+xml")
    parts["[Content_Types].xml"] = etree.tostring(types, xml_declaration=True, encoding="UTF-8", standalone=True)
    if "word/settings.xml" in parts:
        settings = etree.fromstring(parts["word/settings.xml"], parser)
        if settings.find(_w("updateFields")) is None:
            later = {_w(t) for t in ("hdrShapeDefaults", "footnotePr", "endnotePr", "compat", "docVars", "rsids",
                                     "attachedSchema", "themeFontLang", "clrSchemeMapping", "doNotIncludeSubdocsInStats",
                                     "doNotAutoCompressPictures", "forceUpgrade", "captions", "readModeInkLockDown",
                                     "smartTagType", "schemaLibrary", "shapeDefaults", "doNotEmbedSmartTags",
                                     "decimalSymbol", "listSeparator")}
            later.add("{http://schemas.openxmlformats.org/officeDocument/2006/math}mathPr")
            at = next((i for i, child in enumerate(settings) if child.tag in later), len(settings))
            settings.insert(at, _el("updateFields", val="true"))
        parts["word/settings.xml"] = etree.tostring(settings, xml_declaration=True, encoding="UTF-8",
                                                    standalone=True)


def to_pdf(documents: list[Path], folder: Path) -> list[Path]:
    """Convert with LibreOffice, all files in one call (~0.1 s each instead of ~1 s).

    Raises:
        FileNotFoundError: LibreOffice is not installed.
    """
    binary = soffice()
    if binary is None:
        raise FileNotFoundError("soffice")
    folder.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory() as profile, tempfile.TemporaryDirectory() as staging:
        subprocess.run([binary, f"-env:UserInstallation=file://{profile}", "--headless", "--convert-to", "pdf",
                        "--outdir", staging, *map(str, documents)],
                       check=True, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, timeout=600)
        written = []
        for doc in documents:
            pdf = Path(staging) / (doc.stem + ".pdf")
            if pdf.exists():  # moved into place whole: never a half-written PDF
                written.append(write_bytes_atomic(folder / pdf.name, pdf.read_bytes()))
        return written


def summary_workbook(rows: list[tuple[Evaluation, EvaluationResult]], out: Path) -> Path:
    """汇总表: unit, project, budget, execution, total, grade; and the grade distribution as a chart.

    Amounts, rates and totals are numbers under number formats (万元 “0.00”, the execution
    rate as a fraction under “0.00%”, totals “0.00”), so SUM, sorting and the auto-filter
    work; names are written as text (`append_row`): a unit called “=HYPERLINK(…)” is not a
    formula. Printed on A4 landscape, one page wide, the header row on every page; the
    grade distribution and its chart on a sheet of their own that prints on one page."""
    from openpyxl import Workbook
    from openpyxl.chart import BarChart, Reference
    from openpyxl.styles import Alignment, Font
    from openpyxl.utils import get_column_letter

    wb = Workbook()
    ws = wb.active
    ws.title = "汇总表"
    header = ["单位", "项目", "类型", "全年预算数（万元）", "全年执行数（万元）", "执行率", "总分", "等级"]
    formats = {4: AMOUNT_FORMAT, 5: AMOUNT_FORMAT, 6: RATE_FORMAT, 7: TOTAL_FORMAT}  # columns D–G
    ws.append(header)
    for row, (ev, result) in enumerate(rows, 2):  # ws.max_row counts every cell: quadratic in a loop
        f = ev.funding
        rate = result.funding.execution_rate if result.funding else None
        append_row(ws, [ev.unit, ev.project or "（部门整体）", "项目支出" if ev.kind == "project" else "部门整体支出",
                        f.annual_budget if f else None, f.executed if f else None,
                        rate / HUNDRED if rate is not None else None, result.total, result.grade or ""])
        for column, number_format in formats.items():
            ws.cell(row, column).number_format = number_format
        ws.cell(row, 8).alignment = Alignment(horizontal="center")
    for cell in ws[1]:
        cell.font = Font(bold=True)
        cell.alignment = Alignment(horizontal="center", vertical="center", wrap_text=True)
    for column, width in zip("ABCDEFGH", (28, 36, 14, 18, 18, 10, 10, 8)):
        ws.column_dimensions[column].width = width
    last = f"{get_column_letter(len(header))}{max(ws.max_row, 2)}"
    ws.freeze_panes = "A2"
    ws.auto_filter.ref = f"A1:{last}"
    ws.print_title_rows = "1:1"
    _a4_landscape(ws, f"A1:{last}", pages_high=0)
    counts = Counter(result.grade for _, result in rows if result.grade)
    dist = wb.create_sheet("等级分布")
    dist.append(["等级", "数量"])
    for grade in ("优", "良", "中", "差"):
        dist.append([grade, counts.get(grade, 0)])
    for cell in dist[1]:
        cell.font = Font(bold=True)
    chart = BarChart()
    chart.title = "自评等级分布"
    chart.y_axis.title = "数量"
    chart.add_data(Reference(dist, min_col=2, min_row=1, max_row=5), titles_from_data=True)
    chart.set_categories(Reference(dist, min_col=1, min_row=2, max_row=5))
    chart.legend = None
    chart.width, chart.height = 16, 9  # cm: beside the table within one landscape page
    dist.add_chart(chart, "D2")
    _a4_landscape(dist, "A1:M20", pages_high=1)
    buffer = io.BytesIO()
    wb.save(buffer)
    return write_bytes_atomic(out, buffer.getvalue())


AMOUNT_FORMAT = "0.00"  # 万元, as budgets are printed
RATE_FORMAT = "0.00%"  # the execution rate, a fraction (0.9985 shows 99.85%)
TOTAL_FORMAT = "0.00"  # “0.##” would leave a bare point after whole totals (“100.”) in Excel


def _a4_landscape(ws, area: str, pages_high: int) -> None:
    """A4 landscape, one page wide (and `pages_high` pages high; 0: as many as needed)."""
    ws.print_area = area
    ws.page_setup.paperSize = ws.PAPERSIZE_A4
    ws.page_setup.orientation = "landscape"
    ws.page_setup.fitToWidth = 1
    ws.page_setup.fitToHeight = pages_high
    ws.sheet_properties.pageSetUpPr.fitToPage = True
    ws.print_options.horizontalCentered = True
