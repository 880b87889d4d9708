"""The narrative 绩效自评报告, written from the scored table in the official outline.

一、基本情况；二、绩效自评工作开展情况；三、综合评价结论；四、绩效目标实现情况分析；
五、偏离绩效目标的原因和改进措施；六、绩效自评结果拟应用和公开情况；七、其他需要说明的问题。

Every number in the text comes from the same result as the table, so the two
cannot disagree (seed 001's narrative says 94 where its own table says 92.4).
What only the unit knows (how the evaluation was organised, how the results will
be used and published, other matters, a shortfall's reason) comes from the
evaluation's `report` keys and rows; where it is missing the report carries a
placeholder 【请填写：…】 and `missing` names it, so the command can warn. Nothing
is invented. Typography (万元 to two decimals, full-width punctuation, closed
sentences) is `outputs.prose`'s.
"""

from __future__ import annotations

from decimal import Decimal

from scoring.core.model import Evaluation, ReportText
from scoring.core.numbers import HUNDRED, fixed, plain, quantize
from scoring.core.parse import parse_text
from scoring.core.results import EvaluationResult, IndicatorResult
from scoring.core.values import Quantity
from scoring.outputs.prose import (
    BLANK_DATE,
    clause,
    money,
    paragraphs,
    placeholder,
    points,
    quoted,
    rate,
    sentence,
    title_lines,
)

HEADINGS = ("一、基本情况", "二、绩效自评工作开展情况", "三、综合评价结论", "四、绩效目标实现情况分析",
            "五、偏离绩效目标的原因和改进措施", "六、绩效自评结果拟应用和公开情况", "七、其他需要说明的问题")
LISTED = 6  # a group whose rows all score full prints each row's values up to this many rows
SUB = "（一）（二）（三）（四）（五）（六）（七）（八）（九）（十）".replace("）", "）|").split("|")


def project_name(ev: Evaluation) -> str:
    """“慢性病专家鉴定费项目”; a name that already ends in 项目 is not doubled."""
    name = clause(ev.project)
    return name if name.endswith("项目") else f"{name}项目"


def _subject(ev: Evaluation) -> str:
    return project_name(ev) if ev.kind == "project" else f"{ev.unit}部门整体支出"


def result_sentence(ev: Evaluation, result: EvaluationResult) -> str:
    """The 绩效自评结果 paragraph used in 决算说明.

    >>> "北关区政府救助（第五重）项目自评得分为96.6分，全年预算数为65.52万元，执行数为65.52万元，执行率100.00%。评价等级为“优”。"
    """
    total = plain(result.total) if result.total is not None else "—"
    if ev.kind == "project":
        text = f"{project_name(ev)}自评得分为{total}分"
    else:
        text = f"{ev.unit}{ev.year}年度部门整体支出绩效自评得分为{total}分"
    f, fr = ev.funding, result.funding
    if f is not None and fr is not None:
        text += (f"，全年预算数为{money(f.annual_budget)}，执行数为{money(f.executed)}，"
                 f"执行率{rate(fr.execution_rate)}")
    return f"{text}。评价等级为“{result.grade}”。"


def over_achievements(ev: Evaluation, result: EvaluationResult) -> list[tuple[IndicatorResult, Decimal]]:
    """Rows met with an actual at least `over_achievement_warning` percent above the target,
    with that percentage (two decimals): the rule of `core.validate.check_over_achievement`."""
    limit = ev.settings.over_achievement_warning
    out = []
    for row in result.indicators:
        if row.status != "met" or row.rule not in ("positive_ratio", "equality"):
            continue
        t, a = parse_text(row.target), parse_text(row.actual)
        if isinstance(t, Quantity) and isinstance(a, Quantity) and t.number > 0:
            over = quantize((a.number - t.number) / t.number * HUNDRED, 2)
            if over > limit:
                out.append((row, over))
    return out


class _Report:
    """Collects paragraphs and the names of what the unit still has to write."""

    def __init__(self, ev: Evaluation, result: EvaluationResult):
        self.ev, self.result = ev, result
        self.text = ev.report or ReportText()
        self.sections: list[dict] = []
        self.missing: list[str] = []

    def section(self, heading: str) -> list[dict]:
        paragraphs: list[dict] = []
        self.sections.append({"heading": heading, "paragraphs": paragraphs})
        return paragraphs

    def ask(self, paragraphs: list[dict], what: str, key: str) -> None:
        """A placeholder paragraph for text only the unit can give."""
        paragraphs.append({"kind": "todo", "text": placeholder(what)})
        self.missing.append(f"{what}（{key}）")


def _body(text: str) -> dict:
    return {"kind": "body", "text": text}


