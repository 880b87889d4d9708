"""Decimal helpers: every amount, weight, score and rate goes through here.

Binary floats never enter the engine: values arrive as strings (or as the
exact text of a YAML scalar) and become `Decimal`. Rounding is half-up
(四舍五入) or floor, never Python's banker's rounding.
"""

from __future__ import annotations

from decimal import ROUND_FLOOR, ROUND_HALF_UP, Decimal, InvalidOperation

ZERO = Decimal(0)
ONE = Decimal(1)
HUNDRED = Decimal(100)

_QUANTS = {p: Decimal(1).scaleb(-p) for p in range(0, 7)}
_MODES = {"half_up": ROUND_HALF_UP, "floor": ROUND_FLOOR}


def D(value: object) -> Decimal:
    """Convert a number or numeric string to Decimal exactly.

    Floats are converted through their shortest repr (``0.1`` → ``Decimal('0.1')``),
    which is what a person typed; never through their binary expansion.

    Raises:
        ValueError: the value is not a finite number.
    """
    if isinstance(value, Decimal):
        result = value
    elif isinstance(value, bool):
        raise ValueError(f"不是数字：{value!r}")
    elif isinstance(value, int):
        return Decimal(value)
    elif isinstance(value, float):
        result = Decimal(repr(value))
    else:
        try:
            result = Decimal(str(value).strip().replace(",", ""))
        except InvalidOperation:
            raise ValueError(f"不是数字：{value!r}") from None
    if not result.is_finite():
        raise ValueError(f"不是有限数字：{value!r}")
    return result


def quantize(value: Decimal, precision: int = 2, mode: str = "half_up") -> Decimal:
    """Round to `precision` decimals, half-up (四舍五入) by default, or floor."""
    return value.quantize(_QUANTS[precision], rounding=_MODES[mode])


def plain(value: Decimal | None) -> str:
    """Format with trailing zeros dropped, as published tables print scores.

    ``Decimal('10.00')`` → ``'10'``, ``Decimal('2.40')`` → ``'2.4'``, ``None`` → ``''``.
    """
    if value is None:
        return ""
    if value.__class__ is Decimal:
        # str() writes the digits as format "f" does unless it chooses an exponent
        # (1E+1, 1E-7), and costs half as much; rows print several numbers each
        text = str(value)
        if "E" in text:
            text = format(value, "f")
    else:
        text = format(value, "f")
    if "." in text:
        text = text.rstrip("0").rstrip(".")
    return "0" if text in ("-0", "") else text


def fixed(value: Decimal | None, places: int = 2) -> str:
    """Format with exactly `places` decimals (deviations print ``0.00``, ``-76.00``)."""
    if value is None:
        return ""
    text = format(quantize(value, places), "f")
    return "0." + "0" * places if text.lstrip("-").strip("0.") == "" else text
