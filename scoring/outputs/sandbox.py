"""The Jinja environment Word templates render in: sandboxed, and on a budget.

Jinja's sandbox decides what a template may touch (no Python internals, no
mutation), not how much it may compute: ``{% for i in range(100000) %}{% for j in
range(100000) %}`` runs for hours and ``{{ 'A' * 10**9 }}`` takes gigabytes. A user's
template (`jixiao render --template`) is content from anyone, so every document is
rendered on a `budget` (`core.limits`):

- loops: all ``{% for %}`` iterations of one document together, and every call of a
  macro (or of a ``{% call %}`` block's caller), at most MAX_TEMPLATE_LOOP; one
  ``range()`` at most MAX_TEMPLATE_LOOP items;
- values: what ``*``, ``**``, ``+``, ``%``, ``~``, the growing filters (replace,
  indent, join, format, center, wordwrap …) and text methods (center, ljust, zfill,
  replace, join, format …) produce is checked *before* it is computed where it can
  explode: at most MAX_TEMPLATE_VALUE characters (or items, a nested list counting
  its contents) and MAX_TEMPLATE_DIGITS digits; a list is measured before a filter,
  ``~`` or printing turns it into text;
- output: everything printed, counted where it is printed (inside macros and
  ``{% set %}`` blocks too, a loop body's literal text once per iteration), at most
  MAX_RENDER_BYTES characters per document; and everything those operators, filters
  and methods produce, together, as much again;
- time: MAX_RENDER_SECONDS of wall clock per document, checked at every loop
  iteration, call, operator, filter and printed value.

A breach raises `BudgetExceeded` with the reason in Chinese; the Word renderer turns
it into a RenderError naming the template and the part. Outside a budget (a template
being compiled, or rendered by other code) only the value limits apply.

Every printed value also loses the characters XML forbids (`core.text`): one of
them in a `<w:t>` makes Word refuse the whole document.
"""

from __future__ import annotations

import functools
import re
import string
import time
from collections.abc import Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from dataclasses import dataclass

from jinja2 import StrictUndefined, nodes, pass_context
from jinja2.runtime import LoopContext, Macro
from jinja2.sandbox import ImmutableSandboxedEnvironment
from jinja2.visitor import NodeTransformer
from markupsafe import Markup

from scoring.core import limits
from scoring.core.text import has_illegal, strip_illegal

MERGE_MARKS = {"restart": "⟦vm-restart⟧", "continue": "⟦vm-continue⟧"}
_STEP, _VALUE, _TEXT = "_jixiao_step", "_jixiao_value", "_jixiao_text"  # filters the compiled template calls


class BudgetExceeded(Exception):
    """A template computed more than one document may; the message is the reason, in Chinese."""


@dataclass
class Budget:
    """What one document may still spend: loop iterations, printed and computed
    characters, time. Spending is a subtraction; the clock is read every 64th time
    (and at every operator, call and filter), so the check costs next to nothing."""

    deadline: float
    loops: int
    printed: int
    computed: int
    events: int = 0

    def tick(self) -> None:
        if time.monotonic() > self.deadline:
            raise BudgetExceeded(f"渲染一份文档超过 {limits.MAX_RENDER_SECONDS:g} 秒")

    def check(self) -> None:
        if self.loops < 0:
            raise BudgetExceeded(f"循环次数超过 {limits.MAX_TEMPLATE_LOOP}")
        if self.printed < 0:
            raise BudgetExceeded(f"输出内容超过 {limits.size_text(limits.MAX_RENDER_BYTES)}")
        if self.computed < 0:
            raise BudgetExceeded(f"运算产生的内容超过 {limits.size_text(limits.MAX_RENDER_BYTES)}")
        self.tick()

    def step(self, literal: int = 0) -> None:
        self.loops -= 1
        self.printed -= literal
        self.events += 1
        if self.loops < 0 or self.printed < 0 or not self.events & 63:
            self.check()

    def print(self, size: int) -> None:
        self.printed -= size
        self.events += 1
        if self.printed < 0 or not self.events & 63:
            self.check()

    def compute(self, size: int) -> None:
        self.computed -= size
        self.check()


