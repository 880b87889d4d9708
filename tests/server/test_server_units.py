"""The year's set-up, a unit's upload and 提交, and the 复核人's dashboard, on SQLite and
PostgreSQL: the 单位项目清单 imported (problems at their cells, nothing imported with
errors, twice changes nothing), a workbook saved by LibreOffice with an error shown at
its sheet and cell, the fixed upload as version 2 submitted, coverage moving, the Word
document, 汇总表 and 催报清单 downloaded, the audit log; hostile uploads refused in
Chinese within the limits."""

from __future__ import annotations

import html
import io
import os
import shutil
import sys
import time
import zipfile
from pathlib import Path

import openpyxl
import pytest
from sqlalchemy import func, select
from workbooks.sheets import indicator_rows

from scoring.cli import main
from scoring.pipeline import score_workbook
from scoring.server.accounts import create_account
from scoring.server.app import create_app
from scoring.server.models import AuditEntry, Project, Scoring, Submission, SubmitEvent, Unit
from scoring.server.setup import COLUMNS, SHEET
from scoring.server.submissions import submission_bytes

from .conftest import LIBREOFFICE_XLS, LIBREOFFICE_XLSX
from .test_server_access import PASSWORD, client, login, token

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "hostile"))
from corpus import sheet_bomb  # noqa: E402

UNIT = "安阳市北关区医疗保障局"
PROJECT = "慢性病专家鉴定费"  # the project of tests/files/项目自评.*
OTHER = "医保基金监管项目"
CONTACT = "王五 0372-5551234"


@pytest.fixture
def office(store):
    with store.session() as db:
        admin = create_account(db, "管理员", "管理员", None, PASSWORD, "测试", "命令行")
        create_account(db, "复核人", "复核人", None, PASSWORD, admin, "命令行")
        db.commit()
    return create_app(store, allow_hosts=("testserver",))


def _setup_file(app, rows, path: Path) -> Path:
    """The server's blank list, filled in as an administrator would."""
    admin = login(app, "管理员")
    blank = admin.get("/admin/setup/template.xlsx")
    assert blank.status_code == 200 and "filename*=UTF-8''" in blank.headers["content-disposition"]
    wb = openpyxl.load_workbook(io.BytesIO(blank.content))
    ws = wb[SHEET]
    assert [c.value for c in ws[1]] == list(COLUMNS)
    assert "填写说明" in wb.sheetnames and "henan_project" in str([c.value for c in wb["填写说明"]["A"]])
    ws.delete_rows(2)  # the example row
    for row in rows:
        ws.append(list(row))
    wb.save(path)
    return path



def _upload(c, url: str, name: str, content: bytes):
    return c.post(url, data={"csrf": token(c)}, files={"file": (name, content, "application/octet-stream")})


def test_the_setup_list_is_imported_only_without_errors_and_only_once(office, store, tmp_path):
    wrong = _setup_file(office, [(UNIT, CONTACT, PROJECT, "henan_project", 2022),
                         (UNIT, CONTACT, OTHER, "no_such_template", 2022),
                         ("某某局", "赵六", "道路养护", "henan_project", "二〇二二"),
                         (UNIT, CONTACT, PROJECT, "henan_project", 2022)], tmp_path / "清单_有错.xlsx")
    admin = login(office, "管理员")
    answer = _upload(admin, "/admin/setup", "清单_有错.xlsx", wrong.read_bytes())
    text = html.unescape(answer.text)
    assert answer.status_code == 400 and "未导入任何内容" in text
    assert "清单_有错.xlsx:'单位项目清单'!D3：没有名为“no_such_template”的项目模板" in text
    assert "'单位项目清单'!E4：年度“二〇二二”应为四位数字" in text
    assert "'单位项目清单'!C5：与第 2 行重复" in text
    with store.session() as db:
        assert db.scalar(select(func.count()).select_from(Project)) == 0
        assert db.scalar(select(func.count()).select_from(Unit)) == 0
    right = _setup_file(office, [(UNIT, CONTACT, PROJECT, "henan_project", 2022),
                         (UNIT, CONTACT, OTHER, "henan_project", 2022),
                         ("某某局", "赵六 0372-5550000", "道路养护", "henan_project", 2022)], tmp_path / "清单.xlsx")
    answer = _upload(admin, "/admin/setup", "清单.xlsx", right.read_bytes())
    assert answer.status_code == 200 and "新单位 2 个，新项目 3 个" in answer.text
    again = _upload(admin, "/admin/setup", "清单.xlsx", right.read_bytes())
    assert again.status_code == 200 and "新单位 0 个，新项目 0 个，更新 0 个，未变 3 个" in again.text
    not_a_workbook = _upload(admin, "/admin/setup", "清单.xlsx", b"%PDF-1.4 a pdf renamed")
    assert not_a_workbook.status_code == 400 and "PDF 文件，不是工作簿" in not_a_workbook.text
    with store.session() as db:
        assert db.scalar(select(func.count()).select_from(Project)) == 3
        unit = db.scalar(select(Unit).where(Unit.name == UNIT))
        assert unit.contact == CONTACT and sorted(p.name for p in unit.projects) == sorted([PROJECT, OTHER])
        assert db.scalar(select(func.count()).select_from(AuditEntry).where(AuditEntry.action == "setup_import")) == 2


