"""Putting values into openpyxl cells so that what a person typed stays what they typed.

openpyxl decides a cell's type from its value: a string that begins with ``=`` becomes
a formula, and ``#N/A`` or ``#DIV/0!`` becomes an error value. A unit named
``=HYPERLINK("http://…","点此")``, a 复核意见 ``=1+1`` or the target ``=100%`` of a
shipped example would be written as a live formula into 汇总表, the review sheet or the
复核对比表, and Excel would run it. Every .xlsx writer puts users' text through
`put_text` (or `put_value`, `append_row`): the cell is marked as text after the value
is assigned, text that a spreadsheet would read as a formula or a number when the
cell is edited (``= + - @``) also gets Excel's quote prefix, and characters that XML
forbids (which make openpyxl raise IllegalCharacterError) are removed rather than
failing the whole file. Formulas jixiao writes itself go through `put_formula`.
"""

from __future__ import annotations

from collections.abc import Iterable

from scoring.core.text import strip_illegal

# What Excel and LibreOffice read as the start of a formula when a cell is typed or edited.
FORMULA_START = ("=", "+", "-", "@")


def put_text(cell, value: str):
    """Set `value` on the cell as text, never as a formula or an error value; the cell."""
    text = strip_illegal(str(value), escaped=True)
    cell.value = text
    cell.data_type = "s"
    if text.startswith(FORMULA_START):
        cell.quotePrefix = True  # stays text when someone edits the cell in Excel
    return cell


def put_value(cell, value: object):
    """Set any value: text through `put_text`, numbers, dates and None as they are; the cell."""
    if isinstance(value, str):
        return put_text(cell, value)
    cell.value = value
    return cell


def put_formula(cell, formula: str):
    """A formula jixiao wrote itself (the funds block's 执行率); never a user's text."""
    cell.value = formula
    return cell


def append_row(ws, values: Iterable[object]) -> None:
    """`ws.append`, with every string written as text (`put_text`)."""
    values = [strip_illegal(v, escaped=True) if isinstance(v, str) else v for v in values]
    ws.append(values)
    if values:
        row = ws._current_row  # the row just appended (ws.max_row counts every cell: quadratic)
        for col, value in enumerate(values, 1):
            if isinstance(value, str):
                put_text(ws.cell(row, col), value)
