"""Properties of scoring that hold for every input, checked with hypothesis.

Evaluations are built as plain dicts (DOMAIN.md §4) and run through
`run_data`, so every property covers the loader, the value parser, the rules
and the totals together. Numbers are written as decimal strings, never floats.
"""

from __future__ import annotations

import copy
from decimal import ROUND_HALF_UP, Decimal, localcontext

from hypothesis import example, given, settings
from hypothesis import strategies as st

from scoring.outputs.show import to_json
from scoring.pipeline import Scored, run_data

ONE = Decimal(1)
PROPERTY = settings(max_examples=200, deadline=None, database=None)
CENT = Decimal("0.01")
FUNDING_WEIGHT = Decimal(10)


def half_up(value: Decimal) -> Decimal:
    return value.quantize(CENT, rounding=ROUND_HALF_UP)


def exact(compute) -> Decimal:
    """`compute()` in a context wide enough that the result is exact for our inputs."""
    with localcontext() as ctx:
        ctx.prec = 80
        return compute()


def text(number: Decimal) -> str:
    return format(number, "f")


def decimals(low: int, high: int, places: int = 2) -> st.SearchStrategy[Decimal]:
    """Decimals in [low, high] with `places` decimals, built from integers."""
    scale = 10**places
    return st.integers(low * scale, high * scale).map(lambda n: Decimal(n).scaleb(-places))


# ---------------------------------------------------------------- the rows

# Each form is (kind, target text, actual text) for a target number t and an actual number a.
POSITIVE_FORMS = {
    "≥%": (lambda t: f"≥{t}%", lambda a: f"{a}%"),
    ">%": (lambda t: f">{t}%", lambda a: f"{a}%"),
    "不低于%": (lambda t: f"不低于{t}%", lambda a: f"{a}%"),
    "人": (lambda t: f"{t}人", lambda a: f"{a}人"),
    "万元": (lambda t: f"{t} 万元", lambda a: f"{a} 万元"),
    # issue 14: lookalike glyphs (云南 ≧), actuals printed with their operator (≥90%, ≥266米)
    "≧%": (lambda t: f"≧{t}%", lambda a: f"{a}%"),
    "＞＝%": (lambda t: f"＞＝{t}%", lambda a: f"{a}%"),
    "≥%/≥实际": (lambda t: f"≥{t}%", lambda a: f"≥{a}%"),
    "≥米/≥实际": (lambda t: f"≥{t}米", lambda a: f"≥{a}米"),
    "百分比": (lambda t: f"≥{t}百分比", lambda a: f"{a}%"),
}
REVERSE_FORMS = {
    "≤%": (lambda t: f"≤{t}%", lambda a: f"{a}%"),
    "<%": (lambda t: f"<{t}%", lambda a: f"{a}%"),
    "不超过%": (lambda t: f"不超过{t}%", lambda a: f"{a}%"),
    "以内人": (lambda t: f"{t}人以内", lambda a: f"{a} 人"),
    "≦%": (lambda t: f"≦{t}%", lambda a: f"{a}%"),
    "≤天/≤实际": (lambda t: f"≤{t}天", lambda a: f"≤{a}天"),
}
EQUALITY_FORMS = {
    "=%": (lambda t: f"={t}%", lambda a: f"{a}%"),
    "═%": (lambda t: f"═{t}%", lambda a: f"{a}%"),  # U+2550: quantitative, never a judgement
    "＝%/≥实际": (lambda t: f"＝{t}%", lambda a: f">={a}%"),
}
# An amount target with a percent actual: the percent is a completion rate (DOMAIN §2).
COMPLETION_FORMS = {
    "万元/完成率": (lambda t: f"{t} 万元", lambda a: f"{a}%"),
}
ALL_FORMS = {**POSITIVE_FORMS, **REVERSE_FORMS, **EQUALITY_FORMS, **COMPLETION_FORMS}
RISING_FORMS = {**POSITIVE_FORMS, **EQUALITY_FORMS, **COMPLETION_FORMS}  # more is better

targets = decimals(0, 200)
actuals = decimals(0, 400)


@st.composite
def rows(draw, forms=ALL_FORMS):
    form = draw(st.sampled_from(sorted(forms)))
    make_target, make_actual = forms[form]
    t = draw(targets)
    if form in COMPLETION_FORMS:
        t = max(t, CENT)  # an amount of 0 万元 has no completion rate
    return form, make_target(text(t)), make_actual(text(draw(actuals)))


