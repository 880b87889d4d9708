"""Custom scoring formulas, evaluated safely.

A template or a row may carry its own rule as a formula, e.g.
``weight * min(actual, target) / target``. Formulas are user input, so they run
only through simpleeval, with the engine's own names and functions, and are
checked twice:

1. `compile_formula` parses the text once and walks the syntax tree against a
   whitelist (numbers, the names below, arithmetic, comparisons, ``a if c else b``,
   calls of the listed functions). Attribute access, subscripts, strings,
   assignments, lambdas and comprehensions are refused here with a clear message,
   so a bad formula is reported when the file is loaded, not when it is scored.
2. Evaluation goes through one configured `SimpleEval` with ``functions=`` and
   ``names=`` given explicitly (its defaults include ``rand``), ``allowed_attrs``
   empty, and simpleeval's own limits on powers and sizes. Number literals become
   `Decimal`, so there is no float arithmetic and no unbounded integer power.
"""

from __future__ import annotations

import ast
import decimal
import math
import re
from dataclasses import dataclass
from decimal import Decimal

import simpleeval

from scoring.core.numbers import D, quantize

NAMES = ("actual", "target", "weight", "ratio")
MAX_LENGTH = 500
MAX_DEPTH = 100  # nesting of the syntax tree; simpleeval recurses ~3 frames per level


def _round(value, places=0):
    places = int(places)
    if not 0 <= places <= 6:
        raise FormulaError("round 的小数位数应在 0–6 之间")
    try:
        return quantize(D(value), places, "half_up")
    except decimal.InvalidOperation:  # more digits than the context holds
        raise FormulaError("计算结果过大（超出精度）") from None


def _floor(value):
    # to_integral_value stays a Decimal: math.floor would build a huge int for 10**999999
    return D(value).to_integral_value(rounding=decimal.ROUND_FLOOR)


def _ceil(value):
    return D(value).to_integral_value(rounding=decimal.ROUND_CEILING)


ALLOWED_FUNCTIONS = {
    "min": min,
    "max": max,
    "abs": abs,
    "round": _round,  # half-up (四舍五入), not Python's banker's rounding
    "floor": _floor,
    "ceil": _ceil,
}

_ALLOWED_NODES = (
    ast.Expression,
    ast.BinOp,
    ast.UnaryOp,
    ast.BoolOp,
    ast.Compare,
    ast.IfExp,
    ast.Call,
    ast.Name,
    ast.Load,
    ast.Constant,
    ast.Add,
    ast.Sub,
    ast.Mult,
    ast.Div,
    ast.FloorDiv,
    ast.Mod,
    ast.Pow,
    ast.USub,
    ast.UAdd,
    ast.Not,
    ast.And,
    ast.Or,
    ast.Eq,
    ast.NotEq,
    ast.Lt,
    ast.LtE,
    ast.Gt,
    ast.GtE,
)
_NODE_MESSAGES = {
    ast.Attribute: "不允许访问属性（“.”）",
    ast.Subscript: "不允许使用下标（“[]”）",
    ast.NamedExpr: "不允许赋值（“:=”）",
    ast.Lambda: "不允许定义函数（lambda）",
    ast.ListComp: "不允许使用推导式",
    ast.SetComp: "不允许使用推导式",
    ast.DictComp: "不允许使用推导式",
    ast.GeneratorExp: "不允许使用推导式",
    ast.JoinedStr: "不允许使用字符串",
    ast.List: "不允许使用列表",
    ast.Tuple: "不允许使用元组",
    ast.Dict: "不允许使用字典",
    ast.Set: "不允许使用集合",
}

HELP = (
    "可用名称：actual（实际完成值）、target（年度指标值）、weight（分值）、ratio（actual/target）；"
    "可用函数：min、max、abs、round、floor、ceil；例如 weight * min(actual, target) / target"
)


class FormulaError(ValueError):
    """A formula that cannot be compiled or evaluated; the message says why."""


@dataclass(frozen=True, slots=True)
class Formula:
    text: str
    tree: ast.AST


class _Evaluator(simpleeval.SimpleEval):
    """simpleeval with Decimal number literals."""

    def _eval_constant(self, node):  # noqa: D401 - simpleeval hook
        value = node.value
        if isinstance(value, bool) or not isinstance(value, (int, float)):
            raise FormulaError("公式中只能出现数字常量")
        if isinstance(value, float) and not math.isfinite(value):
            raise FormulaError("计算结果过大（数字超出范围）")
        return Decimal(value) if isinstance(value, int) else D(value)


_EVALUATOR = _Evaluator(functions=ALLOWED_FUNCTIONS, names={})
_EVALUATOR.ATTR_INDEX_FALLBACK = False


