"""The 绩效自评报告 in the official outline: seven sections, figures from the table,
placeholders (and a warning) for what only the unit knows, Chinese typography."""

import re

import docx
import pytest
import yaml
from conftest import EXAMPLES, ROOT, evaluation

from scoring.cli import main
from scoring.outputs.narrative import HEADINGS, narrative
from scoring.outputs.prose import BLANK_DATE, chinese_date, cn, em_width, sentence, title_lines
from scoring.outputs.render import REPORT_TEMPLATE, WordTemplate, to_context
from scoring.pipeline import run, run_data
from scoring.sources.resources import data_dir

CASES = sorted(EXAMPLES.glob("*.yaml"))
REPORT = {"organisation": "由局财务股牵头，业务股室配合，对照绩效目标逐项核实完成情况",
          "use_of_results": "自评结果在部门决算中公开，并作为下年度预算安排的参考",
          "other": "无"}


def render(scored, tmp_path, **extra) -> list[tuple[str, str]]:
    """(style, text) of every non-empty paragraph of the rendered report."""
    path = tmp_path / "report.docx"
    tpl = WordTemplate(data_dir("reports") / REPORT_TEMPLATE)
    path.write_bytes(tpl.render_bytes(to_context(scored.evaluation, scored.result, **extra)))
    return [(p.style.name, p.text) for p in docx.Document(path).paragraphs if p.text]


def test_the_seven_headings_of_the_official_outline_in_order(tmp_path):
    paragraphs = render(run(EXAMPLES / "安阳北关区医保局_2022_慢性病专家鉴定费.yaml"), tmp_path)
    assert [t for s, t in paragraphs if s == "报告一级标题"] == [
        "一、基本情况", "二、绩效自评工作开展情况", "三、综合评价结论", "四、绩效目标实现情况分析",
        "五、偏离绩效目标的原因和改进措施", "六、绩效自评结果拟应用和公开情况", "七、其他需要说明的问题"]
    assert paragraphs[0] == ("报告标题", "慢性病专家鉴定费项目绩效自评报告")
    assert paragraphs[1] == ("报告副标题", "（2022年度）")


def test_every_figure_is_the_tables_and_the_shortfall_reads_like_a_report(tmp_path):
    text = "\n".join(t for _, t in render(run(EXAMPLES / "安阳北关区医保局_2022_慢性病专家鉴定费.yaml"), tmp_path))
    # seed 001: 年初 2, 全年 0.24, 执行 0.24; total 92.4 (its own narrative says 94)
    assert "年初预算数2.00万元，全年预算数0.24万元，全年执行数0.24万元，预算执行率100.00%" in text
    assert "绩效自评得分92.4分，评价等级为“优”" in text and "94分" not in text
    assert ("专家慢病鉴定费：年度指标值为“2万元”，实际完成值为“24%”（偏差度-76.00%），得2.4分（分值10分）。"
            in text)
    assert "原因分析及改进措施：由于2022年新冠疫情严重，未能每月及时开展慢性病鉴定工作。" in text
    assert "由安阳市北关区医疗保障局主管并实施。" in text  # one unit both supervises and implements


def test_missing_keys_give_placeholders_and_the_render_command_warns(tmp_path, capsys):
    case = EXAMPLES / "安阳北关区医保局_2022_慢性病专家鉴定费.yaml"
    assert main(["render", str(case), "-o", str(tmp_path), "--workers", "1"]) == 0
    err = capsys.readouterr().err
    assert "绩效自评报告有 3 处待填写" in err
    assert all(key in err for key in ("report.organisation", "report.use_of_results", "report.other"))
    report = next(tmp_path.glob("*绩效自评报告.docx"))
    todo = [p.text for p in docx.Document(report).paragraphs if p.style.name == "报告待填写"]
    assert len(todo) == 3 and all(re.fullmatch(r"【请填写：[^【】]+】", t) for t in todo)


def test_the_keys_text_replaces_the_placeholders_and_silences_the_warning(tmp_path, capsys):
    data = yaml.safe_load((EXAMPLES / "安阳北关区医保局_2022_城乡居民基本医疗保险区级配套资金.yaml").read_text("utf-8"))
    data["report"] = REPORT
    path = tmp_path / "e.yaml"
    path.write_text(yaml.safe_dump(data, allow_unicode=True), encoding="utf-8")
    assert main(["render", str(path), "-o", str(tmp_path / "out"), "--workers", "1"]) == 0
    assert "待填写" not in capsys.readouterr().err
    report = next((tmp_path / "out").glob("*绩效自评报告.docx"))
    paragraphs = [p.text for p in docx.Document(report).paragraphs if p.text]
    after = {h: paragraphs[paragraphs.index(h) + 1] for h in HEADINGS}
    assert after["二、绩效自评工作开展情况"] == REPORT["organisation"] + "。"  # the sentence closed
    assert after["六、绩效自评结果拟应用和公开情况"] == REPORT["use_of_results"] + "。"
    assert after["七、其他需要说明的问题"] == "无。"
    assert not any("【请填写" in p for p in paragraphs)


