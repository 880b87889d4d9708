"""One printed table against the engine: every number that disagrees, as a `Finding`.

The comparison itself is the engine's (`core/differences.py`: each printed
number against the computed one, with the likely cause read from the print);
here each difference gets its kind, its place in the file and the rule that
gives the computed number, and the checks only a printed table has are added:
the weights written in 一级 and 二级 headings (产出指标（50分）) against their rows, the
printed 等级, the cross-checks of 预算执行率 and 预算调整率 rows against the funds
block, and the rows whose score is the evaluator's judgement.

A printed number agrees, and gives no finding, when it is the computed one at
the precision it is printed with (a deviation printed as −5.6 for −5.56, a
rate printed as 100% for 99.996%): the table's precision is a style, not an error.
"""

from __future__ import annotations

import re
from decimal import Decimal

from scoring.audit.model import Finding
from scoring.core.differences import Difference, same_as_printed
from scoring.core.issues import Location
from scoring.core.model import Evaluation
from scoring.core.numbers import ZERO, plain
from scoring.core.parse import ParsedEvaluation
from scoring.core.results import EvaluationResult
from scoring.core.validate import check_funds_contradictions, printed_differences
from scoring.sources.document.tables import PrintedTable

_KIND_OF_PATH = (
    ("printed_score", "row_score"),
    ("printed_deviation", "deviation"),
)
_ROW = re.compile(r"^indicators\[(\d+)\]")
_COMPUTED = re.compile(r"计算为 (-?[\d.]+)%")


def _text(value: Decimal | None) -> str | None:
    return None if value is None else plain(value)


def _row_index(path: str) -> int | None:
    m = _ROW.match(path)
    return int(m[1]) if m else None


def _rule(d: Difference, result: EvaluationResult, i: int | None) -> str:
    if i is not None:
        row = result.indicators[i]
        if d.path.endswith("printed_deviation"):
            return f"偏差度 =（实际完成值 − 年度指标值）÷ 年度指标值；{row.reason}"
        return row.explanation
    if d.path == "funding.printed_rate":
        return "执行率 = 全年执行数 ÷ 全年预算数"
    if d.path == "funding.printed_score" and result.funding is not None:
        return result.funding.explanation
    if d.path in ("printed_weight_total", "indicators"):
        return "各行分值之和应为 100"
    if d.path == "printed_total":
        return "总分 = 预算执行得分 + 资金管理得分 + 各指标得分之和" + (f"；{result.note}" if result.note else "")
    return ""


def _kind(d: Difference) -> str:
    if d.cause == "judgement":
        return "judgement"
    for suffix, kind in _KIND_OF_PATH:
        if d.path.startswith("indicators[") and d.path.endswith(suffix):
            return kind
    return {"funding.printed_rate": "funds_rate", "funding.printed_score": "funds_score",
            "printed_weight_total": "weights", "indicators": "weights", "printed_total": "total"}.get(d.path, "total")


def _agrees(d: Difference) -> bool:
    """A difference that is only the print's own precision (deviations and rates), or another
    documented column convention."""
    if d.cause == "convention":
        return True
    if d.path.endswith("printed_deviation") and d.computed is not None:
        return same_as_printed(d.computed, d.printed)
    return False


def table_findings(table: PrintedTable, parsed: ParsedEvaluation, result: EvaluationResult) -> list[Finding]:
    """Every wrong or doubtful printed number of one table, in table order."""
    ev = parsed.evaluation
    found: list[Finding] = []
    broken = {_row_index(i.location.path) for i in result.issues if i.severity == "error"}
    for d in printed_differences(parsed, result):
        if _agrees(d) or (table.weights_note and d.path in ("indicators", "printed_weight_total")):
            continue  # a table without 分值 has no printed weights to sum: its groups are checked below
        i = _row_index(d.path)
        if i in broken or (broken and d.path in ("indicators", "printed_weight_total")):
            continue  # a row that could not be read (its problem is listed) compares with nothing
        kind, cause, why = _kind(d), d.cause, d.why
        if i is not None and d.path.endswith("printed_score") and d.printed > result.indicators[i].weight:
            weight = plain(result.indicators[i].weight)
            kind, cause, why = "row_score", "unknown", f"印刷得分 {plain(d.printed)} 超过该行分值 {weight}"
        if i is not None and table.inferred_rows.get(i) in ("rest", "score"):
            why += (f"（表中未印分值，该行分值 {plain(result.indicators[i].weight)} 系"
                    f"{'按余数推定' if table.inferred_rows[i] == 'rest' else '按满分推定'}，可能有误）")
        found.append(Finding(kind, table.cell_place(d.path), result.indicators[i].level3 if i is not None else None,
                             _text(d.printed), _text(d.computed), _rule(d, result, i), cause, why))
    found += _group_weights(table, ev, result)
    found += _grade(table, ev, result)
    found += _cross_checks(table, parsed, result)
    found += _not_applicable(table, ev, result)
    found += _judgements(table, ev, result, {f.level3 for f in found if f.kind == "judgement"})
    return sorted(_total_of_judgements(found), key=lambda f: _order(table, f))


