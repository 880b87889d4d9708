"""The `jixiao` command.

    jixiao score FILE [--json]     score one evaluation file
    jixiao demo [-o DIR]           score the built-in samples and write the results

Bad input exits 1 with messages that name the file, line and key; no traceback.
"""

from __future__ import annotations

import argparse
import os
import sys
from pathlib import Path

from . import __version__
from .files import write_text_atomic
from .issues import ScoringError
from .pipeline import run
from .resources import sample_files
from .show import format_text, to_json


def _score(args: argparse.Namespace) -> int:
    scored = run(args.file)
    sys.stdout.write(to_json(scored) + "\n" if args.json else format_text(scored))
    return 0 if scored.ok else 1


def _demo(args: argparse.Namespace) -> int:
    out = Path(args.output)
    samples = sample_files()
    if not samples:
        raise ScoringError("找不到内置示例文件；请重新安装 jixiao")
    print(f"正在计算 {len(samples)} 份内置示例（来自公开的决算自评表）……")
    failed = 0
    for path in samples:
        scored = run(path)
        write_text_atomic(out / f"{path.stem}.txt", format_text(scored))
        write_text_atomic(out / f"{path.stem}.json", to_json(scored) + "\n")
        r = scored.result
        total = "—" if r is None or r.total is None else f"{r.total.normalize():f}"
        grade = "" if r is None or r.grade is None else f"（{r.grade}）"
        print(f"  {path.stem}：总分 {total}{grade}")
        failed += not scored.ok
    print(f"结果已写入 {out.resolve()}（每份示例一个 .txt 说明和一个 .json）")
    return 1 if failed else 0


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="jixiao", description="预算绩效自评：按官方规则计算得分、偏差度、总分和等级。"
    )
    parser.add_argument("--version", action="version", version=f"jixiao {__version__}")
    sub = parser.add_subparsers(dest="command", metavar="命令")
    p = sub.add_parser("score", help="计算一份评价文件的得分", description="计算一份评价文件（YAML）的得分，并逐行说明扣分原因。")
    p.add_argument("file", help="评价文件（.yaml）")
    p.add_argument("--json", action="store_true", help="以 JSON 输出（字段见 docs/evaluation-file.md）")
    p.set_defaults(func=_score)
    p = sub.add_parser("demo", help="计算内置示例并写出结果", description="计算内置示例（公开发布的自评表），把结果写入文件夹。")
    p.add_argument("-o", "--output", default="jixiao-demo", help="输出文件夹（默认 ./jixiao-demo）")
    p.set_defaults(func=_demo)
    return parser


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
    except Exception as exc:  # a bug: say so plainly; the traceback only on request
        if os.environ.get("JIXIAO_DEBUG"):
            raise
        print(f"内部错误：{type(exc).__name__}: {exc}\n请设置环境变量 JIXIAO_DEBUG=1 重试以查看详细信息，并报告此问题。",
              file=sys.stderr)
        return 2


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())
