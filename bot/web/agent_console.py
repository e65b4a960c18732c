"""The agent console: its page, the JSON API and the live WebSocket (docs/web-protocol.md).

Every route names the roles it serves (:mod:`bot.web.roles` has the matrix); a chat's
transcript, suggestions and actions are for its agent (and admins) only.
"""
from __future__ import annotations

import json
import logging
from datetime import date

from sanic import Blueprint, Request, response

from bot import settings
from bot.faq.answering import faq_base
from bot.faq.render import fill_facts
from bot.handoff import callback, counters, tickets
from bot.web import net, roles, suggestions as suggested, users, views
from bot.web.auth import authenticated, current_session, error, json_body, role_page
from bot.web.desk import Desk
from bot.web.rasa_client import RasaError
from bot.web.relay import db

logger = logging.getLogger(__name__)
bp = Blueprint("agent", url_prefix="/agent")
CANNED_PATH = settings.PROJECT_ROOT / "data" / "canned_replies.yml"
SESSION_RECHECK_SECONDS = 5.0
CLOSED_SOCKET = ("ConnectionClosed", "ConnectionClosedOK", "ConnectionClosedError", "CancelledError")
NOT_YOURS = "내가 맡은 상담이 아니에요."
NOT_FOUND = "상담 건을 찾을 수 없어요."
MAX_DISMISS = 500


def _desk(request: Request) -> Desk:
    return request.app.ctx.desk


async def _ticket(ticket_id: int):
    try:
        return await db(tickets.get, ticket_id)
    except tickets.TicketNotFound:
        return None


def _me(request: Request):
    return request.ctx.session.account


# --- pages ------------------------------------------------------------------------------
@bp.get("")
async def console(request: Request):
    return await role_page(request, roles.LIVE_CHAT, "agent.html", elsewhere="/studio")


# --- JSON API ---------------------------------------------------------------------------
@bp.get("/api/me")
@authenticated()
async def me(request: Request):
    account = _me(request)
    return response.json({"username": account.username, "display_name": account.display_name,
                          "role": account.role, "csrf_token": request.ctx.session.csrf_token,
                          "callback_expiry_hours": settings.CALLBACK_EXPIRY_HOURS})


@bp.get("/api/queue")
@authenticated(roles.LIVE_CHAT)
async def queue(request: Request):
    return response.json({"tickets": await _desk(request).queue()})


@bp.get("/api/tickets/<ticket_id:int>")
@authenticated(roles.LIVE_CHAT)
async def ticket_detail(request: Request, ticket_id: int):
    ticket = await _ticket(ticket_id)
    if ticket is None:
        return error(404, NOT_FOUND)
    account, desk = _me(request), _desk(request)
    if not roles.may_read_chat(account.role, account.username, ticket):
        return error(403, "상담을 가져오면 대화 전체를 볼 수 있어요.")
    body = {"ticket": await db(_summary, desk, ticket),
            "transcript": await desk.relay.history(ticket.conversation_id) or ticket.transcript}
    if ticket.has_callback_phone:
        try:
            phone = callback.decrypt_phone(await db(tickets.encrypted_callback_phone, ticket_id))
            body["ticket"]["callback_phone"] = (phone if roles.sees_callback_number(account.username, ticket)
                                                else callback.masked(phone))
        except callback.CallbackKeyError:
            logger.error("callback number of ticket %s cannot be decrypted: a data key is missing", ticket_id)
            body["ticket"]["callback_phone_error"] = ("콜백 번호를 복호화할 수 없어요. 관리자에게 알려 주세요 "
                                                      "(데이터 키 확인: python -m bot.handoff.callback check).")
    return response.json(body)


def _summary(desk: Desk, ticket: tickets.Ticket) -> dict:
    return views.ticket_summary(ticket, desk.hub)


@bp.get("/api/tickets/<ticket_id:int>/suggestions")
@authenticated(roles.LIVE_CHAT)
async def suggestions(request: Request, ticket_id: int):
    ticket = await _ticket(ticket_id)
    if ticket is None:
        return error(404, NOT_FOUND)
    account = _me(request)
    if not roles.may_read_chat(account.role, account.username, ticket):
        return error(403, NOT_YOURS)
    return response.json(await suggested.for_ticket(_desk(request).rasa, ticket))


@bp.get("/api/canned")
@authenticated(roles.LIVE_CHAT)
async def canned(request: Request):
    import yaml

    replies = yaml.safe_load(CANNED_PATH.read_text(encoding="utf-8")) if CANNED_PATH.exists() else []
    city = faq_base().city
    filled = [{**r, "text": fill_facts(str(r.get("text", "")), city)} for r in replies or []]
    return response.json({"replies": [r for r in filled if r["text"]]})


@bp.get("/api/agents")
@authenticated(roles.LIVE_CHAT)
async def agents(request: Request):
    hub = _desk(request).hub
    accounts = await db(users.list_users)
    return response.json({
        "agents": [{"username": a.username, "display_name": a.display_name, "online": hub.agent_online(a.username)}
                   for a in accounts if a.role in roles.LIVE_CHAT and a.active],
        "departments": [{"key": k, "name": d.name} for k, d in faq_base().city.departments.items()],
    })


