"""Funds amounts with their unit (150万, 259.45万元, 1,500,000元), blocks given in 元, and
printed numbers with a percent sign (issue 14): read exactly, in 万元 and percent."""

from __future__ import annotations

from decimal import Decimal

import pytest
from conftest import evaluation

from scoring.core.amounts import AMOUNT_EXPECTED, funding_in_wan, parse_amount, printed_before
from scoring.core.model import Evaluation, Funding, FundSource
from scoring.pipeline import run_data
from scoring.sources.loader import to_evaluation
from scoring.sources.yaml_text import parse_yaml


@pytest.mark.parametrize("value,unit,wan", [
    ("150", "万元", "150"),
    ("150万", "万元", "150"),
    ("150 万元", "万元", "150"),
    ("259.45万元", "万元", "259.45"),
    ("1,500,000元", "万元", "150"),            # an explicit 元 wins over the block's unit
    ("1500000元", "万元", "150"),
    ("２５９．４５万元", "万元", "259.45"),       # full-width digits and point
    ("１，５００，０００元", "万元", "150"),
    ("1.2亿元", "万元", "12000"),
    ("0.24", "万元", "0.24"),
    ("2400", "元", "0.24"),                    # a plain number of a block in 元
    ("2,594,500", "元", "259.45"),
    ("150万", "元", "150"),                    # a suffix says its own unit
    ("1", "元", "0.0001"),
    ("0.01", "元", "0.000001"),                # one fen: exact, never a float
    (Decimal("1497750"), "元", "149.775"),
    (2400, "元", "0.24"),
    (Decimal("0.24"), "万元", "0.24"),
])
def test_amounts_are_read_exactly_in_wan(value, unit, wan):
    got = parse_amount(value, unit)
    assert isinstance(got, Decimal) and got == Decimal(wan)
    assert format(got, "f") == wan  # as a person would type it: 150, not 150.0000 or 1.5E+2


@pytest.mark.parametrize("value", ["很多", "150万美元", "1.2.3", "150%", "", "1,50", True, None])
def test_what_is_not_an_amount_is_refused_saying_what_is_expected(value):
    with pytest.raises(ValueError, match=AMOUNT_EXPECTED):
        parse_amount(value)


@pytest.mark.parametrize("value,number", [
    ("100%", "100"), ("99.85%", "99.85"), ("-5.56%", "-5.56"), ("0.00%", "0.00"), ("9", "9"),
    ("９分", "9"), (" 98.89 ", "98.89"), ("−76.00%", "-76.00"), ("１００％", "100"),
])
def test_printed_numbers_read_with_their_percent_sign(value, number):
    assert printed_before(value) == Decimal(number)


def test_numbers_pass_the_printed_reader_untouched():
    assert printed_before(Decimal("9.985")) == Decimal("9.985")
    with pytest.raises(ValueError, match="应为数字"):
        printed_before("百分百")


def test_the_funding_block_in_yuan_holds_wan_converted_exactly():
    f = Funding.model_validate({"unit": "元", "initial_budget": 1500000, "annual_budget": "1,500,000",
                                "executed": "1497750", "sources": [
                                    {"name": "财政拨款", "initial_budget": "1500000", "executed": 1497750},
                                    {"name": "其他资金", "executed": "0.5万"}],
                                "printed_rate": "99.85%", "printed_score": "10"})
    assert (f.initial_budget, f.annual_budget, f.executed) == (Decimal(150), Decimal(150), Decimal("149.775"))
    assert f.sources[0] == FundSource(name="财政拨款", initial_budget=Decimal(150), executed=Decimal("149.775"))
    assert f.sources[1].executed == Decimal("0.5")
    assert f.unit == "万元" and f.printed_rate == Decimal("99.85") and f.printed_score == Decimal(10)
    # the record is in 万元: validating it again changes nothing
    assert Funding.model_validate(f.model_dump()) == f


def test_funding_in_wan_leaves_what_it_cannot_read_for_validation_to_report():
    data = {"unit": "元", "executed": "很多", "annual_budget": 100, "sources": [{"name": "x", "executed": "?"}]}
    assert funding_in_wan(data) == {"unit": "万元", "executed": "很多", "annual_budget": Decimal("0.01"),
                                    "sources": [{"name": "x", "executed": "?"}]}
    assert data["annual_budget"] == 100  # the input is not changed
    assert funding_in_wan({"unit": "千元", "executed": 1}) == {"unit": "千元", "executed": 1}


