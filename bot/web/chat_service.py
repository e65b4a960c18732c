"""The handoff as the web sees it: citizens and agents around one ticket state machine.

Every citizen message goes to Rasa first (the tracker store is the one record); while a
ticket is queued or assigned the conversation is paused there, so Rasa only stores it
and the message goes on to the agents. Agent and system messages are appended to the
tracker as bot events (metadata ``role``: ``agent`` / ``system``) and pushed to the
citizen. Closing or cancelling resumes the conversation in Rasa: the bot is back.
"""
from __future__ import annotations

import asyncio
import logging
import uuid
from datetime import datetime, timezone
from typing import Dict, List, Optional

from bot import settings
from bot.faq.answering import faq_base
from bot.faq.render import render_answer
from bot.handoff import callback, counters, tickets
from bot.handoff.hours import business_hours
from bot.korean.pii import mask_pii
from bot.web import transcript
from bot.web.guard import prepare_text
from bot.web.hub import Hub
from bot.web.rasa_client import RasaClient, RasaError
from bot.web.users import get_account

logger = logging.getLogger(__name__)
db = asyncio.to_thread  # database calls leave the event loop free

CONNECTED = "{name} 상담원이 연결되었어요. 편하게 말씀해 주세요."
CLOSED = "상담이 종료되었어요. 이제 다시 챗봇이 도와드릴게요. 상담은 어떠셨나요?"
CANCELLED = "상담원 연결 요청을 취소했어요. 궁금한 점은 챗봇에게 물어봐 주세요."
AGENT_LOST = "상담원 연결이 끊어져 다시 대기열로 돌아갔어요. 곧 다른 상담원이 연결해 드릴게요."
TRANSFERRED = "{name} 상담원에게 상담이 넘겨졌어요."
REQUEUED = "담당 부서 상담원에게 연결하기 위해 다시 대기열에 올렸어요."
CALLBACK_TAKEN = "콜백 요청이 접수되었어요. 상담 가능 시간에 {phone} 번호로 연락드릴게요."
RASA_DOWN = "죄송해요, 지금 답변을 드릴 수 없어요. 잠시 후 다시 시도해 주세요."
LIVE = (tickets.QUEUED, tickets.ASSIGNED)


def new_conversation_id() -> str:
    return "c-" + uuid.uuid4().hex


def _age_seconds(moment: Optional[datetime]) -> int:
    if moment is None:
        return 0
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=timezone.utc)
    return max(0, int((datetime.now(timezone.utc) - moment).total_seconds()))