def _needs_soffice():
    if shutil.which("soffice") is None:
        if os.environ.get("CI"):
            pytest.fail("LibreOffice is needed (CI installs libreoffice-calc-nogui)")
        pytest.skip("LibreOffice is not installed here; CI installs it")


def _with_an_error(tmp_path: Path) -> tuple[Path, str]:
    """The project's workbook with one 实际完成值 that is no number ("九十"), saved by
    LibreOffice as .ods; and where that cell is."""
    from test_workbook_fill_in import soffice

    wb = openpyxl.load_workbook(LIBREOFFICE_XLSX)
    ws = next(w for w in wb.worksheets if w.title != "填表说明")
    cols, rows = indicator_rows(ws)
    cell = next(ws.cell(r, cols["实际完成值"]) for r in rows
                if str(ws.cell(r, cols["实际完成值"]).value or "").rstrip("%").replace(".", "").isdigit())
    cell.value = "九十"
    edited = tmp_path / "慢性病_自评.xlsx"
    wb.save(edited)
    return soffice(edited, "ods", tmp_path), f"'{ws.title}'!{cell.coordinate}"


def _cli_setup(where, tmp_path: Path, capsys) -> None:
    wb = openpyxl.Workbook()
    ws = wb.active
    ws.title = SHEET
    ws.append(list(COLUMNS))
    ws.append([UNIT, CONTACT, PROJECT, "henan_project", 2022])
    ws.append([UNIT, CONTACT, OTHER, "henan_project", 2022])
    wb.save(tmp_path / "清单.xlsx")
    argv = ["server", "import-setup", str(tmp_path / "清单.xlsx"), "--data", str(where.data)]
    if where.sqlite_file is None:
        argv += ["--database", where.url]
    assert main(argv) == 0
    assert "新项目 2 个" in capsys.readouterr().out


def test_a_unit_uploads_fixes_and_submits_and_the_dashboard_follows(office, store, where, tmp_path, capsys):
    _needs_soffice()
    broken, at = _with_an_error(tmp_path)
    _cli_setup(where, tmp_path, capsys)
    with store.session() as db:
        create_account(db, "填报人", "填报人", UNIT, PASSWORD, "测试", "命令行")
        create_account(db, "别的单位", "填报人", "某某局", PASSWORD, "测试", "命令行")
        db.commit()
        project = db.scalar(select(Project).where(Project.name == PROJECT)).id
    reporter, reviewer = login(office, "填报人"), login(office, "复核人")
    assert "0.00%" in reviewer.get("/dashboard").text
    unit_page = reporter.get(reporter.answer.headers["location"])
    assert PROJECT in unit_page.text and OTHER in unit_page.text and "未上传" in unit_page.text

    blank = reporter.get(f"/projects/{project}/workbook")
    assert blank.status_code == 200 and blank.content.startswith(b"PK")
    (tmp_path / "下载.xlsx").write_bytes(blank.content)
    assert [s.evaluation.project for s in score_workbook(tmp_path / "下载.xlsx") if s.evaluation] == [PROJECT]

    first = _upload(reporter, f"/projects/{project}/upload", broken.name, broken.read_bytes())
    text = html.unescape(first.text)
    assert first.status_code == 200 and "已保存为第 1 版，但有" in text
    assert f"慢性病_自评.ods:{at}" in text and "九十" in text  # the error at its sheet and cell
    refused = reporter.post(f"/projects/{project}/submit", data={"csrf": token(reporter), "version": "1"})
    assert refused.status_code == 409 and "有错误，不能提交" in refused.text

    second = _upload(reporter, f"/projects/{project}/upload", "慢性病_自评(改).xls", LIBREOFFICE_XLS.read_bytes())
    assert second.status_code == 200 and "已保存为第 2 版，没有错误，总分 92.40" in second.text
    assert reporter.get(f"/projects/{project}/document").status_code == 409  # not submitted yet
    done = reporter.post(f"/projects/{project}/submit", data={"csrf": token(reporter), "version": "2"})
    assert done.status_code == 303 and "已提交" in reporter.get(done.headers["location"]).text

    board = reviewer.get("/dashboard?year=2022")
    assert board.status_code == 200 and 'id="coverage">50.00%' in board.text and "<svg" in board.text
    missing = reviewer.get("/dashboard?year=2022&state=未上传")
    assert OTHER in missing.text and f"/projects/{project}/versions" not in missing.text
    review = reviewer.get(f"/projects/{project}/versions/2/review")
    assert review.status_code == 200 and "92.40" in review.text and "尚未复核" in review.text

    document = reporter.get(f"/projects/{project}/document")
    assert document.status_code == 200
    with zipfile.ZipFile(io.BytesIO(document.content)) as docx:
        assert PROJECT in docx.read("word/document.xml").decode("utf-8")
    reminders = openpyxl.load_workbook(io.BytesIO(reviewer.get("/dashboard/2022/reminders.xlsx").content)).active
    assert [[c.value for c in row][:6] for row in reminders.iter_rows(min_row=2)] == [
        [UNIT, CONTACT, OTHER, CONTACT, 2022, "未上传"]]
    summary = openpyxl.load_workbook(io.BytesIO(reviewer.get("/dashboard/2022/summary.xlsx").content))["汇总表"]
    assert [(r[1].value, float(r[6].value)) for r in summary.iter_rows(min_row=2)] == [(PROJECT, 92.4)]

    other = login(office, "别的单位")  # another unit: nothing of this project
    for url in (f"/projects/{project}", f"/projects/{project}/document", f"/projects/{project}/versions/2/file",
                f"/projects/{project}/workbook"):
        assert other.get(url).status_code == 404
    assert other.post(f"/projects/{project}/submit", data={"csrf": token(other), "version": "2"}).status_code == 404
    assert _upload(other, f"/projects/{project}/upload", "x.xls", LIBREOFFICE_XLS.read_bytes()).status_code == 404

    with store.session() as db:
        rows = db.scalars(select(Submission).order_by(Submission.version)).all()
        assert [(r.version, submission_bytes(r)) for r in rows] == [(1, broken.read_bytes()),
                                                                     (2, LIBREOFFICE_XLS.read_bytes())]
        assert [s.errors > 0 for s in db.scalars(select(Scoring).order_by(Scoring.id))] == [True, False]
        assert db.scalar(select(func.count()).select_from(SubmitEvent)) == 1
        actions = db.scalars(select(AuditEntry.action).where(AuditEntry.actor.in_(["填报人", "复核人"]))).all()
    for action, n in (("upload", 2), ("submit", 1), ("download", 4), ("review_open", 1)):
        assert actions.count(action) == n, (action, actions)


