"""Word documents: scored evaluations → the official tables, through docxtpl templates.

`to_context` turns an evaluation and its result into plain data, every number
already formatted as the published tables print it; the Word template only
places it. Templates are ordinary .docx files with docxtpl tags ({{ }}, {%tr %}),
so users can bring their own (`jixiao render --template my.docx`); the context
variables are listed in docs/render.md.

`WordTemplate` (`outputs.word_template`) checks a template and compiles it once,
then renders many documents from it quickly. Templates always render in a
sandboxed, autoescaping Jinja environment with StrictUndefined and a budget
(`outputs.sandbox`): `&` and `<` in names cannot corrupt the document, a template
cannot reach Python internals nor compute without end, and a misspelt variable is
an error naming it instead of a blank cell. `render_many` writes the documents,
in worker processes that end with the command that started them.
"""

from __future__ import annotations

import os
import sys
from decimal import Decimal
from pathlib import Path

from scoring.core.model import Evaluation
from scoring.core.numbers import fixed, plain
from scoring.core.results import EvaluationResult
from scoring.outputs.layouts import DEFAULT_LAYOUT, LAYOUTS, TableStyle, UnknownLayout, table_style
from scoring.outputs.narrative import narrative
from scoring.outputs.sandbox import jinja_environment
from scoring.outputs.word_template import DOCUMENT, RenderError, WordTemplate
from scoring.sources.resources import data_dir

__all__ = ["DOCUMENT", "RenderError", "WordTemplate", "jinja_environment", "to_context", "builtin_template",
           "document_name", "render_many", "REPORT_TEMPLATE", "LAYOUTS", "UnknownLayout"]


# ---------------------------------------------------------------- context


def _amount(value: Decimal | None) -> str:
    return "" if value is None else plain(value)


def _merge_marks(rows: list[dict], key: str, groups: list[tuple]) -> None:
    """Mark runs of equal `groups` values: the first row restarts a merge, the
    others continue it and print nothing. A run of one row is not merged."""
    i = 0
    while i < len(rows):
        j = i
        while j + 1 < len(rows) and groups[j + 1] == groups[i]:
            j += 1
        for k in range(i, j + 1):
            rows[k][f"{key}_merge"] = "" if i == j else ("restart" if k == i else "continue")
            if k > i:
                rows[k][key] = ""
        i = j + 1


def _style(ev: Evaluation, layout: str | None) -> TableStyle:
    described = any(ind.description for ind in ev.indicators)
    return table_style(ev.kind, ev.template, described, layout)


def _funding(ev: Evaluation, result: EvaluationResult, style: TableStyle) -> dict:
    if ev.funding is None or result.funding is None:
        return {"label": "", "weight": "", "initial_budget": "", "annual_budget": "", "executed": "",
                "execution_rate": "", "score": "", "explanation": "", "sources": []}
    f, fr = ev.funding, result.funding
    sources = []
    for k, (s, sr) in enumerate(zip(f.sources, fr.sources)):
        sources.append({"name": s.name, "label": style.source_label(k, s.name),
                        "merge": "" if len(f.sources) < 2 else ("restart" if k == 0 else "continue"),
                        "initial_budget": _amount(s.initial_budget), "annual_budget": _amount(s.annual_budget),
                        "executed": _amount(s.executed), "mark": style.source_mark,
                        "execution_rate": style.rate_text(sr.execution_rate, empty=True)})
    return {"label": style.funding_label.format(label=f.label), "weight": plain(f.weight),
            "initial_budget": _amount(f.initial_budget), "annual_budget": _amount(f.annual_budget),
            "executed": _amount(f.executed), "execution_rate": style.rate_text(fr.execution_rate),
            "score": style.funds_score_text(fr.score), "explanation": fr.explanation, "sources": sources}


def to_context(ev: Evaluation, result: EvaluationResult, layout: str | None = None, *,
               style: TableStyle | None = None, **extra: str) -> dict:
    """Everything a template may show, as plain data (documented in docs/render.md);
    numbers are written as `layout` (outputs.layouts; default Henan) prints them,
    or as `style` does when given."""
    style = style or _style(ev, layout)
    rows = []
    for ind, row in zip(ev.indicators, result.indicators):
        rows.append({
            "level1": ind.level1, "level2": ind.level2, "level3": ind.level3,
            "description": ind.description, "target": ind.target or "", "actual": ind.actual or "",
            # a 其中 (breakdown) row prints no 分值 and no 得分, as the tables that have them do
            "weight": "" if row.status == "breakdown" else plain(row.weight),
            "score": "" if row.status == "breakdown" else ("—" if row.score is None else plain(row.score)),
            "deviation": "" if row.deviation is None else fixed(row.deviation),
            "reason": ind.reason, "explanation": row.explanation, "status": row.status,
        })
    level1 = [(r["level1"],) for r in rows]
    level2 = [(r["level1"], r["level2"]) for r in rows]  # taken before any cell is blanked
    _merge_marks(rows, "level1", level1)
    _merge_marks(rows, "level2", level2)
    context = {
        "kind": ev.kind, "unit": ev.unit, "year": ev.year, "project": ev.project or "",
        "project_code": ev.project_code or "", "supervisor": ev.supervisor or ev.unit,
        "implementer": ev.implementer or ev.unit, "title": ev.title, "layout": layout or DEFAULT_LAYOUT,
        "funding": _funding(ev, result, style),
        "funds_management": [{"name": m.name, "description": m.description, "weight": plain(m.weight),
                              "score": plain(mr.score), "problems": m.problems}
                             for m, mr in zip(ev.funds_management, result.funds_management)],
        "goals": [{"name": g.name, "expected": g.expected, "actual": g.actual,
                   "text": f"{g.name}：{g.expected}" if g.name else g.expected} for g in ev.goals],
        "tasks": [{"name": t.name, "content": t.content, "result": t.result} for t in ev.tasks],
        "indicators": rows,
        "weight_total": plain(result.weight_total),
        "total": style.total_text(result.total),
        "grade": result.grade or "",
        "filled_by": "", "reviewed_by": "", "date": "",
        "n": narrative(ev, result) if result.total is not None else {},
    }
    context.update(extra)
    return context


