"""Hostile formulas: every one is refused with a `FormulaError` whose Chinese message says why.

A formula is user input (a row's ``rule`` or a template's rule), so whatever is
typed must end in one of two ways: a number, or a `FormulaError` naming the
problem. Never another exception type, never a hang, never a side effect. The
same holds through the pipeline, where the error becomes an Issue located at the
row's ``rule`` and the run finishes.

Each case runs under a wall-clock guard (SIGALRM); cases that would block inside
C code, where a signal cannot interrupt them, run in a child process with a
timeout instead.
"""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import textwrap
from decimal import Decimal
from pathlib import Path

import pytest

from scoring.core.formulas import FormulaError, compile_formula, evaluate
from scoring.core.numbers import quantize
from scoring.pipeline import run_data

ROOT = Path(__file__).resolve().parents[1]
GUARD_SECONDS = 10

# The names a row with target ≥90%, actual 85%, 分值 20 provides.
NAMES = {
    "actual": Decimal(85),
    "target": Decimal(90),
    "weight": Decimal(20),
    "ratio": Decimal(85) / Decimal(90),
}
ZERO_TARGET = {"actual": Decimal(5), "target": Decimal(0), "weight": Decimal(10)}  # no ratio


@pytest.fixture(autouse=True)
def _wall_clock_guard():
    """Fail (not hang) a case that runs for more than GUARD_SECONDS."""
    if not hasattr(signal, "SIGALRM"):  # pragma: no cover - non-POSIX
        yield
        return

    def too_slow(signum, frame):
        pytest.fail(f"公式计算超过 {GUARD_SECONDS} 秒仍未结束（应立即拒绝）")

    previous = signal.signal(signal.SIGALRM, too_slow)
    signal.alarm(GUARD_SECONDS)
    try:
        yield
    finally:
        signal.alarm(0)
        signal.signal(signal.SIGALRM, previous)


def _show(text: str) -> str:
    return repr(text if len(text) <= 60 else text[:57] + "...")


def _outcome(steps) -> tuple[str, object]:
    """Run `steps()`; ("refused", message) for a FormulaError, ("crashed", text) for any
    other exception, ("value", result) otherwise. Failing happens outside the except
    block, so a RecursionError does not drag its whole stack into the report."""
    try:
        return "value", steps()
    except FormulaError as exc:
        return "refused", str(exc)
    except Exception as exc:  # noqa: BLE001 - any other type is the failure we look for
        return "crashed", f"{type(exc).__name__}: {str(exc)[:200]}"


def _expect_refusal(kind: str, found: object, text: str, when: str) -> str:
    if kind == "crashed":
        pytest.fail(f"公式 {_show(text)} 应抛出 FormulaError，实际抛出 {found}", pytrace=False)
    if kind == "value":
        pytest.fail(f"公式 {_show(text)} 应{when}被拒绝，却得到 {str(found)[:60]}", pytrace=False)
    return found


def refused_when_compiled(text: str) -> str:
    """The message of the FormulaError that compile_formula raises for `text`."""
    kind, found = _outcome(lambda: compile_formula(text))
    return _expect_refusal(kind, found, text, "在编译时")


def refused_when_evaluated(text: str, names: dict[str, Decimal] | None = None) -> str:
    """The message of the FormulaError that evaluate raises for `text` (which compiles)."""
    formula = compile_formula(text)
    kind, found = _outcome(lambda: evaluate(formula, dict(NAMES if names is None else names)))
    return _expect_refusal(kind, found, text, "在计算时")


def refused(text: str, names: dict[str, Decimal] | None = None) -> str:
    """The message of the FormulaError raised by compiling or by evaluating `text`."""
    given = dict(NAMES if names is None else names)
    kind, found = _outcome(lambda: evaluate(compile_formula(text), given))
    return _expect_refusal(kind, found, text, "")


def says(message: str, *fragments: str) -> bool:
    return any(fragment in message for fragment in fragments)


def _cases(*cases):
    """pytest params with readable ids for possibly very long formulas."""
    return [pytest.param(*case, id=_show(case[0])) for case in cases]


