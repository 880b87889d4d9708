"""The rules of provinces, platforms and the central guidance (issue 14), each a setting.

Numbers first from real prints: seed 001 (9.985 → 10), 廊坊 (8.62 → 9, whole points half up),
临翔 and 稷山 (9.78 → 9, 9.91 → 9, whole points rounded down); the platform manual's caps
(https://desk33.com/d-565511.html) and its 指标偏离 rule; 财预〔2021〕101号 and 61号 layouts.
"""

from decimal import Decimal

import pytest
from conftest import evaluation
from hypothesis import given
from hypothesis import strategies as st
from test_properties import PROPERTY, decimals, evaluations, text

from scoring.core.differences import differences
from scoring.core.model import Funding, Rounding
from scoring.core.score import score_funding
from scoring.outputs.show import format_text, to_json_data
from scoring.pipeline import run_data
from scoring.sources.instantiate import instantiate
from scoring.sources.templates import load_template, shipped_templates

D = Decimal


# ------------------------------------------------------------ the funds score's rounding


@pytest.mark.parametrize("budget,executed,rounding,score", [
    ("2591.78", "2587.78", {}, "10.0"),                              # seed 001: 9.985 → 10 (one decimal)
    ("100", "86.2", {"precision": 0}, "9"),                          # 廊坊: 8.62 → 9, whole points half up
    ("100", "97.8", {"precision": 0, "mode": "floor"}, "9"),         # 临翔: 9.78 → 9, whole points down
    ("100", "99.1", {"precision": 0, "mode": "floor"}, "9"),         # 稷山: 9.91 → 9
    ("100", "87.46", {"precision": 1}, "8.7"),                       # a table in one decimal keeps one
    ("100", "87.46", {"mode": "floor"}, "8.7"),                      # one decimal, rounded down
    ("100", "87.46", {"funding_precision": 2}, "8.75"),              # the override still wins
])
def test_the_funds_score_is_rounded_to_one_decimal_or_the_tables_coarser_precision(budget, executed, rounding, score):
    result, issues = score_funding(Funding(weight=10, annual_budget=budget, executed=executed), Rounding(**rounding))
    assert not issues and result.score == D(score), result.explanation


def test_the_funds_rounding_is_explained_in_words():
    result, _ = score_funding(Funding(weight=10, annual_budget="100", executed="97.8"), Rounding(precision=0, mode="floor"))
    assert result.explanation.endswith("10 × 97.80% = 9.78，向下舍去至整数得 9")


# ------------------------------------------------------------ the funds block's shape


def test_the_rate_can_be_taken_against_the_initial_budget():
    data = evaluation({"target": "≥1", "actual": "1", "weight": 90}, settings={"funding_rate_base": "initial"})
    data["funding"] = {"weight": 10, "initial_budget": 200, "executed": 150}  # no 全年预算数 column
    scored = run_data(data)
    assert scored.ok, scored.issues
    assert scored.result.funding.execution_rate == D("75.00") and scored.result.funding.score == D("7.5")
    assert "÷ 年初预算数 200" in scored.result.funding.explanation


def test_without_the_initial_budget_the_initial_base_names_what_is_missing():
    data = evaluation({"target": "≥1", "actual": "1", "weight": 90}, settings={"funding_rate_base": "initial"})
    data["funding"] = {"weight": 10, "annual_budget": 200, "executed": 150}
    scored = run_data(data)
    assert [i.message for i in scored.issues if i.severity == "error"] == ["资金情况缺少年初预算数"]


@pytest.mark.parametrize("weight,rows_weight,funds_score", [("0", "100", "0"), ("20", "80", "15")])
def test_the_funds_row_may_weigh_0_or_20(weight, rows_weight, funds_score):
    data = evaluation({"target": "≥1", "actual": "1", "weight": rows_weight}, funding_weight=weight)
    data["funding"].update(annual_budget="100", executed="75")
    scored = run_data(data)
    assert scored.ok, scored.issues
    assert scored.result.funding.execution_rate == D("75.00")  # shown even when it weighs nothing
    assert scored.result.funding.score == D(funds_score)
    assert scored.result.total == D(rows_weight) + D(funds_score)


# ------------------------------------------------------------ the cap by execution rate

