"""The narrative report: sentences written from the same numbers as the table."""

import docx
from conftest import EXAMPLES, evaluation

from scoring.outputs.narrative import narrative, result_sentence
from scoring.outputs.render import WordTemplate, builtin_template, to_context
from scoring.pipeline import run, run_data
from scoring.sources.resources import data_dir


def test_the_result_paragraph_states_the_computed_score_and_funds():
    scored = run(EXAMPLES / "安阳北关区医保局_2022_北关区政府救助第五重.yaml")
    assert result_sentence(scored.evaluation, scored.result) == (
        "北关区政府救助（第五重）项目自评得分为96.6分，全年预算数为65.52万元，执行数为65.52万元，执行率100.00%。"
        "评价等级为“优”。")


def _text(n: dict) -> str:
    return "\n".join(p["text"] for s in n["sections"] for p in s["paragraphs"])


def test_the_narrative_agrees_with_the_table_where_seed_001_did_not():
    # seed 001's own narrative says 94 for this project; its table says 92.4
    scored = run(EXAMPLES / "安阳北关区医保局_2022_慢性病专家鉴定费.yaml")
    n = narrative(scored.evaluation, scored.result)
    assert "自评得分为92.4分" in n["result"] and "94" not in n["result"]
    assert ("成本指标分值10分，得分2.4分，共1项三级指标。未得满分的1项：专家慢病鉴定费，年度指标值为“2万元”，"
            "实际完成值为“24%”，偏差度-76.00%，得2.4分（分值10分）。") in _text(n)
    assert "新冠疫情" in _text(n)


def test_a_department_narrative_and_an_unspent_budget():
    scored = run(EXAMPLES / "安阳北关区医保局_2022_部门整体.yaml")
    n = narrative(scored.evaluation, scored.result)
    assert n["result"].startswith("安阳市北关区医疗保障局2022年度部门整体支出绩效自评得分为98.89分，全年预算数为2591.78万元")
    assert n["title"] == ["安阳市北关区医疗保障局", "部门整体支出绩效自评报告"]
    assert "全年预算数2591.78万元，全年执行数2587.78万元，预算执行率99.85%，4.00万元未执行。" in _text(n)
    assert "预算未全部执行的原因和改进措施（report.execution）" in n["missing"]  # never an invented reason
    assert "年度主要任务2“医疗救助基金”完成情况：未完成上解大病补充医疗保险。" in _text(n)


def test_the_report_document_renders_the_narrative(tmp_path):
    scored = run(EXAMPLES / "安阳北关区医保局_2022_慢性病专家鉴定费.yaml")
    path = tmp_path / "r.docx"
    tpl = WordTemplate(data_dir("reports") / "绩效自评报告_tpl.docx")
    path.write_bytes(tpl.render_bytes(to_context(scored.evaluation, scored.result, date="2023年9月")))
    paragraphs = [p.text for p in docx.Document(path).paragraphs if p.text]
    assert paragraphs[0] == "慢性病专家鉴定费项目绩效自评报告"
    conclusion = paragraphs[paragraphs.index("三、综合评价结论") + 1]
    assert conclusion.startswith("经自评，慢性病专家鉴定费项目2022年度绩效自评得分92.4分，评价等级为“优”。")
    assert paragraphs[-2:] == ["安阳市北关区医疗保障局", "2023年9月"]


def test_central_projects_use_the_central_layout_without_deviation_column(tmp_path):
    data = evaluation({"target": "≥90%", "actual": "95%", "weight": 90}, template="central_project")
    scored = run_data(data)
    assert builtin_template(scored.evaluation).name == "项目支出绩效自评表_中央_tpl.docx"
    path = tmp_path / "c.docx"
    path.write_bytes(WordTemplate(builtin_template(scored.evaluation)).render_bytes(
        to_context(scored.evaluation, scored.result)))
    header = [c.text for c in docx.Document(path).tables[1].rows[0].cells]
    assert header == ["一级指标", "二级指标", "三级指标", "年度指标值", "实际完成值", "分值", "得分", "偏差原因分析及改进措施"]