def _sub(k: int, text: str) -> dict:
    return {"kind": "sub", "text": f"{SUB[k]}{text}"}


def _rows(result: EvaluationResult) -> list[IndicatorResult]:
    return [r for r in result.indicators if r.status != "breakdown"]


# ------------------------------------------------------------------ sections


def _basic(rep: _Report) -> None:
    ev, result = rep.ev, rep.result
    out = rep.section(HEADINGS[0])
    if ev.kind == "project":
        out.append(_sub(0, "项目概况"))
        sup, imp = ev.supervisor or ev.unit, ev.implementer or ev.unit
        who = f"由{sup}主管并实施" if sup == imp else f"由{sup}主管、{imp}实施"
        out.append(_body(f"{project_name(ev)}{who}。{sentence(rep.text.overview)}"))
    elif clause(rep.text.overview):
        out.append(_sub(0, "部门概况"))
        out.append(_body(sentence(rep.text.overview)))
    k = 1 if out else 0
    out.append(_sub(k, "资金情况"))
    f, fr = ev.funding, result.funding
    if f is not None and fr is not None:
        whose = "项目" if ev.kind == "project" else "部门"
        text = (f"{ev.year}年度{whose}年初预算数{money(f.initial_budget)}，全年预算数{money(f.annual_budget)}，"
                f"全年执行数{money(f.executed)}，预算执行率{rate(fr.execution_rate)}。")
        parts = ["，".join(f"{label}{money(amount)}" for label, amount in (
                     (f"{s.name}年初预算数", s.initial_budget), ("全年预算数", s.annual_budget),
                     ("全年执行数", s.executed)) if amount is not None)  # an amount not printed is not said
                 for s in f.sources if s.annual_budget or s.initial_budget]
        if parts:
            text += "其中：" + "；".join(parts) + "。"
        out.append(_body(text))
    else:
        out.append(_body("自评表未列资金情况。"))
    goals = [g for g in ev.goals if g.expected]
    if goals or ev.tasks:
        out.append(_sub(k + 1, "绩效目标"))
    label = "年度总体目标" if ev.kind == "project" else "年度履职目标"
    for g in goals:
        out.append(_body(f"{label}{('（' + clause(g.name) + '）') if len(goals) > 1 and g.name else ''}："
                         f"{sentence(g.expected)}"))
    for n, t in enumerate(ev.tasks, 1):
        content = f"，主要内容：{sentence(t.content)}" if clause(t.content) else "。"
        out.append(_body(f"年度主要任务{n}为{quoted(t.name)}{content}"))


def _organisation(rep: _Report) -> None:
    ev, result = rep.ev, rep.result
    out = rep.section(HEADINGS[1])
    if clause(rep.text.organisation):
        out.extend(_body(text) for text in paragraphs(rep.text.organisation))
    else:
        rep.ask(out, "绩效自评工作的组织开展情况，如自评的组织分工、依据、数据来源和方法", "report.organisation")
    parts = []
    if result.funding is not None:
        parts.append(f"预算执行率（分值{points(result.funding.weight)}）")
    if result.funds_management:
        weight = sum((m.weight for m in result.funds_management), Decimal(0))
        parts.append(f"资金管理情况{len(result.funds_management)}项（分值{points(weight)}）")
    rows = _rows(result)
    weight = sum((r.weight for r in rows), Decimal(0))
    parts.append(f"三级指标{len(rows)}项（分值合计{points(weight)}）")
    table = "项目支出绩效自评表" if ev.kind == "project" else "部门整体支出绩效自评表"
    out.append(_body(f"自评按{table}的指标体系逐项评分，设{'、'.join(parts)}，总分值{points(result.weight_total)}。"))


def _groups(result: EvaluationResult) -> dict[str, list[IndicatorResult]]:
    groups: dict[str, list[IndicatorResult]] = {}
    for row in _rows(result):
        groups.setdefault(row.level1, []).append(row)
    return groups


def _sum(rows, attr: str) -> Decimal:
    return sum((getattr(r, attr) for r in rows if getattr(r, attr) is not None), Decimal(0))


