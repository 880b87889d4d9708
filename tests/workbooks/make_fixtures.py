"""Write the workbook fixtures of tests/test_workbook_files.py (committed; run again only
when a case is added):

- examples_filled.xls: the five examples, written by jixiao and saved as .xls by LibreOffice;
- formulas_cached.xlsx: a project whose amounts and some actuals are formulas, saved by
  LibreOffice, so the file holds their cached results as Excel and WPS files do;
- broken/*.xlsx|.xls: one problem (or several) each, and broken/expected.yaml naming, for
  each file, the sheet, cell, severity and message every problem must be reported with.

Each broken workbook starts from a correctly filled one; the case changes cells the way a
person would and records where it did so. Needs LibreOffice (soffice) for the .xls files:

    python tests/workbooks/make_fixtures.py
"""

from __future__ import annotations

import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

import yaml

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(HERE))

from openpyxl import Workbook  # noqa: E402
from sheets import columns, find, funds_total, indicator_rows  # noqa: E402

from scoring.outputs.workbook import build_workbook  # noqa: E402
from scoring.sources.instantiate import instantiate  # noqa: E402
from scoring.sources.loader import load_yaml  # noqa: E402
from scoring.sources.templates import require_template  # noqa: E402

EXAMPLES = ROOT / "examples"
PROJECT = "安阳北关区医保局_2022_慢性病专家鉴定费.yaml"
BROKEN = HERE / "broken"


def soffice(src: Path, fmt: str, out: Path) -> None:
    """Convert (and so recalculate and save) with LibreOffice, into `out`."""
    with tempfile.TemporaryDirectory() as tmp:
        subprocess.run(["soffice", f"-env:UserInstallation=file://{tmp}/profile", "--headless",
                        "--convert-to", fmt, "--outdir", tmp, str(src)], check=True, capture_output=True)
        shutil.move(Path(tmp) / f"{src.stem}.{fmt}", out)


def project_workbook():
    return build_workbook([load_yaml(EXAMPLES / PROJECT)[0]])


def row_of(ws, level3: str) -> int:
    return find(ws, level3)[0]


def cell(ws, row: int, label: str):
    cols, _ = indicator_rows(ws)
    return ws.cell(row, cols[label])


def expect(c, message: str, severity: str = "error") -> dict:
    return {"sheet": c.parent.title, "cell": c.coordinate, "severity": severity, "message": message}


# ------------------------------------------------------------------ cases


def actual_not_a_number(ws):
    c = cell(ws, row_of(ws, "享受待遇人员满意度"), "实际完成值")
    c.value = "九十五"
    return [expect(c, "实际完成值“九十五”不是数值")]


def executed_as_words(ws):
    cols, total, _ = funds_total(ws)
    c = ws.cell(total, cols["全年执行数"])
    c.value = "零点二四"
    return [expect(c, "全年执行数“零点二四”不是数字")]


def executed_in_yuan(ws):
    cols, total, _ = funds_total(ws)
    c = ws.cell(total, cols["全年执行数"])
    c.value = "2400元"
    return [expect(c, "以元为单位")]


def budget_negative(ws):
    cols, total, _ = funds_total(ws)
    c = ws.cell(total, cols["全年预算数"])
    c.value = -0.24
    return [expect(c, "全年预算数 -0.24 为负数")]


def weight_cleared(ws):
    c = cell(ws, row_of(ws, "完成时间"), "分值")
    c.value = None
    return [expect(c, "三级指标“完成时间”缺少分值")]


def judged_score_outside_its_band(ws):
    r = row_of(ws, "符合慢病参保居民减轻医药费负担")
    cell(ws, r, "实际完成值").value = "部分达成"
    c = cell(ws, r, "判定得分")
    c.value = 24
    cell(ws, r, "偏差原因分析及改进措施").value = "部分人员未享受"
    return [expect(c, "判定得分 24 不在实际完成值“部分达成”对应的部分达成区间")]


def judgement_missing(ws):
    r = row_of(ws, "符合慢病参保居民减轻医药费负担")
    cell(ws, r, "实际完成值").value = "部分达成"
    return [expect(cell(ws, r, "判定得分"), "需要评价人判定得分")]


def funds_management_over_weight(ws):
    header, _ = find(ws, "资金管理情况")
    c = ws.cell(header + 2, columns(ws, header)["得分"])
    c.value = 6
    return [expect(c, "资金管理情况“拨付合规性”的得分 6 超过分值 5")]


def funds_management_score_as_words(ws):
    header, _ = find(ws, "资金管理情况")
    c = ws.cell(header + 1, columns(ws, header)["得分"])
    c.value = "满分"
    return [expect(c, "资金管理情况“安排科学性”的得分“满分”不是数字")]


