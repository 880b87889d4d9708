"""Templates: shipped systems, instantiation, target-table import, and the CLI."""

from decimal import Decimal

import pytest
import yaml
from conftest import EXAMPLES, ROOT

from scoring.cli import main
from scoring.pipeline import run_data
from scoring.sources.instantiate import PLACEHOLDER, instantiate, split
from scoring.sources.loader import dump_yaml, parse_yaml, to_evaluation
from scoring.sources.targettable import import_target_table, read_target_table
from scoring.sources.templates import load_template, require_template, shipped_templates

TABLES = EXAMPLES / "target_tables"
TABLE_002 = TABLES / "焦作市医疗保障局_2023_项目绩效目标表.xlsx"
TABLE_003 = TABLES / "濮阳市华龙区医疗保障局_2021_项目绩效目标表.xlsx"
EXPECTED = yaml.safe_load((ROOT / "tests/data/target_tables_expected.yaml").read_text(encoding="utf-8"))


def test_the_shipped_templates_each_pass_their_check():
    names = {p.stem for p in shipped_templates()}
    assert names == {"central_project", "central_project_cost", "henan_department", "henan_project", "hunan_department_bands",
                     "platform_project", "special_bond_project", "special_bond_project_no_spending"}
    for path in shipped_templates():
        loaded = load_template(path)
        assert loaded.ok and not loaded.issues, path


@pytest.mark.parametrize("total,shares,expected", [
    ("30", [1] * 7, ["4.29"] * 4 + ["4.28"] * 3),
    ("10", [1] * 3, ["3.34", "3.33", "3.33"]),
    ("5", [30, 25, 10], ["2.31", "1.92", "0.77"]),
    ("0", [1, 1], ["0.00", "0.00"]),
])
def test_split_adds_up_exactly_at_two_decimals(total, shares, expected):
    parts = split(Decimal(total), [Decimal(s) for s in shares])
    assert parts == [Decimal(e) for e in expected]
    assert sum(parts) == Decimal(total)


# ------------------------------------------- seed 001 through the Henan templates


def _from_template(example: str, template: str, overrides_for=()):
    """Re-create a transcribed seed table from its template, then fill in its actuals."""
    printed = yaml.safe_load((EXAMPLES / example).read_text(encoding="utf-8"))
    t = require_template(template)
    fixed = {l3.name for l1 in t.indicators for l2 in l1.children for l3 in l2.children}
    own = [r for r in printed["indicators"] if r["level3"] not in fixed]
    overrides = {r["level3"]: {"target": r["target"], "weight": r["weight"]}
                 for r in printed["indicators"] if r["level3"] in fixed}
    rows = [{k: r[k] for k in ("level1", "level2", "level3", "target", "weight")} for r in own]
    data, issues = instantiate(t, unit=printed["unit"], year=printed["year"], project=printed.get("project"),
                               rows=rows, overrides=overrides)
    assert not issues
    actuals = {r["level3"]: r for r in printed["indicators"]}
    for row in data["indicators"]:
        row["actual"] = actuals[row["level3"]]["actual"]
        row["reason"] = actuals[row["level3"]].get("reason", "")
    data["funding"].update({k: printed["funding"][k] for k in ("initial_budget", "annual_budget", "executed")})
    for row, given in zip(data.get("funds_management", []), printed.get("funds_management", [])):
        row["score"] = given["score"]
    if "rounding" in printed:
        data["rounding"] = printed["rounding"]
    return run_data(data)


def test_seed_001_department_from_the_henan_template_scores_98_89():
    scored = _from_template("安阳北关区医保局_2022_部门整体.yaml", "henan_department")
    assert scored.ok, scored.issues
    assert scored.result.total == Decimal("98.89")
    assert [r.level3 for r in scored.result.indicators][:3] == ["年度履职目标相关性", "工作任务科学性", "绩效指标合理性"]


@pytest.mark.parametrize("example,total", [
    ("安阳北关区医保局_2022_城乡居民基本医疗保险区级配套资金.yaml", "100"),
    ("安阳北关区医保局_2022_慢性病专家鉴定费.yaml", "92.4"),
    ("安阳北关区医保局_2022_北关区政府救助第五重.yaml", "96.6"),
])
def test_seed_001_projects_from_the_henan_template_score_as_printed(example, total):
    scored = _from_template(example, "henan_project")
    assert scored.ok, scored.issues
    assert scored.result.total == Decimal(total)


def test_project_rows_without_weights_share_their_level1_weight():
    t = require_template("henan_project")
    rows = [{"level1": "产出指标", "level2": "数量指标", "level3": f"产出{i}", "target": "≥1"} for i in range(7)]
    rows += [{"level1": l1, "level2": "", "level3": l1 + "行", "target": "≥1"} for l1 in ("成本指标", "效益指标", "满意度指标")]
    data, issues = instantiate(t, unit="单位", year=2023, project="项目", rows=rows)
    assert not issues
    weights = {r["level3"]: r["weight"] for r in data["indicators"]}
    assert [weights[f"产出{i}"] for i in range(7)] == [Decimal("4.29")] * 4 + [Decimal("4.28")] * 3
    assert (weights["成本指标行"], weights["效益指标行"], weights["满意度指标行"]) == (10, 25, 5)