_BUDGET: ContextVar[Budget | None] = ContextVar("jixiao_render_budget", default=None)


@contextmanager
def budget() -> Iterator[Budget]:
    """Everything rendered inside (in this thread) spends from one document's budget."""
    spent = Budget(time.monotonic() + limits.MAX_RENDER_SECONDS, limits.MAX_TEMPLATE_LOOP,
                   limits.MAX_RENDER_BYTES, limits.MAX_RENDER_BYTES)
    token = _BUDGET.set(spent)
    try:
        yield spent
    finally:
        _BUDGET.reset(token)


def _tick() -> None:
    spent = _BUDGET.get()
    if spent is not None:
        spent.tick()


# ------------------------------------------------------------------ value limits


def _too_big(size: int, what: str = "计算结果") -> None:
    if size > limits.MAX_TEMPLATE_VALUE:
        raise BudgetExceeded(f"{what}有 {size} 个字符或元素，超过上限 {limits.MAX_TEMPLATE_VALUE}")


def _bits_ok(bits: int) -> None:
    if bits > limits.MAX_TEMPLATE_DIGITS * 3.33:
        raise BudgetExceeded(f"数字超过 {limits.MAX_TEMPLATE_DIGITS} 位")


_CONTAINERS = (list, tuple, dict, set, frozenset)


def _content(value) -> int:
    """Characters and items in a value, nested lists included (a list of a thousand
    references to one long text is a thousand long texts once it is printed);
    refused as soon as it passes MAX_TEMPLATE_VALUE."""
    if isinstance(value, (str, bytes)):
        _too_big(len(value))
        return len(value)
    if not isinstance(value, _CONTAINERS):
        return 1
    total, stack = 0, [value]
    while stack:
        item = stack.pop()
        if isinstance(item, (str, bytes)):
            total += len(item)
        elif isinstance(item, _CONTAINERS):
            total += len(item)
            stack.extend(item.items() if isinstance(item, dict) else item)
        else:
            total += 1
        _too_big(total)
    return total


def _checked(value):
    """A computed value within the limits, its size spent from the document's budget."""
    if isinstance(value, int) and not isinstance(value, bool):
        _bits_ok(value.bit_length())
        return value
    size = _content(value)
    spent = _BUDGET.get()
    if spent is not None:
        spent.compute(size)
    return value


def _size_arg(value) -> None:
    if isinstance(value, int) and not isinstance(value, bool):
        _too_big(value, "宽度或长度参数")


_SEQUENCES = (str, list, tuple, bytes)
_PRINTF = re.compile(r"%(?:\([^)]*\))?[#0 +-]*(\*|\d+)?(?:\.(\*|\d+))?")


def _printf_ok(fmt: str, args) -> None:
    """'%999999999d' % x asks for a gigabyte; a list among the values is measured first."""
    _content(args)
    for width, precision in _PRINTF.findall(fmt):
        for n in (width, precision):
            if n == "*":
                for arg in args if isinstance(args, tuple) else (args,):
                    _size_arg(arg)
            elif n:
                _too_big(int(n), "格式宽度")


def _format_ok(fmt: str, args, kwargs) -> None:
    """'{:>999999999}'.format(x) likewise; a nested width ({:{w}}) is checked among the arguments."""
    try:
        fields = list(string.Formatter().parse(fmt))
    except ValueError:
        return  # str.format raises the same error itself
    for arg in (*args, *kwargs.values()):
        _content(arg)
    for _, _, spec, _ in fields:
        if not spec:
            continue
        if "{" in spec:
            for arg in (*args, *kwargs.values()):
                _size_arg(arg)
        for n in re.findall(r"\d+", spec):
            _too_big(int(n), "格式宽度")


