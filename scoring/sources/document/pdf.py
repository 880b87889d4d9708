"""A PDF with a text layer → its paragraphs and ruled tables in reading order (`Document`).

The tables units and 决算公开 documents print are drawn with ruling lines (as Word,
WPS and LibreOffice print a table), so pdfplumber finds them from the lines alone
(`TABLE_SETTINGS`), and each cell's bounding box gives its place: the distinct cell
edges of a table are its grid, and a cell whose box spans several grid rows or
columns covers them (a merge, its text at the top-left). Text is assembled from the
characters themselves: a space only where the PDF draws one or leaves a gap of a
space's width between Latin characters, never between Chinese ones (a justified
line spreads them); the lines of a cell that wrap are joined, a line that ends
short keeps its break. Text outside the tables becomes paragraphs, a line joined
to the one above when that one runs to the right margin. A one-cell table (a frame
around text) is read as paragraphs. A table that runs on over a page break is one
`Table` per page.

pdfminer (under pdfplumber) is pure Python and reads whatever a file declares: a
content stream of two million drawing operators takes minutes and gigabytes, a
4 MB Flate bomb expands to 4 GB, a 50,000-page file takes 25 s just to list
(measured, see bench/pdf_read.py's docstring). So the reading runs in a child
process (started from a fork server that has pdfplumber loaded, ~25 ms) with an
address-space limit (`limits.MAX_PDF_MEMORY`) and a wall-clock limit
(`limits.MAX_PDF_SECONDS`), and pages, cells and paragraphs are counted against
`core/limits.py` as they are met.
"""

from __future__ import annotations

import multiprocessing
from bisect import bisect_right
from pathlib import Path

from scoring.core import limits
from scoring.core.issues import ScoringError
from scoring.sources.archive import check_size
from scoring.sources.document import Document, Paragraph, Table

WHAT = "PDF 文件"
TABLE_SETTINGS = {"vertical_strategy": "lines", "horizontal_strategy": "lines", "snap_tolerance": 3,
                  "join_tolerance": 3, "intersection_tolerance": 3, "edge_min_length": 3}
GRID_TOLERANCE = 2.0  # points: cell edges closer than this are one grid line
# Chinese line breaking: these may not begin a line (they go down with the character before
# them) and these may not end one.
_CLOSING = frozenset("，。、；：！？）》」』】〕〉”’…—·%,.;:!?)]}")
_OPENING = frozenset("（《「『【〔〈“‘([{")
_CJK_RANGES = ((0x2E80, 0x9FFF), (0xF900, 0xFAFF), (0xFE30, 0xFE4F), (0xFF00, 0xFFEF), (0x20000, 0x3FFFF))


def read_pdf(path: str | Path, shown: str | None = None) -> Document:
    """Every paragraph and ruled table of a PDF with a text layer.

    Raises:
        ScoringError: the file is missing, not a PDF, damaged, encrypted, a scan
            without text, or over a limit.
    """
    path = Path(path)
    name = shown or str(path)
    check_size(path, what=WHAT)
    with path.open("rb") as handle:
        if b"%PDF" not in handle.read(1024):
            raise ScoringError(f"{name}：不是 PDF 文件（文件开头没有 %PDF 标记）；请确认选对了文件")
    outcome = _in_child(path, name)
    if outcome[0] == "error":
        raise ScoringError(_message(name, outcome[1], outcome[2]))
    _, pages, raw = outcome
    blocks: list[Paragraph | Table] = []
    for block in raw:
        if block[0] == "p":
            blocks.append(Paragraph(block[1], page=block[2]))
        else:
            _, page, rows, merged = block
            tables = sum(isinstance(b, Table) for b in blocks)
            blocks.append(Table(rows, tables + 1, dict(merged), page=page))
    return Document(name, "pdf", blocks, pages=pages)


