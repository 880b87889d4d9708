"""The audit engine's parts (issue 16): tables found in a document, the rounding read from the
print, the checks only a printed table has, the narrative's scores, and the command's exit codes
and JSON. The acceptance cases (rendered examples, seed 001 as published, the provinces' tables,
every printed number changed in turn) are in tests/audit/."""

from __future__ import annotations

import json
from decimal import Decimal
from pathlib import Path

import docx
import pytest

from scoring.audit.audit import audit_file
from scoring.audit.narrative import agrees, attribute, statements
from scoring.audit.settings import Options, printed_precision, readings
from scoring.cli.entry import main
from scoring.core.model import Evaluation
from scoring.sources.document import Document, Paragraph, Table
from scoring.sources.document.tables import tables_in_document

HEADER = ["一级指标", "二级指标", "三级指标", "年度指标值", "实际完成值", "分值", "得分", "偏差度"]


def _rows(*rows, total=None, weight_total="100"):
    found = [HEADER, *rows]
    if total is not None:
        found.append(["总分", "", "", "", "", weight_total, total, ""])
    return found


def _docx(path: Path, *blocks) -> Path:
    """A Word document of paragraphs (str) and tables (lists of rows of text)."""
    document = docx.Document()
    for block in blocks:
        if isinstance(block, str):
            document.add_paragraph(block)
            continue
        table = document.add_table(rows=len(block), cols=max(len(r) for r in block))
        for r, row in enumerate(block):
            for c, text in enumerate(row):
                table.cell(r, c).text = text
    document.save(str(path))
    return path


BASIC = _rows(["产出指标", "数量指标", "培训人数", "≥90人", "85人", "40", "37.78", "-5.56%"],
              ["产出指标", "质量指标", "合格率", "≥95%", "96%", "30", "30", "0"],
              ["效益指标", "社会效益指标", "满意度", "≥90%", "92%", "30", "30", "0"], total="97.78")


def _audit(path: Path, **options):
    return audit_file(path, Options(**options))


# ------------------------------------------------------------ tables in a document


def test_a_consistent_table_gives_no_finding(tmp_path):
    a = _audit(_docx(tmp_path / "a.docx", "项目支出绩效自评表", "项目名称：培训项目", BASIC))
    assert a.error is None
    (t,) = a.tables
    assert (t.kind, t.project, t.printed_total, t.computed_total) == ("project", "培训项目", Decimal("97.78"),
                                                                       Decimal("97.78"))
    assert t.findings == ()


def test_each_title_starts_a_table_and_a_continuation_is_one_table():
    first = Table([HEADER, ["产出指标", "数量指标", "培训人数", "≥90人", "85人", "40", "37.78", "-5.56%"]], 1, page=1)
    rest = Table([HEADER, ["产出指标", "质量指标", "合格率", "≥95%", "96%", "30", "30", "0"],
                  ["效益指标", "社会效益指标", "满意度", "≥90%", "92%", "30", "30", "0"],
                  ["总分", "", "", "", "", "100", "97.78", ""]], 2, page=2)
    other = Table(_rows(["产出指标", "数量指标", "户数", "100户", "100户", "100", "100", "0"], total="100"), 3, page=3)
    doc = Document("x.pdf", "pdf", [Paragraph("项目支出绩效自评表", 1), Paragraph("项目名称：培训", 1), first,
                                    Paragraph("- 1 -", 1), rest, Paragraph("项目支出绩效自评表", 3),
                                    Paragraph("项目名称：修路", 3), other])
    found = tables_in_document(doc)
    assert [t.evaluation.project for t in found] == ["培训", "修路"]
    assert [r.level3 for r in found[0].evaluation.indicators] == ["培训人数", "合格率", "满意度"]  # header not a row
    assert found[0].cell_place("indicators[1].printed_score") == "第2页 表2 第2行第7列"


