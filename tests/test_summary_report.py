"""部门项目支出绩效自评总结报告: sections, chart, 汇总表, command, and the PDF."""

import os
import re
import shutil
import subprocess
import zipfile

import docx
import pytest
import yaml
from conftest import EXAMPLES, ROOT, evaluation

from scoring.cli import main
from scoring.outputs.summary_report import (
    TEMPLATE,
    summary_data,
    write_summary_report,
)
from scoring.pipeline import run, run_data
from scoring.sources.resources import data_dir

ANYANG = sorted(EXAMPLES.glob("安阳北关区医保局_2022_*.yaml"))  # seed 001: the department and its 3 projects
HEADINGS = ["一、自评覆盖情况", "二、自评得分分布", "三、自评得分低于90分的项目及原因", "四、预算执行率低于90%的项目",
            "五、绩效目标偏离情况", "六、存在的问题和改进措施", "附件"]


def scored(paths):
    return [(s.evaluation, s.result) for s in (run(p) for p in paths)]


def written(rows, tmp_path, date=""):
    out = write_summary_report(summary_data(rows), tmp_path / "总结.docx", data_dir("reports") / TEMPLATE, date)
    return out, docx.Document(out)


def test_the_sections_in_order_and_the_figures_of_seed_001(tmp_path):
    path, doc = written(scored(ANYANG), tmp_path)
    paragraphs = [p.text for p in doc.paragraphs if p.text]
    assert paragraphs[:2] == ["安阳市北关区医疗保障局2022年度", "部门项目支出绩效自评总结报告"]
    assert [p.text for p in doc.paragraphs if p.style.name == "报告一级标题"] == HEADINGS
    text = "\n".join(paragraphs)
    # seed 001's narrative: “自评的2022年项目支出共3个，决算资金共1139.51万元”
    assert "本部门对3个项目开展了项目支出绩效自评" in text
    assert "全年执行数合计1139.51万元" in text
    assert "占部门全年预算数2591.78万元的43.97%" in text
    assert "部门整体支出绩效自评得分98.89分，评价等级为“优”。" in text
    assert "最高100分（城乡居民基本医疗保险区级配套资金项目），最低92.4分（慢性病专家鉴定费项目），平均96.33分" in text
    assert "无自评得分低于90分的项目。" in text and "各项目预算执行率均不低于90%。" in text
    # shortfalls of the department and of two projects, each with its reason
    assert ("慢性病专家鉴定费项目“专家慢病鉴定费”指标：年度指标值为“2万元”，实际完成值为“24%”（偏差度-76.00%），"
            "得2.4分（分值10分）。原因及改进措施：由于2022年新冠疫情严重，未能每月及时开展慢性病鉴定工作。") in text
    assert "部门整体支出“全区参保群众满意度”指标" in text
    assert "【请填写：本年度项目支出总个数，用于计算自评覆盖率】" in text
    assert paragraphs[-4:-2] == ["安阳市北关区医疗保障局", "\u3000\u3000\u3000\u3000年\u3000\u3000月\u3000\u3000日"]


def test_the_chart_is_a_native_word_chart_with_the_distribution(tmp_path):
    path, doc = written(scored(ANYANG), tmp_path)
    with zipfile.ZipFile(path) as z:
        chart = z.read("word/charts/chart1.xml").decode("utf-8")
        types = z.read("[Content_Types].xml").decode("utf-8")
        rels = z.read("word/_rels/document.xml.rels").decode("utf-8")
    assert "drawingml.chart+xml" in types and "relationships/chart" in rels
    assert [v for v in re.findall(r"<c:v>([^<]*)</c:v>", chart)] == [
        "项目数（个）", "优", "良", "中", "差", "3", "0", "0", "0"]
    grades = [[c.text for c in row.cells] for row in doc.tables[0].rows]
    assert grades == [["等级", "分数区间（含下限）", "项目数（个）", "占比"], ["优", "90分及以上", "3", "100.00%"],
                      ["良", "80～90分", "0", "0.00%"], ["中", "60～80分", "0", "0.00%"], ["差", "60分以下", "0", "0.00%"]]