class ChatService:
    def __init__(self, hub: Hub, rasa: RasaClient) -> None:
        self.hub, self.rasa = hub, rasa
        self._queue_snapshot: Optional[List] = None

    # --- views ----------------------------------------------------------------------
    def agent_name(self, username: Optional[str]) -> Optional[str]:
        account = get_account(username) if username else None
        return account.display_name if account else None

    def ticket_json(self, ticket: tickets.Ticket) -> Dict:
        since = ticket.queued_at if ticket.status == tickets.QUEUED else ticket.created_at
        agent = get_account(ticket.agent_username) if ticket.agent_username else None
        labels = faq_base().categories()
        return {"id": ticket.id, "conversation_id": ticket.conversation_id, "status": ticket.status,
                "category": labels.get(ticket.category or "", ticket.category), "category_key": ticket.category,
                "department": ticket.department,
                "last_question": ticket.last_question, "created_at": ticket.created_at.isoformat(),
                "waiting_seconds": _age_seconds(since),
                "agent": {"username": agent.username, "display_name": agent.display_name} if agent else None,
                "citizen_online": self.hub.citizen_online(ticket.conversation_id),
                "rating": ticket.rating, "outcome": ticket.outcome}

    def state_payload(self, ticket: Optional[tickets.Ticket]) -> Dict:
        hours = business_hours().describe()
        if ticket is None or ticket.status not in tickets.ACTIVE:
            return {"type": "state", "state": "bot", "hours": hours}
        payload = {"type": "state", "state": ticket.status, "ticket_id": ticket.id, "hours": hours}
        if ticket.status == tickets.QUEUED:
            position = tickets.queue_position(ticket)
            agents = max(1, len(self.hub.online_agents()))
            payload.update(queue_position=position,
                           estimated_wait_minutes=-(-position * settings.AVERAGE_HANDLING_MINUTES // agents))
        elif ticket.status == tickets.ASSIGNED:
            payload["agent_name"] = self.agent_name(ticket.agent_username)
        return payload

    async def push_state(self, conversation_id: str) -> None:
        ticket = await db(tickets.active_ticket, conversation_id)
        await self.hub.to_citizen(conversation_id, await db(self.state_payload, ticket))

    async def push_queue(self) -> None:
        open_tickets = await db(tickets.open_tickets)
        payload = {"type": "queue", "tickets": [await db(self.ticket_json, t) for t in open_tickets]}
        self._queue_snapshot = [(t.id, t.status, t.agent_username) for t in open_tickets]
        await self.hub.to_agents(payload)
        for t in open_tickets:  # queued citizens see their position move
            if t.status == tickets.QUEUED:
                await self.hub.to_citizen(t.conversation_id, await db(self.state_payload, t))

    async def say(self, conversation_id: str, role: str, text: str, ticket_id: Optional[int] = None,
                  agent_name: Optional[str] = None, extra_events: Optional[List[Dict]] = None) -> Dict:
        """Record an agent/system message in the tracker, then push it to the citizen and agents."""
        meta = {"role": role, **({"agent_name": agent_name} if agent_name else {})}
        events = [{"event": "bot", "text": text, "metadata": meta,
                   "timestamp": datetime.now(timezone.utc).timestamp()}] + (extra_events or [])
        await self.rasa.append_events(conversation_id, events)
        message = transcript.message(role, text, agent_name=agent_name)
        await self.hub.to_citizen(conversation_id, message)
        if ticket_id is not None:
            await self.hub.to_agents({**message, "ticket_id": ticket_id})
        return message

    async def resume_bot(self, ticket: tickets.Ticket, text: str, rating: bool = False) -> None:
        # action_listen: the citizen's next message starts a fresh turn for the rules
        await self.say(ticket.conversation_id, "system", text, ticket.id, extra_events=[
            {"event": "resume"}, {"event": "slot", "name": "handoff_ticket", "value": None},
            {"event": "action", "name": "action_listen"}])
        await self.hub.to_citizen(ticket.conversation_id, self.state_payload(None))
        if rating:
            await self.hub.to_citizen(ticket.conversation_id, {"type": "rating_request", "ticket_id": ticket.id})

    # --- citizens -------------------------------------------------------------------
    async def history(self, conversation_id: str) -> List[Dict]:
        try:
            return transcript.from_events((await self.rasa.tracker(conversation_id)).get("events") or [])
        except RasaError:
            logger.warning("history unavailable for %s", conversation_id)
            return []

    async def citizen_message(self, conversation_id: str, text: str) -> None:
        await db(counters.citizen_message, conversation_id)
        ticket = await db(tickets.active_ticket, conversation_id)
        live = ticket is not None and ticket.status in LIVE
        if not live:
            await self.hub.to_citizen(conversation_id, {"type": "typing", "role": "bot", "on": True})
        try:
            replies = await self.rasa.send(conversation_id, text, {"channel": "web"})
        except RasaError:
            logger.exception("Rasa unreachable")
            replies = [{"text": RASA_DOWN}]
        finally:
            if not live:
                await self.hub.to_citizen(conversation_id, {"type": "typing", "role": "bot", "on": False})
        for reply in replies:
            if reply.get("text") or reply.get("buttons"):
                await self.hub.to_citizen(conversation_id, transcript.message(
                    "bot", reply.get("text") or "", buttons=reply.get("buttons")))
        if live:  # Rasa paused: the agents get it
            shown = transcript.payload_title(text) or prepare_text(text)
            await self.hub.to_agents(transcript.message("citizen", shown) | {"ticket_id": ticket.id})
        after = await db(tickets.active_ticket, conversation_id)
        if (after and after.id) != (ticket and ticket.id) or (after and ticket and after.status != ticket.status):
            await self.push_state(conversation_id)
            if after is not None and after.status == tickets.CALLBACK:
                await self.hub.to_citizen(conversation_id, {"type": "callback_form", "ticket_id": after.id})
            await self.push_queue()

    async def citizen_typing(self, conversation_id: str) -> None:
        ticket = await db(tickets.active_ticket, conversation_id)
        if ticket and ticket.status == tickets.ASSIGNED:
            await self.hub.to_agents({"type": "typing", "ticket_id": ticket.id, "on": True},
                                     [ticket.agent_username])

    async def cancel(self, conversation_id: str) -> None:
        ticket = await db(tickets.active_ticket, conversation_id)
        if ticket is None:
            return
        ticket = await db(tickets.cancel, ticket.id)
        await self.resume_bot(ticket, CANCELLED)
        await self.push_queue()

    async def rate(self, conversation_id: str, ticket_id: int, score: int) -> None:
        ticket = await db(tickets.get, ticket_id)
        if ticket.conversation_id != conversation_id:
            raise PermissionError("not this conversation's ticket")
        await db(tickets.rate, ticket_id, score)

    async def request_callback(self, conversation_id: str, ticket_id: int, phone: str, consent: bool) -> None:
        if not consent:
            raise ValueError("개인정보 수집·이용에 동의해 주셔야 콜백을 요청할 수 있어요.")
        ticket = await db(tickets.get, ticket_id)
        if ticket.conversation_id != conversation_id:
            raise PermissionError("not this conversation's ticket")
        await db(tickets.store_callback_phone, ticket_id, callback.encrypt_phone(phone))
        await self.say(conversation_id, "system",
                       CALLBACK_TAKEN.format(phone=mask_pii(callback.normalize_phone(phone))), ticket_id)
        await self.push_queue()

    async def citizen_left(self, conversation_id: str) -> None:
        ticket = await db(tickets.active_ticket, conversation_id)
        if ticket is not None:
            await self.hub.to_agents({"type": "ticket", "ticket": await db(self.ticket_json, ticket)})

    # --- agents ---------------------------------------------------------------------
    async def claim(self, ticket_id: int, username: str) -> tickets.Ticket:
        ticket = await db(tickets.claim, ticket_id, username)  # InvalidTransition when taken
        name = self.agent_name(username)
        await self.say(ticket.conversation_id, "system", CONNECTED.format(name=name), ticket.id)
        await self.push_state(ticket.conversation_id)
        await self.push_queue()
        return ticket

    async def agent_message(self, ticket_id: int, username: str, text: str) -> None:
        ticket = await db(tickets.get, ticket_id)
        if ticket.status != tickets.ASSIGNED or ticket.agent_username != username:
            raise PermissionError("this chat is not assigned to you")
        await self.say(ticket.conversation_id, "agent", text, ticket.id, agent_name=self.agent_name(username))

    async def agent_typing(self, ticket_id: int, username: str) -> None:
        ticket = await db(tickets.get, ticket_id)
        if ticket.agent_username == username:
            await self.hub.to_citizen(ticket.conversation_id, {"type": "typing", "role": "agent", "on": True})

    async def transfer(self, ticket_id: int, username: str, to_agent: Optional[str],
                       department: Optional[str]) -> tickets.Ticket:
        if to_agent:
            if get_account(to_agent) is None:
                raise ValueError(f"no agent {to_agent!r}")
            ticket = await db(tickets.transfer_to_agent, ticket_id, username, to_agent)
            await self.say(ticket.conversation_id, "system",
                           TRANSFERRED.format(name=self.agent_name(to_agent)), ticket.id)
        else:
            if department not in faq_base().city.departments:
                raise ValueError(f"no department {department!r}")
            ticket = await db(tickets.release, ticket_id, username, department)
            await self.say(ticket.conversation_id, "system", REQUEUED, ticket.id)
        await self.push_state(ticket.conversation_id)
        await self.push_queue()
        return ticket

    async def close(self, ticket_id: int, username: Optional[str], outcome: str, note: str) -> tickets.Ticket:
        ticket = await db(tickets.close, ticket_id, username, outcome, note)
        await self.resume_bot(ticket, CLOSED, rating=True)
        await self.push_queue()
        return ticket

    async def suggestions(self, ticket_id: int) -> List[Dict]:
        ticket = await db(tickets.get, ticket_id)
        try:
            events = (await self.rasa.tracker(ticket.conversation_id)).get("events") or []
            question = transcript.last_citizen_text(events) or ticket.last_question
            parsed = await self.rasa.parse(question) if question else {}
        except RasaError:
            return []
        base = faq_base()
        out = []
        for candidate in (parsed.get("faq_ranking") or [])[:3]:
            entry = base.get(candidate["faq_id"])
            if entry:
                out.append({"faq_id": entry.id, "question": entry.question, "score": candidate["score"],
                            "answer": render_answer(entry, base.city)})
        return out

    # --- timeouts -------------------------------------------------------------------
    async def watchdog_tick(self) -> None:
        """Return chats of vanished agents to the queue; cancel queued chats of vanished citizens."""
        changed = False
        for ticket in await db(tickets.open_tickets):
            try:
                if ticket.status == tickets.ASSIGNED and not self.hub.agent_online(ticket.agent_username) \
                        and self.hub.seconds_offline("agent", ticket.agent_username) > settings.AGENT_DISCONNECT_TIMEOUT:
                    released = await db(tickets.release, ticket.id, ticket.agent_username)
                    await self.say(released.conversation_id, "system", AGENT_LOST, released.id)
                    await self.push_state(released.conversation_id)
                    changed = True
                elif ticket.status == tickets.QUEUED and not self.hub.citizen_online(ticket.conversation_id) \
                        and self.hub.seconds_offline("citizen", ticket.conversation_id) > settings.CITIZEN_DISCONNECT_TIMEOUT:
                    await self.resume_bot(await db(tickets.cancel, ticket.id), CANCELLED)
                    changed = True
            except tickets.InvalidTransition:  # changed meanwhile (claimed, closed …): nothing to do
                changed = True
        self.hub.forget_departures(2 * max(settings.AGENT_DISCONNECT_TIMEOUT, settings.CITIZEN_DISCONNECT_TIMEOUT))
        snapshot = [(t.id, t.status, t.agent_username) for t in await db(tickets.open_tickets)]
        if changed or snapshot != self._queue_snapshot:
            await self.push_queue()
