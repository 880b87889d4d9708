"""Running a command: arguments parsed, the command run, every failure a Chinese message
and an exit code (1 for bad input, 2 for a bug or a wrong invocation, 130 when interrupted)."""

from __future__ import annotations

import os
import sys

from scoring.cli.parser import build_parser
from scoring.core.issues import ScoringError


def main(argv: list[str] | None = None) -> int:
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
