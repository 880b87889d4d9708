"""部门项目支出绩效自评总结报告: one department and all its projects, in one Word document.

Henan's 项目支出绩效评价办法 (豫财效〔2020〕10号) asks each department for a summary
of its projects' self-evaluations. Sections: coverage, the score distribution (a
table and a native Word chart, `outputs.chart`), projects below 90 and why,
execution below 90%, deviations both ways (shortfalls, and over-achievement at or
above the evaluation's warning threshold), problems and measures (the rows'
reasons, the funds-management problems, the units' `report.execution`), and the
汇总表 as an appendix. Every number comes from the scored evaluations; what only
the department knows (how many projects it has in all) is a 【请填写：…】
placeholder named in `missing`. The page and paragraph styles are the template's
(reports/部门项目支出绩效自评总结报告_tpl.docx, made by reports/make_reports.py).
"""

from __future__ import annotations

import io
from decimal import Decimal
from pathlib import Path

from scoring.core.model import Evaluation
from scoring.core.numbers import HUNDRED, fixed, plain, quantize
from scoring.core.results import EvaluationResult
from scoring.outputs.chart import add_bar_chart, bar_chart_xml
from scoring.outputs.files import safe_name, write_bytes_atomic
from scoring.outputs.narrative import SUB, over_achievements, project_name
from scoring.outputs.prose import (
    BLANK_DATE,
    clause,
    money,
    placeholder,
    points,
    quoted,
    rate,
    sentence,
    title_lines,
)

TEMPLATE = "部门项目支出绩效自评总结报告_tpl.docx"
KIND = "部门项目支出绩效自评总结报告"
LOW_SCORE = Decimal(90)
LOW_EXECUTION = Decimal(90)
Scored = tuple[Evaluation, EvaluationResult]


def report_name(unit: str, year: int) -> str:
    return f"{safe_name(unit)}_{year}_{KIND}.docx"


def by_department(rows: list[Scored]) -> dict[tuple[str, int], list[Scored]]:
    """The evaluations grouped by unit and year, in the order first met."""
    groups: dict[tuple[str, int], list[Scored]] = {}
    for ev, result in rows:
        groups.setdefault((ev.unit, ev.year), []).append((ev, result))
    return groups


def _name(ev: Evaluation) -> str:
    return project_name(ev) if ev.kind == "project" else "部门整体支出"


def _body(text: str) -> dict:
    return {"kind": "body", "text": text}


def _sub(k: int, text: str) -> dict:
    return {"kind": "sub", "text": f"{SUB[k]}{text}"}


def _percent(part: Decimal, whole: Decimal) -> str:
    return "—" if not whole else f"{fixed(quantize(part / whole * HUNDRED, 2))}%"


def _total(values) -> Decimal:
    return sum((v for v in values if v is not None), Decimal(0))


def distribution(projects: list[Scored]) -> list[tuple[str, str, int]]:
    """(grade, score range, number of projects) for each grade of the first project's settings."""
    grades = projects[0][0].settings.grades if projects else Evaluation.model_fields["settings"].default.grades
    out, upper = [], None
    for g in grades:
        low = plain(g.min)
        if upper is None:
            span = f"{low}分及以上"
        elif g.min == 0:
            span = f"{upper}分以下"
        else:
            span = f"{low}～{upper}分"
        out.append((g.grade, span, sum(1 for _, r in projects if r.grade == g.grade)))
        upper = low
    return out