@bp.get("/api/stats")
@authenticated(roles.STATS)
async def stats(request: Request):
    """Counters of a period of whole local days: ``?from=YYYY-MM-DD&to=YYYY-MM-DD`` (default: 30 days)."""
    try:
        first, last = (date.fromisoformat(request.args.get(k)) if request.args.get(k) else None
                       for k in ("from", "to"))
    except ValueError:
        return error(400, "날짜는 YYYY-MM-DD 형식으로 보내 주세요.")
    try:
        first, last, start, end = counters.period(first, last, settings.TIMEZONE)
    except counters.InvalidPeriod as exc:
        return error(400, str(exc))
    summary = await db(counters.summary, start, end)
    return response.json({"period": {"from": first.isoformat(), "to": last.isoformat(),
                                     "timezone": settings.TIMEZONE}, **summary})


async def _ticket_action(request: Request, ticket_id: int, action):
    try:
        result = await action(_me(request), json_body(request))
    except tickets.TicketNotFound:
        return error(404, NOT_FOUND)
    except tickets.InvalidTransition:
        return error(409, "다른 상담원이 먼저 처리했거나 지금 상태에서는 할 수 없어요.")
    except PermissionError:
        return error(403, NOT_YOURS)
    except ValueError as exc:
        return error(400, str(exc))
    except RasaError:
        logger.warning("Rasa unreachable during a ticket action")
        return error(503, "챗봇 서버에 연결할 수 없어요. 잠시 후 다시 시도해 주세요.")
    ticket = result if isinstance(result, tickets.Ticket) else await db(tickets.get, ticket_id)
    return response.json({"ticket": await db(_summary, _desk(request), ticket)})


@bp.post("/api/tickets/<ticket_id:int>/claim")
@authenticated(roles.LIVE_CHAT)
async def claim(request: Request, ticket_id: int):
    return await _ticket_action(request, ticket_id, lambda me, body: _desk(request).claim(ticket_id, me.username))


@bp.post("/api/tickets/<ticket_id:int>/put-back")
@authenticated(roles.LIVE_CHAT)
async def put_back(request: Request, ticket_id: int):
    """Undo a claim: the chat goes back to its place in the queue (a callback to the callbacks)."""
    return await _ticket_action(request, ticket_id, lambda me, body: _desk(request).put_back(
        ticket_id, me.username, me.role))


@bp.post("/api/callbacks/dismiss")
@authenticated(roles.LIVE_CHAT)
async def dismiss_callbacks(request: Request):
    """Clear callback requests in bulk: ``{"ids": [12, 13…]}`` (at most MAX_DISMISS)."""
    ids = json_body(request).get("ids")
    if not isinstance(ids, list) or not ids or len(ids) > MAX_DISMISS \
            or not all(isinstance(i, int) and not isinstance(i, bool) and i > 0 for i in ids):
        return error(400, f"정리할 콜백 요청을 1~{MAX_DISMISS}건 골라 주세요.")
    return response.json(await _desk(request).dismiss(dict.fromkeys(ids), _me(request).username))


@bp.post("/api/tickets/<ticket_id:int>/messages")
@authenticated(roles.LIVE_CHAT)
async def post_message(request: Request, ticket_id: int):
    return await _ticket_action(request, ticket_id, lambda me, body: _desk(request).agent_message(
        ticket_id, me.username, str(body.get("text") or "")))


@bp.post("/api/tickets/<ticket_id:int>/typing")
@authenticated(roles.LIVE_CHAT)
async def typing(request: Request, ticket_id: int):
    return await _ticket_action(request, ticket_id, lambda me, body: _desk(request).agent_typing(ticket_id, me.username))


@bp.post("/api/tickets/<ticket_id:int>/transfer")
@authenticated(roles.LIVE_CHAT)
async def transfer(request: Request, ticket_id: int):
    def move(me, body):
        to_agent, department = body.get("agent"), body.get("department")
        if not isinstance(to_agent, (str, type(None))) or not isinstance(department, (str, type(None))):
            raise ValueError("넘길 상담원이나 부서를 골라 주세요.")
        if not to_agent and not department:
            raise ValueError("넘길 상담원이나 부서를 골라 주세요.")
        return _desk(request).transfer(ticket_id, me.username, me.role, to_agent, department)

    return await _ticket_action(request, ticket_id, move)


@bp.post("/api/tickets/<ticket_id:int>/close")
@authenticated(roles.LIVE_CHAT)
async def close(request: Request, ticket_id: int):
    return await _ticket_action(request, ticket_id, lambda me, body: _desk(request).close(
        ticket_id, me.username, me.role, str(body.get("outcome") or ""), str(body.get("note") or "")[:2000]))


# --- live pushes ------------------------------------------------------------------------
@bp.websocket("/ws")
async def console_socket(request: Request, ws):
    session = await db(current_session, request)
    if session is None or not net.same_origin(request):
        await ws.close(code=4401, reason="login required")
        return
    if session.account.role not in roles.LIVE_CHAT:
        await ws.close(code=4403, reason="no live chats for this role")
        return
    desk = _desk(request)
    member = desk.hub.join_console(ws, session.account.username, session.account.role, session.id)
    try:
        await ws.send(json.dumps({"type": "queue", "tickets": await desk.queue()}, default=str))
        while True:  # the console only listens (pings keep it open); the session is re-checked meanwhile
            if await ws.recv(timeout=SESSION_RECHECK_SECONDS) is None \
                    and await db(users.load_session, session.token) is None:
                await ws.close(code=4401, reason="session ended")
                break
    except Exception as exc:
        if type(exc).__name__ not in CLOSED_SOCKET:
            logger.exception("console socket failed")
    finally:
        desk.hub.leave_console(member)