def test_amounts_print_two_decimals_in_wan_yuan(tmp_path):
    data = evaluation({"target": "≥90%", "actual": "95%", "weight": 90})
    data["funding"] = {"weight": 10, "initial_budget": "1200.5", "annual_budget": "1200.5", "executed": "1080.45"}
    n = narrative(*_scored(data))
    text = "".join(p["text"] for s in n["sections"] for p in s["paragraphs"])
    assert "年初预算数1200.50万元，全年预算数1200.50万元，全年执行数1080.45万元，预算执行率90.00%" in text
    assert "120.05万元未执行" in text
    amounts = re.findall(r"([\d.]+)万元", text)
    assert len(amounts) == 6 and all(re.fullmatch(r"\d+\.\d\d", a) for a in amounts), amounts


def _scored(data):
    scored = run_data(data)
    assert scored.ok, scored.issues
    return scored.evaluation, scored.result


def test_a_judged_row_reads_naturally_and_an_over_achievement_asks_why():
    data = evaluation({"level1": "效益指标", "level2": "社会效益指标", "level3": "群众负担", "target": "有所减轻",
                       "actual": "部分达成", "weight": 20, "score": 12, "reason": "宣传不足，下年加强宣传。"},
                      {"target": "≥50人", "actual": "80人", "weight": 70},
                      supervisor="某某局", implementer="某某中心")
    n = narrative(*_scored(data))
    text = "\n".join(p["text"] for s in n["sections"] for p in s["paragraphs"])
    assert "群众负担，年度指标值为“有所减轻”，实际完成值为“部分达成”，评定得12分（分值20分）" in text
    assert "年度指标值有所减轻" not in text
    assert "由某某局主管、某某中心实施。" in text
    assert "指标2：年度指标值为“≥50人”，实际完成值为“80人”，超出年度指标值60.00%。" in text
    assert "【请填写：“指标2”超额完成的原因，以及下一年度如何合理设定指标值】" in text
    assert "“指标2”超额完成的原因，以及下一年度如何合理设定指标值（indicators[1].reason）" in n["missing"]


@pytest.mark.parametrize("case", CASES, ids=lambda p: p.stem)
def test_every_paragraph_is_a_closed_sentence_in_full_width_punctuation(case):
    n = narrative(*_scored(yaml.safe_load(case.read_text("utf-8"))))
    for section in n["sections"]:
        for p in section["paragraphs"]:
            if p["kind"] == "body":
                assert p["text"].endswith("。"), p["text"]
                assert not re.search(r"[\u4e00-\u9fff][,;:()]|[,;:()][\u4e00-\u9fff]", p["text"]), p["text"]
                assert "。。" not in p["text"] and "，。" not in p["text"]


def test_a_long_title_is_split_and_no_line_is_wider_than_the_page():
    assert title_lines("慢性病专家鉴定费项目", "绩效自评报告") == ["慢性病专家鉴定费项目绩效自评报告"]
    # 24 characters at 二号 would leave “自评报告” alone on a second line
    assert title_lines("城乡居民基本医疗保险区级配套资金项目", "绩效自评报告") == [
        "城乡居民基本医疗保险区级配套资金项目", "绩效自评报告"]
    long = title_lines("某某市某某区某某局关于某某某某某某某某专项资金补助项目", "绩效自评报告")
    assert all(em_width(line) <= 20 for line in long) and long[-1] == "绩效自评报告"
    assert abs(len(long[0]) - len(long[1])) <= 1  # balanced, no stub line


def test_the_date_line_is_blank_to_fill_or_the_given_date_in_nian_yue_ri(tmp_path, capsys):
    scored = run(EXAMPLES / "安阳北关区医保局_2022_慢性病专家鉴定费.yaml")
    assert render(scored, tmp_path)[-1] == ("报告落款", BLANK_DATE)
    case = EXAMPLES / "安阳北关区医保局_2022_慢性病专家鉴定费.yaml"
    assert main(["render", str(case), "-o", str(tmp_path), "--workers", "1", "--date", "2023-03-15"]) == 0
    report = next(tmp_path.glob("*绩效自评报告.docx"))
    assert [p.text for p in docx.Document(report).paragraphs if p.text][-1] == "2023年3月15日"