def header_renamed(ws):
    header, col = find(ws, "实际完成值")
    ws.cell(header, col).value = "完成情况说明"
    return [expect(ws.cell(header, find(ws, "三级指标")[1]), "指标表的表头缺少“实际完成值”列")]


def name_cleared(ws):
    c = cell(ws, row_of(ws, "慢病政策掌握度"), "三级指标")
    c.value = None
    return [expect(c, "缺少三级指标名称")]


def formula_without_result(ws):
    cols, total, _ = funds_total(ws)
    c = ws.cell(total, cols["全年执行数"])
    c.value = "=0.2*1.2"  # openpyxl saves no result; Excel and WPS would
    return [expect(c, "单元格是公式“=0.2*1.2”，但文件中没有保存计算结果")]


def year_in_words(ws):
    r, col = find(ws, "评价年度")
    c = ws.cell(r, col + 1)
    c.value = "二〇二二年"
    return [expect(c, "评价年度“二〇二二年”不是年份")]


def settings_cell_damaged(ws):
    meta = next(c for row in ws.iter_rows(max_row=1) for c in row
                if isinstance(c.value, str) and c.value.startswith("{"))
    meta.value = '{"jixiao": 1, "kind": "project", "rounding": {"precision": 7}}'
    return [expect(meta, "隐藏的 jixiao 设置单元格中“rounding”已损坏", "warning")]


def unit_not_a_percent(ws):
    c = cell(ws, row_of(ws, "慢病政策掌握度"), "实际完成值")
    c.value = 0.96  # a plain number where 96% was meant
    return [expect(c, "实际完成值“0.96”没有单位，而年度指标值是百分数")]


CASES = [actual_not_a_number, executed_as_words, executed_in_yuan, budget_negative, weight_cleared,
         judged_score_outside_its_band, judgement_missing, funds_management_over_weight,
         funds_management_score_as_words, header_renamed, name_cleared, formula_without_result,
         year_in_words, settings_cell_damaged, unit_not_a_percent]


def many_problems(expected: dict) -> None:
    """Three sheets, problems in each: every one is reported in the same run."""
    data = [load_yaml(EXAMPLES / name)[0] for name in
            (PROJECT, "安阳北关区医保局_2022_北关区政府救助第五重.yaml", "安阳北关区医保局_2022_部门整体.yaml")]
    wb = build_workbook(data)
    dept, p1, p2 = wb.worksheets[1:]
    p1.title = "项目1"
    c = cell(dept, row_of(dept, "全区参保群众满意度"), "实际完成值")
    c.value = "很好"
    found = [expect(c, "实际完成值“很好”不是数值")]
    found += actual_not_a_number(p2) + weight_cleared(p2)
    cols, total, _ = funds_total(p1)
    c = p1.cell(total, cols["全年执行数"])
    c.value = "约65万"
    found.append(expect(c, "全年执行数“约65万”不是数字"))
    save(wb, "many_problems.xlsx", found, expected)


def placeholder_left(expected: dict) -> None:
    template = require_template("henan_project")
    data, _ = instantiate(template, unit="某局", year=2023, project="培训项目", rows=[
        {"level1": "产出指标", "level2": "数量指标", "level3": "培训人次", "target": "≥200人次"}])
    wb = build_workbook([data], template=template)
    ws = wb.worksheets[1]
    cols, total, _ = funds_total(ws)
    ws.cell(total, cols["全年预算数"]).value = 10
    ws.cell(total, cols["全年执行数"]).value = 10
    header, _ = find(ws, "资金管理情况")
    for r in range(header + 1, header + 5):
        ws.cell(r, columns(ws, header)["得分"]).value = 5
    icols, rows = indicator_rows(ws)
    found = []
    for r in rows:
        if ws.cell(r, icols["三级指标"]).value is None:
            continue  # an empty row left for the unit's own rows
        ws.cell(r, icols["实际完成值"]).value = "250人次" if ws.cell(r, icols["三级指标"]).value == "培训人次" else "100%"
        if ws.cell(r, icols["三级指标"]).value == "（请填写三级指标）":
            found.append(expect(ws.cell(r, icols["三级指标"]), "下的三级指标尚未填写"))
            found.append(expect(ws.cell(r, icols["年度指标值"]), "缺少年度指标值"))
    save(wb, "placeholder_left.xlsx", found, expected)


