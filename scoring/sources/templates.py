"""Indicator templates: a province's or a ministry's indicator system, written once.

A template (YAML, in indicator_templates/ or anywhere on disk) names the
一级/二级/三级 tree with default weights, targets and 指标说明, the scoring
rules, rounding and grade bands, and which cells a unit fills in. Every unit's
evaluation then starts from it (`instantiate`) instead of retyping the tree.

`check_template` reports every problem of a template at once, each with file,
line and column: weights not summing at each level, unknown rule names, formula
syntax errors, duplicate indicators, band tables with gaps or overlaps, unknown
keys with a "did you mean".
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal
from pathlib import Path
from typing import Literal

from pydantic import Field

from scoring.core.conventions import conventions
from scoring.core.formulas import FormulaError
from scoring.core.issues import Issue, ScoringError
from scoring.core.model import (
    BandsRule,
    DeductionRule,
    Model,
    NonNegative,
    Rounding,
    Rule,
    Settings,
    Text,
)
from scoring.core.numbers import HUNDRED, ZERO, plain
from scoring.core.rules import RuleError, band_condition, classify_rule, formula_of
from scoring.core.values import Quantity, ValueParseError, parse_value
from scoring.sources.loader import SourceMap, load_yaml, validate_leniently
from scoring.sources.resources import data_dir

FillIn = Literal[
    "initial_budget", "annual_budget", "executed", "sources", "funds_management",
    "goals", "tasks", "actual", "reason", "score",
]
DEFAULT_FILL_IN: tuple[FillIn, ...] = (
    "initial_budget", "annual_budget", "executed", "sources", "funds_management",
    "goals", "tasks", "actual", "reason", "score",
)
LEVELS = ("一级指标", "二级指标", "三级指标")


class Node(Model):
    """One node of the tree. Depth gives the level: 一级 → 二级 → 三级."""

    name: str = Field(min_length=1)
    weight: NonNegative | None = None
    description: str = ""  # 指标说明
    formula: str = ""  # the 指标说明's computation, for people: 预算执行率=全年执行数/全年预算数×100%
    target: Text | None = None  # default 年度指标值 (三级)
    rule: Rule | None = None
    children: tuple["Node", ...] = ()


class TemplateFunding(Model):
    label: str = "年度资金总额"
    weight: NonNegative = Decimal(10)


class TemplateFundsManagementRow(Model):
    name: str
    weight: NonNegative
    description: str = ""


class Template(Model):
    """An indicator system."""

    name: str = Field(min_length=1, pattern=r"^[A-Za-z0-9_\-\u4e00-\u9fff]+$")
    title: str = Field(min_length=1)
    kind: Literal["department", "project"]
    description: str = ""
    source: str = ""  # where the layout and its rules come from (a document number, a published table)
    rounding: Rounding = Rounding()
    settings: Settings = Settings()
    funding: TemplateFunding | None = TemplateFunding()
    funds_management: tuple[TemplateFundsManagementRow, ...] = ()
    fill_in: tuple[FillIn, ...] = DEFAULT_FILL_IN
    overridable: tuple[Literal["target", "weight", "rule", "description"], ...] = ("target", "weight")
    indicators: tuple[Node, ...] = Field(min_length=1)

    @property
    def weight_total(self) -> Decimal:
        total = sum((n.weight or ZERO for n in self.indicators), ZERO)
        total += sum((r.weight for r in self.funds_management), ZERO)
        return total + (self.funding.weight if self.funding else ZERO)


@dataclass(frozen=True, slots=True)
class LoadedTemplate:
    template: Template | None
    source: SourceMap
    issues: tuple[Issue, ...]

    @property
    def ok(self) -> bool:
        return self.template is not None and not any(i.severity == "error" for i in self.issues)


# ------------------------------------------------------------------ finding


def shipped_templates() -> list[Path]:
    return sorted(data_dir("indicator_templates").glob("*.yaml"))


def template_path(name_or_path: str | Path) -> Path:
    """A template file on disk, or a shipped template by name.

    Raises:
        ScoringError: neither exists; the message lists the shipped names.
    """
    path = Path(name_or_path)
    if path.suffix in (".yaml", ".yml") or path.exists():
        if not path.exists():
            raise ScoringError(f"找不到模板文件：{path}")
        return path
    for candidate in shipped_templates():
        if candidate.stem == str(name_or_path):
            return candidate
    names = "、".join(p.stem for p in shipped_templates())
    raise ScoringError(f"没有名为“{name_or_path}”的模板；内置模板：{names}；也可以给出模板文件的路径")


def load_template(name_or_path: str | Path) -> LoadedTemplate:
    """Load and check a template. Every problem is in `issues`.

    Raises:
        ScoringError: the file is missing or not YAML.
    """
    path = template_path(name_or_path)
    data, source, issues = load_yaml(path)
    if not isinstance(data, dict):
        return LoadedTemplate(None, source, (Issue(source.locate(""), "模板顶层应为键值表（name、title、kind、indicators …）",
                                                   "请参照 indicator_templates/ 中的模板"),))
    template, found, pruned = validate_leniently(Template, data, source)
    issues += found
    if template is None:
        return LoadedTemplate(None, source, tuple(issues))
    # Checks run on a copy without the values that failed; a sum or a count over
    # an ancestor of a removed value would only echo that failure.
    issues += [i for i in check_template(template, source)
               if not any(_covers(i.location.path, p) for p in pruned)]
    # a template with errors is still returned for `show`, but `ok` is False
    return LoadedTemplate(template if not found else None, source, tuple(issues))


def _covers(ancestor: str, path: str) -> bool:
    return path == ancestor or path.startswith(ancestor + ".") or path.startswith(ancestor + "[") or not ancestor


def require_template(name_or_path: str | Path) -> Template:
    """A template that passed its checks.

    Raises:
        ScoringError: the template has errors; the message lists them.
    """
    from scoring.core.issues import by_position, format_issue

    loaded = load_template(name_or_path)
    if not loaded.ok:
        problems = "\n".join(format_issue(i) for i in by_position(loaded.issues) if i.severity == "error")
        raise ScoringError(f"模板有错误，请先修正（jixiao templates check）：\n{problems}")
    return loaded.template


# ------------------------------------------------------------------- checks


def check_template(template: Template, source: SourceMap | None = None) -> list[Issue]:
    """Every problem of a valid-shaped template, located."""
    locate = (source or SourceMap("")).locate
    issues: list[Issue] = []
    total = template.weight_total
    if total != HUNDRED:
        issues.append(Issue(locate("indicators"), f"模板分值合计为 {plain(total)}，应为 100",
                            "预算执行、资金管理和各一级指标的分值之和应为 100"))
    for i, node in enumerate(template.indicators):
        if node.weight is None:
            issues.append(Issue(locate(f"indicators[{i}].name"), f"一级指标“{node.name}”没有分值",
                                "请为每个一级指标填写 weight"))
    issues += _check_siblings(template.indicators, "indicators", None, locate)
    for path, node, depth in _walk(template.indicators, "indicators"):
        if depth >= 2 and node.children:  # depth 0 is 一级, 2 is 三级
            issues.append(Issue(locate(f"{path}.children"), f"三级指标“{node.name}”下不能再有下级指标",
                                "指标树最多三级"))
        if node.children:
            issues += _check_siblings(node.children, f"{path}.children", node, locate)
        if node.target is not None:
            try:
                parse_value(node.target)
            except ValueParseError as exc:
                issues.append(Issue(locate(f"{path}.target"), f"{LEVELS[min(depth, 2)]}“{node.name}”的默认年度指标值{exc}",
                                    "请改写年度指标值"))
        if node.rule is not None:
            issues += _check_rule(node, path, locate)
    return issues


def _walk(nodes, path: str, depth: int = 0):
    for i, node in enumerate(nodes):
        here = f"{path}[{i}]"
        yield here, node, depth
        yield from _walk(node.children, f"{here}.children", depth + 1)


def _check_siblings(nodes, path: str, parent: Node | None, locate) -> list[Issue]:
    issues = []
    seen: dict[str, int] = {}
    for i, node in enumerate(nodes):
        if node.name in seen:
            issues.append(Issue(locate(f"{path}[{i}].name"), f"指标“{node.name}”在同一级重复出现（与第 {seen[node.name] + 1} 项相同）",
                                "请删除重复项，或改用不同的名称"))
        seen.setdefault(node.name, i)
    if parent is None or parent.weight is None:
        return issues
    weighted = [n for n in nodes if n.weight is not None]
    if weighted and len(weighted) != len(nodes):
        missing = "、".join(n.name for n in nodes if n.weight is None)
        issues.append(Issue(locate(path), f"“{parent.name}”的下级指标有的有分值、有的没有（{missing} 没有）",
                            "要么全部填写分值，要么全部留空（留空时按各单位的指标平均分配）"))
    elif weighted:
        total = sum((n.weight for n in nodes), ZERO)
        if total != parent.weight:
            issues.append(Issue(locate(path), f"“{parent.name}”的下级指标分值合计为 {plain(total)}，应为 {plain(parent.weight)}",
                                "请调整分值，使下级之和等于上级分值"))
    return issues


def _check_rule(node: Node, path: str, locate) -> list[Issue]:
    rule = node.rule
    where = locate(f"{path}.rule")
    try:
        if isinstance(rule, str):
            if classify_rule(rule) == "formula":
                formula_of(rule)
            return []
        if isinstance(rule, DeductionRule):
            return []
        return _check_bands(node, rule, path, locate)
    except (RuleError, FormulaError) as exc:
        from scoring.core.formulas import HELP

        return [Issue(where, f"指标“{node.name}”的评分规则：{exc}", HELP if isinstance(exc, FormulaError) else "")]


# ------------------------------------------------------------- band tables

INF = None  # an open end of an interval


@dataclass(frozen=True, slots=True)
class Interval:
    lo: Decimal | None
    lo_closed: bool
    hi: Decimal | None
    hi_closed: bool

    def contains(self, x: Decimal) -> bool:
        if self.lo is not None and (x < self.lo or (x == self.lo and not self.lo_closed)):
            return False
        if self.hi is not None and (x > self.hi or (x == self.hi and not self.hi_closed)):
            return False
        return True

    def __str__(self) -> str:
        lo = "-∞" if self.lo is None else plain(self.lo)
        hi = "+∞" if self.hi is None else plain(self.hi)
        return f"{'[' if self.lo_closed else '('}{lo}, {hi}{']' if self.hi_closed else ')'}"


def interval(condition: Quantity) -> Interval:
    n, op = condition.number, condition.op
    if op == ">=":
        return Interval(n, True, INF, False)
    if op == ">":
        return Interval(n, False, INF, False)
    if op == "<=":
        return Interval(INF, False, n, True)
    if op == "<":
        return Interval(INF, False, n, False)
    return Interval(n, True, n, True)


def _points(intervals: list[Interval]) -> list[Decimal]:
    return sorted({p for iv in intervals for p in (iv.lo, iv.hi) if p is not None})


def _probes(points: list[Decimal]) -> list[Decimal]:
    """Every endpoint and a value inside each stretch between them: enough to
    decide coverage and overlap of finitely many intervals."""
    if not points:
        return [ZERO]
    probes = [points[0] - 1, points[-1] + 1, *points]
    probes += [(a + b) / 2 for a, b in zip(points, points[1:])]
    return sorted(probes)


def uncovered(intervals: list[Interval]) -> list[Decimal]:
    """Sample values that no interval contains (empty: the bands cover everything)."""
    return [p for p in _probes(_points(intervals)) if not any(iv.contains(p) for iv in intervals)]


def _check_bands(node: Node, rule: BandsRule, path: str, locate) -> list[Issue]:
    issues = []
    intervals: list[Interval] = []
    for j, band in enumerate(rule.bands):
        where = locate(f"{path}.rule.bands[{j}]")
        try:
            condition = band_condition(band.when)
        except RuleError as exc:
            issues.append(Issue(where, f"指标“{node.name}”的{exc}", "条件写法如 =0、≤10%、>30%"))
            continue
        current = interval(condition)
        if node.weight is not None and band.score > node.weight:
            issues.append(Issue(where, f"指标“{node.name}”的评分档“{band.when}”得分 {plain(band.score)} 超过分值 {plain(node.weight)}",
                                "评分档的得分不能超过指标分值"))
        probes = [p for p in _probes(_points(intervals + [current])) if current.contains(p)]
        if intervals and probes and all(any(iv.contains(p) for iv in intervals) for p in probes):
            issues.append(Issue(where, f"指标“{node.name}”的评分档“{band.when}”永远不会用到：它的范围 {current} 已被前面的档覆盖",
                                "评分档按顺序取第一个满足条件的档；请调整顺序或删除该档"))
        else:
            for k, earlier in enumerate(intervals):
                shared = [p for p in probes if earlier.contains(p)]
                # earlier ⊂ current: cumulative thresholds (=0, ≤10%, ≤20% …) are fine
                both = _probes(_points([earlier, current]))
                nested = all(current.contains(p) for p in both if earlier.contains(p))
                if shared and not nested:
                    issues.append(Issue(where, f"指标“{node.name}”的评分档“{band.when}”与第 {k + 1} 档“{rule.bands[k].when}”范围重叠",
                                        "重叠部分按顺序取前一档；请把档位写成互不重叠的区间，或按从严到宽的阈值顺序排列"))
                    break
        intervals.append(current)
    if "otherwise" not in rule.model_fields_set:
        gaps = uncovered(intervals)
        if gaps:
            sample = "、".join(plain(g) for g in gaps[:3])
            issues.append(Issue(locate(f"{path}.rule"), f"指标“{node.name}”的评分档有空缺：例如实际值为 {sample} 时不属于任何档",
                                "请补齐评分档，或用 otherwise 写明其余情况的得分（如 otherwise: 0）"))
    return issues


# --------------------------------------------------------------- showing


def format_tree(template: Template) -> str:
    """The tree with weights, for `jixiao templates show`."""
    lines = [f"{template.title}（{template.name}，{'部门整体' if template.kind == 'department' else '项目'}）"]
    if template.description:
        lines.append(template.description)
    if template.source:
        lines.append(f"来源：{template.source}")
    lines.extend(f"规则：{text}" for text in conventions(template.settings, template.rounding))
    lines.append("")
    if template.funding is not None:
        lines.append(f"{template.funding.label}（预算执行率）  {plain(template.funding.weight)} 分")
    if template.funds_management:
        fm = sum((r.weight for r in template.funds_management), ZERO)
        lines.append(f"资金管理情况  {plain(fm)} 分")
        lines.extend(f"    {r.name}  {plain(r.weight)}" for r in template.funds_management)

    def show(nodes, depth):
        for node in nodes:
            weight = "（分值由单位指标平均分配）" if node.weight is None else f"{plain(node.weight)} 分"
            extra = f"  年度指标值：{node.target}" if node.target else ""
            if node.rule is not None:
                extra += "  [评分规则]"
            lines.append(f"{'    ' * depth}{node.name}  {weight}{extra}")
            if depth < 2 and not node.children:
                lines.append(f"{'    ' * (depth + 1)}（由单位填写{LEVELS[depth + 1]}）")
            show(node.children, depth + 1)

    show(template.indicators, 0)
    lines.append("")
    lines.append(f"分值合计 {plain(template.weight_total)}")
    return "\n".join(lines) + "\n"
