"""Word documents: every number from the scoring output, merges, escaping, safety."""

import zipfile

import docx
import pytest
from conftest import EXAMPLES, ROOT, evaluation
from docx.oxml.ns import qn

from scoring.cli import main
from scoring.core.numbers import fixed, plain
from scoring.outputs.render import (
    RenderError,
    WordTemplate,
    builtin_template,
    render_many,
    to_context,
)
from scoring.pipeline import run, run_data

CASES = sorted(EXAMPLES.glob("*.yaml"))


def render(scored, tmp_path, template=None):
    path = tmp_path / "out.docx"
    tpl = WordTemplate(template or builtin_template(scored.evaluation))
    path.write_bytes(tpl.render_bytes(to_context(scored.evaluation, scored.result)))
    return path


def grid(table):
    return [[c.text for c in row.cells] for row in table.rows]


@pytest.mark.parametrize("case", CASES, ids=lambda p: p.stem)
def test_every_number_in_the_document_is_the_scoring_output(case, tmp_path):
    scored = run(case)
    doc = docx.Document(render(scored, tmp_path))
    head, indicators = grid(doc.tables[0]), grid(doc.tables[1])
    r, ev = scored.result, scored.evaluation
    col = {name: k for k, name in enumerate(indicators[0])}
    assert list(col)[:4] == ["一级指标", "二级指标", "三级指标", "年度指标值"]
    body = indicators[1:-2]
    assert len(body) == len(r.indicators)
    for cells, row, ind in zip(body, r.indicators, ev.indicators):
        got = [cells[col[k]] for k in ("三级指标", "年度指标值", "实际完成值", "分值", "得分", "偏差度（%）",
                                        "偏差原因分析及改进措施")]
        assert got == [row.level3, ind.target, ind.actual, plain(row.weight), plain(row.score),
                       fixed(row.deviation), ind.reason]
        if "指标说明" in col:
            assert cells[col["指标说明"]] == ind.description
    assert [indicators[-2][col["分值"]], indicators[-2][col["得分"]]] == [plain(r.weight_total), plain(r.total)]
    assert indicators[-1][1] == r.grade
    funds = next(cells for cells in head if cells[1] == ev.funding.label)  # column 0: the block's label
    assert funds[3:] == [plain(ev.funding.initial_budget), plain(ev.funding.annual_budget),
                         plain(ev.funding.executed), plain(ev.funding.weight),
                         f"{fixed(r.funding.execution_rate)}%", plain(r.funding.score)]


def _merges(table, column):
    """The vMerge value of `column` in each body row: restart, continue or None."""
    out = []
    for tr in table._tbl.tr_lst[1:-2]:
        tc = tr.tc_lst[column]
        vm = tc.tcPr.find(qn("w:vMerge")) if tc.tcPr is not None else None
        out.append(None if vm is None else (vm.get(qn("w:val")) or "continue"))
    return out


def test_level1_and_level2_cells_merge_over_their_groups(tmp_path):
    doc = docx.Document(render(run(EXAMPLES / "安阳北关区医保局_2022_部门整体.yaml"), tmp_path))
    table = doc.tables[1]
    # 投入管理指标: 20 rows; 产出指标: 3; 效益指标: 2
    assert _merges(table, 0) == ["restart"] + ["continue"] * 19 + ["restart", "continue", "continue",
                                                                     "restart", "continue"]
    # 二级: 工作目标管理 3, 预算和财务管理 12, 绩效管理 5, 重点工作任务完成 2, 履职目标实现 1, 履职效益 1, 满意度 1
    assert _merges(table, 1) == (["restart", "continue", "continue"] + ["restart"] + ["continue"] * 11
                                 + ["restart"] + ["continue"] * 4 + ["restart", "continue", None, None, None])
    # merged cells read back as one: python-docx repeats the restart cell's text
    assert {grid(table)[k][0] for k in range(1, 21)} == {"投入管理指标"}


def test_ampersand_and_angle_brackets_are_escaped_and_the_file_opens(tmp_path):
    data = evaluation({"level1": "产出<指标>", "level2": "A&B", "level3": "检查 & 督导 <重点>",
                       "target": "≥90%", "actual": "95%", "weight": 90, "reason": "a<b & c>d"},
                      unit="测试&单位", project="项目<一>")
    scored = run_data(data)
    doc = docx.Document(render(scored, tmp_path))
    cells = grid(doc.tables[1])[1]
    assert cells[:3] == ["产出<指标>", "A&B", "检查 & 督导 <重点>"] and cells[8] == "a<b & c>d"
    assert grid(doc.tables[0])[0][3] == "项目<一>"


def test_a_template_with_a_misspelt_variable_names_it(tmp_path):
    bad = tmp_path / "bad.docx"
    d = docx.Document()
    d.add_paragraph("单位：{{ unitt }}")
    d.save(bad)
    with pytest.raises(RenderError, match="unitt"):
        WordTemplate(bad).render_bytes(to_context(*_scored_parts()))
    broken = tmp_path / "broken.docx"
    d = docx.Document()
    d.add_paragraph("{% for x in %}")
    d.save(broken)
    with pytest.raises(RenderError, match="模板语法错误"):
        WordTemplate(broken)


