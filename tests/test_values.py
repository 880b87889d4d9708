"""The value language: every target and actual string of the seeds, and the forms of DOMAIN §3."""

import csv
from decimal import Decimal

import pytest
from conftest import ROOT, one_row

from scoring.core.values import (
    LOOKALIKES,
    Judgement,
    Qualitative,
    Quantity,
    ValueParseError,
    describe,
    parse_actual,
    parse_value,
    qualitative_met,
)

with open(ROOT / "tests/data/seed_values.tsv", encoding="utf-8") as _f:
    SEED_ROWS = list(csv.DictReader(_f, delimiter="\t"))


def test_the_seed_table_covers_all_four_seeds_and_both_roles():
    assert {r["seed"] for r in SEED_ROWS} == {"000", "001", "002", "003"}
    assert {r["role"] for r in SEED_ROWS} == {"target", "actual"}
    assert len(SEED_ROWS) >= 120


@pytest.mark.parametrize("row", SEED_ROWS, ids=lambda r: f"{r['seed']}-{r['role']}-{r['text']}")
def test_every_seed_string_parses_as_expected(row):
    assert describe(parse_value(row["text"])) == row["expected"]


@pytest.mark.parametrize("text,expected", [
    ("８５％", "quantity 85 %"),                       # full-width digits and sign
    ("≥　９０％", "quantity >= 90 %"),                 # ideographic space
    ("1,049.58万元", "quantity 10495800 元"),          # thousands separator and 万
    ("22.21 万", "quantity 222100"),
    ("20 万人", "quantity 200000 人"),
    ("220 余人", "quantity ~ 220 人"),
    ("退休人员 188 人，离休干部 6 人。合计 194 人。", "quantity 194 人"),
    ("不低于95%", "quantity >= 95 %"),
    ("不少于 3 次", "quantity >= 3 次"),
    ("不超过 10%", "quantity <= 10 %"),
    ("不高于5天", "quantity <= 5 天"),
    ("3000人以上", "quantity >= 3000 人"),
    ("10万元以内", "quantity <= 100000 元"),
    ("5%以下", "quantity <= 5 %"),
    ("=>90%", "quantity >= 90 %"),
    ("5‰", "quantity 0.5 %"),
    ("2022年12月31日前", "deadline 2022-12-31"),
    ("22 年 12 月 31 号前", "deadline 2022-12-31"),
    ("2022年底前", "deadline 2022-12-31"),
    ("年底前", "deadline ?-12-31"),
    ("6月30日前", "deadline ?-06-30"),
    ("2022-06-30前", "deadline 2022-06-30"),
    ("2022年11月30日", "date 2022-11-30"),
    ("2021 全年", "period whole-year 2021"),
    ("每月", "period monthly"),
    ("每年", "period yearly"),
    ("达成", "judgement achieved"),
    ("部分达成", "judgement partial"),
    ("未达成", "judgement missed"),
    ("/", "not-applicable"),
    ("不适用", "not-applicable"),
    ("稳步 提升", "qualitative 稳步提升"),
])
def test_documented_forms_parse(text, expected):
    assert describe(parse_value(text)) == expected


@pytest.mark.parametrize("text", ["≥abc", "1.2.3", ">=", "2022年13月1日前", "", "   "])
def test_text_that_starts_like_a_number_or_date_but_is_not_one_is_refused(text):
    with pytest.raises(ValueParseError):
        parse_value(text)


def test_quantities_know_their_kind():
    assert parse_value("85%").kind == "rate"
    assert parse_value("87万元").kind == "amount"
    assert parse_value("≥150000 人").kind == "count"
    assert parse_value("58元/人").kind == "rate-per-unit"
    assert parse_value("110000").kind == "number"


@pytest.mark.parametrize("target,actual,met", [
    ("相关", "相关", True),                 # the same wording
    ("逐步提升", "稳步提升", True),          # the same direction and degree (seed 000)
    ("明显提升", "有所提升", None),          # weaker than asked: cannot tell, a judgement is needed
    ("有所减轻", "明显减轻", True),
    ("有所减轻", "明显提升", None),          # the other direction
    ("生活水平提高", "100%", True),         # seed 001
    ("生活水平提高", "85%", None),
    ("预算内", "未超预算", True),            # synonyms
    ("按照市局规定工作任务", "已按计划完成", True),  # seed 000
    ("合规", "部分达成", False),
    ("合规", "不太合规", None),
])
def test_qualitative_actuals_are_judged_against_their_target(target, actual, met):
    assert qualitative_met(Qualitative(target), parse_value(actual)) is met


