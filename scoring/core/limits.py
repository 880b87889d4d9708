"""How much of anything jixiao accepts: every input is measured against these before
anything is allocated for it.

Units and offices hand jixiao whatever their office suite saved, and a served folder
or an upload takes files from anyone. A file that declares a sheet of 17 billion
cells, a zip member that expands a thousandfold, or a YAML file of nested aliases
must end in a clear error, not in a native abort, gigabytes of memory or a hang.

The defaults are generous for real work: the largest real input is a city's
workbook of some 1,000 project sheets of 60 rows each (about 600,000 cells), and a
real evaluation file is a few kilobytes. Each limit is named in the message that
refuses a file, with what to do. Change them here, not at the call sites.
"""

from __future__ import annotations

MiB = 1024 * 1024

# ------------------------------------------------------------------ any file

MAX_INPUT_BYTES = 64 * MiB  # a file on disk, before it is opened

# ---------------------------------------------------- zip containers (.xlsx, .ods, .docx)

MAX_ZIP_MEMBERS = 20_000  # parts in one container (a 1,000-sheet workbook has ~2,100)
MAX_MEMBER_BYTES = 64 * MiB  # one part, expanded (a sheet, the shared strings, a document)
MAX_EXPANDED_BYTES = 512 * MiB  # all parts together, expanded
MAX_RATIO = 200  # expanded ÷ compressed, for a part of more than RATIO_FLOOR bytes
RATIO_FLOOR = 1 * MiB  # small parts compress as they like

# --------------------------------------------------------------- spreadsheets

MAX_SHEETS = 4_096  # sheets in one workbook
MAX_SHEET_CELLS = 2_000_000  # rows × columns of one sheet's used range
MAX_WORKBOOK_CELLS = 8_000_000  # rows × columns, all sheets together
MAX_CELL_TEXT = 32_767  # characters in one cell (Excel's own limit)

# ------------------------------------------------------------------- YAML

MAX_YAML_BYTES = 8 * MiB  # an evaluation, a template or a review record
MAX_YAML_DEPTH = 64  # nesting of mappings and lists
MAX_YAML_ALIASES = 100  # *references to &anchors
MAX_YAML_NODES = 200_000  # values after aliases are followed (a real evaluation has a few thousand)

# ----------------------------------------------------------- Word templates

MAX_TEMPLATE_BYTES = 32 * MiB  # a .docx template on disk
MAX_RENDER_SECONDS = 20.0  # one document
MAX_RENDER_BYTES = 64 * MiB  # one rendered part (document.xml, a header)
MAX_TEMPLATE_LOOP = 100_000  # items one range() may give, and all loops of one document together
# One value a template computes ('A' * n, a + b, a joined list, a padded or replaced text):
# characters of a text, items of a list. A real document's longest value is a few KB.
MAX_TEMPLATE_VALUE = 1_000_000
MAX_TEMPLATE_DIGITS = 4_300  # digits of one number a template computes (Python's own int → text limit)
# A part that is compiled (document.xml, a header or footer with tags): Jinja needs ~2 s and
# ~300 MB per MB of densely tagged text. The shipped tables are ~30 KB with ~50 tags.
MAX_TEMPLATE_SOURCE = 8 * MiB
MAX_TEMPLATE_TAGS = 10_000  # {{ }}, {% %} and {# #} tags in one such part


def size_text(n: int) -> str:
    """A byte count as people read it: 64 MB, 1.5 GB, 300 KB."""
    for unit, size in (("GB", 1024 * MiB), ("MB", MiB), ("KB", 1024)):
        if n >= size:
            value = n / size
            return f"{value:.1f}".rstrip("0").rstrip(".") + f" {unit}"
    return f"{n} 字节"

# ------------------------------------------------ documents to audit (.docx, .doc, .pdf)

# table cells in one document, merged and empty ones and rows counted (a 200-table 汇编 has ~40,000;
# reading costs ~400 bytes a cell, so this bounds a document at ~120 MB)
MAX_DOCUMENT_CELLS = 300_000
MAX_DOCUMENT_XML = 32 * MiB  # a document's word/document.xml (seed 001's four tables and report: 250 KB)
MAX_TABLE_NESTING = 8  # a table inside a cell inside a table …, read as its cell's text; deeper is refused
MAX_DOCUMENT_PARAGRAPHS = 200_000  # paragraphs outside tables
MAX_PDF_PAGES = 1_000  # pages of one PDF (a 200-table 汇编 prints ~300)
# A PDF is read in a child process held to these (pdfminer is pure Python and reads whatever a file declares)
MAX_PDF_SECONDS = 120.0  # wall clock for one PDF (~0.1 s a page of tables: 1,000 pages fit)
MAX_PDF_MEMORY = 1024 * MiB  # address space of that process (a 54-page PDF of 80 tables peaks at ~55 MB)
# Drawing operators of one page, decoded: a printed table page has ~25 KB; pdfminer needs ~40 s and ~1 GB for
# a page of 2.8 MB of line segments
MAX_PDF_PAGE_CONTENT = 2 * MiB
MAX_CONVERT_SECONDS = 60.0  # LibreOffice turning one .doc into .docx (~3 s, most of it starting up)