def _binop_ok(op: str, left, right) -> None:
    if op == "*":
        for seq, n in ((left, right), (right, left)):
            if isinstance(seq, _SEQUENCES) and isinstance(n, int):
                _too_big(_content(seq) * max(n, 0))
        if isinstance(left, int) and isinstance(right, int):
            _bits_ok(left.bit_length() + right.bit_length())
    elif op == "**":
        if isinstance(left, int) and isinstance(right, int) and right > 0 and abs(left) > 1:
            _bits_ok(left.bit_length() * min(right, 10**9))
    elif op == "+":
        if isinstance(left, _SEQUENCES) and isinstance(right, _SEQUENCES):
            _too_big(_content(left) + _content(right))
    elif op == "%" and isinstance(left, str):
        _printf_ok(left, right)


def _replace_ok(s, old, new, count=None) -> None:
    s, old, new = str(s), str(old), str(new)
    if len(new) <= len(old):
        return
    hits = s.count(old) if old else len(s) + 1
    if isinstance(count, int) and count >= 0:
        hits = min(hits, count)
    _too_big(len(s) + hits * (len(new) - len(old)))


def _join_ok(items, sep) -> None:
    if not isinstance(items, (list, tuple, dict, str)):
        return  # a generator: the result is checked after
    total = max(len(items) - 1, 0) * len(str(sep))
    for item in items:
        total += _content(item)
        _too_big(total)


def _str_method_ok(text: str, name: str, args, kwargs) -> None:
    if name in ("center", "ljust", "rjust", "zfill"):
        for arg in (*args, *kwargs.values()):
            _size_arg(arg)
    elif name == "expandtabs":
        size = (args[0] if args else kwargs.get("tabsize", 8))
        if isinstance(size, int):
            _too_big(len(text) + text.count("\t") * max(size, 0))
    elif name == "replace" and len(args) >= 2:
        _replace_ok(text, *args[:3])
    elif name == "join" and args:
        _join_ok(args[0], text)
    elif name == "format":
        _format_ok(text, args, kwargs)
    elif name == "format_map" and args and isinstance(args[0], dict):
        _format_ok(text, (), args[0])


_FILTER_CHECKS = {
    "replace": lambda s, old="", new="", count=None, *_, **__: _replace_ok(s, old, new, count),
    "indent": lambda s, width=4, *_, **__: _too_big(
        len(str(s)) + (str(s).count("\n") + 1) * (len(width) if isinstance(width, str) else width)),
    "join": lambda value, d="", *_, **__: _join_ok(value, d),
    "format": lambda value, *args, **kwargs: _printf_ok(str(value), args or kwargs),
    "center": lambda value, width=80, *_, **__: _size_arg(width),
    "wordwrap": lambda s, width=79, *_, **__: _size_arg(width),
    "truncate": lambda s, length=255, *_, **__: _size_arg(length),
    "batch": lambda value, linecount=1, *_, **__: _size_arg(linecount),
    "slice": lambda value, slices=1, *_, **__: _size_arg(slices),
}


# Filters that turn their value into text: a list given to them is measured first.
_TEXT_FILTERS = {"string", "e", "escape", "forceescape", "pprint", "tojson", "safe", "upper", "lower",
                 "title", "capitalize", "trim", "striptags", "urlize", "urlencode", "xmlattr",
                 "wordcount", *_FILTER_CHECKS}


def _guarded(name: str, func):
    """A filter that ticks the clock, and checks its arguments and result where it can grow."""
    check = _FILTER_CHECKS.get(name)
    text = name in _TEXT_FILTERS
    skip = 1 if hasattr(func, "jinja_pass_arg") else 0  # context, eval context or environment first

    @functools.wraps(func)
    def guarded(*args, **kwargs):
        _tick()
        if text and len(args) > skip and isinstance(args[skip], _CONTAINERS):
            _content(args[skip])
        if check is not None:
            check(*args[skip:], **kwargs)
            return _checked(func(*args, **kwargs))
        return func(*args, **kwargs)

    return guarded


# ----------------------------------------------------------------- the environment


def _range(*args) -> range:
    """range(), at most MAX_TEMPLATE_LOOP items (its loop then spends from the budget)."""
    items = range(*args)
    try:
        size = len(items)
    except OverflowError:
        size = limits.MAX_TEMPLATE_LOOP + 1
    if size > limits.MAX_TEMPLATE_LOOP:
        raise BudgetExceeded(f"循环次数超过 {limits.MAX_TEMPLATE_LOOP}（range 给出的项数过多）")
    return items


