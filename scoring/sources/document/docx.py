"""A .docx file → its paragraphs and tables in body order (`Document`).

Read straight from `word/document.xml` within the zip limits (`sources/archive.py`),
parsed by libxml2 with DTDs and entities refused. Merges are read as Word stores them: a
cell's `w:gridSpan` spans columns, `w:vMerge` continues the cell above; a
`w:gridBefore` leaves leading grid columns empty. Cells are counted against
`limits.MAX_DOCUMENT_CELLS` as they are met (rows and leading empty columns
too), and a table nested deeper than `limits.MAX_TABLE_NESTING` is refused; a
nested table within it is read as its cell's text. Text boxes, headers and
footers and text boxes are not read: the tables units fill in are in the body.
"""

from __future__ import annotations

import re
from pathlib import Path
from xml.etree.ElementTree import Element

from lxml import etree

from scoring.core import limits
from scoring.core.issues import ScoringError
from scoring.sources.archive import check_size, open_zip, read_member
from scoring.sources.document import Document, Paragraph, Table

W = "{http://schemas.openxmlformats.org/wordprocessingml/2006/main}"
MC = "{http://schemas.openxmlformats.org/markup-compatibility/2006}"
WHAT = "Word 文档"
# libxml2 through lxml (a dependency of python-docx): ten times faster than ElementTree here;
# no DTD loaded, no entity resolved, no network, libxml2's own size limits kept.
_PARSER = etree.XMLParser(resolve_entities=False, no_network=True, load_dtd=False, huge_tree=False)
_P, _TBL, _TR, _TC, _T, _TAB, _BR = (W + n for n in ("p", "tbl", "tr", "tc", "t", "tab", "br"))


def read_docx(path: str | Path, shown: str | None = None) -> Document:
    """Every paragraph and table of the document's body.

    Raises:
        ScoringError: the file is missing, not a .docx, damaged, or over a limit.
    """
    path = Path(path)
    check_size(path, what=WHAT)
    with open_zip(path, WHAT) as zf:
        data = read_member(zf, "word/document.xml", path, WHAT, limits.MAX_DOCUMENT_XML)
    _declared_cells(data, path)
    try:
        if b"<!DOCTYPE" in data[:4096] or b"<!ENTITY" in data:  # Word writes neither; an entity bomb does
            raise ValueError("DTD")
        root = etree.fromstring(data, _PARSER)
    except (etree.XMLSyntaxError, ValueError):
        raise ScoringError(f"{path}：{WHAT}的正文 word/document.xml 不是有效的 XML（文件已损坏或被构造）；"
                           "请用 Word/WPS 打开后另存再试") from None
    body = root.find(W + "body")
    reader = _Reader(path)
    if body is not None:
        reader.body(body)
    return Document(shown or str(path), "docx", reader.blocks)


_CELL = re.compile(rb"<(?:\w+:)?(?:tc|tr)[\s>/]")
_SPAN = re.compile(rb"<(?:\w+:)?(?:gridSpan|gridBefore)\s+(?:\w+:)?val=[\"'](\d{1,9})")


def _declared_cells(data: bytes, path: Path) -> None:
    """The cells the XML declares (cells, rows, spans), counted in its bytes before it is parsed:
    a small file that declares millions of them is refused before a tree is built for it."""
    declared = len(_CELL.findall(data)) + sum(min(int(v), 64) for v in _SPAN.findall(data))
    if declared > limits.MAX_DOCUMENT_CELLS:
        raise ScoringError(f"{path}：文档中的表格单元格超过 {limits.MAX_DOCUMENT_CELLS} 个，"
                           "超出上限；请只保留自评表所在部分再审核")


