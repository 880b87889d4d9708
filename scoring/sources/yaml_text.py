"""YAML text → plain data with the position of every key, within the limits of
`core.limits`.

The YAML is composed into nodes and built by hand, so that
- every value knows its line and column (`SourceMap.locate("indicators[3].actual")`);
- numbers keep the exact text that was typed and become `Decimal` (``0.1`` is
  ``Decimal('0.1')``, never a binary float);
- a key written twice is an error instead of a silent overwrite;
- the file's size, its nesting and its aliases are measured from the event stream
  before anything is composed, and the values built once aliases are followed are
  counted, so an alias bomb or a file nested 50,000 deep ends in a clear message;
- characters XML forbids are removed where they are read, with a warning at their key.

The parser's own problems are put in Chinese (`yaml_problem`).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation
from pathlib import Path

import yaml

from scoring.core import limits
from scoring.core.issues import Issue, Location, ScoringError
from scoring.core.text import has_illegal, strip_illegal
from scoring.sources.archive import check_size

try:  # the C composer is ~10× faster; fall back to pure Python where absent
    _Loader = yaml.CSafeLoader
except AttributeError:  # pragma: no cover - depends on the PyYAML build
    _Loader = yaml.SafeLoader


@dataclass(slots=True)
class SourceMap:
    """Key path → (line, column), 1-based, for one file."""

    file: str
    positions: dict[str, tuple[int, int]] = field(default_factory=dict)

    def locate(self, path: str) -> Location:
        if not self.positions:  # data that came from no file (run_data): nothing to look up
            return Location(self.file, path)
        probe = path
        while True:
            if probe in self.positions:
                line, column = self.positions[probe]
                return Location(self.file, path, line, column)
            if not probe:
                return Location(self.file, path)
            probe = _parent(probe)


def _parent(path: str) -> str:
    cut = max(path.rfind("."), path.rfind("["))
    return path[:cut] if cut > 0 else ""


def join_path(path: str, key: object) -> str:
    if isinstance(key, int):
        return f"{path}[{key}]"
    return f"{path}.{key}" if path else str(key)


class _Builder:
    def __init__(self, source: SourceMap):
        self.source = source
        self.issues: list[Issue] = []
        self.nodes = 0  # values built, aliases followed: a budget against alias bombs

    def build(self, node: yaml.Node, path: str = ""):
        self.nodes += 1
        if self.nodes > limits.MAX_YAML_NODES:
            raise ScoringError(f"{self.source.file}：展开引用（*别名）后的值超过 {limits.MAX_YAML_NODES} 个，"
                               "文件可能是构造的“别名炸弹”；请不要用 &锚点/*别名 重复引用大段内容")
        # a key's own position wins over its value's (set first, below)
        self.source.positions.setdefault(path, (node.start_mark.line + 1, node.start_mark.column + 1))
        if isinstance(node, yaml.MappingNode):
            result = {}
            for key_node, value_node in node.value:
                key = self.build(key_node, "\0")  # keys are located by their own path below
                key = str(key) if key is not None else ""
                sub = join_path(path, key)
                if key in result:
                    self.issues.append(Issue(
                        Location(self.source.file, sub, key_node.start_mark.line + 1,
                                 key_node.start_mark.column + 1),
                        f"键“{key}”重复出现", "同一层级的键只能写一次；请删除或合并重复的一项"))
                self.source.positions[sub] = (key_node.start_mark.line + 1, key_node.start_mark.column + 1)
                result[key] = self.build(value_node, sub)
            return result
        if isinstance(node, yaml.SequenceNode):
            return [self.build(item, join_path(path, i)) for i, item in enumerate(node.value)]
        value = _scalar(node)
        if isinstance(value, str) and has_illegal(value):
            value = strip_illegal(value)
            if path != "\0":  # a key's own problem is reported with the key
                self.issues.append(Issue(self.source.locate(path), "已删除文字中不可见的控制字符",
                                         "这些字符（如 \\x0b）会使 Word 和 Excel 文件无法打开；请检查该处文字", "warning"))
        return value


def _scalar(node: yaml.ScalarNode):
    tag, text = node.tag, node.value
    if node.style:  # quoted: always a string
        return text
    if tag.endswith(":int") or tag.endswith(":float"):
        try:
            value = Decimal(text.replace("_", ""))
        except InvalidOperation:
            return text  # 0x1F, 1:30, .inf …: left as text for validation to report
        return value if value.is_finite() else text
    if tag.endswith(":bool"):
        return text.lower() in ("true", "yes", "on", "y")
    if tag.endswith(":null"):
        return None
    return text  # str, and timestamps kept as typed


def load_yaml(path: str | Path, shown: str | None = None) -> tuple[object, SourceMap, list[Issue]]:
    """Read a YAML file: its data, where each key path is, and duplicate-key problems.

    Raises:
        ScoringError: the file is missing, unreadable, or not YAML.
    """
    path = Path(path)
    if path.is_dir():
        raise ScoringError(f"{path}：这是一个文件夹，不是 YAML 文件")
    check_size(path, limits.MAX_YAML_BYTES, "YAML 文件")
    try:
        text = path.read_text(encoding="utf-8-sig")
    except FileNotFoundError:
        raise ScoringError(f"找不到文件：{path}") from None
    except UnicodeDecodeError:
        raise ScoringError(f"{path}：不是 UTF-8 编码的文本文件；请用 UTF-8 保存") from None
    except OSError as exc:
        raise ScoringError(f"无法读取 {path}：{exc.strerror}") from None
    return parse_yaml(text, shown or str(path))


def parse_yaml(text: str, file: str = "<输入>") -> tuple[object, SourceMap, list[Issue]]:
    source = SourceMap(file)
    try:
        _measure(text, file)
        node = yaml.compose(text, Loader=_Loader)
    except yaml.MarkedYAMLError as exc:
        mark = exc.problem_mark
        where = f"{file}:{mark.line + 1}:{mark.column + 1}" if mark else file
        raise ScoringError(f"{where}: YAML 格式错误：{yaml_problem(exc.problem)}") from None
    except yaml.YAMLError as exc:
        raise ScoringError(f"{file}: YAML 格式错误：{yaml_problem(str(exc))}") from None
    if node is None:
        raise ScoringError(f"{file}: 文件为空")
    builder = _Builder(source)
    data = builder.build(node)
    return data, source, builder.issues


# PyYAML's problems (libyaml's wording and the pure-Python parser's), in the words of
# someone who edits the file; a problem not listed here keeps its original in brackets.
_YAML_PROBLEMS = (
    ("mapping values are not allowed", "此处不能写“键: 值”：冒号后的文字如含“: ”请加引号，或检查缩进"),
    ("could not find expected ':'", "缺少冒号“:”，或上一行的引号没有闭合"),
    ("did not find expected key", "缩进不一致：同一层的键应对齐"),
    ("did not find expected '-' indicator", "列表的缩进不一致：同一列表的“- ”应对齐"),
    ("found character '\\t'", "含有制表符（Tab）：YAML 只能用空格缩进"),
    ("found character that cannot start any token", "含有不能作为开头的字符（如 @、` 或 Tab）：请给该值加引号"),
    ("found undefined alias", "引用了未定义的锚点（*别名）"),
    ("found unknown escape character", "双引号中的转义字符无法识别：反斜杠 \\ 请写成 \\\\，或改用单引号"),
    ("found unexpected end of stream", "文件意外结束：引号或括号没有闭合"),
    ("exceeded maximum nesting depth", "嵌套超过上限：评价文件不需要这么深的结构，请检查括号"),
    ("special characters are not allowed", "含有不允许的特殊字符"),
    ("control characters are not allowed", "含有不允许的控制字符"),
    ("expected <block end>", "缩进或结构有误：这一行的缩进与上文不一致"),
    ("expected ',' or ']'", "方括号列表 [ … ] 中缺少逗号或右括号"),
    ("expected ',' or '}'", "花括号 { … } 中缺少逗号或右括号"),
    ("found unexpected ':'", "冒号位置有误：值中含有冒号时请加引号"),
    ("found duplicate anchor", "锚点（&名称）重复定义"),
    ("second occurrence", "锚点（&名称）重复定义"),
    ("tab character", "含有制表符（Tab）：YAML 只能用空格缩进"),
    ("did not find expected node content", "缺少内容：括号、“- ”或冒号之后应有值，或括号没有闭合"),
    ("but found another document", "文件中有多份文档（以 --- 分隔）：一个文件只能写一份"),
    ("did not find expected <document start>", "一份内容结束后还有多余的文字（如多出的右括号）"),
    ("did not find expected alphabetic or numeric character", "&锚点或 *别名 的名称缺失或含有不允许的字符"),
    ("did not find expected hexdecimal number", "双引号中的转义字符无法识别：反斜杠 \\ 请写成 \\\\，或改用单引号"),
    ("duplicate %YAML directive", "%YAML 声明重复"),
)


def yaml_problem(problem: str | None) -> str:
    """A YAML parser's problem in Chinese, with what to check."""
    text = str(problem or "")
    for fragment, words in _YAML_PROBLEMS:
        if fragment in text:
            return words
    return f"请检查缩进、冒号和引号（{text}）"


