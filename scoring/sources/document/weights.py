"""Weights of a table printed without a 分值 column.

Some published layouts leave the weights out: 安阳's 2022 部门整体支出绩效自评情况表
prints 得分 but no 分值 (seed 001). The audit still recomputes such a table, with
each row's weight taken, in this order, from:

1. the indicator template whose 三级指标 names the table uses (`--template`, or
   the shipped template of the table's kind that names most of its rows, when it
   names at least half of them): its fixed rows' weights;
2. the printed 得分 of a row that reaches its target or whose score is a
   judgement: such a row is taken at full score;
3. for the one row left in a group (an 一级 whose weight the template or the
   heading gives, 效益指标（35分）) or in the table (100 in all): what is left.

A row still without a weight is named as a problem; its table's total is not
computed, the other rows are still checked. How each weight was found is said
in the table's `assumed` text, so a reviewer knows what the audit took for granted.
"""

from __future__ import annotations

from decimal import Decimal
from functools import lru_cache

from pydantic import ValidationError

from scoring.core import model
from scoring.core.issues import ScoringError
from scoring.core.parse import parse_indicator
from scoring.core.score import score_indicator
from scoring.sources.templates import Node, Template, load_template, shipped_templates
from scoring.sources.workbook.grid import Grid
from scoring.sources.workbook.labels import INDICATOR_COLUMNS, TOTAL_ROWS, label

HUNDRED = Decimal(100)
WEIGHT_LABEL = "分值"


def lacks_weights(grid: Grid, header: int) -> int | None:
    """The 得分 column of a header row that has one and no 分值 column; None otherwise."""
    keys = {INDICATOR_COLUMNS.get(label(grid.value(header, c))): c for c in range(grid.width)}
    if "weight" in keys or "printed_score" not in keys:
        return None
    return keys["printed_score"]


def with_weight_column(grid: Grid, header: int, score_col: int) -> Grid:
    """The grid with a 分值 column added at its right, holding each row's printed 得分 for now."""
    width = grid.width
    rows = []
    merged = dict(grid.merged)
    for r, row in enumerate(grid.rows):
        row = list(row) + [None] * (width - len(row))
        if r == header:
            row.append(WEIGHT_LABEL)
        elif (r, score_col) in grid.merged:  # a heading across the table stays one
            row.append(None)
            merged[(r, width)] = grid.merged[(r, score_col)]
        elif r > header and not any(label(v) in TOTAL_ROWS for v in row):
            row.append(grid.value(r, score_col))
        else:
            row.append(None)
        rows.append(row)
    return Grid(grid.title, rows, set(grid.percent), merged, grid.formula)


def _leaves(nodes: tuple[Node, ...]) -> dict[str, Decimal]:
    found = {}
    for l1 in nodes:
        for l2 in l1.children:
            for l3 in l2.children:
                if l3.weight is not None:
                    found[l3.name] = l3.weight
    return found


@lru_cache(maxsize=1)
def _shipped() -> tuple[Template, ...]:
    """The shipped templates, loaded once per process."""
    return tuple(t for t in (load_template(p).template for p in shipped_templates()) if t is not None)


def _template(data: dict, named: str | None) -> Template | None:
    if named:
        loaded = load_template(named)
        if loaded.template is None:
            raise ScoringError(f"模板 {named} 有错误，无法使用；请先运行 jixiao templates check {named}")
        return loaded.template
    names = {row.get("level3") for row in data.get("indicators", [])}
    best, best_hits = None, 0
    for template in _shipped():
        if template.kind != data.get("kind"):
            continue
        hits = len(names & set(_leaves(template.indicators)))
        if hits > best_hits:
            best, best_hits = template, hits
    return best if best is not None and best_hits * 2 >= len(names) else None


def _full_score(row: dict, i: int, data: dict, settings: model.Settings, rounding: model.Rounding) -> bool:
    """Whether a row, weighed at its printed score, reaches its target (or is a judgement)."""
    try:
        ind = model.Indicator.model_validate(row)
    except ValidationError:
        return False
    result, _ = score_indicator(parse_indicator(ind, i), settings, rounding, data.get("year") or 2000)
    return result.status in ("met", "judged")


