"""Running a command: arguments parsed, the command run, every failure a Chinese message
and an exit code (1 for bad input, 2 for a bug or a wrong invocation, 130 when interrupted)."""

from __future__ import annotations

import codecs
import gc
import os
import sys
import types

from scoring.cli.parser import _Command, build_parser
from scoring.core.issues import ScoringError

# Characters of our output that a Windows console's GBK code page lacks, and what to
# print instead; anything else it lacks becomes "?" rather than a crash.
_CONSOLE = {"\u2212": "-", "\u2713": "√", "\u2717": "×", "\u27e6": "[", "\u27e7": "]"}


def _console_fallback(error: UnicodeEncodeError) -> tuple[str, int]:
    text = error.object[error.start:error.end]
    return "".join(_CONSOLE.get(ch, "?") for ch in text), error.end


codecs.register_error("jixiao-console", _console_fallback)


def _console_streams() -> None:
    """Output that the console cannot show is replaced, never a UnicodeEncodeError: a
    Windows console with the GBK code page, or an output redirected as ASCII."""
    for stream in (sys.stdout, sys.stderr):
        encoding = (getattr(stream, "encoding", "") or "").lower().replace("-", "")
        if encoding not in ("utf8", "utf8sig") and hasattr(stream, "reconfigure"):
            stream.reconfigure(errors="jixiao-console")


# pydantic looks for plugins when it builds its first model: it imports importlib.metadata
# (email, socket, calendar …) and reads the entry points of every installed distribution,
# 15 ms of `jixiao score`. jixiao uses no pydantic plugin, so the `jixiao` program (never a
# library import, nor `main([...])` called in-process) turns them off through pydantic's
# documented PYDANTIC_DISABLE_PLUGINS, unless the user set it (empty keeps every plugin);
# the processes it starts inherit the setting. With
# plugins off, pydantic's loader only answers "none"; `_PluginLoader` stands in for that
# private module and answers so without importing importlib.metadata. It gives way to the
# real module for any other question: another name asked of it, arguments, plugins turned
# back on, or a pydantic other than 2.x, whose loader it was checked against
# (tests/test_startup_imports.py).
_PLUGINS = "PYDANTIC_DISABLE_PLUGINS"
_ALL_OFF = ("__all__", "1", "true")  # the values pydantic's loader reads as "no plugins"
_LOADER = "pydantic.plugin._loader"


class _PluginLoader(types.ModuleType):
    """Stands in for pydantic.plugin._loader while plugins are off (see above)."""

    def get_plugins(self, *args, **kwargs):
        if not args and not kwargs and os.environ.get(_PLUGINS) in _ALL_OFF and _pydantic_2():
            return ()
        return self._real().get_plugins(*args, **kwargs)

    def __getattr__(self, name: str):
        if name.startswith("__"):  # what the import system probes (__path__, __file__ …)
            raise AttributeError(name)
        return getattr(self._real(), name)

    def _real(self) -> types.ModuleType:
        import importlib

        if sys.modules.get(_LOADER) is self:
            del sys.modules[_LOADER]
        return importlib.import_module(_LOADER)


def _pydantic_2() -> bool:
    version = sys.modules.get("pydantic.version")
    return getattr(version, "VERSION", "").startswith("2.")


def _no_pydantic_plugins() -> None:
    os.environ.setdefault(_PLUGINS, "__all__")
    if os.environ[_PLUGINS] in _ALL_OFF and _LOADER not in sys.modules:
        sys.modules[_LOADER] = _PluginLoader(_LOADER)


def _command(func, program: bool):
    """The command's function, its module imported. The import builds pydantic's models:
    tens of thousands of objects, none of them garbage, so the collector is off meanwhile
    (~5 ms). For the program itself (`jixiao …`, not `main` called with arguments by a
    test or another program) they are then frozen out of every later collection, the
    interpreter's own at exit included, which would otherwise go over them all (~15 ms)."""
    if not isinstance(func, _Command):
        return func
    if program:  # `main([...])` called by a test or another program leaves its environment alone
        _no_pydantic_plugins()
    collecting = gc.isenabled()
    gc.disable()
    try:
        func = func.resolve()
    finally:
        if collecting:
            gc.enable()
    if program:
        gc.freeze()
    return func


def main(argv: list[str] | None = None) -> int:
    _console_streams()
    args = build_parser(sys.argv[1:] if argv is None else argv).parse_args(argv)
    if not getattr(args, "func", None):
        build_parser().print_help()
        return 2
    try:
        return _command(args.func, program=argv is None)(args)
    except ScoringError as exc:
        print(f"错误：{exc}", file=sys.stderr)
        return 1
    except KeyboardInterrupt:
        print("已中断。", file=sys.stderr)
        return 130
    except BrokenPipeError:  # output piped into head or less that closed early: not an error
        os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
        return 0
    except Exception as exc:  # a bug: say so plainly; the traceback only on request
        if os.environ.get("JIXIAO_DEBUG"):
            raise
        print(f"内部错误：{type(exc).__name__}: {exc}\n请设置环境变量 JIXIAO_DEBUG=1 重试以查看详细信息，并报告此问题。",
              file=sys.stderr)
        return 2
