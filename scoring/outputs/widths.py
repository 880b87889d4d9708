"""Column widths computed from text metrics: a table fills its text area exactly,
no number wraps in its column, no label leaves one character alone on its last line.

Metrics, those of 宋体 (SimSun), the tables' declared font: a character of East
Asian width W, F or A (汉字, full-width punctuation, ≥, —) is one em wide, every
other character (digits, Latin letters, “.”, “%”, a space) half an em. One em is
the font size: 10 pt = 200 twips. A cell's text gets its width less the cell
margins, Word's default 108 twips on the left and on the right (Table Grid) unless
the table sets others. A line holds a quarter em less than that (`SLACK_EM`):
Word and LibreOffice round glyph advances, and a line filled to the last twip
breaks in one of them.

Lines break as Word breaks Chinese, greedily: between any two CJK characters,
never inside a run of half-width characters (99.85, 2022, ≥90% keeps “90%”
together), never before closing punctuation (，。）% …) nor after opening
punctuation (（“) nor after a sign (≥90%). A run longer than the line is cut where it must.

Numbers get a safety margin (`SUBSTITUTE_HALF`): `solve` makes them fit also when
a half-width character takes 0.65 em, as digits do in DejaVu Sans (0.636 em), the
font LibreOffice falls back to where 宋体 is not installed; `fits` itself checks
宋体's metrics.
"""

from __future__ import annotations

import math
import unicodedata
from dataclasses import dataclass

CELL_MARGIN = 108  # twips, each side (Word's default for Table Grid)
HALF = 0.5  # em: digits and Latin in 宋体
SUBSTITUTE_HALF = 0.65  # em: the widest common substitute's digits (DejaVu Sans 0.636)
SLACK_EM = 0.25
TWIPS_PER_POINT = 20
CLOSING = set("，。、；：！？）】》」』”’%％·…,.;:!?)]")
OPENING = set("（【《「『“‘([≥≤＞＜±")  # and signs that belong to the number after them


def char_em(ch: str, half: float = HALF) -> float:
    return 1.0 if unicodedata.east_asian_width(ch) in ("W", "F", "A") else half


def text_em(text: str, half: float = HALF) -> float:
    return sum(char_em(c, half) for c in text)


def _tokens(text: str) -> list[str]:
    """Pieces a line may not break inside (see the module's docstring)."""
    out: list[str] = []
    glue = False  # the previous piece ended with opening punctuation
    for ch in text:
        narrow = unicodedata.east_asian_width(ch) not in ("W", "F", "A") and not ch.isspace()
        if out and (glue or ch in CLOSING or (narrow and out[-1][-1:] and _narrow(out[-1][-1]))):
            out[-1] += ch
        else:
            out.append(ch)
        glue = ch in OPENING
    return out


def _narrow(ch: str) -> bool:
    return unicodedata.east_asian_width(ch) not in ("W", "F", "A") and not ch.isspace() and ch not in CLOSING


def wrap(text: str, width: int, size: float = 10, margin: int = CELL_MARGIN, half: float = HALF) -> list[str]:
    """The lines `text` takes in a cell `width` twips wide at `size` points."""
    room = (width - 2 * margin) / (size * TWIPS_PER_POINT) - SLACK_EM  # in em
    lines: list[str] = []
    for paragraph in text.split("\n"):
        line, used = "", 0.0
        for token in _tokens(paragraph):
            w = text_em(token, half)
            if used + w <= room + 1e-9 or not line.strip():
                if w > room + 1e-9 and not line.strip():  # longer than a line: cut it
                    for ch in token:
                        c = char_em(ch, half)
                        if used + c > room + 1e-9 and line:
                            lines.append(line)
                            line, used = "", 0.0
                        line, used = line + ch, used + c
                    continue
                line, used = line + token, used + w
            else:
                lines.append(line.rstrip())
                line, used = token.lstrip(), text_em(token.lstrip(), half)
        lines.append(line.rstrip())
    return lines


def fits(text: str, width: int, size: float = 10, half: float = HALF) -> bool:
    """Whether `text` stays on one line in a cell `width` twips wide."""
    return all(len(wrap(p, width, size, half=half)) == 1 for p in text.split("\n"))


