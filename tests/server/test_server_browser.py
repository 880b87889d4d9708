"""The unit's flow end to end in a real headless Chromium (Playwright, Debian's chromium),
on SQLite and PostgreSQL, as people do it: a 填报人 logs in and downloads its fill-in
workbook through the page; the test fills it in as a person would (the published
慢性病专家鉴定费 table's figures typed into the yellow cells, one 实际完成值 typed as words)
and saves it through LibreOffice, as an office suite saves it; the upload shows the error
at its sheet and cell; the cell is fixed, saved again, uploaded and submitted; the 复核人
sees the coverage change on the dashboard and opens the submission, whose total is the
published 92.40, and saves a review that lowers one judged score (91.40 beside it).

Without chromium the test is skipped unless JIXIAO_REQUIRE_BROWSER or CI is set (CI sets
both), as in tests/test_web_browser.py.
"""

from __future__ import annotations

import os
import shutil
from pathlib import Path

import openpyxl
import pytest
from sqlalchemy import select
from workbooks.sheets import block_rows, columns, find, funds_total, indicator_rows

from scoring.server.accounts import create_account
from scoring.server.app import create_app
from scoring.server.models import Project
from scoring.server.setup import import_setup
from scoring.sources.instantiate import PLACEHOLDER
from scoring.sources.loader import load_yaml
from scoring.web.app import running

from .test_server_access import PASSWORD
from .test_server_units import CONTACT, OTHER, PROJECT, UNIT, _needs_soffice

CHROMIUM = shutil.which("chromium") or shutil.which("chromium-browser")
FLAGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update",
         "--disable-sync", "--no-first-run", "--disable-quic"]
SLOW = 30_000  # ms: an upload is scored before the page answers, on a 2-core machine shared by other work
PUBLISHED = Path(__file__).resolve().parents[2] / "examples" / "安阳北关区医保局_2022_慢性病专家鉴定费.yaml"

if CHROMIUM is None:
    if os.environ.get("JIXIAO_REQUIRE_BROWSER") or os.environ.get("CI"):
        raise RuntimeError("找不到 chromium：端到端测试需要 Debian 的 chromium（apt-get install chromium）")
    pytest.skip("chromium 未安装（apt-get install chromium）；CI 中设置 JIXIAO_REQUIRE_BROWSER 时必须运行",
                allow_module_level=True)

from playwright.sync_api import expect, sync_playwright  # noqa: E402


def _log_in(browser, url: str, name: str):
    page = browser.new_page(accept_downloads=True)
    page.goto(url + "/login")
    page.locator("input[name=name]").fill(name)
    page.locator("input[name=password]").fill(PASSWORD)
    page.get_by_role("button", name="登录").click()
    return page


def fill_in(path: Path, out: Path, words_for: str | None = None) -> str:
    """The downloaded workbook filled in by hand from the published table: the funds, the
    资金管理 rows, each 二级's "（请填写三级指标）" row (a group the table has none for:
    "本项目不涉及", "/"); the 质量指标's 实际完成值 typed as words when `words_for` is
    given. Saved by openpyxl to `out`; returns the sheet and cell of that 实际完成值."""
    data = load_yaml(PUBLISHED)[0]
    wb = openpyxl.load_workbook(path)
    ws = wb[PROJECT]
    cols, total, sources = funds_total(ws)
    for label, key in (("年初预算数", "initial_budget"), ("全年预算数", "annual_budget"), ("全年执行数", "executed")):
        ws.cell(total, cols[label]).value = ws.cell(sources[0], cols[label]).value = float(data["funding"][key])
    header, _ = find(ws, "资金管理情况")
    fm = columns(ws, header)
    for r, row in zip(block_rows(ws, header), data["funds_management"], strict=True):
        for label, key in (("情况说明", "description"), ("得分", "score"), ("存在问题和改进措施", "problems")):
            ws.cell(r, fm[label]).value = row[key]
    cols, rows = indicator_rows(ws)
    published = {i["level2"]: i for i in data["indicators"]}
    at = ""
    for r in (r for r in rows if ws.cell(r, cols["三级指标"]).value == PLACEHOLDER):
        ind = published.pop(ws.cell(r, cols["二级指标"]).value, None)
        if ind is None:
            for label in ("三级指标", "年度指标值", "实际完成值"):
                ws.cell(r, cols[label]).value = "本项目不涉及" if label == "三级指标" else "/"
            continue
        for label, key in (("三级指标", "level3"), ("年度指标值", "target"), ("实际完成值", "actual"),
                           ("分值", "weight"), ("偏差原因分析及改进措施", "reason")):
            ws.cell(r, cols[label]).value = ind.get(key)
        if ind["level2"] == "质量指标":
            at = f"'{ws.title}'!{ws.cell(r, cols['实际完成值']).coordinate}"
            if words_for:
                ws.cell(r, cols["实际完成值"]).value = words_for
    assert not published and at  # every published indicator found its group
    wb.save(out)
    return at