def _message(name: str, key: str, detail: object) -> str:
    scan = "请使用单位提交的 Word/Excel 原件，或先用 OCR 软件识别为带文字的 PDF 再审核"
    return {
        "scan": f"{name}：PDF 没有文字层（是扫描件或图片），无法读取表格中的文字；{scan}",
        "cid": f"{name}：PDF 中的文字无法提取（字体没有文字编码，提取出的是乱码）；{scan}",
        "encrypted": f"{name}：PDF 设置了打开密码（已加密），jixiao 无法读取；"
                     "请向单位索取未加密的文件，或用 PDF 阅读器输入密码后另存为不加密的 PDF 再试",
        "damaged": f"{name}：PDF 文件已损坏或无法解析（{detail}）；请用 PDF 阅读器打开确认，或使用 Word/Excel 原件",
        "pages": f"{name}：PDF 超过 {limits.MAX_PDF_PAGES} 页，超出上限；请只保留自评表所在的页再审核",
        "cells": f"{name}：PDF 中的表格单元格超过 {limits.MAX_DOCUMENT_CELLS} 个，超出上限；"
                 "请只保留自评表所在的页再审核",
        "paragraphs": f"{name}：PDF 中的文字段落超过 {limits.MAX_DOCUMENT_PARAGRAPHS} 个，超出上限；"
                      "请只保留自评表所在的页再审核",
        "content": f"{name}：PDF 第 {detail} 页的绘图内容超过 {limits.size_text(limits.MAX_PDF_PAGE_CONTENT)}，"
                   "超出上限（自评表的一页约 25 KB；文件可能被构造）；请只保留自评表所在的页，或使用 Word/Excel 原件",
        "time": f"{name}：读取 PDF 超过 {limits.MAX_PDF_SECONDS:g} 秒仍未完成（页面内容过于复杂，"
                "或文件被构造）；请只保留自评表所在的页，或使用 Word/Excel 原件",
        "memory": f"{name}：读取 PDF 所需内存超过 {limits.size_text(limits.MAX_PDF_MEMORY)}（页面内容过于复杂，"
                  "或文件被构造）；请只保留自评表所在的页，或使用 Word/Excel 原件",
        "crash": f"{name}：读取 PDF 的进程异常退出（退出码 {detail}；页面内容过于复杂，或文件被构造）；"
                 "请只保留自评表所在的页，或使用 Word/Excel 原件",
        "missing": f"{name}：读取 PDF 需要 pdfplumber；请运行 pip install pdfplumber 后重试",
    }[key]


# ------------------------------------------------------------------ the child process

def _in_child(path: Path, name: str) -> tuple:
    """Run `_extract` in a child process within the time and memory limits."""
    methods = multiprocessing.get_all_start_methods()
    context = multiprocessing.get_context("forkserver" if "forkserver" in methods else "spawn")
    if context.get_start_method() == "forkserver":
        context.set_forkserver_preload(["__main__", "pdfplumber", __name__])
    receive, send = context.Pipe(duplex=False)
    child = context.Process(target=_child, args=(str(path), send, limits.MAX_PDF_MEMORY,
                                                 limits.MAX_PDF_SECONDS, limits.MAX_PDF_PAGES,
                                                 limits.MAX_DOCUMENT_CELLS, limits.MAX_DOCUMENT_PARAGRAPHS,
                                                 limits.MAX_PDF_PAGE_CONTENT),
                            daemon=True, name="jixiao-pdf")
    child.start()
    send.close()
    try:
        if not receive.poll(limits.MAX_PDF_SECONDS):
            return ("error", "time", None)
        try:
            return receive.recv()
        except (EOFError, OSError):  # the child ended without an answer (a crash in native code)
            child.join(5)
            return ("error", "crash", child.exitcode)
    finally:
        receive.close()
        if child.is_alive():
            child.kill()
        child.join()


