"""Write the two example budget-stage target tables (项目绩效目标表) as .xlsx files.

Sources (text extracted from published PDFs, reconstructed by hand):

* seeds/002_26eb6cb1420d1c91.txt, lines 392-438: 焦作市医疗保障局 2023 年单位预算项目绩效目标表.
  Six projects; indicator pairs sit under the 产出/效益/满意度 columns (the 成本指标 column is
  empty for every project); the table has no 二级指标.
* seeds/003_5076924eef3696ee.txt, lines 797-1337: 濮阳市华龙区医疗保障局 2021 年区级专项资金项目绩效目标表.
  Five projects; each block prints its values first and its title last; no project codes.

Layout (one sheet, 项目绩效目标表): title in row 1, 单位名称/年度 in row 2, header in row 4, one row per
indicator from row 5.  项目编号, 项目名称, 资金总额（万元） and 年度目标 are written on the project's first row
and merged vertically over its rows, as finance spreadsheets do, so an importer must forward-fill them.

Run:  python examples/target_tables/make_target_tables.py   (writes next to this script)
"""

from __future__ import annotations

from decimal import Decimal
from pathlib import Path

from openpyxl import Workbook
from openpyxl.styles import Alignment, Font
from openpyxl.utils import get_column_letter

HEADER = ["项目编号", "项目名称", "资金总额（万元）", "年度目标", "一级指标", "二级指标", "三级指标", "指标值"]
WIDTHS = [25, 34, 16, 44, 12, 22, 44, 18]
SHEET = "项目绩效目标表"

OUT = "产出指标"
EFF = "效益指标"
SAT = "满意度指标"

# ---------------------------------------------------------------------------------------------
# Seed 002: 焦作市医疗保障局 2023.  Indicator tuples are (一级, 二级, 三级, 指标值); 二级 is empty.
# Order: the table's columns left to right (产出, 效益, 满意度), rows top to bottom within each.
# ---------------------------------------------------------------------------------------------
JIAOZUO = {
    "file": "焦作市医疗保障局_2023_项目绩效目标表.xlsx",
    "title": "焦作市医疗保障局2023年单位预算项目绩效目标表",
    "unit": "焦作市医疗保障局",
    "year": 2023,
    "projects": [
        {
            "code": "410800220000000014330",
            "name": "基金监管专项经费",
            "amount": "27.00",
            "goal": "",
            "indicators": [
                (OUT, "", "检查定点医药机构", ">1000家"),
                (OUT, "", "业务培训次数", "≥2次"),
                (OUT, "", "政策宣传活动次数", "≥2次"),
                (OUT, "", "查处的违规基金额度下降幅度", "≥20%"),
                (OUT, "", "群众政策知晓率较往年提升", "≥10%"),
                (OUT, "", "参加培训合格率", "≥80%"),
                (OUT, "", "定点医药机构检查覆盖率", "100%"),
                (OUT, "", "举报奖励兑现率", "≥90%"),
                (OUT, "", "对实名举报人反馈率", "100%"),
                (OUT, "", "核查后办理案件时限", "不超过规定时限"),
                (OUT, "", "奖励金额", "≤10000元"),
                (OUT, "", "奖励资金执行标准", "合规"),
                (OUT, "", "举报奖励兑现", "及时"),
                (EFF, "", "欺诈骗保行为较上年度减少程度", "明显减少"),
                (SAT, "", "参保群众对打击欺诈骗保工作满意度", "≥90%"),
            ],
        },
        {
            "code": "410800220000000014331",
            "name": "支付方式改革专项经费",
            "amount": "38.00",
            "goal": "",
            "indicators": [
                (OUT, "", "县域医共体医保支付改革完成率", "100%"),
                (OUT, "", "赴外地考察学习次数", "≥16人次"),
                (OUT, "", "DIP试点推广实施的医院数量", "≥45家"),
                (OUT, "", "召开医保支付工作会议或培训次数", "≥2次"),
                (OUT, "", "DIP试点推广完成率", "≥99%"),
                (OUT, "", "培训合格率", "≥85%"),
                (EFF, "", "群众就医费用减轻程度", "有所减轻"),
                (SAT, "", "参保群众满意度", "≥85%"),
            ],
        },
        {
            "code": "410800220000000082067",
            "name": "药品耗材集采工作经费",
            "amount": "37.00",
            "goal": "",
            "indicators": [
                (OUT, "", "组织有关人员学习集采知识培训或会议次数", "≥1次"),
                (OUT, "", "外地市交流学习次数", "≥2次"),
                (OUT, "", "检查医疗机构招标品种落地情况次数", "≥2次"),
                (OUT, "", "组织药品耗材集中带量采购招标会议", "≥1次"),
                (OUT, "", "参加省市联盟集采招标会次数", "≥2次"),
                (OUT, "", "培训合格率", "≥80%"),
                (OUT, "", "药品耗材集采品种平均降价幅度", "≥20%"),
                (OUT, "", "带量采购的中标品种落地率", "≥95%"),
                (OUT, "", "流标率", "≤5%"),
                (EFF, "", "参保就医群众药品耗材费用较往年减少程度", "有所减轻"),
                (SAT, "", "参保群众对药品耗材带量集中采购工作成效的满意度", "≥90%"),
            ],
        },
        {
            "code": "410800220000000084412",
            "name": "医保综合工作经费",
            "amount": "60.00",
            "goal": "",
            "indicators": [
                (OUT, "", "考察学习次数", "≥4次"),
                (OUT, "", "召开经办服务下沉工作培训次数", "≥1次"),
                (OUT, "", "医疗服务价格调整任务完成率", "≥95%"),
                (EFF, "", "医疗机构实施医疗行为的规范程度较往年", "有所提高"),
                (EFF, "", "群众就医负担减轻成效", "有所减轻"),
                (EFF, "", "医保基金使用效能提高", "有所提高"),
                (SAT, "", "参保群众对医保工作满意度", "≥90%"),
            ],
        },
        {
            "code": "410800230000000019256",
            "name": "城乡医疗救助市级专项资金",
            "amount": "132.00",
            "goal": "",
            "indicators": [
                (OUT, "", "门诊救助人次数", "≥2000人次"),
                (OUT, "", "救助参保人数", "≥10000人"),
                (OUT, "", "住院救助人次数", "≥2000人次"),
                # printed in the 产出 column although it reads like an 效益 indicator: kept where printed
                (OUT, "", "困难群众医疗费用负担减轻程度", "有效缓解"),
                (EFF, "", "医疗救助对象覆盖范围", "稳步扩展"),
                (EFF, "", "城乡医疗救助政策知晓率", "≥80%"),
            ],
        },
        {
            "code": "410800230000000019336",
            "name": "市直国有集体关闭破产企业退休人员医疗保险费",
            "amount": "100.00",
            "goal": "",
            "indicators": [
                (OUT, "", "政策享受人员年平均医疗费", "≤3066元"),
                (OUT, "", "政策享受人数", "360人"),
                (OUT, "", "合规费用报销及时率", "≥95%"),
                (OUT, "", "医疗保险费合理使用率", "≥95%"),
                (EFF, "", "医保基金管理水平的提高程度", "稳步提高"),
            ],
        },
    ],
}

