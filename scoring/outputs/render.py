"""Word documents: scored evaluations → the official tables, through docxtpl templates.

`to_context` turns an evaluation and its result into plain data, every number
already formatted as the published tables print it; the Word template only
places it. Templates are ordinary .docx files with docxtpl tags ({{ }}, {%tr %}),
so users can bring their own (`jixiao render --template my.docx`); the context
variables are listed in docs/render.md.

`WordTemplate` renders many documents from one template quickly. docxtpl, per
document, reopens the .docx, re-parses it with python-docx, preprocesses the XML
and re-serialises every part. Here that happens once: the template's
document.xml goes through docxtpl's own `patch_xml` (so the tag syntax is
exactly docxtpl's) and is compiled once; each document is then one Jinja render
of the XML plus a zip write. Templates always render in a sandboxed, autoescaping
Jinja environment with StrictUndefined: `&` and `<` in names cannot corrupt the
document, a template cannot reach Python internals, and a misspelt variable is
an error naming it instead of a blank cell.

Vertical merges: docxtpl's `{% vm %}` merges over the innermost loop only, so a
一级 cell cannot span several 二级 groups (docxtpl issues #192, #571). Instead the
`vm` filter marks a cell (``{{ r.level1_merge|vm }}``) and `_vertical_merges`
writes `w:vMerge` into that cell's properties after rendering.
"""

from __future__ import annotations

import io
import re
import zipfile
from dataclasses import dataclass
from decimal import Decimal
from pathlib import Path

from jinja2 import StrictUndefined, TemplateError, TemplateSyntaxError, UndefinedError
from jinja2.sandbox import ImmutableSandboxedEnvironment, SecurityError
from markupsafe import Markup

from scoring.core.issues import ScoringError
from scoring.core.model import Evaluation
from scoring.core.numbers import fixed, plain
from scoring.core.results import EvaluationResult
from scoring.outputs.narrative import narrative
from scoring.sources.resources import data_dir

DOCUMENT = "word/document.xml"
_MERGE_MARKS = {"restart": "⟦vm-restart⟧", "continue": "⟦vm-continue⟧"}


# ---------------------------------------------------------------- context


def _amount(value: Decimal | None) -> str:
    return "" if value is None else plain(value)


def _rate(value: Decimal | None) -> str:
    return "—" if value is None else f"{fixed(value)}%"


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


def to_context(ev: Evaluation, result: EvaluationResult, **extra: str) -> dict:
    """Everything a template may show, as plain data (documented in docs/render.md)."""
    rows = []
    for ind, row in zip(ev.indicators, result.indicators):
        rows.append({
            "level1": ind.level1, "level2": ind.level2, "level3": ind.level3,
            "description": ind.description, "target": ind.target or "", "actual": ind.actual or "",
            "weight": plain(row.weight), "score": "—" if row.score is None else plain(row.score),
            "deviation": "" if row.deviation is None else fixed(row.deviation),
            "reason": ind.reason, "explanation": row.explanation, "status": row.status,
        })
    level1 = [(r["level1"],) for r in rows]
    level2 = [(r["level1"], r["level2"]) for r in rows]  # taken before any cell is blanked
    _merge_marks(rows, "level1", level1)
    _merge_marks(rows, "level2", level2)
    funding = None
    if ev.funding is not None and result.funding is not None:
        f, fr = ev.funding, result.funding
        funding = {
            "label": f.label, "weight": plain(f.weight), "initial_budget": _amount(f.initial_budget),
            "annual_budget": _amount(f.annual_budget), "executed": _amount(f.executed),
            "execution_rate": _rate(fr.execution_rate), "score": plain(fr.score),
            "explanation": fr.explanation,
            "sources": [{"name": s.name, "initial_budget": _amount(s.initial_budget),
                         "annual_budget": _amount(s.annual_budget), "executed": _amount(s.executed),
                         "execution_rate": _rate(sr.execution_rate)}
                        for s, sr in zip(f.sources, fr.sources)],
        }
    context = {
        "kind": ev.kind, "unit": ev.unit, "year": ev.year, "project": ev.project or "",
        "project_code": ev.project_code or "", "supervisor": ev.supervisor or ev.unit,
        "implementer": ev.implementer or ev.unit, "title": ev.title,
        "funding": funding or {"label": "", "weight": "", "initial_budget": "", "annual_budget": "",
                               "executed": "", "execution_rate": "", "score": "", "explanation": "",
                               "sources": []},
        "funds_management": [{"name": m.name, "description": m.description, "weight": plain(m.weight),
                              "score": plain(mr.score), "problems": m.problems}
                             for m, mr in zip(ev.funds_management, result.funds_management)],
        "goals": [{"name": g.name, "expected": g.expected, "actual": g.actual} for g in ev.goals],
        "tasks": [{"name": t.name, "content": t.content, "result": t.result} for t in ev.tasks],
        "indicators": rows,
        "weight_total": plain(result.weight_total),
        "total": "" if result.total is None else plain(result.total),
        "grade": result.grade or "",
        "filled_by": "", "reviewed_by": "", "date": "",
        "n": narrative(ev, result) if result.total is not None else {},
    }
    context.update(extra)
    return context


