"""The handoff desk: every ticket change the web app makes, and what people are told about it.

Each change holds the conversation (``Relay.conversation``), moves the ticket with one
conditional update that also writes the tracker record to the outbox, tells the citizen
and the chat's agent, then delivers the record to Rasa in the background. Permissions
follow :mod:`bot.web.roles`.
"""
from __future__ import annotations

import logging
import time
from typing import Callable, Dict, Iterable, List, Optional

from bot import settings
from bot.conversation import events as tracker_events
from bot.conversation import names
from bot.conversation.text import prepare_text
from bot.faq.answering import faq_base
from bot.faq.render import fill_facts
from bot.handoff import callback, outbox, tickets
from bot.handoff.hours import business_hours
from bot.studio import review
from bot.web import roles, views
from bot.web.hub import Hub
from bot.web.rasa_client import RasaClient
from bot.web.relay import Relay, db
from bot.web.users import get_account

logger = logging.getLogger(__name__)

CONNECTED = "{name} 상담원이 연결되었어요. 편하게 말씀해 주세요."
CALLBACK_CLAIMED = "{name} 상담원이 콜백 요청을 맡았어요. 남겨 주신 번호로 곧 전화드릴게요."
CLOSED = "상담이 종료되었어요. 이제 다시 챗봇이 도와드릴게요. 상담은 어떠셨나요?"
CANCELLED = "상담원 연결 요청을 취소했어요. 궁금한 점은 챗봇에게 물어봐 주세요."
AGENT_LOST = "상담원 연결이 끊어져 다시 대기열로 돌아갔어요. 곧 다른 상담원이 연결해 드릴게요."
TRANSFERRED = "{name} 상담원에게 상담이 넘겨졌어요."
REQUEUED = "담당 부서 상담원에게 연결하기 위해 다시 대기열에 올렸어요."
CALLBACK_TAKEN = "콜백 요청이 접수되었어요. 상담 가능 시간에 {phone} 번호로 연락드릴게요."
CALLBACK_LAPSED = "전화번호가 남겨지지 않아 콜백 요청은 접수하지 않고 마감했어요."
CALLBACK_EXPIRED = "죄송해요. 남겨 주신 콜백 요청을 {hours}시간 안에 연결해 드리지 못해 마감했어요."
CALLBACK_DISMISSED = "남겨 주신 콜백 요청을 상담원이 확인하고 마감했어요."
#: how else to reach the call center; a line whose city fact is unverified is left out
OTHER_WAYS = ("상담원과 이야기하시려면 운영 시간({hours})에 이 대화창에서 '상담원 연결'을 요청해 주세요.\n"
              "전화 상담은 {callcenter_name}(☎ {callcenter_phone})로 하실 수 있어요.\n"
              "정부 민원 전반은 {gov_callcenter}에서도 안내받으실 수 있어요.")
PUT_BACK = "상담원 배정이 취소되어 원래 대기 순서로 돌아갔어요. 곧 상담원이 연결해 드릴게요."
PUT_BACK_CALLBACK = "콜백 요청이 다시 상담원 대기 목록으로 돌아갔어요. 운영 시간에 상담원이 전화드릴게요."
AGENT_MAX_CHARS = 2000
PURGE_EVERY_SECONDS = 600


def other_ways() -> str:
    """How else a citizen reaches the call center (verified facts only), one paragraph."""
    text = fill_facts(OTHER_WAYS.replace("{hours}", business_hours().describe()), faq_base().city)
    return " ".join(line for line in text.splitlines() if line)


