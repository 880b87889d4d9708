"""The layout of docs/architecture.md holds: stages import only the stages before them,
nothing imports in a circle, no module grows past 500 lines.

The contracts live in pyproject.toml ([tool.importlinter]) and are checked by
import-linter, which reads every import statement, those inside functions too.
The last two tests break a copy of the package on purpose and expect the
contracts to catch it, so a contract that checks nothing cannot pass.
"""

from __future__ import annotations

import shutil
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
PACKAGE = ROOT / "scoring"
MAX_LINES = 500
LINT = "import sys; from importlinter.cli import lint_imports_command; sys.exit(lint_imports_command())"


def lint(root: Path) -> subprocess.CompletedProcess:
    """Run the project's import-linter contracts over the package found in `root`."""
    return subprocess.run(
        [sys.executable, "-c", LINT, "--no-cache", str(root / "pyproject.toml")],
        cwd=root, env={"PYTHONPATH": str(root), "PATH": "/usr/bin:/bin", "NO_COLOR": "1"},
        capture_output=True, text=True, timeout=120,
    )


def test_stages_import_only_the_stages_before_them_and_nothing_imports_in_a_circle():
    done = lint(ROOT)
    assert done.returncode == 0, done.stdout + done.stderr
    assert "Contracts: 2 kept, 0 broken." in done.stdout


def test_no_module_is_longer_than_500_lines():
    long = {str(p.relative_to(ROOT)): n for p in PACKAGE.rglob("*.py")
            if (n := len(p.read_text(encoding="utf-8").splitlines())) > MAX_LINES}
    assert long == {}, f"split these modules along their seams: {long}"


def test_every_stage_package_named_in_the_contracts_exists():
    for stage in ("core", "sources", "outputs", "review", "web", "cli"):
        assert (PACKAGE / stage / "__init__.py").is_file()
    assert (PACKAGE / "pipeline.py").is_file()


@pytest.fixture
def package_copy(tmp_path: Path) -> Path:
    shutil.copytree(PACKAGE, tmp_path / "scoring", ignore=shutil.ignore_patterns("__pycache__", "_data"))
    shutil.copy(ROOT / "pyproject.toml", tmp_path / "pyproject.toml")
    return tmp_path


def _append(path: Path, code: str) -> None:
    path.write_text(path.read_text(encoding="utf-8") + "\n\n" + code + "\n", encoding="utf-8")


def test_the_contracts_fail_when_a_stage_imports_a_later_one(package_copy: Path):
    # the pure engine reaching up to the Word output, inside a function
    _append(package_copy / "scoring/core/score.py",
            "def _upward():\n    from scoring.outputs.render import to_context\n    return to_context")
    done = lint(package_copy)
    assert done.returncode != 0
    assert "Stages import only the stages before them BROKEN" in done.stdout
    assert "scoring.core.score -> scoring.outputs.render" in done.stdout


def test_the_contracts_fail_when_modules_import_each_other(package_copy: Path):
    # two modules of one stage importing each other, one of them inside a function
    _append(package_copy / "scoring/core/numbers.py",
            "def _circle():\n    from scoring.core.issues import Issue\n    return Issue")
    _append(package_copy / "scoring/core/issues.py", "from scoring.core.numbers import plain  # noqa")
    done = lint(package_copy)
    assert done.returncode != 0
    assert "No import circles between modules or packages, at any depth BROKEN" in done.stdout