def _child(path: str, send, memory: int, seconds: float, pages: int, cells: int, paragraphs: int,
           content: int) -> None:
    try:
        import resource

        resource.setrlimit(resource.RLIMIT_AS, (memory, memory))
        cpu = int(seconds) + 5  # the parent kills at `seconds`; this ends an orphan too
        resource.setrlimit(resource.RLIMIT_CPU, (cpu, cpu))
    except (ImportError, ValueError, OSError):  # pragma: no cover - not Linux: the wall clock still applies
        pass
    try:
        outcome = _extract(path, pages, cells, paragraphs, content)
    except MemoryError:
        outcome = ("error", "memory", None)
    except _Refused as exc:
        outcome = ("error", exc.args[0], exc.args[1] if len(exc.args) > 1 else None)
    except Exception as exc:  # noqa: BLE001 - pdfminer's many errors for a damaged file
        causes = _causes(exc)
        key = ("encrypted" if any(type(e).__name__ in _ENCRYPTION for e in causes)
               else "memory" if any(isinstance(e, MemoryError) for e in causes) else "damaged")
        outcome = ("error", key, _short(exc))
    try:
        send.send(outcome)
    except MemoryError:
        send.send(("error", "memory", None))
    send.close()


class _Refused(Exception):
    """A limit or a file jixiao cannot read, by its message key."""


_ENCRYPTION = ("PDFPasswordIncorrect", "PDFEncryptionError", "PDFEncryptionWarning")


def _causes(exc: BaseException) -> list[BaseException]:
    """The exception, what it was raised from, and the exceptions it wraps (pdfplumber
    wraps pdfminer's in PdfminerException(e))."""
    seen: list[BaseException] = []
    todo = [exc]
    while todo and len(seen) < 20:
        e = todo.pop()
        if e is None or any(e is s for s in seen):
            continue
        seen.append(e)
        todo += [e.__cause__, e.__context__] + [a for a in e.args if isinstance(a, BaseException)]
    return seen


def _short(exc: BaseException) -> str:
    return f"{type(exc).__name__}: {str(exc).strip()}"[:200]


def _extract(path: str, max_pages: int, max_cells: int, max_paragraphs: int, max_content: int) -> tuple:
    """The document as plain data: ("ok", pages, blocks) or ("error", key, detail)."""
    try:
        import pdfplumber
        from pdfminer.pdfpage import PDFPage
    except ImportError:
        return ("error", "missing", None)
    counts = {"cells": 0, "paragraphs": 0, "chars": 0, "cid": 0}
    blocks: list[tuple] = []
    with open(path, "rb") as handle:  # not pdfplumber.open: its close() lists every page the file declares
        pdf = pdfplumber.PDF(handle)
        declared = _declared_pages(pdf)
        if declared is not None and declared > max_pages:
            raise _Refused("pages")
        doctop = 0.0
        number = 0
        for number, page_obj in enumerate(PDFPage.create_pages(pdf.doc), 1):
            if number > max_pages:
                raise _Refused("pages")
            if _content_size(page_obj) > max_content:
                raise _Refused("content", number)
            page = pdfplumber.page.Page(pdf, page_obj, page_number=number, initial_doctop=doctop)
            doctop += page.height
            _add_page(blocks, _page_blocks(page, counts, max_cells, max_paragraphs))
            page.close()
        if counts["chars"] == 0:
            raise _Refused("scan")
        if counts["cid"] * 2 > counts["chars"]:
            raise _Refused("cid")
    return ("ok", number, blocks)


def _add_page(blocks: list[tuple], page: list[tuple]) -> None:
    """A page's blocks after the pages before: a paragraph cut by the page break (the last
    line of the page runs to the margin, the next page begins flush left) is joined."""
    if blocks and page and blocks[-1][0] == "p" and page[0][0] == "p" and blocks[-1][4] and page[0][3]:
        _, text, number, flush, _ = blocks[-1]
        blocks[-1] = ("p", text + _glue(text, page[0][1]) + page[0][1], number, flush, page[0][4])
        page = page[1:]
    blocks += page


def _content_size(page_obj) -> int:
    """The page's drawing operators, decoded (pdfminer keeps the decoded data for the page)."""
    from pdfminer.pdftypes import PDFStream, resolve1

    total = 0
    for ref in page_obj.contents:
        stream = resolve1(ref)
        if isinstance(stream, PDFStream):
            total += len(stream.get_data())
    return total