def test_the_appendix_is_the_summary_table(tmp_path):
    _, doc = written(scored(ANYANG), tmp_path)
    table = [[c.text for c in row.cells] for row in doc.tables[-1].rows]
    assert table[0] == ["序号", "项目名称", "全年预算数\n（万元）", "全年执行数\n（万元）", "执行率", "得分", "等级"]
    assert table[1:] == [
        ["1", "部门整体支出", "2591.78", "2587.78", "99.85%", "98.89", "优"],
        ["2", "北关区政府救助（第五重）", "65.52", "65.52", "100.00%", "96.6", "优"],
        ["3", "城乡居民基本医疗保险区级配套资金", "1073.75", "1073.75", "100.00%", "100", "优"],
        ["4", "慢性病专家鉴定费", "0.24", "0.24", "100.00%", "92.4", "优"],
        ["", "项目合计", "1139.51", "1139.51", "100.00%", "", ""]]


def _department_with_weak_project():
    dept = yaml.safe_load((EXAMPLES / "安阳北关区医保局_2022_部门整体.yaml").read_text("utf-8"))
    dept["report"] = {"projects_listed": 4}
    weak = evaluation({"target": "≥100人", "actual": "60人", "weight": 45, "reason": "报名人数不足"},
                      {"target": "≥10次", "actual": "15次", "weight": 40},
                      unit=dept["unit"], project="培训项目", report={"execution": "采购延期至次年"},
                      funds_management=[{"name": "使用规范性", "weight": 5, "score": 3, "problems": "报销凭证不全,已整改"}])
    weak["funding"] = {"weight": 10, "initial_budget": "20", "annual_budget": "20", "executed": "15"}
    rows = [run_data(d) for d in (dept, weak)]
    assert all(s.ok for s in rows), [[i for i in s.issues if i.severity == "error"] for s in rows]
    return [(s.evaluation, s.result) for s in rows]


def test_a_weak_project_appears_below_90_below_90_percent_in_deviations_and_problems():
    data = summary_data(_department_with_weak_project())
    sections = {s["heading"]: "\n".join(p.get("text", "") for p in s["paragraphs"]) for s in data["sections"]}
    assert "本年度项目支出共4个，自评覆盖率25.00%。" in sections["一、自评覆盖情况"]
    assert not data["missing"]
    low = sections["三、自评得分低于90分的项目及原因"]
    assert "培训项目自评得分" in low and "“指标1”指标：年度指标值为“≥100人”，实际完成值为“60人”" in low
    assert "原因及改进措施：报名人数不足。" in low
    assert ("培训项目全年预算数20.00万元，全年执行数15.00万元，预算执行率75.00%。原因及改进措施：采购延期至次年。"
            in sections["四、预算执行率低于90%的项目"])
    assert ("培训项目“指标2”指标：年度指标值为“≥10次”，实际完成值为“15次”，超出年度指标值50.00%（达到提示线20%）。"
            in sections["五、绩效目标偏离情况"])
    problems = sections["六、存在的问题和改进措施"]
    assert "培训项目资金管理“使用规范性”：报销凭证不全，已整改。" in problems
    assert "培训项目预算执行：采购延期至次年。" in problems
    assert data["distribution"][0][2] == 0 and sum(c for _, _, c in data["distribution"]) == 1


def test_the_command_writes_one_report_per_unit_and_warns_about_what_is_missing(tmp_path, capsys):
    folder = tmp_path / "in"
    folder.mkdir()
    for path in ANYANG + [EXAMPLES / "焦作中站区医保局_2021_部门整体.yaml"]:
        shutil.copy(path, folder)
    assert main(["summary-report", str(folder), "-o", str(tmp_path / "out"), "--date", "2023-03-15"]) == 0
    names = sorted(p.name for p in (tmp_path / "out").iterdir())
    assert names == ["安阳市北关区医疗保障局_2022_部门项目支出绩效自评总结报告.docx",
                     "焦作市中站区医疗保障局_2021_部门项目支出绩效自评总结报告.docx"]
    assert "report.projects_listed" in capsys.readouterr().err
    doc = docx.Document(tmp_path / "out" / names[0])
    assert "2023年3月15日" in [p.text for p in doc.paragraphs]
    assert main(["summary-report", str(folder), "-o", str(tmp_path / "one.docx")]) == 1
    assert "-o 请给出文件夹" in capsys.readouterr().err
    assert main(["summary-report", *map(str, ANYANG), "-o", str(tmp_path / "one.docx")]) == 0
    assert (tmp_path / "one.docx").exists()