def test_a_new_department_evaluation_has_fixed_rows_and_placeholders_for_the_units_own():
    t = require_template("henan_department")
    data, issues = instantiate(t, unit="单位", year=2024)
    assert not issues
    rows = data["indicators"]
    assert len([r for r in rows if r["level1"] == "投入管理指标"]) == 20
    placeholders = [r for r in rows if r["level3"] == PLACEHOLDER]
    assert [(r["level2"], r["weight"]) for r in placeholders] == [
        ("重点工作任务完成", Decimal("12.5")), ("履职目标实现", Decimal("12.5")),
        ("履职效益", Decimal("17.5")), ("满意度", Decimal("17.5"))]
    scored = run_data(data)
    messages = [i.message for i in scored.issues]
    assert sum("尚未填写" in m for m in messages) == 4
    assert sum("缺少实际完成值" in m for m in messages) == 24


def test_overrides_only_where_the_template_allows():
    t = require_template("henan_department")
    _, issues = instantiate(t, unit="单位", year=2024, overrides={
        "预算调整率": {"target": "≤30%"}, "预算执行率": {"rule": "reverse_linear"}, "不存在的指标": {"weight": 1}})
    messages = sorted(i.message for i in issues)
    assert any("不允许改写" in m and "rule" in m for m in messages)
    assert any("不在模板中" in m for m in messages)
    assert len(issues) == 2


def test_rows_under_an_unknown_level1_or_level2_are_refused():
    t = require_template("central_project")
    _, issues = instantiate(t, unit="单位", year=2024, project="项目", rows=[
        {"level1": "产出指标", "level2": "数量指标", "level3": "a", "target": "≥1"},
        {"level1": "投入指标", "level2": "", "level3": "b", "target": "≥1"},
        {"level1": "效益指标", "level2": "社会指标", "level3": "c", "target": "≥1"},
    ])
    assert [i.location.path for i in issues if i.severity == "error"] == ["rows[1].level1", "rows[2].level2"]


def test_the_band_template_scores_with_its_bands_and_deductions():
    t = require_template("hunan_department_bands")
    rows = [{"level1": "产出", "level2": "职责履行", "level3": "任务完成率", "target": "≥95%"},
            {"level1": "效益", "level2": "履职效益", "level3": "群众满意", "target": "明显提升"},
            {"level1": "效益", "level2": "满意度", "level3": "满意度", "target": "≥90%"}]
    data, issues = instantiate(t, unit="单位", year=2024, rows=rows)
    assert not issues
    actual = {"预算调整率": "12%", "结转结余率": "13.5%", "重点支出安排率": "65%", "“三公经费”控制率": "105%",
              "在职人员控制率": "100%", "“三公经费”变动率": "-3%"}
    for row in data["indicators"]:
        row["actual"] = actual.get(row["level3"], "100%")
        row["reason"] = "说明"
    data["funding"].update(initial_budget=100, annual_budget=112, executed=112)
    scored = run_data(data)
    assert scored.ok, scored.issues
    got = {r.level3: (r.score, r.rule) for r in scored.result.indicators}
    assert got["预算调整率"] == (Decimal("1"), "bands")          # ≤20% band
    assert got["结转结余率"] == (Decimal("2.25"), "deduction")   # 4 − 3.5 × 0.5
    assert got["重点支出安排率"] == (Decimal("4"), "bands")       # ≥60% band
    assert got["“三公经费”控制率"] == (Decimal("2"), "deduction")  # 4 − 5 × 0.4
    assert got["“三公经费”变动率"] == (Decimal("4"), "bands")


def test_a_template_anywhere_on_disk_works_like_a_shipped_one(tmp_path):
    copy = tmp_path / "我的模板.yaml"
    copy.write_text((ROOT / "indicator_templates/henan_project.yaml").read_text(encoding="utf-8"), encoding="utf-8")
    assert load_template(copy).template == load_template("henan_project").template


# -------------------------------------------------------------- target tables


@pytest.mark.parametrize("path", [TABLE_002, TABLE_003], ids=["002", "003"])
def test_target_tables_read_as_printed(path):
    table, issues = read_target_table(path)
    assert not issues
    expected = EXPECTED[path.name]
    assert (table.unit, table.year) == (expected["unit"], expected["year"])
    assert [p.name for p in table.projects] == [p["name"] for p in expected["projects"]]
    for got, want in zip(table.projects, expected["projects"]):
        assert got.code == (want["code"] or "")
        assert got.amount == Decimal(want["amount"])
        assert len(got.rows) == want["rows"]
        assert [[r["level1"], r["level2"], r["level3"], r["target"]] for r in got.rows] == \
            [[a or "", b or "", c, d] for a, b, c, d in want["indicators"]]


