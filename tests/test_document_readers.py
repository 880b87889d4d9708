"""The PDF and .doc readers against the .docx each file was made from.

The inputs are made as a unit makes them: `jixiao render` writes the tables (every
shipped layout) and a 绩效自评报告, LibreOffice prints them to PDF and saves them as
Word 97-2003 .doc (three soffice calls for the whole module). Each table read from
the PDF or the .doc must give the cells `read_docx` gives for the .docx: the same
text at the same grid places with the same merges, once grid columns that no cell
edge uses are dropped (a .docx may keep a column boundary that nothing prints). A
table that runs over a page break gives one table per page, its rows those of the
.docx. The hostile PDFs are built here, byte by byte.

Without LibreOffice Writer or a Chinese font the tests that need them skip here and
fail in CI (CI=true), which installs them (.ci/run)."""

import functools
import os
import re
import shutil
import subprocess
import zlib
from pathlib import Path

import pytest
from conftest import EXAMPLES, needs_writer

from scoring.cli import main
from scoring.core import limits
from scoring.core.issues import ScoringError
from scoring.sources.document import Paragraph, Table
from scoring.sources.document import doc as doc_module
from scoring.sources.document.doc import read_doc
from scoring.sources.document.docx import read_docx
from scoring.sources.document.pdf import read_pdf
from scoring.sources.document.reader import read_document

PROJECT = EXAMPLES / "安阳北关区医保局_2022_慢性病专家鉴定费.yaml"
DEPARTMENT = EXAMPLES / "焦作中站区医保局_2021_部门整体.yaml"
LAYOUTS = ("henan", "central", "anyang_2022", "jiaozuo_2021")
CJK = "\u3400-\u9fff\uf900-\ufaff"
SPACED = re.compile(f"[{CJK}] +[{CJK}]")  # a space between two Chinese characters



def _needs_writer() -> None:
    needs_writer("pdftoppm")


@functools.cache
def _read_pdf(path: Path):
    """Each printed file read once for the module's tests (a department's takes ~0.5 s)."""
    return read_pdf(path)


def _soffice(target: str, files: list[Path], out: Path, profile: Path) -> None:
    subprocess.run([doc_module.soffice(), f"-env:UserInstallation={profile.as_uri()}", "--headless",
                    "--convert-to", target, "--outdir", str(out), *map(str, files)],
                   check=True, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, timeout=300)


@pytest.fixture(scope="module")
def made(tmp_path_factory) -> Path:
    """docx/ the rendered tables (each example in each layout) and one report; pdf/ and
    doc/ the same files printed and saved by LibreOffice."""
    _needs_writer()
    out = tmp_path_factory.mktemp("documents")
    docx = out / "docx"
    docx.mkdir()
    for layout in LAYOUTS:
        report = [] if layout == "anyang_2022" else ["--no-report"]
        assert main(["render", str(PROJECT), str(DEPARTMENT), "-o", str(out / layout), "--layout", layout,
                     "--workers", "1", *report]) == 0
        for path in (out / layout).glob("*.docx"):
            path.rename(docx / f"{layout}_{path.name}")
    _spread(docx / "spread.docx")
    profile = out / "profile"
    files = sorted(docx.glob("*.docx"))
    _soffice("pdf", files, out / "pdf", profile)
    _soffice("doc", [f for f in files if "自评表" in f.name and "anyang" in f.name], out / "doc", profile)
    return out


def _spread(path: Path) -> None:
    """Text set 分散对齐 (distributed: the characters spread over the width), as forms print
    labels, and two names parted by tabs."""
    from docx import Document
    from docx.oxml import OxmlElement
    from docx.oxml.ns import qn

    def distribute(paragraph) -> None:
        jc = OxmlElement("w:jc")
        jc.set(qn("w:val"), "distribute")
        paragraph._p.get_or_add_pPr().append(jc)

    document = Document()
    distribute(document.add_paragraph("自评得分为94分"))
    table = document.add_table(rows=2, cols=2)
    table.style = "Table Grid"
    for (r, c), text in {(0, 0): "项目名称", (0, 1): "慢性病专家鉴定费", (1, 0): "单位",
                         (1, 1): "安阳市北关区医疗保障局"}.items():
        table.cell(r, c).text = text
        if c == 0 or r == 1:
            distribute(table.cell(r, c).paragraphs[0])
    document.add_paragraph("填表人：张三\t\t\t审核人：李四")
    document.save(path)


