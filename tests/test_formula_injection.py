"""Text that looks like a formula stays text in every .xlsx jixiao writes.

A unit named ``=HYPERLINK("http://x","y")``, a 复核意见 ``=1+1``, the target ``=100%`` of
a shipped example: each is what a person typed, and a spreadsheet must show it, not run
it. The writers are found by running every command and endpoint that writes an .xlsx
(jixiao workbook, render --summary, review-sheet, rescore; the page's compare.xlsx);
every workbook they produce is opened again and every cell checked: no formula came
from user input, and the text reads back exactly as typed.
"""

from __future__ import annotations

import io
import shutil
from pathlib import Path

import openpyxl
import pytest
import yaml
from conftest import EXAMPLES
from fastapi.testclient import TestClient
from web_helpers import TOKEN, inputs, row_key

from scoring.cli import main
from scoring.pipeline import score_workbook
from scoring.review.storage import load_review
from scoring.web.app import create_app

PAYLOADS = ('=HYPERLINK("http://x","y")', "=1+1", "=100%", "+cmd", "-2+3", "@SUM(A1)")
HYPERLINK, ONE_PLUS_ONE, HUNDRED, CMD, MINUS, AT = PAYLOADS
DEPARTMENT = EXAMPLES / "安阳北关区医保局_2022_部门整体.yaml"  # its targets are “=100%”
JIAOZUO = EXAMPLES / "焦作中站区医保局_2021_部门整体.yaml"  # and so are these


def payload_project() -> dict:
    """A project evaluation whose every name and text begins like a formula."""
    targets = [("≥90%", "95%"), (HUNDRED, "100%"), ("≥90%", "95%"), ("≥90%", "92%"), ("≥90%", "95%"),
               ("≥90%", "91%")]
    rows = [{"level1": CMD, "level2": MINUS, "level3": name, "target": target, "actual": actual, "weight": w}
            for name, (target, actual), w in zip(PAYLOADS, targets, (15, 15, 15, 15, 15, 10))]
    rows[3].update(description=AT, reason=ONE_PLUS_ONE)
    return {"kind": "project", "unit": HYPERLINK, "year": 2022, "project": ONE_PLUS_ONE,
            "supervisor": CMD, "implementer": AT, "project_code": MINUS,
            "funding": {"label": HUNDRED, "weight": 10, "initial_budget": 10, "annual_budget": 10, "executed": 10,
                        "sources": [{"name": MINUS, "initial_budget": 10, "annual_budget": 10, "executed": 10}]},
            "funds_management": [{"name": AT, "description": HYPERLINK, "weight": 5, "score": 5,
                                  "problems": ONE_PLUS_ONE}],
            "goals": [{"name": CMD, "expected": HUNDRED, "actual": MINUS}],
            "indicators": rows}


@pytest.fixture
def project(tmp_path) -> Path:
    path = tmp_path / "payload.yaml"
    path.write_text(yaml.safe_dump(payload_project(), allow_unicode=True, sort_keys=False), encoding="utf-8")
    return path


def cells(source) -> list:
    """Every cell of every sheet of an .xlsx (a path or bytes), formulas as written."""
    wb = openpyxl.load_workbook(io.BytesIO(source) if isinstance(source, bytes) else source)
    return [c for ws in wb.worksheets for row in ws.iter_rows() for c in row]


def assert_no_user_formula(source, *, own=()) -> list[str]:
    """No cell is a formula unless jixiao wrote it (`own`: the starts of its own formulas);
    no cell is an error value. Returns the texts, for checking what reads back."""
    found = cells(source)
    for c in found:
        if c.data_type == "f":
            assert str(c.value).startswith(own) and own, f"{c.parent.title}!{c.coordinate} is a formula: {c.value}"
            assert not any(p in str(c.value) for p in PAYLOADS), c.value
        assert c.data_type != "e", f"{c.parent.title}!{c.coordinate} is an error value: {c.value}"
        if isinstance(c.value, str) and c.value.startswith(("=", "+", "-", "@")) and c.data_type == "s":
            assert c.quotePrefix, f"{c.parent.title}!{c.coordinate}: stays text when edited in Excel"
    return [c.value for c in found if c.data_type == "s"]


def test_the_fill_in_workbook_writes_names_and_targets_as_text(project, tmp_path):
    out = tmp_path / "填报.xlsx"
    assert main(["workbook", str(project), str(DEPARTMENT), str(JIAOZUO), "-o", str(out)]) == 0
    texts = assert_no_user_formula(out, own=("=IF(",))  # the funds block's 执行率 and 得分
    for payload in PAYLOADS:
        assert payload in texts, payload
    # and it reads back as typed: the same names and targets
    scored = {s.evaluation.unit: s.evaluation for s in score_workbook(out)}
    project_read = scored[HYPERLINK]
    assert (project_read.unit, project_read.project) == (HYPERLINK, ONE_PLUS_ONE)
    assert [i.level3 for i in project_read.indicators] == list(PAYLOADS)
    assert {i.level1 for i in project_read.indicators} == {CMD}
    assert project_read.indicators[1].target == HUNDRED
    assert project_read.funds_management[0].name == AT
    for example in (DEPARTMENT, JIAOZUO):  # “=100%”, “=100%%”: read back as typed
        data = yaml.safe_load(example.read_text(encoding="utf-8"))
        typed = [str(i["target"]) for i in data["indicators"] if str(i.get("target", "")).startswith("=")]
        read = [i.target for i in scored[data["unit"]].indicators]
        assert typed and all(t in read for t in typed), (example.name, typed)


