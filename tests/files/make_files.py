"""Write the spreadsheets of tests/test_every_file.py (committed; run again to remake them):
the 慢性病专家鉴定费 project of examples/ in the fill-in workbook, filled in, saved by
LibreOffice in headless mode as .xlsx, .xls and .ods, as an office user's program
would save it (LibreOffice stands in for Excel and WPS here).

    python tests/files/make_files.py [OUT]

Needs LibreOffice (soffice). tests/test_every_file.py remakes them in CI and checks
that they read the same as the committed ones.
"""

from __future__ import annotations

import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent.parent
sys.path.insert(0, str(ROOT))

from scoring.outputs.workbook import build_workbook  # noqa: E402
from scoring.sources.loader import load_yaml  # noqa: E402

PROJECT = ROOT / "examples" / "安阳北关区医保局_2022_慢性病专家鉴定费.yaml"
STEM = "项目自评"
FORMATS = ("xlsx", "xls", "ods")


def soffice(src: Path, fmt: str, out: Path) -> Path:
    with tempfile.TemporaryDirectory() as tmp:
        subprocess.run(["soffice", f"-env:UserInstallation=file://{tmp}/profile", "--headless",
                        "--convert-to", fmt, "--outdir", tmp, str(src)], check=True, capture_output=True,
                       timeout=180)
        shutil.move(Path(tmp) / f"{src.stem}.{fmt}", out)
    return out


def make(out: Path) -> list[Path]:
    out.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory() as tmp:
        src = Path(tmp) / f"{STEM}.xlsx"
        build_workbook([load_yaml(PROJECT)[0]]).save(src)
        return [soffice(src, fmt, out / f"{STEM}.{fmt}") for fmt in FORMATS]


if __name__ == "__main__":
    for path in make(Path(sys.argv[1]) if len(sys.argv) > 1 else HERE):
        print(path)