# --------------------------------------------------------- refused when compiled

ATTRIBUTE_ACCESS = _cases(
    ("actual.__class__", "属性"),
    ("().__class__.__bases__", "属性"),
    ("(1).real", "属性"),
    ("actual.real", "属性"),
    ("weight.__class__.__mro__", "属性"),
    ("(0).__class__.__subclasses__", "属性"),
)


@pytest.mark.parametrize(("text", "fragment"), ATTRIBUTE_ACCESS)
def test_attribute_access_is_refused_when_compiled(text, fragment):
    assert fragment in refused_when_compiled(text)


# A call of anything but a bare allowed function name is refused as the call,
# before its attribute/subscript parts are looked at: either message is relevant.
@pytest.mark.parametrize("text", [
    "actual.__class__.__mro__[1].__subclasses__()",
    "__import__('os').system('id')",
    "(lambda x: x)(1)",
    "min(1, 2)(3)",
])
def test_calling_anything_but_an_allowed_function_is_refused(text):
    message = refused_when_compiled(text)
    assert says(message, "不可用", "属性", "下标", "lambda"), message


@pytest.mark.parametrize(("text", "fragment"), _cases(
    ("__import__('os')", "不可用"),
    ("eval('1')", "不可用"),
    ("exec('import os')", "不可用"),
    ("open('/etc/passwd')", "不可用"),
    ("getattr(actual, '__class__')", "不可用"),
    ("compile('1', '', 'eval')", "不可用"),
    ("globals()", "不可用"),
    ("vars()", "不可用"),
    ("type(actual)", "不可用"),
    ("breakpoint()", "不可用"),
    ("print(actual)", "不可用"),
    ("int(actual)", "不可用"),
    ("rand()", "不可用"),
    ("randint(1, 100)", "不可用"),
    ("sqrt(actual)", "不可用"),
    ("foo(1)", "不可用"),
))
def test_builtins_and_unknown_functions_are_unavailable(text, fragment):
    message = refused_when_compiled(text)
    assert fragment in message
    name = text.split("(")[0]
    assert name in message, f"错误信息应写出函数名“{name}”：{message}"


@pytest.mark.parametrize("name", ["foo", "x", "Actual", "score", "_", "__builtins__", "__import__",
                                  "min", "Decimal", "os"])
def test_unknown_names_are_reported_as_undefined(name):
    message = refused_when_compiled(f"weight * {name}")
    assert "未定义" in message
    assert name in message


@pytest.mark.parametrize(("text", "fragment"), _cases(
    ("'a'", "数字常量"),
    ("'a' * 10**9", "数字常量"),
    ('"a" * 1000000000', "数字常量"),
    ("'%s' % actual", "数字常量"),
    ("b'x'", "数字常量"),
    ("f'{actual}'", "字符串"),
    ("'a' if actual else 1", "数字常量"),
    ("None", "数字常量"),
    ("True", "数字常量"),
    ("weight * False", "数字常量"),
    ("...", "数字常量"),
    ("1j", "数字常量"),
))
def test_strings_and_non_number_constants_are_refused(text, fragment):
    assert fragment in refused_when_compiled(text)


@pytest.mark.parametrize(("text", "fragment"), _cases(
    ("[1, 2]", "列表"),
    ("max([actual, target])", "列表"),
    ("(1, 2)", "元组"),
    ("()", "元组"),
    ("{1: 2}", "字典"),
    ("{1, 2}", "集合"),
    ("[x for x in (1, 2)]", "推导式"),
    ("{x for x in (1, 2)}", "推导式"),
    ("{x: x for x in (1, 2)}", "推导式"),
    ("max(x for x in (1, 2))", "推导式"),
    ("lambda: 1", "lambda"),
    ("lambda x: x * weight", "lambda"),
))
def test_containers_comprehensions_and_lambdas_are_refused(text, fragment):
    assert fragment in refused_when_compiled(text)


@pytest.mark.parametrize("text", ["x = 1", "actual = 0", "weight = 100", "(x := 1)", "x := 1",
                                  "actual += 1", "weight *= 2", "max((weight := 100), 1)"])
