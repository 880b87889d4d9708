"""Not a test: the table of issue 12's closing note. Runs every case of corpus.py under
the harness's caps against a checkout of jixiao (this one by default, or an older one
with --root), and prints case, exit status, peak memory and time as a Markdown table.

    python tests/hostile/report.py [--root /path/to/old/checkout]
"""

from __future__ import annotations

import argparse
import shutil
import sys
import tempfile
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from corpus import CASES  # noqa: E402
from harness import ROOT, run_capped  # noqa: E402


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--root", type=Path, default=ROOT, help="the checkout whose scoring/ is run")
    args = parser.parse_args()
    print("| case | exit | peak MB | seconds | first line |")
    print("|---|---|---|---|---|")
    for case in CASES:
        if any(shutil.which(p) is None for p in case.needs):
            continue
        with tempfile.TemporaryDirectory() as tmp:
            folder = Path(tmp)
            made = case.make(folder)
            command = [a.format(file=made.name, out="out") for a in case.command]
            ran = run_capped(command, folder, root=args.root.resolve())
        status = "timeout" if ran.timed_out else (f"signal {-ran.code}" if ran.code < 0 else str(ran.code))
        line = next((x for x in ran.out.splitlines() if x.strip()), "").replace("|", "/")[:90]
        print(f"| {case.name} | {status} | {ran.peak_mb:.0f} | {ran.seconds:.1f} | {line} |")


if __name__ == "__main__":
    main()