def test_hostile_uploads_end_in_a_clear_chinese_message(office, store, tmp_path):
    with store.session() as db:
        unit = Unit(name=UNIT, contact="")
        db.add(unit)
        db.flush()
        db.add(Project(unit_id=unit.id, year=2022, name=PROJECT, template="henan_project", contact=""))
        db.commit()
        create_account(db, "填报人", "填报人", UNIT, PASSWORD, "测试", "命令行")
        db.commit()
        project = db.scalar(select(Project.id))
    reporter = login(office, "填报人")
    too_large = _upload(reporter, f"/projects/{project}/upload", "大.xlsx", b"PK" + b"\0" * (21 * 1024 * 1024))
    assert too_large.status_code == 413 and "提交的内容过大（上限 20 MB）" in too_large.text
    started = time.perf_counter()
    bomb = sheet_bomb(tmp_path)
    answer = _upload(reporter, f"/projects/{project}/upload", "单位自评.xlsx", bomb.read_bytes())
    text = html.unescape(answer.text)
    assert answer.status_code == 200 and "超过上限 64 MB" in text and "已保存为第 1 版，但有 1 个错误" in text
    assert time.perf_counter() - started < 10
    word = _upload(reporter, f"/projects/{project}/upload", "自评.xlsx", _docx_bytes())
    assert "这是Word 文档（.docx），不是工作簿" in html.unescape(word.text)
    with store.session() as db:  # stored as uploaded, never submitted
        assert [r.size for r in db.scalars(select(Submission).order_by(Submission.id))] == [
            bomb.stat().st_size, len(_docx_bytes())]
    refused = reporter.post(f"/projects/{project}/submit", data={"csrf": token(reporter), "version": "2"})
    assert refused.status_code == 409
    assert client(office).post(f"/projects/{project}/upload").status_code == 401
    forged = reporter.post(f"/projects/{project}/upload", data={"csrf": "forged"},
                           files={"file": ("a.xls", LIBREOFFICE_XLS.read_bytes(), "application/octet-stream")})
    assert forged.status_code == 403 and "CSRF" in forged.text
    with store.session() as db:
        assert db.scalar(select(func.count()).select_from(Submission)) == 2


def _docx_bytes() -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as z:
        z.writestr("[Content_Types].xml", "<Types/>")
        z.writestr("word/document.xml", "<w:document/>")
    return buffer.getvalue()


