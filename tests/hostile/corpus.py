"""The hostile corpus of issue 12: files an attacker (or an unlucky office suite) hands
jixiao, each made here by a script, none committed as a binary.

Every case is a `Case`: a function that writes the file(s) into a folder, the jixiao
command to run on them, the exit status it must end with, and the words its message
must contain (the file's name, the part: a sheet, a zip member, a line, a template).
tests/hostile/test_hostile.py runs each in a subprocess under a 2 GiB address-space
cap and a 20 s limit. `python tests/hostile/corpus.py OUT` writes them all to OUT to
try by hand.
"""

from __future__ import annotations

import struct
import subprocess
import sys
import tempfile
import zipfile
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent.parent
EXAMPLES = ROOT / "examples"
PROJECT = EXAMPLES / "安阳北关区医保局_2022_慢性病专家鉴定费.yaml"
MiB = 1024 * 1024


@dataclass(frozen=True)
class Case:
    name: str
    make: Callable[[Path], Path]  # writes into a folder, returns the file to hand jixiao
    command: tuple[str, ...] = ("score", "{file}")  # {file}, {out} are filled in
    exit: int = 1
    expect: tuple[str, ...] = ()  # words the output must contain (besides the file's name)
    outputs: bool = False  # exit 0 must leave documents that open
    needs: tuple[str, ...] = field(default=())  # programs the case needs to be made (soffice)


# ------------------------------------------------------------------ helpers


def _xlsx(path: Path, cells: dict[str, object]) -> Path:
    from openpyxl import Workbook

    wb = Workbook()
    ws = wb.active
    for ref, value in cells.items():
        ws[ref] = value
    wb.save(path)
    return path


def _replace_member(path: Path, member: str, chunks: Callable[[], object], out: Path) -> Path:
    """A copy of the zip at `path` with `member` replaced by the bytes `chunks()` yields,
    streamed, so a part of hundreds of MB never sits in memory here either."""
    with zipfile.ZipFile(path) as src, zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as dst:
        for info in src.infolist():
            if info.filename != member:
                dst.writestr(info, src.read(info.filename))
        packed = zipfile.ZipInfo(member, (2024, 1, 1, 0, 0, 0))
        packed.compress_type = zipfile.ZIP_DEFLATED
        with dst.open(packed, "w", force_zip64=True) as handle:
            for chunk in chunks():
                handle.write(chunk)
    return out


def _understate(path: Path, member: str, size: int) -> None:
    """Rewrite the expanded size the zip declares for `member` (local and central headers)
    as `size`: a header that lies, as a hand-made bomb's does."""
    data = bytearray(path.read_bytes())
    name = member.encode()
    at = 0
    while (at := data.find(b"PK\x03\x04", at)) >= 0:
        n = struct.unpack_from("<H", data, at + 26)[0]
        if data[at + 30: at + 30 + n] == name:
            struct.pack_into("<I", data, at + 22, size)
        at += 4
    at = 0
    while (at := data.find(b"PK\x01\x02", at)) >= 0:
        n = struct.unpack_from("<H", data, at + 28)[0]
        if data[at + 46: at + 46 + n] == name:
            struct.pack_into("<I", data, at + 24, size)
        at += 4
    path.write_bytes(bytes(data))


def _soffice(src: Path, fmt: str, out: Path) -> Path:
    with tempfile.TemporaryDirectory() as tmp:
        subprocess.run(["soffice", f"-env:UserInstallation=file://{tmp}/profile", "--headless",
                        "--convert-to", fmt, "--outdir", tmp, str(src)], check=True, capture_output=True,
                       timeout=180)
        (Path(tmp) / f"{src.stem}.{fmt}").replace(out)
    return out


def _yaml_text(path: Path) -> str:
    return path.read_text(encoding="utf-8")


# -------------------------------------------------------------- spreadsheets


