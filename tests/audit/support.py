"""What the audit's acceptance tests share: the examples rendered as `jixiao render` writes them,
the findings `jixiao score` leads one to expect of them, and the printed numbers of a rendered
.docx located in its word/document.xml so that one of them can be changed."""

from __future__ import annotations

import io
import re
import zipfile
from collections import Counter
from contextlib import redirect_stderr, redirect_stdout
from dataclasses import dataclass
from decimal import Decimal
from pathlib import Path

from lxml import etree

from scoring.cli import main
from scoring.pipeline import run

ROOT = Path(__file__).resolve().parents[2]
EXAMPLES = ROOT / "examples"
FIXTURES = ROOT / "tests" / "files" / "audit"
SEEDS = sorted(EXAMPLES.glob("*.yaml"))  # seeds 000 and 001
PROVINCES = sorted((EXAMPLES / "provinces").glob("*.yaml"))
# Every layout `jixiao render` has for the examples: the default for all of them, and the two seed
# layouts for the seed they follow (anyang_2022: seed 001's four tables; jiaozuo_2021: seed 000's).
RENDERED = ([("henan", p) for p in SEEDS + PROVINCES]
            + [("anyang_2022", p) for p in SEEDS if p.name.startswith("安阳")]
            + [("jiaozuo_2021", p) for p in SEEDS if p.name.startswith("焦作")])

W = "{http://schemas.openxmlformats.org/wordprocessingml/2006/main}"
_NUMBER = re.compile(r"-?\d+(?:\.\d+)?")


# Short ASCII names for test ids (pytest escapes Chinese ones).
SHORT = {"部门整体": "dept", "城乡居民": "chengxiang", "慢性病": "manxingbing", "政府救助": "jiuzhu",
         "丽江": "lijiang", "永德": "yongde", "中江": "zhongjiang", "天长": "tianchang", "廊坊": "langfang",
         "黄冈": "huanggang", "安阳": "anyang", "焦作": "jiaozuo"}


def short(path: Path) -> str:
    return "_".join(v for k, v in SHORT.items() if k in path.stem)


def case_id(case) -> str:
    return "-".join([case[0], short(case[1]), *[str(c) for c in case[2:]]])


def render(layout: str, example: Path, folder: Path) -> Path:
    """The table `jixiao render --layout LAYOUT` writes for one example (its only .docx in `folder`)."""
    with redirect_stdout(io.StringIO()), redirect_stderr(io.StringIO()):
        code = main(["render", str(example), "--layout", layout, "--no-report", "--workers", "1",
                     "--output", str(folder)])
    assert code == 0, f"jixiao render {example.name} --layout {layout} failed"
    (docx,) = folder.glob("*.docx")
    return docx


def number(text) -> Decimal | None:
    """A finding's printed or computed value as a number (25%, 25 and 25.00 are the same)."""
    if text is None:
        return None
    m = _NUMBER.search(str(text).replace(",", ""))
    return Decimal(m[0]) if m else None


def key(f) -> tuple:
    """What a finding says, numbers compared by value."""
    return (f.kind, f.level3, number(f.printed), number(f.computed))


def findings(audit) -> list:
    return [f for t in audit.tables for f in t.findings]


def new_findings(after, before) -> list:
    """The findings of `after` that `before` does not have (each counted)."""
    left = Counter(key(f) for f in findings(before))
    extra = []
    for f in findings(after):
        if left[key(f)]:
            left[key(f)] -= 1
        else:
            extra.append(f)
    return extra


def brief(problems) -> str:
    """A table's problems, the first three and how many more."""
    more = f" …另 {len(problems) - 3} 条" if len(problems) > 3 else ""
    return "；".join(problems[:3]) + more if problems else "（无）"


def show(fs) -> str:
    return "\n".join(f"  {f.kind} | {f.where} | {f.level3} | 印 {f.printed} | 算 {f.computed} | {f.cause}"
                     for f in fs) or "  （无）"


# ------------------------------------------------------------------ what `jixiao score` reports


def judged_rows(example: Path) -> set[str]:
    """The rows the evaluation itself marks as judged (a `score` given), 资金管理情况 included."""
    ev = run(example).evaluation
    rows = {i.level3 for i in ev.indicators if i.score is not None}
    return rows | {m.name for m in (ev.funds_management or ())}


def expected_from_score(example: Path) -> Counter:
    """The findings a rendered table of `example` must give: the cross-checks `jixiao score` reports
    (预算执行率 / 预算调整率 against the funds block), at their row, with the printed actual and the
    computed rate, and a weights finding where the rows' weights do not add up to 100. The printed_*
    warnings compare the publication's numbers, which a rendered table does not print."""
    scored = run(example)
    expected = Counter()
    for issue in scored.issues:
        path, message = issue.location.path or "", issue.message
        m = re.fullmatch(r"indicators\[(\d+)\]\.actual", path)
        if m and "与资金情况不符" in message:
            row = scored.evaluation.indicators[int(m[1])]
            computed = re.search(r"计算为 (-?[\d.]+)%", message)[1]
            expected[("cross_check", row.level3, number(row.actual), Decimal(computed))] += 1
        elif path == "indicators" and "分值合计为" in message:
            total = re.search(r"分值合计为 (\d+(?:\.\d+)?)", message)[1]
            expected[("weights", None, Decimal(total), Decimal(100))] += 1
    return expected


