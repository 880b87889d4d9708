"""The server's pages: its Jinja environment (autoescaped, strict) and `page`, which
renders one with the session's CSRF token and the logged-in account."""

from __future__ import annotations

import json
from pathlib import Path

from fastapi import Request
from fastapi.responses import HTMLResponse
from jinja2 import Environment, FileSystemLoader, StrictUndefined

from scoring.server.access import CSRF_FIELD
from scoring.server.models import ROLES, Account

TEMPLATES = Path(__file__).parent / "templates"

ACTIONS = {
    "login": "登录", "logout": "退出", "login_failed": "登录失败", "login_blocked": "登录被限制",
    "login_refused_disabled": "停用账户尝试登录", "account_create": "创建账户", "account_disable": "停用账户",
    "account_enable": "启用账户", "password_reset": "重置密码", "password_change": "修改密码",
    "upload": "上传文件", "restore": "恢复备份", "init": "初始化服务器", "setup_import": "导入年度项目清单",
    "download": "下载", "submit": "提交", "review_open": "打开复核视图", "review_save": "保存复核",
}
"""The audit log's action codes as people read them."""


def environment() -> Environment:
    env = Environment(loader=FileSystemLoader(TEMPLATES), autoescape=True, undefined=StrictUndefined,
                      trim_blocks=True, lstrip_blocks=True)
    env.globals.update(ROLES=ROLES, CSRF_FIELD=CSRF_FIELD, ACTIONS=ACTIONS)
    from scoring.web.rendering import environment as web_environment

    env.filters.update({k: web_environment().filters[k] for k in ("num", "fixed")})
    env.filters["fromjson"] = json.loads
    env.filters["when"] = lambda at: at.astimezone().strftime("%Y-%m-%d %H:%M:%S") if at else ""
    return env


def page(request: Request, template_name: str, status: int = 200, /, *, me: Account | None = None,
         **context) -> HTMLResponse:
    template = request.app.state.templates.get_template(template_name)
    html = template.render(csrf=request.state.session.csrf, me=me, **context)
    return HTMLResponse(html, status_code=status)
