"""Write the committed inputs of tests/audit/ (run again to remake them all):

    .venv/bin/python tests/files/audit/make_fixtures.py [OUT]     # OUT defaults to this folder

- seed001_published.docx: seed 001 (安阳市北关区医疗保障局 2022 决算, /work/shared/seeds/001_eedbb879cd069ff8.txt)
  as the publication prints it: the department table and the three project tables of
  examples/安阳北关区医保局_2022_*.yaml rendered by `jixiao render --layout anyang_2022`, joined in the
  publication's order (部门整体, 城乡居民基本医疗保险区级配套资金, 慢性病专家鉴定费, 北关区政府救助（第五重）),
  each in its own section (page), followed by the narrative paragraphs the publication prints after
  them (NARRATIVE below, transcribed from the seed's lines 2157–2313 with the PDF's broken lines
  joined);
- seed001_published.pdf: that document converted by LibreOffice (`soffice --headless --convert-to pdf`);
- <stem>.docx for each table of examples/provinces/: the table as its publication prints it
  (province_tables.py).

Needs LibreOffice (soffice) for the PDF. The .docx files depend only on the repository (the rendered
tables, the transcriptions below and in province_tables.py); tests/audit/test_fixtures.py remakes
them and checks that they read the same as the committed ones.
"""

from __future__ import annotations

import copy
import io
import shutil
import subprocess
import sys
import tempfile
from contextlib import redirect_stderr, redirect_stdout
from pathlib import Path

HERE = Path(__file__).resolve().parent
ROOT = HERE.parents[2]
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(HERE))

from docx import Document  # noqa: E402
from docx.oxml.ns import qn  # noqa: E402
from docx.shared import Cm, Pt  # noqa: E402
from province_tables import TABLES  # noqa: E402

from scoring.cli import main  # noqa: E402
from scoring.outputs.files import write_bytes_atomic  # noqa: E402

