"""Where a unit writes its own rows: open groups, their weights, room to write in, and hints.

A template leaves some 二级 open (no fixed 三级 under them): the unit writes their
rows. Such a 二级 gets empty rows after its own (open, yellow; the reader passes
over them while they are empty), so a unit with two 重点工作任务 writes the second
one below the first without unprotecting the sheet. A placeholder row's weight is
left blank, and the weight cells of the unit's rows are open: rows left without a
weight share their group's weight. The group is the node the template weights, as
`instantiate` shares it (docs/templates.md): the 二级 when the template weights
every 二级 of its 一级, the 一级 otherwise; its weight (the sum of the rows'
weights as laid out, the template's for a weighted 二级 without rows) goes
into the sheet's hidden settings, for the reader.

Without a template the writer can find (an evaluation file naming none), a group
holding a “（请填写三级指标）” row is open, and weighs what its rows weigh.

A funds-management row whose 情况说明 still holds the template's description is a
hint, not the unit's text: the sheet's hidden settings record it, so that a hint
left in place is reported and kept out of the official documents.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from decimal import Decimal
from functools import lru_cache

from scoring.core.issues import ScoringError
from scoring.core.model import PLACEHOLDER
from scoring.core.numbers import ZERO, plain
from scoring.outputs.workbook.cells import number_value, text_value
from scoring.sources.templates import Template, require_template, shipped_templates
from scoring.sources.workbook.layout import GROUPS_KEY, HINTS_KEY

# An open 二级 has at least this many rows, its own and empty ones; always one empty row.
OPEN_ROWS = 3

GroupKey = tuple[str, str | None]  # (一级, 二级 or None for the whole 一级)


@dataclass(frozen=True, slots=True)
class Row:
    """One row of the indicator table as laid out: the evaluation's row (or an empty
    one), what kind it is, and the group whose weight it may share."""

    data: dict
    kind: str  # "fixed" (the template's or an evaluation's own), "own", "placeholder", "empty"
    group: GroupKey | None = None


@dataclass(frozen=True, slots=True)
class Plan:
    """A sheet's indicator rows, the weights of its open groups, its hints."""

    rows: list[Row]
    weights: dict[GroupKey, Decimal] = field(default_factory=dict)
    hints: dict[str, str] = field(default_factory=dict)  # 资金管理情况 row name → hint

    def meta(self) -> dict:
        """What the hidden settings cell records of the plan."""
        meta: dict = {}
        if self.weights:
            meta[GROUPS_KEY] = [{"level1": l1, **({"level2": l2} if l2 is not None else {}), "weight": plain(w)}
                                for (l1, l2), w in self.weights.items()]
        if self.hints:
            meta[HINTS_KEY] = {"funds_management": dict(self.hints)}
        return meta


def plan_sheet(data: dict, template: Template | None, fill_in: frozenset[str]) -> Plan:
    """The indicator rows of one sheet with the room left for the unit's own rows: empty
    rows after each open 二级's rows, and under each open 二级 of the template that has
    none yet (an imported target table leaves some out), in the template's order."""
    template = template_of(data, template)
    indicators = data.get("indicators") or []
    opened = _open_groups(template) if template is not None else _placeholder_groups(indicators)
    absent = _absent(template, indicators, opened)
    whole = {g for g in opened.values() if g[1] is None}  # 一级 whose rows share its weight
    rows: list[Row] = []
    for i, ind in enumerate(indicators):
        key = _key(ind)
        waiting = absent.get(key[0], [])
        while waiting and waiting[0][0] < _rank(template, key):
            rows += _empty_rows(key[0], waiting.pop(0)[1], opened, OPEN_ROWS - 1)
        # a row without a 二级 (a target table gives none) in an 一级 that shares its weight is the unit's too
        group = opened.get(key) or ((key[0], None) if not key[1] and (key[0], None) in whole else None)
        kind = "fixed" if group is None else "placeholder" if ind.get("level3") == PLACEHOLDER else "own"
        rows.append(Row(ind, kind, group))
        after = _key(indicators[i + 1]) if i + 1 < len(indicators) else None
        if key in opened and after != key:
            run = 0
            while run < len(rows) and rows[-1 - run].kind != "empty" and _key(rows[-1 - run].data) == key:
                run += 1
            rows += _empty_rows(key[0], key[1], opened, max(1, OPEN_ROWS - run))
        if after is None or after[0] != key[0]:
            while waiting:
                rows += _empty_rows(key[0], waiting.pop(0)[1], opened, OPEN_ROWS - 1)
    weights = _weights(indicators, list(dict.fromkeys(opened.values())), template)  # in the table's order
    return Plan(rows, weights, _hints(data, template, fill_in))


