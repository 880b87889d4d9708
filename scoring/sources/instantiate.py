"""From template to evaluation: one unit's (or one project's) table, awaiting actuals.

`instantiate` lays out the template's tree for a unit: its fixed 三级 rows with
their default targets and weights (overridden per unit where the template
allows), plus the unit's own rows (from a budget-stage target table, or typed),
placed under their 一级/二级. Actuals, executed amounts and judged scores stay
empty for the unit to fill in.

Weights (the documented rule, also in docs/templates.md):
1. A row keeps a weight it was given (template default, override or its own).
2. Within a node, the weight left after its weighted children is split equally
   among the children without a weight; where the template gives no 二级
   weights, the 一级 weight is split equally among all its 三级 rows.
3. A 一级 with no rows at all (a project without 成本指标) passes its weight to
   the other 一级 in proportion to their weights, and says so.
Every split is at two decimals and adds up exactly (largest remainder).
"""

from __future__ import annotations

from decimal import ROUND_FLOOR, Decimal

from scoring.core.issues import Issue, Location
from scoring.core.model import PLACEHOLDER
from scoring.core.numbers import ZERO, D, plain
from scoring.sources.templates import Node, Template

CENT = Decimal("0.01")


def split(total: Decimal, shares: list[Decimal]) -> list[Decimal]:
    """Split `total` in proportion to `shares`, at two decimals, adding up exactly.

    >>> split(Decimal(30), [Decimal(1)] * 7)
    [Decimal('4.29'), Decimal('4.29'), Decimal('4.29'), Decimal('4.29'), Decimal('4.28'), ...]
    """
    if not shares:
        return []
    whole = sum(shares, ZERO)
    if whole == 0:
        shares, whole = [Decimal(1)] * len(shares), Decimal(len(shares))
    exact = [total * s / whole for s in shares]
    parts = [e.quantize(CENT, ROUND_FLOOR) for e in exact]
    left = int(((total - sum(parts, ZERO)) / CENT).to_integral_value())
    order = sorted(range(len(exact)), key=lambda i: (-(exact[i] - parts[i]), i))
    for i in order[:left]:
        parts[i] += CENT
    return parts


def _clean(value: Decimal) -> Decimal:
    return value.normalize() if value == value.to_integral_value() else value


def instantiate(
    template: Template,
    *,
    unit: str,
    year: int,
    project: str | None = None,
    rows: list[dict] = (),
    overrides: dict[str, dict] | None = None,
    placeholders: bool = True,
    where: str = "",
) -> tuple[dict, list[Issue]]:
    """Lay out a template for one unit or project.

    Args:
        template: a checked template.
        unit, year, project: the header; `project` is required for project templates.
        rows: the unit's own 三级 rows: dicts with level1, level2 (may be empty),
            level3, target, and optionally weight and description.
        overrides: per fixed 三级 row (by name): new target, weight, rule or
            description where the template allows, or ``{"omit": True}``.
        placeholders: give each open 二级 that has no rows one row
            “（请填写三级指标）” for the unit to fill in (a new evaluation): every
            open 二级 of a 一级 with no rows, and an open 二级 with its own weight
            in any 一级; when False (an imported target table, which is what it
            is), a 一级 with no rows passes its weight on instead.
        where: a file name for the locations of problems.

    Returns:
        The evaluation as plain data (as an evaluation file holds it), with empty
        actuals, and the problems found.
    """
    issues: list[Issue] = []
    overrides = dict(overrides or {})

    def problem(path: str, message: str, hint: str = "", severity: str = "error") -> None:
        issues.append(Issue(Location(where, path), message, hint, severity))

    if template.kind == "project" and not project:
        problem("project", f"模板“{template.title}”是项目支出模板，需要项目名称", "请给出项目名称")

    placed = _placed(template, rows, overrides, placeholders, problem)
    indicators = _weighted(template, placed, problem)
    return _evaluation_data(template, unit, year, project, indicators), issues


