"""Workbooks as files arrive: a corpus of broken ones (each problem with its cell and
message), an .xls saved by LibreOffice, formulas with cached results.

The fixtures are written by tests/workbooks/make_fixtures.py."""

from __future__ import annotations

from pathlib import Path

import pytest
import yaml
from conftest import EXAMPLES
from test_workbook import by_title, dump, issues_of, outcome

from scoring.core.issues import ScoringError
from scoring.pipeline import run, score_workbook
from scoring.sources.workbook.reader import read_workbook

HERE = Path(__file__).resolve().parent / "workbooks"
BROKEN = HERE / "broken"
EXPECTED = yaml.safe_load((BROKEN / "expected.yaml").read_text(encoding="utf-8"))


@pytest.mark.parametrize("name", [n for n in EXPECTED if "issues" in EXPECTED[n]])
def test_every_problem_is_reported_at_its_cell(name):
    scored = score_workbook(BROKEN / name)
    found = [i for s in scored for i in s.issues]
    for want in EXPECTED[name]["issues"]:
        hits = [i for i in found if (i.location.sheet, i.location.cell, i.severity) ==
                (want["sheet"], want["cell"], want["severity"]) and want["message"] in i.message]
        assert hits, (want, [(i.location.sheet, i.location.cell, i.message) for i in found])
        assert all(i.hint or i.severity != "error" for i in hits), "an error says what to type instead"
    errors = {(i.location.sheet, i.location.cell) for i in found if i.severity == "error"}
    assert errors == {(w["sheet"], w["cell"]) for w in EXPECTED[name]["issues"] if w["severity"] == "error"}
    if any(w["severity"] == "error" for w in EXPECTED[name]["issues"]):
        assert any(s.result is None or s.result.total is None for s in scored), "no total with errors"


@pytest.mark.parametrize("name", [n for n in EXPECTED if "raises" in EXPECTED[n]])
def test_an_unusable_file_is_one_clear_error(name):
    with pytest.raises(ScoringError, match=EXPECTED[name]["raises"]):
        score_workbook(BROKEN / name)


def test_missing_file():
    with pytest.raises(ScoringError, match="找不到文件"):
        read_workbook(HERE / "no_such.xlsx")


def test_xls_saved_by_libreoffice_scores_like_the_yaml():
    scored = by_title(score_workbook(HERE / "examples_filled.xls"))
    for path in sorted(EXAMPLES.glob("*.yaml")):
        expected = run(path)
        got = scored[(expected.evaluation.unit, expected.evaluation.project)]
        assert outcome(got) == outcome(expected), path.name
        assert issues_of(got) == issues_of(expected), path.name
        assert dump(got) == dump(expected), path.name


def test_formulas_are_read_through_their_cached_results():
    [got] = score_workbook(HERE / "formulas_cached.xlsx")
    expected = run(EXAMPLES / "安阳北关区医保局_2022_北关区政府救助第五重.yaml")
    assert got.evaluation.funding.executed == expected.evaluation.funding.executed
    assert outcome(got) == outcome(expected)
    row = next(r for r in got.result.indicators if r.level3 == "完成对全区参保困难群众的报销医疗费")
    assert row.actual == "66%"
