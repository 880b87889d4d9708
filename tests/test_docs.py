"""The documentation's worked examples keep working."""

import re
from decimal import Decimal

from conftest import ROOT

from scoring.pipeline import run_data
from scoring.sources.instantiate import PLACEHOLDER, instantiate
from scoring.sources.templates import load_template


def _complete_template() -> str:
    text = (ROOT / "docs/templates.md").read_text(encoding="utf-8")
    section = text.split("### 完整的模板", 1)[1]
    return re.search(r"```yaml\n(.*?)\n```", section, flags=re.S).group(1)


def test_the_walkthrough_template_passes_check_and_scores(tmp_path):
    path = tmp_path / "mou_sheng_project.yaml"
    path.write_text(_complete_template() + "\n", encoding="utf-8")
    loaded = load_template(path)
    assert loaded.ok and not loaded.issues, loaded.issues
    data, issues = instantiate(loaded.template, unit="某某局", year=2024, project="某某项目", rows=[
        {"level1": "产出指标", "level2": "数量指标", "level3": "培训人次", "target": "≥500人次"},
        {"level1": "产出指标", "level2": "数量指标", "level3": "检查次数", "target": "≥4次"},
        {"level1": "产出指标", "level2": "质量指标", "level3": "合格率", "target": "≥95%"},
        {"level1": "效益指标", "level2": "社会效益指标", "level3": "群众负担", "target": "有所减轻"},
    ])
    assert not issues
    actuals = {"培训人次": "450人次", "检查次数": "4次", "合格率": "97%", "群众负担": "明显减轻",
               "资金拨付及时率": "100%", "结转结余率": "12.5%", "服务对象满意度": "85%"}
    for row in data["indicators"]:
        assert row["level3"] != PLACEHOLDER
        row["actual"], row["reason"] = actuals[row["level3"]], "说明"
    data["funding"].update(initial_budget=50, annual_budget=50, executed=45)
    scored = run_data(data)
    assert scored.ok, scored.issues
    got = {r.level3: r.score for r in scored.result.indicators}
    assert got["培训人次"] == Decimal("9")        # 10 × 450/500
    assert got["结转结余率"] == Decimal("7.5")    # 10 − 2.5 × 1
    assert got["服务对象满意度"] == Decimal("8")  # ≥80% band
    assert scored.result.total == Decimal("9") + 10 + 10 + 10 + 30 + Decimal("7.5") + 8 + 9  # funds 90% × 10