PLATFORM_CAPS = [{"below": 80, "max_total": 89}, {"below": 70, "max_total": 79},
                 {"below": 60, "max_total": 69}, {"below": 50, "max_total": 59}]


def _capped(executed: str, rows_full: bool = True):
    row = {"target": "≥1", "actual": "1" if rows_full else "0.5", "weight": 90, "reason": "r"}
    data = evaluation(row, settings={"execution_caps": PLATFORM_CAPS})
    data["funding"].update(annual_budget="100", executed=executed)
    return run_data(data)


@pytest.mark.parametrize("executed,total", [
    ("100", "100"),     # no cap
    ("80", "98"),       # 80% is not "below 80%": 90 + 8
    ("79.99", "89"),    # 70–80% → at most 89 (90 + 8.0 = 98)
    ("65", "79"),       # 60–70% → 79
    ("55", "69"),       # below 60% → 69
    ("49", "59"),       # below 50% → 59, the smallest cap
])
def test_the_total_is_capped_by_the_execution_rate(executed, total):
    scored = _capped(executed)
    assert scored.ok, scored.issues
    assert scored.result.total == D(total)
    if total != "100" and executed != "80":
        assert "总分封顶" in scored.result.note and "各项得分合计" in scored.result.note
        assert scored.result.note in format_text(scored) and to_json_data(scored)["total_note"] == scored.result.note


def test_a_cap_never_raises_a_total_below_it():
    scored = _capped("65", rows_full=False)  # 45 + 6.5 = 51.5 < 79
    assert scored.result.total == D("51.5") and scored.result.note == ""


@PROPERTY
@given(data=evaluations(), caps=st.lists(st.tuples(decimals(1, 100), decimals(0, 100)), min_size=1, max_size=4))
def test_a_cap_never_raises_a_total(data, caps):
    plain_total = run_data(data).result
    data["settings"] = {"execution_caps": [{"below": text(b), "max_total": text(m)} for b, m in caps]}
    capped = run_data(data).result
    if plain_total.total is None:
        return
    assert capped.total <= plain_total.total
    rate = capped.funding.execution_rate
    applicable = [m for b, m in caps if rate is not None and rate < b]
    assert capped.total == (min([plain_total.total, *applicable]))


# ------------------------------------------------------------ 指标偏离


@pytest.mark.parametrize("target,actual,weight,score", [
    ("≥100米", "130米", "10", "8"),         # exactly 30% above: −2
    ("≥100米", "129.9米", "10", "10"),      # below the threshold: full
    ("≥100米", "300米", "1.5", "0"),        # never below 0
    ("≥90%", "85%", "20", "18.89"),        # a shortfall is not a deviation: the worked example holds
    ("≤10%", "2%", "10", "10"),            # reverse rows are not penalised for being low
])
def test_a_row_far_above_its_target_loses_points(target, actual, weight, score):
    fw = str(100 - D(weight))
    data = evaluation({"target": target, "actual": actual, "weight": weight, "reason": "r"}, funding_weight=fw,
                      settings={"deviation_penalty": {"threshold": 30, "points": 2}})
    row = run_data(data).result.indicators[0]
    assert row.score == D(score), row.explanation
    if score != weight and target.startswith("≥1"):
        assert "指标偏离" in row.explanation


def test_without_the_setting_over_achievement_is_only_a_warning():
    data = evaluation({"target": "≥100米", "actual": "150米", "weight": "90"})
    scored = run_data(data)
    assert scored.result.indicators[0].score == D(90)
    assert any("年度指标值可能设定偏低" in i.message and i.severity == "warning" for i in scored.issues)


@PROPERTY
@given(data=evaluations(), threshold=decimals(1, 100), points=decimals(0, 30))
def test_the_penalty_keeps_every_row_between_zero_and_its_weight(data, threshold, points):
    data["settings"] = {"deviation_penalty": {"threshold": text(threshold), "points": text(points)}}
    result = run_data(data).result
    for row in result.indicators:
        if row.score is not None:
            assert 0 <= row.score <= row.weight


# ------------------------------------------------------------ 其中 rows