def test_a_wrong_row_score_is_found_where_it_is_printed(tmp_path):
    rows = [list(r) for r in BASIC]
    rows[2][6] = "29"
    (t,) = _audit(_docx(tmp_path / "a.docx", "项目支出绩效自评表", "项目名称：培训", rows)).tables
    (f,) = t.findings
    assert (f.kind, f.where, f.level3, f.printed, f.computed) == ("row_score", "表1 第3行第7列", "合格率", "29", "30")
    assert f.cause == "actual_rate"  # 30 × 96% = 28.8 ≈ 29, though 96% meets ≥95%


def test_group_weights_in_headings_are_checked_against_their_rows(tmp_path):
    rows = [list(r) for r in BASIC]
    rows[1][0] = rows[2][0] = "产出指标（60分）"  # the rows under it weigh 70
    rows[3][0] = "效益指标（30分）"  # right
    rows[1][1] = "数量指标（45分）"  # its one row weighs 40
    (t,) = _audit(_docx(tmp_path / "a.docx", "项目支出绩效自评表", "项目名称：培训", rows)).tables
    assert [(f.kind, f.printed, f.computed, f.where) for f in t.findings] == [
        ("weights", "60", "70", "表1 第2行第1列"), ("weights", "45", "40", "表1 第2行第2列")]


def test_the_printed_grade_is_checked(tmp_path):
    rows = [list(r) for r in BASIC] + [["等级", "良", "", "", "", "", "", ""]]
    (t,) = _audit(_docx(tmp_path / "a.docx", "项目支出绩效自评表", "项目名称：培训", rows)).tables
    (f,) = t.findings
    assert (f.kind, f.printed, f.computed) == ("grade", "良", "优")


def test_a_judged_row_below_full_is_a_judgement_not_an_error(tmp_path):
    rows = [list(r) for r in BASIC]
    rows[3] = ["效益指标", "社会效益指标", "群众获得感", "明显提升", "有所提升", "30", "25", ""]
    rows[4][6] = "92.78"
    (t,) = _audit(_docx(tmp_path / "a.docx", "项目支出绩效自评表", "项目名称：培训", rows)).tables
    (f,) = t.findings
    assert (f.kind, f.level3, f.printed) == ("judgement", "群众获得感", "25")
    assert t.computed_total == Decimal("92.78")


# ------------------------------------------------------------ rounding read from the print


def _evaluation(*scores: str, total: str) -> Evaluation:
    rows = [{"level1": "产出指标", "level3": f"指标{i}", "target": "≥90%", "actual": "85%", "weight": 50,
             "printed_score": s} for i, s in enumerate(scores)]
    return Evaluation.model_validate({"kind": "project", "unit": "某局", "year": 2022, "project": "某项目",
                                      "indicators": rows, "printed_total": total})


def test_the_precision_is_the_most_decimals_printed():
    assert printed_precision(_evaluation("47", "47", total="94")) == 0
    assert printed_precision(_evaluation("47.2", "47", total="94.2")) == 1
    assert printed_precision(_evaluation("47.22", "47.2", total="94.44")) == 2


def test_a_whole_point_table_is_judged_in_whole_points_half_up_and_down():
    found = readings(_evaluation("47", "47", total="94"), Options())
    assert [(r.evaluation.rounding.precision, r.evaluation.rounding.mode) for r in found] == \
        [(0, "half_up"), (0, "floor")]
    assert [(r.evaluation.rounding.precision, r.evaluation.rounding.mode)
            for r in readings(_evaluation("47", "47", total="94"), Options(precision=2))] == [(2, "half_up")]


def test_rounded_down_whole_points_agree_and_rounded_up_ones_too(tmp_path):
    # 50 × 85/90 = 47.22: printed 47 (either mode); 50 × 89/90 = 49.44 → 49; 20 × 85.5/90 = 19.0 …
    rows = _rows(["产出指标", "数量指标", "甲", "≥90%", "85%", "50", "47", ""],
                 ["产出指标", "数量指标", "乙", "≥90%", "89%", "50", "49", ""], total="96")
    (t,) = _audit(_docx(tmp_path / "a.docx", "项目支出绩效自评表", "项目名称：培训", rows)).tables
    assert t.findings == () and t.computed_total == Decimal("96")
    assert "0位小数" in t.assumed


