"""Reading evaluation files (YAML) into `Evaluation` records, with locations.

The YAML is composed into nodes and built by hand, so that
- every value knows its line and column (`SourceMap.locate("indicators[3].actual")`);
- numbers keep the exact text that was typed and become `Decimal` (``0.1`` is
  ``Decimal('0.1')``, never a binary float);
- a key written twice is an error instead of a silent overwrite.

Pydantic's validation errors become `Issue`s in Chinese with the YAML key path,
the line and column, and a "did you mean" for mistyped keys.
"""

from __future__ import annotations

import difflib
import typing
from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation
from pathlib import Path

import yaml
from pydantic import BaseModel, ValidationError

from scoring.core import limits, model
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


def _join(path: str, key: object) -> str:
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
                sub = _join(path, key)
                if key in result:
                    self.issues.append(Issue(
                        Location(self.source.file, sub, key_node.start_mark.line + 1,
                                 key_node.start_mark.column + 1),
                        f"键“{key}”重复出现", "同一层级的键只能写一次；请删除或合并重复的一项"))
                self.source.positions[sub] = (key_node.start_mark.line + 1, key_node.start_mark.column + 1)
                result[key] = self.build(value_node, sub)
            return result
        if isinstance(node, yaml.SequenceNode):
            return [self.build(item, _join(path, i)) for i, item in enumerate(node.value)]
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


def load_yaml(path: str | Path) -> tuple[object, SourceMap, list[Issue]]:
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
    return parse_yaml(text, str(path))


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
# someone who edits the file; the original stays in brackets for whoever searches it.
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
)


def yaml_problem(problem: str | None) -> str:
    """A YAML parser's problem in Chinese, with what to check."""
    text = str(problem or "")
    for fragment, words in _YAML_PROBLEMS:
        if fragment in text:
            return f"{words}（{text}）"
    return f"请检查缩进、冒号和引号（{text}）"


def _measure(text: str, file: str) -> None:
    """Size, nesting and aliases, from the event stream, before any node is composed:
    the composer recurses per level, and aliases multiply what is built."""
    if len(text) > limits.MAX_YAML_BYTES:
        raise ScoringError(f"{file}：YAML 文本长 {len(text)} 个字符，超过上限 {limits.MAX_YAML_BYTES}；"
                           "请确认选对了文件，或拆分成几个文件")
    depth = aliases = 0
    for event in yaml.parse(text, Loader=_Loader):
        if isinstance(event, (yaml.MappingStartEvent, yaml.SequenceStartEvent)):
            depth += 1
            if depth > limits.MAX_YAML_DEPTH:
                mark = event.start_mark
                raise ScoringError(f"{file}:{mark.line + 1}:{mark.column + 1}: 嵌套超过 {limits.MAX_YAML_DEPTH} 层；"
                                   "评价文件不需要这么深的结构，请检查缩进和括号")
        elif isinstance(event, (yaml.MappingEndEvent, yaml.SequenceEndEvent)):
            depth -= 1
        elif isinstance(event, yaml.AliasEvent):
            aliases += 1
            if aliases > limits.MAX_YAML_ALIASES:
                mark = event.start_mark
                raise ScoringError(f"{file}:{mark.line + 1}:{mark.column + 1}: 引用（*别名）超过 "
                                   f"{limits.MAX_YAML_ALIASES} 处；请直接写出内容，不要大量使用 &锚点/*别名")


# ------------------------------------------------------- validation errors

_UNION_TAGS = {"str", "Decimal", "int", "float", "none", "bool"}


def _is_tag(part: object) -> bool:
    """Pydantic names union members in `loc` (``str``, ``constrained-str``, ``BandsRule`` …)."""
    return isinstance(part, str) and (part in _UNION_TAGS or "-" in part or part[:1].isupper())
def _models_in(annotation) -> list[type[BaseModel]]:
    if isinstance(annotation, type) and issubclass(annotation, BaseModel):
        return [annotation]
    return [m for arg in typing.get_args(annotation) for m in _models_in(arg)]


def _model_at(loc: tuple, root: type[BaseModel]) -> type[BaseModel] | None:
    """The model whose keys are expected at `loc` (the parent of an unknown key)."""
    current: list[type[BaseModel]] = [root]
    for part in loc:
        if isinstance(part, int) or _is_tag(part):
            continue
        nxt = [m for cls in current if part in cls.model_fields
               for m in _models_in(cls.model_fields[part].annotation)]
        if not nxt:
            return None
        current = nxt
    return current[0] if current else None


def _all_fields(root: type[BaseModel]) -> set[str]:
    """Every key that may appear somewhere in a file of this kind."""
    seen: set[type[BaseModel]] = set()
    names: set[str] = set()
    todo = [root]
    while todo:
        cls = todo.pop()
        if cls in seen:
            continue
        seen.add(cls)
        for name, info in cls.model_fields.items():
            names.add(name)
            todo.extend(_models_in(info.annotation))
    return names


