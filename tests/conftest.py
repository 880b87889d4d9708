"""Shared helpers: evaluations written in the domain language, as small dicts."""

from __future__ import annotations

import os
import shutil
import subprocess
from decimal import Decimal
from pathlib import Path

import pytest

from scoring.pipeline import run_data

ROOT = Path(__file__).resolve().parent.parent
EXAMPLES = ROOT / "examples"


def needs_writer(*tools: str) -> None:
    """LibreOffice Writer, a Chinese font and the poppler `tools` a PDF test needs: a failure in
    CI (which installs them, .ci/run), a skip elsewhere."""
    from scoring.outputs import batch

    binary = batch.soffice()
    writer = binary and (Path(binary).resolve().parent / "libswlo.so").exists()
    fonts = shutil.which("fc-list") and subprocess.run(["fc-list", ":lang=zh"], capture_output=True,
                                                      text=True).stdout.strip()
    missing = [name for name, ok in (("LibreOffice Writer", writer), ("fonts-noto-cjk", fonts),
                                     *((tool, shutil.which(tool)) for tool in tools)) if not ok]
    if missing:
        if os.environ.get("CI"):
            pytest.fail(f"{'、'.join(missing)} is needed (CI installs them, .ci/run)")
        pytest.skip(f"{', '.join(missing)} not installed here; CI installs them")


def evaluation(*indicators: dict, funding_weight: int | str = 10, **top) -> dict:
    """A project evaluation with a fully executed funds row and the given rows.

    Rows default to level1 产出指标 / level2 数量指标 and are numbered 指标1, 指标2 …
    """
    rows = []
    for i, row in enumerate(indicators, 1):
        rows.append({"level1": "产出指标", "level2": "数量指标", "level3": f"指标{i}", **row})
    data = {
        "kind": "project",
        "unit": "测试单位",
        "year": 2022,
        "project": "测试项目",
        "funding": {"weight": funding_weight, "initial_budget": "100", "annual_budget": "100",
                    "executed": "100"},
        "indicators": rows,
    }
    data.update(top)
    return data


def one_row(target, actual, weight="90", settings=None, **extra):
    """Score a single row worth `weight` (the funds row makes up the rest of 100).

    Keyword arguments go into the row; `settings` into the evaluation.
    """
    fw = 100 - Decimal(str(weight))
    top = {"settings": settings} if settings else {}
    scored = run_data(evaluation({"target": target, "actual": actual, "weight": str(weight), **extra},
                                 funding_weight=str(fw), **top))
    return scored, (scored.result.indicators[0] if scored.result else None)


@pytest.fixture
def seed_examples(tmp_path) -> Path:
    """A folder holding only the tables of seeds 000 and 001 (the top of examples/), for tests
    that count what a whole folder gives; examples/provinces/ has tables of its own tests."""
    folder = tmp_path / "seed_examples"
    folder.mkdir()
    for path in EXAMPLES.glob("*.yaml"):
        shutil.copy(path, folder / path.name)
    return folder


@pytest.fixture
def write(tmp_path):
    """Write a text file (UTF-8) into tmp_path and return its path."""

    def _write(name: str, text: str) -> Path:
        path = tmp_path / name
        path.write_text(text, encoding="utf-8")
        return path

    return _write


def pytest_addoption(parser):
    parser.addoption("--update-golden", action="store_true", default=False,
                     help="rewrite tests/golden/*.txt from the current output (review the diff!)")


@pytest.fixture
def update_golden(request) -> bool:
    return request.config.getoption("--update-golden")
