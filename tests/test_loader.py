"""Reading evaluation files: exact numbers, locations, and clear errors."""

from decimal import Decimal

import pytest

from scoring.core.issues import ScoringError, format_issue
from scoring.pipeline import run
from scoring.sources.loader import load_evaluation, parse_yaml

GOOD = """\
kind: project
unit: 单位
year: 2022
project: 项目
funding: {weight: 10, annual_budget: 0.24, executed: 0.24, initial_budget: 2}
indicators:
  - level1: 产出指标
    level3: 指标
    target: ≥90%
    actual: 85
    weight: 90
    reason: 原因
"""


def test_numbers_are_read_as_exact_decimals(write):
    ev, _, issues = load_evaluation(write("e.yaml", GOOD))
    assert not issues
    assert ev.funding.annual_budget == Decimal("0.24") and str(ev.funding.annual_budget) == "0.24"
    assert ev.indicators[0].actual == "85"  # a number typed as an actual keeps its text


def test_every_key_path_has_its_line_and_column():
    _, source, _ = parse_yaml(GOOD, "e.yaml")
    loc = source.locate("indicators[0].actual")
    assert (loc.line, loc.column) == (10, 5)
    assert source.locate("indicators[0].nothing.deeper").line == 7  # nearest known ancestor


def test_a_mistyped_key_gets_its_line_and_a_suggestion(write):
    scored = run(write("e.yaml", GOOD.replace("    weight: 90", "    wieght: 90")))
    by_path = {i.location.path: i for i in scored.issues}
    issue = by_path["indicators[0].wieght"]
    assert issue.location.line == 11 and "未知的键“wieght”" in issue.message
    assert "是否想写“weight”" in issue.hint
    assert "缺少必填项“weight”" in by_path["indicators[0].weight"].message


def test_a_key_in_the_wrong_block_says_so(write):
    scored = run(write("e.yaml", GOOD + "    settings: {}\n"))
    (issue,) = scored.issues
    assert "不能写在这里" in issue.hint


def test_a_duplicate_key_is_an_error_not_a_silent_overwrite(write):
    scored = run(write("e.yaml", GOOD + "    weight: 80\n"))
    issue = next(i for i in scored.issues if "重复" in i.message)
    assert issue.location.line == 13 and issue.location.path == "indicators[0].weight"


@pytest.mark.parametrize("change,message", [
    (("year: 2022", "year: 二〇二二"), "应为整数"),
    (("kind: project", "kind: projet"), "不可用"),
    (("weight: 90", "weight: -5"), "应不小于 0"),
    (("annual_budget: 0.24", "annual_budget: 很多"), "应为金额，如 150、150万、1500000元"),
    (("project: 项目\n", ""), "必须填写项目名称"),
])
def test_bad_values_are_explained_in_chinese(write, change, message):
    scored = run(write("e.yaml", GOOD.replace(*change)))
    assert not scored.ok
    assert any(message in i.message for i in scored.issues), [format_issue(i) for i in scored.issues]


def test_a_bad_rule_shape_is_one_clear_error(write):
    scored = run(write("e.yaml", GOOD + "    rule: {bands: oops}\n"))
    (issue,) = scored.issues  # the band-table shape was meant: only its error
    assert issue.location.path == "indicators[0].rule.bands" and "应为列表" in issue.message
    scored = run(write("e.yaml", GOOD + "    rule: {score: 3}\n"))
    (issue,) = scored.issues  # no shape recognisable: one message listing the forms
    assert issue.location.path == "indicators[0].rule" and "bands" in issue.hint


def test_yaml_syntax_errors_name_the_line(write):
    with pytest.raises(ScoringError, match=r"e.yaml:3:.*YAML 格式错误"):
        run(write("e.yaml", "kind: project\nunit: [a\nyear: 2022\n"))


def test_missing_and_empty_files(tmp_path, write):
    with pytest.raises(ScoringError, match="找不到文件"):
        run(tmp_path / "none.yaml")
    with pytest.raises(ScoringError, match="文件为空"):
        run(write("empty.yaml", ""))
    scored = run(write("list.yaml", "- a\n- b\n"))
    assert "顶层应为键值表" in scored.issues[0].message


def test_the_input_file_is_never_modified(write):
    path = write("e.yaml", GOOD)
    before = path.read_bytes(), path.stat().st_mtime_ns
    run(path)
    assert (path.read_bytes(), path.stat().st_mtime_ns) == before
