"""The scoring rules of DOMAIN.md §2, one table of cases per rule."""

from decimal import Decimal

import pytest
from conftest import evaluation, one_row

from scoring.pipeline import run_data


def D(x):
    return Decimal(str(x))


@pytest.mark.parametrize("target,actual,weight,score,deviation", [
    ("≥90%", "85%", 20, "18.89", "-5.56"),      # the worked example
    ("≥90%", "95%", 20, "20", "0.00"),          # met: full score, deviation printed 0.00
    (">90%", "90%", 10, "10", "0.00"),          # strict > met at equality (seed 001)
    ("≥150000 人", "120000人", 10, "8", "-20.00"),
    ("90%", "45%", 10, "5", "-50.00"),          # a bare target is positive
    ("≥20 万人", "22.21 万", 10, "10", "0.00"),   # 万 scaling on both sides
    (">=90%%", "81", 10, "9", "-10.00"),        # seed 000's print bug, and a bare actual
    ("≥10 次", "0 次", 10, "0", "-100.00"),
])
def test_positive_ratio(target, actual, weight, score, deviation):
    _, row = one_row(target, actual, weight, reason="原因")
    assert (row.score, row.deviation) == (D(score), D(deviation)), row.explanation
    assert row.rule == "positive_ratio"


@pytest.mark.parametrize("rule,target,actual,score", [
    ("reverse_ratio", "≤10%", "8%", "10"),
    ("reverse_ratio", "≤10%", "12.5%", "8"),          # 10 × 10/12.5
    ("reverse_ratio", "<5%", "20%", "2.5"),
    ("reverse_linear", "≤10%", "12.5%", "7.5"),       # 10 × (1 − 2.5/10)
    ("reverse_linear", "≤10%", "20%", "0"),           # zero at twice the target
    ("reverse_linear", "≤10%", "35%", "0"),           # never below zero
    ("reverse_ratio", "≤3066元", "3500元", "8.76"),
])
def test_reverse_rules_chosen_by_setting(rule, target, actual, score):
    _, row = one_row(target, actual, 10, reason="原因", settings={"reverse_rule": rule})
    assert row.score == D(score), row.explanation
    assert row.rule == rule


def test_reverse_ratio_is_the_default():
    _, row = one_row("≤10%", "12.5%", 10, reason="原因")
    assert row.rule == "reverse_ratio" and row.score == D("8")
    assert "10 × 10/12.5 = 8" in row.explanation


def test_a_row_can_choose_its_own_rule_by_name():
    _, row = one_row("≤10%", "12.5%", 10, reason="原因", rule="reverse_linear")
    assert row.rule == "reverse_linear" and row.score == D("7.5")


@pytest.mark.parametrize("target,actual,score,status", [
    ("=100%", "100%", "10", "met"),
    ("=100%%", "100", "10", "met"),
    ("=100%", "96%", "9.6", "missed"),
])
def test_equality(target, actual, score, status):
    _, row = one_row(target, actual, 10, reason="原因")
    assert (row.score, row.status, row.rule) == (D(score), status, "equality")


@pytest.mark.parametrize("target,actual,score,deviation", [
    ("2 万元", "24%", "2.4", "-76.00"),
    ("87万元", "66%", "6.6", "-34.00"),
    ("1040 万元", "100%", "10", "0.00"),
    ("10000元", "120%", "10", "0.00"),   # over 100% is not rewarded
])
def test_completion_rate_actuals(target, actual, score, deviation):
    _, row = one_row(target, actual, 10, reason="原因")
    assert (row.score, row.deviation, row.rule) == (D(score), D(deviation), "completion_rate")


@pytest.mark.parametrize("target,actual", [
    ("相关", "相关"), ("相关", "100%"), ("明显提升", "达成"), ("逐步提升", "稳步提升"),
    ("应保尽保", "已完成"), ("生活水平提高", "100%"),
])
def test_qualitative_met_is_full_score(target, actual):
    _, row = one_row(target, actual, 10)
    assert (row.score, row.status, row.deviation) == (D(10), "met", D("0.00"))


