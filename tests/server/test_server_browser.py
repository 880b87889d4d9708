"""The unit's flow end to end in a real headless Chromium (Playwright, Debian's chromium),
on SQLite and PostgreSQL: a 填报人 logs in, downloads its workbook, uploads one saved by
LibreOffice with an error, sees the error at its cell, uploads the fixed one, submits;
the 复核人 sees the coverage change and opens the submission.

Without chromium the test is skipped unless JIXIAO_REQUIRE_BROWSER is set (CI sets it),
as in tests/test_web_browser.py.
"""

from __future__ import annotations

import os
import shutil

import pytest
from sqlalchemy import select

from scoring.server.accounts import create_account
from scoring.server.app import create_app
from scoring.server.models import Project
from scoring.server.setup import import_setup
from scoring.web.app import running

from .conftest import LIBREOFFICE_XLS
from .test_server_access import PASSWORD
from .test_server_units import CONTACT, OTHER, PROJECT, UNIT, _needs_soffice, _with_an_error

CHROMIUM = shutil.which("chromium") or shutil.which("chromium-browser")
FLAGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update",
         "--disable-sync", "--no-first-run", "--disable-quic"]

if CHROMIUM is None:
    if os.environ.get("JIXIAO_REQUIRE_BROWSER"):
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


def test_a_unit_uploads_sees_the_cell_fixes_and_submits_and_the_reviewer_sees_it(store, tmp_path):
    _needs_soffice()
    broken, at = _with_an_error(tmp_path)
    fixed = tmp_path / "慢性病_自评(改).xls"
    shutil.copy(LIBREOFFICE_XLS, fixed)
    listed = tmp_path / "清单.xlsx"
    import openpyxl

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
            unit.locator("input[type=file]").set_input_files(str(broken))
            unit.get_by_role("button", name="上传并检查").click()
            expect(unit.locator("#message")).to_contain_text("已保存为第 1 版，但有")
            expect(unit.locator("table.problems")).to_contain_text(f"慢性病_自评.ods:{at}")
            expect(unit.get_by_role("button", name="提交第 1 版")).to_have_count(0)

            unit.locator("input[type=file]").set_input_files(str(fixed))
            unit.get_by_role("button", name="上传并检查").click()
            expect(unit.locator("#message")).to_contain_text("已保存为第 2 版，没有错误")
            unit.get_by_role("button", name="提交第 2 版").click()
            expect(unit.locator("#state")).to_have_text("已提交")

            reviewer.reload()
            expect(reviewer.locator("#coverage")).to_have_text("50.00%")
            reviewer.get_by_role("link", name="复核视图").click()
            assert reviewer.url.endswith(f"/projects/{project}/versions/2/review")
            expect(reviewer.locator("#total")).to_have_text("92.40")
        finally:
            browser.close()
