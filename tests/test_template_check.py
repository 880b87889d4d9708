"""Checking indicator templates: every fault is reported once, at its line, all in one call.

tests/templates_broken/ holds small templates, each with one deliberate fault
(the multi_fault_* files with several). BROKEN below says, for each file, which
errors `load_template` must report: (line, fragment), where the fragment is
looked for in "message；hint". The errors must match exactly: nothing missing,
nothing extra (an echo of a fault already reported counts as extra).
"""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from scoring.core.issues import ScoringError, format_issue
from scoring.sources.templates import load_template, require_template, shipped_templates

CORPUS = Path(__file__).resolve().parent / "templates_broken"

BROKEN: dict[str, list[tuple[int, str]]] = {
    # ---- weights
    "weights_total_not_100.yaml": [(9, "模板分值合计为 95，应为 100")],
    "level2_not_summing_to_level1.yaml": [(9, "“产出指标”的下级指标分值合计为 50，应为 60")],
    "level3_not_summing_to_level2.yaml": [(12, "“数量指标”的下级指标分值合计为 50，应为 60")],
    "siblings_partly_weighted.yaml": [(9, "有的有分值、有的没有（质量指标 没有）")],
    "level1_without_weight.yaml": [(11, "一级指标“满意度指标”没有分值")],
    # ---- rules and formulas
    "rule_name_misspelled.yaml": [(15, "未知的评分规则“reverse_lineer”，是否想写 reverse_linear")],
    "formula_syntax_error.yaml": [(15, "公式语法错误")],
    "formula_unknown_name.yaml": [(15, "名称“actul”未定义")],
    "formula_attribute_access.yaml": [(15, "不允许访问属性")],
    # ---- the tree
    "node_without_name.yaml": [(8, "缺少必填项“name”")],
    "duplicate_sibling.yaml": [(11, "指标“数量指标”在同一级重复出现（与第 1 项相同）")],
    "fourth_level.yaml": [(14, "三级指标“培训人数”下不能再有下级指标")],
    # ---- band tables
    "bands_with_gap.yaml": [(16, "评分档有空缺：例如实际值为 15 时")],
    "bands_partial_overlap.yaml": [(19, "评分档“≥10%”与第 1 档“≤20%”范围重叠")],
    "band_never_reached.yaml": [(19, "评分档“=5%”永远不会用到")],
    "band_score_above_weight.yaml": [(17, "评分档“≤10%”得分 95 超过分值 90")],
    "band_condition_not_comparison.yaml": [(18, "评分档条件“很好”应为比较式")],
    # ---- keys
    "unknown_key_top_level.yaml": [(4, "未知的键“descripton”；是否想写“description”")],
    "unknown_key_in_node.yaml": [(14, "未知的键“taget”；是否想写“target”")],
    "unknown_key_in_band.yaml": [(18, "未知的键“wehn”；是否想写“when”"), (18, "缺少必填项“when”")],
    "unknown_key_in_band_table.yaml": [(19, "未知的键“otherwize”；是否想写“otherwise”")],
    "duplicate_yaml_key.yaml": [(9, "键“description”重复出现")],
    # ---- values
    "weight_not_a_number.yaml": [(12, "“weight”（分值）应为数字，实际为“很多”")],
    "level1_weight_not_a_number.yaml": [(7, "“weight”（分值）应为数字，实际为“很多”")],
    "kind_not_allowed.yaml": [(3, "“kind”（类型）的值“projet”不可用；可选值")],
    "default_target_unreadable.yaml": [
        (14, "三级指标“培训人数”的默认年度指标值“≥abc”不是可识别的数值")],
    # ---- shape
    "top_level_is_a_list.yaml": [(1, "模板顶层应为键值表")],
    # ---- several faults in one file
    "multi_fault_checks.yaml": [
        (6, "模板分值合计为 90，应为 100"),
        (9, "“投入”的下级指标分值合计为 20，应为 30"),
        (13, "未知的评分规则“reverse_lineer”"),
        (14, "默认年度指标值“≥abc”不是可识别的数值"),
        (18, "名称“actul”未定义"),
        (19, "指标“重点支出安排率”在同一级重复出现"),
        (19, "未知的键“descriptoin”；是否想写“description”"),
        (28, "评分档有空缺"),
    ],
    "multi_fault_kind_and_weights.yaml": [
        (4, "“kind”（类型）的值“projet”不可用"),
        (6, "模板分值合计为 90，应为 100"),
        (13, "未知的评分规则“positive_ratoi”，是否想写 positive_ratio"),
    ],
    "multi_fault_band_table.yaml": [
        (16, "评分档有空缺"),
        (19, "评分档条件“很好”应为比较式"),
        (20, "评分档“≥60%”得分 95 超过分值 90"),
    ],
}

# Not YAML at all: load_template raises, naming file, line and column.
UNREADABLE = {"yaml_syntax_error.yaml": "yaml_syntax_error.yaml:4:"}

MULTI_FAULT = [name for name in BROKEN if name.startswith("multi_fault_")]


def errors_of(loaded) -> list[tuple[int | None, str]]:
    return [(i.location.line, f"{i.message}；{i.hint}")
            for i in loaded.issues if i.severity == "error"]


