"""The Jinja2 environment of the page's templates, with the filters they use for numbers.

Kept apart from the routes so that every page renders numbers the same way: ``num``
(a value or a dash), ``diff`` (a signed change, blank when none) and ``fixed`` (the
official two decimals).
"""

from __future__ import annotations

from decimal import Decimal
from pathlib import Path

from jinja2 import Environment, FileSystemLoader, StrictUndefined

from scoring.core.numbers import fixed, plain

TEMPLATES = Path(__file__).parent / "templates"


def _num(value: Decimal | None) -> str:
    return "—" if value is None else plain(value)


def _diff(value: Decimal | None) -> str:
    if value is None or value == 0:
        return ""
    return ("+" if value > 0 else "") + plain(value)


def _fixed(value: Decimal | None) -> str:
    return "" if value is None else fixed(value)


def environment() -> Environment:
    """A new environment: autoescaped, and strict about names a template gets wrong."""
    env = Environment(loader=FileSystemLoader(TEMPLATES), autoescape=True, undefined=StrictUndefined,
                      trim_blocks=True, lstrip_blocks=True)
    env.filters["num"] = _num
    env.filters["diff"] = _diff
    env.filters["fixed"] = _fixed
    return env
