"""Reviews: re-scoring with a reviewer's weights and scores, without touching the original."""

import shutil
from decimal import Decimal

import docx
import openpyxl
import pytest
from conftest import EXAMPLES

from scoring.cli import main
from scoring.review.compare import compare
from scoring.review.records import content_hash
from scoring.review.rescore import apply_review
from scoring.review.storage import load_review, save_review
from scoring.sources.loader import load_evaluation

DEPT = EXAMPLES / "安阳北关区医保局_2022_部门整体.yaml"


@pytest.fixture
def sheet(tmp_path):
    """A review sheet for seed 001's department table, and a function to fill it in."""
    evaluation = tmp_path / "部门整体.yaml"
    shutil.copy(DEPT, evaluation)
    path = tmp_path / "复核表.xlsx"
    assert main(["review-sheet", str(evaluation), "-o", str(path)]) == 0

    def fill(changes: dict, reviewer="王五", when="2026-11-22"):
        wb = openpyxl.load_workbook(path)
        ws = wb["复核"]
        ws["B2"], ws["D2"] = reviewer, when
        for r in range(6, ws.max_row + 1):
            for col, value in changes.get(ws.cell(r, 4).value, {}).items():
                ws.cell(r, col).value = value
        wb.save(path)
        return path

    return evaluation, fill


def rows_of(xlsx):
    ws = openpyxl.load_workbook(xlsx)["复核对比"]
    return {r[0]: r for r in ws.values if r and r[0]}


def test_moving_weight_between_level1_groups_changes_the_total_as_computed_by_hand(sheet, tmp_path, capsys):
    evaluation, fill = sheet
    before = evaluation.read_bytes()
    review = fill({"全区参保群众满意度": {9: 15, 11: "满意度权重偏高"},          # 效益/满意度 20 → 15
                   "年度履职目标相关性": {9: 6}})                              # 投入 +5
    out = tmp_path / "out"
    assert main(["rescore", str(evaluation), "--review", str(review), "-o", str(out)]) == 0
    # by hand: 98.89 − 18.89 + 15 × 85/90 (= 14.17) − 1 + 6 = 99.17
    rows = rows_of(out / "复核对比表.xlsx")
    assert rows["总分"][3:5] == ("98.89", "99.17")
    sat = rows["效益指标 / 满意度 / 全区参保群众满意度"]
    assert sat[1:6] == ("20", "15", "18.89", "14.17", "-4.72") and sat[7] == "满意度权重偏高"
    assert rows["投入管理指标 / 工作目标管理 / 年度履职目标相关性"][1:6] == ("1", "6", "1", "6", "+5")
    assert evaluation.read_bytes() == before  # the original is never touched
    assert "复核前 98.89（优），复核后 99.17（优）" in capsys.readouterr().out


def test_the_comparison_document_carries_the_same_numbers(sheet, tmp_path):
    evaluation, fill = sheet
    review = fill({"全区参保群众满意度": {9: 15}, "年度履职目标相关性": {9: 6}})
    out = tmp_path / "out"
    assert main(["rescore", str(evaluation), "--review", str(review), "-o", str(out)]) == 0
    doc = docx.Document(out / "复核对比表.docx")
    table = doc.tables[-1]
    cells = {row.cells[0].text: [c.text for c in row.cells] for row in table.rows}
    assert cells["总分"][1:6] == ["100", "100", "98.89", "99.17", "+0.28"]
    assert cells["等级"][3:5] == ["优", "优"]
    assert any("复核人：王五" in p.text for p in doc.paragraphs)


def test_an_invalid_review_lists_all_its_problems_with_their_cells(sheet, tmp_path, capsys):
    evaluation, fill = sheet
    review = fill({"全区参保群众满意度": {9: "很多"},
                   "预算执行率": {10: 2},                        # a computed row: no 复核得分
                   "参保人员减轻医疗费用生活负担": {10: 3},         # judged 3 of 15: below the achieved band
                   "年度履职目标相关性": {9: 5}},                  # weights no longer 100
                  reviewer="", when="下周")
    assert main(["rescore", str(evaluation), "--review", str(review), "-o", str(tmp_path / "out")]) == 1
    err = capsys.readouterr().err
    for fragment in ("'复核'!B2", "没有填写复核人", "'复核'!D2", "复核日期“下周”无法识别",
                     "复核分值“很多”不是数字", "'复核'!J", "得分由规则计算", "复核后分值合计为 104",
                     "不在实际完成值“100%”对应的达成区间 [12, 15]内"):
        assert fragment in err, fragment
    assert not (tmp_path / "out" / "复核对比表.docx").exists()


