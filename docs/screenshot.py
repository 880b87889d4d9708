"""Take the README's picture of the reviewer page (docs/images/复核页面.png).

Serves a copy of examples/, opens 安阳市北关区医疗保障局's 2022 department
table in headless Chromium, moves 5 points from 满意度 to 年度履职目标相关性 as
in docs/review.md, and photographs the whole page.

    python docs/screenshot.py [--chromium /usr/bin/chromium] [-o docs/images/复核页面.png]
"""

from __future__ import annotations

import argparse
import shutil
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from playwright.sync_api import expect, sync_playwright  # noqa: E402

from scoring.web.app import create_app, running  # noqa: E402


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--chromium", default=shutil.which("chromium") or "/usr/bin/chromium")
    parser.add_argument("-o", "--output", default=str(ROOT / "docs/images/复核页面.png"))
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp) / "评价"
        shutil.copytree(ROOT / "examples", folder)
        with running(create_app(folder)) as url, sync_playwright() as p:
            browser = p.chromium.launch(executable_path=args.chromium, args=[
                "--no-sandbox", "--disable-gpu", "--disable-background-networking", "--lang=zh-CN"])
            page = browser.new_page(viewport={"width": 1500, "height": 2000}, locale="zh-CN")
            page.goto(url + "/")
            page.get_by_role("link", name="安阳市北关区医疗保障局", exact=True).click()
            page.get_by_label("复核人").fill("王复核")
            page.get_by_label("全区参保群众满意度 复核分值").fill("15")
            page.get_by_label("全区参保群众满意度 复核意见").fill("满意度分值偏高，调低 5 分")
            page.get_by_label("年度履职目标相关性 复核分值").fill("6")
            expect(page.locator("#s-total")).to_have_text("99.17")
            page.locator("#save").focus()
            page.screenshot(path=args.output, full_page=True)  # the viewport holds it all: the summary stays on top
            browser.close()
    print(args.output)


if __name__ == "__main__":
    main()