def _declared_pages(pdf) -> int | None:
    from pdfminer.pdftypes import resolve1

    try:
        count = resolve1(resolve1(pdf.doc.catalog.get("Pages")).get("Count"))
    except Exception:  # noqa: BLE001 - a broken page tree is found when the pages are listed
        return None
    return count if isinstance(count, int) else None


# ------------------------------------------------------------------ one page

def _page_blocks(page, counts: dict, max_cells: int, max_paragraphs: int) -> list[tuple]:
    page = page.dedupe_chars()  # bold printed by drawing each character twice
    chars = [c for c in page.chars if c["text"]]
    counts["chars"] += sum(1 for c in chars if not c["text"].isspace())
    counts["cid"] += sum(1 for c in chars if c["text"].startswith("(cid:"))
    found = []  # (top, x0, x1, block)
    free = chars
    for table in page.find_tables(TABLE_SETTINGS):
        grid = _grid(table.cells, counts, max_cells)
        if grid is None:
            continue  # one cell: a frame around text, read as paragraphs
        inside, free = _split(free, table.bbox)
        rows, merged, left = _fill(grid, inside)
        free += left
        found.append((table.bbox[1], table.bbox[0], table.bbox[2],
                      ("t", page.page_number, rows, sorted(merged.items()))))
    text_lines = _lines([c for c in free if c.get("upright", True)])
    right = max([ln.x1 for ln in text_lines] + [x1 for _, _, x1, _ in found] + [0.0])
    left = min([ln.x0 for ln in text_lines] + [right])
    tables = [(top, x0, block) for top, x0, _, block in found]
    paragraphs = _paragraphs(text_lines, [top for top, _, _ in tables], left, right)
    counts["paragraphs"] += len(paragraphs)
    if counts["paragraphs"] > max_paragraphs:
        raise _Refused("paragraphs")
    items = tables + [(top, x0, ("p", text, page.page_number, flush, open_end))
                      for top, x0, text, flush, open_end in paragraphs]
    items.sort(key=lambda item: (round(item[0], 1), item[1]))
    return [block for _, _, block in items]


def _split(chars: list[dict], bbox: tuple) -> tuple[list[dict], list[dict]]:
    x0, top, x1, bottom = bbox
    inside, outside = [], []
    for c in chars:
        cx, cy = (c["x0"] + c["x1"]) / 2, (c["top"] + c["bottom"]) / 2
        (inside if x0 <= cx <= x1 and top <= cy <= bottom else outside).append(c)
    return inside, outside


# ------------------------------------------------------------------ grid and merges

class _Grid:
    def __init__(self, xs: list[float], ys: list[float], spans: list[tuple[int, int, int, int, tuple]]):
        self.xs, self.ys, self.spans = xs, ys, spans  # spans: (r0, c0, r1, c1, bbox), end exclusive


def _grid(cells: list[tuple], counts: dict, max_cells: int) -> _Grid | None:
    """The table's grid lines from its cells' edges, and each cell's span on it."""
    if len(cells) < 2:
        return None
    xs = _cluster([c[0] for c in cells] + [c[2] for c in cells])
    ys = _cluster([c[1] for c in cells] + [c[3] for c in cells])
    if (len(xs) - 1) * (len(ys) - 1) + counts["cells"] > max_cells:
        raise _Refused("cells")
    counts["cells"] += (len(xs) - 1) * (len(ys) - 1)
    spans = []
    for cell in cells:
        c0, c1 = _index(xs, cell[0]), _index(xs, cell[2])
        r0, r1 = _index(ys, cell[1]), _index(ys, cell[3])
        if r1 > r0 and c1 > c0:
            spans.append((r0, c0, r1, c1, cell))
    return _Grid(xs, ys, spans)


def _cluster(values: list[float]) -> list[float]:
    lines: list[float] = []
    for v in sorted(values):
        if not lines or v - lines[-1] > GRID_TOLERANCE:
            lines.append(v)
    return lines