def test_user_templates_are_sandboxed(tmp_path):
    evil = tmp_path / "evil.docx"
    d = docx.Document()
    d.add_paragraph("{{ unit.__class__.__mro__[1].__subclasses__() }}")
    d.save(evil)
    with pytest.raises(RenderError, match="不允许"):
        WordTemplate(evil).render_bytes(to_context(*_scored_parts()))


def _scored_parts():
    scored = run(EXAMPLES / "安阳北关区医保局_2022_慢性病专家鉴定费.yaml")
    return scored.evaluation, scored.result


def test_an_interrupted_batch_leaves_no_partial_file(tmp_path, monkeypatch):
    ev, result = _scored_parts()
    template = str(builtin_template(ev))
    jobs = [(template, to_context(ev, result), str(tmp_path / f"{i}.docx")) for i in range(3)]
    import scoring.outputs.files as files

    real, calls = files.os.replace, []

    def crash_on_second(src, dst):
        calls.append(dst)
        if len(calls) == 2:
            raise KeyboardInterrupt
        real(src, dst)

    monkeypatch.setattr(files.os, "replace", crash_on_second)
    with pytest.raises(KeyboardInterrupt):
        render_many(jobs)
    assert sorted(p.name for p in tmp_path.iterdir()) == ["0.docx"]  # no temp file, no half document
    with zipfile.ZipFile(tmp_path / "0.docx") as z:
        assert z.testzip() is None


def test_render_command_writes_one_document_per_evaluation(tmp_path, capsys, seed_examples):
    out = tmp_path / "docs"
    assert main(["render", str(seed_examples), "-o", str(out), "--workers", "1", "--filled-by", "张三"]) == 0
    names = sorted(p.name for p in out.iterdir())
    assert "汇总表.xlsx" in names  # several evaluations: a summary too
    assert len([n for n in names if n.endswith(".docx")]) == 10  # a table and a report per evaluation
    assert "安阳市北关区医疗保障局_慢性病专家鉴定费_2022_项目支出绩效自评表.docx" in names
    assert "安阳市北关区医疗保障局_慢性病专家鉴定费_2022_绩效自评报告.docx" in names
    assert main(["render", str(seed_examples), "-o", str(tmp_path / "t"), "--workers", "1", "--no-report"]) == 0
    assert len(list((tmp_path / "t").glob("*.docx"))) == 5
    doc = docx.Document(out / "安阳市北关区医疗保障局_2022_部门整体支出绩效自评表.docx")
    assert "填表人：张三" in doc.paragraphs[-1].text


def _text(path) -> str:
    doc = docx.Document(path)
    lines = [p.text for p in doc.paragraphs if p.text.strip()]
    for table in doc.tables:
        for row in table.rows:
            lines.append(" | ".join(c.text for c in row.cells))
    return "\n".join(lines) + "\n"


@pytest.mark.parametrize("case", CASES, ids=lambda p: p.stem)
def test_document_text_matches_its_golden_file(case, tmp_path, update_golden):
    text = _text(render(run(case), tmp_path))
    golden = ROOT / "tests/golden" / f"{case.stem}.txt"
    if update_golden:
        golden.parent.mkdir(exist_ok=True)
        golden.write_text(text, encoding="utf-8")
    assert text == golden.read_text(encoding="utf-8")


def test_a_line_break_in_a_value_becomes_a_line_break_in_word(tmp_path):
    scored = run_data(evaluation({"target": "≥90%", "actual": "85%", "weight": 90,
                                  "reason": "原因一\n原因二"}))
    path = render(scored, tmp_path)
    with zipfile.ZipFile(path) as z:
        xml = z.read("word/document.xml").decode("utf-8")
    assert "原因一</w:t><w:br/>" in xml
    assert docx.Document(path).tables[1].rows[1].cells[8].text == "原因一\n原因二"


def test_combined_document_summary_workbook_and_missing_libreoffice(tmp_path, capsys, monkeypatch, seed_examples):
    import openpyxl

    from scoring.outputs import batch

    monkeypatch.setattr(batch, "soffice", lambda: None)
    out = tmp_path / "docs"
    assert main(["render", str(seed_examples), "-o", str(out), "--workers", "1", "--no-report",
                 "--combined", "--pdf"]) == 0
    assert "未找到 LibreOffice" in capsys.readouterr().err
    combined = docx.Document(out / "自评表汇编.docx")
    assert len(combined.tables) == 10  # two tables from each of the five documents
    tables = list(out.glob("*自评表.docx"))  # the cover and contents, then each table in its own section
    assert len(combined.sections) == 1 + len(tables)
    wb = openpyxl.load_workbook(out / "汇总表.xlsx")
    rows = list(wb["汇总表"].values)
    assert rows[0] == ("单位", "项目", "类型", "全年预算数（万元）", "全年执行数（万元）", "执行率", "总分", "等级")
    # totals are numbers now (issue 13: SUM and sorting work), no longer text
    assert sorted(r[6] for r in rows[1:]) == [92.4, 96.6, 98.89, 100, 100]
    assert list(wb["等级分布"].values)[1] == ("优", 5)
    assert len(wb["等级分布"]._charts) == 1
