"""The narrative 绩效自评报告, written from the scored table.

Every number in the text comes from the same result as the table, so the two
cannot disagree (seed 001's narrative says 94 where its own table says 92.4).
"""

from __future__ import annotations

from decimal import Decimal

from scoring.core.model import Evaluation
from scoring.core.numbers import plain
from scoring.core.results import EvaluationResult


def _rate(value: Decimal | None) -> str:
    return "—" if value is None else f"{plain(value)}%"


def _money(value: Decimal | None) -> str:
    return "—" if value is None else f"{plain(value)}万元"


def result_sentence(ev: Evaluation, result: EvaluationResult) -> str:
    """The 绩效自评结果 paragraph used in 决算说明.

    >>> "项目自评得分为96.6分，全年预算数为65.52万元，执行数为65.52万元，执行率100%。"
    """
    total = plain(result.total) if result.total is not None else "—"
    if ev.kind == "project":
        text = f"{ev.project}项目自评得分为{total}分"
    else:
        text = f"{ev.unit}{ev.year}年度部门整体支出绩效自评得分为{total}分"
    f, fr = ev.funding, result.funding
    if f is not None and fr is not None:
        text += (f"，全年预算数为{_money(f.annual_budget)}，执行数为{_money(f.executed)}，"
                 f"执行率{_rate(fr.execution_rate)}")
    return f"{text}。评价等级为“{result.grade}”。"


def narrative(ev: Evaluation, result: EvaluationResult) -> dict:
    """Paragraphs of the report: basic, budget, goals (list), problems (list), result."""
    subject = f"{ev.project}项目" if ev.kind == "project" else f"{ev.unit}部门整体支出"
    basic = f"{ev.year}年度，{subject}"
    if ev.kind == "project":
        basic += f"由{ev.supervisor or ev.unit}主管、{ev.implementer or ev.unit}实施"
    goals = "；".join(g.expected.rstrip("。；") for g in ev.goals if g.expected)
    basic += f"，年度目标为：{goals}。" if goals else "。"

    f, fr = ev.funding, result.funding
    if f is not None and fr is not None:
        budget = (f"年初预算数{_money(f.initial_budget)}，全年预算数{_money(f.annual_budget)}，"
                  f"全年执行数{_money(f.executed)}，预算执行率{_rate(fr.execution_rate)}，"
                  f"该项得分{plain(fr.score)}分（分值{plain(fr.weight)}分）。")
        sources = [s for s in f.sources if s.annual_budget]
        if sources:
            budget += "其中：" + "；".join(
                f"{s.name}全年预算数{_money(s.annual_budget)}，执行数{_money(s.executed)}" for s in sources) + "。"
    else:
        budget = "本表未列资金情况。"

    lines = []
    groups: dict[str, list] = {}
    for row in result.indicators:
        groups.setdefault(row.level1, []).append(row)
    for level1, rows in groups.items():
        scored = [r for r in rows if r.score is not None]
        weight = sum((r.weight for r in scored), Decimal(0))
        score = sum((r.score for r in scored), Decimal(0))
        missed = [r for r in scored if r.score < r.weight]
        text = f"{level1}共{len(rows)}项，分值{plain(weight)}分，得分{plain(score)}分"
        if missed:
            details = "；".join(f"“{r.level3}”年度指标值{r.target}，实际完成{r.actual}，得{plain(r.score)}分"
                                for r in missed)
            text += f"，其中{len(missed)}项未完全达成：{details}。"
        else:
            text += "，均已达成年度指标值。"
        lines.append(text)
    if result.funds_management:
        fm_weight = sum((m.weight for m in result.funds_management), Decimal(0))
        fm_score = sum((m.score or Decimal(0) for m in result.funds_management), Decimal(0))
        lines.insert(0, f"资金管理情况分值{plain(fm_weight)}分，得分{plain(fm_score)}分。")

    problems = [f"“{ind.level3}”：{ind.reason.strip()}"
                for ind, row in zip(ev.indicators, result.indicators)
                if row.score is not None and row.score < row.weight and ind.reason.strip()]
    problems += [f"资金管理“{m.name}”：{m.problems}" for m in ev.funds_management
                 if m.problems and m.problems.strip() not in ("无", "")]
    if fr is not None and fr.execution_rate is not None and fr.execution_rate < 100:
        problems.append(f"预算执行率为{_rate(fr.execution_rate)}，未全部执行，应加强预算执行管理，提高预算编制的准确性。")
    if not problems:
        problems = ["各项绩效指标均已完成，下一步将继续加强预算绩效管理，提高资金使用效益。"]
    return {"subject": subject, "basic": basic, "budget": budget, "goals": lines, "problems": problems,
            "result": result_sentence(ev, result)}