def far_cell(folder: Path) -> Path:
    """44 KB: one cell at XFD1048576; calamine asked for 512 GiB and aborted."""
    return _xlsx(folder / "远处单元格.xlsx", {"A1": "单位", "XFD1048576": "远"})


def sheet_bomb(folder: Path) -> Path:
    """A sheet whose XML expands to 256 MB of blanks (a few hundred KB on disk)."""
    base = _xlsx(folder / "base.xlsx", {"A1": "单位"})

    def chunks():
        yield b'<?xml version="1.0" encoding="UTF-8"?><worksheet xmlns="http://schemas.openxmlformats.org/'
        yield b'spreadsheetml/2006/main"><sheetData>'
        blank = b" " * MiB
        for _ in range(256):
            yield blank
        yield b'<row r="1"><c r="A1" t="inlineStr"><is><t>x</t></is></c></row></sheetData></worksheet>'

    out = _replace_member(base, "xl/worksheets/sheet1.xml", chunks, folder / "工作表炸弹.xlsx")
    base.unlink()
    return out


def shared_string_bomb(folder: Path) -> Path:
    """One shared string of 300 MB."""
    base = _xlsx(folder / "base.xlsx", {"A1": "单位"})

    def chunks():
        yield (b'<?xml version="1.0" encoding="UTF-8"?><sst xmlns="http://schemas.openxmlformats.org/'
               b'spreadsheetml/2006/main" count="1" uniqueCount="1"><si><t>')
        block = b"A" * MiB
        for _ in range(300):
            yield block
        yield b"</t></si></sst>"

    out = _replace_member(base, "xl/sharedStrings.xml", chunks, folder / "共享字符串炸弹.xlsx")
    base.unlink()
    return out


def lying_header(folder: Path) -> Path:
    """A sheet that declares 2 KB and expands to 200 MB: caught while it is read."""
    out = sheet_bomb(folder)
    lying = folder / "谎报大小.xlsx"
    out.replace(lying)
    _understate(lying, "xl/worksheets/sheet1.xml", 2048)
    return lying


def ods_repeat_bomb(folder: Path) -> Path:
    """An .ods whose one cell is repeated over a million rows and a thousand columns."""
    content = (
        '<?xml version="1.0" encoding="UTF-8"?>'
        '<office:document-content xmlns:office="urn:oasis:names:tc:opendocument:xmlns:office:1.0" '
        'xmlns:table="urn:oasis:names:tc:opendocument:xmlns:table:1.0" '
        'xmlns:text="urn:oasis:names:tc:opendocument:xmlns:text:1.0" office:version="1.2">'
        '<office:body><office:spreadsheet><table:table table:name="表1">'
        '<table:table-row table:number-rows-repeated="1048576">'
        '<table:table-cell table:number-columns-repeated="1024" office:value-type="float" office:value="1">'
        '<text:p>1</text:p></table:table-cell></table:table-row>'
        '</table:table></office:spreadsheet></office:body></office:document-content>')
    manifest = ('<?xml version="1.0" encoding="UTF-8"?><manifest:manifest '
                'xmlns:manifest="urn:oasis:names:tc:opendocument:xmlns:manifest:1.0" manifest:version="1.2">'
                '<manifest:file-entry manifest:full-path="/" '
                'manifest:media-type="application/vnd.oasis.opendocument.spreadsheet"/>'
                '<manifest:file-entry manifest:full-path="content.xml" manifest:media-type="text/xml"/>'
                '</manifest:manifest>')
    path = folder / "重复单元格.ods"
    with zipfile.ZipFile(path, "w") as zf:
        zf.writestr("mimetype", "application/vnd.oasis.opendocument.spreadsheet", zipfile.ZIP_STORED)
        zf.writestr("content.xml", content, zipfile.ZIP_DEFLATED)
        zf.writestr("META-INF/manifest.xml", manifest, zipfile.ZIP_DEFLATED)
    return path


