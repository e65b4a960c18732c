"""The agent console: login, the JSON API and the live WebSocket (see docs/web-protocol.md)."""
from __future__ import annotations

import html
import json
import logging
import secrets
import time
from collections import defaultdict, deque
from datetime import date
from functools import wraps
from typing import Deque, Dict, Optional
from urllib.parse import urlparse

from sanic import Blueprint, Request, response
from sanic.response import HTTPResponse

from bot import settings
from bot.faq.answering import faq_base
from bot.handoff import callback, counters, tickets
from bot.korean.normalize import clean_message
from bot.web import users
from bot.web.chat_service import ChatService, db
from bot.web.rasa_client import RasaError
from bot.web.static_files import static_response

logger = logging.getLogger(__name__)
bp = Blueprint("agent", url_prefix="/agent")
SESSION_COOKIE, LOGIN_CSRF_COOKIE = "ansan_session", "ansan_login_csrf"
MAX_LOGIN_FAILURES, FAILURE_WINDOW = 10, 300.0
CANNED_PATH = settings.PROJECT_ROOT / "data" / "canned_replies.yml"
_failures: Dict[str, Deque[float]] = defaultdict(deque)


def _cookie(resp: HTTPResponse, name: str, value: str, max_age: int) -> None:
    resp.cookies[name] = value
    cookie = resp.cookies[name]
    cookie["httponly"] = True
    cookie["samesite"] = "Strict"
    cookie["path"] = "/agent"
    cookie["max-age"] = max_age
    if settings.WEB_SECURE_COOKIES:
        cookie["secure"] = True


def _error(status: int, message: str) -> HTTPResponse:
    return response.json({"error": message}, status=status)


def _session(request: Request) -> Optional[users.Session]:
    return users.load_session(request.cookies.get(SESSION_COOKIE))


def _same_origin(request: Request) -> bool:
    origin = request.headers.get("origin")
    return origin is None or urlparse(origin).netloc == request.host


def authenticated(roles=users.ROLES):
    """Session required; POST also needs the session's CSRF token and a same-origin request."""

    def decorator(handler):
        @wraps(handler)
        async def wrapper(request: Request, *args, **kwargs):
            session = await db(_session, request)
            if session is None:
                return _error(401, "로그인이 필요해요.")
            if session.account.role not in roles:
                return _error(403, "권한이 없어요.")
            if request.method == "POST" and (
                    not _same_origin(request)
                    or not secrets.compare_digest(request.headers.get("x-csrf-token", ""), session.csrf_token)):
                return _error(403, "보안 토큰이 맞지 않아요. 페이지를 새로고침해 주세요.")
            request.ctx.session = session
            return await handler(request, *args, **kwargs)

        return wrapper

    return decorator


def _service(request: Request) -> ChatService:
    return request.app.ctx.chat


def _body(request: Request) -> dict:
    try:
        body = request.json
    except Exception:
        return {}
    return body if isinstance(body, dict) else {}


# --- pages ------------------------------------------------------------------------------
def _login_page(error: str = "", status: int = 200) -> HTTPResponse:
    token = secrets.token_urlsafe(24)
    resp = static_response("login.html", replacements={"csrf_token": token, "error": html.escape(error)},
                           status=status)
    _cookie(resp, LOGIN_CSRF_COOKIE, token, 3600)
    return resp


@bp.get("/login")
async def login_form(request: Request):
    return _login_page()


