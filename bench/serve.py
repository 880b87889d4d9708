"""Benchmark (not a test): how long the reviewer page takes to answer an edit.

Every edit on the page posts the whole form to /e/<id>/recompute; the server
applies the review, re-scores the evaluation and renders the changed numbers.
The goal is under 100 ms on the server side. This script serves the five
examples plus a synthetic evaluation of --rows indicators (a large department
table), posts --edits random edits to each (a weight moved between two rows, or
a wrong value) through FastAPI's TestClient, and prints per evaluation the
median, 95th percentile and maximum of
- server: the time the server itself reports (Server-Timing: evaluate + render);
- request: the whole request through the ASGI stack, as the TestClient sees it.

    python bench/serve.py [--edits N] [--rows K] [--seed S]
"""

from __future__ import annotations

import argparse
import random
import re
import shutil
import statistics
import sys
import tempfile
import time
from pathlib import Path

import yaml

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from fastapi.testclient import TestClient  # noqa: E402

from scoring.web.app import create_app  # noqa: E402

TOKEN = "bench"


def synthetic(rows: int) -> dict:
    weight = 90 / rows
    indicators = []
    for i in range(rows):
        indicators.append({"level1": ("产出指标", "效益指标", "满意度指标")[i % 3], "level2": f"二级{i // 10}",
                           "level3": f"指标{i + 1}", "target": "≥90%", "actual": f"{80 + i % 20}%",
                           "weight": f"{weight:.4f}"})
    indicators[-1]["weight"] = f"{90 - float(f'{weight:.4f}') * (rows - 1):.4f}"
    return {"kind": "department", "unit": f"合成单位（{rows} 个指标）", "year": 2026,
            "funding": {"weight": 10, "initial_budget": 100, "annual_budget": 100, "executed": 95},
            "indicators": indicators}


def percentile(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(round(q * (len(ordered) - 1))))]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--edits", type=int, default=200)
    parser.add_argument("--rows", type=int, default=200)
    parser.add_argument("--seed", type=int, default=1)
    args = parser.parse_args()
    rng = random.Random(args.seed)
    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp)
        for path in (ROOT / "examples").glob("*.yaml"):
            shutil.copy(path, folder)
        (folder / "synthetic.yaml").write_text(yaml.safe_dump(synthetic(args.rows), allow_unicode=True),
                                               encoding="utf-8")
        client = TestClient(create_app(folder, token=TOKEN), base_url="http://127.0.0.1")
        index = client.get("/").text
        print(f"{'evaluation':<44} {'rows':>5}   server ms (median / p95 / max)   request ms (median / p95 / max)")
        worst = 0.0
        for href, title in re.findall(r'<a href="(/e/[0-9a-f]+)">(.*?)</a>', index):
            page = client.get(href).text
            input_hash = re.search(r'name="input_hash" value="([^"]+)"', page)[1]
            weights = re.findall(r'name="(i\d+)\.w"[^>]*placeholder="([^"]+)"', page)
            server, request = [], []
            for n in range(args.edits):
                (a, wa), (b, wb) = rng.sample(weights, 2)
                moved = min(float(wa), 1.0)
                form = {"input_hash": input_hash, f"{a}.w": f"{float(wa) - moved:g}",
                        f"{b}.w": f"{float(wb) + moved:g}"}
                if n % 10 == 0:
                    form[f"{a}.w"] = "abc"  # an error to place next to its cell
                started = time.perf_counter()
                response = client.post(href + "/recompute", data=form, headers={"X-Jixiao-Token": TOKEN})
                request.append((time.perf_counter() - started) * 1000)
                assert response.status_code == 200, response.text[:300]
                server.append(float(response.headers["server-timing"].split("dur=")[1]))
            worst = max(worst, percentile(server, 0.95))
            print(f"{title[:42]:<44} {len(weights):>5}   {statistics.median(server):6.1f} / "
                  f"{percentile(server, 0.95):6.1f} / {max(server):6.1f}          {statistics.median(request):6.1f} / "
                  f"{percentile(request, 0.95):6.1f} / {max(request):6.1f}")
        print(f"worst 95th percentile on the server: {worst:.1f} ms (goal: under 100 ms)")


if __name__ == "__main__":
    main()