def _index(lines: list[float], v: float) -> int:
    i = bisect_right(lines, v + GRID_TOLERANCE) - 1
    return max(0, i)


def _fill(grid: _Grid, chars: list[dict]) -> tuple[list, dict, list[dict]]:
    """Rows of cell text with merges; the characters that fell in no cell."""
    n_rows, n_cols = len(grid.ys) - 1, len(grid.xs) - 1
    owner: dict[tuple[int, int], int] = {}
    for k, (r0, c0, r1, c1, _) in enumerate(grid.spans):
        for r in range(r0, r1):
            for c in range(c0, c1):
                owner.setdefault((r, c), k)
    taken: list[list[dict]] = [[] for _ in grid.spans]
    left = []
    for ch in chars:
        r = bisect_right(grid.ys, (ch["top"] + ch["bottom"]) / 2) - 1
        c = bisect_right(grid.xs, (ch["x0"] + ch["x1"]) / 2) - 1
        k = owner.get((r, c))
        (taken[k] if k is not None else left).append(ch)
    rows: list[list[str | None]] = [[None] * n_cols for _ in range(n_rows)]
    merged: dict[tuple[int, int], tuple[int, int]] = {}
    for k, (r0, c0, r1, c1, bbox) in enumerate(grid.spans):
        if owner.get((r0, c0)) != k:
            continue  # overlapping boxes: the first one drawn holds the place
        rows[r0][c0] = _cell_text(taken[k], bbox)
        for r in range(r0, r1):
            for c in range(c0, c1):
                if (r, c) != (r0, c0) and owner.get((r, c)) == k:
                    merged[(r, c)] = (r0, c0)
    for r, row in enumerate(rows):  # a ragged table (a row shorter than the widest) has no cells at its end
        while row and row[-1] is None and (r, len(row) - 1) not in merged:
            row.pop()
    return rows, merged, left


# ------------------------------------------------------------------ text

class _Line:
    __slots__ = ("chars", "x0", "x1", "top", "bottom", "size", "text")

    def __init__(self, chars: list[dict]):
        chars.sort(key=lambda c: c["x0"])
        shown = [k for k, c in enumerate(chars) if not c["text"].isspace()]
        self.chars = chars = chars[shown[0]:shown[-1] + 1]  # spaces at either end are not text
        self.x0, self.x1 = chars[0]["x0"], max(c["x1"] for c in chars)
        self.top = min(c["top"] for c in chars)
        self.bottom = max(c["bottom"] for c in chars)
        self.size = max(c["size"] for c in chars)
        self.text = _join_chars(chars)


def _visible(chars: list[dict]) -> bool:
    return any(not c["text"].isspace() for c in chars)


def _lines(chars: list[dict]) -> list[_Line]:
    """Characters → lines: a character belongs to the line its vertical middle falls in."""
    lines: list[list[dict]] = []
    bounds: list[list[float]] = []
    for c in sorted(chars, key=lambda c: (c["top"], c["x0"])):
        middle = (c["top"] + c["bottom"]) / 2
        if bounds and bounds[-1][0] <= middle <= bounds[-1][1]:
            lines[-1].append(c)
            bounds[-1][1] = max(bounds[-1][1], c["bottom"])
        else:
            lines.append([c])
            bounds.append([c["top"], c["bottom"]])
    return [line for line in (_Line(cs) for cs in lines if _visible(cs)) if line.text]