@bp.post("/login")
async def login(request: Request):
    client = request.remote_addr or request.ip or "?"
    recent = _failures[client]
    while recent and recent[0] < time.monotonic() - FAILURE_WINDOW:
        recent.popleft()
    if len(recent) >= MAX_LOGIN_FAILURES:
        return _login_page("로그인 시도가 너무 많아요. 5분 뒤에 다시 시도해 주세요.", 429)
    form = request.form or {}
    expected = request.cookies.get(LOGIN_CSRF_COOKIE, "")
    if not expected or not secrets.compare_digest(form.get("csrf_token", ""), expected):
        return _login_page("보안 토큰이 만료되었어요. 다시 로그인해 주세요.", 403)
    account = await db(users.authenticate, form.get("username", "").strip(), form.get("password", ""))
    if account is None:
        recent.append(time.monotonic())
        return _login_page("아이디 또는 비밀번호가 맞지 않아요.", 401)
    recent.clear()
    session = await db(users.start_session, account)
    resp = response.redirect("/agent")
    _cookie(resp, SESSION_COOKIE, session.token, settings.WEB_SESSION_HOURS * 3600)
    return resp


@bp.post("/logout")
@authenticated()
async def logout(request: Request):
    await db(users.end_session, request.ctx.session.token)
    resp = response.json({"ok": True})
    _cookie(resp, SESSION_COOKIE, "", 0)
    return resp


@bp.get("")
async def console(request: Request):
    if await db(_session, request) is None:
        return response.redirect("/agent/login")
    return static_response("agent.html")


# --- JSON API ---------------------------------------------------------------------------
@bp.get("/api/me")
@authenticated()
async def me(request: Request):
    account = request.ctx.session.account
    return response.json({"username": account.username, "display_name": account.display_name,
                          "role": account.role, "csrf_token": request.ctx.session.csrf_token})


@bp.get("/api/queue")
@authenticated()
async def queue(request: Request):
    service = _service(request)
    return response.json({"tickets": [await db(service.ticket_json, t) for t in await db(tickets.open_tickets)]})


async def _ticket_or_404(ticket_id: int):
    try:
        return await db(tickets.get, ticket_id)
    except tickets.TicketNotFound:
        return None


@bp.get("/api/tickets/<ticket_id:int>")
@authenticated()
async def ticket_detail(request: Request, ticket_id: int):
    ticket = await _ticket_or_404(ticket_id)
    if ticket is None:
        return _error(404, "상담 건을 찾을 수 없어요.")
    service = _service(request)
    body = {"ticket": await db(service.ticket_json, ticket),
            "transcript": await service.history(ticket.conversation_id) or ticket.transcript}
    if ticket.has_callback_phone:
        phone = callback.decrypt_phone(await db(tickets.encrypted_callback_phone, ticket_id))
        mine = ticket.agent_username == request.ctx.session.account.username
        body["ticket"]["callback_phone"] = phone if mine else callback.masked(phone)
    return response.json(body)


@bp.get("/api/tickets/<ticket_id:int>/suggestions")
@authenticated()
async def suggestions(request: Request, ticket_id: int):
    if await _ticket_or_404(ticket_id) is None:
        return _error(404, "상담 건을 찾을 수 없어요.")
    return response.json({"suggestions": await _service(request).suggestions(ticket_id)})


@bp.get("/api/canned")
@authenticated()
async def canned(request: Request):
    import yaml

    replies = yaml.safe_load(CANNED_PATH.read_text(encoding="utf-8")) if CANNED_PATH.exists() else []
    return response.json({"replies": replies or []})


@bp.get("/api/agents")
@authenticated()
async def agents(request: Request):
    hub = request.app.ctx.hub
    accounts = await db(users.list_users)
    base = faq_base()
    return response.json({
        "agents": [{"username": a.username, "display_name": a.display_name, "online": hub.agent_online(a.username)}
                   for a in accounts if a.role in ("agent", "admin")],
        "departments": [{"key": k, "name": d.name} for k, d in base.city.departments.items()],
    })


@bp.get("/api/stats")
@authenticated(roles=("admin", "content"))
async def stats(request: Request):
    """Counters of a period of whole local days: ``?from=YYYY-MM-DD&to=YYYY-MM-DD`` (default: 30 days)."""
    try:
        first, last = (date.fromisoformat(request.args.get(k)) if request.args.get(k) else None
                       for k in ("from", "to"))
    except ValueError:
        return _error(400, "날짜는 YYYY-MM-DD 형식으로 보내 주세요.")
    try:
        first, last, start, end = counters.period(first, last, settings.TIMEZONE)
    except counters.InvalidPeriod as exc:
        return _error(400, str(exc))
    summary = await db(counters.summary, start, end)
    return response.json({"period": {"from": first.isoformat(), "to": last.isoformat(),
                                     "timezone": settings.TIMEZONE}, **summary})


