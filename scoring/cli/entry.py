"""Running a command: arguments parsed, the command run, every failure a Chinese message
and an exit code (1 for bad input, 2 for a bug or a wrong invocation, 130 when interrupted)."""

from __future__ import annotations

import codecs
import os
import sys

from scoring.cli.parser import build_parser
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


def main(argv: list[str] | None = None) -> int:
    _console_streams()
    parser = build_parser()
    args = parser.parse_args(argv)
    if not getattr(args, "func", None):
        parser.print_help()
        return 2
    try:
        return args.func(args)
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