_LABELS = {
    "kind": "类型", "unit": "单位名称", "year": "年度", "project": "项目名称",
    "indicators": "绩效指标", "weight": "分值", "target": "年度指标值", "actual": "实际完成值",
    "score": "得分", "level1": "一级指标", "level2": "二级指标", "level3": "三级指标",
    "annual_budget": "全年预算数", "executed": "全年执行数", "initial_budget": "年初预算数",
    "name": "名称", "expected": "预期目标", "rule": "评分规则",
}


def _path_of(loc: tuple) -> str:
    path = ""
    for part in loc:
        if _is_tag(part):
            continue
        path = _join(path, part)
    return path


def _message(err: dict, root: type[BaseModel]) -> tuple[str, str]:
    kind = err["type"]
    last = next((p for p in reversed(err["loc"]) if isinstance(p, str) and not _is_tag(p)), "")
    label = f"“{last}”" + (f"（{_LABELS[last]}）" if last in _LABELS else "")
    ctx = err.get("ctx") or {}
    if kind == "missing":
        return f"缺少必填项{label}", f"请添加 {last}: …"
    if kind == "extra_forbidden":
        owner = _model_at(err["loc"][:-1], root)
        fields = list(owner.model_fields) if owner else []
        close = difflib.get_close_matches(last, fields, n=1)
        if close:
            hint = f"是否想写“{close[0]}”？"
        elif last in _all_fields(root):
            hint = f"“{last}”不能写在这里，请检查缩进或所在位置"
        else:
            hint = "请删除该键，或检查拼写"
        if fields:
            hint += f"（此处可用的键：{'、'.join(fields)}）"
        return f"未知的键“{last}”", hint
    if kind == "literal_error":
        return f"{label}的值“{err.get('input')}”不可用", f"可选值：{ctx.get('expected', '')}"
    if kind in ("greater_than_equal", "greater_than"):
        return f"{label}应不小于 {ctx.get('ge', ctx.get('gt'))}，实际为“{err.get('input')}”", "请填写非负数"
    if kind in ("less_than_equal", "less_than"):
        return f"{label}应不大于 {ctx.get('le', ctx.get('lt'))}，实际为“{err.get('input')}”", ""
    if kind in ("too_short",):
        return f"{label}至少应有 {ctx.get('min_length', 1)} 项", "请补充内容"
    if kind in ("string_too_short",):
        return f"{label}不能为空", "请填写内容"
    if kind in ("dict_type", "model_type", "model_attributes_type"):
        return f"{label}应为键值表（key: value）", "请检查缩进"
    if kind in ("tuple_type", "list_type"):
        return f"{label}应为列表（每项以“- ”开头）", "请检查缩进"
    if kind in ("int_parsing", "int_type", "int_from_float"):
        return f"{label}应为整数，实际为“{err.get('input')}”", ""
    if kind in ("decimal_parsing", "decimal_type", "float_parsing"):
        return f"{label}应为数字，实际为“{err.get('input')}”", "请填写数字，如 10 或 2.5"
    if kind in ("string_type",):
        return f"{label}应为文字，实际为“{err.get('input')}”", "请加引号"
    if kind in ("bool_type", "bool_parsing"):
        return f"{label}应为 true 或 false", ""
    if kind == "value_error":
        return f"{label}：{str(err['msg']).removeprefix('Value error, ')}", ""
    return f"{label}：{err['msg']}", ""


def _is_rule(loc: tuple) -> bool:
    return "rule" in loc and any(_is_tag(p) for p in loc)


def _rule_branch(errors: list[dict]) -> str | None:
    """Which rule shape an author meant: a band table (it has `bands`), a deduction
    (it has `deduct`), or neither. Pydantic reports the errors of every shape."""
    def lacks(tag: str, key: str) -> bool:
        return any(tag in e["loc"] and e["type"] == "missing" and e["loc"][-1] == key for e in errors)

    if any("BandsRule" in e["loc"] for e in errors) and not lacks("BandsRule", "bands"):
        return "BandsRule"
    if any("DeductionRule" in e["loc"] for e in errors) and not lacks("DeductionRule", "deduct"):
        return "DeductionRule"
    return None


def validation_issues(exc: ValidationError, source: SourceMap,
                      root: type[BaseModel] = model.Evaluation) -> list[Issue]:
    """Pydantic errors → Issues with Chinese messages, key paths and lines."""
    issues: list[Issue] = []
    seen: set[str] = set()
    errors = exc.errors(include_url=False)
    failing = {_path_of(e["loc"]) for e in errors}
    for err in errors:
        path = _path_of(err["loc"])
        if err["type"] == "too_short" and any(p != path and p.startswith(path) for p in failing):
            continue  # a list emptied by its own failing items: those are reported
        if _is_rule(err["loc"]):
            rule_path = path[: path.index(".rule") + 5] if ".rule" in path else path
            siblings = [e for e in errors if _is_rule(e["loc"]) and _path_of(e["loc"]).startswith(rule_path)]
            branch = _rule_branch(siblings)
            if branch is not None:
                if branch in err["loc"]:
                    message, hint = _message(err, root)
                    issues.append(Issue(source.locate(path), message, hint))
                continue
            path = rule_path
            if path in seen:
                continue
            seen.add(path)
            issues.append(Issue(source.locate(path), "评分规则 rule 的写法不正确",
                                "应为规则名（如 reverse_linear）、公式（如 weight * ratio）、"
                                "评分档表 {bands: [{when: \"≤10%\", score: 2}], otherwise: 0} "
                                "或扣分规则 {deduct: 0.5, per: 1}"))
            continue
        message, hint = _message(err, root)
        issues.append(Issue(source.locate(path), message, hint))
    return issues