def test_a_breakdown_row_is_shown_and_never_scored():
    data = evaluation({"target": "≥100米", "actual": "100米", "weight": "90"},
                      {"level3": "其中：干渠", "target": "≥60米", "actual": "20米", "breakdown": True})
    scored = run_data(data)
    assert scored.ok, scored.issues
    row = scored.result.indicators[1]
    assert (row.score, row.status, row.weight) == (None, "breakdown", D(0))
    assert scored.result.total == D(100) and scored.result.weight_total == D(100)
    assert not [i for i in scored.issues if "指标2" in i.message]  # no shortfall reason asked for
    assert to_json_data(scored)["indicators"][1]["breakdown"] is True


def test_only_a_breakdown_row_may_omit_its_weight():
    scored = run_data(evaluation({"target": "≥1", "actual": "1"}))
    (issue,) = [i for i in scored.issues if i.severity == "error"]
    assert issue.location.path == "indicators[0].weight"


# ------------------------------------------------------------ printed against computed, with causes


def _printed(rows, **top):
    data = evaluation(*rows, **top)
    scored = run_data(data)
    return {d.path: d for d in differences(scored.evaluation, scored.result)}, scored


def test_a_met_row_printed_below_full_is_a_judgement_deduction():
    found, scored = _printed([{"target": "≧100%", "actual": "100%", "weight": "90", "printed_score": "87"}])
    d = found["indicators[0].printed_score"]
    assert (d.cause, d.printed, d.computed) == ("judgement", D(87), D(90))
    assert "没有规则给出 87 分" in d.why
    (issue,) = [i for i in scored.issues if i.location.path == "indicators[0].printed_score"]
    assert "可能原因（评价人酌情扣分）" in issue.hint and issue.severity == "warning"


def test_a_row_printed_in_whole_points_is_a_rounding_difference():
    found, _ = _printed([{"target": "≥90%", "actual": "85%", "weight": "20", "printed_score": "19", "reason": "r"},
                         {"target": "≥1", "actual": "1", "weight": "70"}])
    d = found["indicators[0].printed_score"]
    assert d.cause == "rounding" and "18.89 四舍五入取整为 19" in d.why


def test_a_missed_row_printed_full():
    found, _ = _printed([{"target": "≥90%", "actual": "85%", "weight": "90", "printed_score": "90", "reason": "r"}])
    assert found["indicators[0].printed_score"].cause == "full_despite_shortfall"


def test_totals_sum_slips_and_rows():
    rows = [{"target": "≥1", "actual": "1", "weight": "45", "printed_score": "45"},
            {"target": "≥1", "actual": "1", "weight": "45", "printed_score": "40"}]
    found, _ = _printed(rows, printed_total="95")
    assert found["printed_total"].cause == "follows_rows"  # 10 + 45 + 40 = 95: the row explains it
    found, _ = _printed(rows, printed_total="97")
    assert found["printed_total"].cause == "sum_slip" and "各行印刷得分之和为 95" in found["printed_total"].why


def test_a_funds_score_printed_from_a_wrong_rate():
    data = evaluation({"target": "≥1", "actual": "1", "weight": "90"})
    data["funding"].update(annual_budget="100", executed="80", printed_rate="90", printed_score="9")
    scored = run_data(data)
    found = {d.path: d for d in differences(scored.evaluation, scored.result)}
    assert found["funding.printed_rate"].cause == "rate_slip"
    assert found["funding.printed_score"].cause == "rate_slip"


def test_weights_of_a_printed_table_adding_to_110_are_a_warning_with_its_cause():
    data = evaluation({"target": "≥1", "actual": "1", "weight": "100", "printed_score": "100"}, printed_total="110",
                      printed_weight_total="110")
    scored = run_data(data)
    (issue,) = [i for i in scored.issues if i.location.path == "indicators"]
    assert issue.severity == "warning" and "分值合计为 110" in issue.message and "分值合计不为 100" in issue.hint
    assert scored.result.total == D(110)
    assert [d.cause for d in differences(scored.evaluation, scored.result)] == ["weights_not_100"]
    # the same weights in a unit's own file, or changed by a reviewer, are an error to fix
    data.pop("printed_weight_total")
    assert not run_data(data).ok
    # a print whose 合计 row says 100 over rows adding to 110 (中江, 四川): a slip in the weights' sum
    data["printed_weight_total"] = "100"
    scored = run_data(data)
    assert scored.ok and scored.result.total == D(110)
    (d,) = differences(scored.evaluation, scored.result)[:1]
    assert (d.path, d.cause, d.printed, d.computed) == ("printed_weight_total", "sum_slip", D(100), D(110))