@st.composite
def weights_summing_to(draw, n: int, total: Decimal) -> list[Decimal]:
    """n weights with two decimals, each ≥ 0, summing exactly to `total`."""
    cents = int(total * 100)
    cuts = sorted(draw(st.lists(st.integers(0, cents), min_size=n - 1, max_size=n - 1)))
    bounds = [0, *cuts, cents]
    return [Decimal(hi - lo).scaleb(-2) for lo, hi in zip(bounds, bounds[1:])]


def indicator(i: int, target: str, actual: str, weight: Decimal) -> dict:
    return {"level1": "产出指标", "level2": "数量指标", "level3": f"指标{i}", "target": target,
            "actual": actual, "weight": text(weight), "reason": "偏差原因已说明"}


@st.composite
def funding(draw) -> dict:
    budget = draw(decimals(1, 1000))
    executed = draw(decimals(0, 1200))
    return {"weight": text(FUNDING_WEIGHT), "initial_budget": text(budget),
            "annual_budget": text(budget), "executed": text(executed)}


@st.composite
def evaluations(draw, forms=ALL_FORMS, reverse_rule=None) -> dict:
    """A department evaluation whose weights (funding included) sum to 100."""
    n = draw(st.integers(1, 6))
    weights = draw(weights_summing_to(n, 100 - FUNDING_WEIGHT))
    table = [draw(rows(forms)) for _ in range(n)]
    data = {
        "kind": "department",
        "unit": "安阳市北关区医疗保障局",
        "year": 2022,
        "funding": draw(funding()),
        "indicators": [indicator(i, t, a, w)
                       for i, ((_, t, a), w) in enumerate(zip(table, weights))],
    }
    if reverse_rule is not None:
        data["settings"] = {"reverse_rule": reverse_rule}
    return data


def errors_of(scored: Scored) -> list[str]:
    return [f"{i.location.path}: {i.message}" for i in scored.issues if i.severity == "error"]


# ---------------------------------------------------------------- bounds

@PROPERTY
@given(data=evaluations(reverse_rule="reverse_ratio"))
def test_every_row_scores_between_zero_and_its_weight_with_reverse_ratio(data):
    scored = run_data(data)
    assert scored.ok, errors_of(scored)
    for row in scored.result.indicators:
        assert row.score is not None, row.explanation
        assert 0 <= row.score <= row.weight, (
            f"{row.target} / {row.actual}: {row.score} 超出 [0, {row.weight}]")


@PROPERTY
@given(data=evaluations(reverse_rule="reverse_linear"))
def test_every_row_scores_between_zero_and_its_weight_with_reverse_linear(data):
    scored = run_data(data)
    assert scored.ok, errors_of(scored)
    for row in scored.result.indicators:
        assert row.score is not None, row.explanation
        assert 0 <= row.score <= row.weight, (
            f"{row.target} / {row.actual}: {row.score} 超出 [0, {row.weight}]")


@PROPERTY
@example(precision=0, mode="half_up", weight=Decimal("2.5"))
@given(precision=st.sampled_from([0, 1, 2]), mode=st.sampled_from(["half_up", "floor"]),
       weight=decimals(0, 50, places=3))
def test_a_full_score_never_exceeds_its_weight_whatever_the_rounding(precision, mode, weight):
    """A met row scores its weight; rounding to fewer decimals than the weight has
    (whole points for a 2.5 weight) must not lift it above the weight, nor the total
    above 100. Reporting such a weight as an error would be fine too."""
    data = {
        "kind": "department", "unit": "某局", "year": 2022,
        "rounding": {"precision": precision, "mode": mode},
        "indicators": [
            indicator(0, "≥90%", "95%", weight),
            indicator(1, "≥90%", "95%", Decimal(100) - weight),
        ],
    }
    scored = run_data(data)
    if not scored.ok:
        return
    for row in scored.result.indicators:
        assert row.score <= row.weight, (
            f"引擎缺陷：分值 {row.weight} 的满分行按 {precision} 位小数（{mode}）取整后"
            f"得 {row.score}，超过分值")
    assert scored.result.total <= 100, f"引擎缺陷：分值合计 100，总分却为 {scored.result.total}"


# ---------------------------------------------------------------- monotonicity