def _pair(made: Path, kind: str, layout: str, which: str, folder: str = "pdf") -> tuple[Path, Path]:
    name = next(p.stem for p in (made / "docx").glob(f"{layout}_*{which}*.docx")
                if ("部门整体" in p.name) == (kind == "department"))
    suffix = "pdf" if folder == "pdf" else "doc"
    return made / "docx" / f"{name}.docx", made / folder / f"{name}.{suffix}"


def canonical(table: Table) -> list[list[tuple]]:
    """The table as a grid of (text of the cell that covers the place, top-left of that
    cell), with columns and rows that no cell edge uses dropped and whitespace removed
    (a wrapped cell reads as one; where a line broke, the .docx may have had a space)."""
    width = max(len(row) for row in table.rows)
    owner = [[table.merged.get((r, c), (r, c) if c < len(row) and row[c] is not None else None)
              for c in range(width)] for r, row in enumerate(table.rows)]
    keep_cols = [c for c in range(width)
                 if c == 0 or any(owner[r][c] is None or owner[r][c] != owner[r][c - 1] for r in range(len(owner)))]
    keep_rows = [r for r in range(len(owner))
                 if r == 0 or any(owner[r][c] is None or owner[r][c] != owner[r - 1][c] for c in range(width))]
    col, row = {c: i for i, c in enumerate(keep_cols)}, {r: i for i, r in enumerate(keep_rows)}
    grid = []
    for r in keep_rows:
        line = []
        for c in keep_cols:
            at = owner[r][c]
            text = None if at is None else re.sub(r"\s+", "", table.rows[at[0]][at[1]] or "")
            line.append((text, None if at is None else (row[at[0]], col[at[1]])))
        while line and line[-1] == (None, None):
            line.pop()
        grid.append(line)
    return grid


def texts(document) -> list[str]:
    return [b.text for b in document.blocks if isinstance(b, Paragraph)] + [
        cell for t in document.tables for row in t.rows for cell in row if cell]


# ------------------------------------------------------------------ PDF

@pytest.mark.parametrize("layout", LAYOUTS)
@pytest.mark.parametrize("kind", ["project", "department"])
def test_pdf_tables_give_the_docx_cells_rows_and_merges(made, kind, layout):
    source, printed = _pair(made, kind, layout, "自评表")
    word, pdf = read_docx(source), _read_pdf(printed)
    assert pdf.kind == "pdf" and pdf.pages >= 1 and pdf.file == str(printed)
    assert [t.number for t in pdf.tables] == list(range(1, len(pdf.tables) + 1))
    pages = [t.page for t in pdf.tables]
    assert pages == sorted(pages) and pages[0] == 1 and pages[-1] <= pdf.pages
    expected = [str(canonical(t)) for t in word.tables]
    whole = [t for t in pdf.tables if t.number not in _split(pdf)]
    assert whole or kind == "department"  # a department's tables run over pages in some layouts
    for table in whole:  # a table on one page: cell for cell, merges too
        assert str(canonical(table)) in expected, (table.number, canonical(table))
    # the indicator table and the funds block, over page breaks too
    for header in ("三级指标", "全年执行数"):
        assert _from_column(pdf, header) == _from_column(word, header), header


def _split(document) -> set[int]:
    """Tables cut by a page break: the last block of a page and the first of the next."""
    blocks = document.blocks
    return {t.number for a, b in zip(blocks, blocks[1:]) if isinstance(a, Table) and isinstance(b, Table)
            and a.page is not None and b.page == a.page + 1 for t in (a, b)}


def _from_column(document, header: str) -> list[list[tuple]]:
    """The rows of the table whose header row holds `header`, from that row down and from
    that column rightwards, with its continuations on the next pages (a repeated header
    row left out): each place's text and whether it is a cell's top-left. Columns left of
    `header` are left out: a merge there is cut in two by a page break."""
    blocks = document.blocks
    split = _split(document)
    rows: list[list[tuple]] = []
    head: list[str | None] = []  # the header row's texts
    for i, table in enumerate(blocks):
        if not isinstance(table, Table):
            continue
        grid = canonical(table)
        if not rows:
            at = next(((r, c) for r, row in enumerate(grid) for c, (text, _) in enumerate(row) if text == header),
                      None)
            if at is None:
                continue
            first, column = at
        elif [text for text, _ in grid[0]] == head:
            first = 1  # the header row repeated on the new page marks a continuation
        else:
            break
        part = [[(text, where == (r, c)) for c, (text, where) in enumerate(row) if c >= column]
                for r, row in enumerate(grid) if r >= first]
        if not rows:
            head = [text for text, _ in grid[first]]
        rows += part
        if table.number not in split or i + 1 == len(blocks) or blocks[i + 1].page != table.page + 1:
            break
    return rows


