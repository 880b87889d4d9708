"""The reviewer page's official table: the merged 一级指标 and 二级指标 cells."""

from __future__ import annotations

import re

import yaml
from conftest import evaluation
from fastapi.testclient import TestClient
from web_helpers import TOKEN

from scoring.web.app import create_app

LEVEL_CELL = re.compile(r'<td rowspan="(\d+)" class="level">([^<]*)</td>')


def test_each_run_of_equal_levels_is_one_merged_cell_spanning_the_run(tmp_path):
    # 质量指标 follows itself across a change of 一级指标 (two cells), and 产出指标
    # comes back after 效益指标 (a run of its own)
    levels = [("产出指标", "数量指标"), ("产出指标", "数量指标"), ("产出指标", "质量指标"),
              ("效益指标", "质量指标"), ("效益指标", "社会效益指标"), ("产出指标", "时效指标")]
    data = evaluation(*[{"level1": a, "level2": b, "target": "≥90%", "actual": "95%", "weight": 15}
                        for a, b in levels])
    (tmp_path / "merged.yaml").write_text(yaml.safe_dump(data, allow_unicode=True), encoding="utf-8")
    client = TestClient(create_app(tmp_path, token=TOKEN), base_url="http://127.0.0.1")
    href = re.search(r'<a href="(/e/[0-9a-f]+)">', client.get("/").text)[1]
    page = client.get(href).text
    cells = [(name, int(span)) for span, name in LEVEL_CELL.findall(page)]
    assert cells == [("产出指标", 3), ("数量指标", 2), ("质量指标", 1),
                     ("效益指标", 2), ("质量指标", 1), ("社会效益指标", 1),
                     ("产出指标", 1), ("时效指标", 1)]
