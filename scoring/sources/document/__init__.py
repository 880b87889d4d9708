"""Word and PDF documents → their paragraphs and tables, in reading order.

A performance office receives self-evaluation tables as Word documents (.docx,
.doc) and as PDFs with a text layer. Each reader here turns one file into a
`Document`: its paragraphs and its tables as text cells with their merges, in
the order a reader meets them, each table numbered and, for a PDF, with its
page. What the tables mean is read above this package (`sources/document/tables.py`
finds the self-evaluation tables and reads them with the spreadsheet reader).

Every reader measures the file against `core/limits.py` before it allocates
for it, and only reads it.
"""

from __future__ import annotations

from dataclasses import dataclass, field


@dataclass(frozen=True, slots=True)
class Paragraph:
    """One paragraph of running text (a heading, a line of the narrative)."""

    text: str
    page: int | None = None  # 1-based page of a PDF; None for Word


@dataclass(slots=True)
class Table:
    """One table as printed: rows of cell text, merged cells pointing at their range's top-left.

    `rows[r][c]` is the text of the cell at grid row r, grid column c (0-based),
    `None` for a cell covered by a merge (its text is at `merged[(r, c)]`).
    Rows may be of different lengths.
    """

    rows: list[list[str | None]]
    number: int  # 1-based, in the document's order
    merged: dict[tuple[int, int], tuple[int, int]] = field(default_factory=dict)
    page: int | None = None  # the PDF page it starts on
    row_pages: list[int] | None = None  # a PDF table's page of each row, when it runs over pages

    def where(self, r: int, c: int | None = None) -> str:
        """The place of a cell as a person finds it: 第2页 表3 第5行第2列."""
        page = self.row_pages[r] if self.row_pages and r < len(self.row_pages) else self.page
        text = f"第{page}页 " if page is not None else ""
        text += f"表{self.number} 第{r + 1}行"
        return text + (f"第{c + 1}列" if c is not None else "")


@dataclass(slots=True)
class Document:
    """A Word or PDF file's paragraphs and tables, in reading order."""

    file: str
    kind: str  # docx, doc, pdf
    blocks: list[Paragraph | Table]
    pages: int | None = None  # a PDF's page count

    @property
    def tables(self) -> list[Table]:
        return [b for b in self.blocks if isinstance(b, Table)]