def test_pdf_blocks_are_in_reading_order_with_their_pages(made):
    _, printed = _pair(made, "project", "anyang_2022", "自评表")
    document = _read_pdf(printed)
    kinds = [type(b).__name__ for b in document.blocks]
    assert kinds == ["Paragraph", "Paragraph", "Table", "Table", "Paragraph"]
    assert [b.text for b in document.blocks if isinstance(b, Paragraph)] == [
        "项目支出绩效自评情况表", "2022年度", "填表人：        审核人：        单位（盖章）：        填报日期："]
    assert all(b.page == 1 for b in document.blocks)
    assert document.tables[1].rows[0][:3] == ["一级指标", "二级指标", "三级指标"]
    assert document.tables[1].merged[(3, 0)] == (2, 0)  # 产出指标 over its three rows


def test_a_table_over_a_page_break_is_one_table_a_page(made):
    _, printed = _pair(made, "department", "anyang_2022", "自评表")
    document = _read_pdf(printed)
    indicator = [t for t in document.tables if any("三级指标" in (c or "") for row in t.rows for c in row)]
    assert [t.page for t in indicator] == [1, 2]
    assert indicator[1].rows[0] == indicator[0].rows[0]  # the header row, repeated on the new page
    assert document.tables[-1].rows[-1][0] == "总分" and document.tables[-1].page == 2


def test_pdf_report_paragraphs_are_the_docx_paragraphs_whole_and_without_spaces(made):
    """Lines wrapped by the page width, and a paragraph cut by a page break, read as the paragraph."""
    source, printed = _pair(made, "project", "anyang_2022", "自评报告")
    word, pdf = read_docx(source), read_pdf(printed)
    assert pdf.pages >= 2
    assert [b.text for b in pdf.blocks if isinstance(b, Paragraph)] == [
        b.text for b in word.blocks if isinstance(b, Paragraph)]
    longest = max((b for b in pdf.blocks if isinstance(b, Paragraph)), key=lambda b: len(b.text))
    assert len(longest.text) > 100 and "\n" not in longest.text


@pytest.mark.parametrize("layout", LAYOUTS)
def test_pdf_text_has_no_space_between_chinese_characters(made, layout):
    for kind in ("project", "department"):
        source, printed = _pair(made, kind, layout, "自评表")
        expected = sum(len(SPACED.findall(t)) for t in texts(read_docx(source)))
        assert sum(len(SPACED.findall(t)) for t in texts(_read_pdf(printed))) == expected


def test_distributed_text_reads_without_the_spread(made):
    document = _read_pdf(made / "pdf" / "spread.pdf")
    assert [b.text for b in document.blocks if isinstance(b, Paragraph)] == ["自评得分为94分", "填表人：张三 审核人：李四"]
    assert document.tables[0].rows == [["项目名称", "慢性病专家鉴定费"], ["单位", "安阳市北关区医疗保障局"]]


def test_a_scan_without_text_says_so(made, tmp_path):
    _, printed = _pair(made, "project", "anyang_2022", "自评表")
    subprocess.run(["pdftoppm", "-png", "-r", "50", "-singlefile", str(printed), str(tmp_path / "page")], check=True)
    from PIL import Image

    with Image.open(tmp_path / "page.png") as image:
        image.convert("RGB").save(tmp_path / "扫描件.pdf")
    with pytest.raises(ScoringError, match="扫描件.pdf：PDF 没有文字层（是扫描件或图片）.*Word/Excel 原件.*OCR"):
        read_pdf(tmp_path / "扫描件.pdf")


def test_a_password_protected_pdf_says_so(made, tmp_path):
    source, _ = _pair(made, "project", "anyang_2022", "自评表")
    shutil.copyfile(source, tmp_path / "加密.docx")
    options = ('{"EncryptFile":{"type":"boolean","value":"true"},'
               '"DocumentOpenPassword":{"type":"string","value":"secret"}}')
    _soffice(f"pdf:writer_pdf_Export:{options}", [tmp_path / "加密.docx"], tmp_path, made / "profile")
    with pytest.raises(ScoringError, match="加密.pdf：PDF 设置了打开密码"):
        read_pdf(tmp_path / "加密.pdf")


def test_the_cell_limit_refuses_a_pdf(made, monkeypatch):
    _, printed = _pair(made, "project", "anyang_2022", "自评表")
    monkeypatch.setattr(limits, "MAX_DOCUMENT_CELLS", 50)
    with pytest.raises(ScoringError, match="表格单元格超过 50 个"):
        read_pdf(printed, shown="自评表.pdf")