def _coverage(dept: Scored | None, projects: list[Scored], year: int, missing: list[str]) -> list[dict]:
    out = []
    listed = dept[0].report.projects_listed if dept and dept[0].report else None
    n = len(projects)
    text = f"{year}年度，本部门对{n}个项目开展了项目支出绩效自评"
    if not n:
        out.append(_body("本次汇总未包含项目支出绩效自评表。"))
    elif listed and listed < n:  # more projects evaluated than listed: the count is wrong, say so
        out.append(_body(text + "。"))
        out.append({"kind": "todo", "text": placeholder(f"本年度项目支出总个数（已填 {listed} 个，少于已自评的 {n} 个，请核对）")})
        missing.append(f"本年度项目支出总个数：report.projects_listed 为 {listed}，少于已自评的 {n} 个项目")
    elif listed:
        text += f"，本年度项目支出共{listed}个，自评覆盖率{_percent(Decimal(n), Decimal(listed))}。"
        out.append(_body(text))
    else:
        out.append(_body(text + "。"))
        out.append({"kind": "todo", "text": placeholder("本年度项目支出总个数，用于计算自评覆盖率")})
        missing.append("本年度项目支出总个数（部门整体评价文件的 report.projects_listed）")
    budgets = [ev.funding.annual_budget for ev, _ in projects if ev.funding]
    spent = [ev.funding.executed for ev, _ in projects if ev.funding]
    if budgets:
        text = (f"自评项目全年预算数合计{money(_total(budgets))}，全年执行数合计{money(_total(spent))}，"
                f"总体执行率{_percent(_total(spent), _total(budgets))}")
        if dept and dept[0].funding and dept[0].funding.annual_budget:
            whole = dept[0].funding.annual_budget
            text += f"；自评项目全年预算数占部门全年预算数{money(whole)}的{_percent(_total(budgets), whole)}"
        out.append(_body(text + "。"))
    if dept:
        ev, result = dept
        out.append(_body(f"部门整体支出绩效自评得分{points(result.total)}，评价等级为“{result.grade}”。"))
    else:
        out.append(_body("本次汇总未包含部门整体支出绩效自评表。"))
    return out


def _scores(projects: list[Scored], dist: list[tuple[str, str, int]]) -> list[dict]:
    if not projects:
        return [_body("本次汇总未包含项目支出绩效自评表。")]
    ranked = sorted(projects, key=lambda p: p[1].total or Decimal(0), reverse=True)
    totals = [r.total for _, r in projects if r.total is not None]
    mean = quantize(_total(totals) / len(totals), 2) if totals else None
    text = (f"{len(projects)}个项目自评得分最高{points(ranked[0][1].total)}（{_name(ranked[0][0])}），"
            f"最低{points(ranked[-1][1].total)}（{_name(ranked[-1][0])}），平均{points(mean)}。")
    counts = "、".join(f"{grade}{count}个" for grade, _, count in dist)
    text += f"按评价等级分：{counts}（分数区间见表1，含下限）。"
    return [_body(text), {"kind": "distribution"}, {"kind": "chart"}]


def _shortfalls(ev: Evaluation, result: EvaluationResult) -> list[str]:
    out = []
    for row in result.indicators:
        if row.score is None or row.score >= row.weight:
            continue
        deviation = f"（偏差度{fixed(row.deviation)}%）" if row.deviation is not None else ""
        reason = clause(ev.indicators[row.index].reason)
        why = f"原因及改进措施：{sentence(reason)}" if reason else "自评表未填写原因分析及改进措施。"
        out.append(f"“{clause(row.level3)}”指标：年度指标值为{quoted(row.target)}，实际完成值为{quoted(row.actual)}"
                   f"{deviation}，得{points(row.score)}（分值{points(row.weight)}）。{why}")
    return out


def _low_scores(projects: list[Scored]) -> list[dict]:
    low = [(ev, r) for ev, r in projects if r.total is not None and r.total < LOW_SCORE]
    if not low:
        return [_body(f"无自评得分低于{plain(LOW_SCORE)}分的项目。")]
    out = []
    for ev, r in low:
        out.append(_body(f"{_name(ev)}自评得分{points(r.total)}，评价等级为“{r.grade}”。"))
        out += [_body(line) for line in _shortfalls(ev, r)]
        if r.funding and r.funding.score is not None and r.funding.score < r.funding.weight:
            out.append(_body(f"预算执行率{rate(r.funding.execution_rate)}，该项得{points(r.funding.score)}"
                             f"（分值{points(r.funding.weight)}）。"))
    return out


def _low_execution(projects: list[Scored]) -> list[dict]:
    low = [(ev, r) for ev, r in projects
           if r.funding and r.funding.execution_rate is not None and r.funding.execution_rate < LOW_EXECUTION]
    if not low:
        return [_body(f"各项目预算执行率均不低于{plain(LOW_EXECUTION)}%。")]
    out = []
    for ev, r in low:
        f = ev.funding
        text = (f"{_name(ev)}全年预算数{money(f.annual_budget)}，全年执行数{money(f.executed)}，"
                f"预算执行率{rate(r.funding.execution_rate)}。")
        why = clause(ev.report.execution) if ev.report else ""
        text += f"原因及改进措施：{sentence(why)}" if why else "评价文件未说明未执行的原因。"
        out.append(_body(text))
    return out