class _Reader:
    def __init__(self, path: Path):
        self.path = path
        self.blocks: list[Paragraph | Table] = []
        self.cells = 0
        self.paragraphs = 0

    def body(self, body: Element) -> None:
        for child in body:
            if child.tag == _P:
                text = paragraph_text(child)
                self.paragraphs += 1
                if self.paragraphs > limits.MAX_DOCUMENT_PARAGRAPHS:
                    raise ScoringError(f"{self.path}：文档段落超过 {limits.MAX_DOCUMENT_PARAGRAPHS} 个，"
                                       "超出上限；请只保留自评表所在部分再审核")
                if text.strip():
                    self.blocks.append(Paragraph(text.strip()))
            elif child.tag == _TBL:
                self.table(child)
            elif child.tag == W + "sdt":  # a content control wrapping paragraphs or tables
                content = child.find(W + "sdtContent")
                if content is not None:
                    self.body(content)

    def table(self, tbl: Element) -> None:
        rows: list[list[str | None]] = []
        merged: dict[tuple[int, int], tuple[int, int]] = {}
        above: dict[int, tuple[int, int]] = {}  # grid column → top-left of the vertical merge running there
        for r, tr in enumerate(tbl.findall(_TR)):
            row: list[str | None] = []
            before = tr.find(f"{W}trPr/{W}gridBefore")
            self.count(1 + _int(before))  # an empty row and leading empty grid columns take room too
            for _ in range(_int(before)):
                row.append(None)
            for tc in _cells(tr):
                props = tc.find(W + "tcPr")
                span = _int(props.find(W + "gridSpan") if props is not None else None) or 1
                vmerge = props.find(W + "vMerge") if props is not None else None
                c = len(row)
                self.count(span)
                continues = vmerge is not None and vmerge.get(W + "val") in (None, "continue") and c in above
                if continues:
                    top = above[c]
                    for k in range(span):
                        row.append(None)
                        merged[(r, c + k)] = top
                    continue
                row.append(cell_text(tc, self, 1))
                for k in range(1, span):
                    row.append(None)
                    merged[(r, c + k)] = (r, c)
                for k in range(span):
                    if vmerge is not None:
                        above[c + k] = (r, c)
                    else:
                        above.pop(c + k, None)
            rows.append(row)
        if rows:
            self.blocks.append(Table(rows, len(self.tables()) + 1, merged))

    def count(self, cells: int) -> None:
        self.cells += cells
        if self.cells > limits.MAX_DOCUMENT_CELLS:
            raise ScoringError(f"{self.path}：文档中的表格单元格超过 {limits.MAX_DOCUMENT_CELLS} 个，"
                               "超出上限；请只保留自评表所在部分再审核")

    def tables(self) -> list[Table]:
        return [b for b in self.blocks if isinstance(b, Table)]


def _cells(tr: Element):
    """A row's cells, those wrapped in content controls too."""
    for child in tr:
        if child.tag == _TC:
            yield child
        elif child.tag == W + "sdt":
            content = child.find(W + "sdtContent")
            if content is not None:
                yield from _cells(content)


def _int(element: Element | None) -> int:
    if element is None:
        return 0
    try:
        return max(0, min(int(element.get(W + "val", "0")), 64))
    except ValueError:
        return 0


_SKIPPED = (W + "txbxContent", MC + "Fallback", W + "del")  # text boxes (and their copies), deleted text


def paragraph_text(p: Element) -> str:
    """A paragraph's text, without its text boxes (read once neither as Word's drawing nor as
    its VML fallback) and without tracked deletions."""
    parts: list[str] = []
    _text_of(p, parts)
    return "".join(parts)


def _text_of(node: Element, parts: list[str]) -> None:
    for child in node:
        tag = child.tag
        if tag == _T:
            parts.append(child.text or "")
        elif tag == _TAB:
            parts.append(" ")
        elif tag == _BR:
            parts.append("\n")
        elif tag not in _SKIPPED and len(child):
            _text_of(child, parts)


def cell_text(tc: Element, reader: _Reader, depth: int) -> str:
    """A cell's paragraphs, one line each; a nested table's cells as lines too."""
    lines = []
    for child in tc:
        if child.tag == _P:
            lines.append(paragraph_text(child))
        elif child.tag == _TBL:
            if depth >= limits.MAX_TABLE_NESTING:
                raise ScoringError(f"{reader.path}：表格嵌套超过 {limits.MAX_TABLE_NESTING} 层，"
                                   "文件可能被构造；请用 Word/WPS 打开后另存再试")
            for tr in child.findall(_TR):
                for inner in _cells(tr):
                    lines.append(cell_text(inner, reader, depth + 1))
        elif child.tag == W + "sdt":
            content = child.find(W + "sdtContent")
            if content is not None:
                lines.append(cell_text(content, reader, depth))
    return "\n".join(line for line in lines if line.strip()).strip()
