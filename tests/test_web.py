"""The reviewer page's endpoints (FastAPI's TestClient): listing, recomputing, saving,
downloading, and what it refuses (no token, other hosts, paths, large bodies)."""

from __future__ import annotations

import hashlib
import io
import os
import socket
from pathlib import Path

import pytest
from fastapi.testclient import TestClient
from web_helpers import DEPARTMENT_2022, TOKEN, inputs, links, row_key, served_copy, texts

from scoring.cli import main
from scoring.review.storage import load_review
from scoring.web.app import MAX_BODY, create_app

HEADERS = {"X-Jixiao-Token": TOKEN}


@pytest.fixture
def folder(tmp_path) -> Path:
    return served_copy(tmp_path)


@pytest.fixture
def client(folder) -> TestClient:
    return TestClient(create_app(folder, token=TOKEN), base_url="http://127.0.0.1:8000")


def open_department(client) -> tuple[str, str]:
    """(the page's URL, its HTML) for 安阳北关区医保局's 2022 department table."""
    url = links(client.get("/").text)["安阳市北关区医疗保障局"]
    response = client.get(url)
    assert response.status_code == 200
    return url, response.text


def base_form(html: str) -> dict[str, str]:
    return {"input_hash": inputs(html)["input_hash"]["value"]}


