"""Scored evaluations as terminal text and as the JSON contract of DOMAIN.md §4."""

from __future__ import annotations

import unicodedata
from decimal import Decimal

from scoring.core.issues import format_issue
from scoring.core.model import Evaluation
from scoring.core.numbers import fixed, plain
from scoring.core.results import EvaluationResult
from scoring.pipeline import Scored

# ------------------------------------------------------------------- JSON


def _num(value: Decimal | None) -> str | None:
    """Decimal strings: exact, with the precision the tables print."""
    return None if value is None else plain(value)


def to_json_data(scored: Scored) -> dict:
    """Exactly the contract: total, grade, funding, indicators, issues."""
    r: EvaluationResult | None = scored.result
    funding = None
    if r is not None and r.funding is not None:
        funding = {"execution_rate": None if r.funding.execution_rate is None else fixed(r.funding.execution_rate),
                   "score": _num(r.funding.score)}
    data = {
        "total": _num(r.total) if r else None,
        "grade": r.grade if r else None,
        "funding": funding,
        "indicators": [
            {
                "level1": row.level1,
                "level2": row.level2,
                "level3": row.level3,
                "weight": _num(row.weight),
                "score": _num(row.score),
                "deviation": None if row.deviation is None else fixed(row.deviation),
                **({"breakdown": True} if row.status == "breakdown" else {}),
            }
            for row in (r.indicators if r else ())
        ],
        "issues": [issue.to_dict() for issue in scored.issues],
    }
    if r is not None and r.note:
        data["total_note"] = r.note  # a rule applied to the total (the cap by execution rate)
    return data


def to_json(scored: Scored) -> str:
    import json  # only for --json: the terminal text needs none

    return json.dumps(to_json_data(scored), ensure_ascii=False, indent=2)


# ------------------------------------------------------------------- text


def width(text: str) -> int:
    """Display width in a terminal: CJK characters take two columns."""
    return sum(2 if unicodedata.east_asian_width(ch) in "WF" else 1 for ch in text)


def pad(text: str, size: int, right: bool = False) -> str:
    gap = " " * max(0, size - width(text))
    return gap + text if right else text + gap


def _clip(text: str, size: int) -> str:
    if width(text) <= size:
        return text
    out = ""
    for ch in text:
        if width(out + ch) > size - 1:
            return out + "…"
        out += ch
    return out


def _header(ev: Evaluation) -> str:
    kind = "项目支出绩效自评" if ev.kind == "project" else "部门整体支出绩效自评"
    return f"{ev.title}（{ev.year} 年度，{kind}）"


def format_text(scored: Scored) -> str:
    """A readable table, every deduction explained, then every issue."""
    lines: list[str] = []
    ev, r = scored.evaluation, scored.result
    if ev is not None and r is not None:
        lines.append(_header(ev))
        lines.append("")
        if r.funding is not None:
            f = r.funding
            lines.append(f"预算执行情况  分值 {plain(f.weight)}  得分 {plain(f.score) or '—'}")
            lines.append(f"    {f.explanation}")
        for row in r.funds_management:
            lines.append(f"资金管理情况  {row.name}  分值 {plain(row.weight)}  得分 {plain(row.score) or '—'}")
        lines.append("")
        cols = (("三级指标", 30), ("年度指标值", 16), ("实际完成值", 16), ("分值", 6), ("得分", 7), ("偏差度", 8))
        lines.append("  ".join(pad(name, w, i >= 3) for i, (name, w) in enumerate(cols)))
        group = None
        for row, ind in zip(r.indicators, ev.indicators):
            if (row.level1, row.level2) != group:
                group = (row.level1, row.level2)
                lines.append(f"【{row.level1}{' / ' + row.level2 if row.level2 else ''}】")
            cells = (
                _clip(row.level3, 30), _clip(row.target, 16), _clip(row.actual, 16),
                "" if row.status == "breakdown" else plain(row.weight),
                "—" if row.score is None else plain(row.score),
                "—" if row.deviation is None else fixed(row.deviation),
            )
            lines.append("  ".join(pad(c, w, i >= 3) for i, (c, (_, w)) in enumerate(zip(cells, cols))))
            lines.append(f"    {row.explanation}")
        lines.append("")
        if r.total is not None:
            lines.append(f"总分 {plain(r.total)}（分值合计 {plain(r.weight_total)}），等级：{r.grade}")
            if r.note:
                lines.append(f"    {r.note}")
        else:
            lines.append("总分：存在错误，无法得出总分（见下方错误）")
    errors = [i for i in scored.issues if i.severity == "error"]
    warnings = [i for i in scored.issues if i.severity != "error"]
    if scored.issues:
        lines.append("")
        lines.append(f"发现 {len(errors)} 个错误、{len(warnings)} 个警告：")
        lines.extend(format_issue(i) for i in errors + warnings)
    return "\n".join(lines) + "\n"