def two_rows(form: tuple, t: Decimal, low: Decimal, high: Decimal,
             reverse_rule: str | None = None) -> dict:
    make_target, make_actual = form
    data = {
        "kind": "department", "unit": "某局", "year": 2022,
        "indicators": [
            indicator(0, make_target(text(t)), make_actual(text(low)), Decimal(50)),
            indicator(1, make_target(text(t)), make_actual(text(high)), Decimal(50)),
        ],
    }
    if reverse_rule:
        data["settings"] = {"reverse_rule": reverse_rule}
    return data


@PROPERTY
@given(form=st.sampled_from(sorted(RISING_FORMS)),
       t=decimals(1, 200), a=actuals, b=actuals)
def test_a_positive_score_never_falls_when_the_actual_rises(form, t, a, b):
    low, high = sorted((a, b))
    scored = run_data(two_rows(RISING_FORMS[form], t, low, high))
    first, second = scored.result.indicators
    assert first.score is not None and second.score is not None, errors_of(scored)
    assert first.score <= second.score, (
        f"{first.target}：实际 {first.actual} 得 {first.score}，"
        f"更高的 {second.actual} 反而得 {second.score}")


@PROPERTY
@given(form=st.sampled_from(sorted(REVERSE_FORMS)),
       rule=st.sampled_from(["reverse_ratio", "reverse_linear"]),
       t=decimals(0, 200), a=actuals, b=actuals)
def test_a_reverse_score_never_rises_when_the_actual_rises(form, rule, t, a, b):
    low, high = sorted((a, b))
    scored = run_data(two_rows(REVERSE_FORMS[form], t, low, high, rule))
    first, second = scored.result.indicators
    assert first.score is not None and second.score is not None, errors_of(scored)
    assert first.score >= second.score, (
        f"{first.target}（{rule}）：实际 {first.actual} 得 {first.score}，"
        f"更高的 {second.actual} 反而得 {second.score}")


# ---------------------------------------------------------------- totals

@PROPERTY
@given(data=evaluations(), reverse_rule=st.sampled_from(["reverse_ratio", "reverse_linear"]))
def test_the_total_is_the_sum_of_the_rounded_row_scores_and_the_funding_score(data, reverse_rule):
    data["settings"] = {"reverse_rule": reverse_rule}
    scored = run_data(data)
    assert scored.ok, errors_of(scored)
    result = scored.result
    assert result.weight_total == 100
    rows = sum((row.score for row in result.indicators), Decimal(0))
    assert result.total == rows + result.funding.score
    for row in result.indicators:
        assert row.score == row.score.quantize(CENT), f"行得分 {row.score} 未按两位小数取整"
    assert 0 <= result.total <= 100
    assert result.grade is not None


@PROPERTY
@given(data=evaluations(), delta=decimals(-30, 30).filter(lambda d: d != 0))
def test_weights_not_summing_to_100_are_an_error_and_leave_no_total(data, delta):
    last = data["indicators"][-1]
    last["weight"] = text(max(Decimal(last["weight"]) + delta, Decimal(0)))
    weight_total = FUNDING_WEIGHT + sum(Decimal(i["weight"]) for i in data["indicators"])
    scored = run_data(data)
    if weight_total == 100:  # clamping at 0 can land on 100 again
        assert scored.ok, errors_of(scored)
        return
    assert not scored.ok
    weight_errors = [i for i in scored.issues if i.severity == "error" and "应为 100" in i.message]
    assert [i.location.path for i in weight_errors] == ["indicators"], errors_of(scored)
    assert scored.result.weight_total == weight_total
    assert scored.result.total is None and scored.result.grade is None


# ---------------------------------------------------------------- determinism

@PROPERTY
@given(data=evaluations(), reverse_rule=st.sampled_from(["reverse_ratio", "reverse_linear"]))
def test_scoring_the_same_input_twice_gives_identical_output(data, reverse_rule):
    data["settings"] = {"reverse_rule": reverse_rule}
    before = copy.deepcopy(data)
    first, second = run_data(data), run_data(data)
    assert data == before, "run_data 不应修改输入"
    assert first.result == second.result
    assert first.issues == second.issues
    assert to_json(first) == to_json(second)


# ---------------------------------------------------------------- rounding

