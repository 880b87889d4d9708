"""Chinese typography for the written reports (绩效自评报告, 总结报告).

One place decides how a report prints what the table holds: amounts to two
decimals in 万元 (“1200.50万元”), rates to two decimals (“99.85%”, as the tables
print them), scores as the tables print them (“92.4”), full-width punctuation
in people's text, every sentence closed with “。”, dates in 年月日, and the
placeholder that marks what only the unit can write (【请填写：…】).
"""

from __future__ import annotations

import re
import unicodedata
from decimal import Decimal

from scoring.core.numbers import fixed, plain

PLACEHOLDER_OPEN = "【请填写："
# A blank date line, as printed forms leave it for the hand: “    年  月  日”.
BLANK_DATE = "\u3000\u3000\u3000\u3000年\u3000\u3000月\u3000\u3000日"
# Width of one line of a title at 22 pt (二号) on the report's 15.6 cm text area:
# 442 pt / 22 pt = 20.1 em (a CJK character is 1 em, a digit or Latin letter ½ em).
TITLE_EM = 20


def money(value: Decimal | None) -> str:
    """``Decimal('1200.5')`` → ``'1200.50万元'``; None → ``'—'``."""
    return "—" if value is None else f"{fixed(value)}万元"


def rate(value: Decimal | None) -> str:
    return "—" if value is None else f"{fixed(value)}%"


def points(value: Decimal | None) -> str:
    """A score or weight as the tables print it, with its unit: ``'92.4分'``."""
    return "—" if value is None else f"{plain(value)}分"


def placeholder(what: str) -> str:
    return f"{PLACEHOLDER_OPEN}{what}】"


_CJK = r"\u3000-\u303f\u3400-\u9fff\uff00-\uffef“”‘’"
_SPACE_NEAR_CJK = re.compile(rf"\s*([{_CJK}])\s*")
_HALF_TO_FULL = {",": "，", ";": "；", ":": "：", "(": "（", ")": "）", "!": "！", "?": "？"}
# a comma or colon between digits (1,500; 10:30) stays, as does the colon of an address (http://)
_HALF_PUNCT = re.compile(r"(?<!\d),|,(?!\d)|(?<!\d):(?!//)|:(?!\d|//)|[;()!?]")
# web addresses are kept exactly as typed
_ADDRESS = re.compile(r"(?:https?://|www\.)[\x21-\x7e]+")
_LOOKALIKES = str.maketrans({"≧": "≥", "≦": "≤", "═": "=", "＝": "=", "﹦": "="})


def cn(text: str | None) -> str:
    """People's text set as Chinese: spaces beside Chinese characters removed
    (“2022 年 12 月 31 日前” → “2022年12月31日前”), ASCII punctuation made full width
    where the text is Chinese (a comma between digits stays), ``>=``/``<=`` → ``≥``/``≤``."""
    if not text:
        return ""
    s = unicodedata.normalize("NFC", str(text)).strip()
    chinese = re.search(r"[\u4e00-\u9fff]", s) is not None
    parts = []
    for k, piece in enumerate(_ADDRESS.split(s)):
        piece = piece.translate(_LOOKALIKES).replace(">=", "≥").replace("<=", "≤").replace("%%", "%")
        piece = re.sub(r"\s*\n\s*", "", piece)
        piece = _SPACE_NEAR_CJK.sub(r"\1", piece)
        if chinese:
            piece = _HALF_PUNCT.sub(lambda m: _HALF_TO_FULL[m.group(0)], piece)
        parts.append(piece)
    addresses = _ADDRESS.findall(s)
    s = "".join(p + (addresses[k] if k < len(addresses) else "") for k, p in enumerate(parts))
    if chinese:
        s = re.sub(r"(?<=[\u4e00-\u9fff）])\.$", "。", s)
    return s


def paragraphs(text: str | None) -> list[str]:
    """People's text of several paragraphs (lines), each closed as a sentence; blank lines dropped."""
    return [p for p in (sentence(line) for line in str(text or "").splitlines()) if p]


def clause(text: str | None) -> str:
    """People's text without its closing punctuation, to be placed inside a sentence."""
    return cn(text).strip().lstrip("。；，、.;,：").rstrip("。；，、.;,：！! ")


def sentence(text: str | None) -> str:
    """Closed with “。” (a report states, so a closing “！” becomes “。”); empty text stays empty."""
    s = clause(text)
    if not s:
        return ""
    return s if s.endswith(("？", "】")) else s + "。"


def quoted(text: str | None) -> str:
    return f"“{clause(text)}”"


def em_width(text: str) -> float:
    """Width in em: a CJK or full-width character 1, a digit or Latin letter ½ (宋体/黑体 metrics);
    “%” counts 1, as proportional CJK fonts (Noto CJK, which LibreOffice substitutes) draw it ~0.85 em."""
    return sum(1.0 if c == "%" or unicodedata.east_asian_width(c) in "WF" else 0.5 for c in text)


def title_lines(head: str, tail: str, limit: float = TITLE_EM) -> list[str]:
    """A title that never leaves a few characters alone on a line.

    One line when ``head + tail`` fits; otherwise ``head`` on its own lines
    (split into balanced parts when it is itself too long) and ``tail`` below.
    """
    if em_width(head + tail) <= limit:
        return [head + tail]
    parts = max(1, -(-int(em_width(head) * 2) // int(limit * 2)))
    lines, per = [], em_width(head) / parts
    line = ""
    for char in head:
        if line and em_width(line + char) > per + 0.5 and len(lines) < parts - 1:
            lines.append(line)
            line = ""
        line += char
    lines.append(line)
    return lines + [tail]


_DATE = re.compile(r"^\s*(\d{4})\s*[-/.年]\s*(\d{1,2})\s*(?:[-/.月]\s*(\d{1,2})\s*日?)?\s*月?\s*$")


def chinese_date(text: str | None) -> str:
    """``2023-03-15``, ``2023/3/15``, ``2023.3.15`` → ``2023年3月15日``; ``2023-09`` → ``2023年9月``;
    text already in 年月日 or not a date is kept as given."""
    if not text:
        return ""
    m = _DATE.match(text) or re.match(r"^\s*(\d{4})(\d{2})(\d{2})\s*$", text)
    if not m:
        return text.strip()
    year, month, day = m.group(1), int(m.group(2)), m.group(3)
    if not 1 <= month <= 12 or (day and not 1 <= int(day) <= 31):
        return text.strip()
    return f"{year}年{month}月{int(day)}日" if day else f"{year}年{month}月"