def _conclusion(rep: _Report) -> None:
    ev, result = rep.ev, rep.result
    out = rep.section(HEADINGS[2])
    text = f"经自评，{_subject(ev)}{ev.year}年度绩效自评得分{points(result.total)}，评价等级为“{result.grade}”。"
    parts = []
    if result.funding is not None:
        parts.append(f"预算执行率得分{points(result.funding.score)}（分值{points(result.funding.weight)}）")
    if result.funds_management:
        parts.append(f"资金管理情况得分{points(_sum(result.funds_management, 'score'))}"
                     f"（分值{points(_sum(result.funds_management, 'weight'))}）")
    for level1, rows in _groups(result).items():
        scored = [r for r in rows if r.score is not None]
        parts.append(f"{level1}得分{points(_sum(scored, 'score'))}（分值{points(_sum(scored, 'weight'))}）")
    text += "其中，" + "，".join(parts) + "。"
    rows = [r for r in _rows(result) if r.score is not None]
    missed = [r for r in rows if r.score < r.weight]
    unscored = len(_rows(result)) - len(rows)
    counted = f"{len(rows)}项{'计分的' if unscored else ''}三级指标"
    if missed:
        text += f"{counted}中，{len(rows) - len(missed)}项得满分，{len(missed)}项未得满分。"
    else:
        text += f"{counted}均得满分。" if len(rows) > 1 else f"{counted}得满分。"
    if unscored:
        text += f"另有{unscored}项不适用，未计分。"
    if getattr(result, "note", ""):
        text += sentence(result.note)
    out.append(_body(text))


def _row_clause(row: IndicatorResult) -> str:
    text = f"{clause(row.level3)}，年度指标值为{quoted(row.target)}，实际完成值为{quoted(row.actual)}"
    if row.score is None:
        return f"{text}，不适用，未计分"
    if row.score >= row.weight:
        return f"{text}，得满分{points(row.weight)}"
    if row.status == "judged":
        return f"{text}，评定得{points(row.score)}（分值{points(row.weight)}）"
    deviation = f"，偏差度{fixed(row.deviation)}%" if row.deviation is not None else ""
    return f"{text}{deviation}，得{points(row.score)}（分值{points(row.weight)}）"


def _achievement(rep: _Report) -> None:
    ev, result = rep.ev, rep.result
    out = rep.section(HEADINGS[3])
    k = 0
    goals = [g for g in ev.goals if g.expected]
    if goals or ev.tasks:
        out.append(_sub(k, "总体目标完成情况"))
        k += 1
        for g in goals:
            done = sentence(g.actual) if clause(g.actual) else "自评表未填写实际完成情况。"
            out.append(_body(f"{'年度总体目标' if ev.kind == 'project' else '年度履职目标'}实际完成情况：{done}"))
        for n, t in enumerate(ev.tasks, 1):
            done = sentence(t.result) if clause(t.result) else "自评表未填写完成情况。"
            out.append(_body(f"年度主要任务{n}{quoted(t.name)}完成情况：{done}"))
    for level1, rows in _groups(result).items():
        out.append(_sub(k, f"{clause(level1)}完成情况"))
        k += 1
        scored = [r for r in rows if r.score is not None]
        met = [r for r in scored if r.score >= r.weight]
        short = [r for r in scored if r.score < r.weight]
        other = [r for r in rows if r.score is None]
        head = f"{clause(level1)}分值{points(_sum(scored, 'weight'))}，得分{points(_sum(scored, 'score'))}"
        if not short and not other and len(met) > LISTED:  # a long group: names only
            text = f"{head}，{len(met)}项三级指标均得满分：{'、'.join(clause(r.level3) for r in met)}。"
        elif not short and not other:
            every = "均" if len(met) > 1 else ""
            text = f"{head}，{len(met)}项三级指标{every}得满分：" + "；".join(_row_clause(r) for r in met) + "。"
        else:
            text = f"{head}，共{len(rows)}项三级指标。"
            if len(met) > LISTED:
                text += f"得满分的{len(met)}项：" + "、".join(clause(r.level3) for r in met) + "。"
            elif met:
                text += f"得满分的{len(met)}项：" + "；".join(_row_clause(r) for r in met) + "。"
            if short:
                text += f"未得满分的{len(short)}项：" + "；".join(_row_clause(r) for r in short) + "。"
            if other:
                text += "；".join(_row_clause(r) for r in other) + "。"
        out.append(_body(text))


