"""Start-up of `jixiao score FILE.yaml`: what it does not import, and the ways around
pydantic's plugin search and the garbage collector (scoring/cli/entry.py).

How fast it starts is measured by bench/startup.py, never asserted here. Each command
runs as the `jixiao` program does, `main()` on a fresh interpreter's command line.
"""

from __future__ import annotations

import inspect
import os
import shutil
import subprocess
import sys

import pytest
from conftest import EXAMPLES, ROOT

from scoring.cli import build_parser, words

SAMPLE = str(EXAMPLES / "安阳北关区医保局_2022_慢性病专家鉴定费.yaml")
LOADER = "pydantic.plugin._loader"

# `main()` as the console script runs it; then, on stderr's last line, what the process holds
PROGRAM = """\
import gc, sys
from scoring.cli import main
sys.argv = ["jixiao", *sys.argv[1:]]
code = main()
real = getattr(sys.modules.get("pydantic.plugin._loader"), "__file__", None) is not None
sys.stderr.write(f"\\n{code} {gc.get_freeze_count()} {real} " + " ".join(sorted(sys.modules)))
"""


def _run(argv: tuple[str, ...], env: dict) -> tuple[dict, str]:
    done = subprocess.run([sys.executable, "-c", PROGRAM, *argv], capture_output=True, text=True,
                          encoding="utf-8", cwd=ROOT, env=env, check=True)
    code, frozen, real, *modules = done.stderr.splitlines()[-1].split()
    return {"code": int(code), "frozen": int(frozen), "real_loader": real == "True",
            "modules": set(modules)}, done.stdout


def _program(*argv: str, **env: str) -> dict:
    return _run(argv, {**os.environ, **env})[0]


def _environment_without_plugin_setting() -> dict:
    return {k: v for k, v in os.environ.items() if k != "PYDANTIC_DISABLE_PLUGINS"}


def test_scoring_a_yaml_file_imports_no_plugin_search_no_zip_reader_and_no_writer():
    found, output = _run(("score", SAMPLE), _environment_without_plugin_setting())
    modules = found["modules"]
    assert found["code"] == 0 and "scoring.core.score" in modules and "总分" in output  # it was scored
    assert not modules & {
        "importlib.metadata",  # pydantic's plugin search (entry points of every distribution)
        "zipfile", "shutil",  # only a workbook or a Word file is a zip container
        "json",  # only --json
        "getpass",  # only the server's commands
        "scoring.outputs.files", "scoring.sources.workbook.reader", "openpyxl"}
    assert not found["real_loader"]


def test_the_program_freezes_what_its_imports_made_but_main_called_with_arguments_does_not():
    assert _program("score", SAMPLE)["frozen"] > 10_000
    script = ("import gc, os, sys\nfrom scoring.cli import main\n"
              f"main(['score', {SAMPLE!r}])\n"
              "print(gc.get_freeze_count(), gc.isenabled(), 'PYDANTIC_DISABLE_PLUGINS' in os.environ)")
    done = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True, encoding="utf-8",
                          cwd=ROOT, env=_environment_without_plugin_setting(), check=True)
    assert done.stdout.split()[-3:] == ["0", "True", "False"]  # nor is the caller's environment changed


def test_a_users_own_plugin_setting_is_kept_and_then_pydantic_searches_as_usual():
    found = _program("score", SAMPLE, PYDANTIC_DISABLE_PLUGINS="")  # empty: every plugin on
    assert found["code"] == 0 and found["real_loader"] and "importlib.metadata" in found["modules"]


def test_the_stand_in_gives_way_to_pydantics_loader_for_any_other_name():
    script = ("import sys\nfrom scoring.cli import entry\nentry._no_pydantic_plugins()\n"
              f"stand_in = sys.modules[{LOADER!r}]\n"
              f"from pydantic.plugin._loader import PYDANTIC_ENTRY_POINT_GROUP\n"
              f"print(PYDANTIC_ENTRY_POINT_GROUP, sys.modules[{LOADER!r}] is not stand_in,"
              f" sys.modules[{LOADER!r}].__file__.endswith('_loader.py'))")
    done = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True, encoding="utf-8",
                          cwd=ROOT, env=_environment_without_plugin_setting(), check=True)
    assert done.stdout.split() == ["pydantic", "True", "True"]


def test_the_stand_in_answers_as_the_pydantic_it_was_checked_against():
    """A new pydantic must be checked again: the stand-in answers for `get_plugins`, which
    pydantic 2's `create_schema_validator` imports from its private loader, and which
    answers no plugins when PYDANTIC_DISABLE_PLUGINS is __all__."""
    import pydantic
    from pydantic.plugin import _loader, _schema_validator

    assert pydantic.VERSION.startswith("2.")
    assert "from ._loader import get_plugins" in inspect.getsource(_schema_validator.create_schema_validator)
    assert "'__all__', '1', 'true'" in inspect.getsource(_loader.get_plugins)


@pytest.mark.parametrize("terminal", [None, 123])
@pytest.mark.parametrize("columns", [None, "57", "0", "-5", "many"])
def test_the_help_is_as_wide_as_argparse_would_make_it(monkeypatch, columns, terminal):
    if columns is None:
        monkeypatch.delenv("COLUMNS", raising=False)
    else:
        monkeypatch.setenv("COLUMNS", columns)
    if terminal is not None:  # a terminal of 123 columns, as both ask os for it
        monkeypatch.setattr(os, "get_terminal_size", lambda *fd: os.terminal_size((terminal, 40)))
    expected = shutil.get_terminal_size().columns
    assert words._columns() == expected
    assert expected == (57 if columns == "57" else terminal or 80)


def _commands(parser) -> dict:
    return parser._subparsers._group_actions[0].choices


def test_a_command_named_first_gets_only_its_own_parser_with_the_same_help_and_errors():
    full = _commands(build_parser())
    only = _commands(build_parser(["score", "x.yaml", "--json"]))
    assert list(only) == ["score"]
    for name, command in full.items():  # each command's parser, built alone, is the one built with all
        assert list(_commands(build_parser([name]))) == [name]
        assert _commands(build_parser([name]))[name].format_help() == command.format_help()
    server = _commands(build_parser(["server", "start"]))["server"]
    assert server.format_help() == full["server"].format_help()
    for name, command in _commands(full["server"]).items():
        assert _commands(server)[name].format_help() == command.format_help()
    assert set(_commands(build_parser(["scor", "x.yaml"]))) == set(full)  # a typo: all, to name the nearest
    assert set(_commands(build_parser(["--help"]))) == set(full)