def test_assignments_are_refused(text):
    assert "赋值" in refused_when_compiled(text)


@pytest.mark.parametrize("text", ["1; 2", "actual; weight", "actual\nweight", "import os",
                                  "actual; import os", "del actual", "yield actual"])
def test_statements_and_several_expressions_are_syntax_errors(text):
    assert "语法错误" in refused_when_compiled(text)


@pytest.mark.parametrize(("text", "fragment"), _cases(
    ("max(actual, key=abs)", "关键字参数"),
    ("round(actual, ndigits=2)", "关键字参数"),
    ("min(actual, default=0)", "关键字参数"),
    ("max(**{})", "关键字参数"),
))
def test_keyword_arguments_are_refused(text, fragment):
    assert fragment in refused_when_compiled(text)


@pytest.mark.parametrize("text", ["actual[0]", "weight[::-1]", "actual[target]"])
def test_subscripts_are_refused(text):
    assert "下标" in refused_when_compiled(text)


@pytest.mark.parametrize("text", ["actual @ target", "actual << 2", "actual >> 2", "actual | 1",
                                  "actual & 1", "actual ^ 1", "~actual", "actual is target",
                                  "actual in target", "actual not in target", "max(*(1, 2))"])
def test_operators_outside_arithmetic_and_comparison_are_refused(text):
    message = refused_when_compiled(text)
    assert says(message, "不支持", "元组"), message


@pytest.mark.parametrize(("text", "fragment"), _cases(
    ("(" * 500 + "1" + ")" * 500, "过长"),
    ("-" * 10000 + "1", "过长"),
    ("-" * 100000 + "1", "过长"),
    ("1+" * 300 + "1", "过长"),
    ("actual" + " " * 600 + "+ 1", "过长"),
    ("weight * min(actual, target) / target + " * 20 + "0", "过长"),
))
def test_overlong_formulas_are_refused_before_parsing(text, fragment):
    message = refused_when_compiled(text)
    assert fragment in message
    assert "500" in message, f"应写出长度上限：{message}"


@pytest.mark.parametrize(("text", "fragment"), [("", "为空"), ("   ", "为空"), ("\n\t", "为空")])
def test_empty_formulas_are_refused(text, fragment):
    assert fragment in refused_when_compiled(text)


@pytest.mark.parametrize("text", ["1\x00", "（actual）", "actual ＋ 1", "actual if", "max(", ")("])
def test_garbage_is_a_syntax_error(text):
    message = refused_when_compiled(text)
    assert says(message, "语法错误", "无效字符"), message


# ---------------------------------------------------------- refused when evaluated

@pytest.mark.parametrize("text", [
    "9**9**9",
    "2**10**10",
    "(9**999999)**999999",
    "10**10**10",
    "actual ** 4000000",
    "actual ** actual ** actual",
    "10**999999 * 10**999999",
    "3999999.5 ** 3999999.5",
    "999999999999999999999999 ** 99",
])
def test_huge_powers_are_refused_as_too_large(text):
    assert "过大" in refused_when_evaluated(text)


@pytest.mark.parametrize(("text", "names"), _cases(
    ("actual / 0", None),
    ("0 / 0", None),
    ("actual // 0", None),
    ("weight / (target - target)", None),
    ("weight * actual / target", ZERO_TARGET),
    ("actual % 0", None),
))
def test_division_by_zero_is_reported_as_such(text, names):
    message = refused_when_evaluated(text, names)
    assert "除以 0" in message, f"{text} 是除以 0，错误信息应说明“除以 0”，实际为：{message}"


@pytest.mark.parametrize(("text", "names"), _cases(
    ("0 ** -1", None),
    ("actual ** -1", {"actual": Decimal(0), "target": Decimal(90), "weight": Decimal(10)}),
    ("weight * actual ** -2", {"actual": Decimal(0), "target": Decimal(90), "weight": Decimal(10)}),
    ("max(0 ** -1, 1)", None),
    ("-(0 ** -1)", None),
))
def test_zero_to_a_negative_power_is_a_formula_error(text, names):
    """Decimal gives Infinity for 0 ** -1 without trapping; the engine must still say why."""
    message = refused(text, names)
    assert says(message, "除以 0", "过大", "有限"), message


