"""`jixiao server …`: the multi-unit server's commands (start, init, account, backup,
restore, import-setup, setup-template). Each opens the database named by --data or --database (or the environment
variable JIXIAO_DATABASE_URL), which brings its schema up to date first."""

from __future__ import annotations

import argparse
import os
import sys

from scoring.core.issues import ScoringError

ADMIN_PASSWORD_VARIABLE = "JIXIAO_ADMIN_PASSWORD"
DATABASE_VARIABLE = "JIXIAO_DATABASE_URL"
PORT_VARIABLE = "JIXIAO_SERVER_PORT"
DEFAULT_PORT = 8800


def _store(args: argparse.Namespace):
    from scoring.server.database import open_store, place

    where = place(args.data, args.database or os.environ.get(DATABASE_VARIABLE),
                  getattr(args, "storage", None))
    return open_store(where)


def _by() -> str:
    import getpass  # only for the commands that write the audit log

    try:
        return f"命令行（{getpass.getuser()}）"
    except (KeyError, OSError):
        return "命令行"


def start_command(args: argparse.Namespace) -> int:
    from scoring.server.app import serve

    port = args.port
    if port is None:
        given = os.environ.get(PORT_VARIABLE, "").strip()
        if given and not given.isdigit():
            raise ScoringError(f"环境变量 {PORT_VARIABLE} 的值“{given}”不是端口号")
        port = int(given or DEFAULT_PORT)
    if not 0 < port < 65536:
        raise ScoringError(f"端口 {port} 无效，请给出 1–65535 之间的数字，如 --port {DEFAULT_PORT}")
    store = _store(args)
    try:
        serve(store, host=args.host, port=port, allow_hosts=tuple(args.allow_host or ()))
    finally:
        store.close()
    return 0


def init_command(args: argparse.Namespace) -> int:
    from sqlalchemy import select

    from scoring.server.accounts import COMMAND_LINE, create_account, generate_password
    from scoring.server.models import Account

    given = os.environ.get(ADMIN_PASSWORD_VARIABLE)
    password = given or generate_password()
    store = _store(args)
    try:
        with store.session() as db:
            if db.scalar(select(Account).where(Account.role == "admin")) is not None:
                raise ScoringError("服务器已有管理员账户，不再初始化。增加账户用 jixiao server account add，"
                                   "忘记密码用 jixiao server account reset-password。")
            create_account(db, args.admin, "admin", None, password, _by(), COMMAND_LINE)
            db.commit()
        print(f"数据库：{store.place.shown}（已建好）")
        print(f"已创建管理员账户：{args.admin}")
        if given:
            print(f"密码：取自环境变量 {ADMIN_PASSWORD_VARIABLE}")
        else:
            print(f"密码（只显示这一次，请妥善保存，登录后可修改）：{password}")
    finally:
        store.close()
    return 0


def account_command(args: argparse.Namespace) -> int:
    from sqlalchemy import select

    from scoring.server.accounts import (
        COMMAND_LINE,
        create_account,
        find_account,
        generate_password,
        reset_password,
        set_disabled,
    )
    from scoring.server.models import Account

    if args.action != "list" and not args.name:
        raise ScoringError(f"请给出账户名，如 jixiao server account {args.action} 张三")
    if args.action == "add" and not args.role:
        raise ScoringError("请用 --role 给出角色：填报人、复核人或管理员。")
    store = _store(args)
    try:
        with store.session() as db:
            if args.action == "list":
                for account in db.scalars(select(Account).order_by(Account.role, Account.name)):
                    state = "已停用" if account.disabled else "正常"
                    unit = account.unit.name if account.unit else "—"
                    print(f"{account.name}\t{account.role_name}\t{unit}\t{state}")
                return 0
            password = generate_password()
            if args.action == "add":
                create_account(db, args.name, args.role, args.unit, password, _by(), COMMAND_LINE)
            else:
                account = find_account(db, args.name)
                if args.action == "reset-password":
                    reset_password(db, account, password, _by(), COMMAND_LINE)
                else:
                    set_disabled(db, account, args.action == "disable", _by(), COMMAND_LINE)
            db.commit()
        done = {"add": "已创建账户", "reset-password": "已重置密码：", "disable": "已停用账户",
                "enable": "已启用账户"}[args.action]
        print(f"{done}{args.name}")
        if args.action in ("add", "reset-password"):
            print(f"密码（只显示这一次，请转交本人并请其登录后修改）：{password}")
    finally:
        store.close()
    return 0