def test_parsed_numbers_are_exact_decimals():
    value = parse_value("0.1万元")
    assert isinstance(value, Quantity) and value.number == Decimal("1000")
    assert isinstance(parse_value("已完成"), Judgement)


# ---------------------------------------------------------- issue 14: printed forms of other provinces

@pytest.mark.parametrize("glyph,op", [(g, o) for g, o in LOOKALIKES.items() if o in "≥≤=><"])
def test_every_lookalike_operator_glyph_reads_as_its_operator(glyph, op):
    expected = {"≥": ">=", "≤": "<=", "=": "=", ">": ">", "<": "<"}[op]
    assert describe(parse_value(f"{glyph}90%")) == f"quantity {expected} 90 %"
    assert describe(parse_value(f"{glyph} 150 人")) == f"quantity {expected} 150 人"


@pytest.mark.parametrize("text,expected", [
    ("═100%", "quantity = 100 %"),           # U+2550: a quantitative equality target, not qualitative
    ("≧100%", "quantity >= 100 %"),          # U+2267 (云南)
    ("≦5%", "quantity <= 5 %"),
    ("＝100%", "quantity = 100 %"),
    ("＞＝90％", "quantity >= 90 %"),
    ("⩾95%", "quantity >= 95 %"),
    ("≮90%", "quantity >= 90 %"),            # not less than
    ("≯10%", "quantity <= 10 %"),
    ("≥=90%", "quantity >= 90 %"),           # both typed
    ("》=90%", "quantity >= 90 %"),          # > typed with a Chinese input method on
    ("《=10天", "quantity <= 10 天"),
    ("≈90%", "quantity ~ 90 %"),
    ("≥100百分比", "quantity >= 100 %"),      # 安徽: the unit in words
    ("《规划》编制完成", "qualitative 《规划》编制完成"),  # book-title marks stay text
])
def test_lookalike_and_worded_forms_parse(text, expected):
    assert describe(parse_value(text)) == expected


@pytest.mark.parametrize("text,expected", [
    ("≥90%", "quantity 90 %"),
    ("≥266米", "quantity 266 米"),
    (">=95%", "quantity 95 %"),
    ("≧100%", "quantity 100 %"),
    ("不低于95%", "quantity 95 %"),
    ("≤3天", "quantity 3 天"),
    ("90%以上", "quantity 90 %"),
    ("220余人", "quantity ~ 220 人"),        # about: not a comparison, kept
    ("95%", "quantity 95 %"),
    ("已完成", "judgement achieved"),
    ("明显提升", "qualitative 明显提升"),
])
def test_an_actual_printed_with_its_operator_reads_as_its_number(text, expected):
    assert describe(parse_actual(text)) == expected
    assert parse_actual(text).text == text


def test_an_actual_that_cannot_be_read_is_refused_as_a_target_would_be():
    with pytest.raises(ValueParseError):
        parse_actual("≥abc")


@pytest.mark.parametrize("target,actual,score", [
    ("明显提升", "≥100%", Decimal(90)),      # qualitative target, 100% done: met
    ("年底前", "≥100%", Decimal(90)),        # a deadline, 100% done: met
    ("≥90%", "≥95%", Decimal(90)),
    ("≥500人", "≥450人", Decimal(81)),       # 90 × 450/500: the operator changes nothing
    ("═100%", "100%", Decimal(90)),          # quantitative equality: no judgement asked
    ("═100%", "≧98%", Decimal("88.2")),      # 90 × 98/100 by the equality rule
])
def test_operators_in_actuals_and_lookalike_targets_score_as_numbers(target, actual, score):
    scored, row = one_row(target, actual, reason="说明")
    assert row.status != "error", [i.message for i in scored.issues]
    assert row.score == score
    assert not row.rule.startswith("qualitative") or "提升" in target