class Desk:
    def __init__(self, hub: Hub, rasa: RasaClient) -> None:
        self.hub, self.rasa = hub, rasa
        self.relay = Relay(hub, rasa, on_ticket_change=self.ticket_opened, on_question=self.question_asked)
        self._queue_snapshot: Optional[List] = None
        self._purged = time.monotonic()

    # --- pushes ---------------------------------------------------------------------------
    async def push_state(self, conversation_id: str) -> None:
        ticket = await db(tickets.active_ticket, conversation_id)
        await self.hub.to_citizen(conversation_id, await db(views.citizen_state, ticket, self.hub))

    async def queue(self) -> List[Dict]:
        """The console's queue rows, in working order (:func:`tickets.queue_tickets`)."""
        return [await db(views.ticket_summary, t, self.hub) for t in await db(tickets.queue_tickets)]

    async def push_queue(self) -> None:
        open_tickets = await db(tickets.queue_tickets)
        self._queue_snapshot = _snapshot(open_tickets)
        await self.hub.to_queue_watchers(
            {"type": "queue", "tickets": [await db(views.ticket_summary, t, self.hub) for t in open_tickets]})
        for t in open_tickets:  # queued citizens see their position move
            if t.status == tickets.QUEUED:
                await self.hub.to_citizen(t.conversation_id, await db(views.citizen_state, t, self.hub))

    async def ticket_opened(self, conversation_id: str) -> None:
        """The bot opened (or found) a ticket while answering: state, callback form, queue."""
        ticket = await db(tickets.active_ticket, conversation_id)
        if ticket is None or ticket.status != tickets.QUEUED:  # a queued citizen hears it from push_queue
            await self.hub.to_citizen(conversation_id, await db(views.citizen_state, ticket, self.hub))
        if ticket is not None and ticket.status == tickets.CALLBACK and not ticket.has_callback_phone:
            await self.hub.to_citizen(conversation_id, {"type": "callback_form", "ticket_id": ticket.id})
        await self.push_queue()

    async def citizen_presence(self, conversation_id: str) -> None:
        ticket = await db(tickets.active_ticket, conversation_id)
        if ticket is not None:
            await self.hub.to_queue_watchers({"type": "ticket", "ticket": await db(views.ticket_summary, ticket, self.hub)})

    # --- one change ------------------------------------------------------------------------
    async def _change(self, ticket: tickets.Ticket, change: Callable[[List[Dict]], tickets.Ticket],
                      events: List[Dict], audience: Optional[str] = None, push_queue: bool = True) -> tickets.Ticket:
        """Run ``change(record)`` holding the conversation, tell everyone, deliver the record."""
        conversation_id = ticket.conversation_id
        async with self.relay.conversation(conversation_id):
            changed = await db(change, events)
            await self.relay.publish(conversation_id, events, changed, audience)
            await self.push_state(conversation_id)
        self.relay.flush_later(conversation_id)
        if push_queue:
            await self.push_queue()
        return changed

    # --- citizens -------------------------------------------------------------------------
    async def cancel(self, conversation_id: str) -> None:
        ticket = await db(tickets.active_ticket, conversation_id)
        if ticket is None:
            return
        record = [tracker_events.spoken(names.SYSTEM, CANCELLED), *tracker_events.back_to_bot()]
        await self._change(ticket, lambda r: tickets.cancel(ticket.id, record=r), record,
                           audience=roles.chat_audience(ticket))

    async def question_asked(self, ticket: tickets.Ticket, text: str) -> None:
        """A held citizen asked something (else): the queue card shows it."""
        await db(tickets.set_last_question, ticket.id, text)
        await self.citizen_presence(ticket.conversation_id)

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
        encrypted = callback.encrypt_phone(phone)  # ValueError (Korean) for a number that is no phone
        text = CALLBACK_TAKEN.format(phone=callback.masked(callback.normalize_phone(phone)))
        record = [tracker_events.spoken(names.SYSTEM, text)]
        await self._change(ticket, lambda r: tickets.store_callback_phone(ticket_id, encrypted, record=r), record)

    # --- agents ---------------------------------------------------------------------------
    async def claim(self, ticket_id: int, username: str) -> tickets.Ticket:
        ticket = await db(tickets.get, ticket_id)  # TicketNotFound
        text = CALLBACK_CLAIMED if ticket.status == tickets.CALLBACK else CONNECTED
        record = [tracker_events.spoken(names.SYSTEM, text.format(name=views.agent_name(username)))]
        return await self._change(ticket, lambda r: tickets.claim(ticket_id, username, record=r), record)

    async def put_back(self, ticket_id: int, username: str, role: str) -> tickets.Ticket:
        """Undo a claim: back to its place in the queue, or to the callbacks."""
        ticket = await db(tickets.get, ticket_id)
        if not roles.may_manage_chat(role, username, ticket):
            raise PermissionError("this chat is not assigned to you")
        text = PUT_BACK_CALLBACK if ticket.claimed_from == tickets.CALLBACK else PUT_BACK
        record = [tracker_events.spoken(names.SYSTEM, text)]
        return await self._change(ticket, lambda r: tickets.put_back(ticket_id, ticket.agent_username, record=r),
                                  record, audience=ticket.agent_username)

    async def dismiss(self, ticket_ids: Iterable[int], username: str) -> Dict[str, List[int]]:
        """Clear callback requests from the queue (stale, off-topic); each citizen is told how
        else to reach the call center. Those that changed meanwhile are skipped."""
        done, skipped = [], []
        for ticket_id in ticket_ids:
            try:
                ticket = await db(tickets.get, ticket_id)
                await self._end_callback(ticket, CALLBACK_DISMISSED, lambda r, t=ticket: tickets.dismiss(
                    t.id, username, record=r))
                done.append(ticket_id)
            except (tickets.TicketNotFound, tickets.InvalidTransition):
                skipped.append(ticket_id)
        await self.push_queue()
        return {"dismissed": done, "skipped": skipped}

    async def _end_callback(self, ticket: tickets.Ticket, text: str,
                            end: Callable[[List[Dict]], tickets.Ticket]) -> None:
        """End a callback request with ``end(record)``, telling the citizen how else to reach us."""
        record = [tracker_events.spoken(names.SYSTEM, f"{text} {other_ways()}"), *tracker_events.back_to_bot()]
        await self._change(ticket, end, record, push_queue=False)

    async def agent_message(self, ticket_id: int, username: str, text: str) -> None:
        ticket = await db(tickets.get, ticket_id)
        text = prepare_text(text, max_chars=AGENT_MAX_CHARS, keep_lines=True)  # masked like citizens', line breaks kept
        if not text:
            raise ValueError("빈 메시지는 보낼 수 없어요.")
        record = [tracker_events.spoken(names.AGENT, text, views.agent_name(username))]
        async with self.relay.conversation(ticket.conversation_id):
            held = await db(tickets.record_while_held, ticket_id, username, record)  # PermissionError
            await self.relay.publish(ticket.conversation_id, record, held)
        self.relay.flush_later(ticket.conversation_id)

    async def agent_typing(self, ticket_id: int, username: str) -> None:
        ticket = await db(tickets.get, ticket_id)
        if not roles.holds(username, ticket):
            raise PermissionError("this chat is not assigned to you")
        await self.hub.to_citizen(ticket.conversation_id, {"type": "typing", "role": names.AGENT, "on": True})

    async def citizen_typing(self, conversation_id: str) -> None:
        ticket = await db(tickets.agent_holds, conversation_id)
        if ticket is not None and ticket.status == tickets.ASSIGNED:
            await self.hub.to_agent(ticket.agent_username, {"type": "typing", "ticket_id": ticket.id, "on": True})

    async def transfer(self, ticket_id: int, username: str, role: str, to_agent: Optional[str],
                       department: Optional[str]) -> tickets.Ticket:
        ticket = await db(tickets.get, ticket_id)
        if not roles.may_manage_chat(role, username, ticket):
            raise PermissionError("this chat is not assigned to you")
        holder = ticket.agent_username
        if to_agent:
            target = await db(get_account, to_agent)
            if target is None or target.role not in roles.LIVE_CHAT:
                raise ValueError("넘길 수 있는 상담원이 아니에요.")
            record = [tracker_events.spoken(names.SYSTEM, TRANSFERRED.format(name=target.display_name))]
            return await self._change(ticket, lambda r: tickets.transfer_to_agent(
                ticket_id, holder, to_agent, record=r), record, audience=holder)
        if department not in faq_base().city.departments:
            raise ValueError("담당 부서를 목록에서 골라 주세요.")
        record = [tracker_events.spoken(names.SYSTEM, REQUEUED)]
        return await self._change(ticket, lambda r: tickets.release(ticket_id, holder, department, record=r),
                                  record, audience=holder)

    async def close(self, ticket_id: int, username: str, role: str, outcome: str, note: str) -> tickets.Ticket:
        ticket = await db(tickets.get, ticket_id)
        if not roles.may_manage_chat(role, username, ticket):
            raise PermissionError("this chat is not assigned to you")
        record = [tracker_events.spoken(names.SYSTEM, CLOSED), *tracker_events.back_to_bot()]
        closed = await self._change(ticket, lambda r: tickets.close(
            ticket_id, ticket.agent_username, outcome, note, record=r), record,
            audience=ticket.agent_username)
        await self.hub.to_citizen(ticket.conversation_id, {"type": "rating_request", "ticket_id": ticket_id})
        await self._review_closed(closed)
        return closed

    async def _review_closed(self, ticket: tickets.Ticket) -> None:
        """An agent solved what the bot could not: its question and first reply join the review queue."""
        if ticket.outcome not in review.AGENT_SOLVED:
            return
        try:
            await db(review.after_ticket_closed, ticket, await self.relay.history(ticket.conversation_id))
        except Exception:  # the review queue never fails a close
            logger.exception("could not record closed ticket %s for the review queue", ticket.id)

    # --- timeouts -------------------------------------------------------------------------
    async def watchdog_tick(self) -> None:
        """Vanished agents' chats back to the queue, vanished citizens' and phone-less callback
        requests cancelled, late outbox rows retried, the queue pushed when it changed."""
        changed = False
        for ticket in await db(tickets.open_tickets):
            try:
                changed |= await self._expire(ticket)
            except tickets.InvalidTransition:  # changed meanwhile (claimed, closed …): nothing to do
                changed = True
        ends = ((tickets.LAPSED, CALLBACK_LAPSED, await db(tickets.lapsed_callback_requests,
                                                           settings.CALLBACK_FORM_MINUTES)),
                (tickets.EXPIRED, CALLBACK_EXPIRED.format(hours=settings.CALLBACK_EXPIRY_HOURS),
                 await db(tickets.expired_callbacks, settings.CALLBACK_EXPIRY_HOURS)))
        for reason, text, due in ends:
            for ticket in due:
                try:
                    await self._end_callback(ticket, text, lambda r, t=ticket, why=reason: tickets.cancel(
                        t.id, record=r, reason=why))
                except tickets.InvalidTransition:
                    pass
                changed = True
        self.hub.forget_departures(2 * max(settings.AGENT_DISCONNECT_TIMEOUT, settings.CITIZEN_DISCONNECT_TIMEOUT))
        await self.relay.retry_due()
        if time.monotonic() - self._purged > PURGE_EVERY_SECONDS:
            self._purged = time.monotonic()
            await db(outbox.purge)
        if changed or _snapshot(await db(tickets.queue_tickets)) != self._queue_snapshot:
            await self.push_queue()

    async def _expire(self, ticket: tickets.Ticket) -> bool:
        if ticket.status == tickets.ASSIGNED and not self.hub.agent_online(ticket.agent_username) \
                and self.hub.seconds_offline("agent", ticket.agent_username) > settings.AGENT_DISCONNECT_TIMEOUT:
            lost = PUT_BACK_CALLBACK if ticket.claimed_from == tickets.CALLBACK else AGENT_LOST
            record = [tracker_events.spoken(names.SYSTEM, lost)]
            await self._change(ticket, lambda r: tickets.release(ticket.id, ticket.agent_username, record=r),
                               record, push_queue=False)
            return True
        if ticket.status == tickets.QUEUED and not self.hub.citizen_online(ticket.conversation_id) \
                and self.hub.seconds_offline("citizen", ticket.conversation_id) > settings.CITIZEN_DISCONNECT_TIMEOUT:
            record = [tracker_events.spoken(names.SYSTEM, CANCELLED), *tracker_events.back_to_bot()]
            await self._change(ticket, lambda r: tickets.cancel(ticket.id, record=r, reason=tickets.CITIZEN_LEFT),
                               record, push_queue=False)
            return True
        return False


def _snapshot(queue: List[tickets.Ticket]) -> List:
    """What a queue push shows that can change without a push of its own."""
    return [(t.id, t.status, t.agent_username, t.last_question) for t in queue]