def test_at_two_decimals_the_same_print_is_wrong(tmp_path):
    rows = _rows(["产出指标", "数量指标", "甲", "≥90%", "85%", "50", "47", ""],
                 ["产出指标", "数量指标", "乙", "≥90%", "89%", "50", "49", ""], total="96")
    (t,) = _audit(_docx(tmp_path / "a.docx", "项目支出绩效自评表", "项目名称：培训", rows), precision=2).tables
    assert {(f.kind, f.printed, f.computed) for f in t.findings} == {
        ("row_score", "47", "47.22"), ("row_score", "49", "49.44"), ("total", "96", "96.66")}


# ------------------------------------------------------------ the narrative


SEED_001 = [  # ../shared/seeds/001_eedbb879cd069ff8.txt, lines 2157–2290, the broken lines joined
    "我部门2022年度整体支出预算总额1129万元，决算总额1139.51万元，部门绩效自评得分98.89分。",
    "1.城乡居民医保区级配套项目，项 目 2022 年预算数 1040 万元，决算数 1073.75 万元， 自评得分 99 分，项目数量指标设定",
    "2.慢性病专家鉴定费项目，2022 年预算数 2 万元。决算数 0.24 万元，自评得分 94 分，项目数量指标设定",
    "3、北关区政府救助（第五重）项目，2022 年预算数 87 万 元。决算数 65.52 万元， 自评得分 99 分，项目数量",
    "我部门针对以上项目中的城乡居民医保区级配套项目进行了重点项目再评价，评价得分99分。",
]


class _Named:
    def __init__(self, kind, project=None):
        self.evaluation = Evaluation.model_validate({
            "kind": kind, "unit": "安阳市北关区医疗保障局", "year": 2022, "project": project,
            "indicators": [{"level1": "产出指标", "level3": "x", "target": "1", "actual": "1", "weight": 100}]})


def test_the_narrative_scores_are_read_and_matched_to_their_tables():
    doc = Document("x.docx", "docx", [Paragraph(t) for t in SEED_001])
    found = statements(doc)
    assert [s.score for s in found] == [Decimal("98.89"), Decimal("99"), Decimal("94"), Decimal("99")]
    tables = [_Named("department"), _Named("project", "城乡居民基本医疗保险区级配套资金"),
              _Named("project", "慢性病专家鉴定费"), _Named("project", "北关区政府救助（第五重）")]
    assert [attribute(s, tables) for s in found] == [0, 1, 2, 3]


def test_a_statement_agrees_at_the_precision_it_is_written_with():
    assert agrees(Decimal("99"), Decimal("98.89"))
    assert agrees(Decimal("98.89"), Decimal("98.89"))
    assert not agrees(Decimal("99"), Decimal("96.6"))
    assert not agrees(Decimal("94"), Decimal("92.4"))


def test_a_narrative_score_that_disagrees_is_a_finding(tmp_path):
    path = _docx(tmp_path / "a.docx", "项目支出绩效自评表", "项目名称：培训", BASIC,
                 "一、绩效自评结果", "培训项目自评得分为 99 分，完成了年度目标。")
    (t,) = _audit(path).tables
    (f,) = t.findings
    assert (f.kind, f.printed, f.computed, f.where) == ("narrative", "99", "97.78", "第4段")


# ------------------------------------------------------------ the command


def test_exit_codes_and_the_json_object(tmp_path, capsys):
    good = _docx(tmp_path / "in" / "a.docx", "项目支出绩效自评表", "项目名称：培训", BASIC) \
        if (tmp_path / "in").mkdir() is None else None
    wrong = [list(r) for r in BASIC]
    wrong[4][6] = "98"
    _docx(tmp_path / "in" / "b.docx", "项目支出绩效自评表", "项目名称：修路", wrong)
    _docx(tmp_path / "in" / "报告.docx", "一、基本情况", "没有表格的报告。")
    assert main(["audit", str(tmp_path / "in"), "--json", "-o", str(tmp_path / "out")]) == 0
    data = json.loads(capsys.readouterr().out)
    by_file = {Path(f["file"]).name: f for f in data["files"]}
    assert by_file["报告.docx"] == {"file": str(tmp_path / "in" / "报告.docx"), "error": None, "tables": []}
    (table,) = by_file["b.docx"]["tables"]
    assert (table["printed_total"], table["computed_total"]) == ("98", "97.78")
    assert [(f["kind"], f["printed"], f["computed"], f["cause"]) for f in table["findings"]] == \
        [("total", "98", "97.78", "sum_slip")]
    assert by_file["a.docx"]["tables"][0]["findings"] == []
    assert sorted(p.name for p in (tmp_path / "out").iterdir()) == ["a_审核意见.docx", "b_审核意见.docx", "审核汇总.xlsx"]
    assert main(["audit", str(tmp_path / "in"), "--strict", "--no-files"]) == 2
    assert main(["audit", str(good), "--strict", "--no-files"]) == 0
    assert main(["audit", str(tmp_path / "in" / "报告.docx"), "--no-files"]) == 1  # named: no table is an error
    assert "没有找到自评表" in capsys.readouterr().err


