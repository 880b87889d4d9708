"""`jixiao audit` on published tables laid out as their publications print them (issue 16, "Done when",
second and third points). The inputs are committed in tests/files/audit/ (README.md there says how each
was made; make_fixtures.py remakes them).

- Seed 001 (安阳市北关区医疗保障局 2022 决算), as a .docx and as the PDF LibreOffice makes of it: the
  department table and three project tables, then the narrative. The tables' arithmetic holds; the
  narrative states 99, 94 and 99 for projects whose tables total 100, 92.4 and 96.6, and the
  department's 预算调整率 row prints 25% where its own funds block gives (2591.78 − 1801.32) ÷ 1801.32
  = 43.88%. The narrative's 98.89 for the department agrees, and its 重点绩效评价 score (评价得分99分)
  is another evaluation's, not a self-evaluation's.
- The six province tables of examples/provinces/: each gives exactly the differences listed in
  tests/province_differences/<stem>.yaml (none where there is no such file), at their rows.
"""

from __future__ import annotations

import re
from collections import Counter
from decimal import Decimal
from functools import cache

import pytest
import yaml

from audit.support import FIXTURES, PROVINCES, ROOT, brief, findings, key, number, short, show
from scoring.audit.audit import audit_file
from scoring.pipeline import run

SEED001 = {
    # title → (kind, printed total, findings: (kind, level3, printed, computed))
    "部门整体": ("department", "98.89", [("cross_check", "预算调整率", "25", "43.88")]),
    "城乡居民基本医疗保险区级配套资金": ("project", "100", [("narrative", None, "99", "100")]),
    "慢性病专家鉴定费": ("project", "92.4", [("narrative", None, "94", "92.4")]),
    "北关区政府救助（第五重）": ("project", "96.6", [("narrative", None, "99", "96.6")]),
}


def _expected_key(kind, level3, printed, computed) -> tuple:
    return (kind, level3, number(printed), number(computed))


@cache
def _seed001(suffix: str):
    return audit_file(FIXTURES / f"seed001_published.{suffix}")


@pytest.mark.parametrize("suffix", ["docx", "pdf"])
def test_seed001_as_published_gives_the_narrative_and_cross_check_findings_only(suffix):
    audit = _seed001(suffix)
    assert audit.error is None
    got = [(t.kind, t.project, t.problems, t.printed_total, t.computed_total, [key(f) for f in t.findings])
           for t in audit.tables]
    want = [(kind, None if kind == "department" else name, (), Decimal(total), Decimal(total),
             [_expected_key(*e) for e in expected]) for name, (kind, total, expected) in SEED001.items()]
    assert got == want, "实际：\n" + "\n".join(f"{t.title}（{t.where}）：问题 {brief(t.problems)}\n{show(t.findings)}"
                                             for t in audit.tables)
    narrative = [f for f in findings(audit) if f.kind == "narrative"]
    assert all(f.cause == "narrative" for f in narrative)


def test_seed001_pdf_names_the_pages_of_its_findings():
    audit = _seed001("pdf")
    cross = [f for f in findings(audit) if f.kind == "cross_check"]
    assert [f.where.startswith("第") and "页" in f.where for f in cross] == [True], show(cross)


# ---------------------------------------------------------------- the province tables

DIFFERENCES = ROOT / "tests" / "province_differences"
# A difference's path → the finding's kind. A row printed below what the rule gives is a row_score
# finding, a judgement one when its cause is the evaluator's judgement (a met target scored below full
# that no rule explains); 湖北's 19.6 = 20 × 98% follows a rule of its own (cause actual_rate) and is a
# row_score finding. A total that only follows rows judged below full is listed with the judgements.
KIND = {"printed_score": "row_score", "printed_deviation": "deviation", "funding.printed_rate": "funds_rate",
        "funding.printed_score": "funds_score", "printed_total": "total", "printed_weight_total": "weights"}


def expected_differences(table) -> list[tuple]:
    """(kind, level3, printed, computed, cause) of each listed difference, in the file's order."""
    listed = DIFFERENCES / f"{table.stem}.yaml"
    data = yaml.safe_load(table.read_text(encoding="utf-8"))
    expected = []
    for d in (yaml.safe_load(listed.read_text(encoding="utf-8")) or []) if listed.exists() else []:
        m = re.fullmatch(r"indicators\[(\d+)\]\.(printed_score|printed_deviation)", d["path"])
        if m:
            kind = "judgement" if d["cause"] == "judgement" else KIND[m[2]]
            level3 = data["indicators"][int(m[1])]["level3"]
        else:
            kind, level3 = KIND[d["path"]], None
        expected.append((kind, level3, number(d["printed"]), number(d["computed"]), d["cause"]))
    if all(k in ("judgement", "total") for k, *_ in expected):  # a total that only follows judged rows
        expected = [("judgement", *rest) if k == "total" and rest[-1] == "follows_rows" else (k, *rest)
                    for k, *rest in expected]
    return expected


@pytest.mark.parametrize("table", PROVINCES, ids=short)
def test_a_province_table_as_printed_gives_its_known_differences(table):
    docx = FIXTURES / f"{table.stem}.docx"
    audit = audit_file(docx)
    assert audit.error is None
    (printed,) = audit.tables
    scored = run(table)
    found = Counter((*key(f), f.cause) for f in printed.findings)
    expected = Counter(expected_differences(table))
    got = (printed.kind, printed.problems, printed.printed_total, printed.computed_total, found)
    want = ("project", (), scored.evaluation.printed_total, scored.result.total, expected)
    assert got == want, (f"{docx.name}\n期望：{list(expected)}，总分 印 {want[2]} 算 {want[3]}\n"
                         f"实际：总分 印 {got[2]} 算 {got[3]}；问题：{brief(got[1])}\n{show(printed.findings)}")
