"""The shortcuts of the scoring path (issue 18) give what the long way gives: the parse
stage's caches, the rows scored without the general dispatch, numbers printed through
str(), the text normalised with its steps skipped when they have nothing to do."""

from __future__ import annotations

from decimal import Decimal

import pytest

from scoring.core import parse
from scoring.core.model import Evaluation
from scoring.core.numbers import plain
from scoring.core.parse import Unreadable, parse_evaluation
from scoring.core.score import score_evaluation, score_indicator
from scoring.core.values import normalize, parse_actual, parse_value


def evaluation(*rows: tuple, **settings) -> Evaluation:
    return Evaluation.model_validate({
        "kind": "department", "unit": "某单位", "year": 2022, "settings": settings,
        "indicators": [{"level1": "产出指标", "level2": "数量指标", "level3": f"指标{i}", "target": t, "actual": a,
                        "weight": w, "reason": "说明"} for i, (t, a, w) in enumerate(rows)]})


ROWS = (("≥90%", "85%", 20), (">4000 人", "3000人", 10), ("≤5%", "8%", 10), ("2万元", "24%", 10),
        ("≥90%", "99%", 10), ("=100%", "90", 10), ("≤10天", "12日", 10), ("相关", "达成", 5),
        ("2022年12月31日前", "80%", 5), ("明显提升", "稳步提升", 5), ("≥90%", "150人", 5))


def test_the_parse_caches_start_afresh_past_their_bound_and_read_the_same(monkeypatch):
    ev = evaluation(*ROWS)
    first = parse_evaluation(ev)
    monkeypatch.setattr(parse, "CACHE_SIZE", 3)
    parse.clear_caches()
    again = parse_evaluation(ev)
    assert again == first
    assert len(parse._TARGETS) <= 3 and len(parse._ACTUALS) <= 3
    assert [r.target for r in again.indicators] == [parse_value(t) for t, _, _ in ROWS]
    assert [r.actual for r in again.indicators] == [parse_actual(a) for _, a, _ in ROWS]


def test_an_unreadable_text_is_cached_as_the_same_problem():
    ev = evaluation(("≥abc", "90%", 50), ("≥abc", "1.2.3%", 50))
    first, second = parse_evaluation(ev).indicators
    assert first.target == second.target == Unreadable("≥abc", "“≥abc”不是可识别的数值")
    assert second.actual == Unreadable("1.2.3%", "“1.2.3%”不是可识别的数值")


@pytest.mark.parametrize("reverse_rule", ["reverse_ratio", "reverse_linear"])
@pytest.mark.parametrize("when_met", ["zero", "actual"])
def test_rows_scored_in_an_evaluation_are_those_scored_one_by_one(reverse_rule, when_met):
    ev = evaluation(*ROWS, reverse_rule=reverse_rule, deviation_when_met=when_met,
                    deviation_penalty={"threshold": 30, "points": 2})
    parsed = parse_evaluation(ev)
    result = score_evaluation(parsed)
    one_by_one = [score_indicator(row, ev.settings, ev.rounding, ev.year) for row in parsed.indicators]
    assert list(result.indicators) == [r for r, _ in one_by_one]
    assert [i for _, found in one_by_one for i in found] == list(result.issues)
    rows = {r.level3: r for r in result.indicators}
    assert (rows["指标0"].score, rows["指标0"].rule, rows["指标0"].explanation) == (
        Decimal("18.89"), "positive_ratio", "实际 85% 未达到目标 ≥90%：20 × 85/90 = 18.89")
    assert rows["指标2"].rule == reverse_rule
    assert (rows["指标3"].rule, rows["指标3"].score) == ("completion_rate", Decimal("2.40"))
    assert rows["指标4"].deviation == (Decimal("10.00") if when_met == "actual" else Decimal("0.00"))
    assert rows["指标5"].rule == "equality"
    assert (rows["指标7"].rule, rows["指标7"].status) == ("qualitative", "met")
    assert (rows["指标8"].rule, rows["指标8"].score) == ("deadline", Decimal("4.00"))
    assert rows["指标10"].status == "error"  # 人 against %: the units disagree
    assert any("单位不一致" in i.message for i in result.issues)


def test_a_judged_score_or_a_named_rule_still_takes_the_long_way():
    ev = Evaluation.model_validate({
        "kind": "department", "unit": "某单位", "year": 2022, "indicators": [
            {"level1": "产出指标", "level3": "甲", "target": "≥90%", "actual": "85%", "weight": 50, "score": 45,
             "reason": "说明"},
            {"level1": "产出指标", "level3": "乙", "target": "≤5%", "actual": "8%", "weight": 50,
             "rule": "reverse_linear", "reason": "说明"}]})
    first, second = score_evaluation(parse_evaluation(ev)).indicators
    assert (first.status, first.score) == ("judged", Decimal("45.00"))
    assert (second.rule, second.score) == ("reverse_linear", Decimal("20.00"))


@pytest.mark.parametrize("text, printed", [
    ("10.00", "10"), ("2.40", "2.4"), ("1E+1", "10"), ("1E-7", "0.0000001"), ("-0.00", "0"), ("0E-5", "0"),
    ("123456789.1230", "123456789.123"), ("-5.50", "-5.5"),
])
def test_plain_prints_every_decimal_as_its_digits(text, printed):
    assert plain(Decimal(text)) == printed


@pytest.mark.parametrize("text, normal", [
    ("\u3000≥ 90 %\t", "≥90%"), ("≧100%", "≥100%"), (">=90%%", "≥90%"), ("=> 5", "≥5"), ("１５０ 万", "150万"),
    ("≈50\u00a0家", "约50家"), ("合规", "合规"), ("", ""),
])
def test_normalize_skips_only_the_steps_with_nothing_to_do(text, normal):
    assert normalize(text) == normal