# -------------------------------------------------------------- rendering


def _vm(value: str) -> Markup:
    """``{{ r.level1_merge|vm }}``: mark this cell to merge vertically ('restart' /
    'continue'); an empty value leaves the cell alone."""
    return Markup(_MERGE_MARKS.get(str(value), ""))


def jinja_environment() -> ImmutableSandboxedEnvironment:
    env = ImmutableSandboxedEnvironment(autoescape=True, undefined=StrictUndefined)
    env.filters["vm"] = _vm
    return env


_TC = re.compile(r"<w:tc>(.*?)</w:tc>", re.S)
_CONTROL_IN_TEXT = re.compile(r"<w:t(?: [^>]*)?>[^<]*[\n\t\a\f]")
_AFTER = re.compile(r"<w:gridSpan [^>]*/>|<w:tcW [^>]*/>")


def _vertical_merges(xml: str) -> str:
    if "⟦vm-" not in xml:
        return xml

    def fix(match: re.Match) -> str:
        body = match.group(1)
        if "⟦vm-" not in body:
            return match.group(0)
        mark = '<w:vMerge w:val="restart"/>' if _MERGE_MARKS["restart"] in body else "<w:vMerge/>"
        body = body.replace(_MERGE_MARKS["restart"], "").replace(_MERGE_MARKS["continue"], "")
        spots = list(_AFTER.finditer(body.split("</w:tcPr>", 1)[0]))
        if spots:  # schema order: tcW, gridSpan, (hMerge), vMerge, tcBorders, …
            at = spots[-1].end()
            body = body[:at] + mark + body[at:]
        elif "<w:tcPr>" in body:
            body = body.replace("<w:tcPr>", "<w:tcPr>" + mark, 1)
        else:
            body = f"<w:tcPr>{mark}</w:tcPr>" + body
        return f"<w:tc>{body}</w:tc>"

    return _TC.sub(fix, xml)


class RenderError(ScoringError):
    """A template that cannot be rendered; the message names the tag and the file."""


@dataclass
class _Part:
    info: zipfile.ZipInfo
    data: bytes