def _deviations(rep: _Report) -> None:
    ev, result = rep.ev, rep.result
    out = rep.section(HEADINGS[4])
    k = 0
    reasons = {i: ind.reason for i, ind in enumerate(ev.indicators)}
    short = [r for r in _rows(result) if r.score is not None and r.score < r.weight]
    if short:
        out.append(_sub(k, "未得满分的指标"))
        k += 1
        for row in short:
            deviation = f"（偏差度{fixed(row.deviation)}%）" if row.deviation is not None else ""
            out.append(_body(f"{clause(row.level3)}：年度指标值为{quoted(row.target)}，实际完成值为"
                             f"{quoted(row.actual)}{deviation}，得{points(row.score)}（分值{points(row.weight)}）。"))
            if clause(reasons.get(row.index)):
                out.append(_body(f"原因分析及改进措施：{sentence(reasons[row.index])}"))
            else:
                rep.ask(out, f"“{clause(row.level3)}”未达成的原因分析及改进措施",
                        f"indicators[{row.index}].reason")
    over = over_achievements(ev, result)
    if over:
        out.append(_sub(k, "超额完成较多的指标"))
        k += 1
        for row, percent in over:
            out.append(_body(f"{clause(row.level3)}：年度指标值为{quoted(row.target)}，实际完成值为"
                             f"{quoted(row.actual)}，超出年度指标值{fixed(percent)}%。"))
            if clause(reasons.get(row.index)):
                out.append(_body(f"原因分析：{sentence(reasons[row.index])}"))
            else:
                rep.ask(out, f"“{clause(row.level3)}”超额完成的原因，以及下一年度如何合理设定指标值",
                        f"indicators[{row.index}].reason")
    f, fr = ev.funding, result.funding
    if f is not None and fr is not None and fr.execution_rate is not None and fr.execution_rate < 100:
        out.append(_sub(k, "预算执行"))
        k += 1
        unspent = (f.annual_budget or Decimal(0)) - (f.executed or Decimal(0))
        out.append(_body(f"全年预算数{money(f.annual_budget)}，全年执行数{money(f.executed)}，"
                         f"预算执行率{rate(fr.execution_rate)}，{money(unspent)}未执行。"))
        if clause(rep.text.execution):
            out.append(_body(f"原因分析及改进措施：{sentence(rep.text.execution)}"))
        else:
            rep.ask(out, "预算未全部执行的原因和改进措施", "report.execution")
    problems = [m for m in ev.funds_management if clause(m.problems) not in ("", "无")]
    lost = [(m, mr) for m, mr in zip(ev.funds_management, result.funds_management)
            if mr.score is not None and mr.score < mr.weight and clause(m.problems) in ("", "无")]
    if problems or lost:
        out.append(_sub(k, "资金管理"))
        k += 1
        for m in problems:
            out.append(_body(f"{clause(m.name)}：{sentence(m.problems)}"))
        for m, mr in lost:
            out.append(_body(f"{clause(m.name)}得{points(mr.score)}（分值{points(mr.weight)}）。"))
            rep.ask(out, f"资金管理“{clause(m.name)}”存在的问题和改进措施", "funds_management.problems")
    if k == 0:
        out.append(_body("各项三级指标均得满分，预算全部执行，无偏离绩效目标的情况。"))


def _given(rep: _Report, heading: str, value: str, what: str, key: str) -> None:
    out = rep.section(heading)
    if clause(value):
        out.extend(_body(text) for text in paragraphs(value))
    else:
        rep.ask(out, what, key)


def narrative(ev: Evaluation, result: EvaluationResult) -> dict:
    """The report as plain data for the Word template (documented in docs/reports.md).

    Returns:
        ``title`` (lines), ``year``, ``sections`` (each a ``heading`` and ``paragraphs``,
        each paragraph a ``kind`` — ``sub``, ``body`` or ``todo`` — and its ``text``),
        ``missing`` (what the unit still has to write, with its key), ``subject`` and
        ``result`` (the 决算说明 sentence).
    """
    rep = _Report(ev, result)
    _basic(rep)
    _organisation(rep)
    _conclusion(rep)
    _achievement(rep)
    _deviations(rep)
    _given(rep, HEADINGS[5], rep.text.use_of_results, "绩效自评结果拟如何应用（如整改、预算安排）和公开的方式、时间",
           "report.use_of_results")
    _given(rep, HEADINGS[6], rep.text.other, "其他需要说明的问题；没有时填写“无”", "report.other")
    if ev.kind == "project":
        title = title_lines(project_name(ev), "绩效自评报告")
    else:
        title = title_lines(ev.unit, "部门整体支出绩效自评报告")
    return {"title": title, "year": f"（{ev.year}年度）", "sections": rep.sections, "missing": rep.missing,
            "blank_date": BLANK_DATE,
            "subject": _subject(ev), "result": result_sentence(ev, result)}


def gaps_warning(path, ev: Evaluation, missing: list[str]) -> str:
    """The command's warning for a report with placeholders, in Chinese."""
    name = f"{ev.unit} {ev.project}" if ev.project else ev.unit
    return (f"提示：{path}（{name}）的绩效自评报告有 {len(missing)} 处待填写（【请填写：…】）：{'；'.join(missing)}。"
            "请在评价文件的 report 下填写（见文档 reports.md），或在生成的报告中直接补写")
