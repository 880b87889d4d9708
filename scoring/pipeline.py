"""The pipeline, written out once: load → parse → score → cross-check.

Loading (`sources`) turns a file into `Evaluation` records with a source map and
the problems of its shape; parsing (`core.parse`) reads every target, actual and
rule once into typed values; scoring (`core.score`) computes each row, the funds
block and the total; the cross-checks (`core.validate`) look across rows. Every
stage adds its problems to one list; nothing stops at the first.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from scoring.core.issues import Issue, ScoringError
from scoring.core.model import Evaluation
from scoring.core.parse import ParsedEvaluation, parse_evaluation
from scoring.core.results import EvaluationResult
from scoring.core.score import score_evaluation
from scoring.core.validate import validate
from scoring.sources.detect import (
    NotAnEvaluation,
    describe,
    file_kind,
    is_review_record,
    is_spreadsheet_kind,
)
from scoring.sources.loader import SourceMap, load_evaluation, to_evaluation


@dataclass(frozen=True, slots=True)
class Scored:
    """One evaluation file, scored (or the problems that prevented it)."""

    source: SourceMap
    evaluation: Evaluation | None
    result: EvaluationResult | None
    issues: tuple[Issue, ...]

    @property
    def ok(self) -> bool:
        return not any(i.severity == "error" for i in self.issues)


def score(evaluation: Evaluation, source: SourceMap | None = None,
          earlier: tuple[Issue, ...] | list[Issue] = ()) -> EvaluationResult:
    """Score an evaluation and run every cross-check; all issues end up in the result.

    The total and grade are left empty when any error remains: a wrong total is
    worse than none.
    """
    return score_parsed(parse_evaluation(evaluation), source, earlier)


def score_parsed(parsed: ParsedEvaluation, source: SourceMap | None = None,
                 earlier: tuple[Issue, ...] | list[Issue] = ()) -> EvaluationResult:
    """`score` of an evaluation already parsed (the audit compares the parsed values too)."""
    locate = (source or SourceMap("")).locate
    result = score_evaluation(parsed, locate)
    issues = tuple(earlier) + result.issues + tuple(validate(parsed, result, locate))
    if any(i.severity == "error" for i in issues):
        return result._replace(issues=issues, total=None, grade=None)
    return result._replace(issues=issues)


def run(path: str | Path, shown: str | None = None) -> Scored:
    """Load, validate and score one evaluation file.

    Raises:
        ScoringError: the file is missing, unreadable, or not YAML.
    """
    evaluation, source, issues = load_evaluation(path, shown)
    return _finish(evaluation, source, issues)


def run_all(path: str | Path) -> list[Scored]:
    """Every evaluation in a file: one for a YAML file, one per evaluation sheet for a
    workbook (.xlsx, .xls …), whose issues name their sheet and cell.

    Raises:
        ScoringError: the file is missing, unreadable, or holds no evaluation.
    """
    kind = file_kind(path)
    if is_spreadsheet_kind(kind):
        # the workbook reader (openpyxl) is imported for workbooks only: `jixiao score x.yaml` starts faster
        from scoring.sources.workbook.roles import refuse_role

        try:
            scored = score_workbook(path)
        except ScoringError as exc:  # no table with 三级指标 at all: a 汇总表 is one such
            try:
                refuse_role(Path(path))
            except NotAnEvaluation:
                raise
            except ScoringError:
                pass
            raise exc from None
        if all(s.evaluation is None for s in scored):
            refuse_role(Path(path))  # a target table, a review sheet: say what it is and what takes it
        return scored
    if kind != "yaml":
        raise ScoringError(f"{path}：这是{describe(kind)}，不是评价文件；jixiao 读取 YAML 评价文件和工作簿"
                           "（.xlsx、.xls、.ods，含 WPS 另存的这些格式），文件夹则读取其中所有这些文件")
    if is_review_record(path):
        raise NotAnEvaluation(f"{path}：这是复核记录，不是评价文件；请用 jixiao rescore 评价文件 --review 该文件 重新计分")
    return [run(path)]


def score_workbook(path: str | Path) -> list[Scored]:
    """Read a workbook and score every evaluation in it; every issue names its sheet and cell.

    Returns:
        One `Scored` per evaluation sheet, in workbook order.

    Raises:
        ScoringError: the file is missing, not a spreadsheet, or holds no evaluation.
    """
    from scoring.sources.workbook.reader import load_evaluations  # not for YAML files

    scored = []
    for sheet in load_evaluations(path):
        if sheet.evaluation is None:
            scored.append(Scored(sheet.source, None, None, tuple(sheet.issues)))
            continue
        result = score(sheet.evaluation, sheet.source, sheet.issues)
        issues = sheet.sheet_issues(result.issues)
        scored.append(Scored(sheet.source, sheet.evaluation, result._replace(issues=issues), issues))
    return scored


def run_data(data: object, file: str = "<输入>") -> Scored:
    """The same pipeline over data already loaded (tests, benchmarks, other readers)."""
    source = SourceMap(file)
    evaluation, issues = to_evaluation(data, source)
    return _finish(evaluation, source, issues)


def _finish(evaluation: Evaluation | None, source: SourceMap, issues: list[Issue]) -> Scored:
    if evaluation is None:
        return Scored(source, None, None, tuple(issues))
    result = score(evaluation, source, issues)
    return Scored(source, evaluation, result, result.issues)
