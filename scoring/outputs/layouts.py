"""Table layouts as the publications print them, each named after the table that shows it.

A layout decides, for the department table and the project table, what the
Word template draws (title, columns, headers, labels: `reports/make_templates.py`
builds one template per style) and how `render.to_context` writes the numbers
(rates, funds scores, totals, empty source rows). Pick one with
`jixiao render --layout NAME`; without it the Henan layout is used, the central
(财预〔2020〕10号) project table for evaluations made from `central_project`, and
the Henan department table with a 指标说明 column when the rows carry one.

Built in (docs/render.md lists them in Chinese):

- ``henan``: the Henan tables (河南省部门整体 / 项目支出绩效自评表): 分值 and 偏差度
  columns, rates ``99.85%``, scores without trailing zeros.
- ``central``: the central project table (财预〔2020〕10号 附件), no 资金管理情况 block
  and no 偏差度 column; departments as ``henan``.
- ``anyang_2022``: 安阳市北关区医疗保障局 2022 (seed 001): “…自评情况表”, the
  department table without 分值 column, “资金来源：（1）财政拨款”, rates ``99.85 %``
  (four significant digits: ``100.0 %``), an empty source ``0.00%``, funds score ``10``
  (department) and ``10.00`` (projects).
- ``jiaozuo_2021``: 焦作市中站区医疗保障局 2021 (seed 000): “部门整体绩效自评表”, a
  指标说明 column, no 偏差度 column, “未完成原因分析及改进措施”, rates ``100.00 %``,
  funds score and total ``10.0``; its projects as ``henan`` (seed 000 prints none).
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from decimal import Decimal

from scoring.core.numbers import fixed, plain, quantize


@dataclass(frozen=True)
class TableStyle:
    """One kind of table (department or project) in one layout."""

    template: str  # the file in reports/
    title: str
    subtitle: str = "（{{ year }} 年度）"
    unit_label: str = "部门（单位）名称"  # departments; projects print 项目名称
    block_label: str = "部门整体支出情况（万元）"
    funds_heads: tuple[str, ...] = ("年初预算数", "全年预算数", "全年执行数", "分值", "执行率", "得分")
    source_group: str = ""  # a label merged over the source rows, the names beside it (seed 000)
    goal_label: str = "年度履职目标"
    task_heads: tuple[str, ...] = ("任务名称", "主要内容", "完成情况")
    funds_management: bool = False
    weight_column: bool = True  # 分值
    deviation_column: bool = True  # 偏差度
    description_column: bool = False  # 指标说明
    target_head: str = "年度指标值"
    deviation_head: str = "偏差度（%）"
    reason_head: str = "偏差原因分析及改进措施"
    grade_row: bool = True  # 等级 under 总分 (seeds 000 and 001 print none)
    # numbers, as `render.to_context` writes them
    rate: str = "percent"  # percent: 99.85%; percent_space: 99.85 %; four_digits: 99.85 % / 100.0 %
    empty_rate: str = "—"  # a source row without budget
    source_mark: str = "—"  # the 分值 and 得分 cells of a source row
    funds_score: int | None = None  # decimals; None: trailing zeros dropped
    total: int | None = None
    funding_label: str = "{label}"
    first_source: str = "{name}"  # the first source row's label
    other_source: str = "{name}"

    def columns(self) -> list[str]:
        """The indicator table's headers, in order."""
        heads = ["一级指标", "二级指标", "三级指标", self.target_head]
        heads += ["指标说明"] if self.description_column else []
        heads += ["实际完成值"] + (["分值"] if self.weight_column else []) + ["得分"]
        heads += [self.deviation_head] if self.deviation_column else []
        return heads + [self.reason_head]

    # ------------------------------------------------------------ numbers

    def rate_text(self, value: Decimal | None, empty: bool = False) -> str:
        if value is None:
            return self.empty_rate if empty else "—"
        if self.rate == "four_digits":  # 4 significant digits: 99.85 %, 100.0 %, 5.000 %
            places = max(0, min(2, 4 - len(str(int(abs(quantize(value, 2)))))))
            return f"{fixed(value, places) if places else plain(quantize(value, 0))} %"
        return f"{fixed(value)}{' %' if self.rate == 'percent_space' else '%'}"

    def funds_score_text(self, value: Decimal) -> str:
        return plain(value) if self.funds_score is None else fixed(value, self.funds_score)

    def total_text(self, value: Decimal | None) -> str:
        if value is None:
            return ""
        return plain(value) if self.total is None else fixed(value, self.total)

    def source_label(self, k: int, name: str) -> str:
        return (self.first_source if k == 0 else self.other_source).format(n=k + 1, name=name)


@dataclass(frozen=True)
class Layout:
    name: str
    description: str  # Chinese, for the command's help and docs
    department: TableStyle
    project: TableStyle
    described_department: TableStyle | None = None  # used when rows carry a 指标说明
    central_project: TableStyle | None = None  # used for evaluations from central_project
    follows: str = ""  # the published table it follows


