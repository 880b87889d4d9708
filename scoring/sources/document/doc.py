"""A Word 97-2003 document (.doc) → its paragraphs and tables, through LibreOffice.

The binary .doc format is converted to .docx by LibreOffice headless and read by
`docx.read_docx`. The conversion works on a copy in a private temporary folder
with its own LibreOffice profile (`-env:UserInstallation`), so nothing is written
beside the user's file (LibreOffice leaves a lock file next to what it opens) and
two conversions at once do not wait on each other's profile lock. It is ended
after `limits.MAX_CONVERT_SECONDS`, with every process it started. The Word 97
import filter is named: without it LibreOffice reads a file it cannot parse as
plain text and "converts" the bytes.
"""

from __future__ import annotations

import os
import shutil
import signal
import subprocess
import tempfile
from pathlib import Path

from scoring.core import limits
from scoring.core.issues import ScoringError
from scoring.sources.archive import check_size
from scoring.sources.detect import describe, file_kind
from scoring.sources.document import Document
from scoring.sources.document.docx import read_docx

WHAT = "Word 97-2003 文档（.doc）"


def soffice() -> str | None:
    """LibreOffice's command, when installed."""
    return shutil.which("soffice") or shutil.which("libreoffice")


def read_doc(path: str | Path, shown: str | None = None) -> Document:
    """Every paragraph and table of a .doc, converted to .docx by LibreOffice.

    Raises:
        ScoringError: the file is missing or over a limit, LibreOffice is not
            installed, or it cannot convert the file (damaged, password-protected).
    """
    path = Path(path)
    name = shown or str(path)
    check_size(path, what=WHAT)
    binary = soffice()
    if binary is None:
        raise ScoringError(f"{name}：读取 Word 97-2003 文档（.doc）需要 LibreOffice，本机未找到 soffice；"
                           "请安装 LibreOffice（如 apt-get install libreoffice-writer），"
                           "或在 Word/WPS 中把文件另存为 .docx 后再审核")
    kind = file_kind(path)  # a damaged container is refused here, before LibreOffice starts
    if kind != "doc":
        raise ScoringError(f"{name}：不是有效的 Word 97-2003 文档（读出的是{describe(kind)}，文件可能已损坏）；"
                           "请在 Word/WPS 中打开后另存为 .docx 再审核")
    with tempfile.TemporaryDirectory(prefix="jixiao-doc-") as folder:
        work = Path(folder)
        source = work / "document.doc"
        try:
            shutil.copyfile(path, source)
        except OSError as exc:
            raise ScoringError(f"无法读取 {name}：{exc.strerror}") from None
        converted = _convert(binary, source, work, name)
        try:
            document = read_docx(converted, shown=name)
        except ScoringError as exc:  # its messages name the converted copy: name the user's file
            raise ScoringError(str(exc).replace(str(converted), name)) from None
    document.kind = "doc"
    return document


def _convert(binary: str, source: Path, work: Path, name: str) -> Path:
    out = work / "out"
    command = [binary, f"-env:UserInstallation={(work / 'profile').as_uri()}", "--headless", "--norestore",
               "--nologo", "--infilter=MS Word 97", "--convert-to", "docx:MS Word 2007 XML", "--outdir", str(out), str(source)]
    try:
        process = subprocess.Popen(command, stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL,
                                   stderr=subprocess.DEVNULL, cwd=work, start_new_session=True)
    except OSError as exc:
        raise ScoringError(f"{name}：无法启动 LibreOffice（{exc.strerror}）；"
                           "请在 Word/WPS 中把文件另存为 .docx 后再审核") from None
    try:
        process.wait(timeout=limits.MAX_CONVERT_SECONDS)
    except subprocess.TimeoutExpired:
        _end(process)
        raise ScoringError(f"{name}：LibreOffice 转换 .doc 超过 {limits.MAX_CONVERT_SECONDS:g} 秒仍未完成；"
                           "请在 Word/WPS 中把文件另存为 .docx 后再审核") from None
    finally:
        _end(process)  # the helpers it left in its session (oosplash starts soffice.bin)
    converted = out / "document.docx"
    if not converted.is_file():
        raise ScoringError(f"{name}：LibreOffice 无法打开这份 .doc（文件已损坏、设置了打开密码，或不是 Word 文档）；"
                           "请在 Word/WPS 中打开后另存为 .docx 再审核")
    return converted


def _end(process: subprocess.Popen) -> None:
    """Kill the conversion's process group (it has its own session), then reap it."""
    try:
        os.killpg(process.pid, signal.SIGKILL)
    except (ProcessLookupError, PermissionError):
        pass
    process.wait()
