"""Scores the narrative states (…自评得分为 94 分), matched to the tables they speak of.

A 决算公开 document prints its tables and, around them, a report that restates
each table's score: 部门绩效自评得分98.89分; 2.慢性病专家鉴定费项目，…自评得分 94 分.
Each statement is matched to the table it speaks of by the text before it (since
the previous statement): the project whose name shares most of its character pairs
with that text, or the department's table when the text speaks of 部门 or 整体 and
names no project. A document with one table gives every statement to it. Only a
自评 score is read (a 重点评价's 评价得分 is another evaluation's).

A statement agrees when it is the computed total at the precision it is written
with (99 for 98.89 … 99.49 agrees; 99 for 96.6 does not).
"""

from __future__ import annotations

import re
import unicodedata
from decimal import ROUND_HALF_UP, Decimal
from typing import NamedTuple

from scoring.audit.model import Finding
from scoring.core.numbers import plain
from scoring.sources.document import Document, Paragraph
from scoring.sources.workbook.labels import compact

# …自评得分为 94 分, 自评总分 94 分, 自评分为 90 分, 自评结果为 92 分 (digits full-width or not)
_STATEMENT = re.compile(r"自评(?:总)?(?:得分|总分|分数|分|结果)(?:为|是|:|：)?约?([0-9０-９]{1,3}(?:[.．][0-9０-９]{1,2})?)分")
# a part's score, not the table's: 预算执行率指标自评得分为9.5分, 产出指标自评得分49.2分
_PART = re.compile(r"(?:指标|执行率|资金|分项|部分|其中)[^，。；,;]{0,4}$")
_NOISE = re.compile(r"项目|资金|经费|专项|支出|补助|年度|\d+年?")
_SPACE = re.compile(r"\s+")
_OTHER_PROJECT = re.compile(r"[^该本此其]项目")
MAX_STATEMENTS = 1_000  # statements read from one document (a 汇编 of 200 projects states ~200)


class Statement(NamedTuple):
    score: Decimal
    where: str  # 第12段, 第3页
    before: str  # the text since the previous statement
    text: str  # the sentence, for the finding


def statements(doc: Document) -> list[Statement]:
    """Every 自评得分 … 分 of the document's running text, in order (at most `MAX_STATEMENTS`)."""
    found: list[Statement] = []
    window = ""
    number = 0
    for block in doc.blocks:
        if not isinstance(block, Paragraph):
            continue
        number += 1
        text = _SPACE.sub("", block.text)
        start = 0
        for m in _STATEMENT.finditer(text):
            window += text[start:m.start()]
            start = m.end()
            if _PART.search(text[max(0, m.start() - 12):m.start()]):
                continue
            where = (f"第{block.page}页 " if block.page else "") + f"第{number}段"
            sentence = text[_sentence_start(text, m.start()):m.end()]
            found.append(Statement(Decimal(unicodedata.normalize("NFKC", m[1])), where, window, sentence))
            window = ""
            if len(found) >= MAX_STATEMENTS:
                return found
        window = (window + text[start:])[-400:]
    return found


def _sentence_start(text: str, at: int) -> int:
    """Where the sentence holding `at` begins (after the last 。；！ before it), at most 80 back."""
    cut = max(text.rfind(p, 0, at) for p in "。；！？，,")
    return max(cut + 1, at - 80, 0)


def _pairs(text: str) -> set[str]:
    text = _NOISE.sub("", compact(text))
    return {text[i:i + 2] for i in range(len(text) - 1)}


def _likeness(name: str, window: str) -> float:
    pairs = _pairs(name)
    if not pairs:
        return 0.0
    return len(pairs & _pairs(window)) / len(pairs)


def attribute(statement: Statement, tables: list) -> int | None:
    """The index of the table a statement speaks of, or None when it cannot be told."""
    if len(tables) == 1:  # unless the text speaks of a project this table is not
        ev = tables[0].evaluation
        sentence = re.split(r"[。；！？]", statement.before)[-1]
        named = _OTHER_PROJECT.search(sentence) is not None  # 某某项目, not 该项目 / 本项目
        if not named or ev is None or not ev.project or _likeness(ev.project, sentence) >= 0.3:
            return 0
        return None
    best, best_like = None, 0.0
    for i, t in enumerate(tables):
        ev = t.evaluation
        if ev is None or ev.kind != "project" or not ev.project:
            continue
        like = _likeness(ev.project, statement.before[-120:])
        if like > best_like:
            best, best_like = i, like
    if best is not None and best_like >= 0.3:
        return best
    if any(word in statement.before[-60:] for word in ("部门", "整体")):
        return next((i for i, t in enumerate(tables) if t.evaluation is not None
                     and t.evaluation.kind == "department"), None)
    return None


def agrees(stated: Decimal, total: Decimal) -> bool:
    exponent = stated.as_tuple().exponent
    quantum = Decimal(1).scaleb(exponent if isinstance(exponent, int) else 0)
    return total.quantize(quantum, ROUND_HALF_UP) == stated


def narrative_findings(doc: Document, tables: list, totals: list[Decimal | None]) -> dict[int, list[Finding]]:
    """Table index → the findings of the statements about it that disagree with its total."""
    found: dict[int, list[Finding]] = {}
    for s in statements(doc):
        i = attribute(s, tables)
        if i is None or totals[i] is None or agrees(s.score, totals[i]):
            continue
        found.setdefault(i, []).append(Finding(
            "narrative", s.where, None, plain(s.score), plain(totals[i]), "报告文字中的自评得分应与自评表总分一致",
            "narrative", f"报告写“{s.text}”，自评表计算总分为 {plain(totals[i])} 分"))
    return found