@pytest.mark.parametrize("text", [
    "1e400 * weight",  # a float literal beyond range
    "round(10**100, 6)",  # needs more digits than the decimal context holds
    "10**999999 % 7",
    "10**999999 // 1",
])
def test_numbers_too_large_to_handle_are_reported_as_too_large(text):
    message = refused(text)
    assert "过大" in message, f"{text} 的问题是数太大，错误信息却是：{message}"


@pytest.mark.parametrize("text", ["actual > 1", "actual == target",
                                  "actual >= target and weight > 0",
                                  "not actual", "1 < actual < 100", "max(actual > 1, 0)",
                                  "0 or actual > 1"])
def test_comparisons_are_not_scores(text):
    assert "不是数字" in refused_when_evaluated(text)


@pytest.mark.parametrize(("text", "fragment"), _cases(
    ("min()", "参数"),
    ("max(1)", "参数"),
    ("abs(1, 2)", "参数"),
    ("round(1, 2, 3)", "参数"),
    ("floor()", "参数"),
    ("round(actual, 7)", "小数位数"),
    ("round(actual, -1)", "小数位数"),
    ("round(actual, 10**9)", "小数位数"),
))
def test_wrong_function_arguments_are_reported(text, fragment):
    assert fragment in refused_when_evaluated(text)


@pytest.mark.parametrize("text", ["(-1) ** 0.5", "0 ** 0", "(-8) ** (1/3)"])
def test_undefined_arithmetic_is_reported_as_an_invalid_operation(text):
    message = refused_when_evaluated(text)
    assert says(message, "无效运算", "负数", "0 的 0 次方"), message


def test_ratio_is_undefined_when_the_target_is_zero():
    message = refused_when_evaluated("weight * ratio", ZERO_TARGET)
    assert "ratio" in message


# ----------------------------------------------------------------- deep nesting

@pytest.mark.parametrize("text", [
    pytest.param("-" * 499 + "1", id="499 minus signs, 1"),
    pytest.param("+-" * 249 + "1", id="249 plus-minus pairs, 1"),
    pytest.param("-" * 450 + "actual", id="450 minus signs, actual"),
])
def test_deep_unary_nesting_within_the_length_limit_is_a_formula_error(text):
    """499 unary minus signs fit under the 500-character limit; evaluating them
    recursively must not escape as RecursionError."""
    message = refused(text)
    assert says(message, "复杂", "过长", "嵌套"), message


def test_deeply_nested_parentheses_within_the_length_limit_are_refused():
    message = refused("(" * 249 + "1" + ")" * 249)
    assert says(message, "语法错误", "复杂", "嵌套"), message


@pytest.mark.parametrize("text", [
    pytest.param("-(" * 100 + "1" + ")" * 100, id="100 nested negations"),
    pytest.param("abs(" * 80 + "1" + ")" * 80, id="80 nested calls"),
    pytest.param("1" + " + 1" * 120, id="121 terms"),
])
def test_nesting_under_the_length_limit_evaluates_or_is_refused_as_too_deep(text):
    kind, found = _outcome(lambda: evaluate(compile_formula(text), dict(NAMES)))
    if kind == "value":
        assert isinstance(found, Decimal)
    else:
        _expect_refusal(kind, found, text, "")
        assert says(found, "嵌套", "复杂"), found


@pytest.mark.parametrize(("text", "expected"), [
    ("(" * 150 + "actual" + ")" * 150, "85"),  # parentheses alone add no depth
    ("max(0, min(weight, weight * (1 - (target - actual) / target * 2)))", "17.78"),
    ("round(weight * min(actual, target) / target, 2) + floor(ratio) * 0", "18.89"),
    ("weight if actual >= target else (weight * 0.8 if actual >= target * 0.9 else 0)", "16.00"),
])
def test_realistically_nested_formulas_evaluate(text, expected):
    assert quantize(evaluate(compile_formula(text), dict(NAMES)), 2) == Decimal(expected)