def test_the_input_is_never_modified(tmp_path):
    path = _docx(tmp_path / "a.docx", "项目支出绩效自评表", "项目名称：培训", BASIC)
    before = path.read_bytes()
    assert main(["audit", str(path), "-o", str(tmp_path / "out")]) == 0
    assert path.read_bytes() == before


@pytest.mark.parametrize("options", [["--precision", "3"], ["--rounding", "up"]])
def test_bad_options_are_refused(options, capsys):
    with pytest.raises(SystemExit):
        main(["audit", "x.docx", *options])


def test_a_row_that_cannot_be_computed_is_named_and_the_others_are_still_checked(tmp_path):
    rows = [list(r) for r in BASIC]
    rows[2][4] = "见附件"  # no number to compare with ≥95%
    rows[3][6] = "31"  # above its weight of 30
    (t,) = _audit(_docx(tmp_path / "a.docx", "项目支出绩效自评表", "项目名称：培训", rows)).tables
    assert t.computed_total is None  # a total over an uncomputable row would be wrong
    assert len(t.problems) == 1 and "合格率" in t.problems[0] and t.problems[0].startswith("表1 第3行")
    assert [(f.kind, f.level3, f.printed, f.computed) for f in t.findings] == [("row_score", "满意度", "31", "30")]


def test_a_table_without_weights_takes_them_from_full_scores_and_what_is_left(tmp_path):
    header = [h for h in HEADER if h != "分值"]
    rows = [header,
            ["产出指标（70分）", "数量指标", "培训人数", "≥90人", "85人", "37.78", "-5.56%"],  # weight: 70 − 30
            ["产出指标（70分）", "质量指标", "合格率", "≥95%", "96%", "30", "0"],  # met: 30 is its weight
            ["效益指标", "社会效益指标", "满意度", "≥90%", "92%", "30", "0"],
            ["总分", "", "", "", "", "97.78", ""]]
    (t,) = _audit(_docx(tmp_path / "a.docx", "项目支出绩效自评表", "项目名称：培训", rows)).tables
    assert (t.computed_total, t.findings, t.problems) == (Decimal("97.78"), (), ())
    assert "表中未印分值" in t.assumed and "余数" in t.assumed


def test_a_weight_that_cannot_be_inferred_is_a_problem_and_the_rest_is_checked(tmp_path):
    header = [h for h in HEADER if h != "分值"]
    rows = [header,
            ["产出指标", "数量指标", "培训人数", "≥90人", "85人", "37.78", "-5.56%"],
            ["产出指标", "数量指标", "检查次数", "≥10次", "8次", "20", "-20%"],  # two rows short: no weights
            ["效益指标", "社会效益指标", "满意度", "≥90%", "92%", "30", "0"],
            ["总分", "", "", "", "", "87.78", ""]]
    (t,) = _audit(_docx(tmp_path / "a.docx", "项目支出绩效自评表", "项目名称：培训", rows)).tables
    assert t.computed_total is None
    assert [p.split("：", 1)[0] for p in t.problems] == ["表1 第2行第6列", "表1 第3行第6列"]
    assert all("无法推定" in p for p in t.problems)


# ------------------------------------------------------------ spreadsheets, as office programs save them


