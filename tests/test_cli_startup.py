"""Start-up: `jixiao --help` and `jixiao score FILE.yaml` import only what they use.

How fast they start is measured by bench/startup.py, never asserted here; these tests
check the cause of a slow start instead: a heavy library (the Word, Excel, web and
database ones) imported by the help, or by scoring a YAML file. Each command runs in a
fresh interpreter, since this one has imported everything already.
"""

from __future__ import annotations

import subprocess
import sys

from conftest import EXAMPLES, ROOT

from scoring.cli import build_parser
from scoring.cli.parser import _Command

HEAVY = {"openpyxl", "docx", "docxtpl", "jinja2", "lxml", "python_calamine", "fastapi", "starlette",
         "uvicorn", "sqlalchemy", "alembic", "argon2", "tqdm", "pdfplumber"}
MARK = "已导入的模块："


def _imported_by(*argv: str) -> set[str]:
    """Every module in sys.modules after `jixiao ARGV` ran in a fresh interpreter."""
    script = ("import sys\nfrom scoring.cli import main\n"
              "try:\n    main(sys.argv[1:])\nexcept SystemExit:\n    pass\n"
              f"print({MARK!r} + ' '.join(sorted(sys.modules)))")
    done = subprocess.run([sys.executable, "-c", script, *argv], capture_output=True, text=True,
                          encoding="utf-8", cwd=ROOT, check=True)
    line = next(line for line in done.stdout.splitlines() if line.startswith(MARK))
    return set(line[len(MARK):].split())


def _packages(modules: set[str]) -> set[str]:
    return {name.split(".")[0] for name in modules}


def test_the_help_imports_no_command_and_no_heavy_library():
    modules = _imported_by("--help")
    assert "scoring.cli.parser" in modules  # the help did run
    assert not _packages(modules) & (HEAVY | {"pydantic", "yaml"})
    assert {m for m in modules if m.startswith("scoring.")} <= {  # no command module, no pipeline
        "scoring.cli", "scoring.cli.entry", "scoring.cli.parser", "scoring.cli.words",
        "scoring.cli.server_commands", "scoring.core", "scoring.core.issues"}


def test_scoring_a_yaml_file_imports_neither_the_workbook_reader_nor_any_writer():
    modules = _imported_by("score", str(EXAMPLES / "安阳北关区医保局_2022_慢性病专家鉴定费.yaml"))
    assert "scoring.core.score" in modules and "yaml" in modules  # the file was scored
    assert not _packages(modules) & HEAVY
    assert not {m for m in modules if m.startswith(("scoring.sources.workbook.", "scoring.outputs.scored_copy",
                                                     "scoring.outputs.render", "scoring.review", "scoring.web",
                                                     "scoring.server"))} - {"scoring.sources.workbook.reader"}


def test_every_command_the_parser_names_exists():
    """Commands are imported by name only when they run: a misspelt name would otherwise
    show only when a user runs that command."""
    found = []

    def walk(parser) -> None:
        func = parser._defaults.get("func")
        if isinstance(func, _Command):
            found.append(func)
            assert callable(func.resolve()), (func.module, func.function)
        for action in parser._subparsers._group_actions if parser._subparsers else ():
            for child in action.choices.values():
                walk(child)

    walk(build_parser())
    assert {f.function for f in found} >= {"score_command", "render_command", "serve_command", "docs_command"}
    assert len(found) == len({(f.module, f.function) for f in found}) >= 12