def backup_command(args: argparse.Namespace) -> int:
    from scoring.server.backup import backup

    store = _store(args)
    try:
        out = backup(store, args.output)
    finally:
        store.close()
    print(f"已备份到 {out}（SQLite 文件；恢复：jixiao server restore {out}）")
    if store.place.storage:
        print(f"上传的文件存放在 {store.place.storage}，不在备份文件中：请一并复制该文件夹（cp -a 或 rsync）。")
    return 0


def restore_command(args: argparse.Namespace) -> int:
    from scoring.server.accounts import COMMAND_LINE, audit
    from scoring.server.backup import restore

    store = _store(args)
    try:
        said = restore(store, args.input)
        with store.session() as db:
            audit(db, _by(), "restore", str(args.input), COMMAND_LINE, said)
            db.commit()
    finally:
        store.close()
    print(f"已从 {args.input} 恢复（{said}）。请重新启动服务器。")
    return 0


def import_setup_command(args: argparse.Namespace) -> int:
    """A 单位项目清单, or one or several 项目绩效目标表 (told apart by content)."""
    from pathlib import Path

    from scoring.server.accounts import COMMAND_LINE
    from scoring.server.setup import import_setup
    from scoring.server.targets import DEFAULT_TEMPLATE, import_targets, is_target_table
    from scoring.sources.detect import describe, file_kind, is_spreadsheet_kind

    paths = [Path(f) for f in args.file]
    for path in paths:
        kind = file_kind(path)
        if not is_spreadsheet_kind(kind):
            raise ScoringError(f"{path}：这是{describe(kind)}，不是工作簿；请给出填好的单位项目清单或项目绩效目标表"
                               "（.xlsx、.xls 或 .ods）。")
    tables = [is_target_table(path) for path in paths]
    if not all(tables) and len(paths) > 1:
        raise ScoringError("一次只能导入一份单位项目清单，或者一张或几张项目绩效目标表；其中不是目标表的："
                           + "、".join(str(p) for p, t in zip(paths, tables) if not t))
    store = _store(args)
    try:
        with store.session() as db:
            if all(tables):
                result = import_targets(db, [(p, str(p)) for p in paths], args.template or DEFAULT_TEMPLATE, _by(),
                                        COMMAND_LINE, unit=args.unit, year=args.year)
            else:
                result = import_setup(db, paths[0], str(paths[0]), _by(), COMMAND_LINE)
    finally:
        store.close()
    if not result.ok:
        for problem in result.problems:
            print(problem, file=sys.stderr)
        print(f"有 {len(result.problems)} 个错误，未导入任何内容。", file=sys.stderr)
        return 1
    print(f"已导入：新单位 {result.units_new} 个，新项目 {result.projects_new} 个，更新 {result.updated} 个，"
          f"未变 {result.unchanged} 个。")
    return 0


def setup_template_command(args: argparse.Namespace) -> int:
    from scoring.outputs.files import write_bytes_atomic
    from scoring.server.setup import blank_setup

    out = write_bytes_atomic(args.output, blank_setup())
    print(f"已生成空白的单位项目清单 {out}：按“填写说明”填写后用 jixiao server import-setup 导入。")
    return 0


