"""Citizen routes: the chat page, the widget script and the chat WebSocket."""
from __future__ import annotations

import json
import logging
import re

from sanic import Blueprint, Request, response

from bot.handoff import tickets
from bot.web.chat_service import ChatService, db, new_conversation_id
from bot.web.rasa_client import RasaError
from bot.web.static_files import static_response

logger = logging.getLogger(__name__)
bp = Blueprint("citizen")
_CONVERSATION_ID = re.compile(r"^c-[0-9a-f]{32}$")
MAX_FRAME = 16_000


@bp.get("/")
async def index(request: Request):
    return response.redirect("/chat")


@bp.get("/chat")
async def chat_page(request: Request):
    return static_response("chat.html", embeddable=True)


@bp.get("/widget.js")
async def widget(request: Request):
    return static_response("widget.js", embeddable=True)


async def _send(ws, payload) -> None:
    await ws.send(json.dumps(payload, ensure_ascii=False, default=str))


@bp.websocket("/ws/citizen")
async def citizen_socket(request: Request, ws):
    service: ChatService = request.app.ctx.chat
    hub = request.app.ctx.hub
    conversation_id = None
    try:
        while True:
            raw = await ws.recv()
            if raw is None:
                break
            try:
                frame = json.loads(raw) if len(raw) <= MAX_FRAME else None
                kind = frame.get("type") if isinstance(frame, dict) else None
            except (ValueError, TypeError):
                kind = None
            if kind is None:
                await _send(ws, {"type": "error", "text": "잘못된 요청이에요. 페이지를 새로고침해 주세요."})
                continue
            if kind == "hello":
                wanted = str(frame.get("conversation_id") or "")
                if conversation_id:
                    hub.leave_citizen(conversation_id, ws)
                conversation_id = wanted if _CONVERSATION_ID.match(wanted) else new_conversation_id()
                hub.join_citizen(conversation_id, ws)
                ticket = await db(tickets.active_ticket, conversation_id)
                await _send(ws, {"type": "welcome", "conversation_id": conversation_id,
                                 "history": await service.history(conversation_id),
                                 "state": await db(service.state_payload, ticket)})
                if ticket is not None:
                    if ticket.status == tickets.CALLBACK and not ticket.has_callback_phone:
                        await _send(ws, {"type": "callback_form", "ticket_id": ticket.id})
                    await service.citizen_left(conversation_id)  # presence changed: tell the agents
                continue
            if conversation_id is None:
                await _send(ws, {"type": "error", "text": "연결을 준비하고 있어요. 잠시 후 다시 보내 주세요."})
                continue
            await _handle(service, ws, conversation_id, kind, frame)
    except Exception as exc:  # a closed socket ends the loop; anything else is logged
        if type(exc).__name__ not in ("ConnectionClosed", "ConnectionClosedOK", "ConnectionClosedError",
                                      "CancelledError"):
            logger.exception("citizen socket failed")
    finally:
        if conversation_id and hub.leave_citizen(conversation_id, ws):
            await service.citizen_left(conversation_id)


async def _handle(service: ChatService, ws, conversation_id: str, kind: str, frame: dict) -> None:
    try:
        if kind == "message":
            text = str(frame.get("text") or "")
            await service.citizen_message(conversation_id, text)
            if frame.get("client_id"):
                await _send(ws, {"type": "ack", "client_id": str(frame["client_id"])[:64]})
        elif kind == "typing":
            await service.citizen_typing(conversation_id)
        elif kind == "cancel_handoff":
            await service.cancel(conversation_id)
        elif kind == "rating":
            await service.rate(conversation_id, int(frame.get("ticket_id")), int(frame.get("score")))
        elif kind == "callback_request":
            await service.request_callback(conversation_id, int(frame.get("ticket_id")),
                                           str(frame.get("phone") or ""), bool(frame.get("consent")))
        else:
            await _send(ws, {"type": "error", "text": "알 수 없는 요청이에요."})
    except ValueError as exc:
        await _send(ws, {"type": "error", "text": str(exc) if _is_korean(str(exc)) else "요청을 처리할 수 없어요."})
    except (PermissionError, tickets.InvalidTransition, tickets.TicketNotFound):
        await _send(ws, {"type": "error", "text": "지금은 처리할 수 없는 요청이에요."})
    except RasaError:
        logger.exception("Rasa unreachable")
        await _send(ws, {"type": "error", "text": "잠시 연결이 원활하지 않아요. 잠시 후 다시 시도해 주세요."})


def _is_korean(text: str) -> bool:
    return bool(re.search("[가-힣]", text))