def _deviations(rows: list[Scored]) -> list[dict]:
    out = [_sub(0, "未达成年度指标值")]
    short = [(ev, line) for ev, r in rows for line in _shortfalls(ev, r)]
    out += [_body(f"{_name(ev)}{line}") for ev, line in short] or [_body("各项三级指标均得满分。")]
    out.append(_sub(1, "超额完成较多"))
    over = [(ev, row, pct) for ev, r in rows for row, pct in over_achievements(ev, r)]
    for ev, row, pct in over:
        reason = clause(ev.indicators[row.index].reason)
        why = f"原因分析：{sentence(reason)}" if reason else "自评表未说明超额完成的原因。"
        out.append(_body(f"{_name(ev)}“{clause(row.level3)}”指标：年度指标值为{quoted(row.target)}，实际完成值为"
                         f"{quoted(row.actual)}，超出年度指标值{fixed(pct)}%（达到提示线"
                         f"{plain(ev.settings.over_achievement_warning)}%）。{why}"))
    if not over:
        out.append(_body("没有超出年度指标值达到提示线的指标。"))
    return out


def _problems(rows: list[Scored]) -> list[dict]:
    items: list[str] = []

    def add(text: str) -> None:
        if text and text not in items:
            items.append(text)

    for ev, r in rows:
        for row in r.indicators:
            reason = clause(ev.indicators[row.index].reason)
            if reason and row.score is not None and row.score < row.weight:
                add(f"{_name(ev)}“{clause(row.level3)}”指标：{sentence(reason)}")
        for m in ev.funds_management:
            if clause(m.problems) not in ("", "无"):
                add(f"{_name(ev)}资金管理“{clause(m.name)}”：{sentence(m.problems)}")
        if ev.report and clause(ev.report.execution):
            add(f"{_name(ev)}预算执行：{sentence(ev.report.execution)}")
    if not items:
        return [_body("各评价文件未反映需要整改的问题。")]
    return [_body(f"{k}. {text}") for k, text in enumerate(items, 1)]


def summary_table(dept: Scored | None, projects: list[Scored]) -> list[list[str]]:
    """附件 汇总表 rows: 序号, 名称, 全年预算数, 全年执行数, 执行率, 自评得分, 等级 (as the 汇总表.xlsx)."""
    rows = []
    for k, (ev, r) in enumerate(([dept] if dept else []) + projects, 1):
        f, fr = ev.funding, r.funding
        rows.append([str(k), ev.project or "部门整体支出",
                     fixed(f.annual_budget) if f and f.annual_budget is not None else "—",
                     fixed(f.executed) if f and f.executed is not None else "—",
                     rate(fr.execution_rate) if fr else "—", plain(r.total), r.grade or ""])
    if projects:
        budgets = [ev.funding.annual_budget for ev, _ in projects if ev.funding]
        spent = [ev.funding.executed for ev, _ in projects if ev.funding]
        rows.append(["", "项目合计", fixed(_total(budgets)), fixed(_total(spent)),
                     _percent(_total(spent), _total(budgets)), "", ""])
    return rows


def summary_data(rows: list[Scored]) -> dict:
    """The report for one department (unit and year) as plain data; see docs/reports.md."""
    unit, year = rows[0][0].unit, rows[0][0].year
    dept = next(((ev, r) for ev, r in rows if ev.kind == "department"), None)
    projects = [(ev, r) for ev, r in rows if ev.kind == "project"]
    missing: list[str] = []
    dist = distribution(projects)
    ordered = ([dept] if dept else []) + projects
    sections = [
        ("一、自评覆盖情况", _coverage(dept, projects, year, missing)),
        ("二、自评得分分布", _scores(projects, dist)),
        (f"三、自评得分低于{plain(LOW_SCORE)}分的项目及原因", _low_scores(projects)),
        (f"四、预算执行率低于{plain(LOW_EXECUTION)}%的项目", _low_execution(projects)),
        ("五、绩效目标偏离情况", _deviations(ordered)),
        ("六、存在的问题和改进措施", _problems(ordered)),
    ]
    return {"unit": unit, "year": year, "title": title_lines(f"{unit}{year}年度", KIND),
            "sections": [{"heading": h, "paragraphs": p} for h, p in sections],
            "distribution": dist, "table": summary_table(dept, projects), "missing": missing}


# ------------------------------------------------------------------ Word


