"""Console login: sessions, cookies, CSRF, roles on every route, and login throttling.

Session cookies are HttpOnly and SameSite=Strict, Secure whenever the request came over
HTTPS (directly, or through a trusted proxy) or ``WEB_SECURE_COOKIES`` is set. Every POST
needs the session's CSRF token and a same-origin request. Failed logins are throttled per
client IP and per account name (existing or not, so the throttle reveals no accounts).
"""
from __future__ import annotations

import html
import secrets
import time
from collections import defaultdict, deque
from functools import wraps
from typing import Deque, Dict, Optional

from sanic import Blueprint, Request, response
from sanic.response import HTTPResponse

from bot import settings
from bot.web import net, roles, users
from bot.web.relay import db
from bot.web.static_files import static_response

bp = Blueprint("auth", url_prefix="/agent")
SESSION_COOKIE, LOGIN_CSRF_COOKIE = "ansan_session", "ansan_login_csrf"
FAILURE_WINDOW = 300.0
MAX_FAILURES_PER_IP, MAX_FAILURES_PER_ACCOUNT = 10, 5
TOO_MANY_TRIES = "로그인 시도가 너무 많아요. 5분 뒤에 다시 시도해 주세요."


class LoginThrottle:
    """Recent failed logins per key ("ip:…", "account:…") within ``FAILURE_WINDOW``."""

    def __init__(self) -> None:
        self.failures: Dict[str, Deque[float]] = defaultdict(deque)

    def _recent(self, key: str) -> Deque[float]:
        recent = self.failures[key]
        while recent and recent[0] < time.monotonic() - FAILURE_WINDOW:
            recent.popleft()
        if not recent:
            del self.failures[key]
            return deque()
        return recent

    def blocked(self, ip: str, account: str) -> bool:
        return (len(self._recent(f"ip:{ip}")) >= MAX_FAILURES_PER_IP
                or len(self._recent(f"account:{account.lower()}")) >= MAX_FAILURES_PER_ACCOUNT)

    def failed(self, ip: str, account: str) -> None:
        for key in (f"ip:{ip}", f"account:{account.lower()}"):
            self.failures[key].append(time.monotonic())

    def succeeded(self, ip: str, account: str) -> None:
        self.failures.pop(f"account:{account.lower()}", None)


def set_cookie(request: Request, resp: HTTPResponse, name: str, value: str, max_age: int) -> None:
    resp.cookies[name] = value
    cookie = resp.cookies[name]
    cookie["httponly"] = True
    cookie["samesite"] = "Strict"
    cookie["path"] = "/"  # the console (/agent) and the content studio (/studio)
    cookie["max-age"] = max_age
    if settings.WEB_SECURE_COOKIES or net.is_https(request):
        cookie["secure"] = True


def error(status: int, message: str) -> HTTPResponse:
    return response.json({"error": message}, status=status)


def json_body(request: Request) -> dict:
    """The request's JSON object, or {} for anything else (no body, not JSON, not an object)."""
    try:
        body = request.json
    except Exception:
        return {}
    return body if isinstance(body, dict) else {}


def current_session(request: Request) -> Optional[users.Session]:
    """The request's console session (blocking: run it off the event loop)."""
    return users.load_session(request.cookies.get(SESSION_COOKIE))


async def role_page(request: Request, allowed, page: str, elsewhere: str):
    """Serve the static ``page`` to a logged-in role in ``allowed``; others go to the login page
    or, logged in with another role, to ``elsewhere``."""
    session = await db(current_session, request)
    if session is None:
        return response.redirect("/agent/login")
    if session.account.role not in allowed:
        return response.redirect(elsewhere)
    return static_response(page)


def authenticated(allowed=roles.ROLES):
    """Session required and a role in ``allowed``; POST also needs the CSRF token, same origin."""

    def decorator(handler):
        @wraps(handler)
        async def wrapper(request: Request, *args, **kwargs):
            session = await db(current_session, request)
            if session is None:
                return error(401, "로그인이 필요해요.")
            if session.account.role not in allowed:
                return error(403, "권한이 없어요.")
            if request.method == "POST" and (
                    not net.same_origin(request)
                    or not secrets.compare_digest(request.headers.get("x-csrf-token", ""), session.csrf_token)):
                return error(403, "보안 토큰이 맞지 않아요. 페이지를 새로고침해 주세요.")
            request.ctx.session = session
            return await handler(request, *args, **kwargs)

        return wrapper

    return decorator


def _login_page(request: Request, message: str = "", status: int = 200) -> HTTPResponse:
    token = secrets.token_urlsafe(24)
    resp = static_response("login.html", replacements={"csrf_token": token, "error": html.escape(message)},
                           status=status)
    set_cookie(request, resp, LOGIN_CSRF_COOKIE, token, 3600)
    return resp


@bp.get("/login")
async def login_form(request: Request):
    return _login_page(request)


@bp.post("/login")
async def login(request: Request):
    throttle: LoginThrottle = request.app.ctx.login_throttle
    form = request.form or {}
    ip, username = net.client_ip(request), str(form.get("username", "")).strip()[:64]
    if throttle.blocked(ip, username):
        return _login_page(request, TOO_MANY_TRIES, 429)
    expected = request.cookies.get(LOGIN_CSRF_COOKIE, "")
    if not expected or not secrets.compare_digest(str(form.get("csrf_token", "")), expected):
        return _login_page(request, "보안 토큰이 만료되었어요. 다시 로그인해 주세요.", 403)
    account = await db(users.authenticate, username, str(form.get("password", ""))[:1024])
    if account is None:
        throttle.failed(ip, username)
        return _login_page(request, "아이디 또는 비밀번호가 맞지 않아요.", 401)
    throttle.succeeded(ip, username)
    session = await db(users.start_session, account)
    resp = response.redirect("/agent")
    set_cookie(request, resp, SESSION_COOKIE, session.token, settings.WEB_SESSION_HOURS * 3600)
    return resp


@bp.post("/logout")
@authenticated()
async def logout(request: Request):
    session: users.Session = request.ctx.session
    await db(users.end_session, session.token)
    await request.app.ctx.hub.close_console(session_id=session.id)
    resp = response.json({"ok": True})
    set_cookie(request, resp, SESSION_COOKIE, "", 0)
    return resp