# --------------------------------------- work that a signal cannot interrupt

@pytest.mark.parametrize("text", ["floor(10**999999)", "ceil(10**999999)"])
def test_floor_and_ceil_of_a_huge_number_finish_quickly(text):
    """floor/ceil once turned the Decimal into a Python int and back; for 10**999999
    that conversion ran in C for ~45 s, where no signal can stop it. Run it in a child
    process with a timeout: it must end in a number or a FormulaError, at once."""
    code = textwrap.dedent(f"""
        from scoring.core.formulas import FormulaError, compile_formula, evaluate
        try:
            value = evaluate(compile_formula({text!r}), {{}})
        except FormulaError as exc:
            print("FormulaError", exc)
        except Exception as exc:
            print(type(exc).__name__, exc)
        else:
            print("value", str(value)[:40])
    """)
    env = {**os.environ, "PYTHONPATH": str(ROOT), "PYTHONDONTWRITEBYTECODE": "1"}
    try:
        done = subprocess.run([sys.executable, "-c", code], cwd=ROOT, env=env, capture_output=True,
                              text=True, timeout=5)
    except subprocess.TimeoutExpired:
        pytest.fail(f"公式 {text} 超过 5 秒仍未算完（floor/ceil 不应把巨大的 Decimal 转成整数）",
                    pytrace=False)
    assert done.returncode == 0, done.stderr
    kind, _, message = done.stdout.strip().partition(" ")
    assert kind in ("value", "FormulaError"), done.stdout
    if kind == "FormulaError":
        assert "过大" in message


# ------------------------------------------------------------- valid formulas

def test_the_documented_formula_scores_85_of_90_at_weight_20_as_18_89():
    result = evaluate(compile_formula("weight * min(actual, target) / target"), dict(NAMES))
    assert quantize(result, 2) == Decimal("18.89")


@pytest.mark.parametrize(("text", "expected"), [
    ("round(2.675, 2)", "2.68"),  # Python's round(2.675, 2) gives 2.67
    ("round(0.125, 2)", "0.13"),  # banker's rounding would give 0.12
    ("round(2.5)", "3"),
    ("round(-2.5)", "-3"),
])
def test_round_is_half_up_not_bankers(text, expected):
    assert evaluate(compile_formula(text), {}) == Decimal(expected)


@pytest.mark.parametrize(("actual", "expected"), [(85, 0), (90, 20), (95, 20)])
def test_a_conditional_formula_gives_the_weight_only_when_the_target_is_met(actual, expected):
    names = {**NAMES, "actual": Decimal(actual), "ratio": Decimal(actual) / Decimal(90)}
    assert evaluate(compile_formula("weight if actual >= target else 0"), names) == expected


def test_number_literals_are_decimals_not_floats():
    result = evaluate(compile_formula("0.1 + 0.2"), {})
    assert isinstance(result, Decimal)
    assert result == Decimal("0.3")


@pytest.mark.parametrize(("text", "expected"), [
    ("weight * ratio", "18.89"),
    ("max(0, weight - (target - actual) * 0.5)", "17.50"),
    ("floor(actual / 10) * 2", "16.00"),
    ("ceil(actual / 10)", "9.00"),
    ("abs(actual - target)", "5.00"),
    ("10 ** 3 / 1000 * weight", "20.00"),
])
def test_formulas_over_the_allowed_names_and_functions_evaluate(text, expected):
    assert quantize(evaluate(compile_formula(text), dict(NAMES)), 2) == Decimal(expected)


def test_evaluation_does_not_leak_names_into_the_next_formula():
    evaluate(compile_formula("actual"), dict(NAMES))
    assert "未定义" in refused_when_evaluated("actual", {})


# ------------------------------------------------------------ through the pipeline

def evaluation(rule: str, target: str = "≥90%", actual: str = "85%") -> dict:
    return {
        "kind": "department",
        "unit": "安阳市北关区医疗保障局",
        "year": 2022,
        "funding": {"weight": 10, "annual_budget": "100", "executed": "100"},
        "indicators": [
            {"level1": "产出指标", "level2": "数量指标", "level3": "参保覆盖率", "target": target,
             "actual": actual, "weight": 20, "rule": rule, "reason": "部分人员未参保"},
            {"level1": "效益指标", "level2": "社会效益指标", "level3": "群众满意度",
             "target": "≥90%", "actual": "95%", "weight": 70},
        ],
    }