@PROPERTY
@example(t=Decimal(100), a=Decimal("12.5"), w=Decimal(1))  # 0.125 → 0.13 (banker's: 0.12)
@example(t=Decimal(90), a=Decimal(85), w=Decimal(20))  # seed 001: 18.89, deviation −5.56
@example(t=Decimal(8), a=Decimal("7.9996"), w=Decimal(1))  # deviation −0.005 → −0.01
@given(t=decimals(1, 200), a=decimals(0, 200, places=4), w=decimals(0, 100))
def test_a_missed_positive_row_rounds_its_exact_ratio_half_up(t, a, w):
    if a >= t:
        a = t - CENT if t > CENT else Decimal(0)
    data = {"kind": "department", "unit": "某局", "year": 2022,
            "indicators": [indicator(0, f"≥{text(t)}%", f"{text(a)}%", w)]}
    row = run_data(data).result.indicators[0]
    assert row.score == half_up(exact(lambda: w * a / t)), f"{w} × {a}/{t}"
    assert row.deviation == half_up(exact(lambda: (a - t) / t * 100)), f"({a} − {t})/{t} × 100"


@PROPERTY
@example(rate=Decimal("24"), w=Decimal(10))  # seed 001: 2 万元 / 24% → 2.4, −76.00
@example(rate=Decimal("12.35"), w=Decimal("0.1"))  # 0.01235 → 0.01
@example(rate=Decimal("12.5"), w=Decimal("0.1"))  # 0.0125 → 0.01; 0.125 would go up
@given(rate=decimals(0, 99, places=2), w=decimals(0, 100))
def test_a_completion_rate_row_rounds_its_exact_share_half_up(rate, w):
    data = {"kind": "project", "unit": "某局", "project": "慢性病专家鉴定费", "year": 2022,
            "indicators": [indicator(0, "2 万元", f"{text(rate)}%", w)]}
    row = run_data(data).result.indicators[0]
    assert row.score == half_up(exact(lambda: w * rate / 100))
    assert row.deviation == half_up(rate - 100)


@PROPERTY
@example(budget=Decimal(100), executed=Decimal("99.85"))  # seed 001: 9.985 → 10.0 at one decimal
@given(budget=decimals(1, 1000), executed=decimals(0, 1000))
def test_the_funding_score_rounds_half_up(budget, executed):
    data = {"kind": "department", "unit": "某局", "year": 2022,
            "funding": {"weight": "10", "annual_budget": text(budget), "executed": text(executed)},
            "indicators": [indicator(0, "≥90%", "95%", Decimal(90))]}
    funding_result = run_data(data).result.funding
    rate = half_up(exact(lambda: executed / budget * 100))
    assert funding_result.execution_rate == rate
    capped = min(rate, Decimal(100))
    # the funds score keeps one decimal by default (DOMAIN §2: no table prints it with two)
    assert funding_result.score == exact(lambda: FUNDING_WEIGHT * capped / 100).quantize(Decimal("0.1"), ROUND_HALF_UP)


# ---------------------------------------------------------------- amounts (issue 14)

def amount_forms(wan: Decimal) -> dict[str, tuple[str | None, str]]:
    """One amount in 万元 as tables print it: (the block's unit, the text)."""
    yuan = wan * 10000
    return {
        "万元": (None, text(wan)),
        "万": (None, f"{text(wan)}万"),
        "万元后缀": (None, f"{text(wan)}万元"),
        "元后缀": (None, f"{yuan:,f}元"),
        "全角": (None, f"{text(wan)}万元".translate(str.maketrans("0123456789.", "０１２３４５６７８９．"))),
        "元表": ("元", text(yuan)),
        "元表千分位": ("元", f"{yuan:,f}"),
    }


@PROPERTY
@given(budget=decimals(1, 1000), executed=decimals(0, 1200), form=st.sampled_from(sorted(amount_forms(ONE))))
def test_an_amount_in_any_printed_form_scores_as_its_number_in_wan(budget, executed, form):
    def scored_with(make) -> Scored:
        unit, budget_text = make(budget)
        _, executed_text = make(executed)
        funding = {"weight": "10", "annual_budget": budget_text, "executed": executed_text}
        if unit:
            funding["unit"] = unit
        return run_data({"kind": "department", "unit": "某局", "year": 2022, "funding": funding,
                         "indicators": [indicator(0, "≥90%", "95%", Decimal(90))]})

    plain_ = scored_with(lambda wan: amount_forms(wan)["万元"])
    printed = scored_with(lambda wan: amount_forms(wan)[form])
    assert printed.ok, errors_of(printed)
    assert printed.evaluation.funding.executed == executed
    assert printed.result.funding == plain_.result.funding
    assert 0 <= printed.result.funding.score <= FUNDING_WEIGHT