# ---------------------------------------------------------------------------------------------
# Seed 003: 濮阳市华龙区医疗保障局 2021.  The four 补助 projects share one indicator list; only the
# values and a few names differ, so they are built from one function.
# ---------------------------------------------------------------------------------------------
QTY, QUAL, TIME, COST = "数量指标", "质量指标", "时效指标", "成本指标"
ECON, SOC, SUST, CLIENT = "经济效益指标", "社会效益指标", "可持续影响指标", "服务对象满意度指标"


def _subsidy(people: str, cycle_name: str, cycle: str, per_head: str,
             standard_name: str = "发放标准符合规定", timely_name: str = "补助发放及时程度"):
    return [
        (OUT, QTY, "补助人数", people),
        (OUT, QTY, "补助覆盖率", "100%"),
        (OUT, QUAL, standard_name, "100%"),
        (OUT, QUAL, "补助对象准确度", "100%"),
        (OUT, TIME, timely_name, "100%"),
        (OUT, TIME, cycle_name, cycle),
        (OUT, COST, "人均标准", per_head),
        (OUT, COST, "是否超预算", "预算内"),
        (EFF, ECON, "改善补助对象的生活状况", "有效改善"),
        (EFF, SOC, "政策知晓参与率", "≥95%"),
        (EFF, SOC, "确保补助对象合法权益得到保障", "切实保障"),
        (EFF, SUST, "有助于维持社会和谐稳定", "稳步推进"),
        (SAT, CLIENT, "补助对象满意度", "≥95%"),
        (SAT, CLIENT, "医保部门投诉率", "<5%"),
    ]


