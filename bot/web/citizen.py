"""Citizen routes: the chat page, the widget script and the chat WebSocket (the public surface).

Every frame is checked before it is used: size, JSON, type and each field's type and range;
anything else gets a polite Korean error and the socket stays open. Conversations are
issued by the server and resumed only with their signed token (:mod:`bot.web.identity`);
sockets from a foreign Origin are refused; sockets, messages and new conversations are
rate-limited per client IP, frames per connection.
"""
from __future__ import annotations

import asyncio
import json
import logging
import re
from dataclasses import dataclass, field
from typing import Any, Dict, Optional

from sanic import Blueprint, Request, response
from sqlalchemy.exc import SQLAlchemyError

from bot import settings
from bot.handoff import callback, tickets
from bot.web import identity, net, views
from bot.web.desk import Desk
from bot.web.limits import Counter, KeyedLimits, TokenBucket
from bot.web.rasa_client import RasaError
from bot.web.relay import db
from bot.web.static_files import static_response

logger = logging.getLogger(__name__)
bp = Blueprint("citizen")
MAX_FRAME = 16_000  # characters of one frame
MAX_DROPPED = 200  # frames over the limit before the socket is closed
_CLIENT_ID = re.compile(r"^[A-Za-z0-9_-]{1,64}$")
CLOSED_SOCKET = ("ConnectionClosed", "ConnectionClosedOK", "ConnectionClosedError", "CancelledError")

BAD_FRAME = "잘못된 요청이에요. 페이지를 새로고침해 주세요."
UNKNOWN_FRAME = "알 수 없는 요청이에요."
NOT_NOW = "지금은 처리할 수 없는 요청이에요."
NOT_READY = "연결을 준비하고 있어요. 잠시 후 다시 보내 주세요."
TOO_FAST = "메시지를 너무 빨리 보내고 있어요. 잠시 후 다시 보내 주세요."
TOO_MANY_SOCKETS = "같은 곳에서 너무 많은 대화 창이 열려 있어요. 다른 창을 닫고 다시 시도해 주세요."
TOO_MANY_CONVERSATIONS = "새 대화를 너무 자주 시작했어요. 잠시 후 다시 시도해 주세요."
STORE_DOWN = "잠시 연결이 원활하지 않아요. 메시지는 자동으로 다시 보낼게요."
RASA_DOWN = "잠시 연결이 원활하지 않아요. 잠시 후 다시 시도해 주세요."
CALLBACK_DOWN = "지금은 콜백 요청을 받을 수 없어요. 잠시 후 다시 시도하시거나 운영 시간에 상담원 연결을 요청해 주세요."


class FrameError(ValueError):
    """A frame field is missing or malformed; the message is for the citizen."""


