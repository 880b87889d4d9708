"""Issue 12: whatever file arrives, a clear error in bounded memory and time, and never a
broken output reported as success.

Each case of corpus.py runs `jixiao` in its own process under a 2 GiB address-space
cap (RLIMIT_AS) and a 20 s limit. The test asserts: no traceback and no 内部错误, no
native abort (a signal), the exit status, a Chinese message naming the file and the
part, peak resident memory under 1 GiB, and for an exit 0 that every document written
opens. Positive controls under the same caps show the limits refuse only what they
should: every example, a LibreOffice-saved .ods of the sample, and a 1,000-project
workbook read and score.
"""

from __future__ import annotations

import os
import re
import shutil
import sys
import zipfile
from pathlib import Path
from xml.parsers import expat

import pytest

sys.path.insert(0, str(Path(__file__).resolve().parent))
from corpus import CASES, EXAMPLES, ROOT, Case  # noqa: E402
from harness import TIME_LIMIT, Ran, run_capped  # noqa: E402

PEAK_LIMIT_MB = 1024


def _opens(path: Path) -> None:
    """A written .docx or .xlsx opens: a zip whose every XML part is well-formed, read
    back by the library that reads it."""
    with zipfile.ZipFile(path) as zf:
        for name in zf.namelist():
            if name.endswith((".xml", ".rels")):
                expat.ParserCreate().Parse(zf.read(name), True)
    if path.suffix == ".docx":
        import docx

        docx.Document(str(path))
    elif path.suffix == ".xlsx":
        import openpyxl

        openpyxl.load_workbook(path).close()


def _assert_sane(ran: Ran) -> None:
    assert not ran.timed_out, f"ran past {TIME_LIMIT} s:\n{ran.out[-2000:]}"
    assert ran.code >= 0, f"killed by signal {-ran.code} (a native abort):\n{ran.out[-2000:]}"
    assert "Traceback" not in ran.out and "内部错误" not in ran.out, ran.out[-3000:]
    assert ran.peak_mb < PEAK_LIMIT_MB, f"peak {ran.peak_mb:.0f} MB"


def _make(case: Case, folder: Path) -> Path:
    for program in case.needs:
        if shutil.which(program) is None:
            if os.environ.get("CI"):
                pytest.fail(f"{program} is needed to make this case (CI installs it)")
            pytest.skip(f"{program} is not installed here; CI installs it")
    return case.make(folder)


@pytest.mark.parametrize("case", CASES, ids=[c.name for c in CASES])
def test_a_hostile_file_ends_in_a_clear_message_within_the_limits(case: Case, tmp_path: Path):
    made = _make(case, tmp_path)
    out = tmp_path / "输出文件夹"
    args = [a.format(file=made.name, out=out.name) for a in case.command]
    ran = run_capped(args, tmp_path)
    _assert_sane(ran)
    assert ran.code == case.exit, ran.out[-3000:]
    assert made.name in ran.out, ran.out[-3000:]
    for words in case.expect:
        assert words in ran.out, ran.out[-3000:]
    if case.outputs:
        written = [p for p in out.rglob("*") if p.suffix in (".docx", ".xlsx")]
        assert written, ran.out
        for path in written:
            _opens(path)
    print(f"{case.name}: exit {ran.code}, {ran.peak_mb:.0f} MB, {ran.seconds:.2f} s")


# ------------------------------------------------------------ positive controls


def test_every_example_still_scores_under_the_same_caps(tmp_path: Path):
    for example in sorted(EXAMPLES.glob("*.yaml")):
        ran = run_capped(["score", str(example)], tmp_path)
        _assert_sane(ran)
        assert ran.code == 0, ran.out
        assert "总分" in ran.out


def test_a_libreoffice_saved_ods_of_the_sample_reads_and_scores_under_the_caps(tmp_path: Path):
    if shutil.which("soffice") is None:
        if os.environ.get("CI"):
            pytest.fail("LibreOffice is needed (CI installs it)")
        pytest.skip("LibreOffice is not installed here; CI installs it")
    from corpus import _soffice

    ods = _soffice(ROOT / "tests/workbooks/examples_filled.xls", "ods", tmp_path / "示例.ods")
    ran = run_capped(["score", ods.name], tmp_path)
    _assert_sane(ran)
    assert ran.code == 0, ran.out
    for total in ("98.89", "100", "92.4", "96.6"):
        assert f"总分 {total}" in ran.out, ran.out


def test_a_thousand_project_workbook_reads_and_scores_under_the_caps(tmp_path: Path):
    sys.path.insert(0, str(ROOT / "bench"))
    import workbook as bench_workbook

    path = tmp_path / "千个项目.xlsx"
    bench_workbook.build(path, 1000, 20, seed=1)
    ran = run_capped(["score", path.name], tmp_path)
    _assert_sane(ran)
    assert ran.code == 0, ran.out[-2000:]
    assert ran.out.count("总分") >= 1000


def test_the_reviewer_page_keeps_answering_with_every_hostile_file_in_its_folder(tmp_path: Path):
    """Each broken file is listed with its reason; the good evaluation beside them opens."""
    import html

    from fastapi.testclient import TestClient

    from scoring.web.app import create_app

    folder = tmp_path / "收件箱"
    folder.mkdir()
    made = []
    for case in CASES:
        if any(shutil.which(p) is None for p in case.needs) or case.outputs or "--template" in case.command \
                or case.command[0] == "audit":
            continue  # a Word template or a submitted document is not an evaluation: the page lists only those
        sub = folder / case.name
        sub.mkdir()
        made.append(case.make(sub))
    shutil.copy(EXAMPLES / "安阳北关区医保局_2022_慢性病专家鉴定费.yaml", folder)
    client = TestClient(create_app(folder, token="t"), base_url="http://127.0.0.1")
    listing = client.get("/")
    assert listing.status_code == 200
    page = html.unescape(listing.text)
    for path in made:
        assert path.relative_to(folder).as_posix() in page, path
    assert "内部错误" not in page and "Traceback" not in page
    entry = next(link for link in re.findall(r'href="(/e/[^"]+)"', listing.text))
    assert client.get(entry).status_code == 200
    assert client.get("/").status_code == 200  # and again, from the catalog's cache
