"""Each built-in layout prints what its published table prints (seeds 000 and 001).

Facts from the prints: seed 001 (安阳市北关区医疗保障局 2022 年度部门决算) prints the
部门整体支出绩效自评情况表 and three 项目支出绩效自评情况表; seed 000 (焦作市中站区
医疗保障局 2021 年度部门决算) prints the 部门整体绩效自评表.
"""

import docx
import pytest
from conftest import EXAMPLES
from docx.oxml.ns import qn

from scoring.cli.parser import build_parser
from scoring.outputs.layouts import LAYOUTS, STYLES, UnknownLayout, table_style
from scoring.outputs.render import WordTemplate, builtin_template, to_context
from scoring.pipeline import run

ANYANG = EXAMPLES / "安阳北关区医保局_2022_部门整体.yaml"
ANYANG_PROJECT = EXAMPLES / "安阳北关区医保局_2022_城乡居民基本医疗保险区级配套资金.yaml"
JIAOZUO = EXAMPLES / "焦作中站区医保局_2021_部门整体.yaml"


def rendered(case, layout, tmp_path):
    scored = run(case)
    path = tmp_path / f"{layout}.docx"
    template = WordTemplate(builtin_template(scored.evaluation, layout))
    path.write_bytes(template.render_bytes(to_context(scored.evaluation, scored.result, layout)))
    return docx.Document(path)


def rows(table):
    """Each row's cells as text, a merged cell once."""
    out = []
    for tr in table._tbl.tr_lst:
        out.append(["".join(t.text or "" for t in tc.iter(qn("w:t"))) for tc in tr.tc_lst])
    return out


def title(doc):
    return [p.text for p in doc.paragraphs if p.text.strip()][:2]


def first_column_merges(table):
    """The vMerge of each row's first cell: restart, continue or None."""
    out = []
    for tr in table._tbl.tr_lst:
        tc = tr.tc_lst[0]
        vm = tc.tcPr.find(qn("w:vMerge")) if tc.tcPr is not None else None
        out.append(None if vm is None else (vm.get(qn("w:val")) or "continue"))
    return out


def test_anyang_2022_department_table_as_seed_001_prints_it(tmp_path):
    doc = rendered(ANYANG, "anyang_2022", tmp_path)
    head, indicators = rows(doc.tables[0]), rows(doc.tables[1])
    assert title(doc)[0] == "部门整体支出绩效自评情况表"
    # 001: 一级指标 二级指标 三级指标 年度指标值 实际完成值 得分 偏差度 偏差原因分析及改进措施 — no 分值
    assert indicators[0] == ["一级指标", "二级指标", "三级指标", "年度指标值", "实际完成值", "得分", "偏差度",
                             "偏差原因分析及改进措施"]
    assert head[0] == ["部门（单位）名称", "安阳市北关区医疗保障局"]
    assert head[1][1:] == ["", "年初预算数", "全年预算数", "全年执行数", "分值", "执行率", "得分"]
    # 001: 部门预算总额 1801.32 2591.78 2587.78 10 99.85 % 10
    assert head[2][1:] == ["部门预算总额", "1801.32", "2591.78", "2587.78", "10", "99.85 %", "10"]
    # 001: 资金来源：（1）财政拨款 … 99.84 % / （2）财政专户管理资金 0 0 0 - 0.00% - / （3）单位资金 0 155 155 - 100.0 % -
    assert head[3][1:] == ["资金来源：（1）财政拨款", "1801.32", "2436.78", "2432.78", "-", "99.84 %", "-"]
    assert head[4][1:] == ["（2）财政专户管理资金", "0", "0", "0", "-", "0.00%", "-"]
    assert head[5][1:] == ["（3）单位资金", "0", "155", "155", "-", "100.0 %", "-"]
    assert head[0 + 8][1:] == ["任务名称", "主要内容", "实际完成情况"]
    assert indicators[-1][:2] == ["总分", "98.89"]  # 001: 总分 98.89, no 等级 row


def test_anyang_2022_project_table_as_seed_001_prints_it(tmp_path):
    doc = rendered(ANYANG_PROJECT, "anyang_2022", tmp_path)
    head, indicators = rows(doc.tables[0]), rows(doc.tables[1])
    assert title(doc) == ["项目支出绩效自评情况表", "2022年度"]
    assert indicators[0] == ["一级指标", "二级指标", "三级指标", "年度指标值", "实际完成值", "分值", "得分", "偏差度",
                             "偏差原因分析及改进措施"]
    # 001: 年度资金总额： 1040 1073.75 1073.75 10 100.0 % 10.00 / 财政拨款 … - 100.0 % - / … 0 0 0 - 0.00% -
    assert head[3][1:] == ["年度资金总额：", "1040", "1073.75", "1073.75", "10", "100.0 %", "10.00"]
    assert head[4][1:] == ["财政拨款", "1040", "1073.75", "1073.75", "-", "100.0 %", "-"]
    assert head[5][1:] == ["财政专户管理资金", "0", "0", "0", "-", "0.00%", "-"]
    assert [r[0] for r in head[7:12]] == ["资金管理情况"] + [""] * 4  # merged down, printed once