def test_a_block_in_yuan_scores_as_the_same_block_in_wan():
    in_wan = evaluation({"target": "≥90%", "actual": "95%", "weight": "90"})
    in_wan["funding"].update(initial_budget="150", annual_budget="150", executed="142.5")
    in_yuan = evaluation({"target": "≥90%", "actual": "95%", "weight": "90"})
    in_yuan["funding"] = {"weight": 10, "unit": "元", "initial_budget": "1,500,000", "annual_budget": 1500000,
                          "executed": "1425000"}
    a, b = run_data(in_wan), run_data(in_yuan)
    assert a.ok and b.ok
    assert b.result.funding.score == a.result.funding.score == Decimal("9.5")
    assert b.result.total == a.result.total == Decimal("99.5")
    assert b.evaluation.funding.executed == Decimal("142.5")


YAML = """\
kind: project
unit: 某县卫生健康局
year: 2023
project: 乡村医生培训
funding: {weight: 10, initial_budget: 150万, annual_budget: "259.45万元", executed: "2,594,500元",
          printed_rate: "100%", printed_score: "10"}
indicators:
  - {level1: 产出指标, level3: 培训人次, target: "≥500人次", actual: "≥500人次", weight: 90,
     printed_score: "90", printed_deviation: "0.00%"}
printed_total: "100"
"""


def test_a_yaml_file_takes_amounts_with_units_and_printed_percentages():
    data, source, issues = parse_yaml(YAML, "e.yaml")
    ev, found = to_evaluation(data, source)
    assert not issues and not found, found
    assert ev.funding.initial_budget == Decimal(150) and ev.funding.annual_budget == Decimal("259.45")
    assert ev.funding.executed == Decimal("259.45") and ev.funding.printed_rate == Decimal(100)
    assert ev.indicators[0].printed_deviation == Decimal("0.00") and ev.printed_total == Decimal(100)
    scored = run_data(data)
    assert scored.ok and scored.result.total == Decimal(100)
    assert not [i for i in scored.issues if "印刷" in i.message]  # printed and computed agree


@pytest.mark.parametrize("change,path,message", [
    (("executed: \"2,594,500元\"", "executed: 很多"), "funding.executed",
     "“executed”（全年执行数）：应为金额，如 150、150万、1500000元，实际为“很多”"),
    (("initial_budget: 150万", "initial_budget: \"-5万\""), "funding.initial_budget", "应不小于 0"),
    (("printed_rate: \"100%\"", "printed_rate: 全部"), "funding.printed_rate", "应为数字，如 9、98.5、100%"),
    (("printed_deviation: \"0.00%\"", "printed_deviation: 无偏差"), "indicators[0].printed_deviation",
     "应为数字"),
    (("weight: 10,", "weight: 10, unit: 千元,"), "funding.unit", "可选值：万元、元"),
])
def test_a_bad_amount_or_printed_number_is_a_chinese_error_at_its_key(change, path, message):
    data, source, _ = parse_yaml(YAML.replace(*change), "e.yaml")
    ev, found = to_evaluation(data, source)
    assert ev is None
    [issue] = [i for i in found if i.location.path == path]
    assert message in issue.message + issue.hint and issue.location.line is not None


def test_every_printed_field_takes_a_percent_string():
    ev = Evaluation.model_validate({
        "kind": "department", "unit": "某局", "year": 2023, "printed_total": "98.89", "printed_narrative_total": "99分",
        "indicators": [{"level1": "效益指标", "level3": "满意度", "target": "≥90%", "actual": "85%", "weight": 20,
                        "printed_score": "18.89", "printed_deviation": "-5.56%"}]})
    assert ev.printed_total == Decimal("98.89") and ev.printed_narrative_total == Decimal(99)
    assert ev.indicators[0].printed_deviation == Decimal("-5.56")


def test_a_yaml_block_in_yuan_makes_a_fill_in_workbook_in_wan(tmp_path):
    from scoring.outputs.workbook import build_workbook
    from scoring.pipeline import score_workbook

    data, _, _ = parse_yaml(YAML.replace("funding: {weight: 10,", "funding: {weight: 10, unit: 元,")
                            .replace("initial_budget: 150万", "initial_budget: 1500000"), "e.yaml")
    build_workbook([data]).save(tmp_path / "t.xlsx")
    [scored] = score_workbook(tmp_path / "t.xlsx")
    f = scored.evaluation.funding
    assert (f.initial_budget, f.annual_budget, f.executed) == (Decimal(150), Decimal("259.45"), Decimal("259.45"))


@pytest.mark.parametrize("text,wan", [("150万元整", "150"), ("1500元整", "0.15")])
def test_an_amount_written_in_full_with_zheng_is_read(text, wan):
    # finance staff close an amount in words with 整 (“壹佰伍拾万元整”), and often the figure too
    assert parse_amount(text) == Decimal(wan)


@pytest.mark.parametrize("text", ["150整", "150万整"])
def test_zheng_needs_the_yuan_it_closes(text):
    with pytest.raises(ValueError, match="应为金额"):
        parse_amount(text)
