"""The jixiao command: readable text, the JSON contract, exit codes, the demo."""

import json
from decimal import Decimal

from conftest import EXAMPLES

from scoring.cli import main

DEPT_001 = EXAMPLES / "安阳北关区医保局_2022_部门整体.yaml"


def test_score_prints_every_deduction_explained(capsys):
    assert main(["score", str(DEPT_001)]) == 0
    out = capsys.readouterr().out
    assert "实际 85% 未达到目标 ≥90%：20 × 85/90 = 18.89" in out
    assert "总分 98.89" in out and "等级：优" in out
    assert "10 × 99.85% = 9.985，保留 1 位小数得 10" in out


def test_json_is_exactly_the_contract(capsys):
    assert main(["score", str(DEPT_001), "--json"]) == 0
    data = json.loads(capsys.readouterr().out)
    assert set(data) == {"total", "grade", "funding", "indicators", "issues"}
    assert Decimal(data["total"]) == Decimal("98.89") and data["grade"] == "优"
    assert data["funding"] == {"execution_rate": "99.85", "score": "10"}
    row = data["indicators"][-1]
    assert row == {"level1": "效益指标", "level2": "满意度", "level3": "全区参保群众满意度",
                   "weight": "20", "score": "18.89", "deviation": "-5.56"}
    assert all(set(r) == {"level1", "level2", "level3", "weight", "score", "deviation"}
               for r in data["indicators"])
    assert {"location", "message", "severity"} <= set(data["issues"][0])


def test_bad_input_exits_1_with_messages_and_no_traceback(write, capsys):
    path = write("bad.yaml", "kind: project\nunit: 单位\nyear: 2022\nproject: p\n"
                             "indicators:\n  - {level1: a, level3: b, target: '≥90%', actual: 九十, weight: 100}\n")
    assert main(["score", str(path)]) == 1
    captured = capsys.readouterr()
    assert "bad.yaml:6" in captured.out and "九十" in captured.out and "Traceback" not in captured.out + captured.err
    assert main(["score", str(path), "--json"]) == 1
    data = json.loads(capsys.readouterr().out)
    assert data["total"] is None and data["issues"][0]["severity"] == "error"


def test_a_missing_file_exits_1_with_a_message(tmp_path, capsys):
    assert main(["score", str(tmp_path / "none.yaml")]) == 1
    assert "找不到文件" in capsys.readouterr().err


def test_demo_writes_results_and_says_where(tmp_path, capsys):
    out = tmp_path / "demo"
    assert main(["demo", "-o", str(out)]) == 0
    printed = capsys.readouterr().out
    assert str(out) in printed and "98.89" in printed and "92.4" in printed
    written = sorted(p.name for p in out.iterdir())
    assert len(written) == 10 and not [n for n in written if n.endswith(".tmp")]
    data = json.loads((out / "安阳北关区医保局_2022_慢性病专家鉴定费.json").read_text(encoding="utf-8"))
    assert data["total"] == "92.4"
