"""Scoring an uploaded version, at once and again on demand.

Each upload belongs to one project (a unit's fill-in workbook is made per project, with
that project's template). The bytes, exactly as stored, are written to a private
temporary folder under a name jixiao chooses (never the uploaded name), their kind is
read from their content (`sources.detect`: a Word file or a zip renamed .xlsx is refused
by what it is), and `pipeline.score_workbook` reads them within the hostile-file limits
of `core.limits`. The sheet whose 项目名称 is the project's is the one scored; every
problem is kept with its sheet and cell (the temporary name replaced by the uploaded
one), as a `Scoring` row: one per version, never changed.
"""

from __future__ import annotations

import json
import re
import tempfile
import unicodedata
from dataclasses import dataclass
from pathlib import Path

from sqlalchemy.orm import Session

from scoring.core.issues import Issue, ScoringError, by_position
from scoring.core.model import Evaluation
from scoring.core.results import EvaluationResult
from scoring.pipeline import score_workbook
from scoring.server.models import Project, Scoring, Submission, now
from scoring.sources.detect import describe, file_kind, is_spreadsheet_kind

MAX_UPLOAD = 20 * 1024 * 1024  # bytes of one upload (a 30-project workbook is under 1 MB)
UPLOAD_STEM = "上传文件"


@dataclass(frozen=True)
class Checked:
    """One version scored: the project's evaluation (None when it could not be read) and
    every problem, as plain dicts for the page and the database."""

    evaluation: Evaluation | None
    result: EvaluationResult | None
    problems: list[dict]

    @property
    def errors(self) -> int:
        return sum(p["severity"] == "error" for p in self.problems)

    @property
    def warnings(self) -> int:
        return sum(p["severity"] == "warning" for p in self.problems)


def same_name(a: str | None, b: str) -> bool:
    """Two project names that are the same but for full-width forms and spaces."""

    def norm(text: str) -> str:
        return "".join(unicodedata.normalize("NFKC", text or "").split())

    return norm(a or "") == norm(b)


def _problem(severity: str, where: str, message: str, hint: str = "") -> dict:
    return {"severity": severity, "where": where, "message": message, "hint": hint}


@dataclass(frozen=True)
class Reading:
    """An uploaded file read once: its evaluation sheets scored, or why it could not be read."""

    shown: str  # the uploaded name, as the problems name the file
    folder: str  # the temporary folder it was read in (gone now), replaced in messages
    scored: tuple = ()
    failure: tuple[dict, ...] = ()

    def named(self, text: str) -> str:
        """The uploaded name where the temporary one was."""
        return re.sub(rf"{UPLOAD_STEM}(\.[a-z]+)?", lambda _: self.shown, text.replace(self.folder + "/", ""))

    @property
    def projects(self) -> list[str]:
        return [s.evaluation.project or "" for s in self.scored if s.evaluation is not None]


def read(content: bytes, original_name: str) -> Reading:
    """Read and score every sheet of `content`; never raises for a bad file."""
    shown = (original_name or UPLOAD_STEM).replace("/", "_").replace("\\", "_")[:100]
    with tempfile.TemporaryDirectory(prefix="jixiao-upload-") as folder:
        raw = Path(folder) / UPLOAD_STEM
        raw.write_bytes(content)
        try:
            kind = file_kind(raw)
            if not is_spreadsheet_kind(kind):
                return Reading(shown, folder, failure=(_problem(
                    "error", shown, f"这是{describe(kind)}，不是工作簿；请上传填报工作簿（.xlsx、.xls 或 .ods）"),))
            scored = score_workbook(raw.rename(raw.with_name(f"{UPLOAD_STEM}.{kind}")))
        except ScoringError as exc:
            reading = Reading(shown, folder)
            return Reading(shown, folder, failure=(_problem("error", shown, reading.named(str(exc))),))
    return Reading(shown, folder, tuple(scored))


def _not_this_project(scored, project: Project) -> list[Issue]:
    """A sheet that names another unit or year, or changes the targets the project was set up
    with: an error at its cell, so it can never be submitted as this project's."""
    from scoring.core.values import normalize
    from scoring.server.targets import set_targets

    ev, locate = scored.evaluation, scored.source.locate
    found = []
    if not same_name(ev.unit, project.unit.name):
        found.append(Issue(locate("unit"), f"单位名称“{ev.unit}”不是本项目的单位“{project.unit.name}”",
                           "请下载本单位的填报工作簿填写后上传，不要改动单位名称"))
    if ev.year != project.year:
        found.append(Issue(locate("year"), f"年度 {ev.year} 不是本项目的年度 {project.year}",
                           "请下载本年度的填报工作簿填写后上传"))
    targets = set_targets(project)
    for i, ind in enumerate(ev.indicators):
        expected = targets.get(ind.level3)
        if expected is not None and normalize(ind.target or "") != normalize(expected):
            found.append(Issue(locate(f"indicators[{i}].target"),
                               f"三级指标“{ind.level3}”的年度指标值“{ind.target or ''}”与绩效目标表的“{expected}”不一致",
                               "年度指标值以批复的绩效目标表为准，请改回后上传"))
    return found


def for_project(reading: Reading, project: Project) -> Checked:
    """The sheet of `project` in what was read, with its problems at sheet and cell; a sheet of
    another unit or year, or with changed targets, is an error."""
    project_name = project.name
    if reading.failure:
        return Checked(None, None, list(reading.failure))

    def problems(issues) -> list[dict]:
        return [_problem(i.severity, reading.named(str(i.location)), reading.named(i.message),
                         reading.named(i.hint)) for i in by_position(list(issues)) if i.severity in ("error", "warning")]

    mine = [s for s in reading.scored if s.evaluation is not None and same_name(s.evaluation.project, project_name)]
    if not mine:
        found = "、".join(f"“{name}”" for name in reading.projects) or "没有可读的自评表"
        unreadable = [i for s in reading.scored if s.evaluation is None for i in s.issues]
        return Checked(None, None, [_problem("error", reading.shown, f"工作簿中找不到项目“{project_name}”的自评表"
                                             f"（其中：{found}）", "请下载本项目的填报工作簿填写后上传，不要改动表中的项目名称")]
                       + problems(unreadable))
    return Checked(mine[0].evaluation, mine[0].result,
                   problems((*mine[0].issues, *_not_this_project(mine[0], project))))


def check(content: bytes, original_name: str, project: Project) -> Checked:
    """Score `content` as `project`'s workbook; never raises for a bad file."""
    return for_project(read(content, original_name), project)


def record(db: Session, row: Submission, checked: Checked) -> Scoring:
    """The scoring of `row`, as a new row (committed by the caller)."""
    result = checked.result
    total = None if result is None or result.total is None else str(result.total)
    scoring = Scoring(submission_id=row.id, scored_at=now(), errors=checked.errors, warnings=checked.warnings,
                      total=total, grade=(result.grade if result is not None and total else None),
                      issues=json.dumps(checked.problems, ensure_ascii=False))
    db.add(scoring)
    return scoring


def problems_of(scoring: Scoring | None) -> list[dict]:
    return json.loads(scoring.issues) if scoring is not None else []