EXAMPLES = ROOT / "examples"
SEED001 = "seed001_published"
# The publication's order (seed 001, lines 979–1855): the department table, then the three projects.
SEED001_TABLES = [
    "安阳北关区医保局_2022_部门整体.yaml",
    "安阳北关区医保局_2022_城乡居民基本医疗保险区级配套资金.yaml",
    "安阳北关区医保局_2022_慢性病专家鉴定费.yaml",
    "安阳北关区医保局_2022_北关区政府救助第五重.yaml",
]
# Seed 001 (001_eedbb879cd069ff8.txt), lines 2157–2313: the 决算说明's 整体绩效自评结果, 项目绩效自评结果
# and 重点绩效评价 paragraphs, each PDF line joined to its paragraph, the text (its stray spaces too) as printed.
# It states 98.89 for the department (the table's total), 99, 94 and 99 for the projects (the tables
# print 100, 92.4 and 96.6), and 99 for the 重点绩效评价 of the first project, a separate evaluation.
NARRATIVE = [
    "（二）整体绩效自评结果。",
    "我部门2022年度整体支出预算总额1129万元，决算总额1139.51万元，部门绩效自评得分98.89分。其中，年度主要任务及完成情况：",
    "一、年度整体支出概况",
    ("2022年度，医疗保障局整体支出预算总额为1129万元，经过一年的努力与高效管理，决算总额达到1139.51万元，实现了"
     "预算的轻微超支（约0.93%），这主要归因于部分项目因实际需求调整而增加了支出。尽管如此，整体支出仍保持在可控范围"
     "内，体现了良好的财务管理能力。"),
    "二、年度主要任务及完成情况",
    "（一）预算情况指标设定及完成情况",
    ("1、预算设定：年初，医疗保障局根据年度工作计划和政策要求，科学合理地设定了各项预算指标，确保资金分配既满足业务"
     "需求又符合财务规定。"),
    ("2、完成情况：全年预算执行率达到了较高水平，各项支出均按照预算计划有序进行。特别是在医保基金支付、信息化建设、"
     "人员培训及政策宣传等关键领域，预算执行情况良好，有效保障了医疗保障工作的顺利开展。"),
    "（二）投入管理指标设定及完成情况",
    ("1、投入管理设定：医疗保障局注重投入管理的精细化，设定了包括资金到位率、使用效率、成本控制等在内的多项投入管理"
     "指标，提高资金使用效益。"),
    "2、完成情况：资金到位及时，使用效率显著提升，同时，加强了对医保基金的监管，确保了基金的安全与稳定。",
    "三、发现的主要问题、原因分析及改进措施",
    "（一）主要问题",
    "1、预算超支：尽管超支幅度较小，但仍需关注预算执行的精准性，避免不必要的浪费。",
    "2、部分项目进展缓慢：受多种因素影响，部分项目未能按计划进度完成，影响了整体工作效率",
    "（二）原因分析",
    "1、预算调整不够灵活：面对实际工作中的突发情况和需求变化，预算调整机制不够灵活，导致部分项目资金不足或过剩。",
    "2、项目管理能力不足：部分项目在实施过程中存在管理不到位、协调不顺畅等问题，影响了项目进度和质量。",
    "（三）改进措施",
    ("1、加强预算管理：建立更加灵活高效的预算调整机制，确保预算与实际工作需求相匹配。同时，加强预算执行的监督与评估，"
     "及时发现并纠正偏差。"),
    ("2、提升项目管理能力：加强对项目团队的培训和管理，提高项目管理的专业性和效率。建立健全项目管理制度和流程，确保"
     "项目按计划有序推进。"),
    ("3、强化内部控制：进一步完善内部控制体系，加强对资金使用的监管和审计，确保资金使用的合规性和效益性。同时，加强"
     "对医保基金的监管力度，保障基金安全。"),
    "（三）项目绩效自评结果。",
    "我部门进行自评的 2022 年项目支出共 3 个，决算资金共1139.51 万元，占2022年所有项目支出总额的100%，分别是：",
    ("1.城乡居民医保区级配套项目，项 目 2022 年预算数 1040 万元，决算数 1073.75 万元， 自评得分 99 分，项目数量指标设"
     " 定及完成情况：完成对全区 15 万人医疗保障，已完成；效益指标设定及完成情况：完成资金到位及待遇落实率，参保人员"
     "幸福感提升。发现的主要问题、原因分析及改进措施：预算额度还需更加准确细化，要继续加强预算编制准确性。"),
    ("2.慢性病专家鉴定费项目，2022 年预算数 2 万元。决算数 0.24 万元，自评得分 94 分，项目数量指标设定及完成情况：完"
     " 成对全区慢性病人的慢性病医疗保障，效益指标设定及完成情 况：：完成资金到位及待遇落实率。发现的主要问题、原因分"
     "析及改进措施： 由于疫情原因，未按月开展慢性 病鉴定工作，预算额度还需更加准确细化。要继续加强预算编制准确性。"),
    ("3、北关区政府救助（第五重）项目，2022 年预算数 87 万 元。决算数 65.52 万元， 自评得分 99 分，项目数量指标设定及"
     " 完成情况：完成对全区 3100 人的医疗保障及时对困难群众进行 第五得报销，效益指标设定及完成情况：完成资金到位及待遇"
     "落实率。发现的主要问题、原因分析及改进措 施：预算额度还需更加准确细化。要继续加强预算编制准确性。"),
    "（四）以部门为主体开展的重点绩效评论结果",
    ("我部门针对以上项目中的城乡居民医保区级配套项目进行了重点项目再评价，评价得分99分。其中，项目数量指标设定及完成"
     "情况：已完成对全区15万人医疗保障，效益指标设定及完成情况：完成资金到位及待遇落实率，参保人员幸福感提升。"),
    "发现的主要问题：医保政策宣传不到位，参保人员知晓率有待提高，",
    "原因分析：宣传渠道和方式单一，未能覆盖所有目标群体。",
    "改进措施：拓宽宣传渠道和方式，采用多种手段提高医保政策的知晓率和普及率。",
]