def xls_far_cell(folder: Path) -> Path:
    """An .xls (saved by LibreOffice) with a cell at IV65536, the format's last cell."""
    src = _xlsx(folder / "远处单元格_xls.xlsx", {"A1": "单位", "IV65536": "远"})
    out = _soffice(src, "xls", folder / "远处单元格.xls")
    src.unlink()
    return out


def encrypted(folder: Path) -> Path:
    """A workbook with an opening password (encrypted the way Excel does, by msoffcrypto-tool)."""
    import msoffcrypto.format.ooxml as ooxml

    plain = _xlsx(folder / "plain.xlsx", {"A1": "单位"})
    out = folder / "加密.xlsx"
    with plain.open("rb") as src, out.open("wb") as dst:
        ooxml.OOXMLFile(src).encrypt("1234", dst)
    plain.unlink()
    return out


def not_a_zip(folder: Path) -> Path:
    path = folder / "假的工作簿.xlsx"
    path.write_bytes(b"PK\x03\x04" + b"\x00" * 200)
    return path


def too_many_members(folder: Path) -> Path:
    """A zip of 30,000 empty parts: its directory alone would cost memory to list."""
    path = folder / "部件过多.xlsx"
    with zipfile.ZipFile(path, "w") as zf:
        for i in range(30_000):
            zf.writestr(f"x/{i}", b"")
    return path


# ------------------------------------------------------------------- YAML


def alias_bomb(folder: Path) -> Path:
    """Billion laughs: nine levels of nine aliases, 9^9 values once followed."""
    lines = ['a0: &a0 ["哈"]']
    for i in range(1, 10):
        refs = ", ".join([f"*a{i - 1}"] * 9)
        lines.append(f"a{i}: &a{i} [{refs}]")
    path = folder / "别名炸弹.yaml"
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return path


def few_aliases_wide(folder: Path) -> Path:
    """Under the alias count, yet exponential: 60 aliases, each doubling the last."""
    lines = ['a0: &a0 ["哈", "哈"]']
    for i in range(1, 31):
        lines.append(f"a{i}: &a{i} [*a{i - 1}, *a{i - 1}]")
    path = folder / "别名倍增.yaml"
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return path


def deep_nesting(folder: Path) -> Path:
    path = folder / "深层嵌套.yaml"
    path.write_text("kind: " + "[" * 50_000 + "]" * 50_000 + "\n", encoding="utf-8")
    return path


def twenty_mb(folder: Path) -> Path:
    """A plain evaluation padded to 20 MB with real indicator rows."""
    head = _yaml_text(PROJECT).split("indicators:")[0]
    row = ("  - level1: 产出指标\n    level2: 数量指标\n    level3: 指标{i}\n    target: ≥90%\n"
           "    actual: 95%\n    weight: 0\n    reason: 说明\n")
    path = folder / "二十兆.yaml"
    with path.open("w", encoding="utf-8") as handle:
        handle.write(head + "indicators:\n")
        i = 0
        while handle.tell() < 20 * MiB:
            handle.write(row.format(i=i))
            i += 1
    return path


def control_characters(folder: Path) -> Path:
    """\\x01, \\x0b, \\x00 and U+FFFE typed into text fields of a real evaluation."""
    text = _yaml_text(PROJECT)
    text = text.replace("unit: 安阳市北关区医疗保障局", 'unit: "安阳市北关区\\x0b医疗保障局"', 1)
    text = text.replace("project: 慢性病专家鉴定费", 'project: "慢性病\\x01专家鉴定费\\x00"', 1)
    text = text.replace("    problems: 无", '    problems: "无\\uFFFE"', 1)
    path = folder / "控制字符.yaml"
    path.write_text(text, encoding="utf-8")
    return path


def not_utf8(folder: Path) -> Path:
    path = folder / "GBK编码.yaml"
    path.write_bytes(_yaml_text(PROJECT).encode("gbk", errors="replace"))
    return path


# ------------------------------------------------------------ Word templates


