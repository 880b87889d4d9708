"""`jixiao render` on many files (outputs.render_files): each file loaded, scored and
rendered by a worker; the documents named and put in place in input order, and no
temporary file left behind when one fails. And the merge pass that touches only the
marked cells does what the regular expression over every cell did."""

from __future__ import annotations

import random
import re

import docx
import pytest
from conftest import EXAMPLES

from scoring.cli import main
from scoring.outputs.word_template import _merged_cell, _vertical_merges

EXAMPLE = EXAMPLES / "安阳北关区医保局_2022_慢性病专家鉴定费.yaml"


def _inputs(tmp_path, n: int):
    """n copies of one evaluation (so every document has the same name), told apart by their project code."""
    folder = tmp_path / "评价"
    folder.mkdir()
    text = EXAMPLE.read_text(encoding="utf-8")
    for k in range(n):
        (folder / f"{k:02d}.yaml").write_text(text.replace("\nproject:", f"\nproject_code: C{k:02d}\nproject:", 1),
                                              encoding="utf-8")
    return folder


def _template(tmp_path, text: str):
    path = tmp_path / "t.docx"
    document = docx.Document()
    document.add_paragraph(text)
    document.save(path)
    return path


def _text(path) -> str:
    return "\n".join(p.text for p in docx.Document(str(path)).paragraphs)


def test_documents_of_one_name_are_numbered_in_input_order_across_workers(tmp_path, capsys):
    out = tmp_path / "文档"
    template = _template(tmp_path, "编码{{ project_code }}")
    assert main(["render", str(_inputs(tmp_path, 12)), "-o", str(out), "--workers", "2", "--no-report",
                 "--template", str(template)]) == 0
    printed = [line for line in capsys.readouterr().out.splitlines() if line.endswith(".docx")]
    assert len(printed) == 12
    for k, line in enumerate(printed):
        assert line.endswith("项目支出绩效自评表.docx" if k == 0 else f"项目支出绩效自评表_{k + 1}.docx"), line
        assert _text(line) == f"编码C{k:02d}"
    assert sorted(p.name for p in out.iterdir() if p.name.startswith(".")) == []  # no temporary file


@pytest.mark.parametrize("workers", ["1", "2"])
def test_a_document_that_fails_in_a_worker_stops_the_batch_and_leaves_no_temporary_file(tmp_path, capsys, workers):
    out = tmp_path / "文档"
    template = _template(tmp_path, "{{ project_code }}{{ 1 // (0 if project_code == 'C05' else 1) }}")
    code = main(["render", str(_inputs(tmp_path, 12)), "-o", str(out), "--workers", workers, "--no-report",
                 "--template", str(template)])
    error = capsys.readouterr().err
    assert code == 1
    assert f"错误：{template}（word/document.xml）：模板渲染错误：ZeroDivisionError" in error
    made = list(out.iterdir())
    assert [p.name for p in made if p.name.startswith(".")] == []
    assert 5 <= len(made) < 12  # the documents before C05 are in place, each complete
    assert sorted(_text(p) for p in made) == [f"C{k:02d}1" for k in range(len(made))]


_CELL = re.compile(r"<w:tc>([^<]*(?:<(?!/?w:tc>)[^<]*)*)</w:tc>")  # the pass as it was: every cell


def _every_cell(xml: str) -> str:
    if "⟦vm-" not in xml:
        return xml
    return _CELL.sub(lambda m: _merged_cell(m.group(1)) if "⟦vm-" in m.group(1) else m.group(0), xml)


def test_the_merge_pass_over_marked_cells_equals_the_pass_over_every_cell():
    pieces = ["<w:tc>", "</w:tc>", "<w:tcPr>", "</w:tcPr>", '<w:tcW w:w="1"/>', '<w:gridSpan w:val="2"/>',
              "⟦vm-restart⟧", "⟦vm-continue⟧", "⟦vm-", "文字", "<w:p>", "</w:p>", "<", "<w:tc", "w:tc>", "<w:tr>"]
    rng = random.Random(18)
    for _ in range(20_000):
        xml = "".join(rng.choice(pieces) for _ in range(rng.randint(0, 14)))
        assert _vertical_merges(xml) == _every_cell(xml), xml
