"""Citizen messages between the browser, the bot and the agents; the outbox delivered in order.

A citizen message is masked, routed and kept durably before the browser gets its ``ack``:
while an agent holds the conversation (``tickets.agent_holds``) it goes to the agent at once
and is recorded for the tracker as it is; otherwise it waits in the outbox for the bot. Each
conversation's outbox rows — citizen messages, agent and system messages written with the
ticket changes — reach Rasa in order, one conversation at a time (a lock per conversation),
retried with back-off while Rasa is away; the citizen is told once that the answer is late.
"""
from __future__ import annotations

import asyncio
import logging
from contextlib import asynccontextmanager
from typing import AsyncIterator, Awaitable, Callable, Dict, List, Optional, Set

from sqlalchemy.exc import SQLAlchemyError

from bot.conversation import events as tracker_events
from bot.conversation import names, question, transcript
from bot.conversation.text import EMPTY_REPLY, prepare_text
from bot.handoff import counters, outbox, tickets
from bot.handoff.outbox import OutboxItem
from bot.studio import feedback
from bot.web import roles
from bot.web.hub import Hub
from bot.web.rasa_client import RasaClient, RasaError

logger = logging.getLogger(__name__)
db = asyncio.to_thread  # database calls leave the event loop free

RASA_SLOW = "답변이 조금 늦어지고 있어요. 메시지는 잘 받았으니 연결되는 대로 이어서 답변해 드릴게요."
NO_ANSWER = "죄송해요, 지금은 답변을 준비하지 못했어요. 잠시 후 다시 질문해 주세요."


