"""Rows without a weight in a group whose weight is known: each gets its share.

jixiao's fill-in workbook leaves room under each 二级 whose rows the unit writes
and records, in the sheet's hidden settings, the weight of the group those rows
share (the 二级, or the whole 一级 where the template weights no 二级; see
`scoring.outputs.workbook.groups`). A row there with a 三级指标 name and an empty
分值 takes an equal share of what the group's weight leaves after the rows with
a weight, split as `instantiate` splits (two decimals, adding up exactly), and
the sheet says so at the group's first row. Nothing is left to share: the rows
weigh 0, and a warning says what to do.
"""

from __future__ import annotations

from decimal import Decimal
from typing import NamedTuple

from scoring.core.model import PLACEHOLDER
from scoring.core.numbers import ZERO, D, plain
from scoring.sources.instantiate import split

_MOST = Decimal(1000)  # a group's weight beyond this is not one jixiao wrote (weights total 100)


class Group(NamedTuple):
    level1: str
    level2: str | None  # None: the whole 一级
    weight: Decimal

    def holds(self, row: dict) -> bool:
        return row.get("level1") == self.level1 and (self.level2 is None or row.get("level2", "") == self.level2)


class Note(NamedTuple):
    """What sharing says, at a row's 分值: (row index, message, hint, severity)."""

    row: int
    message: str
    hint: str
    severity: str


def group_name(level1: str, level2: str | None) -> str:
    """二级指标“数量指标”, or 一级指标“产出指标” for a whole 一级: how messages name a group."""
    return f"二级指标“{level2}”" if level2 is not None else f"一级指标“{level1}”"


def read_groups(value: object) -> list[Group] | None:
    """The groups of the hidden settings; None when they are damaged."""
    if not isinstance(value, list):
        return None
    groups = []
    for item in value:
        if not isinstance(item, dict) or not isinstance(item.get("level1"), str):
            return None
        level2 = item.get("level2")
        if level2 is not None and not isinstance(level2, str):
            return None
        try:
            weight = D(item.get("weight"))
        except ValueError:
            return None
        if not ZERO <= weight <= _MOST:
            return None
        groups.append(Group(item["level1"], level2, weight))
    return groups


def group_of(groups: list[Group], row: dict) -> Group | None:
    return next((g for g in groups if g.holds(row)), None)


def share(rows: list[dict], blank: list[int], groups: list[Group]) -> list[Note]:
    """Give the rows at `blank` (empty 分值, in a group) their shares, in place; what to say."""
    notes: list[Note] = []
    for group in groups:
        members = [i for i, row in enumerate(rows) if group.holds(row)]
        free = [i for i in members if i in blank]
        if not free:
            continue
        given = sum((rows[i]["weight"] for i in members if i not in free), ZERO)
        left = group.weight - given
        name = group_name(group.level1, group.level2)
        if left <= 0:
            for i in free:
                rows[i]["weight"] = ZERO
            names = "、".join(f"“{rows[i]['level3']}”" for i in free)
            used = (f"{name}下已填写的分值合计 {plain(given)} 超过其分值 {plain(group.weight)}" if left < 0
                    else f"{name}的分值 {plain(group.weight)} 已由填写了分值的三级指标分完")
            notes.append(Note(free[0], f"{used}，未填写分值的三级指标{names}按 0 分计",
                              "请填写这些指标的分值，或清空本组各行的分值，由 jixiao 平分", "warning"))
            continue
        parts = [_clean(p) for p in split(left, [Decimal(1)] * len(free))]
        for i, part in zip(free, parts):
            rows[i]["weight"] = part
        if all(rows[i]["level3"] == PLACEHOLDER for i in free):
            continue  # the unit has not written the rows yet: validation says so
        notes.append(Note(members[0], _told(name, group.weight, given, left, [rows[i]["level3"] for i in free], parts),
                          "", "info"))
    return notes


def _told(name: str, weight: Decimal, given: Decimal, left: Decimal, names: list[str], parts: list[Decimal]) -> str:
    whole = f"{name}的分值 {plain(weight)}" + (f" 扣除已填写的 {plain(given)}，余下 {plain(left)}" if given else "")
    if len(parts) == 1:
        return f"{whole} 给未填写分值的三级指标“{names[0]}”"
    return f"{whole} 由 {len(parts)} 个三级指标平分：{'、'.join(plain(p) for p in parts)}"


def _clean(value: Decimal) -> Decimal:
    """10.00 → 10, 12.50 → 12.5: weights as people write them."""
    return value.quantize(Decimal(1)) if value == value.to_integral_value() else value.normalize()
