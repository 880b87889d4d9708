"""The published tables of seeds 000 and 001 score exactly as printed."""

from decimal import Decimal

import pytest
from conftest import EXAMPLES

from scoring.core.model import Funding, Rounding
from scoring.core.score import score_funding
from scoring.pipeline import run

TOTALS = {
    "安阳北关区医保局_2022_部门整体.yaml": "98.89",
    "安阳北关区医保局_2022_城乡居民基本医疗保险区级配套资金.yaml": "100",
    "安阳北关区医保局_2022_慢性病专家鉴定费.yaml": "92.4",
    "安阳北关区医保局_2022_北关区政府救助第五重.yaml": "96.6",
    "焦作中站区医保局_2021_部门整体.yaml": "100",
}


@pytest.mark.parametrize("name,total", TOTALS.items())
def test_published_total_is_reproduced(name, total):
    scored = run(EXAMPLES / name)
    assert scored.ok, scored.issues
    assert scored.result.total == Decimal(total)
    assert scored.result.grade == "优"
    assert scored.result.weight_total == 100


@pytest.mark.parametrize("name", TOTALS)
def test_every_row_matches_its_printed_score_and_deviation(name):
    scored = run(EXAMPLES / name)
    rows = list(zip(scored.evaluation.indicators, scored.result.indicators))
    assert all(ind.printed_score is not None for ind, _ in rows)
    for ind, row in rows:
        assert row.score == ind.printed_score, (row.level3, row.explanation)
        if ind.printed_deviation is not None:
            assert row.deviation == ind.printed_deviation, row.level3
    # and the engine itself reports no printed-vs-computed difference in the table
    assert not [i for i in scored.issues if "印刷" in i.message]


NARRATIVE = {  # seed 001's 决算说明 states these scores for tables that print otherwise
    "安阳北关区医保局_2022_城乡居民基本医疗保险区级配套资金.yaml": ("99", "100"),
    "安阳北关区医保局_2022_慢性病专家鉴定费.yaml": ("94", "92.4"),
    "安阳北关区医保局_2022_北关区政府救助第五重.yaml": ("99", "96.6"),
}


@pytest.mark.parametrize("name,scores", NARRATIVE.items())
def test_a_narrative_that_disagrees_with_its_table_is_reported(name, scores):
    scored = run(EXAMPLES / name)
    (issue,) = [i for i in scored.issues if i.location.path == "printed_narrative_total"]
    assert issue.severity == "warning"
    assert f"得分 {scores[0]} 与计算总分 {scores[1]} 不一致" in issue.message


def _row(name, level3):
    scored = run(EXAMPLES / name)
    return next(r for r in scored.result.indicators if r.level3 == level3)


def test_worked_example_satisfaction_row():
    row = _row("安阳北关区医保局_2022_部门整体.yaml", "全区参保群众满意度")
    assert (row.score, row.deviation) == (Decimal("18.89"), Decimal("-5.56"))
    assert "20 × 85/90 = 18.89" in row.explanation


def test_amount_target_with_percent_actual_is_a_completion_rate():
    row = _row("安阳北关区医保局_2022_慢性病专家鉴定费.yaml", "专家慢病鉴定费")
    assert (row.score, row.deviation) == (Decimal("2.4"), Decimal("-76.00"))
    row = _row("安阳北关区医保局_2022_北关区政府救助第五重.yaml", "完成对全区参保困难群众的报销医疗费")
    assert (row.score, row.deviation) == (Decimal("6.6"), Decimal("-34.00"))


def test_other_rows_print_zero_deviation():
    for name in TOTALS:
        for row in run(EXAMPLES / name).result.indicators:
            if row.level3 not in ("全区参保群众满意度", "专家慢病鉴定费", "完成对全区参保困难群众的报销医疗费"):
                assert row.deviation in (Decimal("0.00"), None), (name, row.level3)
                assert row.score == row.weight


def test_department_funds_score_of_seed_001_is_10():
    scored = run(EXAMPLES / "安阳北关区医保局_2022_部门整体.yaml")
    assert scored.result.funding.execution_rate == Decimal("99.85")
    assert scored.result.funding.score == Decimal("10")
    assert "9.985" in scored.result.funding.explanation


def test_funds_score_at_two_decimals_would_not_be_10():
    funding = Funding(weight=10, annual_budget="2591.78", executed="2587.78")
    result, _ = score_funding(funding, Rounding(funding_precision=2))
    assert result.score == Decimal("9.99")  # 10 × 99.85% = 9.985 → 9.99: why 001 needs one decimal
    result, _ = score_funding(funding, Rounding())
    assert result.score == Decimal("10.0")  # the default: one decimal, as every real table prints it


def test_seed_001_department_needs_no_rounding_setting():
    text = (EXAMPLES / "安阳北关区医保局_2022_部门整体.yaml").read_text(encoding="utf-8")
    assert "funding_precision" not in text and "rounding" not in text.split("funding:")[0]


def test_seed_000_contradictions_with_the_funds_block_are_reported():
    scored = run(EXAMPLES / "焦作中站区医保局_2021_部门整体.yaml")
    warnings = {i.location.path: i.message for i in scored.issues if i.severity == "warning"}
    assert "100.00%" in warnings["indicators[5].actual"]  # 预算执行率 printed 90
    assert "-23.67%" in warnings["indicators[6].actual"]  # 预算调整率 printed 10