# ------------------------------------------------------------ the central and special-bond layouts


@pytest.mark.parametrize("name,weights", [
    ("central_project_cost", {"年度资金总额": 10, "成本指标": 20, "产出指标": 40, "效益指标": 20, "满意度指标": 10}),
    ("special_bond_project", {"专项债券资金": 10, "成本指标": 20, "产出指标": 40, "效益指标": 20, "满意度指标": 10}),
    ("special_bond_project_no_spending", {"专项债券资金": 0, "成本指标": 30, "产出指标": 40, "效益指标": 20,
                                          "满意度指标": 10}),
    ("platform_project", {"年度资金总额": 10, "产出指标": 50, "效益指标": 30, "满意度指标": 10}),
])
def test_the_guidance_layouts_weigh_as_their_documents_say(name, weights):
    path = next(p for p in shipped_templates() if p.stem == name)
    template = load_template(path).template
    got = {template.funding.label: template.funding.weight, **{n.name: n.weight for n in template.indicators}}
    assert got == {k: D(v) for k, v in weights.items()}
    assert template.source and "〔20" in template.source or "desk33" in template.source


def test_a_special_bond_project_without_spending_scores_its_rows_to_100():
    template = load_template(next(p for p in shipped_templates() if p.stem == "special_bond_project_no_spending")).template
    rows = [{"level1": l1, "level2": l2, "level3": l3, "target": "≥1"} for l1, l2, l3 in (
        ("成本指标", "经济成本指标", "单位造价"), ("产出指标", "数量指标", "管网长度"),
        ("效益指标", "社会效益指标", "受益人口"), ("满意度指标", "服务对象满意度指标", "群众满意度"))]
    data, issues = instantiate(template, unit="某县住建局", year=2023, project="污水管网", rows=rows)
    assert not issues
    for row in data["indicators"]:
        row["actual"] = "1"
    data["funding"].update(initial_budget="0", annual_budget="0", executed="0")
    scored = run_data(data)
    assert scored.result.total == D(100), scored.issues
    assert scored.result.funding.weight == 0


def test_a_judged_row_without_a_printed_target_is_scored_as_judged():
    # 宁夏 and 安徽 prints give some rows an actual and a score but no 年度指标值
    data = evaluation({"actual": "按要求完成", "score": "8", "weight": "10", "reason": "r"},
                      {"target": "≥1", "actual": "1", "weight": "80"})
    scored = run_data(data)
    assert scored.ok, scored.issues
    row = scored.result.indicators[0]
    assert (row.score, row.status) == (D(8), "judged")
    # without a judged score the missing target is still an error, at its key
    data["indicators"][0].pop("score")
    assert [i.location.path for i in run_data(data).issues if i.severity == "error"] == ["indicators[0].target"]


@pytest.mark.parametrize("target,actual,score", [
    ("9月前", "7月", "10"),       # 金寨 (安徽): done in July, due before September
    ("11月前", "10月", "10"),
    ("9月前", "达成预期指标", "10"),  # 棠溪 (安徽): the common actual wording
])
def test_province_deadline_and_wording_forms(target, actual, score):
    data = evaluation({"target": target, "actual": actual, "weight": "10"}, {"target": "≥1", "actual": "1", "weight": "80"})
    scored = run_data(data)
    assert scored.ok, scored.issues
    assert scored.result.indicators[0].score == D(score)


def test_a_month_after_the_deadline_still_needs_a_judged_score():
    data = evaluation({"target": "9月前", "actual": "11月", "weight": "10"}, {"target": "≥1", "actual": "1", "weight": "80"})
    (issue,) = [i for i in run_data(data).issues if i.severity == "error"]
    assert issue.location.path == "indicators[0].actual" and "判定得分 score" in issue.hint


def test_achieving_the_expected_indicator_meets_a_qualitative_target():
    data = evaluation({"target": "效果明显", "actual": "达成预期指标", "weight": "10"},
                      {"target": "≥1", "actual": "1", "weight": "80"})
    assert run_data(data).result.indicators[0].score == D(10)