HENAN_DEPARTMENT = TableStyle(template="部门整体支出绩效自评表_tpl.docx", title="部门整体支出绩效自评表")
HENAN_DESCRIBED = replace(HENAN_DEPARTMENT, template="部门整体支出绩效自评表_指标说明_tpl.docx",
                          description_column=True)
HENAN_PROJECT = TableStyle(template="项目支出绩效自评表_tpl.docx", title="项目支出绩效自评表",
                           unit_label="项目名称", block_label="项目资金（万元）", goal_label="年度总体目标",
                           funds_management=True)
CENTRAL_PROJECT = replace(HENAN_PROJECT, template="项目支出绩效自评表_中央_tpl.docx", funds_management=False,
                          deviation_column=False)

ANYANG_DEPARTMENT = replace(
    HENAN_DEPARTMENT, template="部门整体支出绩效自评表_anyang_2022_tpl.docx", title="部门整体支出绩效自评情况表",
    task_heads=("任务名称", "主要内容", "实际完成情况"), weight_column=False, deviation_head="偏差度",
    rate="four_digits", empty_rate="0.00%", source_mark="-", grade_row=False,
    first_source="资金来源：（{n}）{name}", other_source="（{n}）{name}")
ANYANG_PROJECT = replace(
    HENAN_PROJECT, template="项目支出绩效自评表_anyang_2022_tpl.docx", title="项目支出绩效自评情况表",
    subtitle="{{ year }}年度", deviation_head="偏差度", rate="four_digits", empty_rate="0.00%", source_mark="-",
    funds_score=2, funding_label="{label}：", grade_row=False)
JIAOZUO_DEPARTMENT = replace(
    HENAN_DEPARTMENT, template="部门整体支出绩效自评表_jiaozuo_2021_tpl.docx", title="部门整体绩效自评表",
    subtitle="（ {{ year }} 年度）", unit_label="部门名称", block_label="预算执行情况",
    funds_heads=("年初数", "全年数", "全年执行数", "分值", "预算执行率", "得分"), source_group="资金来源",
    task_heads=("任务名称", "主要内容", "任务完成情况"), deviation_column=False, description_column=True,
    target_head="指标值", reason_head="未完成原因分析及改进措施", rate="percent_space", empty_rate="0%",
    source_mark="", funds_score=1, total=1, grade_row=False)

LAYOUTS = {
    "henan": Layout("henan", "河南省格式（默认）：含分值、偏差度列，执行率 99.85%", HENAN_DEPARTMENT, HENAN_PROJECT,
                    described_department=HENAN_DESCRIBED, central_project=CENTRAL_PROJECT,
                    follows="河南省部门整体、项目支出绩效自评表"),
    "central": Layout("central", "中央格式：项目表无资金管理情况、无偏差度列（财预〔2020〕10号）；部门表同河南格式",
                      HENAN_DEPARTMENT, CENTRAL_PROJECT, described_department=HENAN_DESCRIBED,
                      follows="财预〔2020〕10号 附件 项目支出绩效自评表"),
    "anyang_2022": Layout("anyang_2022", "按安阳市北关区 2022 年公开的自评情况表（部门表无分值列，执行率 99.85 %）",
                          ANYANG_DEPARTMENT, ANYANG_PROJECT, follows="种子 001：安阳市北关区医疗保障局 2022 年度"),
    "jiaozuo_2021": Layout("jiaozuo_2021", "按焦作市中站区 2021 年公开的部门整体绩效自评表（含指标说明列，无偏差度列）",
                           JIAOZUO_DEPARTMENT, HENAN_PROJECT, central_project=CENTRAL_PROJECT,
                           follows="种子 000：焦作市中站区医疗保障局 2021 年度"),
}
DEFAULT_LAYOUT = "henan"
STYLES = (HENAN_DEPARTMENT, HENAN_DESCRIBED, HENAN_PROJECT, CENTRAL_PROJECT, ANYANG_DEPARTMENT, ANYANG_PROJECT,
          JIAOZUO_DEPARTMENT)  # one template each


class UnknownLayout(ValueError):
    pass


def table_style(kind: str, template: str | None = None, described: bool = False,
                layout: str | None = None) -> TableStyle:
    """The style an evaluation's table is drawn in.

    `kind` and `template` are the evaluation's; `described` says whether a row
    carries a 指标说明. Without `layout` the Henan layout decides."""
    if layout is not None and layout not in LAYOUTS:
        names = "、".join(LAYOUTS)
        raise UnknownLayout(f"没有名为“{layout}”的版式；可用的版式：{names}")
    chosen = LAYOUTS[layout or DEFAULT_LAYOUT]
    if kind == "department":
        if described and chosen.described_department is not None:
            return chosen.described_department
        return chosen.department
    if template == "central_project" and chosen.central_project is not None:
        return chosen.central_project
    return chosen.project
