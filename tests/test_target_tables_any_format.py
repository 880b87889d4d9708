"""Target tables as platforms export them (.xls) and office suites save them (.ods),
and a table that does not fit the chosen template names the shipped one it fits."""

from __future__ import annotations

import os
import shutil
import sys
from pathlib import Path

import pytest
from conftest import EXAMPLES

from scoring.cli import main
from scoring.sources.targettable import import_target_table, read_target_table
from scoring.sources.templates import require_template

sys.path.insert(0, str(Path(__file__).resolve().parent / "files"))
from make_files import soffice  # noqa: E402

JIAOZUO = EXAMPLES / "target_tables" / "焦作市医疗保障局_2023_项目绩效目标表.xlsx"
PUYANG = EXAMPLES / "target_tables" / "濮阳市华龙区医疗保障局_2021_项目绩效目标表.xlsx"


@pytest.mark.parametrize("fmt", ["xls", "ods"])
def test_a_target_table_saved_as_xls_or_ods_reads_like_the_xlsx(fmt, tmp_path):
    if shutil.which("soffice") is None:
        if os.environ.get("CI"):
            pytest.fail("LibreOffice is needed (CI installs libreoffice-calc-nogui)")
        pytest.skip("LibreOffice is not installed here; CI installs it")
    saved = soffice(JIAOZUO, fmt, tmp_path / f"目标表.{fmt}")
    original, issues = read_target_table(JIAOZUO)
    again, issues_again = read_target_table(saved)
    assert not issues and not issues_again
    assert (again.unit, again.year) == (original.unit, original.year)
    assert [(p.name, p.amount, p.goal, p.rows) for p in again.projects] == \
        [(p.name, p.amount, p.goal, p.rows) for p in original.projects]


def test_a_table_that_fits_another_shipped_template_names_it(capsys, tmp_path):
    _, issues = import_target_table(PUYANG, require_template("henan_project"))
    [hint] = [i for i in issues if "符合内置模板" in i.message]
    assert hint.hint == "请改用 --template central_project"
    assert main(["workbook", "--targets", str(PUYANG), "--template", "henan_project",
                 "-o", str(tmp_path / "x.xlsx")]) == 1
    assert "请改用 --template central_project" in capsys.readouterr().err
    _, issues = import_target_table(PUYANG, require_template("central_project"))
    assert not [i for i in issues if i.severity == "error"]


def _split_target_table(path: Path) -> Path:
    """A 项目绩效目标表 as the provincial platforms export it: the target over three cells."""
    from openpyxl import Workbook

    wb = Workbook()
    ws = wb.active
    ws.append(["某县水利局2023年项目绩效目标表"])
    ws.append(["项目名称", "资金总额(万元)", "年度目标", "一级指标", "二级指标", "三级指标", "指标性质", "指标值", "度量单位"])
    ws.append(["渠道维修", 120, "完成渠道维修", "产出指标", "数量指标", "维修渠道长度", "≧", 266, "米"])
    ws.append([None, None, None, "产出指标", "质量指标", "验收合格率", "正向", 95, "%"])
    ws.append([None, None, None, "产出指标", "时效指标", "完工时间", "定性", "2023年12月31日前", None])
    ws.append([None, None, None, "效益指标", "社会效益指标", "受益群众满意度", "═", 100, "%"])
    wb.save(path)
    return path


@pytest.mark.parametrize("fmt", ["xlsx", "xls", "ods"])
def test_a_target_split_over_three_cells_is_read_as_one(fmt, tmp_path):
    source = _split_target_table(tmp_path / "目标表.xlsx")
    if fmt != "xlsx":
        if shutil.which("soffice") is None:
            if os.environ.get("CI"):
                pytest.fail("LibreOffice is needed (CI installs libreoffice-calc-nogui)")
            pytest.skip("LibreOffice is not installed here; CI installs it")
        source = soffice(source, fmt, tmp_path / f"目标表.{fmt}")
    table, issues = read_target_table(source)
    assert not issues
    [project] = table.projects
    assert [r["target"] for r in project.rows] == ["≥266米", "≥95%", "2023年12月31日前", "=100%"]


def test_an_unknown_nature_in_a_target_table_is_an_error_at_its_cell(tmp_path):
    from openpyxl import load_workbook

    path = _split_target_table(tmp_path / "目标表.xlsx")
    wb = load_workbook(path)
    wb.active["G4"] = "较好"
    wb.save(path)
    _, issues = read_target_table(path)
    [issue] = issues
    assert (issue.location.cell, issue.severity) == ("G4", "error") and "指标性质“较好”无法识别" in issue.message
