"""The parse stage: targets, actuals and rules are read once, right after loading, and
scoring takes the typed values only."""

from __future__ import annotations

from decimal import Decimal

import pytest

from scoring.core import formulas, rules, values
from scoring.core.formulas import Formula
from scoring.core.model import Evaluation
from scoring.core.parse import CompiledBands, RuleProblem, Unreadable, parse_evaluation
from scoring.core.score import score_evaluation
from scoring.core.values import Judgement, NotApplicable, Quantity
from scoring.pipeline import run_data


def evaluation(*rows: dict) -> dict:
    return {"kind": "department", "unit": "某单位", "year": 2022, "indicators": list(rows)}


def row(level3: str, target, actual, weight=100, **more) -> dict:
    return {"level1": "效益指标", "level2": "满意度指标", "level3": level3, "target": target,
            "actual": actual, "weight": weight, "reason": "说明", **more}


def test_each_target_actual_and_rule_is_read_once_into_a_typed_value():
    ev = Evaluation.model_validate(evaluation(
        row("满意度", "≥90%", "85%", 40),
        row("按时完成", "年底前", "达成", 30, rule="reverse_ratio"),
        row("公式", "≥90%", "", 20, rule="weight * ratio"),
        row("不适用", "/", "/", 10, rule={"bands": [{"when": "=0", "score": 10}]}),
    ))
    parsed = parse_evaluation(ev)
    first, second, third, fourth = parsed.indicators
    assert first.target == Quantity(">=", Decimal(90), "%", "≥90%")
    assert first.actual == Quantity(None, Decimal(85), "%", "85%")
    assert first.indicator is ev.indicators[0] and first.path("actual") == "indicators[0].actual"
    assert second.actual == Judgement("achieved", "达成") and second.rule == "reverse_ratio"
    assert third.actual is None and isinstance(third.rule, Formula) and third.rule.text == "weight * ratio"
    assert fourth.target == NotApplicable("/")
    assert isinstance(fourth.rule, CompiledBands) and fourth.rule.conditions[0].number == 0


def test_scoring_parses_no_text_itself(monkeypatch):
    """Once parsed, the evaluation scores with every parser of text removed."""
    ev = Evaluation.model_validate(evaluation(
        row("满意度", "≥90%", "85%", 20),
        row("档", "≤10%", "12%", 40, rule={"bands": [{"when": "≤10%", "score": 40}, {"when": "≤20%", "score": 20}]}),
        row("公式", "≥100人", "80人", 40, rule="weight * ratio"),
    ))
    parsed = parse_evaluation(ev)

    def refuse(*args, **kwargs):
        raise AssertionError("scoring parsed text")

    for module, name in ((values, "parse_value"), (rules, "parse_value"), (rules, "band_condition"),
                         (rules, "formula_of"), (rules, "classify_rule"), (formulas, "compile_formula")):
        monkeypatch.setattr(module, name, refuse)
    result = score_evaluation(parsed)
    assert [r.score for r in result.indicators] == [Decimal("18.89"), Decimal(20), Decimal(32)]
    assert result.indicators[0].deviation == Decimal("-5.56")


def test_unreadable_text_is_a_value_and_its_row_an_error_at_the_cell():
    ev = Evaluation.model_validate(evaluation(row("满意度", "≥abc", "1.2.3%")))
    parsed = parse_evaluation(ev)
    assert parsed.indicators[0].target == Unreadable("≥abc", "“≥abc”不是可识别的数值")
    assert isinstance(parsed.indicators[0].actual, Unreadable)
    scored = run_data(evaluation(row("满意度", "≥abc", "1.2.3%")))
    [issue] = [i for i in scored.issues if i.severity == "error" and i.location.path.startswith("indicators[0]")]
    assert issue.location.path == "indicators[0].target"
    assert issue.message == "三级指标“满意度”的年度指标值“≥abc”不是可识别的数值"


BANDS = {"bands": [{"when": "=0", "score": 100}, {"when": "≤abc", "score": 50}]}


def test_a_band_condition_that_cannot_be_read_is_an_error_only_when_scoring_reaches_it():
    reached_first = run_data(evaluation(row("调整率", "=0", "0", rule=BANDS)))
    assert reached_first.ok and reached_first.result.total == Decimal(100)
    reached_second = run_data(evaluation(row("调整率", "=0", "5", rule=BANDS)))
    [issue] = [i for i in reached_second.issues if i.severity == "error"]
    assert issue.location.path == "indicators[0].rule"
    assert "评分档条件“≤abc”" in issue.message


def test_a_rule_that_cannot_be_compiled_is_no_error_on_a_row_that_does_not_apply():
    parsed = parse_evaluation(Evaluation.model_validate(evaluation(row("公式", "/", "/", rule="weight * nonsense"))))
    assert isinstance(parsed.indicators[0].rule, RuleProblem)
    assert run_data(evaluation(row("公式", "/", "/", rule="weight * nonsense"))).ok
    scored = run_data(evaluation(row("公式", "≥90%", "80%", rule="weight * nonsense")))
    [issue] = [i for i in scored.issues if i.severity == "error"]
    assert issue.location.path == "indicators[0].rule" and "nonsense" in issue.message


@pytest.mark.parametrize("name", ["bands", "deduction"])
def test_a_kind_of_rule_named_without_its_table_says_how_to_write_it(name):
    # used to end in KeyError (内部错误) when scoring looked the name up as a ratio rule
    scored = run_data(evaluation(row("档", "≥90%", "80%", rule=name)))
    [issue] = [i for i in scored.issues if i.severity == "error"]
    assert issue.location.path == "indicators[0].rule"
    assert issue.message.startswith(f"三级指标“档”的评分规则：“{name}”是")
    assert "rule: {" in issue.message
