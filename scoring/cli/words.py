"""argparse in Chinese: its usage line, section titles, built-in help and every error.

argparse takes its words from `gettext` through the module's own `_` and `ngettext`;
`install` puts a Chinese table in their place for this process (the standard library
ships no Chinese catalogue for it). `ChineseParser` adds what argparse never says:
for a mistyped command or choice, the nearest one ("是否想输入 score？"). Numbers in
options are read by `whole_number`, whose name argparse shows in its message.
"""

from __future__ import annotations

import argparse
import os
import re
import sys

_WORDS = {
    "usage: ": "用法：",
    "positional arguments": "参数",
    "options": "选项",
    "optional arguments": "选项",
    "show this help message and exit": "显示本帮助并退出",
    "show program's version number and exit": "显示版本号并退出",
    "the following arguments are required: %s": "缺少必需的参数：%s",
    "unrecognized arguments: %s": "无法识别的参数：%s",
    "expected one argument": "需要一个值",
    "expected at most one argument": "最多需要一个值",
    "expected at least one argument": "至少需要一个值",
    "argument %(argument_name)s: %(message)s": "参数 %(argument_name)s：%(message)s",
    "invalid %(type)s value: %(value)r": "“%(value)s”不是%(type)s",
    "invalid choice: %(value)r (choose from %(choices)s)": "“%(value)s”不是可用的选项（可选：%(choices)s）",
    "ambiguous option: %(option)s could match %(matches)s": "选项 %(option)s 不明确，可能是：%(matches)s",
    "not allowed with argument %s": "不能与参数 %s 同时使用",
    "ignored explicit argument %r": "忽略了多余的值 %r",
    "one of the arguments %s is required": "需要以下参数之一：%s",
    "%(prog)s: error: %(message)s\n": "%(prog)s：错误：%(message)s\n",
    "unexpected option string: %s": "无法识别的选项：%s",
    "%r is not callable": "%r 不可调用",
    "cannot merge actions - two groups are named %r": "%r",
    "expected %s argument": "需要 %s 个值",
    "expected %s arguments": "需要 %s 个值",
}


def _translate(text: str) -> str:
    return _WORDS.get(text, text)


def _ntranslate(singular: str, plural: str, n: int) -> str:
    return _translate(singular if n == 1 else plural)


def install() -> None:
    """Chinese for argparse's own words, in this process."""
    argparse._ = _translate
    argparse.ngettext = _ntranslate


def whole_number(text: str) -> int:
    """An option's whole number (a year, a port, a count of processes)."""
    try:
        return int(text.strip())
    except ValueError:
        raise argparse.ArgumentTypeError(f"“{text}”不是整数，请填写如 2022 这样的数字") from None


whole_number.__name__ = "整数"

_CHOICE = re.compile(r"“(?P<value>[^”]*)”不是可用的选项（可选：(?P<choices>.*)）")


def _columns() -> int:
    """The terminal's width as `shutil.get_terminal_size().columns` gives it ($COLUMNS,
    else the terminal's, else 80), without importing shutil and its compression modules
    (2 ms): argparse makes a formatter, asking for the width, for every argument added."""
    try:
        columns = int(os.environ["COLUMNS"])
    except (KeyError, ValueError):
        columns = 0
    if columns > 0:
        return columns
    try:
        return os.get_terminal_size(sys.__stdout__.fileno()).columns or 80
    except (AttributeError, ValueError, OSError):
        return 80


class _Formatter(argparse.HelpFormatter):
    """argparse's own layout, at the width argparse would choose (see `_columns`)."""

    def __init__(self, prog, indent_increment=2, max_help_position=24, width=None):
        super().__init__(prog, indent_increment, max_help_position, _columns() - 2 if width is None else width)


class ChineseParser(argparse.ArgumentParser):
    """An ArgumentParser whose errors are Chinese and suggest the nearest command or choice."""

    def __init__(self, *args, **kwargs):
        kwargs.setdefault("formatter_class", _Formatter)
        super().__init__(*args, **kwargs)

    def error(self, message: str):
        m = _CHOICE.search(message)
        if m:
            import difflib  # only for a mistyped command or choice

            choices = [c.strip().strip("'") for c in m["choices"].split(",")]
            close = difflib.get_close_matches(m["value"], choices, n=1, cutoff=0.5)
            listed = "、".join(choices)
            message = f"“{m['value']}”不是可用的选项；可选：{listed}"
            if close:
                message += f"。是否想输入 {close[0]}？"
        self.print_usage(sys.stderr)
        self.exit(2, f"{self.prog}：错误：{message}\n运行 {self.prog} -h 查看说明。\n")
