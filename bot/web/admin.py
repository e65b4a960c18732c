"""Admin routes: console users (list, create, reset a password, deactivate).

A password reset or a deactivation ends the user's sessions and closes their open console
sockets at once.
"""
from __future__ import annotations

import secrets

from sanic import Blueprint, Request, response

from bot.web import roles, users
from bot.web.auth import authenticated, error, json_body
from bot.web.relay import db

bp = Blueprint("admin", url_prefix="/agent/api/users")


def _account_json(account: users.Account) -> dict:
    return {"username": account.username, "display_name": account.display_name, "role": account.role,
            "department": account.department, "active": account.active}


@bp.get("")
@authenticated(roles.USERS)
async def list_users(request: Request):
    return response.json({"users": [_account_json(a) for a in await db(users.list_users)]})


@bp.post("")
@authenticated(roles.USERS)
async def create_user(request: Request):
    body = json_body(request)
    fields = {k: body.get(k) for k in ("username", "display_name", "role")}
    if not all(isinstance(v, str) and v.strip() for v in fields.values()):
        return error(400, "아이디, 이름, 역할을 모두 입력해 주세요.")
    password = secrets.token_urlsafe(12)
    try:
        account = await db(users.create_user, fields["username"], fields["display_name"], fields["role"], password)
    except ValueError as exc:
        return error(400, str(exc))
    return response.json({"user": _account_json(account), "password": password}, status=201)


@bp.post("/<username:str>/password")
@authenticated(roles.USERS)
async def reset_password(request: Request, username: str):
    password = secrets.token_urlsafe(12)
    try:
        await db(users.set_password, username, password)
    except ValueError as exc:
        return error(404, str(exc))
    await request.app.ctx.hub.close_console(username=username)
    return response.json({"password": password})


@bp.post("/<username:str>/deactivate")
@authenticated(roles.USERS)
async def deactivate(request: Request, username: str):
    if username == request.ctx.session.account.username:
        return error(400, "자기 계정은 비활성화할 수 없어요.")
    try:
        await db(users.deactivate, username)
    except ValueError as exc:
        return error(404, str(exc))
    await request.app.ctx.hub.close_console(username=username)
    return response.json({"ok": True})