def _needs_soffice():
    import os
    import shutil

    if shutil.which("soffice") is None:
        if os.environ.get("CI"):
            pytest.fail("LibreOffice is needed (CI installs libreoffice-calc-nogui)")
        pytest.skip("LibreOffice is not installed here; CI installs it")


@pytest.mark.parametrize("fmt", ["xlsx", "xls", "ods"])
def test_a_spreadsheet_table_saved_by_libreoffice_is_audited_like_a_word_table(tmp_path, fmt):
    _needs_soffice()
    from openpyxl import Workbook
    from test_workbook_fill_in import soffice

    wb = Workbook()
    ws = wb.active
    ws.title = "培训项目"
    ws.append(["项目支出绩效自评表"])
    ws.append(["项目名称", "培训项目"])
    rows = [list(r) for r in BASIC]
    rows[4][6] = "98"
    for row in rows:
        ws.append(row)
    src = tmp_path / "src" / "自评表.xlsx"
    src.parent.mkdir()
    wb.save(src)
    path = soffice(src, fmt, tmp_path)
    (t,) = _audit(path).tables
    assert (t.project, t.where, t.computed_total) == ("培训项目", "工作表“培训项目”", Decimal("97.78"))
    assert [(f.kind, f.where, f.printed, f.computed) for f in t.findings] == [
        ("total", "工作表“培训项目” G7", "98", "97.78")]


# ------------------------------------------------------------ from the second read


def test_a_blank_official_form_and_a_missing_file_do_not_stop_the_others(tmp_path, capsys):
    blank = [HEADER, ["产出指标", "数量指标", "指标1：", "", "", "", "", ""],
             ["", "", "指标2：", "/", "/", "", "", ""], ["", "", "……", "", "", "", "", ""]]
    _docx(tmp_path / "空表.docx", "项目支出绩效自评表", "项目名称：培训", blank)
    _docx(tmp_path / "好表.docx", "项目支出绩效自评表", "项目名称：培训", BASIC)
    code = main(["audit", str(tmp_path / "空表.docx"), str(tmp_path / "好表.docx"), str(tmp_path / "没有.docx"),
                 "--json", "--no-files"])
    data = {Path(f["file"]).name: f for f in json.loads(capsys.readouterr().out)["files"]}
    assert code == 1  # one file missing
    assert "找不到" in data["没有.docx"]["error"]
    assert data["好表.docx"]["tables"][0]["findings"] == []
    (empty,) = data["空表.docx"]["tables"]
    assert empty["computed_total"] is None and any("没有任何三级指标" in p for p in empty["problems"])


def test_a_continued_table_under_a_repeated_title_is_one_table(tmp_path):
    first, rest = BASIC[:3], [HEADER, *BASIC[3:]]
    path = _docx(tmp_path / "a.docx", "项目支出绩效自评表", "项目名称：培训", first, "项目支出绩效自评表（续表）", rest)
    (t,) = _audit(path).tables
    assert (len(t.findings), t.computed_total) == (0, Decimal("97.78"))


def test_part_scores_and_other_projects_in_the_narrative_are_not_the_tables_total(tmp_path):
    path = _docx(tmp_path / "a.docx", "项目支出绩效自评表", "项目名称：培训项目", BASIC,
                 "其中产出指标自评得分为67.78分，预算执行率指标自评得分为10分。",
                 "另外，修路项目自评得分为85分。",
                 "本项目自评总分为 90 分。")
    (t,) = _audit(path).tables
    assert [(f.kind, f.printed, f.where) for f in t.findings] == [("narrative", "90", "第5段")]


def test_same_named_files_in_different_folders_get_their_own_opinions(tmp_path):
    for unit in ("甲局", "乙局"):
        _docx((tmp_path / unit).mkdir() or tmp_path / unit / "自评表.docx", "项目支出绩效自评表", "项目名称：培训", BASIC)
    assert main(["audit", str(tmp_path / "甲局" / "自评表.docx"), str(tmp_path / "乙局" / "自评表.docx"),
                 "-o", str(tmp_path / "out")]) == 0
    assert len(list((tmp_path / "out").glob("*审核意见.docx"))) == 2
