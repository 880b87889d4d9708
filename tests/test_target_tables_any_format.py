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
