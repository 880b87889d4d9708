"""Immutable input records: one evaluation (自评表) as in DOMAIN.md §4.

Every model is frozen and forbids unknown keys, so a typo in a key is an
error with its location instead of a silently ignored value. Numbers become
`Decimal` through `numbers.D` (never through a binary float); targets and
actuals stay text, exactly as typed; the parse stage (`core/parse.py`) reads them.
"""

from __future__ import annotations

from decimal import Decimal
from typing import Annotated, Literal

from pydantic import BaseModel, BeforeValidator, ConfigDict, Field, model_validator

from scoring.core.amounts import amount_before, funding_in_wan, printed_before

# Numbers are validated by pydantic-core itself (it reads floats through their
# shortest repr, 0.1 → Decimal('0.1'), and strings exactly); targets and actuals
# typed as numbers keep their text (coerce_numbers_to_str). No Python-level
# validators on the hot path: the benchmark scores 10,000 evaluations.
Number = Decimal
NonNegative = Annotated[Decimal, Field(ge=0, allow_inf_nan=False)]
Positive = Annotated[Decimal, Field(gt=0, allow_inf_nan=False)]
Text = str
# Amounts of the funds block, in 万元: a number, or text with a unit (150万, 1,500,000元).
Amount = Annotated[Decimal, BeforeValidator(amount_before), Field(ge=0, allow_inf_nan=False)]
# A number printed in a published table; as text also "100%", "-5.56%", "9分" (amounts.py).
Printed = Annotated[Decimal, BeforeValidator(printed_before)]

# The 三级指标 name a template leaves for the unit to fill in; validation refuses it.
PLACEHOLDER = "（请填写三级指标）"


class Model(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid", str_strip_whitespace=True,
                              coerce_numbers_to_str=True)


# ----------------------------------------------------------------- settings


class Rounding(Model):
    """How row scores are rounded before they are summed (DOMAIN §2)."""

    precision: int = Field(2, ge=0, le=2)
    mode: Literal["half_up", "floor"] = "half_up"
    # The funds row is sometimes rounded differently (seed 001 prints 9.985 as 10):
    funding_precision: int | None = Field(None, ge=0, le=2)


class QualitativeBands(Model):
    """Lower edges, in percent of the weight, of 达成 and 部分达成."""

    achieved: NonNegative = Decimal(80)
    partial: NonNegative = Decimal(60)

    @model_validator(mode="after")
    def _ordered(self) -> "QualitativeBands":
        if not (self.partial <= self.achieved <= 100):
            raise ValueError("应满足 部分达成下限 ≤ 达成下限 ≤ 100")
        return self


class GradeBand(Model):
    grade: str
    min: NonNegative


DEFAULT_GRADES = (
    GradeBand(grade="优", min=Decimal(90)),
    GradeBand(grade="良", min=Decimal(80)),
    GradeBand(grade="中", min=Decimal(60)),
    GradeBand(grade="差", min=Decimal(0)),
)


class ExecutionCap(Model):
    """Below `below` percent of execution the total is at most `max_total` (a platform manual's rule)."""

    below: Annotated[Decimal, Field(gt=0, le=100, allow_inf_nan=False)]
    max_total: NonNegative


class DeviationPenalty(Model):
    """指标偏离: a row whose actual is `threshold` percent or more above its target loses `points`."""

    threshold: Positive = Decimal(30)
    points: NonNegative = Decimal(2)


class Settings(Model):
    """Rule choices that differ between provinces; every one has a default."""

    # Missed reverse (≤) indicators: weight × target/actual, or the linear penalty.
    reverse_rule: Literal["reverse_ratio", "reverse_linear"] = "reverse_ratio"
    qualitative_bands: QualitativeBands = QualitativeBands()
    grades: tuple[GradeBand, ...] = DEFAULT_GRADES
    # Not-applicable rows: left out, or the remaining weights rescaled to 100.
    not_applicable: Literal["exclude", "rescale"] = "exclude"
    # Deviation (percent) above which over-achievement gets a warning.
    over_achievement_warning: NonNegative = Decimal(20)
    # Met rows print deviation 0.00 (seed 001) or their actual over-achievement.
    deviation_when_met: Literal["zero", "actual"] = "zero"
    # 执行率 against 全年预算数 (adjusted, the default) or 年初预算数 (tables without 全年预算数).
    funding_rate_base: Literal["annual", "initial"] = "annual"
    # A platform's cap of the total by the execution rate; none by default (docs/scoring.md).
    execution_caps: tuple["ExecutionCap", ...] = ()
    # Points off a row 30% or more above its target (指标偏离); by default only a warning.
    deviation_penalty: "DeviationPenalty | None" = None

    @model_validator(mode="after")
    def _grades_ordered(self) -> "Settings":
        mins = [g.min for g in self.grades]
        if not mins or mins != sorted(mins, reverse=True) or mins[-1] != 0:
            raise ValueError("等级 grades 应按下限从高到低排列，最后一档下限为 0")
        return self


# -------------------------------------------------------------------- rules


class Band(Model):
    """One row of a band table: the first band whose condition holds gives the score."""

    when: Text  # a condition in the value language: "=0", "≤10%", ">30%"
    score: NonNegative


class BandsRule(Model):
    """评分标准 band table, e.g. 预算调整率 =0 → 3, ≤10% → 2, ≤20% → 1, otherwise 0."""

    bands: tuple[Band, ...] = Field(min_length=1)
    otherwise: NonNegative = Decimal(0)


class DeductionRule(Model):
    """Each `per` units beyond the target deduct `deduct` points, down to 0 (扣完为止)."""

    deduct: NonNegative
    per: Positive = Decimal(1)
    whole_steps: bool = False  # True: every started step counts in full