def _measure(text: str, file: str) -> None:
    """Size, nesting and aliases, from the event stream, before any node is composed:
    the composer recurses per level, and aliases multiply what is built."""
    if len(text) > limits.MAX_YAML_BYTES:
        raise ScoringError(f"{file}：YAML 文本长 {len(text)} 个字符，超过上限 {limits.MAX_YAML_BYTES}；"
                           "请确认选对了文件，或拆分成几个文件")
    depth = aliases = 0
    open_anchors: list[str | None] = []  # the anchor of each mapping or list not yet closed
    for event in yaml.parse(text, Loader=_Loader):
        if isinstance(event, (yaml.MappingStartEvent, yaml.SequenceStartEvent)):
            depth += 1
            open_anchors.append(event.anchor)
            if depth > limits.MAX_YAML_DEPTH:
                mark = event.start_mark
                raise ScoringError(f"{file}:{mark.line + 1}:{mark.column + 1}: 嵌套超过 {limits.MAX_YAML_DEPTH} 层；"
                                   "评价文件不需要这么深的结构，请检查缩进和括号")
        elif isinstance(event, (yaml.MappingEndEvent, yaml.SequenceEndEvent)):
            depth -= 1
            open_anchors.pop()
        elif isinstance(event, yaml.AliasEvent):
            aliases += 1
            if event.anchor in open_anchors:  # &a [*a]: a structure that contains itself
                mark = event.start_mark
                raise ScoringError(f"{file}:{mark.line + 1}:{mark.column + 1}: 引用“*{event.anchor}”指向包含它自己的"
                                   f"“&{event.anchor}”，内容无穷无尽；请直接写出内容")
            if aliases > limits.MAX_YAML_ALIASES:
                mark = event.start_mark
                raise ScoringError(f"{file}:{mark.line + 1}:{mark.column + 1}: 引用（*别名）超过 "
                                   f"{limits.MAX_YAML_ALIASES} 处；请直接写出内容，不要大量使用 &锚点/*别名")