class WordTemplate:
    """A .docx template, preprocessed and compiled once, rendered many times."""

    def __init__(self, path: str | Path):
        from docxtpl import DocxTemplate

        self.path = Path(path)
        if not self.path.exists():
            raise RenderError(f"找不到 Word 模板：{self.path}")
        try:
            with zipfile.ZipFile(self.path) as zf:
                self._parts = [_Part(i, zf.read(i.filename)) for i in zf.infolist()]
        except zipfile.BadZipFile:
            raise RenderError(f"{self.path}：不是 Word 文档（.docx）") from None
        names = [p.info.filename for p in self._parts]
        if DOCUMENT not in names:
            raise RenderError(f"{self.path}：不是 Word 文档（缺少 {DOCUMENT}）")
        self._docxtpl = DocxTemplate(str(self.path))  # for its XML preprocessing only
        self._templates = {}
        env = jinja_environment()
        for part in self._parts:
            name = part.info.filename
            if name == DOCUMENT or re.match(r"word/(header|footer)\d*\.xml$", name):
                xml = part.data.decode("utf-8")
                if name != DOCUMENT and "{" not in xml:
                    continue
                src = self._docxtpl.patch_xml(xml)
                src = re.sub(r"<w:p([ >])", r"\n<w:p\1", src)  # line numbers for error messages
                try:
                    self._templates[name] = (env.from_string(src), src)
                except TemplateSyntaxError as exc:
                    raise RenderError(self._describe(exc, src, name)) from None
        self._build_skeleton()

    def _describe(self, exc: TemplateError, src: str, part: str) -> str:
        near = ""
        if getattr(exc, "lineno", None):
            lines = src.splitlines()[max(exc.lineno - 2, 0): exc.lineno + 1]
            near = "".join(re.sub(r"<[^>]+>", "", x) for x in lines).strip()
            near = f"；出错位置附近的文字：“{near[:120]}”" if near else ""
        kind = "模板语法错误" if isinstance(exc, TemplateSyntaxError) else "模板渲染错误"
        message = exc.message or str(exc)
        if isinstance(exc, UndefinedError):
            message = f"变量未定义：{message}（可用变量见 docs/render.md）"
        return f"{self.path}（{part}）：{kind}：{message}{near}"

    def render_bytes(self, context: dict) -> bytes:
        """One document, as the bytes of a .docx file."""
        rendered = {}
        for name, (template, src) in self._templates.items():
            try:
                xml = template.render(context)
            except SecurityError as exc:
                raise RenderError(f"{self.path}：模板试图访问不允许的内容：{exc}") from None
            except TemplateError as exc:
                raise RenderError(self._describe(exc, src, name)) from None
            xml = re.sub(r"\n<w:p([ >])", r"<w:p\1", xml)
            xml = xml.replace("{_{", "{{").replace("}_}", "}}").replace("{_%", "{%").replace("%_}", "%}")
            if _CONTROL_IN_TEXT.search(xml):  # a value with a line break or tab: Word needs <w:br/>
                xml = self._docxtpl.resolve_listing(xml)
            rendered[name] = _vertical_merges(xml).encode("utf-8")
        buffer = io.BytesIO(self._skeleton)
        with zipfile.ZipFile(buffer, "a") as out:
            for name, data in rendered.items():
                out.writestr(zipfile.ZipInfo(name, date_time=self._dates[name]), data,
                             compress_type=zipfile.ZIP_DEFLATED, compresslevel=6)
        return buffer.getvalue()

    def _build_skeleton(self) -> None:
        """Every part that does not change, compressed once: each document is this
        zip with its rendered parts appended (styles.xml alone is ~350 KB)."""
        buffer = io.BytesIO()
        with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as out:
            for part in self._parts:
                if part.info.filename not in self._templates:
                    out.writestr(zipfile.ZipInfo(part.info.filename, date_time=part.info.date_time),
                                 part.data, compress_type=zipfile.ZIP_DEFLATED)
        self._skeleton = buffer.getvalue()
        self._dates = {p.info.filename: p.info.date_time for p in self._parts}


def builtin_template(ev: Evaluation) -> Path:
    """The shipped Word template for an evaluation: Henan department or project
    table, or the central (财预〔2020〕10号) project layout."""
    if ev.kind == "department":  # with the 指标说明 column when rows carry one (seed 000)
        described = any(ind.description for ind in ev.indicators)
        name = "部门整体支出绩效自评表_指标说明_tpl.docx" if described else "部门整体支出绩效自评表_tpl.docx"
    elif ev.template == "central_project":
        name = "项目支出绩效自评表_中央_tpl.docx"
    else:
        name = "项目支出绩效自评表_tpl.docx"
    return data_dir("reports") / name


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
    """Worker: render one context with a template compiled once per process."""
    from scoring.outputs.files import write_bytes_atomic

    template_path, context, out = job
    template = _WORKER_TEMPLATES.get(template_path)
    if template is None:
        template = _WORKER_TEMPLATES[template_path] = WordTemplate(template_path)
    write_bytes_atomic(out, template.render_bytes(context))
    return out


def render_many(jobs: list[tuple[str, dict, str]], workers: int = 1, progress=None) -> list[str]:
    """Render (template, context, output path) jobs, in `workers` processes.

    Each output is written atomically; an interrupted run leaves finished files
    and no partial one. `progress(done, total)` is called after each document.
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
    with ProcessPoolExecutor(max_workers=workers) as pool:
        for out in pool.map(_render_one, jobs, chunksize=chunk):
            done.append(out)
            if progress:
                progress(len(done), len(jobs))
    return done