# ------------------------------------------------------------------ hostile PDFs

def _pdf(objects: list[bytes]) -> bytes:
    out = bytearray(b"%PDF-1.4\n")
    offsets = []
    for i, body in enumerate(objects, 1):
        offsets.append(len(out))
        out += b"%d 0 obj\n" % i + body + b"\nendobj\n"
    xref = len(out)
    out += b"xref\n0 %d\n0000000000 65535 f \n" % (len(objects) + 1)
    out += b"".join(b"%010d 00000 n \n" % off for off in offsets)
    out += b"trailer\n<< /Size %d /Root 1 0 R >>\nstartxref\n%d\n%%%%EOF\n" % (len(objects) + 1, xref)
    return bytes(out)


def _one_page(content: bytes, count: int = 1, kids: bytes = b"3 0 R") -> bytes:
    data = zlib.compress(content, 9)
    return _pdf([b"<< /Type /Catalog /Pages 2 0 R >>",
                 b"<< /Type /Pages /Kids [%s] /Count %d >>" % (kids, count),
                 b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 595 842] /Contents 4 0 R "
                 b"/Resources << /Font << /F1 5 0 R >> >> >>",
                 b"<< /Length %d /Filter /FlateDecode >>\nstream\n" % len(data) + data + b"\nendstream",
                 b"<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica >>"])


def test_a_pdf_with_text_reads(tmp_path):
    (tmp_path / "a.pdf").write_bytes(_one_page(b"BT /F1 12 Tf 72 700 Td (Total 94) Tj ET"))
    document = read_document(tmp_path / "a.pdf")
    assert document.kind == "pdf" and [b.text for b in document.blocks] == ["Total 94"]


def test_a_declared_billion_pages_in_a_looping_tree_is_refused(tmp_path):
    (tmp_path / "a.pdf").write_bytes(_one_page(b"BT /F1 12 Tf 72 700 Td (x) Tj ET", count=10 ** 9,
                                               kids=b"3 0 R 2 0 R 2 0 R"))
    with pytest.raises(ScoringError, match=f"PDF 超过 {limits.MAX_PDF_PAGES} 页"):
        read_pdf(tmp_path / "a.pdf")


def test_a_page_of_millions_of_operators_is_refused_before_it_is_read(tmp_path):
    (tmp_path / "a.pdf").write_bytes(_one_page(b"1 1 m 2 2 l S\n" * 2_000_000))  # 28 MB in 60 KB
    with pytest.raises(ScoringError, match="a.pdf：PDF 第 1 页的绘图内容超过 2 MB"):
        read_pdf(tmp_path / "a.pdf")