def compile_formula(text: str) -> Formula:
    """Parse and check a formula once.

    Raises:
        FormulaError: syntax error, unknown name or function, or a construct
            that formulas may not use; the message names it.
    """
    text = str(text).strip()
    if not text:
        raise FormulaError("公式为空")
    if len(text) > MAX_LENGTH:
        raise FormulaError(f"公式过长（{len(text)} 个字符，最多 {MAX_LENGTH} 个）")
    try:
        tree = ast.parse(text, mode="eval")  # one expression: statements are syntax errors
    except SyntaxError as exc:
        if re.search(r"(?<![=!<>])=(?!=)", text):
            raise FormulaError("不允许赋值（“=”）；比较相等请用“==”") from None
        column = f"第 {exc.offset} 个字符处" if exc.offset else ""
        raise FormulaError(f"公式语法错误{column}") from None
    except (RecursionError, MemoryError, ValueError):
        raise FormulaError("公式过于复杂或含有无效字符") from None
    except OverflowError:
        raise FormulaError("计算结果过大（数字超出范围）") from None
    if _depth(tree) > MAX_DEPTH:
        raise FormulaError(f"公式嵌套过深（超过 {MAX_DEPTH} 层）")
    for node in ast.walk(tree):
        if not isinstance(node, _ALLOWED_NODES):
            message = _NODE_MESSAGES.get(type(node), f"不支持的写法（{type(node).__name__}）")
            raise FormulaError(message)
        if isinstance(node, ast.Name) and node.id not in NAMES and not _is_called(tree, node):
            raise FormulaError(f"名称“{node.id}”未定义")
        if isinstance(node, ast.Call):
            if not isinstance(node.func, ast.Name) or node.func.id not in ALLOWED_FUNCTIONS:
                name = node.func.id if isinstance(node.func, ast.Name) else "?"
                raise FormulaError(f"函数“{name}”不可用")
            if node.keywords:
                raise FormulaError("函数调用不支持关键字参数")
        if isinstance(node, ast.Constant) and (
            isinstance(node.value, bool) or not isinstance(node.value, (int, float))
        ):
            raise FormulaError("公式中只能出现数字常量")
    return Formula(text, tree.body)


def _depth(tree: ast.AST) -> int:
    """Depth of the tree, without recursion (a formula may nest hundreds deep)."""
    deepest, stack = 0, [(tree, 1)]
    while stack:
        node, depth = stack.pop()
        deepest = max(deepest, depth)
        stack.extend((child, depth + 1) for child in ast.iter_child_nodes(node))
    return deepest


def _is_called(tree: ast.AST, name: ast.Name) -> bool:
    return any(isinstance(n, ast.Call) and n.func is name for n in ast.walk(tree))


def evaluate(formula: Formula, names: dict[str, Decimal]) -> Decimal:
    """Evaluate a compiled formula with the given names.

    Raises:
        FormulaError: division by zero, a number too large, or a result that is
            not a finite number.
    """
    _EVALUATOR.names = names
    try:
        result = _EVALUATOR.eval(formula.text, previously_parsed=formula.tree)
    except FormulaError:
        raise
    except (ZeroDivisionError, decimal.DivisionByZero, decimal.DivisionUndefined):
        raise FormulaError("计算时除以 0（例如 target 为 0）") from None
    except (decimal.Overflow, simpleeval.NumberTooHigh, OverflowError):
        raise FormulaError("计算结果过大") from None
    except simpleeval.NameNotDefined as exc:
        raise FormulaError(f"名称“{exc.name}”未定义") from None
    except simpleeval.InvalidExpression as exc:
        raise FormulaError(f"公式无法计算：{exc}") from None
    except decimal.InvalidOperation as exc:  # 0/0, x % 0 and other undefined operations
        signals = exc.args[0] if exc.args and isinstance(exc.args[0], list) else []
        if decimal.DivisionImpossible in signals:  # // or % of a huge number
            raise FormulaError("计算结果过大（超出精度）") from None
        raise FormulaError("公式无法计算：除以 0、对 0 取余、0 的 0 次方或负数开方等无效运算"
                           "（例如 target 为 0）") from None
    except TypeError:
        raise FormulaError("函数参数个数或类型不正确") from None
    except (ValueError, ArithmeticError):
        raise FormulaError("公式无法计算（运算对象不是数字）") from None
    finally:
        _EVALUATOR.names = {}
    if isinstance(result, bool) or not isinstance(result, (Decimal, int, float)):
        raise FormulaError("公式结果不是数字")
    if isinstance(result, float) and not math.isfinite(result):
        raise FormulaError("公式结果不是有限数字")
    result = result if isinstance(result, Decimal) else D(result)
    if not result.is_finite():  # e.g. 0 ** -1 is Infinity in decimal arithmetic
        raise FormulaError("公式结果不是有限数字（例如 0 的负数次方）")
    return result
