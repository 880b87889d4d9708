"""`jixiao render` on many files: each file loaded, scored and rendered in a worker process.

The command's own process only lists the input files, names the documents in input
order (a second document of the same name gets “_2”) and puts them in place. A
worker takes one file: it loads and scores it, renders each document into a
complete, checked temporary file beside its place (`files.write_pending`), and
returns only what the command prints and the 汇总表 and 汇编 need (`Evaluated`: the
issues to show, a few fields of the evaluation, the temporary files). No evaluation
outlives its file in any process, so the memory of a batch does not grow with it.

Files are handed out a few at a time per worker, and the results are taken in input
order, so messages come in the order of the files, as they would one by one. When
anything fails (a template that breaks on one evaluation, Ctrl-C), the temporary
files not yet in place are removed; a killed command may leave some
(.名称.xxxxxxxx.tmp), never a partial document.
"""

from __future__ import annotations

import os
from collections import deque
from collections.abc import Iterator
from dataclasses import dataclass, field
from decimal import Decimal
from pathlib import Path

from scoring.core.issues import Issue


@dataclass(frozen=True, slots=True)
class Options:
    """What every document of a batch shares."""

    out: str
    template: str | None  # a custom template (absolute path), or the built-in ones
    layout: str | None
    report: bool
    filled_by: str | None = None
    reviewed_by: str | None = None
    date: str | None = None


@dataclass(frozen=True, slots=True)
class Amounts:
    """What the 汇总表 reads of the funds block and of its result."""

    annual_budget: Decimal | None = None
    executed: Decimal | None = None
    execution_rate: Decimal | None = None


@dataclass(frozen=True, slots=True)
class Table:
    """An evaluation as the 汇总表 and the 汇编 read it (`batch.summary_workbook`,
    `batch.combine`): the same attribute names as `Evaluation` and `EvaluationResult`
    for what they use, so one record stands for both."""

    unit: str
    year: int
    kind: str
    project: str | None
    funding: Amounts | None
    total: Decimal | None
    grade: str | None


@dataclass(slots=True)
class Evaluated:
    """One evaluation of an input file, as a worker leaves it."""

    path: Path
    ok: bool
    issues: tuple[Issue, ...]  # its errors (not ok) or warnings, to be shown at their places
    gaps: str | None = None  # the report's placeholders, worded (`narrative.gaps_warning`)
    table: Table | None = None
    documents: list[tuple[str, str]] = field(default_factory=list)  # (name, temporary file)


@dataclass(slots=True)
class FileOutcome:
    path: Path
    skipped: str | None = None  # a known non-evaluation found in a folder, passed over
    evaluations: list[Evaluated] = field(default_factory=list)

    def discard(self) -> None:
        """Remove the temporary files not put in place."""
        for evaluated in self.evaluations:
            for _, tmp in evaluated.documents:
                try:
                    os.unlink(tmp)
                except FileNotFoundError:
                    pass


def _table(ev, result) -> Table:
    funding = None
    if ev.funding is not None or result.funding is not None:
        f = ev.funding
        funding = Amounts(f.annual_budget if f else None, f.executed if f else None,
                          result.funding.execution_rate if result.funding else None)
    return Table(ev.unit, ev.year, ev.kind, ev.project, funding, result.total, result.grade)


def render_file(job: tuple[Path, bool, Options]) -> FileOutcome:
    """Worker: every evaluation of one file, scored, its documents rendered into
    temporary files beside their places (see `render.document_name`)."""
    from scoring.outputs.files import write_pending
    from scoring.outputs.narrative import gaps_warning
    from scoring.outputs.prose import chinese_date
    from scoring.outputs.render import (
        REPORT_TEMPLATE,
        builtin_template,
        document_bytes,
        document_name,
        to_context,
        worker_template,
    )
    from scoring.pipeline import run_all
    from scoring.sources.detect import NotAnEvaluation
    from scoring.sources.resources import data_dir

    path, named, options = job
    outcome = FileOutcome(path)
    try:
        found = run_all(path)
    except NotAnEvaluation as exc:
        if named:
            raise
        outcome.skipped = f"跳过 {exc}"
        return outcome
    out = Path(options.out)
    try:
        for scored in found:
            if not scored.ok:
                outcome.evaluations.append(Evaluated(path, False, tuple(
                    i for i in scored.issues if i.severity == "error")))
                continue
            ev, result = scored.evaluation, scored.result
            extra = {k: v for k, v in (("filled_by", options.filled_by), ("reviewed_by", options.reviewed_by),
                                       ("date", chinese_date(options.date))) if v}
            context = to_context(ev, result, options.layout, **extra)
            gaps = None
            if options.report and context["n"].get("missing"):  # placeholders only the unit can fill
                gaps = gaps_warning(path, ev, context["n"]["missing"])
            evaluated = Evaluated(path, True, tuple(i for i in scored.issues if i.severity == "warning"), gaps,
                                  _table(ev, result))
            outcome.evaluations.append(evaluated)
            outputs = [(options.template or str(builtin_template(ev, options.layout)), document_name(ev))]
            if options.report:
                outputs.append((str(data_dir("reports") / REPORT_TEMPLATE), document_name(ev, report=True)))
            for template_path, name in outputs:
                target = out / name
                data = document_bytes(worker_template(template_path), context, str(target))
                tmp = write_pending(target, data, check_parts=False)
                evaluated.documents.append((name, tmp))
    except BaseException:
        outcome.discard()
        raise
    return outcome


def render_files(files: list[Path], named: set[Path], options: Options, workers: int = 1) -> Iterator[FileOutcome]:
    """Each file's outcome, in the order of `files`, from `workers` processes.

    The caller puts the documents in place (`files.put_in_place`) before asking for the next
    one; whatever it leaves, and whatever the workers made after a failure, is removed
    when the iteration ends. Worker processes end with this process, even when it is
    killed (`render._die_with_parent`)."""
    if workers <= 1 or len(files) < 8:
        for path in files:
            outcome = render_file((path, path in named, options))
            try:
                yield outcome
            finally:
                outcome.discard()
        return
    from concurrent.futures import ProcessPoolExecutor

    from scoring.outputs.render import _die_with_parent

    pool = ProcessPoolExecutor(max_workers=workers, initializer=_die_with_parent, initargs=(os.getpid(),))
    pending: deque = deque()
    ahead = workers * 4  # enough to keep every worker busy, few enough to hold little
    todo = iter(files)
    try:
        for path in todo:
            pending.append(pool.submit(render_file, (path, path in named, options)))
            if len(pending) >= ahead:
                break
        while pending:
            outcome = pending.popleft().result()
            for path in todo:
                pending.append(pool.submit(render_file, (path, path in named, options)))
                break
            try:
                yield outcome
            finally:
                outcome.discard()
    finally:
        for future in pending:
            future.cancel()
        pool.shutdown(wait=True)
        for future in pending:
            if not future.cancelled() and future.exception() is None:
                future.result().discard()

