"""Outputs about a batch of documents: one combined document, PDFs, the 汇总表.

All writes are atomic; inputs are only read.
"""

from __future__ import annotations

import io
import re
import shutil
import subprocess
import tempfile
import zipfile
from collections import Counter
from pathlib import Path

from scoring.core.model import Evaluation
from scoring.core.numbers import HUNDRED
from scoring.core.results import EvaluationResult
from scoring.outputs.files import write_bytes_atomic
from scoring.outputs.render import DOCUMENT
from scoring.outputs.xlsx import append_row

_BODY = re.compile(r"(<w:body>)(.*)(</w:body>)", re.S)
_SECT = re.compile(r"<w:sectPr\b.*?</w:sectPr>\s*$", re.S)
_PAGE_BREAK = '<w:p><w:r><w:br w:type="page"/></w:r></w:p>'


def combine(documents: list[Path], out: Path) -> Path:
    """One .docx holding every document in turn, each starting on a new page.

    The first document supplies styles and page setup: meant for documents made
    from the same family of templates (the shipped tables share their styles).
    """
    bodies = []
    for path in documents:
        with zipfile.ZipFile(path) as z:
            xml = z.read(DOCUMENT).decode("utf-8")
        inner = _BODY.search(xml).group(2)
        bodies.append(_SECT.sub("", inner))
    with zipfile.ZipFile(documents[0]) as z:
        first = z.read(DOCUMENT).decode("utf-8")
        parts = [(i, z.read(i.filename)) for i in z.infolist()]
    section = _SECT.search(_BODY.search(first).group(2))
    merged = _PAGE_BREAK.join(bodies) + (section.group(0) if section else "")
    xml = _BODY.sub(lambda m: m.group(1) + merged + m.group(3), first, count=1)
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as z:
        for info, data in parts:
            z.writestr(info, xml.encode("utf-8") if info.filename == DOCUMENT else data)
    return write_bytes_atomic(out, buffer.getvalue())


def soffice() -> str | None:
    return shutil.which("soffice") or shutil.which("libreoffice")


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
    for ev, result in rows:
        f = ev.funding
        rate = result.funding.execution_rate if result.funding else None
        append_row(ws, [ev.unit, ev.project or "（部门整体）", "项目支出" if ev.kind == "project" else "部门整体支出",
                        f.annual_budget if f else None, f.executed if f else None,
                        rate / HUNDRED if rate is not None else None, result.total, result.grade or ""])
        for column, number_format in formats.items():
            ws.cell(ws.max_row, column).number_format = number_format
        ws.cell(ws.max_row, 8).alignment = Alignment(horizontal="center")
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
