"""Writing outputs: checked before they are put in place, created as any program's files
are (0666 less the umask), named safely."""

from __future__ import annotations

import io
import subprocess
import sys
import textwrap
import zipfile

import pytest
from conftest import ROOT

from scoring.outputs.files import (
    BrokenOutputError,
    safe_name,
    write_bytes_atomic,
    write_new_atomic,
    write_text_atomic,
)


def _xlsx() -> bytes:
    from openpyxl import Workbook

    wb = Workbook()
    wb.active.append(["单位", "得分"])
    buffer = io.BytesIO()
    wb.save(buffer)
    return buffer.getvalue()


def _with_part(data: bytes, name: str, content: bytes) -> bytes:
    out = io.BytesIO()
    with zipfile.ZipFile(io.BytesIO(data)) as zin, zipfile.ZipFile(out, "w") as zout:
        for info in zin.infolist():
            zout.writestr(info.filename, content if info.filename == name else zin.read(info.filename))
    return out.getvalue()


def test_an_xlsx_with_a_broken_part_is_refused_and_nothing_is_left(tmp_path):
    bad = _with_part(_xlsx(), "xl/worksheets/sheet1.xml", b"<worksheet><sheetData><row></sheetData>")
    path = tmp_path / "汇总表.xlsx"
    with pytest.raises(BrokenOutputError) as caught:
        write_bytes_atomic(path, bad)
    message = str(caught.value)
    assert str(path) in message and "xl/worksheets/sheet1.xml" in message and "未保存" in message
    assert "第 1 行" in message
    assert list(tmp_path.iterdir()) == []
    write_bytes_atomic(path, _xlsx())  # a good one is written
    assert [p.name for p in tmp_path.iterdir()] == ["汇总表.xlsx"]


def test_a_failed_check_keeps_the_previous_file(tmp_path):
    path = tmp_path / "a.docx"
    good = _with_part(_xlsx(), "xl/workbook.xml", b"<w/>")  # any zip of well-formed parts
    write_bytes_atomic(path, good)
    with pytest.raises(BrokenOutputError, match="word/document.xml"):
        write_bytes_atomic(path, good, check_parts=["word/document.xml"])  # a part that must be there
    with pytest.raises(BrokenOutputError, match="不是有效的 zip"):
        write_bytes_atomic(path, b"not a zip")
    with pytest.raises(BrokenOutputError, match="不允许的字符"):
        write_new_atomic(tmp_path / "b.xlsx", _with_part(_xlsx(), "xl/workbook.xml", b"<w>\x0b</w>"))
    assert path.read_bytes() == good
    assert sorted(p.name for p in tmp_path.iterdir()) == ["a.docx"]


def test_only_office_containers_are_checked_and_the_check_can_be_chosen(tmp_path):
    write_text_atomic(tmp_path / "a.yaml", "<not xml")
    write_bytes_atomic(tmp_path / "a.pdf", b"%PDF-1.4 not a zip")
    write_bytes_atomic(tmp_path / "raw.xlsx", b"not a zip", check_parts=False)
    with pytest.raises(BrokenOutputError):
        write_bytes_atomic(tmp_path / "a.bin", b"not a zip", check_parts=True)
    assert sorted(p.name for p in tmp_path.iterdir()) == ["a.pdf", "a.yaml", "raw.xlsx"]


UMASK_PROBE = textwrap.dedent("""
    import os, sys
    from pathlib import Path
    from scoring.outputs.files import write_bytes_atomic, write_new_atomic
    os.umask(int(sys.argv[2], 8))
    folder = Path(sys.argv[1])
    for path in (write_bytes_atomic(folder / "a.txt", b"x"), write_new_atomic(folder / "b.yaml", b"y")):
        print(path.name, oct(path.stat().st_mode & 0o777))
""")


@pytest.mark.parametrize("umask, mode", [("022", "0o644"), ("002", "0o664"), ("077", "0o600")])
def test_outputs_are_created_0666_less_the_umask(tmp_path, umask, mode):
    done = subprocess.run([sys.executable, "-c", UMASK_PROBE, str(tmp_path), umask], cwd=ROOT,
                          capture_output=True, text=True, timeout=60, check=True)
    assert done.stdout.split() == ["a.txt", mode, "b.yaml", mode]


def test_a_long_chinese_name_still_leaves_room_for_the_temporary_file(tmp_path):
    name = "很" * 83 + ".txt"  # 253 bytes: the longest name most file systems allow is 255
    assert write_text_atomic(tmp_path / name, "x").read_text(encoding="utf-8") == "x"
    assert [p.name for p in tmp_path.iterdir()] == [name]


@pytest.mark.parametrize("raw, expected", [
    ("安阳市北关区医疗保障局", "安阳市北关区医疗保障局"),
    ("-rf 项目", "rf 项目"),
    ("--help", "help"),
    (".-.隐藏", "隐藏"),
    ("-", "未命名"),
    ("", "未命名"),
    ("报告\u202etxt.exe", "报告txt.exe"),
    ("单位\u2066\u2067\u2068\u2069\u200e\u200f\u061c\u202a\u202b\u202c\u202d名", "单位名"),
    ("单位\x0b名\x85称\x7f", "单位_名_称_"),
    ("a/b\\c:d*e?f\"g<h>i|j", "a_b_c_d_e_f_g_h_i_j"),
    ("行一\u2028行二", "行一_行二"),
])
def test_safe_names(raw, expected):
    assert safe_name(raw) == expected


def test_safe_names_fit_a_file_name_with_room_to_spare():
    name = safe_name("很长的单位名称" * 30)
    assert len(name.encode("utf-8")) <= 180 and len(name) <= 80 and name.startswith("很长的单位名称")
