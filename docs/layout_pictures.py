"""Pictures of each built-in table layout beside the published table it follows
(docs/images/版式_*.png).

Left: our rendering of an example (examples/*.yaml) in that layout, Word →
PDF by LibreOffice → PNG by pdftoppm. Right: the text of the published table as
the seed holds it (text extracted from the published PDF, /work/shared/seeds): the
seeds are text, not images, so the right side shows that text, not a redrawn table.
Both sides are put on one page and photographed by headless Chromium. The
README's picture (项目支出绩效自评表.png) is the first page of the Henan project table.

LibreOffice is given a fontconfig file that maps 宋体/SimSun to Noto Serif CJK SC
and 黑体/SimHei to Noto Sans CJK SC (fonts-noto-cjk), the nearest fonts installed
here; without it 宋体 falls back to DejaVu Sans, whose digits are wider.

    python docs/layout_pictures.py [--seeds /work/shared/seeds] [--chromium /usr/bin/chromium]
"""

from __future__ import annotations

import argparse
import html
import os
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from playwright.sync_api import sync_playwright  # noqa: E402

from scoring.outputs.render import WordTemplate, builtin_template, to_context  # noqa: E402
from scoring.pipeline import run  # noqa: E402

EX = ROOT / "examples"
# (picture, layout, example, seed, first line, last line, what the right side is)
PICTURES = [
    ("版式_anyang_2022_部门整体", "anyang_2022", "安阳北关区医保局_2022_部门整体", "001", 979, 1203,
     "种子 001：安阳市北关区医疗保障局 2022 年度 部门整体支出绩效自评情况表（公开 PDF 的文字）"),
    ("版式_anyang_2022_项目", "anyang_2022", "安阳北关区医保局_2022_城乡居民基本医疗保险区级配套资金", "001", 1204, 1433,
     "种子 001：项目支出绩效自评情况表 城乡居民基本医疗保险区级配套资金（公开 PDF 的文字）"),
    ("版式_jiaozuo_2021_部门整体", "jiaozuo_2021", "焦作中站区医保局_2021_部门整体", "000", 994, 2249,
     "种子 000：焦作市中站区医疗保障局 2021 年度 部门整体绩效自评表（公开 PDF 的文字）"),
    ("版式_henan_部门整体", "henan", "安阳北关区医保局_2022_部门整体", "001", 979, 1203,
     "对照：种子 001 的部门整体表（同为河南省的公开表；henan 版式按河南省通用表样，不按某一份公开表）"),
    ("版式_henan_项目", "henan", "安阳北关区医保局_2022_慢性病专家鉴定费", "001", 1434, 1693,
     "对照：种子 001 的项目表 慢性病专家鉴定费（henan 版式按河南省通用表样，不按某一份公开表）"),
    ("版式_central_项目", "central", "安阳北关区医保局_2022_城乡居民基本医疗保险区级配套资金", "001", 1204, 1433,
     "对照：种子 001 的项目表（central 版式按财预〔2020〕10号表样；种子中没有按此表样印刷的表）"),
]
MAX_SEED_LINES = 260

FONTS_CONF = """<?xml version="1.0"?>
<!DOCTYPE fontconfig SYSTEM "fonts.dtd">
<fontconfig>
  <include ignore_missing="yes">/etc/fonts/fonts.conf</include>
  <alias binding="same"><family>宋体</family><prefer><family>Noto Serif CJK SC</family></prefer></alias>
  <alias binding="same"><family>SimSun</family><prefer><family>Noto Serif CJK SC</family></prefer></alias>
  <alias binding="same"><family>黑体</family><prefer><family>Noto Sans CJK SC</family></prefer></alias>
  <alias binding="same"><family>SimHei</family><prefer><family>Noto Sans CJK SC</family></prefer></alias>
</fontconfig>
"""

