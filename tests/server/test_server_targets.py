"""The year's set-up from target tables (项目绩效目标表), on SQLite and PostgreSQL: the two
published example tables uploaded at once on the 管理员's page (told from a 单位项目清单
by content) create their units from the titles and their projects under the chosen
template; twice changes nothing; a unit's downloaded fill-in workbook holds its table's
indicators and targets; a table whose title names no unit asks for one; a table with a
problem names its sheet and cell and imports nothing; `jixiao server import-setup` takes
several tables, one of them saved by LibreOffice as .xls."""

from __future__ import annotations

import html
import io
import shutil
from pathlib import Path

import openpyxl
import pytest
from sqlalchemy import func, select

from scoring.cli import main
from scoring.server.accounts import create_account
from scoring.server.app import create_app
from scoring.server.models import AuditEntry, Project, Unit
from scoring.server.setup import COLUMNS, SHEET

from .test_server_access import PASSWORD, login, token
from .test_server_units import _needs_soffice

TABLES = Path(__file__).resolve().parents[2] / "examples" / "target_tables"
PUYANG = TABLES / "濮阳市华龙区医疗保障局_2021_项目绩效目标表.xlsx"
JIAOZUO = TABLES / "焦作市医疗保障局_2023_项目绩效目标表.xlsx"


@pytest.fixture
def office(store):
    with store.session() as db:
        create_account(db, "管理员", "管理员", None, PASSWORD, "测试", "命令行")
        db.commit()
    return create_app(store, allow_hosts=("testserver",))


def _upload(c, files: list[Path], **fields):
    return c.post("/admin/setup", data={"csrf": token(c), **fields},
                  files=[("file", (f.name, f.read_bytes(), "application/octet-stream")) for f in files])


def _projects(store) -> dict[str, tuple[str, int, str]]:
    with store.session() as db:
        return {p.name: (p.unit.name, p.year, p.template) for p in db.scalars(select(Project))}


def test_target_tables_set_up_units_and_projects_once_and_the_workbook_holds_their_targets(office, store, tmp_path):
    admin = login(office, "管理员")
    answer = _upload(admin, [PUYANG, JIAOZUO])
    assert answer.status_code == 200, html.unescape(answer.text)
    assert "新单位 2 个，新项目 11 个，更新 0 个，未变 0 个" in answer.text
    projects = _projects(store)
    assert len(projects) == 11
    assert projects["基金监管专项经费"] == ("焦作市医疗保障局", 2023, "central_project")
    assert projects["国家公务员医疗待遇补助"] == ("濮阳市华龙区医疗保障局", 2021, "central_project")
    again = _upload(admin, [JIAOZUO, PUYANG])
    assert again.status_code == 200 and "新单位 0 个，新项目 0 个，更新 0 个，未变 11 个" in again.text
    other = _upload(admin, [JIAOZUO], template="henan_project")  # the template changed: updated, not duplicated
    assert other.status_code == 200 and "新项目 0 个，更新 6 个，未变 0 个" in other.text
    assert _projects(store)["基金监管专项经费"][2] == "henan_project"

    with store.session() as db:
        assert db.scalar(select(func.count()).select_from(AuditEntry).where(AuditEntry.action == "setup_import")) == 3
        project = db.scalar(select(Project).where(Project.name == "基金监管专项经费"))
        create_account(db, "焦作填报人", "填报人", "焦作市医疗保障局", PASSWORD, "测试", "命令行")
        db.commit()
        project_id = project.id
    reporter = login(office, "焦作填报人")
    blank = reporter.get(f"/projects/{project_id}/workbook")
    assert blank.status_code == 200
    ws = openpyxl.load_workbook(io.BytesIO(blank.content))["基金监管专项经费"]
    rows = [[c.value for c in row] for row in ws.iter_rows()]
    assert any("检查定点医药机构" in row and ">1000家" in row for row in rows)  # the table's G5 and H5
    assert any(27 in row for row in rows)  # 资金总额 as the 年初预算数
    whole = reporter.get(f"/units/{project.unit_id}/workbook")
    assert whole.status_code == 200
    sheets = openpyxl.load_workbook(io.BytesIO(whole.content)).sheetnames
    assert "基金监管专项经费" in sheets and "医保综合工作经费" in sheets and "国家公务员医疗待遇补助" not in sheets
    assert reporter.post("/admin/setup", data={"csrf": token(reporter)}).status_code == 403

    listed = tmp_path / "清单.xlsx"  # a later 单位项目清单 moves the project to another template: targets kept
    wb = openpyxl.Workbook()
    wb.active.title = SHEET
    wb.active.append(list(COLUMNS))
    wb.active.append(["焦作市医疗保障局", "", "基金监管专项经费", "central_project", 2023])
    wb.save(listed)
    assert "更新 1 个" in _upload(admin, [listed]).text
    ws = openpyxl.load_workbook(io.BytesIO(reporter.get(f"/projects/{project_id}/workbook").content))["基金监管专项经费"]
    assert any("检查定点医药机构" in row and ">1000家" in row for row in ws.iter_rows(values_only=True))