def _placed(template: Template, rows, overrides: dict[str, dict], placeholders: bool,
            problem) -> dict[str, list[dict]]:
    """The tree: each 一级's rows, the template's fixed rows (overrides applied) and the
    unit's own rows, plus a placeholder row for each open 二级 left empty."""
    placed: dict[str, list[dict]] = {n.name: [] for n in template.indicators}
    for l1 in template.indicators:
        for l2 in l1.children:
            for l3 in l2.children:
                row = _fixed_row(template, l1, l2, l3, overrides.pop(l3.name, None), problem)
                if row is not None:
                    placed[l1.name].append(row)
    for i, row in enumerate(rows):
        l1 = next((n for n in template.indicators if n.name == row.get("level1")), None)
        if l1 is None:
            names = "、".join(n.name for n in template.indicators)
            problem(f"rows[{i}].level1", f"一级指标“{row.get('level1')}”不在模板“{template.title}”中",
                    f"模板的一级指标：{names}")
            continue
        level2 = row.get("level2") or ""
        if level2 and l1.children and level2 not in {c.name for c in l1.children}:
            names = "、".join(c.name for c in l1.children)
            problem(f"rows[{i}].level2", f"二级指标“{level2}”不在一级指标“{l1.name}”之下", f"可用的二级指标：{names}")
            continue
        weight = _weight(row.get("weight"), f"rows[{i}].weight", problem)
        placed[l1.name].append({
            "level1": l1.name, "level2": level2, "level3": row["level3"],
            "target": row.get("target"), "weight": weight,
            **({"description": row["description"]} if row.get("description") else {}),
        })
    for name in overrides:
        problem(f"overrides.{name}", f"要改写的三级指标“{name}”不在模板中", "请检查指标名称")
    if placeholders:
        for l1 in template.indicators:
            weighted_l2 = l1.children and all(c.weight is not None for c in l1.children)
            used = {r["level2"] for r in placed[l1.name]}
            for l2 in l1.children or (None,):
                # every open 二级 of an empty 一级; and an open 二级 with its own weight, which
                # would otherwise be lost (an 一级 that weights no 二级 shares among its rows)
                empty = not used or (weighted_l2 and l2.name not in used)
                if empty and (l2 is None or not l2.children):
                    placed[l1.name].append({"level1": l1.name, "level2": l2.name if l2 else "",
                                            "level3": PLACEHOLDER, "target": None, "weight": None})
    return placed


def _weighted(template: Template, placed: dict[str, list[dict]], problem) -> list[dict]:
    """Every row with its weight, 一级 by 一级 in the template's order."""
    l1_weights = _level1_weights(template, placed, problem)
    indicators: list[dict] = []
    for l1 in template.indicators:
        l1_rows = placed[l1.name]
        if not l1_rows:
            continue
        _assign(l1, l1_weights[l1.name], l1_rows, problem)
        order = {c.name: k for k, c in enumerate(l1.children)}
        l1_rows.sort(key=lambda r: order.get(r["level2"], -1))  # stable: keeps row order within a 二级
        indicators += l1_rows
    return indicators


def _evaluation_data(template: Template, unit: str, year: int, project: str | None,
                     indicators: list[dict]) -> dict:
    """The evaluation as plain data: header, settings, funds blocks, empty actuals."""
    data: dict = {"kind": template.kind, "unit": unit, "year": year}
    if project:
        data["project"] = project
    data["template"] = template.name
    data["rounding"] = template.rounding.model_dump(mode="json", exclude_defaults=True)
    data["settings"] = template.settings.model_dump(mode="json", exclude_defaults=True)
    if template.funding is not None:
        data["funding"] = {"label": template.funding.label, "weight": _clean(template.funding.weight),
                           "initial_budget": None, "annual_budget": None, "executed": None}
    if template.funds_management:
        data["funds_management"] = [
            {"name": r.name, "description": r.description, "weight": _clean(r.weight), "score": None}
            for r in template.funds_management
        ]
    data["indicators"] = [{**row, "weight": _clean(row["weight"]), "actual": None, "reason": ""}
                          for row in indicators]
    for key in ("rounding", "settings"):
        if not data[key]:
            del data[key]
    return data