def test_chinese_dates_and_punctuation():
    assert [chinese_date(d) for d in ("2023-03-15", "2023/3/5", "2023.12.01", "20230315", "2023-09",
                                       "2023年9月", "三月")] == [
        "2023年3月15日", "2023年3月5日", "2023年12月1日", "2023年3月15日", "2023年9月", "2023年9月", "三月"]
    assert cn("2022 年 12 月 31 日前") == "2022年12月31日前"
    assert cn("预算偏高,下年(2024)调整;共1,000人") == "预算偏高，下年（2024）调整；共1,000人"
    assert sentence("无") == "无。" and sentence("已完成。") == "已完成。" and sentence("完成；") == "完成。"


@pytest.mark.parametrize("case", CASES, ids=lambda p: p.stem)
def test_report_text_matches_its_golden_file(case, tmp_path, update_golden):
    text = "\n".join(t for _, t in render(run(case), tmp_path)) + "\n"
    golden = ROOT / "tests/golden" / f"绩效自评报告_{case.stem}.txt"
    if update_golden:
        golden.write_text(text, encoding="utf-8")
    assert text == golden.read_text(encoding="utf-8")


def test_a_not_applicable_row_is_counted_apart_and_a_department_overview_is_its_own_part():
    data = evaluation({"target": "≥90%", "actual": "95%", "weight": 45},
                      {"target": "≥10次", "actual": "/", "weight": 45})
    n = narrative(*_scored(data))
    conclusion = n["sections"][2]["paragraphs"][0]["text"]
    assert conclusion.endswith("1项计分的三级指标得满分。另有1项不适用，未计分。")
    dept = yaml.safe_load((EXAMPLES / "焦作中站区医保局_2021_部门整体.yaml").read_text("utf-8"))
    dept["report"] = {"overview": "本局内设2个股室"}
    basic = narrative(*_scored(dept))["sections"][0]["paragraphs"]
    assert [p["text"] for p in basic[:3]] == ["（一）部门概况", "本局内设2个股室。", "（二）资金情况"]


def test_the_fill_in_workbook_has_cells_for_the_reports_text_and_they_reach_the_report(tmp_path):
    import openpyxl

    from scoring.pipeline import run_all

    book = tmp_path / "填报.xlsx"
    assert main(["workbook", str(EXAMPLES / "安阳北关区医保局_2022_部门整体.yaml"), "-o", str(book)]) == 0
    wb = openpyxl.load_workbook(book)
    ws = wb.worksheets[-1]
    labels = {ws.cell(r, 1).value: r for r in range(1, ws.max_row + 1)}
    assert ws.print_area and int(ws.print_area.split("$")[-1]) < labels["绩效自评工作开展情况"]  # not printed
    for text, value in (("绩效自评工作开展情况", "由财务股牵头,逐项核实"), ("本年度项目支出总个数", 4),
                        ("其他需要说明的问题", "无")):
        ws.cell(labels[text], 4).value = value
    wb.save(book)
    (scored,) = run_all(book)
    assert scored.ok and scored.evaluation.report.model_dump() == {
        "overview": "", "organisation": "由财务股牵头,逐项核实", "execution": "", "use_of_results": "",
        "other": "无", "projects_listed": 4}
    n = narrative(scored.evaluation, scored.result)
    assert n["sections"][1]["paragraphs"][0]["text"] == "由财务股牵头，逐项核实。"
    assert [m.split("（")[-1] for m in n["missing"]] == ["report.execution）", "report.use_of_results）"]


def test_what_a_unit_types_keeps_its_addresses_times_and_paragraphs():
    from scoring.outputs.prose import paragraphs

    assert cn("已在 http://www.henan.gov.cn/a.html 公开") == "已在http://www.henan.gov.cn/a.html公开"
    assert cn("10:30 召开会议:部署自评") == "10:30召开会议：部署自评"
    assert cn("目标 ═100%，≧95%") == "目标=100%，≥95%"
    assert paragraphs("成立自评小组。\n\n数据取自财务系统") == ["成立自评小组。", "数据取自财务系统。"]


def test_each_line_of_the_organisation_text_is_a_paragraph(tmp_path):
    data = evaluation({"target": "≥1", "actual": "1", "weight": 90},
                      report={"organisation": "成立自评小组\n对照指标逐项核实"})
    scored = run_data(data)
    section = narrative(scored.evaluation, scored.result)["sections"][1]
    texts = [p["text"] for p in section["paragraphs"]]
    assert texts[:2] == ["成立自评小组。", "对照指标逐项核实。"]
