"""`jixiao audit` on the tables `jixiao render` writes (issue 16, "Done when", first point).

Every example (examples/*.yaml, examples/provinces/*.yaml) is rendered in the default layout, and
seed 001's and seed 000's examples also in the layout named after them (anyang_2022, jiaozuo_2021).
Such a table prints exactly what jixiao computes, so its audit finds nothing but what `jixiao score`
already reports for the evaluation: the cross-checks of 预算执行率 / 预算调整率 rows against the funds
block, and weights that do not add up to 100 (中江 prints 110). Judgement findings are allowed only on
rows the evaluation itself marks as judged.

Then the mutation test: one printed number at a time is changed in word/document.xml (a copy in
tmp_path), and the audit must name exactly that number: a finding of its kind at its row (same 三级指标,
same table row) and nothing new anywhere else. Changing a weight must give a weights finding (it also
changes what the row and the total should be, so other findings may come with it).
"""

from __future__ import annotations

import zipfile
from collections import Counter

import pytest

from audit.support import (
    RENDERED,
    brief,
    case_id,
    expected_from_score,
    findings,
    judged_rows,
    key,
    new_findings,
    number,
    printed_cells,
    render,
    show,
    write_changed,
)
from scoring.audit.audit import audit_file
from scoring.pipeline import run


@pytest.fixture(scope="module")
def rendered(tmp_path_factory) -> dict:
    """(layout, example) → the rendered table, each in its own folder."""
    base = tmp_path_factory.mktemp("rendered")
    return {(layout, path): render(layout, path, base / f"{layout}_{n}") for n, (layout, path) in enumerate(RENDERED)}


@pytest.mark.parametrize("case", RENDERED, ids=case_id)
def test_a_rendered_table_gives_only_the_findings_score_reports(rendered, case):
    layout, example = case
    docx = rendered[case]
    audit = audit_file(docx)
    assert audit.error is None
    scored = run(example)
    (table,) = audit.tables
    assert table.problems == (), brief(table.problems)
    assert (table.kind, table.printed_total, table.computed_total) == \
        (scored.evaluation.kind, scored.result.total, scored.result.total)
    judged = judged_rows(example)
    found = Counter(key(f) for f in findings(audit) if not (f.kind == "judgement" and f.level3 in judged))
    expected = expected_from_score(example)
    assert found == expected, (f"{docx.name}（{layout}）\n期望（jixiao score 报告的）：{dict(expected)}\n"
                               f"实际：\n{show(findings(audit))}")


# The mutation cases: every printed funds rate, funds score and total of every rendered table; every
# row score and deviation of the project tables (6 to 9 rows); in the two department tables (25 and 32
# rows, in three layouts) every third row and the last (the one not at full score in seed 001), which
# keeps the test near 20 s (~50 ms an audit); and a weight, on the first row and on the 总分 row of each
# table (every weight would only repeat those two cases). About 400 audits with the unchanged ones.
KINDS = ("row_score", "deviation", "funds_rate", "funds_score", "total")
MUTATIONS = [(layout, path, kind) for layout, path in RENDERED for kind in (*KINDS, "weights")]
LONG = 12  # rows


def _cells(docx, kind):
    with zipfile.ZipFile(docx) as z:
        cells = [c for c in printed_cells(z.read("word/document.xml")) if c.kind == kind]
    if kind == "weights":
        cells = cells[:1] + [c for c in cells if c.level3 is None]
    elif len(cells) > LONG:
        cells = [c for n, c in enumerate(cells) if n % 3 == 0 or n == len(cells) - 1]
    return cells


@pytest.mark.parametrize("case", MUTATIONS, ids=case_id)
def test_changing_one_printed_number_gives_one_finding_there(rendered, case, tmp_path):
    layout, example, kind = case
    docx = rendered[(layout, example)]
    cells = _cells(docx, kind)
    if not cells:  # the layout prints no such column (anyang_2022's department table has no 分值)
        assert (kind, layout) in {("weights", "anyang_2022"), ("deviation", "jiaozuo_2021")}, \
            f"{docx.name}: no printed {kind} found"
        return
    before = audit_file(docx)
    wrong = []
    for n, cell in enumerate(cells):
        out = tmp_path / f"{n}.docx"
        new = write_changed(docx, cell, out)
        after = audit_file(out)
        extra = new_findings(after, before)
        where = f"表{cell.table} 第{cell.row + 1}行"
        if kind == "weights":
            ok = after.error is None and any(f.kind == "weights" for f in extra)
        else:
            ok = (after.error is None and len(extra) == 1 and extra[0].kind == kind
                  and extra[0].level3 == cell.level3 and where in extra[0].where
                  and number(extra[0].printed) == number(new) and number(extra[0].computed) == number(cell.text))
        if not ok and kind == "row_score" and "表中未印分值" in _assumed(after):
            # No 分值 column (anyang_2022's department table), and a row the template does not weigh: its
            # weight is taken from its printed score, so a wrong score cannot be told from a wrong weight.
            # The print says so where it can: its group no longer adds up to the template's weight, and
            # the total is no longer the sum of the rows.
            ok = (after.error is None and sorted(f.kind for f in extra) == ["total", "weights"]
                  and any(f.kind == "weights" and "未印分值" in f.rule for f in extra))
        if not ok:
            wrong.append(f"{where}（{cell.level3 or kind}）：“{cell.text}”改为“{new}”，新增：\n{show(extra)}"
                         + (f"\n  读取错误：{after.error}" if after.error else ""))
    assert not wrong, f"{docx.name}（{layout}）改{kind}：{len(wrong)}/{len(cells)} 处不符\n" + "\n".join(wrong)


def _assumed(audit) -> str:
    return " ".join(t.assumed for t in audit.tables)


def test_the_mutations_cover_every_kind_on_documents_of_different_layouts(rendered):
    covered = {}
    for layout, path in RENDERED:
        for kind in (*KINDS, "weights"):
            if _cells(rendered[(layout, path)], kind):
                covered.setdefault(kind, set()).add(layout)
    assert {k: len(v) >= 2 for k, v in covered.items()} == {k: True for k in (*KINDS, "weights")}, covered


def test_a_score_typed_with_decimals_in_a_whole_point_table(rendered, tmp_path):
    """One row of a table printed in whole points (永德, rounded down) typed as 11.5: that row is
    wrong, and the table is still judged in whole points (one typo does not set its precision)."""
    case = next(c for c in RENDERED if c[0] == "henan" and "永德" in c[1].stem)
    docx = rendered[case]
    cell = next(c for c in _cells(docx, "row_score") if c.level3 == "学生受资助人数")
    out = tmp_path / "typo.docx"
    write_changed(docx, cell, out, "11.5")
    extra = new_findings(audit_file(out), audit_file(docx))
    assert [key(f) for f in extra] == [("row_score", "学生受资助人数", number("11.5"), number("10"))], show(extra)
