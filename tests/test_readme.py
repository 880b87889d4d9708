"""The README's Quick start is the only set-up a new user needs; CI runs its test command."""

import re

from conftest import ROOT


def quick_start_blocks():
    text = (ROOT / "README.md").read_text(encoding="utf-8")
    section = text.split("## Quick start", 1)[1].split("\n## ", 1)[0]
    return re.findall(r"```bash\n(.*?)\n```", section, flags=re.S)


def test_quick_start_has_the_demo_then_the_test_command():
    demo, tests = quick_start_blocks()[:2]
    assert "pip install ." in demo and "jixiao demo" in demo
    assert 'pip install ".[test]"' in tests and "pytest" in tests


def test_ci_runs_the_readme_test_command():
    tests = quick_start_blocks()[1]
    ci = (ROOT / ".ci/run").read_text(encoding="utf-8")
    assert tests.strip() in ci.splitlines()