class CitizenLimits:
    """Per client IP: open sockets, messages, new conversations (one per web app)."""

    def __init__(self) -> None:
        per_minute, per_hour = settings.CITIZEN_MESSAGES_PER_MINUTE, settings.CITIZEN_CONVERSATIONS_PER_HOUR
        self.sockets = Counter()
        self.messages = KeyedLimits(capacity=max(5, per_minute // 3), per_second=per_minute / 60)
        self.conversations = KeyedLimits(capacity=max(5, per_hour // 6), per_second=per_hour / 3600)


@dataclass
class Connection:
    """One citizen socket: its client, its conversation, its own frame budgets."""

    ws: Any
    ip: str
    conversation_id: Optional[str] = None
    frames: TokenBucket = field(default_factory=lambda: TokenBucket(capacity=30, per_second=5))
    messages: TokenBucket = field(default_factory=lambda: TokenBucket(capacity=4, per_second=1))
    typing: TokenBucket = field(default_factory=lambda: TokenBucket(capacity=2, per_second=0.5))
    dropped: int = 0

    async def send(self, payload: Dict) -> None:
        await self.ws.send(json.dumps(payload, ensure_ascii=False, default=str))

    async def error(self, text: str, **extra: Any) -> None:
        await self.send({"type": "error", "text": text, **extra})


@bp.get("/")
async def index(request: Request):
    return response.redirect("/chat")


@bp.get("/chat")
async def chat_page(request: Request):
    return static_response("chat.html", embeddable=True)


@bp.get("/widget.js")
async def widget(request: Request):
    return static_response("widget.js", embeddable=True)


@bp.get("/static/chat-render.js")
async def chat_render(request: Request):
    """The chat page's text rendering (a module of chat.js; the other assets: bot.web.app)."""
    return static_response("chat-render.js", embeddable=True)


def parse_frame(raw: Any) -> Optional[Dict]:
    """A JSON object with a string ``type``, or None (too big, not UTF-8, not JSON, too deep)."""
    if isinstance(raw, (bytes, bytearray)):
        try:
            raw = bytes(raw).decode("utf-8")
        except UnicodeDecodeError:
            return None
    if not isinstance(raw, str) or len(raw) > MAX_FRAME:
        return None
    try:
        frame = json.loads(raw, parse_constant=_no_constant)
    except (ValueError, RecursionError):
        return None
    return frame if isinstance(frame, dict) and isinstance(frame.get("type"), str) else None


def _no_constant(name: str) -> None:
    raise ValueError(f"{name} is not allowed")


def int_field(frame: Dict, key: str, low: int, high: int) -> int:
    value = frame.get(key)
    if type(value) is not int or not low <= value <= high:  # bool, float, 1e999, [] … are refused
        raise FrameError(NOT_NOW)
    return value


def text_field(frame: Dict, key: str, max_chars: int) -> str:
    value = frame.get(key, "")
    if not isinstance(value, str):
        raise FrameError(BAD_FRAME)
    return value[:max_chars]


def client_id_of(frame: Dict) -> Optional[str]:
    value = frame.get("client_id")
    return value if isinstance(value, str) and _CLIENT_ID.match(value) else None


@bp.websocket("/ws/citizen")
async def citizen_socket(request: Request, ws):
    desk: Desk = request.app.ctx.desk
    limits: CitizenLimits = request.app.ctx.limits
    connection = Connection(ws, net.client_ip(request))
    if not net.origin_allowed(request):
        await ws.close(code=4403, reason="origin not allowed")
        return
    if not limits.sockets.acquire(connection.ip, settings.CITIZEN_SOCKETS_PER_IP):
        await connection.error(TOO_MANY_SOCKETS, code="too_many_sockets")
        await ws.close(code=4429, reason="too many sockets")
        return
    try:
        while True:
            raw = await ws.recv()
            if raw is None:
                break
            if not connection.frames.take():
                connection.dropped += 1
                if connection.dropped > MAX_DROPPED:
                    await ws.close(code=4429, reason="too many frames")
                    break
                if connection.dropped % 20 == 1:
                    await connection.error(TOO_FAST, code="rate_limited")
                continue
            frame = parse_frame(raw)
            if frame is None:
                await connection.error(BAD_FRAME)
                continue
            await _handle(desk, limits, connection, frame)
    except Exception as exc:  # a closed socket ends the loop; anything else is a bug, logged
        if type(exc).__name__ not in CLOSED_SOCKET:
            logger.exception("citizen socket failed")
    finally:
        limits.sockets.release(connection.ip)
        if connection.conversation_id and desk.hub.leave_citizen(connection.conversation_id, ws):
            await _quietly(desk.citizen_presence(connection.conversation_id))


async def _quietly(coroutine) -> None:
    try:
        await coroutine
    except (SQLAlchemyError, RasaError, OSError):
        logger.warning("presence update skipped: a backing service is unreachable")


async def _handle(desk: Desk, limits: CitizenLimits, connection: Connection, frame: Dict) -> None:
    kind = frame["type"]
    try:
        if kind == "hello":
            await _hello(desk, limits, connection, frame)
        elif connection.conversation_id is None:
            await connection.error(NOT_READY)
        elif kind == "message":
            await _message(desk, limits, connection, frame)
        elif kind == "typing":
            if connection.typing.take():
                await desk.citizen_typing(connection.conversation_id)
        elif kind == "cancel_handoff":
            await desk.cancel(connection.conversation_id)
        elif kind == "rating":
            await desk.rate(connection.conversation_id, int_field(frame, "ticket_id", 1, 2 ** 31 - 1),
                            int_field(frame, "score", 1, 5))
        elif kind == "feedback":
            await _feedback(desk, connection, frame)
        elif kind == "callback_request":
            consent = frame.get("consent")
            await desk.request_callback(connection.conversation_id, int_field(frame, "ticket_id", 1, 2 ** 31 - 1),
                                        text_field(frame, "phone", 40), consent is True)
        else:
            await connection.error(UNKNOWN_FRAME)
    except FrameError as exc:
        await connection.error(str(exc))
    except (PermissionError, tickets.InvalidTransition, tickets.TicketNotFound):
        await connection.error(NOT_NOW)
    except ValueError as exc:  # the domain's messages for citizens are Korean
        await connection.error(str(exc) if re.search("[가-힣]", str(exc)) else NOT_NOW)
    except RasaError:
        logger.warning("Rasa unreachable while handling a citizen frame")
        await connection.error(RASA_DOWN)
    except callback.CallbackKeyError:
        logger.error("a callback number cannot be encrypted: the data keys are invalid (see bot.handoff.callback)")
        await connection.error(CALLBACK_DOWN)
    except (SQLAlchemyError, OSError) as exc:  # the database restarts: the page sends it again
        logger.warning("a citizen frame waits for the database: %s", type(exc).__name__)
        await connection.error(STORE_DOWN, code="retry", client_id=client_id_of(frame))


async def _hello(desk: Desk, limits: CitizenLimits, connection: Connection, frame: Dict) -> None:
    conversation_id = identity.conversation_of(frame.get("resume"))
    if conversation_id is None:
        if not limits.conversations.take(connection.ip):
            await connection.error(TOO_MANY_CONVERSATIONS, code="rate_limited")
            return
        conversation_id, _ = identity.new_conversation()
    hub = desk.hub
    if connection.conversation_id:
        hub.leave_citizen(connection.conversation_id, connection.ws)
    connection.conversation_id = conversation_id
    hub.join_citizen(conversation_id, connection.ws)
    ticket = await db(tickets.active_ticket, conversation_id)
    await connection.send({"type": "welcome", "conversation_id": conversation_id,
                           "resume": identity.resume_token(conversation_id),
                           "history": await desk.relay.history(conversation_id),
                           "state": await db(views.citizen_state, ticket, hub),
                           "greeting": await db(views.greeting)})
    if ticket is not None:
        if ticket.status == tickets.CALLBACK and not ticket.has_callback_phone:
            await connection.send({"type": "callback_form", "ticket_id": ticket.id})
        await desk.citizen_presence(conversation_id)  # presence changed: tell the agents


async def _feedback(desk: Desk, connection: Connection, frame: Dict) -> None:
    """👍/👎 on a bot answer, named by the citizen message it replied to (``reply_to``)."""
    reply_to = frame.get("reply_to")
    if not isinstance(reply_to, str) or not _CLIENT_ID.match(reply_to) or frame.get("rating") not in ("up", "down"):
        raise FrameError(BAD_FRAME)
    rating = 1 if frame["rating"] == "up" else -1
    await desk.relay.rate_answer(connection.conversation_id, reply_to, rating)
    await connection.send({"type": "feedback_saved", "reply_to": reply_to, "rating": frame["rating"]})


async def _message(desk: Desk, limits: CitizenLimits, connection: Connection, frame: Dict) -> None:
    client_id = client_id_of(frame)
    text = text_field(frame, "text", 10 * settings.MAX_MESSAGE_CHARS)
    if not connection.messages.take() or not limits.messages.take(connection.ip):
        await connection.error(TOO_FAST, code="rate_limited", client_id=client_id)
        return
    kept = await desk.relay.keep(connection.conversation_id, client_id, text)
    if client_id:
        await connection.send({"type": "ack", "client_id": client_id})
    if kept:  # shielded: a closed tab cancels this handler, never the delivery
        await asyncio.shield(desk.relay.flush_later(connection.conversation_id))