class Relay:
    def __init__(self, hub: Hub, rasa: RasaClient, on_ticket_change: Callable[[str], Awaitable[None]],
                 on_question: Optional[Callable[[tickets.Ticket, str], Awaitable[None]]] = None) -> None:
        self.hub, self.rasa = hub, rasa
        self.on_ticket_change = on_ticket_change  # the bot opened a ticket: pushes state and queue
        self.on_question = on_question  # a held citizen asked something: the queue card shows it
        self._locks: Dict[str, asyncio.Lock] = {}
        self._users: Dict[str, int] = {}
        self._flushing: Set[str] = set()
        self._tasks: Set[asyncio.Task] = set()

    # --- one conversation at a time ---------------------------------------------------
    @asynccontextmanager
    async def conversation(self, conversation_id: str) -> AsyncIterator[None]:
        """Hold the conversation: routing, ticket changes and deliveries never interleave."""
        lock = self._locks.setdefault(conversation_id, asyncio.Lock())
        self._users[conversation_id] = self._users.get(conversation_id, 0) + 1
        try:
            async with lock:
                yield
        finally:
            self._users[conversation_id] -= 1
            if not self._users[conversation_id]:
                del self._users[conversation_id], self._locks[conversation_id]

    # --- citizens ----------------------------------------------------------------------
    async def keep(self, conversation_id: str, client_id: Optional[str], raw_text: str) -> bool:
        """Mask, route and keep a citizen message; False if there was nothing to keep (empty).

        Raises when the database is unreachable: the browser then keeps the message and sends
        it again. The caller acknowledges, then :meth:`flush` delivers it.
        """
        text = prepare_text(raw_text)
        if not text:
            await self.hub.to_citizen(conversation_id, transcript.message(names.BOT, EMPTY_REPLY))
            return False
        async with self.conversation(conversation_id):
            ticket = await db(tickets.agent_holds, conversation_id)
            if ticket is not None:
                event = tracker_events.citizen_for_agent(text, client_id, ticket.id)
                _, new = await db(outbox.add_record, conversation_id, [event], client_id)
                if new:
                    await self._to_chat(ticket, transcript.message(names.CITIZEN, _shown(text)))
                if new and self.on_question and text != ticket.last_question and question.is_question(text):
                    await self.on_question(ticket, text)
            else:
                _, new = await db(outbox.add_citizen_message, conversation_id, client_id, text)
            if new:
                await db(counters.citizen_message, conversation_id)
        return True

    async def history(self, conversation_id: str) -> List[Dict]:
        """The conversation as the citizen saw it: the tracker, then what is still on its way."""
        try:
            events = (await self.rasa.tracker(conversation_id)).get("events") or []
        except RasaError:
            logger.warning("history of %s unavailable: Rasa unreachable", conversation_id)
            events = []
        messages = transcript.from_events(events)
        for item in await db(outbox.pending, conversation_id):
            if _recorded(events, item):  # delivered while we read: already in the tracker
                continue
            if item.kind == outbox.CITIZEN:
                messages.append(transcript.message(names.CITIZEN, _shown(item.text or ""),
                                                   item.created_at.isoformat()))
            else:
                messages.extend(transcript.from_events(item.events))
        return messages

    # --- agents and the system -----------------------------------------------------------
    async def publish(self, conversation_id: str, events: List[Dict], ticket: tickets.Ticket,
                      audience: Optional[str] = None) -> None:
        """Push recorded events to the citizen and the chat's agent (``audience``, default holder)."""
        for event in events:
            message = transcript.from_event(event)
            if message is None:
                continue
            await self.hub.to_citizen(conversation_id, message)
            await self._to_chat(ticket, message, audience)

    async def _to_chat(self, ticket: tickets.Ticket, message: Dict, audience: Optional[str] = None) -> None:
        """A chat message to the agent holding ``ticket`` (or ``audience``) and to admins."""
        await self.hub.to_chat(audience or roles.chat_audience(ticket), {**message, "ticket_id": ticket.id})

    # --- delivery ------------------------------------------------------------------------
    async def flush(self, conversation_id: str) -> None:
        """Deliver the conversation's outbox in order; stop at the first failure (retried later)."""
        self._flushing.add(conversation_id)
        try:
            async with self.conversation(conversation_id):
                for item in await db(outbox.pending, conversation_id):
                    if not await self._deliver(item):
                        break
        finally:
            self._flushing.discard(conversation_id)

    def flush_later(self, conversation_id: str) -> asyncio.Task:
        """Deliver in a task of its own: an agent's request does not wait for Rasa, and a citizen
        who closes the tab does not cut a delivery in half (the caller may shield and await it)."""
        task = asyncio.ensure_future(self._safe_flush(conversation_id))
        self._tasks.add(task)
        task.add_done_callback(self._tasks.discard)
        return task

    async def _safe_flush(self, conversation_id: str) -> None:
        try:
            await self.flush(conversation_id)
        except SQLAlchemyError as exc:  # the database is away: the watchdog tries again
            logger.warning("outbox of %s not delivered yet: %s", conversation_id, type(exc).__name__)

    async def retry_due(self) -> None:
        """Start deliveries whose back-off has passed (called by the watchdog)."""
        for conversation_id in await db(outbox.due_conversations):
            if conversation_id not in self._flushing:
                self.flush_later(conversation_id)

    async def _deliver(self, item: OutboxItem) -> bool:
        attempts = await db(outbox.attempt, item)  # counted first: a cut-short attempt is checked next time
        try:
            if item.kind == outbox.RECORD:
                await self._deliver_record(item)
            else:
                await self._deliver_citizen_message(item)
        except RasaError as exc:
            logger.warning("outbox row %s of %s not delivered (attempt %d): %s",
                           item.id, item.conversation_id, attempts, exc)
            if attempts == 1 and item.kind == outbox.CITIZEN:
                await self.hub.to_citizen(item.conversation_id, _reply(item, names.SYSTEM, RASA_SLOW))
            return False
        await db(outbox.delivered, item.id)
        return True

    async def _deliver_record(self, item: OutboxItem) -> None:
        if item.attempts and transcript.has_outbox_record(await self._events(item.conversation_id), item.id):
            return  # an earlier try got through before its answer was lost
        await self.rasa.append_events(item.conversation_id, tracker_events.tag(item.events, item.id))

    async def _deliver_citizen_message(self, item: OutboxItem) -> None:
        conversation_id = item.conversation_id
        if item.attempts and item.client_id:
            events = await self._events(conversation_id)
            index = transcript.find_client_message(events, item.client_id)
            if index is not None:  # Rasa has it already: show what it answered
                await self._show_replies(conversation_id, item, transcript.bot_replies_after(events, index))
                return
        await self.hub.to_citizen(conversation_id, {"type": "typing", "role": names.BOT, "on": True})
        try:
            metadata = {"channel": names.WEB_CHANNEL, **({names.META_CLIENT_ID: item.client_id} if item.client_id else {})}
            replies = await self.rasa.send(conversation_id, item.text or "", metadata)
        finally:
            await self.hub.to_citizen(conversation_id, {"type": "typing", "role": names.BOT, "on": False})
        await self._show_replies(conversation_id, item, replies)

    async def _show_replies(self, conversation_id: str, item: OutboxItem, replies: List[Dict]) -> None:
        reached, handoff = False, False
        answers = _answers(replies)
        for index, reply in enumerate(replies):
            custom = reply.get("custom") if isinstance(reply.get("custom"), dict) else {}
            if names.REPLY_ROUTED in custom:  # an agent took the chat meanwhile: it is theirs
                ticket = await db(tickets.agent_holds, conversation_id)
                if ticket is not None:
                    await self._to_chat(ticket, transcript.message(names.CITIZEN, _shown(item.text or "")))
                reached = True
            handoff = handoff or names.REPLY_HANDOFF in custom
            if reply.get("text") or reply.get("buttons"):
                message = _reply(item, names.BOT, reply.get("text") or "", reply.get("buttons"))
                if index in answers and item.client_id:  # the page offers 👍/👎 under it
                    message["faq_id"] = answers[index]
                await self.hub.to_citizen(conversation_id, message)
                reached = True
        if not reached:  # the bot read it but could not answer (an action failed)
            await self.hub.to_citizen(conversation_id, _reply(item, names.SYSTEM, NO_ANSWER))
        if handoff:
            await self.on_ticket_change(conversation_id)

    async def _events(self, conversation_id: str) -> List[Dict]:
        return (await self.rasa.tracker(conversation_id)).get("events") or []

    async def rate_answer(self, conversation_id: str, reply_to: str, rating: int) -> None:
        """The citizen's 👍 (1) or 👎 (-1) on the bot's answer to their message ``reply_to``."""
        answer = feedback.rated_answer(await self._events(conversation_id), reply_to)
        if answer is None:
            raise ValueError("평가할 수 있는 답변이 아니에요.")
        await db(feedback.vote, conversation_id, reply_to, rating, answer)


def _answers(replies: List[Dict]) -> Dict[int, str]:
    """Which replies end an FAQ answer: the last shown reply before each ``{"faq": …}`` custom."""
    out: Dict[int, str] = {}
    last_shown: Optional[int] = None
    for index, reply in enumerate(replies):
        answered = transcript.answered_faq(reply)
        if answered and last_shown is not None:
            out[last_shown] = answered
        if reply.get("text") or reply.get("buttons"):
            last_shown = index
    return out


def _recorded(events: List[Dict], item: OutboxItem) -> bool:
    """Is the outbox row ``item`` already in the tracker ``events``?"""
    if item.kind == outbox.RECORD:
        return transcript.has_outbox_record(events, item.id)
    return bool(item.client_id) and transcript.find_client_message(events, item.client_id) is not None


def _reply(item: OutboxItem, role: str, text: str, buttons: Optional[List[Dict]] = None) -> Dict:
    """A message answering the citizen message of ``item`` (``reply_to``: its client id)."""
    return {**transcript.message(role, text, buttons=buttons), "reply_to": item.client_id}


def _shown(text: str) -> str:
    """A citizen message as people read it (a button payload as the button's words)."""
    return transcript.payload_title(text) or text