PAGE = """<!doctype html><html lang="zh-CN"><meta charset="utf-8"><style>
body {{ margin: 0; font-family: "Noto Sans CJK SC", sans-serif; background: #eee; }}
.wrap {{ display: flex; gap: 16px; padding: 16px; align-items: flex-start; }}
.ours {{ width: 1000px; }} .ours img {{ width: 1000px; display: block; margin-bottom: 8px; border: 1px solid #999; }}
.seed {{ width: 760px; background: #fff; border: 1px solid #999; padding: 8px 12px; }}
.seed pre {{ font-family: "Noto Sans CJK SC", sans-serif; font-size: 12px; line-height: 1.35; margin: 0;
            white-space: pre-wrap; column-count: 2; column-gap: 18px; }}
h2 {{ font-size: 16px; margin: 0 0 8px; }}
</style><body><div class="wrap">
<div class="ours"><h2>jixiao 生成：版式 {layout}（{example}）</h2>{images}</div>
<div class="seed"><h2>{caption}</h2><pre>{seed}</pre></div>
</div></body></html>"""


def render_pages(layout: str, example: str, work: Path) -> list[Path]:
    scored = run(EX / f"{example}.yaml")
    docx = work / f"{layout}_{example}.docx"
    template = WordTemplate(builtin_template(scored.evaluation, layout))
    docx.write_bytes(template.render_bytes(to_context(scored.evaluation, scored.result, layout)))
    env = {**os.environ, "FONTCONFIG_FILE": str(work / "fonts.conf"), "HOME": str(work)}
    subprocess.run(["soffice", "--headless", "--convert-to", "pdf", "--outdir", str(work), str(docx)],
                   check=True, env=env, capture_output=True, timeout=300)
    prefix = work / f"{layout}_{example}"
    subprocess.run(["pdftoppm", "-r", "110", "-png", "-f", "1", "-l", "3", str(prefix.with_suffix(".pdf")),
                    str(prefix)], check=True)
    return sorted(work.glob(f"{layout}_{example}-*.png"))


def seed_excerpt(seeds: Path, seed: str, first: int, last: int) -> str:
    path = next(seeds.glob(f"{seed}_*.txt"))
    lines = path.read_text(encoding="utf-8").splitlines()[first - 1: last]
    lines = [x for x in lines if x.strip()]
    if len(lines) > MAX_SEED_LINES:
        lines = lines[:MAX_SEED_LINES] + [f"……（以下略；此表在种子中共 {last - first + 1} 行，第 {first}–{last} 行）"]
    return "\n".join(lines)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seeds", default="/work/shared/seeds")
    parser.add_argument("--chromium", default=shutil.which("chromium") or "/usr/bin/chromium")
    parser.add_argument("-o", "--output", default=str(ROOT / "docs/images"))
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp, sync_playwright() as p:
        work = Path(tmp)
        (work / "fonts.conf").write_text(FONTS_CONF, encoding="utf-8")
        browser = p.chromium.launch(executable_path=args.chromium, args=["--no-sandbox", "--disable-gpu"])
        page = browser.new_page(viewport={"width": 1820, "height": 1000})
        for name, layout, example, seed, first, last, caption in PICTURES:
            images = "".join(f'<img src="{png.as_uri()}">' for png in render_pages(layout, example, work))
            text = PAGE.format(layout=layout, example=example, images=images, caption=html.escape(caption),
                               seed=html.escape(seed_excerpt(Path(args.seeds), seed, first, last)))
            page_file = work / f"{name}.html"
            page_file.write_text(text, encoding="utf-8")
            page.goto(page_file.as_uri())
            out = Path(args.output) / f"{name}.png"
            page.screenshot(path=str(out), full_page=True)
            print(out)
        readme = Path(args.output) / "项目支出绩效自评表.png"  # the README's picture: page 1 of a Henan project table
        shutil.copyfile(work / "henan_安阳北关区医保局_2022_慢性病专家鉴定费-1.png", readme)
        print(readme)
        browser.close()


if __name__ == "__main__":
    main()