def _placeholder(root: type[BaseModel], loc: tuple) -> object:
    """A stand-in for a required value that failed, so the other checks can run."""
    owner = _model_at(loc[:-1], root)
    field = owner.model_fields.get(loc[-1]) if owner and isinstance(loc[-1], str) else None
    if field is None or not field.is_required():
        return _REMOVE
    choices = typing.get_args(field.annotation)
    if typing.get_origin(field.annotation) is typing.Literal and choices:
        return choices[0]
    if field.annotation is str:
        return "（未填写）"
    return _REMOVE


_REMOVE = object()


def _repair(data: object, err: dict, root: type[BaseModel], pruned: set[str]) -> bool:
    """Remove (or, for a required value, stand in for) what an error points at."""
    parts = [p for p in err["loc"] if not _is_tag(p)]
    if not parts:
        return False
    stand_in = _placeholder(root, tuple(parts))
    if stand_in is _REMOVE and err["type"] == "missing":
        parts = parts[:-1]  # a required key that is absent: the item that lacks it goes
        if not parts:
            return False
    parent = data
    for part in parts[:-1]:
        try:
            parent = parent[part]
        except (KeyError, IndexError, TypeError):
            return False
    last = parts[-1]
    if isinstance(parent, dict) and (last in parent or stand_in is not _REMOVE):
        if stand_in is _REMOVE:
            del parent[last]
        else:
            parent[last] = stand_in
    elif isinstance(parent, list) and isinstance(last, int) and last < len(parent):
        parent[last] = None  # keep indices stable for the other errors
    else:
        return False
    if err["type"] != "extra_forbidden":  # dropping an unknown key changes no value
        pruned.add(_path_of(tuple(parts)))
    return True


def _drop_none_items(data: object) -> object:
    if isinstance(data, dict):
        return {k: _drop_none_items(v) for k, v in data.items()}
    if isinstance(data, list):
        return [_drop_none_items(v) for v in data if v is not None]
    return data


def validate_leniently(cls: type[BaseModel], data: dict, source: SourceMap):
    """Validate; on errors, report them, then drop what failed and validate the rest,
    so that a checker can still report every other problem in the same run.

    Returns:
        (instance or None, issues, pruned): `pruned` holds the key paths that were
        removed or stood in for; checks over their ancestors would only echo them.
    """
    import copy

    try:
        return cls.model_validate(data), [], set()
    except ValidationError as exc:
        issues = validation_issues(exc, source, cls)
        errors = exc.errors(include_url=False)
    work = copy.deepcopy(data)
    pruned: set[str] = set()
    for _ in range(5):
        if not any([_repair(work, e, cls, pruned) for e in errors]):
            return None, issues, pruned
        work = _drop_none_items(work)
        try:
            return cls.model_validate(work), issues, pruned
        except ValidationError as exc:
            errors = exc.errors(include_url=False)
    return None, issues, pruned


def to_evaluation(data: object, source: SourceMap) -> tuple[model.Evaluation | None, list[Issue]]:
    """Validate plain data as an `Evaluation`; problems become located Issues."""
    if not isinstance(data, dict):
        return None, [Issue(Location(source.file), "文件顶层应为键值表（kind、unit、year、indicators …）",
                            "请参照 examples/ 中的评价文件")]
    try:
        return model.Evaluation.model_validate(data), []
    except ValidationError as exc:
        return None, validation_issues(exc, source)


def load_evaluation(path: str | Path) -> tuple[model.Evaluation | None, SourceMap, list[Issue]]:
    """Read and validate one evaluation file.

    Raises:
        ScoringError: the file is missing, unreadable, or not YAML.
    """
    data, source, issues = load_yaml(path)
    evaluation, found = to_evaluation(data, source)
    return evaluation, source, issues + found


# ------------------------------------------------------------------ writing


class _Dumper(yaml.SafeDumper):
    pass


def _represent_decimal(dumper: yaml.SafeDumper, value: Decimal) -> yaml.Node:
    text = format(value, "f")
    tag = "tag:yaml.org,2002:int" if "." not in text else "tag:yaml.org,2002:float"
    return dumper.represent_scalar(tag, text)


_Dumper.add_representer(Decimal, _represent_decimal)


def dump_yaml(data: object, header: str = "") -> str:
    """Plain data → YAML text that `parse_yaml` reads back to the same values.

    Decimals are written as the numbers they are (never through float), Chinese
    is written as is, keys keep their order.
    """
    text = yaml.dump(data, Dumper=_Dumper, allow_unicode=True, sort_keys=False,
                     default_flow_style=False, width=100)
    if header:
        text = "".join(f"# {line}\n" if line else "#\n" for line in header.splitlines()) + text
    return text