def test_seed_002_imports_six_projects_and_seed_003_five():
    evs, issues = import_target_table(TABLE_002, require_template("henan_project"))
    assert [e["project"] for e in evs][:2] == ["基金监管专项经费", "支付方式改革专项经费"]
    assert len(evs) == 6 and sum(e["funding"]["initial_budget"] for e in evs) == 394
    assert [len(e["indicators"]) for e in evs] == [15, 8, 11, 7, 6, 5]
    # no 成本指标 rows anywhere in 002: its 10 points pass to the other 一级, and the table says so
    assert sum("“成本指标”没有三级指标" in i.message for i in issues) == 6
    evs3, issues3 = import_target_table(TABLE_003, require_template("central_project"))
    assert not issues3
    assert [e["funding"]["initial_budget"] for e in evs3] == [600, 638, Decimal("371.2"), 25, 10]
    assert [len(e["indicators"]) for e in evs3] == [14, 14, 14, 14, 13]
    for ev in evs + evs3:  # every imported project weighs 100 in all
        total = sum(r["weight"] for r in ev["indicators"]) + ev["funding"]["weight"]
        total += sum(r["weight"] for r in ev.get("funds_management", []))
        assert total == 100, ev["project"]


def test_a_scored_project_created_from_an_import_goes_through_the_same_engine():
    evs, _ = import_target_table(TABLE_003, require_template("central_project"))
    data = evs[1]  # 城乡居民基本医疗保险（城镇）区级配套, 638 万元
    for row in data["indicators"]:
        row["actual"] = row["target"]  # every target met as planned …
    data["indicators"][0]["actual"] = "99000"  # … but 99000 of 110000 补助人数
    data["indicators"][0]["reason"] = "部分人员退保"
    data["funding"].update(annual_budget=638, executed=638)
    text = dump_yaml(data)  # and through an evaluation file, as a user would
    parsed, source, _ = parse_yaml(text, "x.yaml")
    evaluation, errors = to_evaluation(parsed, source)
    assert not errors
    scored = run_data(parsed)
    assert scored.ok, scored.issues
    first = scored.result.indicators[0]
    assert first.level3 == "补助人数" and first.weight == Decimal("6.25")
    assert first.score == Decimal("5.63")  # 6.25 × 99000/110000 = 5.625 → 5.63
    assert scored.result.total == Decimal("99.38")


def test_a_broken_target_table_names_sheet_and_cell(tmp_path):
    import openpyxl

    wb = openpyxl.Workbook()
    ws = wb.active
    ws.title = "目标表"
    ws.append(["单位名称：测试单位", "", "年度：2024"])
    ws.append(["项目名称", "资金总额（万元）", "一级指标", "二级指标", "三级指标", "指标值"])
    ws.append(["项目甲", "很多", "产出指标", "数量指标", "人数", "≥10人"])
    ws.append([None, None, "产出指标", "数量指标", "次数", None])
    ws.append([None, None, "投入指标", "", "x", "≥1"])
    path = tmp_path / "t.xlsx"
    wb.save(path)
    before = path.read_bytes()
    _, issues = import_target_table(path, require_template("central_project"))
    cells = {(i.location.sheet, i.location.cell): i.message for i in issues}
    assert "不是数字" in cells["目标表", "B3"]
    assert "缺少指标值" in cells["目标表", "F4"]
    assert "不在模板" in cells["目标表", "E5"]
    assert path.read_bytes() == before  # the input is never written to


# ----------------------------------------------------------------------- CLI


def test_templates_list_show_and_check(capsys):
    assert main(["templates", "list"]) == 0
    out = capsys.readouterr().out
    assert "henan_department" in out and "河南省部门整体支出绩效自评表" in out
    assert main(["templates", "show", "henan_project"]) == 0
    out = capsys.readouterr().out
    assert "资金管理情况  20 分" in out and "产出指标  30 分" in out and "分值合计 100" in out
    assert main(["templates", "check", str(ROOT / "indicator_templates/hunan_department_bands.yaml")]) == 0
    assert "通过" in capsys.readouterr().out


def test_new_and_import_targets_write_evaluation_files(tmp_path, capsys):
    out = tmp_path / "部门.yaml"
    assert main(["new", "henan_department", "--unit", "测试局", "--year", "2024", "-o", str(out)]) == 0
    ev, _, issues = __import__("scoring.sources.loader", fromlist=["load_evaluation"]).load_evaluation(out)
    assert not issues and len(ev.indicators) == 24 and ev.template == "henan_department"
    folder = tmp_path / "评价文件"
    assert main(["import-targets", str(TABLE_003), "--template", "central_project", "-o", str(folder)]) == 0
    written = sorted(p.name for p in folder.iterdir())
    assert len(written) == 5 and "城乡居民基本医疗保险（城镇）区级配套.yaml" in written
    assert main(["score", str(folder / written[0])]) == 1  # awaiting actuals: listed, not guessed
    assert "缺少实际完成值" in capsys.readouterr().out