def digest(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


# ---------------------------------------------------------------- reading


def test_the_list_shows_every_evaluation_with_its_total_and_grade(client):
    html = client.get("/").text
    rows = {name: href for name, href in links(html).items() if href.startswith("/e/")}
    assert set(rows) == {"安阳市北关区医疗保障局", "安阳市北关区医疗保障局 北关区政府救助（第五重）",
                         "安阳市北关区医疗保障局 城乡居民基本医疗保险区级配套资金",
                         "安阳市北关区医疗保障局 慢性病专家鉴定费", "焦作市中站区医疗保障局"}
    for total in ("98.89", "96.6", "92.4"):
        assert f'<td class="num">{total}</td>' in html
    # the target tables hold no actuals: listed as not read, with the reason
    assert "未作为评价读取的文件（2）" in html and "项目绩效目标表.xlsx" in html


def test_an_evaluation_shows_the_official_table_with_the_reviewer_columns(client):
    _, html = open_department(client)
    assert "部门整体支出绩效自评表" in html and "（2022 年度）" in html
    fields = inputs(html)
    key = row_key(html, "全区参保群众满意度")
    assert fields[f"{key}.w"]["placeholder"] == "20" and fields[f"{key}.w"]["value"] == ""
    assert f"{key}.s" not in fields  # 85% against ≥90%: scored by rule, only its weight is reviewable
    assert texts(html)[f"a-{key}"] == "18.89"
    assert texts(html)["s-total"] == "98.89" and texts(html)["s-weight"] == "100 ✓"
    assert fields["input_hash"]["value"].startswith("sha256:")


def test_an_edit_recomputes_rows_groups_total_grade_and_the_weight_check(client):
    url, html = open_department(client)
    satisfied, relevant = row_key(html, "全区参保群众满意度"), row_key(html, "年度履职目标相关性")
    # the documented review: 5 points from 满意度 to 年度履职目标相关性
    form = base_form(html) | {f"{satisfied}.w": "15", f"{relevant}.w": "6"}
    response = client.post(url + "/recompute", data=form, headers=HEADERS)
    assert response.status_code == 200
    got = texts(response.text)
    assert got[f"a-{satisfied}"] == "14.17" and got[f"d-{satisfied}"] == "-4.72"  # 15 × 85/90
    assert got[f"a-{relevant}"] == "6" and got[f"d-{relevant}"] == "+5"
    # by hand: 98.89 − 18.89 + 14.17 − 1 + 6 = 99.17
    assert got["s-total"] == got["t-total"] == "99.17"
    assert got["s-diff"] == "+0.28" and got["s-grade"] == "优"
    assert got["s-weight"] == "100 ✓"
    groups = {k: v for k, v in got.items() if k.startswith("g")}
    sums = [(groups[f"g{n}-w"], groups[f"g{n}-s"]) for n in range(len(groups) // 3)]
    # 预算执行; the 一级 group of 年度履职目标相关性 (30 → 35); 产出 (25); the one of 满意度 (35 → 30,
    # 33.89 − 18.89 + 14.17)
    assert sums == [("10", "10"), ("35", "35"), ("25", "25"), ("30", "29.17")]
    assert "Server-Timing" in response.headers


def test_weights_that_do_not_add_up_to_100_show_a_provisional_total(client):
    url, html = open_department(client)
    key = row_key(html, "年度履职目标相关性")
    response = client.post(url + "/recompute", data=base_form(html) | {f"{key}.w": "6"}, headers=HEADERS)
    got = texts(response.text)
    assert got["s-weight"] == "105（应为 100）"
    assert got["s-total"] == "103.89（暂）" and got["s-diff"] == "+5"
    assert '<span id="s-diff" class="provisional"' in response.text


def test_errors_appear_next_to_the_cell_that_caused_them(client):
    url, html = open_department(client)
    key = row_key(html, "全区参保群众满意度")
    other = row_key(html, "年度履职目标相关性")
    third = row_key(html, "预算执行率")
    form = base_form(html) | {f"{key}.w": "abc", f"{other}.w": "-3", f"{third}.w": "1,5"}
    got = texts(client.post(url + "/recompute", data=form, headers=HEADERS).text)
    assert "“abc”不是数字" in got[f"e-{key}-w"]
    assert "不小于 0" in got[f"e-{other}-w"]
    assert "“1,5”不是数字" in got[f"e-{third}-w"]  # a decimal comma is refused, never read as 15
    assert got[f"e-{row_key(html, '预算调整率')}-w"] == ""
    # full-width digits are what a Chinese input method types: they are read
    form = base_form(html) | {f"{key}.w": "１５", f"{other}.w": "６"}
    got = texts(client.post(url + "/recompute", data=form, headers=HEADERS).text)
    assert got["s-total"] == "99.17" and got[f"e-{key}-w"] == ""


def test_a_judged_score_outside_its_band_is_reported_at_its_cell(client):
    url = links(client.get("/").text)["安阳市北关区医疗保障局 北关区政府救助（第五重）"]
    html = client.get(url).text
    key = row_key(html, "第五重困难人员减轻医疗负担，提升生活水平")  # qualitative: 大幅提升
    assert f"{key}.s" in inputs(html)
    got = texts(client.post(url + "/recompute", data=base_form(html) | {f"{key}.s": "30"},
                            headers=HEADERS).text)
    assert got[f"e-{key}-s"], "a score above the weight must be refused at its cell"
    assert got["s-total"] == "—"


def test_a_score_for_a_row_scored_by_rule_is_refused(client):
    url, html = open_department(client)
    key = row_key(html, "全区参保群众满意度")
    got = texts(client.post(url + "/recompute", data=base_form(html) | {f"{key}.s": "20"},
                            headers=HEADERS).text)
    assert "得分由规则计算" in got["errors"]


# ----------------------------------------------------------------- saving


def test_saving_writes_a_new_review_record_and_never_touches_the_original(client, folder):
    url, html = open_department(client)
    original = folder / DEPARTMENT_2022
    before = digest(original)
    satisfied, relevant = row_key(html, "全区参保群众满意度"), row_key(html, "年度履职目标相关性")
    form = base_form(html) | {"reviewer": "王复核", "date": "2026-11-22", "comment": "满意度分值偏高",
                              f"{satisfied}.w": "15", f"{satisfied}.c": "调低满意度分值",
                              f"{relevant}.w": "6"}
    response = client.post(url + "/save", data=form, headers=HEADERS)
    assert response.status_code == 200
    notice = texts(response.text)["notice"]
    assert notice.startswith("已保存复核记录：")
    saved = folder / notice.split("：", 1)[1]
    assert saved.parent == folder and saved.name.endswith(".复核.王复核.2026-11-22.yaml")
    review, _, issues = load_review(saved)
    assert not issues and review.reviewer == "王复核" and review.comment == "满意度分值偏高"
    assert {(c.level3, str(c.weight), c.comment) for c in review.changes} == {
        ("全区参保群众满意度", "15", "调低满意度分值"), ("年度履职目标相关性", "6", "")}
    assert digest(original) == before
    # the next edit clears the notice: "已保存" must not stand beside unsaved changes
    assert texts(client.post(url + "/recompute", data=form, headers=HEADERS).text)["notice"] == ""
    assert not list(folder.glob(".*.tmp"))  # written atomically: no temporary file left behind
    # saved again: a second record beside the first
    again = texts(client.post(url + "/save", data=form, headers=HEADERS).text)["notice"]
    assert again != notice and (folder / again.split("：", 1)[1]).exists() and saved.exists()
    # both are listed on the page, newest first, and can be loaded into the form again
    page = client.get(url).text
    assert page.count("载入到本页") == 2
    load = next(href for text, href in links(page).items() if text == "载入到本页")
    fields = inputs(client.get(load.replace("&amp;", "&")).text)
    assert fields[f"{satisfied}.w"]["value"] == "15" and fields["reviewer"]["value"] == "王复核"


def test_saving_needs_a_reviewer_a_date_and_weights_that_add_up(client, folder):
    url, html = open_department(client)
    key = row_key(html, "年度履职目标相关性")
    before = sorted(p.name for p in folder.iterdir())
    response = client.post(url + "/save", data=base_form(html) | {f"{key}.w": "6", "date": "22/11/2026"},
                           headers=HEADERS)
    assert response.status_code == 422
    got = texts(response.text)
    assert got["e-reviewer"] == "请填写复核人姓名"
    assert "无法识别" in got["e-date"]
    assert "复核后分值合计为 105" in got["errors"]
    assert got["notice"] == "未保存：请先改正标出的问题。"
    assert sorted(p.name for p in folder.iterdir()) == before


def test_the_comparison_downloads_as_word_and_excel(client, folder):
    from docx import Document
    from openpyxl import load_workbook

    url, html = open_department(client)
    satisfied, relevant = row_key(html, "全区参保群众满意度"), row_key(html, "年度履职目标相关性")
    form = base_form(html) | {"reviewer": "王复核", "date": "2026-11-22", f"{satisfied}.w": "15",
                              f"{relevant}.w": "6"}
    saved = client.post(url + "/save", data=form, headers=HEADERS).text
    hrefs = [h for h in links(saved).values() if "/compare." in h]
    assert len(hrefs) == 2
    word = client.get(next(h for h in hrefs if h.endswith(".docx")))
    assert word.status_code == 200 and "filename*=UTF-8''" in word.headers["content-disposition"]
    text = "\n".join(c.text for t in Document(io.BytesIO(word.content)).tables for r in t.rows for c in r.cells)
    assert "98.89" in text and "99.17" in text and "+0.28" in text
    sheet = load_workbook(io.BytesIO(client.get(next(h for h in hrefs if h.endswith(".xlsx"))).content)).active
    total = next(r for r in sheet.iter_rows(values_only=True) if r[0] == "总分")
    assert total[3:6] == ("98.89", "99.17", "+0.28")


def test_an_evaluation_changed_on_disk_after_opening_is_not_reviewed_blindly(client, folder):
    url, html = open_department(client)
    path = folder / DEPARTMENT_2022
    path.write_text(path.read_text(encoding="utf-8").replace("weight: 20", "weight: 19", 1), encoding="utf-8")
    os.utime(path, ns=(1, 1))  # a different stamp even on a coarse clock
    form = base_form(html) | {"reviewer": "王复核", "date": "2026-11-22"}
    response = client.post(url + "/save", data=form, headers=HEADERS)
    assert response.status_code == 422
    assert "评价文件在打开本页后被修改过" in texts(response.text)["errors"]
    assert not list(folder.glob("*.复核.*"))


# ----------------------------------------------------------------- safety


def test_every_write_needs_the_token(client, folder):
    url, html = open_department(client)
    form = base_form(html) | {"reviewer": "王复核", "date": "2026-11-22"}
    for headers in ({}, {"X-Jixiao-Token": "guess"}):
        response = client.post(url + "/save", data=form, headers=headers)
        assert response.status_code == 403 and "令牌不符" in response.text
        assert client.post(url + "/recompute", data=form, headers=headers).status_code == 403
    assert not list(folder.glob("*.复核.*"))
    assert TOKEN in html  # the page carries it (hx-headers), a page from another site cannot read it


def test_requests_for_another_host_are_refused(folder):
    client = TestClient(create_app(folder, token=TOKEN), base_url="http://evil.example:8000")
    assert client.get("/").status_code == 400  # DNS rebinding: the page answers its own host only


@pytest.mark.parametrize("path", [
    "/e/../../pyproject.toml", "/e/%2e%2e%2f%2e%2e%2fpyproject.toml", "/e/..%2F..%2Fpyproject.toml",
    "/static/../app.py", "/static/%2e%2e%2fapp.py", "/static/..%2F..%2F..%2Fpyproject.toml",
    "/e/0000000000000000", "/e/x/reviews/../../../pyproject.toml/compare.docx",
    "/static/etc%2Fpasswd", "/e/%2Fetc%2Fpasswd",
])
def test_nothing_outside_the_served_folder_is_reachable(client, path):
    response = client.get(path)
    assert response.status_code == 404
    assert "[project]" not in response.text and "root:" not in response.text


def test_a_link_out_of_the_folder_is_not_followed(tmp_path, folder):
    outside = tmp_path / "外部.yaml"
    outside.write_bytes((folder / DEPARTMENT_2022).read_bytes().replace("安阳市北关区".encode(), "外部单位".encode()))
    (folder / "link.yaml").symlink_to(outside)
    html = TestClient(create_app(folder, token=TOKEN), base_url="http://127.0.0.1").get("/").text
    assert "外部单位" not in html and "link.yaml" not in html


def test_large_bodies_are_refused_with_a_clear_message(client):
    url, html = open_department(client)
    big = b"comment=" + b"x" * (MAX_BODY + 1)
    headers = HEADERS | {"Content-Type": "application/x-www-form-urlencoded"}
    response = client.post(url + "/recompute", content=big, headers=headers)
    assert response.status_code == 413 and "提交的内容过大" in response.text

    def chunks():  # no Content-Length: counted as it arrives
        for _ in range(MAX_BODY // 65536 + 2):
            yield b"x" * 65536

    response = client.post(url + "/recompute", content=chunks(), headers=headers)
    assert response.status_code == 413 and "提交的内容过大" in response.text


def test_responses_carry_security_headers(client):
    headers = client.get("/").headers
    assert "default-src 'self'" in headers["content-security-policy"]
    assert headers["x-frame-options"] == "DENY" and headers["x-content-type-options"] == "nosniff"


def test_htmx_is_served_from_the_package(client):
    response = client.get("/static/htmx.min.js")
    assert response.status_code == 200 and 'version:"2.0.11"' in response.text
    assert "unpkg" not in client.get("/").text and "cdn" not in client.get("/").text


def test_a_broken_evaluation_is_listed_with_its_errors(client, folder):
    (folder / "坏的.yaml").write_text("kind: project\nunit: 某单位\nyear: 2022\nindicators: []\n", encoding="utf-8")
    html = client.get("/").text
    assert "坏的.yaml" in html and "个错误" in html
    page = client.get(links(html)["坏的.yaml"]).text
    assert "这份评价文件有错误" in page and "坏的.yaml" in page


# -------------------------------------------------------------------- CLI


def test_serve_reports_a_missing_folder(tmp_path, capsys):
    assert main(["serve", str(tmp_path / "没有")]) == 1
    assert "找不到文件夹" in capsys.readouterr().err


def test_serve_reports_a_port_in_use(folder, capsys):
    with socket.socket() as busy:
        busy.bind(("127.0.0.1", 0))
        busy.listen()
        port = busy.getsockname()[1]
        assert main(["serve", str(folder), "--port", str(port)]) == 1
    assert "端口可能已被占用" in capsys.readouterr().err


def test_a_filled_workbook_is_listed_one_evaluation_per_sheet_and_can_be_reviewed(tmp_path):
    from scoring.outputs.workbook import write_workbook
    from scoring.sources.loader import load_yaml

    folder = tmp_path / "单位"
    folder.mkdir()
    data = [load_yaml(path)[0] for path in sorted(served_copy(tmp_path).glob("安阳*.yaml"))]
    write_workbook(data, folder / "北关区.xlsx")
    client = TestClient(create_app(folder, token=TOKEN), base_url="http://127.0.0.1")
    html = client.get("/").text
    assert html.count("北关区.xlsx · 第 ") == 4
    url = links(html)["安阳市北关区医疗保障局"]
    page = client.get(url).text
    key = row_key(page, "全区参保群众满意度")
    form = base_form(page) | {"reviewer": "王复核", "date": "2026-11-22", f"{key}.s": "",
                              f"{key}.c": "依据充分，不调整"}
    notice = texts(client.post(url + "/save", data=form, headers=HEADERS).text)["notice"]
    saved = folder / notice.split("：", 1)[1]
    assert saved.name.startswith("北关区_") and ".复核.王复核.2026-11-22" in saved.name
    review, _, issues = load_review(saved)
    assert not issues and review.changes[0].comment == "依据充分，不调整" and review.changes[0].weight is None
    assert client.get("/").text.count("北关区.xlsx · 第 ") == 4  # the record is not listed as an evaluation


# ------------------------------------------- found in review (each once a bug)


CHRONIC = "安阳市北关区医疗保障局 慢性病专家鉴定费"


def test_a_typed_score_equal_to_the_computed_one_is_kept_when_the_weight_changes(client):
    url = links(client.get("/").text)[CHRONIC]
    html = client.get(url).text
    people, benefit = row_key(html, "鉴定慢病人数"), row_key(html, "符合慢病参保居民减轻医药费负担")
    assert f"{people}.s" in inputs(html)  # 符合慢病政策人数: a judged row, scored 10 by rule
    # 2 more points for the row, but its score stays 10; the 2 points come from 效益 (25 → 23, judged 25 → 23)
    form = base_form(html) | {f"{people}.w": "12", f"{people}.s": "10", f"{benefit}.w": "23", f"{benefit}.s": "23"}
    got = texts(client.post(url + "/recompute", data=form, headers=HEADERS).text)
    assert got[f"a-{people}"] == "10" and got["s-total"] == "90.4"  # 92.4 − 2: as jixiao rescore computes it


def test_numbers_are_read_strictly(client):
    from scoring.review.records import parse_number

    for text in ("1e99999999", "1e3", "1_0", "١٢", "NaN", "Infinity", "1,5", "--1", "1.2.3", "1234567"):
        with pytest.raises(ValueError):
            parse_number(text)
    assert [parse_number(t) for t in ("１５", "7.5分", " 6 ", "0.25", ".5")] == [15, 7.5, 6, 0.25, 0.5]
    url, html = open_department(client)
    key = row_key(html, "全区参保群众满意度")
    response = client.post(url + "/recompute", data=base_form(html) | {f"{key}.w": "1e99999999"}, headers=HEADERS)
    assert response.status_code == 200 and len(response.content) < 100_000
    assert "不是数字" in texts(response.text)[f"e-{key}-w"]


def test_an_evaluation_broken_after_opening_gets_a_clear_answer(client, folder):
    url, html = open_department(client)
    (folder / DEPARTMENT_2022).write_text("kind: project\nyear: 2022\n", encoding="utf-8")
    for action in ("/recompute", "/save"):
        response = client.post(url + action, data=base_form(html), headers=HEADERS | {"HX-Request": "true"})
        assert response.status_code == 409 and "现在有错误，无法计分" in texts(response.text)["notice"]


def test_a_deleted_review_record_does_not_break_the_page(client, folder):
    url, html = open_department(client)
    form = base_form(html) | {"reviewer": "王复核", "date": "2026-11-22"}
    notice = texts(client.post(url + "/save", data=form, headers=HEADERS).text)["notice"]
    (folder / notice.split("：", 1)[1]).unlink()
    assert client.get(url).status_code == 200 and "还没有复核记录" in client.get(url).text


def test_an_edit_event_after_a_save_does_not_wipe_the_save_answer(client):
    url, html = open_department(client)
    form = base_form(html) | {f"{row_key(html, '年度履职目标相关性')}.w": "6"}
    refused = client.post(url + "/save", data=form, headers=HEADERS)
    assert refused.status_code == 422
    attempt = inputs(refused.text)["attempt"]["value"]
    # the debounced edit event that fires after the click carries the same form: nothing to redo
    late = client.post(url + "/recompute", data=form | {"attempt": attempt}, headers=HEADERS)
    assert late.status_code == 204 and late.content == b""
    # a real edit afterwards is recomputed (and clears the notice)
    changed = form | {"attempt": attempt, "reviewer": "王复核"}
    assert texts(client.post(url + "/recompute", data=changed, headers=HEADERS).text)["notice"] == ""


def test_funds_management_rows_with_one_name_are_refused_at_the_cell(client, folder):
    path = folder / "安阳北关区医保局_2022_慢性病专家鉴定费.yaml"
    path.write_text(path.read_text(encoding="utf-8").replace("name: 拨付合规性", "name: 安排科学性"), encoding="utf-8")
    url = links(client.get("/").text)[CHRONIC]
    html = client.get(url).text
    got = texts(client.post(url + "/recompute", data=base_form(html) | {"m1.s": "3"}, headers=HEADERS).text)
    assert "有多个“安排科学性”" in got["e-m1-w"]
    assert got["a-m0"] == "5" and got["d-m0"] == ""  # the other row is not changed instead


def test_the_page_needs_the_evaluation_hash_and_shows_dashes_without_a_result(client):
    url, html = open_department(client)
    got = texts(client.post(url + "/recompute", data={"i0.w": "2"}, headers=HEADERS).text)
    assert "缺少评价内容校验码" in got["errors"]
    assert got["g1-w"] == "—" and got["s-total"] == "—"


def test_hosts_the_page_answers():
    from scoring.web.app import allowed_hosts

    assert {"127.0.0.1", "localhost", "[::1]"} <= set(allowed_hosts("127.0.0.1"))
    network = allowed_hosts("0.0.0.0", ("jixiao.example",))
    assert socket.gethostname() in network and "jixiao.example" in network and "0.0.0.0" not in network


def test_reviews_saved_at_once_never_overwrite_each_other(tmp_path):
    from concurrent.futures import ThreadPoolExecutor
    from datetime import date

    from scoring.review.records import Review
    from scoring.review.storage import save_review

    review = Review(evaluation="某单位", input_hash="sha256:" + "0" * 64, reviewer="王复核", date=date(2026, 11, 22))
    with ThreadPoolExecutor(8) as pool:
        paths = list(pool.map(lambda _: save_review(review, tmp_path, "某单位"), range(16)))
    assert len(set(paths)) == 16 and len(list(tmp_path.glob("*.yaml"))) == 16
    assert not list(tmp_path.glob(".*.tmp"))


def test_the_funds_row_takes_a_weight_and_a_comment(client, folder):
    from openpyxl import load_workbook

    url, html = open_department(client)
    form = base_form(html) | {"reviewer": "王复核", "date": "2026-11-22", "f.w": "12", "f.c": "预算执行分值应提高",
                              f"{row_key(html, '全区参保群众满意度')}.w": "18"}
    saved = client.post(url + "/save", data=form, headers=HEADERS)
    got = texts(saved.text)
    assert got["a-f"] == "12" and got["d-f"] == "+2" and got["s-weight"] == "100 ✓"
    review = load_review(folder / got["notice"].split("：", 1)[1])[0]
    assert (str(review.funding_weight), review.funding_comment) == ("12", "预算执行分值应提高")
    xlsx = next(h for h in links(saved.text).values() if h.endswith(".xlsx"))
    rows = {r[0]: r for r in load_workbook(io.BytesIO(client.get(xlsx).content)).active.iter_rows(values_only=True)}
    assert rows["预算执行率"][1:3] == ("10", "12") and rows["预算执行率"][7] == "预算执行分值应提高"