def free_form_without_unit(expected: dict) -> None:
    """A unit's own sheet: no 单位名称 anywhere, a printed 得分 that is wrong."""
    wb = Workbook()
    ws = wb.active
    ws.title = "自评表"
    ws.append(["2022年度项目支出绩效自评表"])
    ws.append(["项目名称", "慢性病专家鉴定费"])
    ws.append([])
    ws.append(["三级指标", "一级指标", "二级指标", "分值", "年度指标值", "实际完成值", "得分", "偏差度"])
    ws.append(["专家慢病鉴定费", "成本指标", "经济成本指标", 40, "2万元", "24%", 9.6, -76])
    ws.append(["慢病政策掌握度", "产出指标", "质量指标", 60, ">95%", "96%", 50, 0])
    ws.append(["总分", None, None, 100, None, None, 59.6])
    found = [{"sheet": "自评表", "cell": "A1", "severity": "error", "message": "表中找不到单位名称"},
             {"sheet": "自评表", "cell": "G6", "severity": "warning", "message": "印刷得分 50，计算得分 60"},
             {"sheet": "自评表", "cell": "G7", "severity": "warning", "message": "印刷总分 59.6，计算总分"}]
    save(wb, "free_form_without_unit.xlsx", found, expected)


def not_a_workbook(expected: dict) -> None:
    (BROKEN / "not_a_workbook.xlsx").write_text("这不是工作簿\n", encoding="utf-8")
    expected["not_a_workbook.xlsx"] = {"raises": "无法作为电子表格读取"}


def no_table(expected: dict) -> None:
    wb = Workbook()
    wb.active.title = "说明"
    wb.active["A1"] = "本单位 2022 年绩效自评见附件"
    wb.save(BROKEN / "no_table.xlsx")
    expected["no_table.xlsx"] = {"raises": "没有找到自评表"}


def percent_in_xls(expected: dict) -> None:
    """.xls keeps its number formats: a percent cell holding 0.96 reads as 96%, without a question."""
    wb = project_workbook()
    ws = wb.worksheets[1]
    c = cell(ws, row_of(ws, "慢病政策掌握度"), "实际完成值")
    c.value = 0.96
    c.number_format = "0%"
    with tempfile.TemporaryDirectory() as tmp:
        src = Path(tmp) / "percent_in_xls.xlsx"
        wb.save(src)
        soffice(src, "xls", BROKEN / "percent_in_xls.xls")
    expected["percent_in_xls.xls"] = {"issues": []}


def save(wb, name: str, found: list[dict], expected: dict) -> None:
    wb.save(BROKEN / name)
    expected[name] = {"issues": found}


def examples_filled_xls() -> None:
    data = [load_yaml(EXAMPLES / p)[0] for p in sorted(EXAMPLES.glob("*.yaml"))]
    with tempfile.TemporaryDirectory() as tmp:
        src = Path(tmp) / "examples_filled.xlsx"
        build_workbook(data).save(src)
        soffice(src, "xls", HERE / "examples_filled.xls")


def formulas_cached() -> None:
    data = load_yaml(EXAMPLES / "安阳北关区医保局_2022_北关区政府救助第五重.yaml")[0]
    wb = build_workbook([data])
    ws = wb.worksheets[1]
    ws.protection.sheet = False
    cols, total, sources = funds_total(ws)
    ws.cell(total, cols["全年预算数"]).value = f"=SUM({ws.cell(sources[0], cols['全年预算数']).coordinate}:" \
                                             f"{ws.cell(sources[-1], cols['全年预算数']).coordinate})"
    ws.cell(total, cols["全年执行数"]).value = "=60+5.52"
    r = row_of(ws, "完成对全区参保困难群众的报销医疗费")
    c = cell(ws, r, "实际完成值")
    c.value = "=57.42/87"  # 0.66 as a percent cell
    c.number_format = "0%"
    with tempfile.TemporaryDirectory() as tmp:
        src = Path(tmp) / "formulas_cached.xlsx"
        wb.save(src)
        soffice(src, "xlsx", HERE / "formulas_cached.xlsx")


def main() -> None:
    if BROKEN.exists():
        shutil.rmtree(BROKEN)
    BROKEN.mkdir()
    expected: dict = {}
    for case in CASES:
        wb = project_workbook()
        found = case(wb.worksheets[1])
        save(wb, f"{case.__name__}.xlsx", found, expected)
    for make in (many_problems, placeholder_left, free_form_without_unit, not_a_workbook, no_table,
                 percent_in_xls):
        make(expected)
    header = "# Written by make_fixtures.py: for each workbook, every problem it must be reported with.\n"
    (BROKEN / "expected.yaml").write_text(header + yaml.safe_dump(expected, allow_unicode=True, sort_keys=False),
                                          encoding="utf-8")
    examples_filled_xls()
    formulas_cached()
    print(f"wrote {len(expected)} broken workbooks, examples_filled.xls, formulas_cached.xlsx")


if __name__ == "__main__":
    main()
