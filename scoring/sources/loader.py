"""Evaluation files (YAML) → `Evaluation` records, with locations; and records → YAML.

The text is read by `yaml_text` (positions, limits, Chinese parser errors);
here pydantic's validation errors become `Issue`s in Chinese with the YAML key
path, the line and column, and a "did you mean" for mistyped keys.
"""

from __future__ import annotations

import re
import typing
from decimal import Decimal
from pathlib import Path

import yaml
from pydantic import BaseModel, ValidationError

from scoring.core import model
from scoring.core.issues import Issue, Location
from scoring.sources.yaml_text import SourceMap, join_path, load_yaml, parse_yaml

__all__ = ["SourceMap", "dump_yaml", "load_evaluation", "load_yaml", "parse_yaml", "to_evaluation",
           "validate_leniently", "validation_issues"]

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
        path = join_path(path, part)
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
        import difflib  # only when a key is unknown

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
        expected = re.findall(r"'([^']*)'", str(ctx.get('expected', '')))  # pydantic writes "'a' or 'b'"
        return f"{label}的值“{err.get('input')}”不可用", f"可选值：{'、'.join(expected)}"
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


def load_evaluation(path: str | Path, shown: str | None = None) -> tuple[model.Evaluation | None, SourceMap, list[Issue]]:
    """Read and validate one evaluation file.

    Raises:
        ScoringError: the file is missing, unreadable, or not YAML.
    """
    data, source, issues = load_yaml(path, shown)
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