@pytest.mark.parametrize("actual,score,ok", [
    ("部分达成", "7", True),
    ("部分达成", "8", False),     # 8 is the lower edge of 达成, outside [6, 8)
    ("部分达成", "5.9", False),
    ("未达成", "5", True),
    ("未达成", "6", False),
    ("达成", "8", True),
    ("达成", "7.5", False),
    ("70%", "7", True),           # a percent names its band: 70% → 部分达成
])
def test_judged_qualitative_scores_are_checked_against_their_band(actual, score, ok):
    scored, row = one_row("明显提升", actual, 10, score=score, reason="原因")
    assert scored.ok is ok, scored.issues
    if ok:
        assert row.score == D(score) and row.status == "judged"
    else:
        (issue,) = [i for i in scored.issues if i.severity == "error"]
        assert issue.location.path == "indicators[0].score"
        assert "区间" in issue.message


def test_band_edges_are_a_setting():
    settings = {"qualitative_bands": {"achieved": 80, "partial": 50}}
    scored, row = one_row("明显提升", "部分达成", 10, score="5", reason="原因", settings=settings)
    assert scored.ok and row.score == D(5)


def test_qualitative_without_a_judged_score_says_what_to_write():
    scored, row = one_row("明显提升", "有所提升", 10)
    (issue,) = scored.issues
    assert issue.severity == "error" and row.status == "error"
    assert "无法判断" in issue.message and "score" in issue.hint
    scored, _ = one_row("明显提升", "部分达成", 10)
    assert "[6, 8)" in scored.issues[0].hint


@pytest.mark.parametrize("target,actual,score", [
    ("22 年 12 月 31 号前", "100%", "10"),
    ("2022 年 12 月 31 日前", "2022年11月30日", "10"),
    ("年底前", "2022年12月31日", "10"),
    ("年底前", "已完成", "10"),
    ("2022年6月30日前", "80%", "8"),
    ("每月", "每月", "10"),
    ("2021 全年", "100%", "10"),
])
def test_deadlines(target, actual, score):
    _, row = one_row(target, actual, 10, reason="原因")
    assert row.score == D(score) and row.rule == "deadline", row.explanation


def test_a_late_completion_needs_a_judged_score():
    scored, _ = one_row("2022年6月30日前", "2022年8月1日", 10)
    assert not scored.ok and "判定得分" in scored.issues[0].hint
    scored, row = one_row("2022年6月30日前", "2022年8月1日", 10, score="5", reason="逾期")
    assert scored.ok and row.score == D(5)


ADJUSTMENT_BANDS = {"bands": [{"when": "=0", "score": 3}, {"when": "≤10%", "score": 2},
                              {"when": "≤20%", "score": 1}, {"when": "≤30%", "score": 0.5}],
                    "otherwise": 0}


@pytest.mark.parametrize("actual,score", [
    ("0%", "3"), ("10%", "2"), ("10.5%", "1"), ("20%", "1"), ("25%", "0.5"), ("30%", "0.5"), ("31%", "0"),
])
def test_band_table_rule(actual, score):
    _, row = one_row("=0", actual, 3, rule=ADJUSTMENT_BANDS, reason="原因")
    assert (row.score, row.rule) == (D(score), "bands"), row.explanation


@pytest.mark.parametrize("actual,score,whole", [
    ("5%", "3", False), ("7%", "2", False), ("8.5%", "1.25", False), ("8.5%", "1", True),
    ("20%", "0", False),   # 扣完为止: never below zero
])
def test_per_point_deduction(actual, score, whole):
    rule = {"deduct": 0.5, "per": 1, "whole_steps": whole}
    _, row = one_row("≤5%", actual, 3, rule=rule, reason="原因")
    assert (row.score, row.rule) == (D(score), "deduction"), row.explanation


def test_formula_rule():
    _, row = one_row("≥90%", "85%", 20, rule="weight * min(actual, target) / target", reason="原因")
    assert (row.score, row.rule) == (D("18.89"), "formula")
    assert "按公式" in row.explanation


def test_formula_result_is_clamped_to_the_weight():
    _, row = one_row("≥90%", "85%", 20, rule="weight * 3", reason="原因")
    assert row.score == D(20) and "封顶" in row.explanation
    _, row = one_row("≥90%", "85%", 20, rule="0 - weight", reason="原因")
    assert row.score == D(0)