async def _ticket_action(request: Request, ticket_id: int, action):
    try:
        result = await action(request.ctx.session.account.username, _body(request))
    except tickets.TicketNotFound:
        return _error(404, "상담 건을 찾을 수 없어요.")
    except tickets.InvalidTransition:
        return _error(409, "다른 상담원이 먼저 처리했거나 지금 상태에서는 할 수 없어요.")
    except PermissionError:
        return _error(403, "내가 맡은 상담이 아니에요.")
    except ValueError as exc:
        return _error(400, str(exc))
    except RasaError:
        logger.exception("Rasa unreachable during a ticket action")
        return _error(503, "챗봇 서버에 연결할 수 없어요. 잠시 후 다시 시도해 주세요.")
    ticket = result if isinstance(result, tickets.Ticket) else await db(tickets.get, ticket_id)
    return response.json({"ticket": await db(_service(request).ticket_json, ticket)})


@bp.post("/api/tickets/<ticket_id:int>/claim")
@authenticated()
async def claim(request: Request, ticket_id: int):
    return await _ticket_action(request, ticket_id, lambda me, body: _service(request).claim(ticket_id, me))


@bp.post("/api/tickets/<ticket_id:int>/messages")
@authenticated()
async def post_message(request: Request, ticket_id: int):
    async def send(me, body):
        text = clean_message(str(body.get("text") or ""), max_chars=2000)
        if not text:
            raise ValueError("빈 메시지는 보낼 수 없어요.")
        await _service(request).agent_message(ticket_id, me, text)

    return await _ticket_action(request, ticket_id, send)


@bp.post("/api/tickets/<ticket_id:int>/typing")
@authenticated()
async def typing(request: Request, ticket_id: int):
    return await _ticket_action(request, ticket_id, lambda me, body: _service(request).agent_typing(ticket_id, me))


@bp.post("/api/tickets/<ticket_id:int>/transfer")
@authenticated()
async def transfer(request: Request, ticket_id: int):
    def move(me, body):
        to_agent, department = body.get("agent"), body.get("department")
        if not to_agent and not department:
            raise ValueError("넘길 상담원이나 부서를 골라 주세요.")
        return _service(request).transfer(ticket_id, me, to_agent, department)

    return await _ticket_action(request, ticket_id, move)


@bp.post("/api/tickets/<ticket_id:int>/close")
@authenticated()
async def close(request: Request, ticket_id: int):
    def finish(me, body):
        holder = None if request.ctx.session.account.role == "admin" else me
        return _service(request).close(ticket_id, holder, str(body.get("outcome") or ""),
                                       str(body.get("note") or "")[:2000])

    return await _ticket_action(request, ticket_id, finish)


# --- live pushes ------------------------------------------------------------------------
@bp.websocket("/ws")
async def agent_socket(request: Request, ws):
    session = await db(_session, request)
    if session is None or not _same_origin(request):
        await ws.close(code=4401, reason="login required")
        return
    hub, service = request.app.ctx.hub, _service(request)
    username = session.account.username
    hub.join_agent(username, ws)
    try:
        open_tickets = await db(tickets.open_tickets)
        await ws.send(json.dumps({"type": "queue", "tickets": [await db(service.ticket_json, t)
                                                               for t in open_tickets]}, default=str))
        while True:
            if await ws.recv() is None:  # the console only listens; pings keep it open
                break
    except Exception as exc:
        if type(exc).__name__ not in ("ConnectionClosed", "ConnectionClosedOK", "ConnectionClosedError",
                                      "CancelledError"):
            logger.exception("agent socket failed")
    finally:
        hub.leave_agent(username, ws)