def test_a_breakdown_row_with_a_printed_weight_is_still_not_weighed(tmp_path):
    from test_render import render

    data = evaluation({"target": "≥100米", "actual": "100米", "weight": "90"},
                      {"level3": "其中：干渠", "target": "≥60米", "actual": "20米", "weight": "10", "breakdown": True})
    scored = run_data(data)
    assert scored.ok, scored.issues
    assert scored.result.weight_total == D(100) and scored.result.total == D(100)
    from docx import Document

    rows = [[c.text for c in r.cells] for t in Document(render(scored, tmp_path)).tables for r in t.rows]
    (row,) = [r for r in rows if "其中：干渠" in r]
    assert "10" not in row and "—" not in row  # 分值 and 得分 printed blank


def test_a_penalised_row_shows_the_deviation_it_was_penalised_for():
    data = evaluation({"target": "≥100米", "actual": "140米", "weight": "90", "reason": "r"},
                      settings={"deviation_penalty": {"threshold": 30, "points": 2}})
    row = run_data(data).result.indicators[0]
    assert (row.score, row.deviation) == (D(88), D("40.00"))


def test_a_completion_rate_far_above_its_amount_target_is_penalised():
    data = evaluation({"target": "87万元", "actual": "140%", "weight": "90", "reason": "r"},
                      settings={"deviation_penalty": {"threshold": 30, "points": 2}})
    assert run_data(data).result.indicators[0].score == D(88)


@pytest.mark.parametrize("executed,printed", [("86.25", "86.3"), ("86.5", "87"), ("86.59", "86.5")])
def test_a_rate_printed_at_its_own_precision_half_up_or_down_is_no_difference(executed, printed):
    data = evaluation({"target": "≥1", "actual": "1", "weight": "90"})
    data["funding"].update(annual_budget="100", executed=executed, printed_rate=printed)
    scored = run_data(data)
    assert not [d for d in differences(scored.evaluation, scored.result) if d.path == "funding.printed_rate"]


def test_a_funds_row_worth_0_with_a_printed_score_is_explained_not_a_crash():
    data = evaluation({"target": "≥1", "actual": "1", "weight": "100"}, funding_weight="0")
    data["funding"] = {"weight": 0, "printed_score": 10}
    scored = run_data(data)
    (d,) = differences(scored.evaluation, scored.result)
    assert (d.path, d.cause) == ("funding.printed_score", "unknown")


def test_a_judged_row_printed_otherwise_says_it_was_judged():
    found, _ = _printed([{"target": "显著提升", "actual": "未提升", "score": "90", "weight": "90",
                          "printed_score": "80", "reason": "r"}])
    d = found["indicators[0].printed_score"]
    assert d.cause == "judgement" and d.why == "该行为评价人判定得分 90，印刷 80"


def test_a_met_row_printed_as_weight_times_its_actual_rate():
    found, _ = _printed([{"target": "98%", "actual": "98%", "weight": "20", "printed_score": "19.6"},
                         {"target": "≥1", "actual": "1", "weight": "70"}])
    d = found["indicators[0].printed_score"]
    assert d.cause == "actual_rate" and "19.6 = 分值 20 × 实际完成值 98%" in d.why


def test_a_month_is_taken_at_its_end_against_a_day_deadline():
    data = evaluation({"target": "2022年9月15日前", "actual": "9月", "weight": "10"},
                      {"target": "≥1", "actual": "1", "weight": "80"})
    assert not run_data(data).ok  # September may be after the 15th: a judged score is asked for
    data["indicators"][0]["target"] = "2022年9月30日前"
    assert run_data(data).result.indicators[0].score == D(10)


def test_a_contradicting_execution_rate_row_names_the_base_the_table_uses():
    data = evaluation({"level3": "预算执行率", "target": "≥90%", "actual": "100%", "weight": "90"},
                      settings={"funding_rate_base": "initial"})
    data["funding"] = {"weight": 10, "initial_budget": 200, "executed": 150}
    (issue,) = [i for i in run_data(data).issues if i.location.path == "indicators[0].actual"]
    assert "全年执行数 ÷ 年初预算数" in issue.message and "75.00%" in issue.message