def _join_chars(chars: list[dict]) -> str:
    """A line's characters as text. A space is what the PDF draws as one, or a gap wider
    than the line's own letter spacing by a space (a fifth of the size between Latin
    characters, half of it beside Chinese ones). The letter spacing is the median gap
    beside Chinese characters: 0 in plain text, wide in a justified or distributed
    (分散对齐) line, where 项 目 名 称 is still 项目名称."""
    pairs = [(a, b) for a, b in zip(chars, chars[1:]) if not a["text"].isspace() and not b["text"].isspace()]
    beside = sorted(b["x0"] - a["x1"] for a, b in pairs if _wide(a["text"][-1]) or _wide(b["text"][0]))
    spacing = max(0.0, beside[(len(beside) - 1) // 2]) if beside else 0.0
    parts = [chars[0]["text"]]
    for previous, c in zip(chars, chars[1:]):
        text = c["text"]
        if not text.isspace() and not previous["text"].isspace():
            wide = _wide(previous["text"][-1]) or _wide(text[0])
            if c["x0"] - previous["x1"] > spacing + (0.5 if wide else 0.2) * max(c["size"], previous["size"]):
                parts.append(" ")
        parts.append(text)
    return "".join(parts).strip()


def _wide(ch: str) -> bool:
    code = ord(ch)
    return any(lo <= code <= hi for lo, hi in _CJK_RANGES)


def _glue(before: str, after: str) -> str:
    """What joins two pieces of one wrapped text: nothing beside Chinese, else a space."""
    return "" if _wide(before[-1]) or _wide(after[0]) else " "


def _first_word(line: _Line) -> float:
    """The width of what could not stay on the line above: the line's first word (a
    Chinese character is a word) with the punctuation that may not begin a line (，。、）…)
    and after an opening bracket the character it opens on."""
    chars = line.chars
    end = chars[0]["x1"]
    k = 1
    if not _wide(chars[0]["text"][0]):
        while k < len(chars) and not chars[k]["text"].isspace() and not _wide(chars[k]["text"][0]):
            end, k = chars[k]["x1"], k + 1
    elif chars[0]["text"] in _OPENING and k < len(chars):
        end, k = chars[k]["x1"], k + 1
    while k < len(chars) and chars[k]["text"] in _CLOSING:
        end, k = chars[k]["x1"], k + 1
    return end - chars[0]["x0"]


def _cell_text(chars: list[dict], bbox: tuple) -> str:
    """A cell's text: wrapped lines joined, a line that ends short keeps its break."""
    upright = [c for c in chars if c.get("upright", True)]
    if len(upright) * 2 < len(chars):  # vertical text (竖排): read top to bottom
        return "".join(c["text"] for c in sorted(chars, key=lambda c: (c["top"], -c["x0"]))).strip()
    lines = _lines(upright)
    if not lines:
        return ""
    pad = min([6.0] + [ln.x0 - bbox[0] for ln in lines] + [bbox[2] - ln.x1 for ln in lines])
    room = bbox[2] - bbox[0] - 2 * max(pad, 0.0)
    text = lines[0].text
    for above, line in zip(lines, lines[1:]):
        space = 0.35 * line.size if not _wide(above.text[-1]) else 0.0
        wrapped = (above.x1 - above.x0) + space + _first_word(line) > room - 1.0
        text += _glue(text, line.text) if wrapped else "\n"
        text += line.text
    return text


def _paragraphs(lines: list[_Line], table_tops: list[float], left: float,
                right: float) -> list[tuple[float, float, str, bool, bool]]:
    """Lines outside tables → visual paragraphs: a line continues the one above when that
    one runs to the right margin, the gap between them is a line's leading, no table lies
    between them, and it is not indented (a new paragraph's first line is)."""
    out: list[list] = []  # [top, x0, text, last line]
    tops = sorted(table_tops)
    for line in lines:
        if out:
            top, x0, text, above = out[-1]
            between = bisect_right(tops, line.top) - bisect_right(tops, above.top)
            full = above.x1 + _first_word(line) > right - 1.0
            near = line.top - above.bottom < 0.8 * line.size and abs(line.size - above.size) < 1.0
            flush = line.x0 - left < 1.0 * line.size
            if full and near and flush and not between:
                out[-1][2] = text + _glue(text, line.text) + line.text
                out[-1][3] = line
                continue
        out.append([line.top, line.x0, line.text, line])
    # Whether a paragraph may go on from the page before (its first line is flush left) or
    # on to the next page (its last line runs to the right margin).
    return [(top, x0, text, x0 - left < last.size, last.x1 + last.size > right - 1.0)
            for top, x0, text, last in out]