PUYANG = {
    "file": "濮阳市华龙区医疗保障局_2021_项目绩效目标表.xlsx",
    "title": "濮阳市华龙区医疗保障局2021年区级专项资金项目绩效目标表",
    "unit": "濮阳市华龙区医疗保障局",
    "year": 2021,
    "projects": [
        {
            "code": "",
            "name": "国家公务员医疗待遇补助",
            "amount": "600",
            "goal": "区直国家公务员医疗补助经费有市财政按上年度(含退休人员）工资总额的6%筹集，列入当年财政。",
            "indicators": _subsidy("公务员及参公", "补助周期", "每月", "工资总额的6%"),
        },
        {
            "code": "",
            "name": "城乡居民基本医疗保险（城镇）区级配套",
            "amount": "638",
            "goal": "巩固城镇居民医保覆盖面，参保连续稳定，做到应保尽保。",
            "indicators": _subsidy("110000", "配套周期", "每年", "58元/人"),
        },
        {
            "code": "",
            "name": "城乡居民基本医疗保险（新农合）区级配套",
            "amount": "371.2",
            "goal": "巩固农村居民医保覆盖面，参保连续稳定，做到应保尽保。",
            "indicators": _subsidy("64000", "配套周期", "每年", "58元/人"),
        },
        {
            "code": "",
            "name": "农村困难群众大病补充医疗保险资金",
            "amount": "25",
            "goal": "巩固城乡居民医保覆盖面，参保连续稳定，做到应保尽保。",
            "indicators": _subsidy("5357", "配套周期", "每年", "28元/人",
                                   standard_name="补助标准符合规定", timely_name="补助及时程度"),
        },
        {
            "code": "",
            "name": "医保局固定资产购置及办公场地修缮",
            "amount": "10",
            "goal": "华龙区医保局为新成立单位，必须配备办公所需的基本设施。",
            "indicators": [
                (OUT, QTY, "固定资产购置及办公场地维修", "10万元"),
                (OUT, QUAL, "文件柜及会议桌、电脑", "符合办公需求"),
                (OUT, QUAL, "办公场地维修", "文明单位标准"),
                (OUT, TIME, "固定资产购置", "年底前"),
                (OUT, TIME, "办公场地维修", "年底前"),
                (OUT, COST, "文件柜单价", "≤780元"),
                (OUT, COST, "五节文件柜", "≤980元"),
                (OUT, COST, "电脑单价", "≤4000元"),
                (OUT, COST, "办公场地维修", "10万元"),
                (EFF, SOC, "单位职工办公环境明显改善", "改善"),
                (EFF, SOC, "单位职工办公设施提高", "提高"),
                (EFF, SUST, "在固定资产年限内具有可持续性", "可持续性"),
                (SAT, CLIENT, "单位职工满意度", "≥98%"),
            ],
        },
    ],
}

TABLES = [JIAOZUO, PUYANG]


def _amount(text: str) -> int | float:
    """'27.00' -> 27, '371.2' -> 371.2: a number cell, as a finance spreadsheet holds it."""
    value = Decimal(text).normalize()
    return int(value) if value == value.to_integral_value() else float(value)


def write_table(table: dict, directory: Path) -> Path:
    wb = Workbook()
    ws = wb.active
    ws.title = SHEET
    top = Alignment(vertical="center", wrap_text=True)

    ws["A1"] = table["title"]
    ws["A1"].font = Font(bold=True, size=14)
    ws["A1"].alignment = Alignment(horizontal="center", vertical="center")
    ws.merge_cells(start_row=1, start_column=1, end_row=1, end_column=len(HEADER))
    ws["A2"] = f"单位名称：{table['unit']}"
    ws["D2"] = f"年度：{table['year']}"
    for col, label in enumerate(HEADER, start=1):
        cell = ws.cell(row=4, column=col, value=label)
        cell.font = Font(bold=True)
        cell.alignment = Alignment(horizontal="center", vertical="center", wrap_text=True)
    for col, width in enumerate(WIDTHS, start=1):
        ws.column_dimensions[get_column_letter(col)].width = width

    row = 5
    for project in table["projects"]:
        first, indicators = row, project["indicators"]
        code = ws.cell(row=row, column=1, value=project["code"] or None)
        code.number_format = "@"
        ws.cell(row=row, column=2, value=project["name"])
        ws.cell(row=row, column=3, value=_amount(project["amount"]))
        ws.cell(row=row, column=4, value=project["goal"] or None)
        for level1, level2, level3, target in indicators:
            for col, value in enumerate((level1, level2, level3, target), start=5):
                cell = ws.cell(row=row, column=col, value=value or None)
                cell.number_format = "@"
                cell.alignment = top
            row += 1
        last = row - 1
        for col in range(1, 5):
            ws.cell(row=first, column=col).alignment = top
            if last > first:
                ws.merge_cells(start_row=first, start_column=col, end_row=last, end_column=col)

    ws.freeze_panes = "A5"
    path = directory / table["file"]
    wb.save(path)
    return path


def main() -> None:
    directory = Path(__file__).resolve().parent
    for table in TABLES:
        path = write_table(table, directory)
        rows = sum(len(p["indicators"]) for p in table["projects"])
        print(f"{path.name}: {len(table['projects'])} projects, {rows} indicator rows")


if __name__ == "__main__":
    main()