def _key(ind: dict) -> tuple[str, str]:
    return ind.get("level1"), ind.get("level2") or ""


def _empty_rows(level1: str, level2: str, opened: dict, count: int) -> list[Row]:
    return [Row({"level1": level1, "level2": level2}, "empty", opened[(level1, level2)])] * count


def _rank(template: Template | None, key: tuple[str, str]) -> int:
    """A 二级's place among its 一级's children in the template; rows without a 二级 come
    first, as `instantiate` orders them (and empty rows above them would lend them theirs)."""
    l1 = next((n for n in template.indicators if n.name == key[0]), None) if template is not None else None
    names = [c.name for c in l1.children] if l1 is not None else []
    return names.index(key[1]) if key[1] in names else -1


def _absent(template: Template | None, indicators: list[dict],
            opened: dict[tuple[str, str], GroupKey]) -> dict[str, list[tuple[int, str]]]:
    """Per 一级 that has rows: its open 二级 that have none, as (rank, name) in order."""
    if template is None:
        return {}
    present = {_key(i) for i in indicators}
    level1s = {k[0] for k in present}
    absent: dict[str, list[tuple[int, str]]] = {}
    for l1 in template.indicators:
        if l1.name not in level1s:
            continue
        missing = [(k, c.name) for k, c in enumerate(l1.children)
                   if (l1.name, c.name) in opened and (l1.name, c.name) not in present]
        if missing:
            absent[l1.name] = missing
    return absent


@lru_cache(maxsize=16)
def _shipped(name: str) -> Template | None:
    if name not in {p.stem for p in shipped_templates()}:
        return None
    try:
        return require_template(name)
    except ScoringError:
        return None


def template_of(data: dict, template: Template | None) -> Template | None:
    """The template an evaluation was laid out from: the one given, or a shipped one by name."""
    name = data.get("template")
    if not isinstance(name, str) or not name:
        return None
    if template is not None and template.name == name:
        return template
    return _shipped(name)


def _open_groups(template: Template) -> dict[tuple[str, str], GroupKey]:
    """(一级, 二级) of each open 二级 → the group that shares its weight."""
    opened: dict[tuple[str, str], GroupKey] = {}
    for l1 in template.indicators:
        if not l1.children:
            opened[(l1.name, "")] = (l1.name, None)
            continue
        weighted = all(c.weight is not None for c in l1.children)
        for l2 in l1.children:
            if not l2.children:
                opened[(l1.name, l2.name)] = (l1.name, l2.name) if weighted else (l1.name, None)
    return opened


def _placeholder_groups(indicators: list[dict]) -> dict[tuple[str, str], GroupKey]:
    return {(i.get("level1"), i.get("level2") or ""): (i.get("level1"), i.get("level2") or None)
            for i in indicators if i.get("level3") == PLACEHOLDER}


def _weights(indicators: list[dict], groups: list[GroupKey], template: Template | None) -> dict[GroupKey, Decimal]:
    """Each open group's weight: what its rows weigh as laid out (none when one has no
    number); an open 二级 with no rows (an imported target table's) what the template gives it."""
    weights: dict[GroupKey, Decimal] = {}
    for key in groups:
        l1, l2 = key
        members = [number_value(i.get("weight")) for i in indicators
                   if i.get("level1") == l1 and (l2 is None or (i.get("level2") or "") == l2)]
        if members and all(isinstance(w, Decimal) for w in members):
            weights[key] = sum(members, ZERO)
        elif not members and template is not None and l2 is not None:
            node = next((c for n in template.indicators if n.name == l1 for c in n.children if c.name == l2), None)
            if node is not None and node.weight is not None:
                weights[key] = node.weight
    return weights


def _hints(data: dict, template: Template | None, fill_in: frozenset[str]) -> dict[str, str]:
    """资金管理情况 rows whose 情况说明 is still the template's description."""
    if template is None or "funds_management" not in fill_in:
        return {}
    described = {r.name: r.description for r in template.funds_management if r.description.strip()}
    return {row["name"]: described[row["name"]] for row in data.get("funds_management") or []
            if row.get("name") in described and text_value(row.get("description")) == described[row["name"]]}