def _fixed_row(template: Template, l1: Node, l2: Node, l3: Node, override: dict | None, problem) -> dict | None:
    row = {"level1": l1.name, "level2": l2.name, "level3": l3.name, "target": l3.target,
           "weight": l3.weight}
    if l3.description:
        row["description"] = l3.description
    if l3.rule is not None:
        rule = l3.rule
        row["rule"] = rule if isinstance(rule, str) else rule.model_dump(mode="json", exclude_defaults=True)
    row["fixed"] = True
    if override:
        if override.get("omit"):
            return None
        for key, value in override.items():
            if key not in template.overridable:
                allowed = "、".join(template.overridable) or "（无）"
                problem(f"overrides.{l3.name}.{key}", f"模板“{template.title}”不允许改写三级指标“{l3.name}”的 {key}",
                        f"可以改写的项：{allowed}")
                continue
            row[key] = _weight(value, f"overrides.{l3.name}.weight", problem) if key == "weight" else value
    return row


def _weight(value, path: str, problem) -> Decimal | None:
    """A weight given by the caller (number or text) as a Decimal."""
    if value is None or value == "":
        return None
    try:
        weight = D(value)
    except ValueError:
        problem(path, f"分值“{value}”不是数字", "请填写数字，如 5 或 2.5")
        return None
    if weight < 0:
        problem(path, f"分值 {plain(weight)} 为负数", "分值应不小于 0")
        return None
    return weight


def _level1_weights(template: Template, placed: dict[str, list[dict]], problem) -> dict[str, Decimal]:
    weights = {n.name: n.weight or ZERO for n in template.indicators}
    empty = [n for n in template.indicators if not placed[n.name] and weights[n.name] > 0]
    if not empty:
        return weights
    others = [n for n in template.indicators if placed[n.name]]
    spare = sum((weights[n.name] for n in empty), ZERO)
    if not others:
        problem("indicators", "没有任何三级指标", "请填写三级指标")
        return weights
    extra = split(spare, [weights[n.name] for n in others])
    for node, add in zip(others, extra):
        weights[node.name] += add
    for node in empty:
        weights[node.name] = ZERO
        problem("indicators", f"一级指标“{node.name}”没有三级指标，其分值 {plain(node.weight)} 按比例分给其他一级指标",
                "如需保留该一级指标，请补充三级指标", "warning")
    return weights


def _assign(l1: Node, weight: Decimal, rows: list[dict], problem) -> None:
    """Give every row of one 一级 a weight, by the rule in the module docstring."""
    weighted_l2 = l1.children and all(c.weight is not None for c in l1.children)
    if weighted_l2:
        shares = [c.weight for c in l1.children]
        if weight != l1.weight:  # it received an empty 一级's weight: scale the 二级
            shares = split(weight, shares)
        for l2, share in zip(l1.children, shares):
            _share(l2.name, share, [r for r in rows if r["level2"] == l2.name], problem)
        loose = [r for r in rows if r["level2"] not in {c.name for c in l1.children}]
        if loose:
            problem("indicators", f"一级指标“{l1.name}”的二级指标有固定分值，有 {len(loose)} 行没有填写二级指标",
                    "请为这些行填写二级指标")
    else:
        _share(l1.name, weight, rows, problem)


def _share(name: str, weight: Decimal, rows: list[dict], problem) -> None:
    given = sum((r["weight"] for r in rows if r["weight"] is not None), ZERO)
    free = [r for r in rows if r["weight"] is None]
    left = weight - given
    if free:
        if left < 0:
            problem("indicators", f"“{name}”下已填写的分值合计 {plain(given)} 超过其分值 {plain(weight)}",
                    "请调整分值")
            left = ZERO
        for row, part in zip(free, split(left, [Decimal(1)] * len(free))):
            row["weight"] = part
    elif rows and left != 0:
        problem("indicators", f"“{name}”下各行分值合计 {plain(given)}，与其分值 {plain(weight)} 不等",
                "请调整各行分值", "warning")
    for row in rows:
        row.pop("fixed", None)