@pass_context
def _step(context, literal: int) -> str:
    spent = _BUDGET.get()
    if spent is not None:
        spent.step(literal)
    return ""


def _value(value):
    _tick()
    return _checked(value)


def _text(value):
    if isinstance(value, _CONTAINERS):
        _content(value)  # measured before ~ makes text of it
    return value


def _finalize(value):
    """Every printed value: counted, and without the characters XML forbids."""
    spent = _BUDGET.get()
    if isinstance(value, str):
        if spent is not None:
            spent.print(len(value))
        if has_illegal(value):
            cleaned = strip_illegal(value)
            value = Markup(cleaned) if isinstance(value, Markup) else cleaned
    elif isinstance(value, _CONTAINERS):
        size = _content(value)  # before it becomes text
        if spent is not None:
            spent.print(size)
    return value


def _literal(body: list[nodes.Node]) -> int:
    """Characters of literal text a body prints each time it runs, without the bodies
    that count themselves (loops, macros, call blocks)."""
    total = 0
    for node in body:
        if isinstance(node, nodes.TemplateData):
            total += len(node.data)
        elif isinstance(node, nodes.For):
            total += _literal(node.else_)
        elif not isinstance(node, (nodes.Macro, nodes.CallBlock)):
            total += _literal(list(node.iter_child_nodes()))
    return total


class _Metered(NodeTransformer):
    """Every loop iteration and macro call spends one step and its literal text;
    every ``~`` concatenation is checked."""

    def _metered(self, node: nodes.Node) -> nodes.Node:
        self.generic_visit(node)
        step = nodes.Filter(nodes.Const(_literal(node.body)), _STEP, [], [], None, None)
        node.body.insert(0, nodes.ExprStmt(step, lineno=node.lineno))
        return node

    visit_For = visit_Macro = visit_CallBlock = _metered

    def visit_Concat(self, node: nodes.Concat) -> nodes.Node:
        self.generic_visit(node)
        node.nodes = [nodes.Filter(part, _TEXT, [], [], None, None, lineno=node.lineno) for part in node.nodes]
        return nodes.Filter(node, _VALUE, [], [], None, None, lineno=node.lineno)


class TemplateEnvironment(ImmutableSandboxedEnvironment):
    """ImmutableSandboxedEnvironment with the budget above."""

    intercepted_binops = frozenset({"*", "**", "+", "%"})

    def _parse(self, source, name, filename):
        return _Metered().visit(super()._parse(source, name, filename))

    def call_binop(self, context, operator, left, right):
        _tick()
        _binop_ok(operator, left, right)
        return _checked(self.binop_table[operator](left, right))

    def call(__self, __context, __obj, *args, **kwargs):  # noqa: N805 - Jinja's own signature
        _tick()
        method = getattr(__obj, "__wrapped__", __obj)  # the sandbox wraps str.format
        owner = getattr(method, "__self__", None)
        if isinstance(owner, str):
            _str_method_ok(owner, getattr(method, "__name__", ""), args, kwargs)
        result = super().call(__context, __obj, *args, **kwargs)
        # a macro's (or a recursive loop's) output is counted where it is printed
        return result if isinstance(__obj, (Macro, LoopContext)) else _checked(result)


def _vm(value: str) -> Markup:
    """``{{ r.level1_merge|vm }}``: mark this cell to merge vertically ('restart' /
    'continue'); an empty value leaves the cell alone."""
    return Markup(MERGE_MARKS.get(str(value), ""))


def jinja_environment() -> ImmutableSandboxedEnvironment:
    """The environment every Word template renders in (see the module's doc)."""
    env = TemplateEnvironment(autoescape=True, undefined=StrictUndefined, finalize=_finalize)
    env.filters = {name: _guarded(name, func) for name, func in env.filters.items()}
    env.filters.update({"vm": _vm, _STEP: _step, _VALUE: _value, _TEXT: _text})
    env.globals["range"] = _range
    env.globals.pop("lipsum", None)  # lipsum(10**6) writes a gigabyte of Latin
    return env
