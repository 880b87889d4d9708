"""`jixiao audit`: every self-evaluation table of a file or folder, recomputed and compared.

Per file: the document's or workbook's tables are read as printed
(`sources/document/`), each is scored in the readings that fit its print
(`settings`), the reading with the fewest findings is kept, and its findings
(`findings`) and the narrative's (`narrative`) are collected into a `FileAudit`.
A file that cannot be read is a `FileAudit` with its error; the others go on.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import replace
from decimal import Decimal
from pathlib import Path

from scoring.audit.findings import table_findings
from scoring.audit.model import FileAudit, Finding, TableAudit
from scoring.audit.narrative import narrative_findings
from scoring.audit.settings import Options, readings
from scoring.core.issues import ScoringError
from scoring.core.numbers import plain
from scoring.core.parse import parse_evaluation
from scoring.pipeline import score_parsed
from scoring.sources.detect import describe, file_kind, is_spreadsheet_kind
from scoring.sources.document.reader import read_document
from scoring.sources.document.tables import PrintedTable, tables_in_document, tables_in_workbook

# What a folder is searched for; the audit's own outputs are passed over.
SUFFIXES = (".docx", ".doc", ".pdf", ".xlsx", ".xlsm", ".xls", ".ods")
OWN_OUTPUTS = ("审核意见.docx", "审核汇总.xlsx")


def audit_file(path: str | Path, options: Options = Options(), shown: str | None = None,
               named: bool = True) -> FileAudit:
    """One file's tables, audited; a file that cannot be read gives its error, never raises.

    A file found in a folder (not `named`) that holds no self-evaluation table (a
    narrative report, a 汇总表) gives no table and no error: it is passed over.
    """
    name = shown or str(path)
    try:
        if not Path(path).exists():
            raise ScoringError(f"找不到文件或文件夹：{name}")
        kind = file_kind(path)
        if is_spreadsheet_kind(kind):
            tables, doc = tables_in_workbook(path, name, options.template), None
        elif kind in ("docx", "doc", "pdf"):
            doc = read_document(path, name)
            tables = tables_in_document(doc, template=options.template)
        else:
            what = "文本文件" if kind == "yaml" else describe(kind)
            raise ScoringError(f"{name}：不是 Word、PDF 或电子表格文件（按内容看是{what}）；"
                               "jixiao audit 读取 Word（.docx、.doc）、PDF 和电子表格（.xlsx、.xls、.ods）中的自评表")
        if not tables and not named:
            return FileAudit(name, None, ())
        if not tables:
            raise ScoringError(f"{name}：没有找到自评表（含“三级指标”“年度指标值”“实际完成值”“分值”列的表格）")
        audited = [_audit_table(t, options) for t in tables]
        if doc is not None:
            totals = [a.computed_total for a in audited]
            for i, extra in narrative_findings(doc, tables, totals).items():
                audited[i] = audited[i]._replace(findings=audited[i].findings + tuple(extra))
    except ScoringError as exc:
        return FileAudit(name, str(exc), ())
    except Exception as exc:  # noqa: BLE001 - one file must not stop a folder of a thousand
        return FileAudit(name, f"{name}：审核时发生内部错误（{type(exc).__name__}），该文件未能审核；"
                               "其余文件不受影响。请把该文件发给 jixiao 的维护人员", ())
    return FileAudit(name, None, tuple(audited))


def _audit_table(table: PrintedTable, options: Options) -> TableAudit:
    ev = table.evaluation
    if ev is None:
        errors = _problems(table, table.issues)
        kind = "department" if "部门" in table.title and "项目" not in table.title else "project"
        return TableAudit(table.title, kind, None, None, table.where, None, None, "", (), errors or ("表格无法读取",))
    best = None
    rows = parse_evaluation(ev)  # the readings differ in rounding and settings only, never in a row
    for reading in readings(ev, options):
        parsed = replace(rows, evaluation=reading.evaluation)
        result = score_parsed(parsed, table.source, table.issues)
        found = table_findings(table, parsed, result)
        key = sum(1 for f in found if f.kind != "judgement")
        if best is None or key < best[0]:
            best = (key, reading, result, found)
    _, reading, result, found = best
    problems = _problems(table, result.issues)
    title = f"{ev.unit} {ev.project}" if ev.project else ev.unit
    assumed = f"{reading.assumed}；{table.weights_note}" if table.weights_note else reading.assumed
    return TableAudit(title, ev.kind, ev.unit, ev.project, table.where, ev.printed_total, result.total,
                      assumed, tuple(found), problems)


def _problems(table: PrintedTable, issues) -> tuple[str, ...]:
    """The errors that kept (rows of) a table from being computed, each at its place, once."""
    return tuple(dict.fromkeys(f"{table.cell_place(i.location.path)}：{i.message}" + (f"；{i.hint}" if i.hint else "")
                               for i in issues if i.severity == "error"))


def files_in(paths: list[str | Path]) -> list[Path]:
    """The files to audit: each file as given (one that does not exist too: its audit says so),
    each folder searched recursively.

    Raises:
        ScoringError: the folders given hold nothing to audit and no file was named.
    """
    files: list[Path] = []
    for name in paths:
        path = Path(name)
        if path.is_dir():
            files += sorted(p for p in path.rglob("*") if p.suffix.lower() in SUFFIXES and p.is_file()
                            and not p.name.endswith(OWN_OUTPUTS)
                            and not any(part.startswith((".", "~$")) for part in p.relative_to(path).parts))
        else:
            files.append(path)
    if not files:
        raise ScoringError("没有找到要审核的文件：文件夹中没有 Word（.docx、.doc）、PDF 或电子表格")
    return files


def audit_paths(paths: list[str | Path], options: Options = Options(),
                progress: Callable[[int, int], None] | None = None) -> list[FileAudit]:
    files = files_in(paths)
    audits = []
    for n, path in enumerate(files, 1):
        audits.append(audit_file(path, options))
        if progress:
            progress(n, len(files))
    return audits


def _number(value: Decimal | None) -> str | None:
    return None if value is None else plain(value)


def finding_data(f: Finding) -> dict:
    return {"kind": f.kind, "where": f.where, "level3": f.level3, "printed": f.printed, "computed": f.computed,
            "rule": f.rule, "cause": f.cause, "why": f.why}


def to_data(audits: list[FileAudit]) -> dict:
    """The `--json` object: numbers as decimal strings."""
    return {"files": [{"file": a.file, "error": a.error, "tables": [
        {"title": t.title, "kind": t.kind, "where": t.where, "unit": t.unit, "project": t.project,
         "printed_total": _number(t.printed_total), "computed_total": _number(t.computed_total),
         "assumed": t.assumed, "problems": list(t.problems),
         "findings": [finding_data(f) for f in t.findings]} for t in a.tables]} for a in audits]}