def test_unknown_rule_name_suggests_the_closest():
    scored, _ = one_row("≤10%", "8%", 10, rule="reverse_lineer")
    (issue,) = scored.issues
    assert issue.location.path == "indicators[0].rule" and "reverse_linear" in issue.message


@pytest.mark.parametrize("precision,mode,score", [
    (2, "half_up", "18.89"), (1, "half_up", "18.9"), (0, "half_up", "19"), (2, "floor", "18.88"),
    (0, "floor", "18"),
])
def test_rounding_settings(precision, mode, score):
    scored = run_data(evaluation({"target": "≥90%", "actual": "85%", "weight": 20, "reason": "r"},
                                 {"level3": "x", "target": "≥1", "actual": "1", "weight": 70},
                                 rounding={"precision": precision, "mode": mode}))
    assert scored.result.indicators[0].score == D(score)
    assert scored.result.total == D(score) + 80


def test_half_up_not_bankers_rounding():
    # 10 × 0.0125/1 … pick a row whose exact score ends in 5 at the third decimal
    _, row = one_row("≥8", "1", 10, reason="r")  # 10 × 1/8 = 1.25 exactly
    assert row.score == D("1.25")
    _, row = one_row("≥16", "1", 10, reason="r")  # 0.625 → 0.63 half up (banker's gives 0.62)
    assert row.score == D("0.63")


def test_not_applicable_rows_are_left_out_or_rescaled():
    rows = ({"target": "≥90%", "actual": "90%", "weight": 45}, {"level3": "b", "target": "/", "actual": "/", "weight": 45})
    excluded = run_data(evaluation(*rows))
    assert excluded.ok and excluded.result.total == D(55)
    assert excluded.result.indicators[1].status == "not_applicable"
    rescaled = run_data(evaluation(*rows, settings={"not_applicable": "rescale"}))
    assert rescaled.result.total == D(100)  # 55 of the 55 applicable points, 按百分制折算


@pytest.mark.parametrize("total_row,grade", [("90", "优"), ("89.99", "良"), ("80", "良"), ("79", "中"),
                                             ("60", "中"), ("59.99", "差"), ("0", "差")])
def test_grades(total_row, grade):
    scored = run_data(evaluation({"target": "≥100", "actual": total_row, "weight": 100, "reason": "r"},
                                 funding_weight=0))
    assert scored.result.total == D(total_row) and scored.result.grade == grade


def test_funds_execution_uses_the_adjusted_budget_and_caps_at_the_weight():
    data = evaluation({"target": "≥1", "actual": "1", "weight": 90})
    data["funding"] = {"weight": 10, "initial_budget": 2, "annual_budget": "0.24", "executed": "0.24"}
    assert run_data(data).result.funding.score == D(10)  # 100% of 全年预算数, not 12% of 年初
    data["funding"] = {"weight": 10, "annual_budget": 100, "executed": 120}
    scored = run_data(data)
    assert scored.result.funding.score == D(10) and scored.result.funding.execution_rate == D(120)
    data["funding"] = {"weight": 10, "annual_budget": 100, "executed": "87.5"}
    assert run_data(data).result.funding.score == D("8.8")  # one decimal by default (DOMAIN §2)
    data["rounding"] = {"funding_precision": 2}
    assert run_data(data).result.funding.score == D("8.75")


def test_a_judged_score_on_a_quantitative_row_is_used_and_the_computed_one_shown():
    _, row = one_row("≥90%", "85%", 20, score="19", reason="r")
    assert row.score == D(19) and row.status == "judged"
    assert "18.89" in row.explanation


def test_reverse_ratio_with_an_actual_of_zero_scores_zero_instead_of_dividing_by_it():
    # A reverse rule named on a ≥ target: 0% misses it, and 分值 × 目标/实际 has no value.
    scored = run_data(evaluation({"level1": "产出指标", "level3": "x", "target": "≥90%", "actual": "0%",
                                  "weight": "90", "rule": "reverse_ratio"}))
    row = scored.result.indicators[0]
    assert (row.score, row.status) == (Decimal("0"), "missed") and "无法按" in row.reason
