"""A 复核人 re-scores a submitted version in the server, on SQLite and PostgreSQL: the
published 慢性病专家鉴定费 table (self-evaluated 92.40) gets a judged 资金管理 score
lowered with a comment; the review is saved as a new append-only row with who and when,
in the record format of scoring/review/records.py, applied through rescore; the page
shows both totals side by side; a wrong entry is refused at its field and saves
nothing; a unit's account cannot review."""

from __future__ import annotations

import html
import json

import pytest
from sqlalchemy import func, select, text
from sqlalchemy.exc import DBAPIError

from scoring.review.records import Review
from scoring.server.accounts import create_account
from scoring.server.models import AuditEntry, Project, SavedReview

from .conftest import LIBREOFFICE_XLS
from .test_server_access import PASSWORD, login, token
from .test_server_units import PROJECT, UNIT, _cli_setup, _upload, office  # noqa: F401 (the fixture)


def test_a_reviewer_saves_reviews_side_by_side_and_append_only(office, store, where, tmp_path, capsys):  # noqa: F811
    _cli_setup(where, tmp_path, capsys)
    with store.session() as db:
        create_account(db, "填报人", "填报人", UNIT, PASSWORD, "测试", "命令行")
        db.commit()
        project = db.scalar(select(Project).where(Project.name == PROJECT)).id
    reporter, reviewer = login(office, "填报人"), login(office, "复核人")
    assert "没有错误，总分 92.40" in _upload(reporter, f"/projects/{project}/upload", "自评.xls",
                                            LIBREOFFICE_XLS.read_bytes()).text
    assert reporter.post(f"/projects/{project}/submit", data={"csrf": token(reporter), "version": "1"}).status_code == 303
    url = f"/projects/{project}/versions/1/review"
    opened = reviewer.get(url)
    assert opened.status_code == 200 and 'id="total">92.40' in opened.text and "尚未复核" in opened.text

    wrong = reviewer.post(url, data={"csrf": token(reviewer), "m0.s": "四分"})
    assert wrong.status_code == 400 and "复核未保存" in html.unescape(wrong.text)
    assert "“四分”不是数字" in html.unescape(wrong.text)
    assert reporter.post(url, data={"csrf": token(reporter), "m0.s": "4"}).status_code == 403

    saved = reviewer.post(url, data={"csrf": token(reviewer), "m0.s": "4", "m0.c": "安排依据不全，扣 1 分",
                                     "comment": "抽查复核"})
    assert saved.status_code == 303
    page = html.unescape(reviewer.get(saved.headers["location"]).text)
    assert 'id="total">92.40' in page and 'id="reviewed-total">91.40' in page  # side by side
    assert "最近一次复核：复核人" in page and 'value="安排依据不全，扣 1 分"' in page  # shown again
    again = reviewer.post(url, data={"csrf": token(reviewer), "m0.s": "3", "m0.c": "再次复核"})
    assert again.status_code == 303 and 'id="reviewed-total">90.40' in reviewer.get(url).text

    with store.session() as db:
        rows = db.scalars(select(SavedReview).order_by(SavedReview.id)).all()
        assert [(r.total, r.account.name) for r in rows] == [("91.40", "复核人"), ("90.40", "复核人")]
        record = Review.model_validate(json.loads(rows[0].record))
        assert record.reviewer == "复核人" and record.comment == "抽查复核"
        assert [(c.funds_management, str(c.score), c.comment) for c in record.changes] == [
            ("安排科学性", "4", "安排依据不全，扣 1 分")]
        assert db.scalar(select(func.count()).select_from(AuditEntry).where(AuditEntry.action == "review_save")) == 2
        with pytest.raises(DBAPIError):  # append-only: the database refuses a change
            db.execute(text("UPDATE reviews SET total = '100' WHERE id = :id"), {"id": rows[0].id})