def _template(folder: Path, name: str, text: str) -> Path:
    """A Word template whose one paragraph holds `text` (docxtpl tags or not)."""
    import docx

    path = folder / name
    document = docx.Document()
    document.add_paragraph(text)
    document.save(str(path))
    return path


def _with_part(path: Path, member: str, data: bytes | None) -> Path:
    """The .docx at `path` with `member` replaced by `data`, or removed when None."""
    out = path.with_name("改_" + path.name)
    with zipfile.ZipFile(path) as src, zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as dst:
        for info in src.infolist():
            if info.filename != member:
                dst.writestr(info, src.read(info.filename))
            elif data is not None:
                dst.writestr(info, data)
    out.replace(path)
    return path


def template_loops(folder: Path) -> Path:
    return _template(folder, "循环模板.docx",
                     "{% for i in range(100000) %}{% for j in range(100000) %}{{ j }}{% endfor %}{% endfor %}")


def template_huge_string(folder: Path) -> Path:
    return _template(folder, "巨大字符串模板.docx", "{{ 'A' * 10**9 }}")


def template_huge_range(folder: Path) -> Path:
    return _template(folder, "巨大范围模板.docx", "{% for i in range(10**9) %}{{ i }}{% endfor %}")


def template_malformed(folder: Path) -> Path:
    path = _template(folder, "坏XML模板.docx", "{{ unit }}")
    return _with_part(path, "word/document.xml", b"<w:document><w:body><w:p>")


def template_no_content_types(folder: Path) -> Path:
    return _with_part(_template(folder, "缺部件模板.docx", "{{ unit }}"), "[Content_Types].xml", None)


def template_dtd(folder: Path) -> Path:
    path = _template(folder, "DTD模板.docx", "{{ unit }}")
    with zipfile.ZipFile(path) as zf:
        xml = zf.read("word/document.xml")
    xml = xml.replace(b"?>", b'?><!DOCTYPE w [<!ENTITY a "aaaaaaaaaa">]>', 1)
    return _with_part(path, "word/document.xml", xml)


def template_not_utf8(folder: Path) -> Path:
    path = _template(folder, "GBK模板.docx", "{{ unit }}")
    with zipfile.ZipFile(path) as zf:
        xml = zf.read("word/document.xml").decode("utf-8")
    return _with_part(path, "word/document.xml", xml.replace("{{ unit }}", "{{ unit }}单位").encode("gbk"))


def template_bomb(folder: Path) -> Path:
    """A 2 MB-class template whose styles part expands to 600 MB."""
    path = _template(folder, "压缩炸弹模板.docx", "{{ unit }}")
    zeros = b"\0" * (600 * MiB)
    return _with_part(path, "word/styles.xml", zeros)


RENDER_WITH = ("render", str(PROJECT), "-o", "{out}", "--template", "{file}")


# ------------------------------------------------------------- workbook cells


def _project_workbook(folder: Path, name: str, change) -> Path:
    """The project of the examples as its fill-in workbook, changed as a person would."""
    sys.path.insert(0, str(ROOT))
    from scoring.outputs.workbook import build_workbook
    from scoring.sources.loader import load_yaml

    wb = build_workbook([load_yaml(PROJECT)[0]])
    change(wb.worksheets[1])
    path = folder / name
    wb.save(path)
    return path


def _cell(ws, level3: str, label: str):
    header = next(r for r in range(1, 80) if ws.cell(r, 3).value == "三级指标")
    col = next(c for c in range(1, 20) if ws.cell(header, c).value == label)
    row = next(r for r in range(header + 1, ws.max_row + 1) if ws.cell(r, 3).value == level3)
    return ws.cell(row, col)


def escaped_control(folder: Path) -> Path:
    """A reason typed with Excel's escaped vertical tab (_x000B_)."""
    def change(ws):
        _cell(ws, "专家慢病鉴定费", "偏差原因分析及改进措施").value = "疫情_x000B_影响"
    return _project_workbook(folder, "转义控制字符.xlsx", change)