def _total_of_judgements(found: list[Finding]) -> list[Finding]:
    """A total that is the sum of the printed rows and differs only because rows were judged
    below full is the judgements' consequence, not an arithmetic error: listed with them."""
    if any(f.kind in ("row_score", "funds_score", "weights") for f in found) or \
            not any(f.kind == "judgement" for f in found):
        return found
    return [f._replace(kind="judgement") if f.kind == "total" and f.cause == "follows_rows" else f for f in found]


def _order(table: PrintedTable, f: Finding) -> tuple:
    numbers = [int(n) for n in re.findall(r"\d+", f.where)]
    return tuple(numbers)


def _group_weights(table: PrintedTable, ev: Evaluation, result: EvaluationResult) -> list[Finding]:
    """一级 and 二级 headings that print their weight (产出指标（50分）) against their rows'."""
    found = []
    for (level1, level2), (weight, cell) in table.group_weights.items():
        rows = [r for r in result.indicators if r.level1 == level1 and (level2 is None or r.level2 == level2)
                and r.status != "breakdown"]
        total = sum((r.weight for r in rows), ZERO)
        name, what = (level2, "二级指标") if level2 else (level1, "一级指标")
        if rows and total != weight:
            found.append(Finding("weights", table.at(cell), None, plain(weight), plain(total),
                                 f"{what}“{name}”标注的分值应等于其下各三级指标分值之和", "sum_slip",
                                 f"“{name}”标注 {plain(weight)} 分，其下各行分值之和为 {plain(total)}"))
    for name, weight, cell, indices in table.inferred_misses:
        scores = sum((ev.indicators[i].printed_score or ZERO for i in indices), ZERO)
        found.append(Finding("weights", table.at(cell), None, plain(scores), plain(weight),
                             f"“{name}”共 {plain(weight)} 分；表中未印分值，其下各行按满分推定", "sum_slip",
                             f"“{name}”下各行均达成目标，印刷得分之和却为 {plain(scores)}，不等于其分值 {plain(weight)}："
                             "其中有一行得分印错，或分值与模板不同"))
    for name, weight, cell, indices in table.block_weights:
        total = sum((result.indicators[i].weight for i in indices if result.indicators[i].status != "breakdown"),
                    ZERO)
        if total != weight:
            found.append(Finding("weights", table.at(cell), None, plain(weight), plain(total),
                                 f"“{name}”所印分值应等于其下各三级指标分值之和", "sum_slip",
                                 f"“{name}”标注 {plain(weight)} 分，其下各行分值之和为 {plain(total)}"))
    return found


def _same_grade(printed: str, computed: str) -> bool:
    p, c = printed.strip(), computed.strip()
    return p == c or p.startswith(c) or c.startswith(p)


def _grade(table: PrintedTable, ev: Evaluation, result: EvaluationResult) -> list[Finding]:
    if table.grade is None or result.grade is None or _same_grade(table.grade[0], result.grade):
        return []
    printed, cell = table.grade
    bands = "，".join(f"{plain(g.min)} 分及以上为{g.grade}" if g.min else f"其余为{g.grade}" for g in ev.settings.grades)
    return [Finding("grade", table.at(cell), None, printed, result.grade, f"按总分对照等级标准（{bands}）",
                    None, f"计算总分 {_text(result.total)} 对应等级“{result.grade}”，表中印“{printed}”")]


def _cross_checks(table: PrintedTable, parsed: ParsedEvaluation, result: EvaluationResult) -> list[Finding]:
    found = []
    for issue in check_funds_contradictions(parsed, result, lambda path: Location("", path)):
        path = issue.location.path
        i = _row_index(path)
        row = result.indicators[i]
        m = _COMPUTED.search(issue.message)
        found.append(Finding("cross_check", table.cell_place(path), row.level3, row.actual,
                             f"{m[1]}%" if m else None, issue.message.split("：", 1)[-1],
                             "rate_slip", issue.message))
    return found


def _not_applicable(table: PrintedTable, ev: Evaluation, result: EvaluationResult) -> list[Finding]:
    """A row left out of the score (its actual — or 不适用) that prints a score all the same."""
    found = []
    for ind, row in zip(ev.indicators, result.indicators):
        if row.status == "not_applicable" and ind.printed_score:
            found.append(Finding("row_score", table.cell_place(f"indicators[{row.index}].printed_score"), row.level3,
                                 plain(ind.printed_score), None, "不适用的指标不计分，其分值按设置剔除或重新分配",
                                 "unknown", f"实际完成值“{row.actual}”表示不适用，该行却印得分 "
                                            f"{plain(ind.printed_score)}"))
    return found


def _judgements(table: PrintedTable, ev: Evaluation, result: EvaluationResult, seen: set) -> list[Finding]:
    """Rows whose score is the evaluator's judgement, scored below full: doubtful, not wrong."""
    found = []
    for row in result.indicators:
        if row.status != "judged" or row.score is None or row.score >= row.weight or row.level3 in seen:
            continue
        found.append(Finding("judgement", table.cell_place(f"indicators[{row.index}].printed_score"), row.level3,
                             plain(row.score), None, "定性指标或无法按公式计算的指标，由评价人判定得分", "judgement",
                             f"实际完成值“{row.actual}”对年度指标值“{row.target}”，评价人判定 {plain(row.score)} 分"
                             f"（满分 {plain(row.weight)}），请说明扣分理由"))
    return found