def render_seed001(folder: Path) -> list[Path]:
    """The four tables as `jixiao render --layout anyang_2022` writes them, in the publication's order."""
    with redirect_stdout(io.StringIO()), redirect_stderr(io.StringIO()):  # its warnings are the tests' business
        code = main(["render", *(str(EXAMPLES / name) for name in SEED001_TABLES), "--layout", "anyang_2022",
                     "--no-report", "--workers", "1", "--output", str(folder)])
    if code != 0:
        raise SystemExit(f"jixiao render failed ({code})")
    written = sorted(folder.glob("*.docx"))
    order = ["部门整体", "城乡居民基本医疗保险区级配套资金", "慢性病专家鉴定费", "北关区政府救助"]
    return [next(p for p in written if key in p.name) for key in order]


def _section_break(sect_pr) -> object:
    """An empty paragraph ending a section laid out by `sect_pr` (Word's section break)."""
    from docx.oxml import OxmlElement

    p = OxmlElement("w:p")
    p_pr = OxmlElement("w:pPr")
    p_pr.append(copy.deepcopy(sect_pr))
    p.append(p_pr)
    return p


def combine(tables: list[Path], narrative: list[str]):
    """One document: every table's body in turn, each ending its own section (its page size and
    orientation kept), then the narrative in a portrait section. The rendered documents come from
    one template, so the first one's styles serve them all."""
    document = Document(str(tables[0]))
    body = document.element.body
    final = body.sectPr
    for k, path in enumerate(tables):
        source = Document(str(path)).element.body if k else None
        if source is not None:
            for child in source:
                if child.tag != qn("w:sectPr"):
                    final.addprevious(copy.deepcopy(child))
        own = (source if source is not None else body).sectPr
        final.addprevious(_section_break(own))
    section = document.sections[-1]  # the narrative: A4 portrait, as the 决算说明 is printed
    section.orientation = 0
    section.page_width, section.page_height = Cm(21.0), Cm(29.7)
    for side in ("left_margin", "right_margin"):
        setattr(section, side, Cm(2.8))
    for side in ("top_margin", "bottom_margin"):
        setattr(section, side, Cm(2.5))
    for text in narrative:
        paragraph = document.add_paragraph()
        if not text.startswith(("（", "一、", "二、", "三、")):
            paragraph.paragraph_format.first_line_indent = Pt(24)
        paragraph.add_run(text).font.size = Pt(12)
    return document


def save(document, path: Path) -> Path:
    buffer = io.BytesIO()
    document.save(buffer)
    write_bytes_atomic(path, buffer.getvalue())
    return path


def to_pdf(docx: Path, out: Path) -> Path:
    with tempfile.TemporaryDirectory() as tmp:
        subprocess.run(["soffice", f"-env:UserInstallation=file://{tmp}/profile", "--headless", "--convert-to", "pdf",
                        "--outdir", tmp, str(docx)], check=True, capture_output=True, timeout=180)
        shutil.move(Path(tmp) / f"{docx.stem}.pdf", out)
    return out


def make_docx(out: Path) -> list[Path]:
    """Every .docx fixture (no LibreOffice needed)."""
    out.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory() as tmp:
        seed = save(combine(render_seed001(Path(tmp)), NARRATIVE), out / f"{SEED001}.docx")
    return [seed] + [save(build(), out / f"{stem}.docx") for stem, build in TABLES.items()]


def make(out: Path) -> list[Path]:
    written = make_docx(out)
    return written + [to_pdf(written[0], out / f"{SEED001}.pdf")]


if __name__ == "__main__":
    for path in make(Path(sys.argv[1]) if len(sys.argv) > 1 else HERE):
        print(path)