def builtin_template(ev: Evaluation, layout: str | None = None) -> Path:
    """The shipped Word template for an evaluation in a layout (outputs.layouts):
    by default the Henan department table (with the 指标说明 column when rows carry
    one, seed 000) or project table, or the central (财预〔2020〕10号) project table."""
    return data_dir("reports") / _style(ev, layout).template


REPORT_TEMPLATE = "绩效自评报告_tpl.docx"


# ----------------------------------------------------------------- batches


def document_name(ev: Evaluation, report: bool = False) -> str:
    from scoring.outputs.files import safe_name

    kind = "项目支出绩效自评表" if ev.kind == "project" else "部门整体支出绩效自评表"
    if report:
        kind = "绩效自评报告"
    name = f"{ev.unit}_{ev.project}" if ev.project else ev.unit
    return f"{safe_name(name)}_{ev.year}_{kind}.docx"


_WORKER_TEMPLATES: dict[str, WordTemplate] = {}


def _render_one(job: tuple[str, dict, str]) -> str:
    """Worker: render one context with a template compiled once per process; the
    rendered parts are checked before the file is put in place."""
    template_path, context, out = job
    write_document(worker_template(template_path), context, out)
    return out


def worker_template(path: str) -> WordTemplate:
    """The template at `path`, compiled once per process."""
    template = _WORKER_TEMPLATES.get(path)
    if template is None:
        template = _WORKER_TEMPLATES[path] = WordTemplate(path)
    return template


def write_document(template: WordTemplate, context: dict, out: str) -> None:
    """Render one document and write it atomically (`document_bytes`)."""
    from scoring.outputs.files import write_bytes_atomic

    write_bytes_atomic(out, document_bytes(template, context, out), check_parts=False)


def document_bytes(template: WordTemplate, context: dict, out: str) -> bytes:
    """One document to be saved as `out`, its rendered parts checked first
    (`outputs.xmlcheck`, as `files.check_output` would, on the XML before it is zipped;
    the parts the template did not change were checked when it was loaded)."""
    from scoring.outputs.xmlcheck import xml_problem

    parts = template.render_parts(context)
    for name, data in parts.items():
        problem = xml_problem(data)
        if problem:
            raise RenderError(f"{template.path}（{name}）：用此模板生成的文档不是有效的 Word 文档，未保存 {out}"
                              f"（{problem}）；请检查模板的标签是否切断了段落、表格行等结构")
    return template.zipped(parts)


PR_SET_PDEATHSIG = 1  # <linux/prctl.h>


def _die_with_parent(parent: int) -> None:
    """Worker initializer: end this worker when the process that started the pool ends.

    Linux: the kernel sends SIGKILL to the worker when its parent dies
    (prctl PR_SET_PDEATHSIG). If the parent died before prctl took effect, no signal
    will come; the worker then finds itself adopted (its parent pid changed) and
    exits. With the "forkserver" start method (Python 3.14's default) the worker's
    parent is the fork server, which exits when the main process does, so the
    signal still comes; the check then asks whether the main process is alive.

    Elsewhere (Windows, macOS) there is no such signal: a thread waits on
    multiprocessing's handle of the parent process (on Windows a process handle,
    signalled when the process ends, however it ends) and ends the worker. Not
    tested on Windows; without that thread a worker there would finish the chunk of
    documents it holds and then wait for work forever. A killed worker may leave
    its temporary file (.名称.xxxxxxxx.tmp), never a partial document.
    """
    if sys.platform.startswith("linux"):
        import ctypes
        import signal

        libc = ctypes.CDLL(None, use_errno=True)
        if libc.prctl(PR_SET_PDEATHSIG, signal.SIGKILL, 0, 0, 0) == 0:
            if os.getppid() != parent and not _alive(parent):
                os._exit(1)  # the parent is already gone
            return
    _watch_parent()


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True


def _watch_parent() -> None:
    """A thread that ends this process when multiprocessing's parent handle signals."""
    import multiprocessing
    import threading
    from multiprocessing.connection import wait

    parent = multiprocessing.parent_process()
    if parent is None or parent.sentinel is None:  # pragma: no cover - not started by multiprocessing
        return

    def watch() -> None:
        wait([parent.sentinel])
        os._exit(1)

    threading.Thread(target=watch, name="jixiao-parent-watch", daemon=True).start()


def render_many(jobs: list[tuple[str, dict, str]], workers: int = 1, progress=None) -> list[str]:
    """Render (template, context, output path) jobs, in `workers` processes.

    Each output is written atomically; an interrupted run leaves finished files
    and no partial one. `progress(done, total)` is called after each document.
    Worker processes end with this process, even when it is killed (`_die_with_parent`).
    """
    done: list[str] = []
    if workers <= 1 or len(jobs) < 8:
        for job in jobs:
            done.append(_render_one(job))
            if progress:
                progress(len(done), len(jobs))
        return done
    from concurrent.futures import ProcessPoolExecutor

    chunk = max(1, min(32, len(jobs) // (workers * 4)))
    with ProcessPoolExecutor(max_workers=workers, initializer=_die_with_parent, initargs=(os.getpid(),)) as pool:
        for out in pool.map(_render_one, jobs, chunksize=chunk):
            done.append(out)
            if progress:
                progress(len(done), len(jobs))
    return done