def saved_by_libreoffice(path: Path, folder: Path) -> Path:
    """The workbook opened and saved (.xlsx) by LibreOffice, as a unit's office suite would."""
    from test_workbook_fill_in import soffice

    folder.mkdir(exist_ok=True)
    return soffice(path, "xlsx", folder)


def test_a_unit_fills_its_downloaded_workbook_fixes_the_cell_and_submits_and_the_reviewer_sees_it(store, tmp_path):
    _needs_soffice()
    listed = tmp_path / "清单.xlsx"
    wb = openpyxl.Workbook()
    wb.active.title = "单位项目清单"
    for row in (("单位名称", "联系人", "项目名称", "模板", "年度"), (UNIT, CONTACT, PROJECT, "henan_project", 2022),
                (UNIT, CONTACT, OTHER, "henan_project", 2022)):
        wb.active.append(row)
    wb.save(listed)
    with store.session() as db:
        assert import_setup(db, listed, "清单.xlsx", "测试", "命令行").ok
        create_account(db, "复核人", "复核人", None, PASSWORD, "测试", "命令行")
        create_account(db, "填报人", "填报人", UNIT, PASSWORD, "测试", "命令行")
        db.commit()
        project = db.scalar(select(Project.id).where(Project.name == PROJECT))
    with sync_playwright() as p, running(create_app(store)) as url:
        browser = p.chromium.launch(executable_path=CHROMIUM, headless=True, args=FLAGS)
        try:
            reviewer = _log_in(browser, url, "复核人")
            reviewer.get_by_role("link", name="看板").click()
            expect(reviewer.locator("#coverage")).to_have_text("0.00%")

            unit = _log_in(browser, url, "填报人")
            unit.get_by_role("link", name=PROJECT).click()
            with unit.expect_download() as download:
                unit.get_by_role("link", name="下载本项目的填报工作簿（.xlsx）").click()
            assert download.value.suggested_filename.endswith("_填报.xlsx")
            blank = tmp_path / download.value.suggested_filename
            download.value.save_as(blank)

            at = fill_in(blank, tmp_path / "自评.xlsx", words_for="九十六")
            broken = saved_by_libreoffice(tmp_path / "自评.xlsx", tmp_path / "第一次")
            unit.locator("input[type=file]").set_input_files(str(broken))
            unit.get_by_role("button", name="上传并检查").click()
            expect(unit.locator("#message")).to_contain_text("已保存为第 1 版，但有 1 个错误", timeout=SLOW)
            expect(unit.locator("table.problems")).to_contain_text(f"自评.xlsx:{at}")
            expect(unit.locator("table.problems")).to_contain_text("实际完成值“九十六”不是数值")
            expect(unit.get_by_role("button", name="提交第 1 版")).to_have_count(0)

            fixing = openpyxl.load_workbook(broken)  # the one cell fixed in the file LibreOffice saved
            sheet, cell = at.split("!")
            fixing[sheet.strip("'")][cell].value = "96%"
            fixing.save(tmp_path / "自评.xlsx")
            fixed = saved_by_libreoffice(tmp_path / "自评.xlsx", tmp_path / "第二次")
            unit.locator("input[type=file]").set_input_files(str(fixed))
            unit.get_by_role("button", name="上传并检查").click()
            expect(unit.locator("#message")).to_contain_text("已保存为第 2 版，没有错误，总分 92.40", timeout=SLOW)
            unit.get_by_role("button", name="提交第 2 版").click()
            expect(unit.locator("#state")).to_have_text("已提交", timeout=SLOW)

            reviewer.reload()
            expect(reviewer.locator("#coverage")).to_have_text("50.00%", timeout=SLOW)
            reviewer.get_by_role("link", name="复核视图").click()
            assert reviewer.url.endswith(f"/projects/{project}/versions/2/review")
            expect(reviewer.locator("#total")).to_have_text("92.40")
            expect(reviewer.locator("body")).to_contain_text("慢病政策掌握度")
            reviewer.get_by_label("安排科学性 复核得分").fill("4")  # the 复核人 lowers a judged score
            reviewer.get_by_label("安排科学性 复核意见").fill("安排依据不全")
            reviewer.get_by_role("button", name="保存复核").click()
            expect(reviewer.locator("#reviewed-total")).to_have_text("91.40", timeout=SLOW)
            expect(reviewer.locator("#total")).to_have_text("92.40")
        finally:
            browser.close()