def test_the_setup_commands(where, tmp_path, capsys, monkeypatch):
    monkeypatch.chdir(tmp_path)
    assert main(["server", "setup-template"]) == 0
    assert "已生成空白的单位项目清单" in capsys.readouterr().out
    wb = openpyxl.load_workbook(tmp_path / "单位项目清单.xlsx")
    ws = wb[SHEET]
    ws.delete_rows(2)
    ws.append([UNIT, CONTACT, PROJECT, "../../etc/passwd", 2022])
    wb.save(tmp_path / "清单.xlsx")
    database = ["--data", str(where.data)] + (["--database", where.url] if where.sqlite_file is None else [])
    assert main(["server", "import-setup", "清单.xlsx", *database]) == 1
    err = capsys.readouterr().err
    assert "清单.xlsx:'单位项目清单'!D2：没有名为“../../etc/passwd”的项目模板" in err and "未导入任何内容" in err
    (tmp_path / "word.xlsx").write_bytes(_docx_bytes())
    assert main(["server", "import-setup", "word.xlsx", *database]) == 1
    assert "Word 文档（.docx），不是工作簿" in capsys.readouterr().err


def test_a_unit_uploads_all_its_projects_in_one_workbook_and_submits_those_without_errors(office, store, tmp_path):
    from scoring.outputs.workbook import build_workbook
    from scoring.server.setup import import_setup
    from scoring.sources.loader import load_yaml

    wb = openpyxl.Workbook()
    wb.active.title = SHEET
    for row in (COLUMNS, (UNIT, CONTACT, PROJECT, "henan_project", 2022), (UNIT, CONTACT, OTHER, "henan_project", 2022)):
        wb.active.append(list(row))
    wb.save(tmp_path / "清单.xlsx")
    with store.session() as db:
        assert import_setup(db, tmp_path / "清单.xlsx", "清单.xlsx", "测试", "命令行").ok
        create_account(db, "填报人", "填报人", UNIT, PASSWORD, "测试", "命令行")
        create_account(db, "别的单位", "填报人", "某某局", PASSWORD, "测试", "命令行")
        db.commit()
        unit = db.scalar(select(Unit.id).where(Unit.name == UNIT))
    reporter = login(office, "填报人")
    blank = reporter.get(f"/units/{unit}/workbook?year=2022")
    (tmp_path / "单位.xlsx").write_bytes(blank.content)
    assert sorted(s.evaluation.project for s in score_workbook(tmp_path / "单位.xlsx") if s.evaluation) == sorted(
        [PROJECT, OTHER])

    data = load_yaml(LIBREOFFICE_XLS.parents[2] / "examples" / "安阳北关区医保局_2022_慢性病专家鉴定费.yaml")[0]
    wrong = dict(data, project=OTHER, indicators=[dict(data["indicators"][1], actual="九十"), *data["indicators"][2:],
                                                   data["indicators"][0]])
    buffer = io.BytesIO()
    build_workbook([data, wrong]).save(buffer)
    answer = reporter.post(f"/units/{unit}/upload", data={"csrf": token(reporter), "year": "2022"},
                           files={"file": ("单位自评.xlsx", buffer.getvalue(), "application/octet-stream")})
    assert answer.status_code == 200 and "已为 2 个项目各保存一个新版本；其中 1 个有错误" in answer.text
    other = login(office, "别的单位")
    assert other.post(f"/units/{unit}/submit", data={"csrf": token(other)}).status_code == 404
    assert other.get(f"/units/{unit}/workbook").status_code == 404
    done = reporter.post(f"/units/{unit}/submit", data={"csrf": token(reporter)})
    assert done.status_code == 200 and "已提交 1 个项目" in done.text
    assert reporter.post(f"/units/{unit}/submit", data={"csrf": token(reporter)}).status_code == 409
    none_of_ours = io.BytesIO()
    build_workbook([dict(data, project="别人的项目")]).save(none_of_ours)
    refused = reporter.post(f"/units/{unit}/upload", data={"csrf": token(reporter)},
                            files={"file": ("x.xlsx", none_of_ours.getvalue(), "application/octet-stream")})
    assert refused.status_code == 400 and "没有本单位 2022 年度任何项目的自评表" in html.unescape(refused.text)
    with store.session() as db:
        rows = db.execute(select(Project.name, Submission.version, Submission.sha256, Scoring.errors)
                          .join(Submission, Submission.project_id == Project.id)
                          .join(Scoring, Scoring.submission_id == Submission.id)).all()
        assert sorted((name, version, errors > 0) for name, version, _, errors in rows) == [
            (OTHER, 1, True), (PROJECT, 1, False)]
        assert len({sha for *_, sha, _ in rows}) == 1  # the one file, kept as uploaded for each
        submitted = db.scalars(select(SubmitEvent.project_id)).all()
        assert submitted == [db.scalar(select(Project.id).where(Project.name == PROJECT))]
