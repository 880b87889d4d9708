"""Any document to audit → `Document`, read by what the file holds, not its name."""

from __future__ import annotations

from pathlib import Path

from scoring.core.issues import ScoringError
from scoring.sources.archive import password_message
from scoring.sources.detect import describe, file_kind
from scoring.sources.document import Document
from scoring.sources.document.doc import read_doc
from scoring.sources.document.docx import read_docx
from scoring.sources.document.pdf import read_pdf

READERS = {"docx": read_docx, "doc": read_doc, "pdf": read_pdf}


def read_document(path: str | Path, shown: str | None = None) -> Document:
    """A Word document (.docx, .doc) or a PDF's paragraphs and tables.

    Raises:
        ScoringError: the file is not one of those, or its reader refuses it.
    """
    path = Path(path)
    kind = file_kind(path)
    reader = READERS.get(kind)
    if reader is not None:
        return reader(path, shown)
    name = shown or str(path)
    if kind == "encrypted":
        raise ScoringError(password_message(Path(name)))
    raise ScoringError(f"{name}：这是{describe(kind)}，不是 Word 文档（.docx、.doc）或 PDF 文件，"
                       "无法按文档读取；请选择单位提交的自评表 Word 文档或 PDF")
