"""`jixiao server …` on SQLite and PostgreSQL, and the README's 多单位服务器 block run as
it stands (SQLite, in a fresh folder)."""

from __future__ import annotations

import os
import re
import signal
import socket
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

import pytest
from sqlalchemy import select

from scoring.cli import main
from scoring.server.accounts import authenticate
from scoring.server.database import open_store
from scoring.server.models import Account, AuditEntry

ROOT = Path(__file__).resolve().parents[2]
GENERATED = re.compile(r"密码（只显示这一次[^）]*）：(\S+)")


def _where(where) -> list[str]:
    if where.sqlite_file is not None:
        return ["--data", str(where.data)]
    return ["--data", str(where.data), "--database", where.url]


def _run(capsys, *argv: str) -> tuple[int, str, str]:
    code = main(list(argv))
    out = capsys.readouterr()
    return code, out.out, out.err


def test_init_creates_the_first_admin_without_questions_and_only_once(where, capsys, monkeypatch):
    monkeypatch.delenv("JIXIAO_ADMIN_PASSWORD", raising=False)
    code, out, _ = _run(capsys, "server", "init", "--admin", "admin", *_where(where))
    assert code == 0 and "已创建管理员账户：admin" in out
    password = GENERATED.search(out)[1]
    store = open_store(where)
    try:
        with store.session() as db:
            account = authenticate(db, "admin", password, "测试")
            assert account.role == "admin" and account.password_hash.startswith("$argon2id$")
            assert db.scalar(select(AuditEntry.source).where(AuditEntry.action == "account_create")) == "命令行"
    finally:
        store.close()
    code, _, err = _run(capsys, "server", "init", "--admin", "another", *_where(where))
    assert code == 1 and "已有管理员账户" in err


def test_accounts_from_the_command_line(where, capsys, monkeypatch):
    monkeypatch.setenv("JIXIAO_ADMIN_PASSWORD", "given by the environment")
    code, out, _ = _run(capsys, "server", "init", "--admin", "管理员", *_where(where))
    assert code == 0 and "JIXIAO_ADMIN_PASSWORD" in out and not GENERATED.search(out)
    code, out, _ = _run(capsys, "server", "account", "add", "张三", "--role", "填报人", "--unit", "甲单位", *_where(where))
    assert code == 0
    first = GENERATED.search(out)[1]
    code, _, err = _run(capsys, "server", "account", "add", "李四", "--role", "填报人", *_where(where))
    assert code == 1 and "须属于一个单位" in err
    code, out, _ = _run(capsys, "server", "account", "reset-password", "张三", *_where(where))
    second = GENERATED.search(out)[1]
    assert second != first
    assert _run(capsys, "server", "account", "disable", "张三", *_where(where))[0] == 0
    code, out, _ = _run(capsys, "server", "account", "list", *_where(where))
    assert "张三\t填报人\t甲单位\t已停用" in out and "管理员\t管理员\t—\t正常" in out
    store = open_store(where)
    try:
        with store.session() as db:
            zhang = db.scalar(select(Account).where(Account.name == "张三"))
            assert zhang.disabled and zhang.unit.name == "甲单位"
            authenticate(db, "管理员", "given by the environment", "测试")
            actions = list(db.scalars(select(AuditEntry.action).where(AuditEntry.target == "张三")
                                      .order_by(AuditEntry.id)))
            assert actions == ["account_create", "password_reset", "account_disable"]
    finally:
        store.close()


def test_backup_and_restore_commands(where, capsys, tmp_path, monkeypatch):
    monkeypatch.setenv("JIXIAO_ADMIN_PASSWORD", "given by the environment")
    _run(capsys, "server", "init", "--admin", "管理员", *_where(where))
    out_file = tmp_path / "备份.sqlite3"
    code, out, _ = _run(capsys, "server", "backup", str(out_file), *_where(where))
    assert code == 0 and out_file.is_file() and "已备份到" in out
    _run(capsys, "server", "account", "add", "备份后的账户", "--role", "复核人", *_where(where))
    code, out, err = _run(capsys, "server", "restore", str(out_file), *_where(where))
    if where.sqlite_file is None:  # PostgreSQL: never over existing data
        assert code == 1 and "空数据库" in err
        return
    assert code == 0 and "已从" in out
    code, out, _ = _run(capsys, "server", "account", "list", *_where(where))
    assert "管理员" in out and "备份后的账户" not in out