def _fraction(value: object) -> bool:
    try:
        return Decimal(str(value)) % 1 != 0
    except ArithmeticError:
        return False


def infer_weights(data: dict, template_name: str | None, headings: dict[tuple[str, str | None], Decimal],
                  blocks: list[tuple[Decimal, list[int]]] = ()
                  ) -> tuple[str, list[int], list[tuple[str, Decimal, list[int]]], dict[int, str]]:
    """Fill each row's `weight` (the grid gave it the printed 得分); returns how, in words, the
    rows left without one, the groups whose known weight the rows' inferred weights miss
    (name, weight, rows): a wrong score that cannot be told from a wrong weight, and how each
    row's weight was found (template, score, rest).

    Groups whose weight is known (an 一级 of the template or with its weight in its heading,
    a block under a heading such as 年度绩效目标1(40分)) give their one row left what is left;
    weights being whole numbers, a row at full score printed with a fraction (19.6) is that row
    when none is left otherwise."""
    rows = data.get("indicators", [])
    template = _template(data, template_name)
    fixed = _leaves(template.indicators) if template else {}
    groups = {n.name: n.weight for n in template.indicators if n.weight is not None} if template else {}
    groups.update({l1: w for (l1, l2), w in headings.items() if l2 is None})
    how = {}
    try:
        settings = model.Settings.model_validate(data.get("settings") or {})
        rounding = model.Rounding.model_validate(data.get("rounding") or {})
    except ValidationError:  # reported where the evaluation is validated; no row is then taken at full score
        settings = rounding = None
    for i, row in enumerate(rows):
        if row.get("level3") in fixed:
            row["weight"] = fixed[row["level3"]]
            how[i] = "template"
        elif row.get("weight") is not None and settings is not None and _full_score(row, i, data, settings, rounding):
            how[i] = "score"
    unknown = [i for i in range(len(rows)) if i not in how and not rows[i].get("breakdown")]
    weighed = [(name, [i for i, row in enumerate(rows) if row.get("level1") == name and not row.get("breakdown")],
                weight) for name, weight in groups.items()]
    weighed += [("", inside, weight) for weight, inside in blocks]
    for _, inside, weight in weighed:
        left = [i for i in inside if i in unknown]
        if not left:
            left = [i for i in inside if how.get(i) == "score" and _fraction(rows[i]["weight"])]
            if len(left) != 1 or sum((Decimal(str(rows[i]["weight"])) for i in inside), Decimal(0)) == weight:
                continue
        if len(left) == 1:
            rows[left[0]]["weight"] = weight - sum((Decimal(str(rows[i]["weight"])) for i in inside
                                                    if i not in left), Decimal(0))
            how[left[0]] = "rest"
            if left[0] in unknown:
                unknown.remove(left[0])
    if len(unknown) == 1:
        other = sum((Decimal(str(r["weight"])) for i, r in enumerate(rows)
                     if i != unknown[0] and not r.get("breakdown") and r.get("weight") is not None), Decimal(0))
        other += Decimal(str((data.get("funding") or {}).get("weight") or 0))
        other += sum((Decimal(str(r.get("weight") or 0)) for r in data.get("funds_management", [])), Decimal(0))
        rows[unknown[0]]["weight"] = HUNDRED - other
        how[unknown[0]] = "rest"
        unknown = []
    missed = [(name, weight, inside) for name, inside, weight in weighed
              if inside and not any(i in unknown for i in inside)
              and sum((Decimal(str(rows[i]["weight"])) for i in inside), Decimal(0)) != weight]
    words = ["表中未印分值"]
    if template is not None and "template" in how.values():
        words.append(f"固定指标的分值取自模板 {template.name}（{template.title}）")
    if "score" in how.values():
        words.append("达成目标或由评价人判定的行按满分推定（得分即分值）")
    if "rest" in how.values():
        words.append("余下一行的分值按一级指标、分块标题所印分值或总分 100 的余数推定")
    return "，".join(words), unknown, missed, how
