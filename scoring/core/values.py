"""The language of targets (年度指标值) and actuals (实际完成值).

People type these as free text: ``≥90%``, ``>=90%%``, ``2 万元``, ``22 年 12 月 31 号前``,
``明显提升``, ``已按计划完成``, ``/``. `parse_value` turns one such text into a typed
value, or raises `ValueParseError` saying what it could not understand and which
forms are accepted. It never guesses: text that is not a number, a date, a period,
a judgement word or "not applicable" is kept as `Qualitative` text, and whether a
qualitative actual meets its target is decided by `qualitative_met`, which answers
"cannot tell" rather than inventing a result.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass
from datetime import date
from decimal import Decimal, InvalidOperation
from functools import lru_cache

from scoring.core.numbers import D, plain

# ------------------------------------------------------------------ records


@dataclass(frozen=True, slots=True)
class Quantity:
    """A number with an optional comparison operator and unit.

    `number` is in base units: 万 and 亿 are applied (``2 万元`` → 20000 元);
    percentages stay in percent (``85%`` → 85, unit ``%``).
    """

    op: str | None  # ">=", ">", "<=", "<", "=", "~" (余, about) or None
    number: Decimal
    unit: str
    text: str

    @property
    def kind(self) -> str:
        if self.unit == "%":
            return "rate"
        if self.unit.startswith("元"):
            return "amount" if self.unit == "元" else "rate-per-unit"
        return "count" if self.unit else "number"

    def __str__(self) -> str:
        return _OP_DISPLAY.get(self.op or "", "") + plain(self.number) + self.unit


@dataclass(frozen=True, slots=True)
class Deadline:
    """``2022 年 12 月 31 日前``; `year` is None when not written (``年底前``)."""

    year: int | None
    month: int
    day: int
    text: str

    def resolve(self, year: int) -> date:
        return date(self.year or year, self.month, self.day)


@dataclass(frozen=True, slots=True)
class Period:
    """A recurring or whole-period schedule: 每月, 每季度, 每年, 2021 全年."""

    every: str  # monthly | quarterly | half-yearly | yearly | whole-year
    year: int | None
    text: str


@dataclass(frozen=True, slots=True)
class DateValue:
    """A date without 前: an actual completion date (``2022年11月30日``)."""

    date: date
    text: str


@dataclass(frozen=True, slots=True)
class Judgement:
    """A word stating how far something was done: 达成 / 部分达成 / 未达成 and kin."""

    level: str  # achieved | partial | missed
    text: str


@dataclass(frozen=True, slots=True)
class Qualitative:
    """Any other wording: 相关, 合规, 明显提升, 应保尽保, 符合慢病政策人数 …"""

    text: str  # normalised: NFKC, all whitespace removed


@dataclass(frozen=True, slots=True)
class NotApplicable:
    """``/``, ``—``, ``无``, ``不适用``: the row does not apply this year."""

    text: str


Value = Quantity | Deadline | Period | DateValue | Judgement | Qualitative | NotApplicable


class ValueParseError(ValueError):
    """The text looks like a number or a date but is not one we can read."""

    def __init__(self, text: str, problem: str):
        super().__init__(f"“{text}”{problem}")
        self.text = text
        self.problem = problem


ACCEPTED_FORMS = (
    "可填写：数值（85%、150000人、2万元、≥90%、≤10%、>4000人、不低于95%）；"
    "日期期限（2022年12月31日前、年底前）；周期（每月、每年）；"
    "完成情况（达成、部分达成、未达成、已完成）；定性表述（相关、合规、明显提升）；"
    "不适用填“/”"
)

_OP_DISPLAY = {">=": "≥", ">": ">", "<=": "≤", "<": "<", "=": "=", "~": "约"}

# ------------------------------------------------------------- normalising

def normalize(text: str) -> str:
    """NFKC (full-width digits and signs, ideographic spaces), no whitespace, the
    lookalike operator glyphs of `LOOKALIKES` read as the operators they stand for,
    ASCII operators and doubled ``%%`` folded to one form."""
    # Each step is skipped when it has nothing to do (checked in one pass of C): most texts
    # have no space, no lookalike and no typed two-character operator. str.split() splits
    # at exactly the characters \s matches (str.isspace).
    parts = unicodedata.normalize("NFKC", text).split()
    s = parts[0] if len(parts) == 1 else "".join(parts)
    if _LOOKALIKE_RE.search(s):
        s = s.translate(_LOOKALIKE_TABLE)
    if _FOLD_RE.search(s):  # none of the pairs present: the replacements below change nothing
        for old, new in _FOLDS:
            if old in s:
                s = s.replace(old, new)
    return s


# Characters printed in place of an operator, and the operator each is read as. Real
# tables print them: 云南 ``≧100%`` (U+2267), ``═100%`` (U+2550, a box-drawing line that
# looks like =), a typed ``≮90%`` (not less than). NFKC already turns the full-width and
# small forms (＝ ＞ ＜ ﹦ ﹥ ﹤) into ASCII; they are listed so the table says it all.
LOOKALIKES: dict[str, str] = {
    "≧": "≥", "⩾": "≥", "≮": "≥",  # U+2267 over equal, U+2A7E slanted equal, U+226E not less-than (不小于)
    "≦": "≤", "⩽": "≤", "≯": "≤",  # U+2266, U+2A7D, U+226F not greater-than (不大于)
    "═": "=", "＝": "=", "﹦": "=",  # U+2550 box-drawing double line, U+FF1D full-width, U+FE66 small
    "꞊": "=", "〓": "=", "゠": "=",  # U+A78A, U+3013 geta mark (offered for = by input methods), U+30A0
    "＞": ">", "﹥": ">", "＜": "<", "﹤": "<",  # full-width and small forms
    "≈": "约", "≒": "约",  # U+2248, U+2252: about
}
_LOOKALIKE_TABLE = str.maketrans(LOOKALIKES)
_LOOKALIKE_RE = re.compile("[" + re.escape("".join(LOOKALIKES)) + "]")

_FOLDS = (  # pairs, after the lookalikes: typed two-character operators
    (">=", "≥"),
    ("=>", "≥"),
    ("<=", "≤"),
    ("=<", "≤"),
    ("≥=", "≥"),
    ("≤=", "≤"),
    ("》=", "≥"),  # > and < typed with a Chinese input method on
    ("《=", "≤"),
    ("%%", "%"),
    ("‰‰", "‰"),
)
_FOLD_RE = re.compile("|".join(re.escape(old) for old, _ in _FOLDS))

# ------------------------------------------------------------------ grammar

_PREFIX_OPS = (  # longest first
    ("大于等于", ">="),
    ("小于等于", "<="),
    ("不低于", ">="),
    ("不少于", ">="),
    ("不小于", ">="),
    ("不高于", "<="),
    ("不超过", "<="),
    ("不大于", "<="),
    ("不多于", "<="),
    ("至少", ">="),
    ("至多", "<="),
    ("最多", "<="),
    ("大于", ">"),
    ("高于", ">"),
    ("超过", ">"),
    ("多于", ">"),
    ("小于", "<"),
    ("低于", "<"),
    ("少于", "<"),
    ("等于", "="),
    ("≥", ">="),
    ("≤", "<="),
    (">", ">"),
    ("<", "<"),
    ("=", "="),
    ("约", "~"),
)
_SUFFIX_OPS = (
    ("及以上", ">="),
    ("以上", ">="),
    ("及以下", "<="),
    ("以下", "<="),
    ("以内", "<="),
    ("之内", "<="),
    ("内", "<="),
)

_NUMBER = r"[+-]?(?:\d{1,3}(?:,\d{3})+|\d+)(?:\.\d+)?"
_QUANTITY_RE = re.compile(
    rf"(?P<num>{_NUMBER})(?P<about>余)?(?P<scale>万|亿|千)?(?P<unit>%|‰|[\u4e00-\u9fffA-Za-z/]{{1,6}})?"
)
_SCALES = {"万": Decimal(10000), "亿": Decimal(100000000), "千": Decimal(1000)}
_FAST_OPS = {"≥": ">=", "≤": "<=", ">": ">", "<": "<", "=": "="}
_FAST_RE = re.compile(
    rf"(?P<op>[≥≤<>=])?(?P<num>{_NUMBER})(?P<scale>万|亿)?"
    r"(?P<unit>%|人次|人|次|家|个|元/人|元|天|户|件|项|所|名|场|篇|份|台|套|辆|期|批|户次)?"
)
_DATE_RE = re.compile(
    r"(?:(?P<y>\d{4}|\d{2})年)?(?:(?P<m>\d{1,2})月)?(?:(?P<d>\d{1,2})[日号])?"
    r"(?P<end>底|末)?(?P<before>前|之前|以前)?"
)
_ISO_DATE_RE = re.compile(r"(?P<y>\d{4})[-./](?P<m>\d{1,2})[-./](?P<d>\d{1,2})(?P<before>前|之前|以前)?")
_YEAR_END = ("年底前", "年末前", "年底", "年末", "年内", "年度内", "本年度内", "当年内")
_PERIODS = {
    "每月": "monthly",
    "按月": "monthly",
    "每季度": "quarterly",
    "每季": "quarterly",
    "按季度": "quarterly",
    "每半年": "half-yearly",
    "每年": "yearly",
    "按年": "yearly",
    "全年": "whole-year",
}
_NOT_APPLICABLE = {"/", "-", "—", "——", "--", "无", "不适用", "N/A", "n/a", "NA", "不涉及"}
_JUDGEMENTS = {
    "achieved": (
        "达成", "已达成", "全部达成", "完成", "已完成", "全部完成", "全面完成", "按时完成",
        "按期完成", "如期完成", "按计划完成", "已按计划完成", "已按期完成", "已按时完成",
        "完成目标", "达标", "已达标", "达到", "已达到", "实现", "已实现", "全面落实",
        "已落实", "全部落实", "落实到位", "是", "满足", "已满足",
        "达成预期指标", "达成预期目标", "达成预期", "达到预期", "达到预期目标", "完成预期目标", "符合预期",  # 安徽 prints
    ),
    "partial": (
        "部分达成", "部分完成", "基本完成", "基本达成", "基本实现", "部分实现", "基本落实",
        "部分落实", "基本达标",
    ),
    "missed": ("未达成", "未完成", "未实现", "未落实", "未达标", "否", "没有完成"),
}
_JUDGEMENT_OF = {w: level for level, words in _JUDGEMENTS.items() for w in words}


def _number(text: str) -> Decimal:
    """`numbers.D` of a number the grammar matched (finite, no spaces), without its checks."""
    try:
        return Decimal(text.replace(",", "") if "," in text else text)
    except InvalidOperation:
        return D(text)  # raises D's own error


def _two_digit_year(text: str | None) -> int | None:
    if text is None:
        return None
    year = int(text)
    return 2000 + year if year < 100 else year


@lru_cache(maxsize=65536)
def parse_value(text: str) -> Value:
    """Parse one target or actual as typed.

    Raises:
        ValueParseError: the text starts like a number or a date but does not
            finish like one (``≥abc``, ``1.2.3%``, ``2022年13月1日前``).
    """
    s = normalize(str(text))
    if not s:
        raise ValueParseError(str(text), "为空")
    if s in _NOT_APPLICABLE:
        return NotApplicable(text)
    level = _JUDGEMENT_OF.get(s.rstrip("。."))
    if level:
        return Judgement(level, text)
    if s in _PERIODS:
        return Period(_PERIODS[s], None, text)
    m = _FAST_RE.fullmatch(s)
    if m is not None:  # the common "≥90%", "150000人", "2万元": one regex, no search
        number = _number(m["num"])
        if m["scale"]:
            number *= _SCALES[m["scale"]]
        return Quantity(_FAST_OPS.get(m["op"]), number, m["unit"] or "", text)
    value = _parse_dateish(s, text)
    if value is not None:
        return value
    value = _parse_quantity(s, text)
    if value is not None:
        return value
    if s[0] in "≥≤><=" or (s[0].isdigit() and not _has_cjk_word(s)):
        raise ValueParseError(str(text), "不是可识别的数值")
    return Qualitative(s)


_COMPARISONS = frozenset({">=", ">", "<=", "<", "="})


@lru_cache(maxsize=65536)
def parse_actual(text: str) -> Value:
    """Parse an actual (实际完成值): as `parse_value`, but an operator printed with the
    number says nothing about what was done: ``≥90%`` done is 90% done, ``≥266米`` is
    266 米. Only the comparison is dropped; ``约``/``余`` (about) stays.

    Raises:
        ValueParseError: as `parse_value`.
    """
    value = parse_value(text)
    if isinstance(value, Quantity) and value.op in _COMPARISONS:
        return Quantity(None, value.number, value.unit, value.text)
    return value


def _has_cjk_word(s: str) -> bool:
    return any("\u4e00" <= ch <= "\u9fff" for ch in s)


def _parse_dateish(s: str, text: str) -> Value | None:
    if s in _YEAR_END:
        return Deadline(None, 12, 31, text)
    m = re.fullmatch(r"(?P<y>\d{4}|\d{2})年?(?:全年|全年度|年度)", s)
    if m:
        return Period("whole-year", _two_digit_year(m["y"]), text)
    m = re.fullmatch(r"(?P<y>\d{4}|\d{2})年(?:底|末)(?:前|之前|以前)?", s)
    if m:
        return Deadline(_two_digit_year(m["y"]), 12, 31, text)
    m = _ISO_DATE_RE.fullmatch(s)
    if m is None:
        m = _DATE_RE.fullmatch(s)
        if m is None or not (m["m"] or m["y"]) or not (m["before"] or m["d"] or m["end"]):
            return None
        if m["y"] and not m["m"]:
            return None  # "2022年" alone is not a date
    year = _two_digit_year(m["y"])
    month = int(m["m"] or 12)
    end = m.groupdict().get("end")
    day = int(m["d"]) if m["d"] else None
    if day is None:
        day = 31 if month == 12 else _month_end(month)
    try:
        when = date(year or 2000, month, day)
    except ValueError:
        raise ValueParseError(text, "不是有效日期") from None
    if m["before"] or end:
        return Deadline(year, month, day, text)
    if year is None:
        return None  # "12月31日" without year or 前: not enough to be a date
    return DateValue(when, text)


def _month_end(month: int) -> int:
    if not 1 <= month <= 12:
        return 1  # invalid month: let date() report it
    return (date(2001 + (month == 12), month % 12 + 1, 1) - date(2001, month, 1)).days


def _parse_quantity(s: str, text: str) -> Quantity | None:
    op = None
    for word, symbol in _PREFIX_OPS:
        if s.startswith(word):
            op, s = symbol, s[len(word):]
            break
    s = _total_of_compound(s)
    m = None
    for word, symbol in _SUFFIX_OPS:  # before the unit, which would swallow 以内
        if s.endswith(word):
            m = _QUANTITY_RE.fullmatch(s[: -len(word)])
            if m is not None:
                if op and op != symbol:
                    raise ValueParseError(text, "同时含有两个相互矛盾的比较符号")
                op = symbol
                break
    if m is None:
        m = _QUANTITY_RE.fullmatch(s)
    if m is None:
        if op is not None and s[:1].isdigit():
            raise ValueParseError(text, "不是可识别的数值")
        return None
    if m["about"]:
        op = op or "~"
    number = D(m["num"])
    if m["scale"]:
        number *= _SCALES[m["scale"]]
    unit = _UNIT_ALIASES.get(m["unit"], m["unit"] or "")
    if unit == "‰":
        number, unit = number / 10, "%"
    return Quantity(op, number, unit, text)


# Units printed in words for a sign: 安徽 tables print ``≥100百分比``.
_UNIT_ALIASES = {"百分比": "%", "百分率": "%"}

_TOTAL_RE = re.compile(r"(?:合计|共计|总计|总数|共)(?P<q>[+-]?[\d,.]+[\u4e00-\u9fff%/A-Za-z]{0,6}?)[。.;；,，]?$")


def _total_of_compound(s: str) -> str:
    """``退休人员188人，离休干部6人。合计194人。`` → ``194人`` (the 合计 is comparable)."""
    if ("，" in s or "," in s or "。" in s or "；" in s) and ("合计" in s or "共计" in s or "总计" in s):
        m = _TOTAL_RE.search(s)
        if m:
            return m["q"]
    return s.rstrip("。")


def describe(value: Value) -> str:
    """A canonical one-line description, used by the seed table test."""
    match value:
        case Quantity(op, number, unit, _):
            return " ".join(p for p in ("quantity", op or "", plain(number), unit) if p)
        case Deadline(year, month, day, _):
            return f"deadline {year or '?'}-{month:02d}-{day:02d}"
        case Period(every, year, _):
            return f"period {every}" + (f" {year}" if year else "")
        case DateValue(when, _):
            return f"date {when.isoformat()}"
        case Judgement(level, _):
            return f"judgement {level}"
        case NotApplicable():
            return "not-applicable"
        case Qualitative(text):
            return f"qualitative {text}"
    raise TypeError(value)


# ---------------------------------------------------------- qualitative sense

_DIRECTIONS = {
    "up": ("提升", "提高", "增强", "改善", "增加", "扩大", "扩展", "加强", "上升", "好转", "优化",
           "完善", "增长", "推进", "巩固"),
    "down": ("减轻", "缓解", "减少", "下降", "降低", "遏制", "压缩", "减小"),
}
_DEGREES = {  # how strong a trend word is; a bare verb asks the least
    3: ("明显", "显著", "大幅度", "大幅", "极大", "大大", "较大"),
    2: ("稳步", "逐步", "持续", "不断", "进一步", "逐年", "有效", "切实", "全面"),
    1: ("有所", "略有", "一定程度", "一定程度上", "适当"),
}
_TREND_RE = re.compile(
    "^(?P<subject>.*?)(?P<degree>"
    + "|".join(sorted((w for ws in _DEGREES.values() for w in ws), key=len, reverse=True))
    + ")?(?P<verb>"
    + "|".join(w for ws in _DIRECTIONS.values() for w in ws)
    + ")$"
)
_DEGREE_OF = {w: n for n, ws in _DEGREES.items() for w in ws}
_DIRECTION_OF = {w: d for d, ws in _DIRECTIONS.items() for w in ws}
# Different words for one state (预算内 ≈ 未超预算).
_SYNONYMS = (
    frozenset({"预算内", "未超预算", "控制在预算内", "不超预算", "未超出预算"}),
    frozenset({"及时", "按时", "准时", "按期"}),
    frozenset({"合规", "符合规定", "合法合规"}),
    frozenset({"应保尽保", "全覆盖", "全部覆盖"}),
)


@lru_cache(maxsize=16384)
def trend(text: str) -> tuple[str, str, int] | None:
    """``明显提升`` → ("", "up", 3); ``生活水平提高`` → ("生活水平", "up", 1)."""
    m = _TREND_RE.match(text)
    if m is None:
        return None
    return m["subject"], _DIRECTION_OF[m["verb"]], _DEGREE_OF.get(m["degree"] or "", 1)


def qualitative_met(target: Qualitative, actual: Value) -> bool | None:
    """Whether a qualitative actual meets a qualitative target.

    True: the same wording, a synonym, an achieved judgement, ``100%``, or a trend
    in the same direction at least as strong (稳步提升 meets 逐步提升). False: a
    partial or missed judgement. None: the engine cannot tell; a judged score is
    needed.
    """
    match actual:
        case Judgement(level, _):
            return level == "achieved"
        case Quantity(op=None, unit="%", number=n):
            return True if n >= 100 else None
        case Qualitative(text):
            if text == target.text:
                return True
            if any(text in group and target.text in group for group in _SYNONYMS):
                return True
            t, a = trend(target.text), trend(text)
            if t and a and t[1] == a[1] and (not a[0] or not t[0] or a[0] == t[0]):
                return a[2] >= t[2] or None
    return None
