"""`jixiao workbook` and `jixiao score unit.xlsx` (skipped until the CLI has the command)."""

from __future__ import annotations

import json

import pytest
from conftest import EXAMPLES

from scoring.cli import build_parser, main

TABLE = EXAMPLES / "target_tables" / "焦作市医疗保障局_2023_项目绩效目标表.xlsx"


def _has_workbook_command() -> bool:
    try:
        build_parser().parse_args(["workbook", "--help"])
    except SystemExit as exc:
        return exc.code == 0
    return False


pytestmark = pytest.mark.skipif(not _has_workbook_command(), reason="jixiao workbook is not wired yet")


def test_workbook_from_a_target_table_then_score_it(tmp_path, capsys):
    out = tmp_path / "unit.xlsx"
    assert main(["workbook", "--template", "henan_project", "--department", "henan_department",
                 "--targets", str(TABLE), "-o", str(out)]) == 0
    assert out.exists()
    capsys.readouterr()
    assert main(["score", str(out)]) == 1  # nothing filled in yet
    text = capsys.readouterr().out
    assert "【工作表“部门整体”】" in text and "'基金监管专项经费'!" in text


def test_workbook_from_evaluation_files_scores_as_the_yaml(tmp_path, capsys, seed_examples):
    out = tmp_path / "unit.xlsx"
    assert main(["workbook", str(seed_examples), "-o", str(out)]) == 0
    capsys.readouterr()
    assert main(["score", str(out), "--json"]) == 0
    items = json.loads(capsys.readouterr().out)
    assert sorted(i["total"] for i in items) == sorted(["98.89", "100", "92.4", "96.6", "100"])
    assert all(i["sheet"] for i in items)