def test_a_stale_review_is_refused_unless_forced(sheet, tmp_path, capsys):
    evaluation, fill = sheet
    review = fill({"全区参保群众满意度": {9: 15}, "年度履职目标相关性": {9: 6}})
    text = evaluation.read_text(encoding="utf-8")
    assert "由于 22 年疫情原因" in text
    evaluation.write_text(text.replace("由于 22 年疫情原因", "由于 2022 年疫情原因"), encoding="utf-8")
    assert main(["rescore", str(evaluation), "--review", str(review), "-o", str(tmp_path / "a")]) == 1
    assert "内容校验码不符" in capsys.readouterr().err
    assert main(["rescore", str(evaluation), "--review", str(review), "-o", str(tmp_path / "b"), "--force"]) == 0
    assert "已改变" in capsys.readouterr().err


def test_reviews_are_records_that_live_side_by_side(tmp_path):
    ev, _, _ = load_evaluation(DEPT)
    review_yaml = tmp_path / "r.yaml"
    review_yaml.write_text(f"""\
kind: review
evaluation: {ev.title}
input_hash: {content_hash(ev)}
reviewer: 赵六
date: 2026-11-20
changes:
  - {{level3: 全区参保群众满意度, weight: 15, comment: 权重偏高}}
  - {{level3: 年度履职目标相关性, weight: 6}}
""", encoding="utf-8")
    review, source, issues = load_review(review_yaml)
    assert not issues and review.reviewer == "赵六"
    first, second = save_review(review, tmp_path, "部门"), save_review(review, tmp_path, "部门")
    assert first != second and first.exists() and second.exists()
    again, _, _ = load_review(second)
    assert again == review  # a saved record reads back as it was
    reviewed, issues, locator = apply_review(ev, review, source)
    assert not issues
    comparison = compare(ev, reviewed, review, None, locator)
    assert (comparison.before.total, comparison.after.total) == (Decimal("98.89"), Decimal("99.17"))


def test_printed_against_computed_without_a_review(tmp_path, seed_examples):
    out = tmp_path / "out"
    assert main(["rescore", str(seed_examples), "-o", str(out)]) == 0
    doc = docx.Document(out / "复核对比表.docx")
    text = "\n".join(p.text for p in doc.paragraphs)
    assert "自评报告（决算说明）中的得分 94 与计算总分 92.4 不一致" in text
    assert "自评报告（决算说明）中的得分 99 与计算总分 96.6 不一致" in text
    ranking = list(openpyxl.load_workbook(out / "复核对比表.xlsx")["排名"].values)
    assert ranking[0] == ("评价", "复核前总分", "复核前排名", "复核后总分", "复核后排名")
    assert [r[1] for r in ranking[1:]] == ["100", "100", "98.89", "96.6", "92.4"]
    assert [r[4] for r in ranking[1:]] == [1, 1, 3, 4, 5]


def test_names_and_comments_keep_their_full_width_punctuation(tmp_path):
    """A 三级指标 written with a full-width comma is still found, and a comment keeps its
    punctuation: only numbers and dates are folded to half-width."""
    evaluation = tmp_path / "第五重.yaml"
    shutil.copy(EXAMPLES / "安阳北关区医保局_2022_北关区政府救助第五重.yaml", evaluation)
    path = tmp_path / "复核表.xlsx"
    assert main(["review-sheet", str(evaluation), "-o", str(path)]) == 0
    wb = openpyxl.load_workbook(path)
    ws = wb["复核"]
    ws["B2"], ws["D2"] = "王五", "２０２６－１１－２２"
    row = next(r for r in range(6, ws.max_row + 1) if ws.cell(r, 4).value == "第五重困难人员减轻医疗负担，提升生活水平")
    ws.cell(r := row, 10).value, ws.cell(r, 11).value = "２０", "“大幅提升”依据不足，按部分达成计"
    wb.save(path)
    review, _, issues = load_review(path)
    assert not issues
    change = review.changes[0]
    assert change.level3 == "第五重困难人员减轻医疗负担，提升生活水平" and change.score == Decimal(20)
    assert change.comment == "“大幅提升”依据不足，按部分达成计"
    out = tmp_path / "out"
    assert main(["rescore", str(evaluation), "--review", str(path), "-o", str(out)]) == 0
    assert rows_of(out / "复核对比表.xlsx")["总分"][3:5] == ("96.6", "91.6")


def test_a_comment_on_the_funds_row_reaches_the_comparison(sheet, tmp_path):
    evaluation, fill = sheet
    review = fill({"部门预算总额": {9: 12, 11: "预算执行分值应提高"}, "全区参保群众满意度": {9: 18}})
    out = tmp_path / "out"
    assert main(["rescore", str(evaluation), "--review", str(review), "-o", str(out)]) == 0
    funds = rows_of(out / "复核对比表.xlsx")["预算执行率"]
    assert funds[1:5] == ("10", "12", "10", "12") and funds[7] == "预算执行分值应提高"
    record = next(out.glob("*.复核.*.yaml"))
    assert load_review(record)[0].funding_comment == "预算执行分值应提高"