def _readme_block() -> str:
    text = (ROOT / "README.md").read_text(encoding="utf-8")
    section = text.split("## 多单位服务器", 1)[1].split("\n## ", 1)[0]
    return re.findall(r"```bash\n(.*?)\n```", section, flags=re.S)[0]


def test_the_readme_block_starts_a_server_with_a_first_admin(tmp_path):
    block = _readme_block()
    assert "server init" in block and "server start" in block and "--database" not in block
    (tmp_path / ".venv").symlink_to(Path(sys.executable).parent.parent)  # "with the package installed"
    env = {k: v for k, v in os.environ.items() if k not in ("JIXIAO_ADMIN_PASSWORD", "JIXIAO_DATABASE_URL")}
    port = _free_port()  # not 8800: another run of the suite may be using it
    env["JIXIAO_SERVER_PORT"] = str(port)
    process = subprocess.Popen(["bash", "-e", "-c", block], cwd=tmp_path, env=env, stdin=subprocess.DEVNULL,
                               stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True, start_new_session=True)
    lines: list[str] = []
    try:
        deadline = time.monotonic() + 60
        while not any("服务器：http://" in line for line in lines):
            assert time.monotonic() < deadline and process.poll() is None, "".join(lines)
            lines.append(process.stdout.readline())
        output = "".join(lines)
        password = GENERATED.search(output)[1]
        url = re.search(r"服务器：(http://\S+)", output)[1]
        page = _get(url + "login", deadline)
        assert "登录" in page
    finally:
        if process.poll() is None:
            os.killpg(process.pid, signal.SIGTERM)
        process.wait(timeout=20)
        process.stdout.close()
    assert url == f"http://127.0.0.1:{port}/"
    store_file = tmp_path / "jixiao-data" / "jixiao.sqlite3"
    assert store_file.is_file()
    from scoring.server.database import place

    store = open_store(place(tmp_path / "jixiao-data"))
    try:
        with store.session() as db:
            assert authenticate(db, "admin", password, "测试").role == "admin"
    finally:
        store.close()


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def _get(url: str, deadline: float) -> str:
    while True:  # uvicorn prints nothing when it is ready: try until it answers
        try:
            with urllib.request.urlopen(url, timeout=5) as answer:
                return answer.read().decode("utf-8")
        except OSError:
            if time.monotonic() > deadline:
                raise
            time.sleep(0.1)


@pytest.mark.parametrize("argv, message", [
    (["server", "start", "--database", "mysql://x/y"], "不支持的数据库"),
    (["server", "start", "--port", "70000"], "端口 70000 无效"),
    (["server", "start", "--port", "1", "--host", "203.0.113.1"], "无法在 203.0.113.1:1 上启动"),
])
def test_start_refuses_what_it_cannot_do_in_chinese(argv, message, capsys, tmp_path):
    code, _, err = _run(capsys, *argv, "--data", str(tmp_path))
    assert code == 1 and message in err


@pytest.mark.parametrize("argv", [
    ["server", "start", "-h"], ["server", "init", "-h"], ["server", "account", "-h"], ["server", "backup", "-h"],
    ["server", "restore", "-h"], ["server", "bogus"], ["server", "account", "add"], ["server", "account", "lst"]])
def test_the_server_commands_speak_chinese(argv, capsys, tmp_path, monkeypatch):
    from test_chinese_words import english_words

    monkeypatch.chdir(tmp_path)  # a command that opens the default ./jixiao-data opens it here
    try:
        main(argv)
    except SystemExit:
        pass
    out = capsys.readouterr()
    text = out.out + out.err
    assert text.strip() and english_words(text) == set(), text