Rule = str | BandsRule | DeductionRule


# ---------------------------------------------------------------- the table


class FundSource(Model):
    """A sub-row of the funds block (财政拨款, 单位资金, 其他资金 …)."""

    name: str
    initial_budget: Amount | None = None
    annual_budget: Amount | None = None
    executed: Amount | None = None


class Funding(Model):
    """资金情况 / 预算执行情况, amounts in 万元.

    Amounts may be written with a unit (150万, 259.45万元, 1,500,000元); with
    `unit: 元` the block's plain numbers are 元. Either way the record holds 万元,
    converted exactly, and its `unit` is 万元 (`amounts.funding_in_wan`).
    """

    label: str = "年度资金总额"
    weight: NonNegative = Decimal(10)
    # what the block's plain numbers are written in; always 万元 once read, so not dumped
    unit: Literal["万元", "元"] = Field("万元", exclude=True)
    initial_budget: Amount | None = None  # 年初预算数
    # Empty in an evaluation created from a template, until the unit fills them in:
    annual_budget: Amount | None = None  # 全年预算数 (adjusted)
    executed: Amount | None = None  # 全年执行数
    sources: tuple[FundSource, ...] = ()
    printed_rate: Printed | None = None  # 执行率 as printed, percent
    printed_score: Printed | None = None

    @model_validator(mode="before")
    @classmethod
    def _in_wan(cls, data: object) -> object:
        return funding_in_wan(data)


class FundsManagementRow(Model):
    """资金管理情况 (Henan projects): judged rows."""

    name: str
    description: str = ""  # 情况说明
    weight: NonNegative
    score: NonNegative | None = None
    problems: str = ""  # 存在问题和改进措施


class Goal(Model):
    """年度总体目标 / 年度履职目标: expected against achieved."""

    name: str = ""
    expected: str
    actual: str = ""


class Task(Model):
    """年度主要任务 (departments)."""

    name: str
    content: str = ""
    result: str = ""


class Indicator(Model):
    """One 三级指标 row."""

    level1: str = Field(min_length=1)
    level2: str = ""
    level3: str = Field(min_length=1)
    description: str = ""  # 指标说明
    target: Text | None = None
    actual: Text | None = None
    weight: NonNegative  # a 其中 (breakdown) row may omit it: 0
    score: NonNegative | None = None  # a judged score (qualitative rows, exceptions)
    rule: Rule | None = None  # a rule name, a formula, a band table or a deduction
    reason: str = ""  # 偏差原因分析及改进措施
    printed_score: Printed | None = None
    printed_deviation: Printed | None = None
    # A 其中 row: a part of the row above, shown with its target and actual, never scored.
    # It may omit its 分值 in an evaluation (`breakdown_weights`, applied by `Evaluation`); every other row needs one.
    breakdown: bool = False


ZERO_WEIGHT = Decimal(0)


def breakdown_weights(rows: object) -> object:
    """An evaluation's indicator rows with a weight of 0 for each 其中 row that prints none
    (shown blank, never scored). One pass over the rows of the evaluation rather than a
    validator on every `Indicator`: pydantic calls a model's Python validator once per row,
    about a sixth of a row's validation time in bench/score.py."""
    if not isinstance(rows, (list, tuple)) or not any(map(_weightless_breakdown, rows)):
        return rows
    return [{**row, "weight": ZERO_WEIGHT} if _weightless_breakdown(row) else row for row in rows]


def _weightless_breakdown(row: object) -> bool:
    return isinstance(row, dict) and row.get("breakdown") is True and row.get("weight") is None


class ReportText(Model):
    """What only the unit knows, for the 绩效自评报告 and the department's 总结报告 (docs/reports.md)."""

    overview: str = ""  # 基本情况 beyond the table: the unit's duties, the project's background
    organisation: str = ""  # 二、绩效自评工作开展情况
    execution: str = ""  # why the budget was not fully spent, and what will change (五、)
    use_of_results: str = ""  # 六、绩效自评结果拟应用和公开情况
    other: str = ""  # 七、其他需要说明的问题 (“无” when there is none)
    projects_listed: int | None = Field(None, ge=0)  # the unit's projects that year (总结报告's coverage)


class Evaluation(Model):
    """One department's or one project's self-evaluation: targets and actuals together."""

    kind: Literal["department", "project"]
    unit: str = Field(min_length=1)
    year: int = Field(ge=1990, le=2100)
    project: str | None = None
    project_code: str | None = None  # 项目编号
    supervisor: str | None = None  # 主管部门
    implementer: str | None = None  # 实施单位
    template: str | None = None
    rounding: Rounding = Rounding()
    settings: Settings = Settings()
    funding: Funding | None = None
    funds_management: tuple[FundsManagementRow, ...] = ()
    goals: tuple[Goal, ...] = ()
    tasks: tuple[Task, ...] = ()
    indicators: Annotated[tuple[Indicator, ...], BeforeValidator(breakdown_weights)] = Field(min_length=1)
    printed_total: Printed | None = None
    # the 分值 total a published table prints when it is not 100 (a transcription keeps its weights;
    # weights not summing to 100 are then a warning with its cause, not an error)
    printed_weight_total: Printed | None = None
    # the score the unit's narrative (决算说明) states for this table, when it states one
    printed_narrative_total: Printed | None = None
    printed_grade: str | None = None  # the 等级 a published table prints (优、良 …)
    report: ReportText | None = None  # the report's text only the unit knows

    @model_validator(mode="after")
    def _project_named(self) -> "Evaluation":
        if self.kind == "project" and not self.project:
            raise ValueError("项目支出自评（kind: project）必须填写项目名称 project")
        return self

    @property
    def title(self) -> str:
        return f"{self.unit} {self.project}" if self.project else self.unit