def located(loaded) -> list[tuple]:
    """The issues without their file name."""
    return [(i.location.path, i.location.line, i.location.column, i.message) for i in loaded.issues]


def compare(found: list[tuple[int | None, str]], expected: list[tuple[int, str]]):
    """(missing expectations, extra errors): each expectation takes one error on its line."""
    extra = list(found)
    missing = []
    for line, fragment in expected:
        hit = next((k for k, (at, text) in enumerate(extra)
                    if at == line and fragment in text), None)
        if hit is None:
            missing.append((line, fragment))
        else:
            extra.pop(hit)
    return missing, extra


def assert_reported_exactly(loaded, expected):
    missing, extra = compare(errors_of(loaded), expected)
    shown = "\n".join(format_issue(i) for i in loaded.issues) or "(no issues)"
    assert not missing and not extra, f"\nmissing: {missing}\nextra: {extra}\nreported:\n{shown}"


# ------------------------------------------------------------- the corpus


def test_every_file_in_the_corpus_has_its_expectations():
    on_disk = {p.name for p in CORPUS.glob("*.yaml")}
    assert on_disk == set(BROKEN) | set(UNREADABLE)
    assert len(on_disk) >= 15


@pytest.mark.parametrize("name", BROKEN)
def test_each_fault_is_reported_once_at_its_line(name):
    loaded = load_template(CORPUS / name)
    assert not loaded.ok
    assert_reported_exactly(loaded, BROKEN[name])


@pytest.mark.parametrize("name", MULTI_FAULT)
def test_a_file_with_several_faults_reports_all_of_them_in_one_call(name):
    loaded = load_template(CORPUS / name)
    found = errors_of(loaded)
    missing, _ = compare(found, BROKEN[name])
    assert not missing, f"{len(found)} errors for {len(BROKEN[name])} faults; missing {missing}"


@pytest.mark.parametrize("name,where", UNREADABLE.items())
def test_a_yaml_syntax_error_raises_with_its_line(name, where):
    with pytest.raises(ScoringError, match="YAML 格式错误") as caught:
        load_template(CORPUS / name)
    assert where in str(caught.value)


def test_located_issues_name_the_key_path():
    paths = {
        "level3_not_summing_to_level2.yaml": "indicators[0].children[0].children",
        "weight_not_a_number.yaml": "indicators[0].children[0].children[0].weight",
        "band_never_reached.yaml": "indicators[0].children[0].children[0].rule.bands[1]",
        "unknown_key_top_level.yaml": "descripton",
    }
    for name, path in paths.items():
        (first, *_) = [i for i in load_template(CORPUS / name).issues if i.severity == "error"]
        assert first.location.path == path, name
        assert first.location.file.endswith(name) and first.location.column is not None


def test_a_broken_template_reports_the_same_wherever_it_lies(tmp_path):
    copy = tmp_path / "elsewhere" / "my_template.yaml"
    copy.parent.mkdir()
    shutil.copy(CORPUS / "multi_fault_checks.yaml", copy)
    here, there = load_template(CORPUS / "multi_fault_checks.yaml"), load_template(copy)
    assert located(here) == located(there)
    assert all(i.location.file == str(copy) for i in there.issues)


def test_require_template_refuses_a_broken_template_and_lists_its_errors():
    with pytest.raises(ScoringError, match="模板有错误") as caught:
        require_template(CORPUS / "duplicate_sibling.yaml")
    assert "duplicate_sibling.yaml:11" in str(caught.value)


# ------------------------------------------------------ shipped templates


def shipped_template(stem: str) -> Path:
    (path,) = [p for p in shipped_templates() if p.stem == stem]
    return path


def test_the_templates_are_shipped_each_with_its_source():
    assert {p.stem for p in shipped_templates()} == {"central_project", "central_project_cost", "henan_department", "henan_project", "hunan_department_bands",
                     "platform_project", "special_bond_project", "special_bond_project_no_spending"}
    for path in shipped_templates():
        assert load_template(path).template.source, path.stem  # `templates show` says where it comes from


@pytest.mark.parametrize("path", shipped_templates(), ids=lambda p: p.stem)
def test_every_shipped_template_loads_without_any_issue(path):
    loaded = load_template(path)
    assert loaded.ok and loaded.template is not None
    assert loaded.issues == ()
    assert loaded.template.name == path.stem
    assert loaded.template.weight_total == 100


def test_a_template_copied_anywhere_loads_like_the_shipped_one(tmp_path):
    shipped = shipped_template("henan_project")
    copy = tmp_path / "somewhere" / "else" / "copy.yaml"
    copy.parent.mkdir(parents=True)
    shutil.copy(shipped, copy)
    original, copied = load_template(shipped), load_template(copy)
    assert copied.ok and copied.issues == ()
    assert copied.template == original.template
    assert copied.source.positions == original.source.positions
    assert copied.source.file == str(copy)


def test_a_shipped_template_loads_by_name():
    by_name = load_template("henan_project")
    assert by_name.ok and by_name.issues == ()
    assert by_name.template.name == "henan_project" and by_name.template.kind == "project"
    assert by_name.template == load_template(shipped_template("henan_project")).template


def test_an_unknown_template_name_lists_the_shipped_ones():
    with pytest.raises(ScoringError, match="henan_project"):
        load_template("henan_projet")
