"""Benchmark (not a test): how long the reviewer page takes to answer an edit.

Every edit on the page posts the whole form to /e/<id>/recompute; the server
applies the review, re-scores the evaluation and renders the changed numbers.
The goal is under 100 ms on the server side. This script serves the five
examples plus one synthetic evaluation per --rows count (large department tables,
100 and 1,000 indicators by default), posts --edits random edits to each (a weight
moved between two rows, or a wrong value) through FastAPI's TestClient, the edits
of all evaluations interleaved so that a busy moment of the machine weighs on all
alike, and prints per evaluation the median, 95th percentile and maximum of
- server: the time the server itself reports (Server-Timing: evaluate + render);
- request: the whole request through the ASGI stack, as the TestClient sees it;
- cpu: the processor time the whole request took (client and server run in this
  process), which, unlike wall time, a busy machine does not inflate.
Then, for the synthetic tables, how the median time per edit grows with the rows,
as a ratio between the largest and smallest table against the ratio of their rows
(goal: no faster than the row count, e.g. at most 10× for 10× the rows): by the
server time above, and by the processor time of the server's own work for an edit
(evaluate, table, render; called directly, this thread's time, the tables
interleaved), which has no fixed cost of HTTP to hide a growth behind. On a machine
busy with other work a long request is interrupted more often than a short one, so
its wall time grows faster than its work; the processor time measures the code.

    python bench/serve.py [--edits N] [--rows K [K ...]] [--seed S]
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
from scoring.web.reviewing import evaluate  # noqa: E402
from scoring.web.table_view import table_view  # noqa: E402

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


def server_work(app, edits: int) -> dict[int, float]:
    """Median processor time in ms of the server's work for one edit, per synthetic table
    (rows → ms), the tables' edits interleaved."""
    state = app.state.web
    entries = {len(e.evaluation.indicators): e for e in state.catalog.entries.values()
               if e.evaluation is not None and e.evaluation.unit.startswith("合成单位")}
    times: dict[int, list[float]] = {rows: [] for rows in entries}
    for n in range(edits):
        for rows, entry in entries.items():
            form = {"input_hash": entry.input_hash, "i0.w": "abc" if n % 10 == 0 else "0.5", "i1.w": "1"}
            started = time.thread_time()
            state.page("_updates.html", **table_view(entry, evaluate(entry, form), form))
            times[rows].append((time.thread_time() - started) * 1000)
    return {rows: statistics.median(t) for rows, t in times.items()}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--edits", type=int, default=200)
    parser.add_argument("--rows", type=int, nargs="+", default=[100, 1000])
    parser.add_argument("--seed", type=int, default=1)
    args = parser.parse_args()
    rng = random.Random(args.seed)
    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp)
        for path in (ROOT / "examples").glob("*.yaml"):
            shutil.copy(path, folder)
        for rows in args.rows:
            (folder / f"synthetic_{rows}.yaml").write_text(
                yaml.safe_dump(synthetic(rows), allow_unicode=True), encoding="utf-8")
        app = create_app(folder, token=TOKEN)
        client = TestClient(app, base_url="http://127.0.0.1")
        index = client.get("/").text
        pages = []  # (href, title, input hash, weight fields, server ms, request ms, cpu ms)
        for href, title in re.findall(r'<a href="(/e/[0-9a-f]+)">(.*?)</a>', index):
            page = client.get(href).text
            input_hash = re.search(r'name="input_hash" value="([^"]+)"', page)[1]
            weights = re.findall(r'name="(i\d+)\.w"[^>]*placeholder="([^"]+)"', page)
            pages.append((href, title, input_hash, weights, [], [], []))
        for n in range(args.edits):
            for href, _, input_hash, weights, server, request, cpu in pages:
                (a, wa), (b, wb) = rng.sample(weights, 2)
                moved = min(float(wa), 1.0)
                form = {"input_hash": input_hash, f"{a}.w": f"{float(wa) - moved:g}",
                        f"{b}.w": f"{float(wb) + moved:g}"}
                if n % 10 == 0:
                    form[f"{a}.w"] = "abc"  # an error to place next to its cell
                started, processor = time.perf_counter(), time.process_time()
                response = client.post(href + "/recompute", data=form, headers={"X-Jixiao-Token": TOKEN})
                request.append((time.perf_counter() - started) * 1000)
                cpu.append((time.process_time() - processor) * 1000)
                assert response.status_code == 200, response.text[:300]
                server.append(float(response.headers["server-timing"].split("dur=")[1]))
        print(f"{'evaluation':<44} {'rows':>5}   server ms (median / p95 / max)   request ms (median / p95 / max)"
              "   cpu ms (median)")
        worst = 0.0
        by_rows: dict[int, float] = {}  # synthetic tables: rows → server median
        for _, title, _, weights, server, request, cpu in pages:
            worst = max(worst, percentile(server, 0.95))
            if title.startswith("合成单位"):
                by_rows[len(weights)] = statistics.median(server)
            print(f"{title[:42]:<44} {len(weights):>5}   {statistics.median(server):6.1f} / "
                  f"{percentile(server, 0.95):6.1f} / {max(server):6.1f}          {statistics.median(request):6.1f} / "
                  f"{percentile(request, 0.95):6.1f} / {max(request):6.1f}          {statistics.median(cpu):6.1f}")
        print(f"worst 95th percentile on the server: {worst:.1f} ms (goal: under 100 ms)")
        if len(by_rows) >= 2:
            for what, medians in (("server time", by_rows), ("server work, processor time", server_work(app, args.edits))):
                small, large = min(medians), max(medians)
                growth = medians[large] / medians[small]
                print(f"per edit ({what}, median): {medians[small]:.1f} ms at {small} rows, "
                      f"{medians[large]:.1f} ms at {large} rows: {growth:.2f}× for {large / small:g}× the rows "
                      f"({'no faster' if growth <= large / small else 'FASTER'} than the row count; goal: no faster)")


if __name__ == "__main__":
    main()