# ------------------------------------------------------------------ printed numbers in document.xml


@dataclass
class Cell:
    """One printed number of a rendered table and where it is."""

    kind: str  # row_score, deviation, funds_rate, funds_score, total, weights
    table: int  # 1-based, as Table.where counts
    row: int  # 0-based grid row
    col: int  # 0-based grid column
    level3: str | None
    text: str


def _grid(tbl) -> list[list]:
    """Grid rows of a table: each grid cell's <w:tc> (a merged range's top-left), as read_docx reads it."""
    rows, above = [], {}
    for tr in tbl.findall(W + "tr"):
        row = []
        for tc in tr.findall(W + "tc"):
            props = tc.find(W + "tcPr")
            span = props.find(W + "gridSpan") if props is not None else None
            span = int(span.get(W + "val")) if span is not None else 1
            vmerge = props.find(W + "vMerge") if props is not None else None
            c = len(row)
            if vmerge is not None and vmerge.get(W + "val") in (None, "continue") and c in above:
                row += [None] * span
                continue
            row += [tc] + [None] * (span - 1)
            for k in range(span):
                if vmerge is not None:
                    above[c + k] = tc
                else:
                    above.pop(c + k, None)
        rows.append(row)
    return rows


def text_of(tc) -> str:
    return "".join(t.text or "" for t in tc.iter(W + "t")).strip() if tc is not None else ""


def printed_cells(document_xml: bytes) -> list[Cell]:
    """Every printed row score, deviation, row weight, funds rate and score, total and weight total."""
    root = etree.fromstring(document_xml)
    tables = root.find(W + "body").findall(W + "tbl")
    cells: list[Cell] = []
    for n, tbl in enumerate(tables, 1):
        grid = _grid(tbl)
        texts = [[text_of(tc) for tc in row] for row in grid]
        for r, row in enumerate(texts):
            if "三级指标" in row and "得分" in row:  # the indicator table's header
                cells += _indicator_cells(n, grid, texts, r)
            elif any(t.endswith("执行率") for t in row) and "得分" in row and r + 1 < len(grid):
                rate, score = next(c for c, t in enumerate(row) if t.endswith("执行率")), row.index("得分")
                for kind, c in (("funds_rate", rate), ("funds_score", score)):
                    cells.append(Cell(kind, n, r + 1, c, None, texts[r + 1][c]))
    return cells


def _indicator_cells(n: int, grid, texts, header: int) -> list[Cell]:
    head = texts[header]
    level3 = head.index("三级指标")
    columns = {"row_score": head.index("得分")}
    for c, t in enumerate(head):
        if t.startswith("偏差度"):
            columns["deviation"] = c
        elif t == "分值":
            columns["weights"] = c
    cells = []
    for r in range(header + 1, len(grid)):
        first = texts[r][0]
        if first == "总分":
            cells.append(Cell("total", n, r, columns["row_score"], None, texts[r][columns["row_score"]]))
            if "weights" in columns:
                cells.append(Cell("weights", n, r, columns["weights"], None, texts[r][columns["weights"]]))
            break
        name = texts[r][level3] or next((texts[k][level3] for k in range(r - 1, header, -1) if texts[k][level3]), "")
        for kind, c in columns.items():
            if grid[r][c] is not None and texts[r][c]:
                cells.append(Cell(kind, n, r, c, name, texts[r][c]))
    return cells


def changed(cell: Cell) -> str:
    """The cell's text with its number changed to a clearly different one at the precision it is
    printed with: scores and the total +1.5 (+2 when printed whole: a table printed in whole points
    is judged in whole points, and a typo in it is a whole number too; see
    test_a_score_typed_with_decimals_in_a_whole_point_table), a deviation's sign flipped
    (0.00 → -10.00), a rate −10 points, a weight +5."""
    m = _NUMBER.search(cell.text)
    value = Decimal(m[0])
    if cell.kind == "deviation":
        new = -value if value else Decimal("-10.00")
    elif cell.kind == "funds_rate":
        new = value - 10
    elif cell.kind == "weights":
        new = value + 5
    else:
        new = value + (Decimal("1.5") if "." in m[0] else 2)
    return cell.text[:m.start()] + f"{new}" + cell.text[m.end():]


def write_changed(docx: Path, cell: Cell, out: Path, new: str | None = None) -> str:
    """A copy of `docx` at `out` with `cell`'s text changed in word/document.xml (to `new`, or
    its number to a clearly different one); the new text."""
    with zipfile.ZipFile(docx) as zin:
        parts = {i: zin.read(i) for i in zin.infolist()}
    name = next(i for i in parts if i.filename == "word/document.xml")
    root = etree.fromstring(parts[name])
    target = _same_cell(root, cell)
    new = changed(cell) if new is None else new
    runs = list(target.iter(W + "t"))
    runs[0].text = new
    for t in runs[1:]:
        t.text = ""
    parts[name] = etree.tostring(root, xml_declaration=True, encoding="UTF-8", standalone=True)
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as zout:
        for info, data in parts.items():
            zout.writestr(info, data)
    return new


def _same_cell(root, cell: Cell):
    """`cell`'s <w:tc> in a parsed document.xml."""
    tables = root.find(W + "body").findall(W + "tbl")
    return _grid(tables[cell.table - 1])[cell.row][cell.col]
