"""The committed inputs of the audit's tests are what tests/files/audit/make_fixtures.py makes from the
repository (the rendered seed 001 tables, the transcribed narrative, the province tables), so that a
change to the renderer or to a transcription shows here, and the PDF holds the text it should."""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import sys

import pytest

from audit.support import FIXTURES, PROVINCES
from scoring.sources.document import Table
from scoring.sources.document.docx import read_docx


def _builder():
    sys.path.insert(0, str(FIXTURES))
    import make_fixtures

    return make_fixtures


def _content(path) -> list:
    """A .docx as read: its paragraphs' text, its tables' cells and merges (not its bytes, which
    differ on every save)."""
    return [(b.rows, b.merged) if isinstance(b, Table) else b.text for b in read_docx(path).blocks]


def test_the_committed_docx_fixtures_are_what_make_fixtures_writes(tmp_path):
    written = _builder().make_docx(tmp_path)
    assert sorted(p.name for p in written) == sorted(
        ["seed001_published.docx"] + [f"{p.stem}.docx" for p in PROVINCES])
    for path in written:
        assert _content(path) == _content(FIXTURES / path.name), path.name


def test_the_seed001_document_holds_four_tables_then_the_narrative():
    blocks = read_docx(FIXTURES / "seed001_published.docx").blocks
    tables = [b for b in blocks if isinstance(b, Table)]
    assert len(tables) == 8  # each rendered table is a header table and an indicator table
    totals = [row for t in tables for row in t.rows if row and row[0] == "总分"]
    assert [[c for c in row if c and c != "总分"][-1] for row in totals] == ["98.89", "100", "92.4", "96.6"]
    after = [b.text for b in blocks[blocks.index(tables[-1]) + 1:]]
    assert any("部门绩效自评得分98.89分" in t for t in after)
    assert [m for t in after for m in re.findall(r"自评得分 (\d+) 分", t)] == ["99", "94", "99"]
    assert any("评价得分99分" in t for t in after)


def test_the_seed001_pdf_has_the_document_in_its_text_layer():
    if not shutil.which("pdftotext"):
        if os.environ.get("CI"):
            pytest.fail("pdftotext (poppler-utils) is needed (CI installs it, .ci/run)")
        pytest.skip("pdftotext not installed here; CI installs it")
    text = subprocess.run(["pdftotext", str(FIXTURES / "seed001_published.pdf"), "-"], capture_output=True,
                          text=True, check=True).stdout
    pages = text.split("\f")[:-1]
    flat = re.sub(r"\s+", "", text)
    assert len(pages) >= 5
    assert flat.count("绩效自评情况表") == 4
    for number in ("98.89", "92.4", "96.6", "25%", "部门绩效自评得分98.89分",
                   "自评得分99分", "自评得分94分"):
        assert number in flat, number
