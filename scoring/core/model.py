"""Immutable input records: one evaluation (自评表) as in DOMAIN.md §4.

Every model is frozen and forbids unknown keys, so a typo in a key is an
error with its location instead of a silently ignored value. Numbers become
`Decimal` through `numbers.D` (never through a binary float); targets and
actuals stay text, exactly as typed; the parse stage (`core/parse.py`) reads them.
"""

from __future__ import annotations

from decimal import Decimal
from typing import Annotated, Literal

from pydantic import BaseModel, ConfigDict, Field, model_validator

# Numbers are validated by pydantic-core itself (it reads floats through their
# shortest repr, 0.1 → Decimal('0.1'), and strings exactly); targets and actuals
# typed as numbers keep their text (coerce_numbers_to_str). No Python-level
# validators on the hot path: the benchmark scores 10,000 evaluations.
Number = Decimal
NonNegative = Annotated[Decimal, Field(ge=0, allow_inf_nan=False)]
Positive = Annotated[Decimal, Field(gt=0, allow_inf_nan=False)]
Text = str

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
    initial_budget: NonNegative | None = None
    annual_budget: NonNegative | None = None
    executed: NonNegative | None = None


class Funding(Model):
    """资金情况 / 预算执行情况, amounts in 万元."""

    label: str = "年度资金总额"
    weight: NonNegative = Decimal(10)
    initial_budget: NonNegative | None = None  # 年初预算数
    # Empty in an evaluation created from a template, until the unit fills them in:
    annual_budget: NonNegative | None = None  # 全年预算数 (adjusted)
    executed: NonNegative | None = None  # 全年执行数
    sources: tuple[FundSource, ...] = ()
    printed_rate: Number | None = None  # 执行率 as printed, percent
    printed_score: Number | None = None


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
    weight: NonNegative
    score: NonNegative | None = None  # a judged score (qualitative rows, exceptions)
    rule: Rule | None = None  # a rule name, a formula, a band table or a deduction
    reason: str = ""  # 偏差原因分析及改进措施
    printed_score: Number | None = None
    printed_deviation: Number | None = None


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
    indicators: tuple[Indicator, ...] = Field(min_length=1)
    printed_total: Number | None = None
    # the score the unit's narrative (决算说明) states for this table, when it states one
    printed_narrative_total: Number | None = None

    @model_validator(mode="after")
    def _project_named(self) -> "Evaluation":
        if self.kind == "project" and not self.project:
            raise ValueError("项目支出自评（kind: project）必须填写项目名称 project")
        return self

    @property
    def title(self) -> str:
        return f"{self.unit} {self.project}" if self.project else self.unit