def test_an_attribute_formula_in_a_row_is_an_error_at_its_rule_and_the_run_finishes():
    scored = run_data(evaluation("actual.__class__"))
    assert not scored.ok
    errors = [i for i in scored.issues if i.severity == "error"]
    assert len(errors) == 1
    assert errors[0].location.path == "indicators[0].rule"
    assert "属性" in errors[0].message
    assert "参保覆盖率" in errors[0].message
    assert "可用名称" in errors[0].hint
    row = scored.result.indicators[0]
    assert row.score is None and row.status == "error"
    assert scored.result.total is None, "存在错误时不应给出总分"
    assert scored.result.indicators[1].score == Decimal("70.00"), "其他行照常计分"


@pytest.mark.parametrize(("rule", "actual", "fragment"), _cases(
    ("().__class__.__bases__", "85%", "属性"),
    ("__import__('os')", "85%", "不可用"),
    ("eval('1')", "85%", "不可用"),
    ("9**9**9", "85%", "过大"),
    ("'a' * 10**9", "85%", "数字常量"),
    ("[actual]", "85%", "列表"),
    ("x = 1", "85%", "赋值"),
    ("actual += 1", "85%", "赋值"),
    ("1; 2", "85%", "语法错误"),
    ("actual / 0", "85%", "除以 0"),
    ("weight / (target - target)", "85%", "除以 0"),
    ("foo(actual)", "85%", "不可用"),
    ("weight * bar", "85%", "未定义"),
    ("max(actual, key=abs)", "85%", "关键字参数"),
    ("actual[0]", "85%", "下标"),
    ("actual > 1", "85%", "不是数字"),
    ("(" * 500 + "1" + ")" * 500, "85%", "过长"),
    ("-" * 10000 + "1", "85%", "过长"),
    ("actual ** -1", "0%", "除以 0|过大|有限"),
    ("-" * 499 + "1", "85%", "复杂|嵌套"),
))
def test_hostile_row_formulas_become_error_issues_at_the_rule(rule, actual, fragment):
    kind, scored = _outcome(lambda: run_data(evaluation(rule, actual=actual)))
    if kind == "crashed":
        pytest.fail(f"规则 {_show(rule)} 使 run_data 抛出 {scored}；"
                    "应为位于 indicators[0].rule 的错误 Issue", pytrace=False)
    assert not scored.ok
    errors = [i for i in scored.issues if i.severity == "error"]
    assert [e.location.path for e in errors] == ["indicators[0].rule"]
    assert says(errors[0].message, *fragment.split("|")), errors[0].message
    assert scored.result.indicators[0].score is None


def test_the_documented_formula_in_a_row_scores_18_89_and_sums_into_the_total():
    scored = run_data(evaluation("weight * min(actual, target) / target"))
    assert scored.ok, [i.message for i in scored.issues]
    row = scored.result.indicators[0]
    assert row.score == Decimal("18.89")
    assert row.rule == "formula"
    assert row.deviation == Decimal("-5.56")
    assert scored.result.total == Decimal("98.89")  # 10 + 18.89 + 70, as in seed 001


def test_a_conditional_row_formula_gives_zero_when_missed():
    scored = run_data(evaluation("weight if actual >= target else 0"))
    assert scored.result.indicators[0].score == Decimal("0.00")
    scored = run_data(evaluation("weight if actual >= target else 0", actual="92%"))
    assert scored.result.indicators[0].score == Decimal("20.00")


def test_a_row_formula_far_above_the_weight_is_capped_at_the_weight():
    scored = run_data(evaluation("10 ** 999999"))
    assert scored.result.indicators[0].score == Decimal("20.00")
    scored = run_data(evaluation("-(10 ** 999999)"))
    assert scored.result.indicators[0].score == Decimal("0.00")