def error_value(folder: Path) -> Path:
    """A 分值 cell whose formula divides by zero (saved with its #DIV/0! result by LibreOffice)."""
    def change(ws):
        from openpyxl.styles import Protection

        cell = _cell(ws, "专家慢病鉴定费", "分值")
        cell.protection = Protection(locked=False)
        cell.value = "=1/0"
    src = _project_workbook(folder, "错误值_原.xlsx", change)
    out = _soffice(src, "xlsx", folder / "错误值.xlsx")
    src.unlink()
    return out


def merged_actuals(folder: Path) -> Path:
    """实际完成值 merged down two rows: one value would be copied into both."""
    def change(ws):
        first = _cell(ws, "专家慢病鉴定费", "实际完成值")
        ws.merge_cells(start_row=first.row, start_column=first.column, end_row=first.row + 1,
                       end_column=first.column)
    return _project_workbook(folder, "合并实际完成值.xlsx", change)


# ------------------------------------------------------------------- cases

CASES: tuple[Case, ...] = (
    Case("far_cell", far_cell, expect=("工作表“Sheet”", "超过上限")),
    Case("sheet_bomb", sheet_bomb, expect=("xl/worksheets/sheet1.xml",)),
    Case("shared_string_bomb", shared_string_bomb, expect=("xl/sharedStrings.xml",)),
    Case("lying_header", lying_header, expect=("xl/worksheets/sheet1.xml",)),
    Case("ods_repeat_bomb", ods_repeat_bomb, expect=("工作表“表1”", "超过上限")),
    Case("xls_far_cell", xls_far_cell, expect=("工作表", "超过上限"), needs=("soffice",)),
    Case("encrypted", encrypted, expect=("密码",)),
    Case("not_a_zip", not_a_zip, expect=("不是有效的工作簿",)),
    Case("too_many_members", too_many_members, expect=("30000 个组成部分",)),
    Case("alias_bomb", alias_bomb, expect=("别名",)),
    Case("few_aliases_wide", few_aliases_wide, expect=("别名",)),
    Case("deep_nesting", deep_nesting, expect=("嵌套超过上限",)),
    Case("twenty_mb", twenty_mb, expect=("超过上限",)),
    Case("not_utf8", not_utf8, expect=("UTF-8",)),
    Case("control_characters", control_characters, command=("render", "{file}", "-o", "{out}", "--summary"),
         exit=0, expect=("控制字符",), outputs=True),
    Case("template_loops", template_loops, command=RENDER_WITH, expect=("循环",)),
    Case("template_huge_string", template_huge_string, command=RENDER_WITH, expect=("模板",)),
    Case("template_huge_range", template_huge_range, command=RENDER_WITH, expect=("模板",)),
    Case("template_malformed", template_malformed, command=RENDER_WITH, expect=("word/document.xml",)),
    Case("template_no_content_types", template_no_content_types, command=RENDER_WITH,
         expect=("[Content_Types].xml",)),
    Case("template_dtd", template_dtd, command=RENDER_WITH, expect=("word/document.xml",)),
    Case("template_not_utf8", template_not_utf8, command=RENDER_WITH, expect=("word/document.xml", "UTF-8")),
    Case("template_bomb", template_bomb, command=RENDER_WITH, expect=("word/styles.xml",)),
    Case("escaped_control", escaped_control, command=("render", "{file}", "-o", "{out}", "--summary"),
         exit=0, expect=("控制字符",), outputs=True),
    Case("error_value", error_value, expect=("#DIV/0!",), needs=("soffice",)),
    Case("merged_actuals", merged_actuals, expect=("合并单元格",)),
)


# ------------------------------------------------- documents handed to jixiao audit

AUDIT = ("audit", "{file}", "-o", "{out}")
_W = 'xmlns:w="http://schemas.openxmlformats.org/wordprocessingml/2006/main"'