def test_a_title_without_the_unit_asks_for_it_and_a_wrong_row_names_its_cell(office, store, tmp_path):
    untitled = tmp_path / "目标表_无单位.xlsx"
    wb = openpyxl.load_workbook(JIAOZUO)
    wb.active.delete_rows(2)  # the row 单位名称：… 年度：…; the title still gives 2023
    wb.save(untitled)
    admin = login(office, "管理员")
    asked = _upload(admin, [untitled])
    text = html.unescape(asked.text)
    assert asked.status_code == 400 and "未导入任何内容" in text
    assert "目标表_无单位.xlsx:'项目绩效目标表'!A1：表的标题中没有单位名称；请在页面的“单位名称”中填写" in text
    given = _upload(admin, [untitled], unit="焦作市医疗保障局（本级）")
    assert given.status_code == 200 and "新单位 1 个，新项目 6 个" in given.text
    assert _projects(store)["基金监管专项经费"][:2] == ("焦作市医疗保障局（本级）", 2023)

    wrong = tmp_path / "目标表_有错.xlsx"
    wb = openpyxl.load_workbook(PUYANG)
    wb.active["H5"] = None  # 补助人数 without its 指标值
    wb.save(wrong)
    refused = _upload(admin, [wrong, JIAOZUO], template="central_project")
    text = html.unescape(refused.text)
    assert refused.status_code == 400 and "未导入任何内容" in text
    assert "目标表_有错.xlsx:'项目绩效目标表'!H5：三级指标“补助人数”缺少指标值" in text
    no_template = _upload(admin, [JIAOZUO], template="没有的模板")
    assert no_template.status_code == 400 and "没有名为“没有的模板”的项目模板" in html.unescape(no_template.text)
    listed = tmp_path / "清单.xlsx"
    wb = openpyxl.Workbook()
    wb.active.title = SHEET
    wb.active.append(list(COLUMNS))
    wb.active.append(["某某局", "", "道路养护", "henan_project", 2023])
    wb.save(listed)
    mixed = _upload(admin, [JIAOZUO, listed])
    assert mixed.status_code == 400 and "其中不是目标表的：清单.xlsx" in html.unescape(mixed.text)
    with store.session() as db:
        assert db.scalar(select(func.count()).select_from(Unit)) == 1  # only the one imported above
        assert db.scalar(select(func.count()).select_from(Project)) == 6


def test_the_command_imports_several_tables_one_saved_by_libreoffice_as_xls(where, store, tmp_path, capsys):
    _needs_soffice()
    from test_workbook_fill_in import soffice

    (tmp_path / "存为").mkdir()
    xls = soffice(Path(shutil.copy(PUYANG, tmp_path / "濮阳.xlsx")), "xls", tmp_path / "存为")
    assert xls.read_bytes()[:8] == bytes.fromhex("d0cf11e0a1b11ae1")  # an OLE2 .xls
    argv = ["server", "import-setup", str(xls), str(JIAOZUO), "--template", "central_project",
            "--data", str(where.data)]
    if where.sqlite_file is None:
        argv += ["--database", where.url]
    assert main(argv) == 0
    assert "新单位 2 个，新项目 11 个" in capsys.readouterr().out
    assert main(argv) == 0
    assert "未变 11 个" in capsys.readouterr().out
    assert _projects(store)["国家公务员医疗待遇补助"] == ("濮阳市华龙区医疗保障局", 2021, "central_project")
    bad = tmp_path / "无单位.xlsx"
    wb = openpyxl.load_workbook(JIAOZUO)
    wb.active.delete_rows(2)
    wb.save(bad)
    assert main(argv[:2] + [str(bad)] + argv[4:]) == 1
    assert "用 --unit" in capsys.readouterr().err
    assert main(argv[:2] + [str(bad), "--unit", "焦作市医疗保障局"] + argv[4:]) == 0
    assert "新项目 0 个，更新 0 个，未变 6 个" in capsys.readouterr().out


def test_a_sheet_of_another_unit_or_with_changed_targets_cannot_be_submitted(office, store, tmp_path):
    admin = login(office, "管理员")
    assert _upload(admin, [JIAOZUO]).status_code == 200
    with store.session() as db:
        project = db.scalar(select(Project).where(Project.name == "基金监管专项经费"))
        create_account(db, "焦作填报人", "填报人", "焦作市医疗保障局", PASSWORD, "测试", "命令行")
        db.commit()
        project_id = project.id
    reporter = login(office, "焦作填报人")
    ws_book = openpyxl.load_workbook(io.BytesIO(reporter.get(f"/projects/{project_id}/workbook").content))
    ws = ws_book["基金监管专项经费"]
    changed = next(c for row in ws.iter_rows() for c in row if c.value == ">1000家")
    changed.value = ">10家"  # a unit lowering the target it was set
    for row in ws.iter_rows():
        for c in row:
            if c.value == "焦作市医疗保障局":
                c.value = "濮阳市华龙区医疗保障局"  # and naming another unit
    path = tmp_path / "改动.xlsx"
    ws_book.save(path)
    answer = reporter.post(f"/projects/{project_id}/upload", data={"csrf": token(reporter)},
                           files={"file": ("改动.xlsx", path.read_bytes())})
    text = html.unescape(answer.text)
    assert "与绩效目标表的“>1000家”不一致" in text
    assert "单位名称“濮阳市华龙区医疗保障局”不是本项目的单位“焦作市医疗保障局”" in text
    assert f'action="/projects/{project_id}/submit"' not in text  # no 提交 offered
    refused = reporter.post(f"/projects/{project_id}/submit", data={"csrf": token(reporter), "version": "1"})
    assert refused.status_code != 303 and "有错误" in html.unescape(refused.text)