TABLE_HEAD = ["序号", "项目名称", "全年预算数\n（万元）", "全年执行数\n（万元）", "执行率", "得分", "等级"]
# cm, summing to the 15.6 cm text area. At 10.5 pt (五号) a CJK character is 0.37 cm, a digit
# 0.185 cm, and a cell's margins take 0.38 cm: “全年预算数” needs 2.23 cm,
# “序号”/“等级” 1.12, “98.89” 1.31 (“%” counted 1 em: LibreOffice's substitute fonts draw it
# wide, so “100.00%” needs 1.86), so no header and no number wraps; long project names do.
TABLE_WIDTHS = [1.2, 4.8, 2.4, 2.4, 2.1, 1.5, 1.2]
DIST_HEAD = ["等级", "分数区间（含下限）", "项目数（个）", "占比"]
DIST_WIDTHS = [2.6, 5.8, 3.6, 3.6]


def _table(doc, head: list[str], rows: list[list[str]], widths: list[float]):
    from docx.enum.table import WD_TABLE_ALIGNMENT
    from docx.oxml.ns import qn
    from docx.shared import Cm

    table = doc.add_table(rows=0, cols=len(head))
    table.style = "Table Grid"
    table.alignment = WD_TABLE_ALIGNMENT.CENTER
    table.autofit = False
    for col, width in zip(table._tbl.tblGrid.findall(qn("w:gridCol")), widths):
        col.set(qn("w:w"), str(int(Cm(width).twips)))
    for k, values in enumerate([head] + rows):
        cells = table.add_row().cells
        for cell, value, width in zip(cells, values, widths):
            cell.width = Cm(width)
            paragraph = cell.paragraphs[0]
            paragraph.style = doc.styles["报告表格"]
            run = paragraph.add_run(value)
            run.bold = k == 0
        tr_pr = table.rows[k]._tr.get_or_add_trPr()
        tr_pr.append(tr_pr.makeelement(qn("w:cantSplit"), {}))
        if k == 0:
            tr_pr.append(tr_pr.makeelement(qn("w:tblHeader"), {}))
    return table


def render_summary(data: dict, template: str | Path, date: str = "") -> bytes:
    """The .docx bytes of one summary report built on `template`'s page and styles."""
    import docx
    from docx.shared import Pt

    doc = docx.Document(str(template))
    for line in data["title"]:
        doc.add_paragraph(line, style="报告标题")
    doc.add_paragraph("", style="报告副标题")
    for section in data["sections"]:
        doc.add_paragraph(section["heading"], style="报告一级标题")
        for para in section["paragraphs"]:
            kind = para["kind"]
            if kind == "distribution":
                total = sum(c for _, _, c in data["distribution"])
                rows = [[g, span, str(c), _percent(Decimal(c), Decimal(total))] for g, span, c in data["distribution"]]
                doc.add_paragraph("表1　项目自评等级分布", style="报告图题")
                for row in _table(doc, DIST_HEAD, rows, DIST_WIDTHS).rows:  # the table stays with its chart
                    for cell in row.cells:
                        cell.paragraphs[0].paragraph_format.keep_with_next = True
            elif kind == "chart":
                chart = bar_chart_xml(None, [g for g, _, _ in data["distribution"]],
                                      [c for _, _, c in data["distribution"]], "项目数（个）")
                holder = doc.add_paragraph(style="报告图题")
                holder.paragraph_format.line_spacing = 1.0  # a fixed line height would clip the chart
                add_bar_chart(doc, holder, chart, 15.0, 7.5)
                doc.add_paragraph("图1　项目自评等级分布", style="报告图题")
            else:
                doc.add_paragraph(para["text"], style={"sub": "报告二级标题", "todo": "报告待填写"}.get(kind, "报告正文"))
    doc.add_paragraph("附件：汇总表", style="报告正文")
    signature = doc.add_paragraph(data["unit"], style="报告落款")
    signature.paragraph_format.space_before = Pt(28)
    doc.add_paragraph(date or BLANK_DATE, style="报告落款")
    doc.add_paragraph("附件", style="报告一级标题").paragraph_format.page_break_before = True
    doc.add_paragraph(f"{data['unit']}{data['year']}年度项目支出绩效自评汇总表", style="报告图题")
    _table(doc, TABLE_HEAD, data["table"], TABLE_WIDTHS)
    buffer = io.BytesIO()
    doc.save(buffer)
    return buffer.getvalue()


def write_summary_report(data: dict, out: str | Path, template: str | Path, date: str = "") -> Path:
    """Write one summary report atomically (temporary file, then rename)."""
    return write_bytes_atomic(out, render_summary(data, template, date))
