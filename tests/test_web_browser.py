"""The reviewer page end to end, in a real headless Chromium driven by Playwright.

Debian's chromium is used (`.ci/run` installs it; Playwright cannot download its
own browser here). Without it the test is skipped, and reported as such, unless
JIXIAO_REQUIRE_BROWSER is set, as CI sets it: there a missing browser fails.
"""

from __future__ import annotations

import io
import os
import shutil

import pytest
from web_helpers import served_copy

from scoring.review.storage import load_review
from scoring.web.app import create_app, running

CHROMIUM = shutil.which("chromium") or shutil.which("chromium-browser")
FLAGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update",
         "--disable-sync", "--no-first-run", "--disable-quic"]

if CHROMIUM is None:
    if os.environ.get("JIXIAO_REQUIRE_BROWSER"):
        raise RuntimeError("找不到 chromium：端到端测试需要 Debian 的 chromium（apt-get install chromium）")
    pytest.skip("chromium 未安装（apt-get install chromium）；CI 中设置 JIXIAO_REQUIRE_BROWSER 时必须运行",
                allow_module_level=True)

from playwright.sync_api import expect, sync_playwright  # noqa: E402


@pytest.fixture
def browser():
    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=CHROMIUM, headless=True, args=FLAGS)
        yield browser
        browser.close()


def test_a_reviewer_moves_points_sees_the_total_and_saves_the_review(tmp_path, browser):
    from docx import Document

    folder = served_copy(tmp_path)
    with running(create_app(folder)) as url:
        page = browser.new_page(viewport={"width": 1600, "height": 1000}, accept_downloads=True)
        page.goto(url + "/")
        page.get_by_role("link", name="安阳市北关区医疗保障局", exact=True).click()
        expect(page.locator("#s-total")).to_have_text("98.89")

        satisfied = page.get_by_label("全区参保群众满意度 复核分值")
        satisfied.fill("15")
        expect(page.locator("#s-weight")).to_have_text("95（应为 100）")
        page.get_by_label("年度履职目标相关性 复核分值").fill("6")
        expect(page.locator("#s-total")).to_have_text("99.17")  # 98.89 − 18.89 + 15×85/90 − 1 + 6
        expect(page.locator("#s-weight")).to_have_text("100 ✓")
        expect(page.locator("#s-grade")).to_have_text("优")
        expect(page.locator("#s-diff")).to_have_text("+0.28")
        assert page.url.endswith(page.url.split("/")[-1])  # no reload: still the same page

        budget = page.get_by_label("预算执行率 复核分值")
        budget.fill("abc")
        error = page.locator("#" + budget.get_attribute("name").replace(".", "-").join(["e-", ""]))
        expect(error).to_contain_text("不是数字")
        budget.fill("")
        expect(error).to_have_text("")

        page.get_by_label("复核人").fill("王复核")
        page.get_by_label("全区参保群众满意度 复核意见").fill("满意度分值偏高，调低 5 分")
        page.locator("#save").click()
        expect(page.locator("#notice")).to_contain_text("已保存复核记录")

        saved = list(folder.glob("*.复核.王复核.*.yaml"))
        assert len(saved) == 1, saved
        review, _, issues = load_review(saved[0])
        assert not issues
        assert {(c.level3, str(c.weight)) for c in review.changes} == {("全区参保群众满意度", "15"),
                                                                       ("年度履职目标相关性", "6")}

        # typed and saved at once: the edit event that fires after the click must not wipe the answer
        page.get_by_label("总体意见").fill("满意度分值调整后复核")
        page.locator("#save").click()
        expect(page.locator("#notice")).to_contain_text(".复核.王复核.")
        page.wait_for_timeout(500)
        expect(page.locator("#notice")).to_contain_text("已保存复核记录")
        assert len(list(folder.glob("*.复核.王复核.*.yaml"))) == 2

        with page.expect_download() as download:
            page.locator("#reviews").get_by_role("link", name="Word").first.click()  # the newest
        document = Document(io.BytesIO(download.value.path().read_bytes()))
        cells = [c.text for t in document.tables for r in t.rows for c in r.cells]
        assert "99.17" in cells and "满意度分值偏高，调低 5 分" in cells