def test_jiaozuo_2021_department_table_as_seed_000_prints_it(tmp_path):
    doc = rendered(JIAOZUO, "jiaozuo_2021", tmp_path)
    head, indicators = rows(doc.tables[0]), rows(doc.tables[1])
    assert title(doc) == ["部门整体绩效自评表", "（ 2021 年度）"]
    # 000: 一级指标 二级指标 三级指标 指标值 指标说明 实际完成值 分值 得分 未完成原因分析及改进措施 — no 偏差度
    assert indicators[0] == ["一级指标", "二级指标", "三级指标", "指标值", "指标说明", "实际完成值", "分值", "得分",
                             "未完成原因分析及改进措施"]
    assert head[0] == ["部门名称", "焦作市中站区医疗保障局"]
    # 000: 年初数 全年数 全年执行数 分值 预算执行率 得分 / 部门预算总额 1049.58 801.14 801.14 10 100.00 % 10.0
    assert head[1] == ["预算执行情况", "", "年初数", "全年数", "全年执行数", "分值", "预算执行率", "得分"]
    assert head[2][1:] == ["部门预算总额", "1049.58", "801.14", "801.14", "10", "100.00 %", "10.0"]
    # 000: 资金来源 财政性资金 … 100.00 % / 其他资金 0 0 0 0%
    assert head[3][1:] == ["资金来源", "财政性资金", "1049.58", "801.14", "801.14", "", "100.00 %", ""]
    assert head[4][1:] == ["", "其他资金", "0", "0", "0", "", "0%", ""]
    assert head[5][0] == "年度履职目标" and head[6][1].startswith("目标1：深入贯彻")
    assert indicators[-1][0] == "总分" and "100.0" in indicators[-1]  # 000: 总分：100.0, no 等级 row
    assert [r[0] for r in indicators[1:4]] == ["投入管理指标", "", ""]


@pytest.mark.parametrize("case", [ANYANG, JIAOZUO], ids=["anyang", "jiaozuo"])
@pytest.mark.parametrize("layout", ["henan", "anyang_2022", "jiaozuo_2021"])
def test_goal_and_task_labels_merge_over_their_rows(case, layout, tmp_path):
    doc = rendered(case, layout, tmp_path)
    head = rows(doc.tables[0])
    merges = first_column_merges(doc.tables[0])
    ev = run(case).evaluation
    funds, goals, tasks = 3 + len(ev.funding.sources), 1 + len(ev.goals), 1 + len(ev.tasks)
    assert merges == ([None] + ["restart"] + ["continue"] * (funds - 2) + ["restart"] + ["continue"] * (goals - 1)
                      + ["restart"] + ["continue"] * (tasks - 1))
    labels = [r[0] for r in head]
    assert labels[funds] in ("年度履职目标",) and labels[funds + goals] == "年度主要任务"
    assert all(text == "" for text in labels[funds + 1: funds + goals] + labels[funds + goals + 1:])


def test_the_henan_default_and_central_layouts(tmp_path):
    doc = rendered(ANYANG, None, tmp_path)
    head, indicators = rows(doc.tables[0]), rows(doc.tables[1])
    assert title(doc) == ["部门整体支出绩效自评表", "（2022 年度）"]
    assert indicators[0] == ["一级指标", "二级指标", "三级指标", "年度指标值", "实际完成值", "分值", "得分",
                             "偏差度（%）", "偏差原因分析及改进措施"]
    assert head[2][1:] == ["部门预算总额", "1801.32", "2591.78", "2587.78", "10", "99.85%", "10"]
    assert head[4][1:] == ["财政专户管理资金", "0", "0", "0", "—", "—", "—"]
    doc = rendered(ANYANG_PROJECT, "central", tmp_path)
    head, indicators = rows(doc.tables[0]), rows(doc.tables[1])
    assert "偏差度（%）" not in indicators[0] and not any(r[0] == "资金管理情况" for r in head)
    # the 指标说明 column is chosen by default when rows carry one (seed 000)
    assert builtin_template(run(JIAOZUO).evaluation).name == "部门整体支出绩效自评表_指标说明_tpl.docx"


def test_rate_formats():
    from decimal import Decimal

    four = LAYOUTS["anyang_2022"].department
    assert [four.rate_text(Decimal(v)) for v in ("99.85", "99.845", "100", "5", "0")] == [
        "99.85 %", "99.85 %", "100.0 %", "5.00 %", "0.00 %"]
    assert four.rate_text(None, empty=True) == "0.00%" and four.rate_text(None) == "—"
    assert LAYOUTS["jiaozuo_2021"].department.rate_text(Decimal("100")) == "100.00 %"
    assert LAYOUTS["henan"].department.rate_text(Decimal("99.85")) == "99.85%"


def test_every_layout_has_its_templates_and_the_command_offers_them(tmp_path):
    from scoring.sources.resources import data_dir

    for style in STYLES:
        assert (data_dir("reports") / style.template).is_file(), style.template
    parser = build_parser()
    render = next(a for a in parser._subparsers._group_actions[0].choices["render"]._actions
                  if a.dest == "layout")
    assert set(render.choices) == set(LAYOUTS)
    with pytest.raises(UnknownLayout, match="没有名为“shanghai”的版式"):
        table_style("project", layout="shanghai")