def orphaned(text: str, width: int, size: float = 10) -> bool:
    """Whether `text` wraps and leaves a single character on its last line."""
    lines = wrap(text, width, size)
    return len(lines) > 1 and len(lines[-1].strip()) == 1


def one_line(text: str, size: float = 10, half: float = HALF) -> int:
    """The narrowest cell, in twips, that holds `text` on one line."""
    return math.ceil((text_em(text, half) + SLACK_EM) * size * TWIPS_PER_POINT) + 2 * CELL_MARGIN


@dataclass(frozen=True)
class Column:
    """What a column must hold: `numbers` on one line, `labels` without an orphan.

    `min_em` is the narrowest it may be (in em of text); `grow` its share of the
    room left once every column has its minimum."""

    numbers: tuple[str, ...] = ()
    labels: tuple[str, ...] = ()
    min_em: float = 2
    grow: float = 0


@dataclass(frozen=True)
class Span:
    """Cells over columns `first`..`last` (inclusive) and what they must hold."""

    first: int
    last: int
    numbers: tuple[str, ...] = ()
    labels: tuple[str, ...] = ()


def _ok(numbers, labels, width: int, size: float) -> bool:
    return (all(fits(n, width, size) and fits(n, width, size, half=SUBSTITUTE_HALF) for n in numbers)
            and not any(orphaned(label, width, size) for label in labels))


def minimum(column: Column, size: float = 10) -> int:
    """The narrowest width that holds the column's numbers and labels."""
    step = int(size * TWIPS_PER_POINT / 2)
    width = max([math.ceil((column.min_em + SLACK_EM) * size * TWIPS_PER_POINT) + 2 * CELL_MARGIN]
                + [one_line(n, size, SUBSTITUTE_HALF) for n in column.numbers])
    widest = max([width] + [one_line(label, size) for label in column.labels])
    while width < widest and not _ok((), column.labels, width, size):
        width += step
    return width


class TooWide(ValueError):
    """The columns' minimum widths add up to more than the text area."""


def solve(columns: list[Column], total: int, size: float = 10, spans: tuple[Span, ...] = ()) -> list[int]:
    """Widths in twips that add up to `total` exactly, every constraint held.

    Each column gets its minimum, the rest goes to the growing columns by their
    `grow`; a column or span that then orphans a label is widened by half an em at a
    time, taken from the growing column with the most room to spare."""
    widths = [minimum(c, size) for c in columns]
    floors = list(widths)
    room = total - sum(widths)
    if room < 0:
        raise TooWide(f"表格各列最小宽度之和 {sum(widths)} 缇超过版心宽度 {total} 缇")
    shares = sum(c.grow for c in columns) or 1
    growing = [k for k, c in enumerate(columns) if c.grow] or [len(columns) - 1]
    for k in growing:
        widths[k] += int(room * (columns[k].grow or 1) / shares)
    widths[max(growing, key=lambda k: columns[k].grow)] += total - sum(widths)
    step = int(size * TWIPS_PER_POINT / 2)
    for _ in range(400):
        bad = _first_problem(columns, spans, widths, size)
        if bad is None:
            return widths
        first, last = bad
        inside = [k for k in range(first, last + 1) if k in growing] or [last]
        donors = [k for k in growing if not first <= k <= last and widths[k] - step >= floors[k]]
        if not donors:
            raise TooWide(f"第 {first + 1}–{last + 1} 列放不下其内容，版心宽度 {total} 缇不够")
        widths[max(inside, key=lambda k: columns[k].grow)] += step
        widths[max(donors, key=lambda k: widths[k] - floors[k])] -= step
    raise TooWide("列宽无法同时满足所有内容（调整 400 次后仍有折行问题）")


def _first_problem(columns, spans, widths, size):
    for k, c in enumerate(columns):
        if not _ok(c.numbers, c.labels, widths[k], size):
            return k, k
    for s in spans:
        if not _ok(s.numbers, s.labels, sum(widths[s.first: s.last + 1]), size):
            return s.first, s.last
    return None