def test_pages_that_each_take_long_end_at_the_time_limit(tmp_path, monkeypatch):
    """200 pages sharing one content stream of 20,000 line segments (~3 s a page)."""
    data = zlib.compress(b"1 1 m 2 2 l S\n" * 20_000, 9)
    pages = b" ".join(b"%d 0 R" % (i + 4) for i in range(200))
    (tmp_path / "a.pdf").write_bytes(_pdf([
        b"<< /Type /Catalog /Pages 2 0 R >>", b"<< /Type /Pages /Kids [%s] /Count 200 >>" % pages,
        b"<< /Length %d /Filter /FlateDecode >>\nstream\n" % len(data) + data + b"\nendstream",
        *[b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 595 842] /Contents 3 0 R >>"] * 200]))
    monkeypatch.setattr(limits, "MAX_PDF_SECONDS", 2.0)
    with pytest.raises(ScoringError, match="读取 PDF 超过 2 秒仍未完成"):
        read_pdf(tmp_path / "a.pdf")


def test_a_flate_bomb_ends_at_the_memory_limit(tmp_path, monkeypatch):
    """A page whose content expands from 0.5 MB to 512 MB, read with 300 MB of address space."""
    block, blocks = b" " * (1 << 24), 32
    squeeze = zlib.compressobj(9, zlib.DEFLATED, -15)
    segment = squeeze.compress(block) + squeeze.flush(zlib.Z_FULL_FLUSH)  # the same bytes for each block
    check = 1
    for _ in range(blocks):
        check = zlib.adler32(block, check)
    data = b"\x78\xda" + segment * blocks + squeeze.flush() + check.to_bytes(4, "big")
    (tmp_path / "a.pdf").write_bytes(_pdf([
        b"<< /Type /Catalog /Pages 2 0 R >>", b"<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
        b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 595 842] /Contents 4 0 R >>",
        b"<< /Length %d /Filter /FlateDecode >>\nstream\n" % len(data) + data + b"\nendstream"]))
    monkeypatch.setattr(limits, "MAX_PDF_MEMORY", 300 * limits.MiB)
    with pytest.raises(ScoringError, match="读取 PDF 所需内存超过 300 MB"):
        read_pdf(tmp_path / "a.pdf")


def test_a_damaged_or_mislabelled_pdf_says_so(tmp_path):
    (tmp_path / "a.pdf").write_bytes(b"not a pdf at all")
    with pytest.raises(ScoringError, match="a.pdf：不是 PDF 文件"):
        read_pdf(tmp_path / "a.pdf")
    (tmp_path / "b.pdf").write_bytes(b"%PDF-1.4\n" + os.urandom(2000))
    with pytest.raises(ScoringError, match="b.pdf：PDF (文件已损坏|没有文字层)"):
        read_pdf(tmp_path / "b.pdf")


# ------------------------------------------------------------------ .doc

def test_a_doc_gives_the_docx_tables_and_paragraphs_and_leaves_its_folder_as_it_was(made, tmp_path):
    """Read by what it holds (here under a .docx name), converted beside nothing."""
    source, saved = _pair(made, "project", "anyang_2022", "自评表", folder="doc")
    shutil.copyfile(saved, tmp_path / "表.docx")
    old = read_document(tmp_path / "表.docx", shown="单位/表.docx")
    assert sorted(p.name for p in tmp_path.iterdir()) == ["表.docx"]  # no lock file, no converted copy
    word = read_docx(source)
    assert old.kind == "doc" and old.file == "单位/表.docx"
    assert [str(canonical(t)) for t in old.tables] == [str(canonical(t)) for t in word.tables]
    assert [b.text for b in old.blocks if isinstance(b, Paragraph)] == [
        b.text for b in word.blocks if isinstance(b, Paragraph)]


def test_read_document_reads_by_content(made, tmp_path):
    source, _ = _pair(made, "project", "anyang_2022", "自评表", folder="doc")
    _, printed = _pair(made, "project", "anyang_2022", "自评表")
    shutil.copyfile(source, tmp_path / "表.pdf")
    shutil.copyfile(printed, tmp_path / "表.doc")
    assert [read_document(tmp_path / name).kind for name in ("表.pdf", "表.doc")] == ["docx", "pdf"]


def test_read_document_refuses_what_is_not_a_document(tmp_path):
    (tmp_path / "评价.yaml").write_text("kind: project\n", encoding="utf-8")
    with pytest.raises(ScoringError, match="评价.yaml：这是YAML 评价文件，不是 Word 文档（.docx、.doc）或 PDF"):
        read_document(tmp_path / "评价.yaml")
    with pytest.raises(ScoringError, match="找不到文件"):
        read_document(tmp_path / "没有.pdf")


def test_doc_without_libreoffice_says_what_to_do(tmp_path, monkeypatch):
    (tmp_path / "旧.doc").write_bytes(b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + bytes(504))
    monkeypatch.setattr(doc_module, "soffice", lambda: None)
    with pytest.raises(ScoringError, match="旧.doc：读取 Word 97-2003 文档（.doc）需要 LibreOffice.*另存为 .docx"):
        read_doc(tmp_path / "旧.doc")


def test_a_damaged_doc_says_so(made, tmp_path):
    (tmp_path / "坏.doc").write_bytes(b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + os.urandom(4000))
    with pytest.raises(ScoringError, match="坏.doc：不是有效的 Word 97-2003 文档"):
        read_doc(tmp_path / "坏.doc")
    # a sound container whose WordDocument stream is zeroed: LibreOffice's Word filter refuses it
    # (without the filter named, LibreOffice would read the bytes as plain text)
    _, saved = _pair(made, "project", "anyang_2022", "自评表", folder="doc")
    import olefile

    with olefile.OleFileIO(str(saved)) as ole:
        start = ole.direntries[ole._find("WordDocument")].isectStart
        size = ole.sectorsize
    data = bytearray(saved.read_bytes())
    data[size * (start + 1):size * (start + 1) + 4096] = bytes(4096)
    (tmp_path / "零.doc").write_bytes(bytes(data))
    with pytest.raises(ScoringError, match="零.doc：LibreOffice 无法打开这份 .doc"):
        read_doc(tmp_path / "零.doc")
    assert sorted(p.name for p in tmp_path.iterdir()) == ["坏.doc", "零.doc"]