def add_server_parser(sub) -> None:
    """`jixiao server` and its subcommands, added to the main parser's subcommands."""
    from scoring.cli.words import whole_number

    server = sub.add_parser(
        "server", help="多单位服务器：各单位在线报送，绩效管理机构复核（账户、数据库、备份）",
        description="启动多单位服务器并管理它的账户和数据。数据默认存放在 ./jixiao-data 中的 SQLite 文件，"
                    "无需另装数据库；多个服务器进程或数据库服务器用 --database postgresql+psycopg://… 。"
                    "首次使用：jixiao server init --admin 账户名，然后 jixiao server start。详见文档 server.md。")
    actions = server.add_subparsers(dest="server_command", metavar="操作")

    def where(p) -> None:
        p.add_argument("--data", metavar="文件夹",
                       help="数据文件夹（默认 ./jixiao-data）：SQLite 数据库文件和迁移前的备份都在这里")
        p.add_argument("--database", metavar="地址",
                       help=f"数据库地址，如 postgresql+psycopg://用户:密码@主机/库名（也可用环境变量 "
                            f"{DATABASE_VARIABLE}）；不给出时用数据文件夹中的 SQLite 文件")

    p = actions.add_parser("start", help="启动服务器", description="启动多单位服务器（先按需升级数据库结构）。"
                           "默认只在本机（127.0.0.1）访问；供网络访问时请放在带 HTTPS 的反向代理之后。")
    where(p)
    p.add_argument("--storage", metavar="文件夹",
                   help="把上传的文件存放在这个文件夹（所有服务器进程共用）而不是数据库中")
    p.add_argument("--host", default="127.0.0.1", metavar="地址",
                   help="监听地址（默认 127.0.0.1，仅本机；其他地址请配合反向代理，见 docs/server.md）")
    p.add_argument("--port", type=whole_number, metavar="端口",
                   help=f"端口（默认取环境变量 {PORT_VARIABLE}，未设置时为 {DEFAULT_PORT}）")
    p.add_argument("--allow-host", action="append", metavar="名称",
                   help="服务器响应的域名或地址（可多次给出），如反向代理转发时使用的域名")
    p.set_defaults(func=start_command)
    p = actions.add_parser("init", help="建好数据库并创建第一个管理员账户",
                           description="建好数据库并创建第一个管理员账户，不提问：密码取自环境变量 "
                                       f"{ADMIN_PASSWORD_VARIABLE}，未设置时自动生成并只显示一次。")
    where(p)
    p.add_argument("--admin", required=True, metavar="账户名", help="管理员的账户名")
    p.set_defaults(func=init_command)
    p = actions.add_parser("account", help="账户：新建、停用、启用、重置密码、列出",
                           description="管理账户。新建和重置密码时自动生成密码，只显示一次。")
    where(p)
    p.add_argument("action", choices=("add", "disable", "enable", "reset-password", "list"), metavar="操作",
                   help="add 新建；disable 停用；enable 启用；reset-password 重置密码；list 列出全部账户")
    p.add_argument("name", nargs="?", metavar="账户名", help="账户名（list 不需要）")
    p.add_argument("--role", metavar="角色", help="新建账户的角色：填报人、复核人或管理员")
    p.add_argument("--unit", metavar="单位", help="填报人所属的单位（尚未列入的单位会新建）")
    p.set_defaults(func=account_command)
    p = actions.add_parser("backup", help="备份数据库到一个 SQLite 文件",
                           description="把数据库备份为一个 SQLite 文件（服务器运行时也可备份）；"
                                       "SQLite 和 PostgreSQL 的备份格式相同。")
    where(p)
    p.add_argument("output", metavar="备份文件", help="备份文件（不能已存在）")
    p.set_defaults(func=backup_command)
    p = actions.add_parser("restore", help="从备份文件恢复数据库",
                           description="从备份文件恢复。SQLite：原数据库先另存到数据文件夹的 backups/ 中；"
                                       "PostgreSQL：只恢复到空数据库。恢复前请停止服务器。")
    where(p)
    p.add_argument("input", metavar="备份文件", help="jixiao server backup 生成的备份文件")
    p.set_defaults(func=restore_command)
    p = actions.add_parser("import-setup", help="导入年度的单位项目清单或项目绩效目标表",
                           description="导入单位项目清单，或一张或几张项目绩效目标表（.xlsx、.xls 或 .ods，按内容识别）："
                                       "建立单位和项目。有错误时逐个列出所在的单元格，不导入任何内容；再次导入同样的"
                                       "文件不会重复建立。")
    where(p)
    p.add_argument("file", metavar="文件", nargs="+", help="填好的单位项目清单，或一张或几张项目绩效目标表")
    p.add_argument("--template", metavar="模板", help="目标表中项目使用的模板（默认 central_project）")
    p.add_argument("--unit", metavar="单位名称", help="目标表的标题中没有单位名称时，用这个名称")
    p.add_argument("--year", metavar="年度", type=whole_number, help="目标表的标题中没有年度时，用这个年度")
    p.set_defaults(func=import_setup_command)
    p = actions.add_parser("setup-template", help="生成空白的单位项目清单",
                           description="生成空白的单位项目清单（含填写说明和可用的模板名称）。")
    p.add_argument("output", metavar="输出文件", nargs="?", default="单位项目清单.xlsx",
                   help="输出文件（默认 单位项目清单.xlsx）")
    p.set_defaults(func=setup_template_command)
    server.set_defaults(func=lambda args: (server.print_help(), 2)[1])
