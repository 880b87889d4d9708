"""Take the README's picture of a scored copy (docs/images/计分副本.png).

Writes the scored copy of tests/workbooks/broken/actual_not_a_number.xlsx (the
project sheet with “九十五” typed as an actual), prints it with LibreOffice as
an office user would (PDF), and crops the project sheet's page to the tables.
Needs LibreOffice (soffice), poppler-utils (pdftoppm) and a Chinese font
(fonts-noto-cjk), or the Chinese prints as empty boxes.

    python docs/scored_copy_picture.py [-o docs/images/计分副本.png]
"""

from __future__ import annotations

import argparse
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from scoring.outputs.scored_copy import write_scored_copy  # noqa: E402
from scoring.pipeline import run_all  # noqa: E402

SOURCE = ROOT / "tests/workbooks/broken/actual_not_a_number.xlsx"
DPI = 150
CROP = (50, 85, 1650, 750)  # x, y, width, height in pixels at DPI: the tables and the added columns


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("-o", "--output", default=str(ROOT / "docs/images/计分副本.png"))
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        copy = write_scored_copy(SOURCE, run_all(SOURCE), Path(tmp) / "已计分.xlsx").path
        subprocess.run(["soffice", f"-env:UserInstallation=file://{tmp}/profile", "--headless",
                        "--convert-to", "pdf", "--outdir", tmp, str(copy)], check=True, capture_output=True,
                       timeout=180)
        x, y, w, h = CROP
        subprocess.run(["pdftoppm", "-png", "-r", str(DPI), "-f", "2", "-l", "2", "-singlefile",
                        "-x", str(x), "-y", str(y), "-W", str(w), "-H", str(h),
                        str(Path(tmp) / "已计分.pdf"), str(Path(tmp) / "page")], check=True)
        shutil.copy(Path(tmp) / "page.png", args.output)
    print(args.output)


if __name__ == "__main__":
    main()