def test_summary_text_matches_its_golden_file(tmp_path, update_golden):
    _, doc = written(scored(ANYANG), tmp_path)
    lines = [p.text for p in doc.paragraphs if p.text]
    for table in doc.tables:
        lines += [" | ".join(c.text for c in row.cells) for row in table.rows]
    text = "\n".join(lines) + "\n"
    golden = ROOT / "tests/golden/部门项目支出绩效自评总结报告_安阳北关区医保局_2022.txt"
    if update_golden:
        golden.write_text(text, encoding="utf-8")
    assert text == golden.read_text(encoding="utf-8")


def test_libreoffice_prints_the_chart_and_the_report(tmp_path):
    from scoring.outputs.batch import soffice

    if soffice() is None:
        if os.environ.get("CI"):
            pytest.fail("LibreOffice is needed (CI installs libreoffice-writer-nogui)")
        pytest.skip("LibreOffice is not installed here; CI installs it")
    if shutil.which("pdftotext") is None:
        if os.environ.get("CI"):
            pytest.fail("pdftotext is needed (CI installs poppler-utils, .ci/run)")
        pytest.skip("pdftotext (poppler-utils) is not installed here; CI installs it")
    path, _ = written(scored(ANYANG), tmp_path)
    subprocess.run([soffice(), f"-env:UserInstallation=file://{tmp_path}/lo", "--headless", "--convert-to", "pdf",
                    "--outdir", str(tmp_path), str(path)], check=True, capture_output=True, timeout=120)
    text = subprocess.run(["pdftotext", "-layout", str(tmp_path / "总结.pdf"), "-"], capture_output=True,
                          text=True, check=True).stdout
    assert "项目自评等级分布" in text and "项目数（个）" in text  # the chart's title and axis, drawn
    assert "1139.51" in text and "附件" in text


def test_the_commands_help_is_chinese(capsys):
    from test_chinese_words import english_words
    from test_chinese_words import run as help_of

    text = help_of(["summary-report", "-h"], capsys)
    assert "部门项目支出绩效自评总结报告" in text and english_words(text) == set()


def test_the_tables_fill_the_text_area_and_no_number_or_header_wraps(tmp_path):
    from scoring.outputs.prose import em_width
    from scoring.outputs.summary_report import DIST_WIDTHS, TABLE_WIDTHS

    _, doc = written(scored(ANYANG), tmp_path)
    section = doc.sections[0]
    text_area = (section.page_width - section.left_margin - section.right_margin) / 360000  # EMU → cm
    for names, widths, table in ((None, DIST_WIDTHS, doc.tables[0]), (1, TABLE_WIDTHS, doc.tables[-1])):
        assert abs(sum(widths) - text_area) < 0.01
        for row in table.rows:
            for k, (cell, width) in enumerate(zip(row.cells, widths)):
                if k == names:
                    continue  # project names may wrap
                usable_pt = (width - 0.38) / 2.54 * 72  # Word's default cell margins, 0.19 cm each side
                for line in cell.text.split("\n"):
                    assert em_width(line) * 10.5 <= usable_pt, (line, width)


def test_fewer_listed_projects_than_evaluated_is_asked_to_be_checked_not_a_coverage_over_100():
    from scoring.core.model import ReportText
    from scoring.outputs.summary_report import _coverage

    runs = [run(p) for p in ANYANG]
    dept = next(s for s in runs if s.evaluation.kind == "department")
    projects = [(s.evaluation, s.result) for s in runs if s.evaluation.kind == "project"]
    ev = dept.evaluation.model_copy(update={"report": ReportText(projects_listed=2)})
    missing: list[str] = []
    texts = [p["text"] for p in _coverage((ev, dept.result), projects, 2022, missing)]
    assert not any("覆盖率" in t for t in texts)
    assert any("少于已自评的 3 个" in m for m in missing)
