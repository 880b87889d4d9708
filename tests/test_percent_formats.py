"""A percent cell reads the same from .xlsx, .xls and .ods (issue 13, point 2).

calamine gives a percent cell of an .xls or an .ods as its bare number (0.24 for 24%),
and LibreOffice saves .ods by default. Seed 001's 专家慢病鉴定费 (target “2 万元”,
actual 24% typed into a percent cell, printed score 2.4) scored “10 × 0.24/20000 = 0”
from an .ods, silently. The workbook here is filled as a person would (numbers in
cells formatted 0%), saved by LibreOffice in each format, and must score as printed.
"""

from __future__ import annotations

import os
import shutil
import sys
from decimal import Decimal
from pathlib import Path

import pytest
from conftest import EXAMPLES

from scoring.outputs.workbook import build_workbook
from scoring.pipeline import score_workbook
from scoring.sources.loader import load_yaml

sys.path.insert(0, str(Path(__file__).resolve().parent / "files"))
from make_files import soffice  # noqa: E402

PROJECT = EXAMPLES / "安阳北关区医保局_2022_慢性病专家鉴定费.yaml"


@pytest.fixture(scope="module")
def saved(tmp_path_factory) -> dict[str, Path]:
    """The project filled in with percent cells, saved by LibreOffice as .xlsx, .xls and .ods."""
    if shutil.which("soffice") is None:
        if os.environ.get("CI"):
            pytest.fail("LibreOffice is needed (CI installs libreoffice-calc-nogui)")
        pytest.skip("LibreOffice is not installed here; CI installs it")
    folder = tmp_path_factory.mktemp("percent")
    wb = build_workbook([load_yaml(PROJECT)[0]])
    ws = wb.worksheets[1]
    header = next(r for r in range(1, 80) if ws.cell(r, 3).value == "三级指标")
    actual_col = next(c for c in range(1, 15) if ws.cell(header, c).value == "实际完成值")
    typed = {"专家慢病鉴定费": 0.24, "慢病政策掌握度": 0.96}
    for r in range(header + 1, ws.max_row + 1):
        name = ws.cell(r, 3).value
        if name in typed:
            cell = ws.cell(r, actual_col)
            cell.value = typed[name]
            cell.number_format = "0%"
    src = folder / "项目.xlsx"
    wb.save(src)
    return {fmt: soffice(src, fmt, folder / f"另存.{fmt}") for fmt in ("xlsx", "xls", "ods")}


@pytest.mark.parametrize("fmt", ["xlsx", "xls", "ods"])
def test_a_percent_cell_scores_the_same_in_every_format(saved, fmt):
    [scored] = score_workbook(saved[fmt])
    assert scored.ok, [i.message for i in scored.issues if i.severity == "error"]
    rows = {r.level3: r for r in scored.result.indicators}
    expert = rows["专家慢病鉴定费"]
    assert expert.actual == "24%"
    assert expert.score == Decimal("2.4") and expert.deviation == Decimal("-76.00")
    assert rows["慢病政策掌握度"].actual == "96%"
    assert scored.result.total == Decimal("92.4")  # as seed 001 prints it
