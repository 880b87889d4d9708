"""Funds amounts and printed numbers as tables print them.

An amount of the funds block (年初预算数, 全年预算数, 全年执行数, each source's) is
held in 万元. People write it as a number (``150``, ``0.24``), with a unit
(``150万``, ``259.45万元``, ``1,500,000元``, ``1.2亿元``), in full-width digits
(``１５０万``), or, in a block whose `funding.unit` is 元, as a number of 元. Each
becomes an exact `Decimal` in 万元 (元 ÷ 10000 is exact: a shift of the decimal
point). A printed number (``printed_rate: "100%"``, ``printed_deviation: "-5.56%"``,
``printed_score: "9分"``) becomes the number it shows, in percent where it is one.

The model applies these with pydantic's ``BeforeValidator`` (`core/model.py`), so
a bad value is reported at its key with the message here.
"""

from __future__ import annotations

import re
import unicodedata
from decimal import Decimal, InvalidOperation

from scoring.core.numbers import D

AMOUNT_EXPECTED = "应为金额，如 150、150万、1500000元"
PRINTED_EXPECTED = "应为数字，如 9、98.5、100%、-5.56%"
AMOUNT_KEYS = ("initial_budget", "annual_budget", "executed")
UNITS = ("万元", "元")

_NUMBER = r"[+-]?(?:\d{1,3}(?:,\d{3})+|\d+)(?:\.\d+)?"
_AMOUNT_RE = re.compile(rf"(?P<num>{_NUMBER})(?P<unit>亿元|亿|万元|万|元)?(?:(?<=元)整)?")  # 150万元整
_PRINTED_RE = re.compile(rf"(?P<num>{_NUMBER})(?P<unit>%|分)?")
# 万元 per one of each written unit; a bare number is in the block's unit.
_PER_UNIT = {"亿元": 4, "亿": 4, "万元": 0, "万": 0, "元": -4}
_SPACES = re.compile(r"\s+")


def _compact(text: str) -> str:
    """NFKC (full-width digits, ，), no whitespace, the minus signs typed as -."""
    return _SPACES.sub("", unicodedata.normalize("NFKC", text)).replace("−", "-").replace("－", "-")


def _tidy(value: Decimal) -> Decimal:
    """``150.0000`` → ``150``, ``259.4500`` → ``259.45``: as the number would be typed."""
    if value == value.to_integral_value():
        return value.quantize(Decimal(1))
    return value.normalize()


def parse_amount(value: object, unit: str = "万元") -> Decimal:
    """One amount in 万元; a number without a unit is in `unit` (万元 or 元).

    Raises:
        ValueError: not an amount (the message says what is expected).
    """
    if isinstance(value, str):
        m = _AMOUNT_RE.fullmatch(_compact(value))
        if m is None:
            raise ValueError(f"{AMOUNT_EXPECTED}，实际为“{value}”")
        number = D(m["num"])
        written = m["unit"]
    elif isinstance(value, (int, float, Decimal)) and not isinstance(value, bool):
        try:
            number = D(value)
        except ValueError:
            raise ValueError(f"{AMOUNT_EXPECTED}，实际为“{value}”") from None
        written = None
    else:
        raise ValueError(f"{AMOUNT_EXPECTED}，实际为“{value}”")
    shift = _PER_UNIT[written] if written else (-4 if unit == "元" else 0)
    return number if shift == 0 else _tidy(number.scaleb(shift))


# an amount typed as a plain number ("2591.78"): pydantic reads it exactly, nothing to convert
_PLAIN = re.compile(r"[0-9]+(?:\.[0-9]+)?")


def amount_or_same(value: object, unit: str = "万元") -> object:
    """`parse_amount`, or the value unchanged when it is not one (or is empty), so
    that validation reports it at its key. Numbers of a 万元 block pass untouched."""
    if value is None or (unit == "万元" and (not isinstance(value, str) or _PLAIN.fullmatch(value))):
        return value
    try:
        return parse_amount(value, unit)
    except (ValueError, InvalidOperation):
        return value


def funding_in_wan(funding: object) -> object:
    """A funds block as plain data with every amount in 万元 (sources too), whatever
    unit and suffixes it was written in; `unit` becomes 万元. Values that are not
    amounts are left as they are. Anything but a dict is returned as is."""
    if not isinstance(funding, dict):
        return funding
    unit = funding.get("unit", "万元")
    if unit not in UNITS:
        return funding  # the model reports the unknown unit
    data = {k: amount_or_same(v, unit) if k in AMOUNT_KEYS else v for k, v in funding.items()}
    sources = funding.get("sources")
    if isinstance(sources, (list, tuple)):
        data["sources"] = [{k: amount_or_same(v, unit) if k in AMOUNT_KEYS else v for k, v in s.items()}
                           if isinstance(s, dict) else s for s in sources]
    if "unit" in data:
        data["unit"] = "万元"
    return data


def amount_before(value: object) -> object:
    """The model's amount fields: a string read by `parse_amount` (in 万元); numbers as given."""
    if value.__class__ is not str or _PLAIN.fullmatch(value):
        return value
    return parse_amount(value)


def printed_before(value: object) -> object:
    """The model's printed_* fields: ``100%`` → 100, ``9分`` → 9, ``-5.56%`` → -5.56;
    numbers as given (pydantic reads them)."""
    if value.__class__ is not str:
        return value
    m = _PRINTED_RE.fullmatch(_compact(value))
    if m is None:
        raise ValueError(f"{PRINTED_EXPECTED}，实际为“{value}”")
    return D(m["num"])