def _document(folder: Path, name: str, body: bytes) -> Path:
    """A real .docx (python-docx) whose document.xml body is `body`."""
    path = _template(folder, name, "")
    return _with_part(path, "word/document.xml",
                      b'<?xml version="1.0" encoding="UTF-8"?><w:document ' + _W.encode() + b"><w:body>"
                      + body + b"</w:body></w:document>")


def audit_entity_bomb(folder: Path) -> Path:
    path = _template(folder, "实体炸弹.docx", "")
    bomb = ('<?xml version="1.0"?><!DOCTYPE w:document [<!ENTITY a "' + "x" * 1000 + '">'
            + "".join(f'<!ENTITY {c} "{("&" + p + ";") * 10}">' for p, c in zip("abcdefgh", "bcdefghi"))
            + f']><w:document {_W}><w:body><w:p><w:r><w:t>&i;</w:t></w:r></w:p></w:body></w:document>')
    return _with_part(path, "word/document.xml", bomb.encode())


def audit_nested_tables(folder: Path) -> Path:
    depth = 20  # deeper than MAX_TABLE_NESTING; far deeper, libxml2 refuses the XML itself (256 levels)
    cell = b"<w:p><w:r><w:t>x</w:t></w:r></w:p>"
    body = b"<w:tbl><w:tr><w:tc>" * depth + cell + b"</w:tc></w:tr></w:tbl>" * depth
    return _document(folder, "嵌套表格.docx", body)


def audit_cell_bomb(folder: Path) -> Path:
    """40,000 cells each spanning 64 grid columns: 2.5 million cells in 3 MB of XML, varied
    text so the part compresses like a real one."""
    import random

    rng = random.Random(5)
    rows = []
    for r in range(400):
        cells = b"".join(b'<w:tc><w:tcPr><w:gridSpan w:val="64"/></w:tcPr><w:p><w:r><w:t>%d</w:t></w:r></w:p></w:tc>'
                         % rng.randrange(10**9) for _ in range(100))
        rows.append(b"<w:tr>" + cells + b"</w:tr>")
    return _document(folder, "单元格炸弹.docx", b"<w:tbl>" + b"".join(rows) + b"</w:tbl>")


def audit_empty_rows(folder: Path) -> Path:
    """400,000 rows with no cell, each leaving 64 grid columns empty: 28 MB of XML in a few MB of
    .docx, refused from its bytes before a tree is built (the second read measured 2 GB before)."""
    import random

    rng = random.Random(7)  # varied revision ids, so the part compresses like a real one
    rows = b"".join(b'<w:tr w:rsidR="%08X"><w:trPr><w:gridBefore w:val="64"/></w:trPr></w:tr>' % rng.getrandbits(32)
                    for _ in range(400_000))
    return _document(folder, "空行炸弹.docx", b"<w:tbl>" + rows + b"</w:tbl>")


def audit_not_a_document(folder: Path) -> Path:
    path = folder / "自评表.docx"
    path.write_text("这不是 Word 文档", encoding="utf-8")
    return path


AUDIT_CASES: tuple[Case, ...] = (
    Case("audit_entity_bomb", audit_entity_bomb, command=AUDIT, expect=("word/document.xml",)),
    Case("audit_nested_tables", audit_nested_tables, command=AUDIT, expect=("嵌套超过",)),
    Case("audit_cell_bomb", audit_cell_bomb, command=AUDIT, expect=("单元格超过",)),
    Case("audit_empty_rows", audit_empty_rows, command=AUDIT, expect=("单元格超过",)),
    Case("audit_not_a_document", audit_not_a_document, command=AUDIT, expect=("不是",)),
)
CASES += AUDIT_CASES


def main() -> None:
    out = Path(sys.argv[1] if len(sys.argv) > 1 else "hostile-corpus")
    out.mkdir(parents=True, exist_ok=True)
    for case in CASES:
        folder = out / case.name
        folder.mkdir(exist_ok=True)
        print(case.make(folder))


if __name__ == "__main__":
    main()