def test_the_summary_writes_units_and_projects_as_text(project, tmp_path):
    out = tmp_path / "out"
    assert main(["render", str(project), str(JIAOZUO), "--no-report", "--workers", "1", "-o", str(out)]) == 0
    assert_no_user_formula(out / "汇总表.xlsx")
    ws = openpyxl.load_workbook(out / "汇总表.xlsx")["汇总表"]
    assert (ws["A2"].value, ws["B2"].value) == (HYPERLINK, ONE_PLUS_ONE)


@pytest.fixture
def review_sheet(project, tmp_path) -> Path:
    """The review sheet of the payload project, filled in as a reviewer types text in Excel."""
    path = tmp_path / "复核表.xlsx"
    assert main(["review-sheet", str(project), "-o", str(path)]) == 0
    texts = assert_no_user_formula(path)
    assert set(PAYLOADS) <= set(texts)
    wb = openpyxl.load_workbook(path)
    ws = wb["复核"]
    typed = {"B2": ONE_PLUS_ONE, "D2": "2026-11-22", "B3": HYPERLINK}
    for ref, value in typed.items():
        ws[ref].value = value
        ws[ref].data_type = "s"  # typed with a leading apostrophe: text
    for r in range(6, ws.max_row + 1):
        if ws.cell(r, 1).value != "绩效指标":
            continue  # 预算执行 is labelled “=100%” as well
        if ws.cell(r, 4).value == CMD:
            ws.cell(r, 11).value = AT
            ws.cell(r, 11).data_type = "s"
        if ws.cell(r, 4).value == MINUS:
            ws.cell(r, 9).value = 10
            ws.cell(r, 11).value = MINUS
            ws.cell(r, 11).data_type = "s"
        if ws.cell(r, 4).value == HUNDRED:
            ws.cell(r, 9).value = 20
    wb.save(path)
    return path


def test_a_review_sheet_with_formula_like_names_round_trips_through_rescore(project, review_sheet, tmp_path):
    out = tmp_path / "复核结果"
    assert main(["rescore", str(project), str(DEPARTMENT), "--review", str(review_sheet), "-o", str(out)]) == 0
    texts = assert_no_user_formula(out / "复核对比表.xlsx")
    wb = openpyxl.load_workbook(out / "复核对比表.xlsx")
    assert wb.sheetnames[0] == "排名"
    assert f"{HYPERLINK} {ONE_PLUS_ONE}" in [c.value for c in wb["排名"]["A"]]
    rows = {r[0]: r for ws in wb.worksheets[1:] for r in ws.iter_rows(values_only=True) if r and r[0]}
    cmd_row = rows[f"{CMD} / {MINUS} / {CMD}"]
    minus_row = rows[f"{CMD} / {MINUS} / {MINUS}"]
    assert cmd_row[7] == AT and minus_row[1:3] == ("15", "10") and minus_row[7] == MINUS
    assert rows[f"{CMD} / {MINUS} / {HUNDRED}"][1:3] == ("15", "20")
    assert f"复核人：{ONE_PLUS_ONE}\u3000\u3000复核日期：2026年11月22日" in texts
    assert f"总体意见：{HYPERLINK}" in texts  # the 总体意见 as text, not a formula
    # the review sheet became a review record that reads back as typed
    [record] = out.glob("*.复核.*.yaml")
    review, _, issues = load_review(record)
    assert not issues and review.reviewer == ONE_PLUS_ONE and review.comment == HYPERLINK
    assert {(c.level1, c.level2, c.level3, c.comment) for c in review.changes} >= {
        (CMD, MINUS, CMD, AT), (CMD, MINUS, MINUS, MINUS)}


def test_the_pages_comparison_download_writes_comments_as_text(project, tmp_path):
    folder = tmp_path / "served"
    folder.mkdir()
    shutil.copy(project, folder / project.name)
    client = TestClient(create_app(folder, token=TOKEN), base_url="http://127.0.0.1:8000")
    [url] = [h for h in _hrefs(client.get("/").text) if h.startswith("/e/")]
    html = client.get(url).text
    key = row_key(html, ONE_PLUS_ONE)
    form = {"input_hash": inputs(html)["input_hash"]["value"]} | {"reviewer": ONE_PLUS_ONE, "date": "2026-11-22", "comment": HYPERLINK,
                                 f"{key}.c": HYPERLINK}
    saved = client.post(url + "/save", data=form, headers={"X-Jixiao-Token": TOKEN})
    assert saved.status_code == 200, saved.text
    [href] = [h for h in _hrefs(saved.text) if h.endswith("/compare.xlsx")]
    response = client.get(href)
    assert response.status_code == 200
    texts = assert_no_user_formula(response.content)
    assert HYPERLINK in texts and f"{CMD} / {MINUS} / {ONE_PLUS_ONE}" in texts
    assert f"复核对比：{HYPERLINK} {ONE_PLUS_ONE}" in texts


def _hrefs(html: str) -> list[str]:
    import re

    return [h.replace("&amp;", "&") for h in re.findall(r'href="([^"]+)"', html)]
