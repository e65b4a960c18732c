"""The one handoff state machine and its repository.

    bot ──request──▶ queued ──claim──▶ assigned ──close──▶ closed ──▶ bot
                       ▲  │               │ │
                       │  └─cancel─┐      │ └─transfer to an agent (stays assigned)
                       └─release───┼──────┘   (agent gone, transfer to a department, put back)
                                   ▼
                               cancelled ──▶ bot
    outside hours:  bot ──request──▶ callback ──claim (with a phone number)──▶ assigned (the agent calls back)
                                     ▲  ├──request again in hours──▶ queued
                                     │  ├──no phone number in time (lapsed)──▶ cancelled
                                     │  └──not taken in time (expired), dismissed by an agent──▶ cancelled
                                     └──put back by the agent who claimed it── assigned

A callback request without a phone number is no ticket for the agents: it is not in the
queue (:func:`queue_tickets`) and cannot be claimed; it lapses after ``CALLBACK_FORM_MINUTES``.

A conversation has at most one *active* ticket (queued, assigned or callback). While its
ticket is queued or assigned (``HELD``; a claimed callback is assigned) an agent holds the
conversation and the bot never answers it: :func:`agent_holds` is the one test, used by
the web app and by the Rasa channel. Every change is one conditional UPDATE
(``… WHERE status IN (allowed)``), so two agents can never both claim a ticket, on SQLite
or PostgreSQL; the tracker events that record a change (``record=``) go into the
conversation outbox in the same transaction, so the record may be late but is never lost
or contradicted. Texts are masked.
"""
from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Dict, Iterable, Iterator, List, Optional, Tuple

from sqlalchemy import and_, func, or_, select, update

from bot.handoff import outbox
from bot.korean.pii import mask_pii
from bot.storage.db import session_scope
from bot.storage.models import HandoffTicket, as_utc, utcnow

QUEUED, ASSIGNED, CLOSED, CANCELLED, CALLBACK = "queued", "assigned", "closed", "cancelled", "callback"
ACTIVE = (QUEUED, ASSIGNED, CALLBACK)
HELD = (QUEUED, ASSIGNED)  # an agent holds the conversation: the bot is silent
TRANSITIONS = {
    QUEUED: {ASSIGNED, CANCELLED},
    ASSIGNED: {CLOSED, QUEUED, ASSIGNED, CANCELLED, CALLBACK},  # → assigned: transfer; → callback: put back
    CALLBACK: {QUEUED, ASSIGNED, CLOSED, CANCELLED},
    CLOSED: set(),
    CANCELLED: set(),
}
OUTCOMES = ("resolved", "info_given", "callback_needed", "no_response", "other")
#: why a ticket was cancelled (``end_reason``)
BY_CITIZEN, CITIZEN_LEFT, LAPSED, EXPIRED, DISMISSED = "citizen", "left", "lapsed", "expired", "dismissed"


class InvalidTransition(ValueError):
    """The ticket cannot go from its current state to the requested one."""


class TicketNotFound(KeyError):
    """No ticket with that id."""


@dataclass(frozen=True)
class Ticket:
    id: int
    conversation_id: str
    status: str
    category: Optional[str]
    department: Optional[str]
    reason: str
    last_question: Optional[str]
    transcript: List[dict]
    created_at: datetime
    agent_username: Optional[str] = None
    queued_at: Optional[datetime] = None
    assigned_at: Optional[datetime] = None
    closed_at: Optional[datetime] = None
    outcome: Optional[str] = None
    note: Optional[str] = None
    rating: Optional[int] = None
    has_callback_phone: bool = False
    claimed_from: Optional[str] = None
    end_reason: Optional[str] = None
    ended_by: Optional[str] = None

    @classmethod
    def from_row(cls, row: HandoffTicket) -> "Ticket":
        return cls(row.id, row.conversation_id, row.status, row.category, row.department, row.reason,
                   row.last_question, json.loads(row.transcript or "[]"), row.created_at,
                   row.agent_username, row.queued_at, row.assigned_at, row.closed_at, row.outcome,
                   row.note, row.rating, bool(row.callback_phone), row.claimed_from, row.end_reason,
                   row.ended_by)

    @property
    def is_callback(self) -> bool:
        """A callback request, waiting or taken by an agent (who calls the citizen back)."""
        return self.status == CALLBACK or (self.status == ASSIGNED and self.claimed_from == CALLBACK)


def _masked_transcript(turns: Iterable[dict]) -> str:
    return json.dumps([{**t, "text": mask_pii(str(t.get("text", "")))} for t in turns], ensure_ascii=False)


def get(ticket_id: int) -> Ticket:
    with session_scope() as s:
        row = s.get(HandoffTicket, ticket_id)
        if row is None:
            raise TicketNotFound(ticket_id)
        return Ticket.from_row(row)


def active_ticket(conversation_id: str) -> Optional[Ticket]:
    with session_scope() as s:
        row = s.execute(
            select(HandoffTicket).where(HandoffTicket.conversation_id == conversation_id,
                                        HandoffTicket.status.in_(ACTIVE))
            .order_by(HandoffTicket.id.desc())
        ).scalars().first()
        return Ticket.from_row(row) if row else None


def agent_holds(conversation_id: str) -> Optional[Ticket]:
    """The conversation's ticket while an agent holds it (queued or assigned), else None."""
    ticket = active_ticket(conversation_id)
    return ticket if ticket is not None and ticket.status in HELD else None


def latest_ticket(conversation_id: str) -> Optional[Ticket]:
    with session_scope() as s:
        row = s.execute(select(HandoffTicket).where(HandoffTicket.conversation_id == conversation_id)
                        .order_by(HandoffTicket.id.desc())).scalars().first()
        return Ticket.from_row(row) if row else None


def open_tickets() -> List[Ticket]:
    """Queued, assigned and callback tickets, oldest first."""
    with session_scope() as s:
        rows = s.execute(select(HandoffTicket).where(HandoffTicket.status.in_(ACTIVE))
                         .order_by(HandoffTicket.id)).scalars().all()
        return [Ticket.from_row(r) for r in rows]


def queue_tickets() -> List[Ticket]:
    """What the agents work, in the order they work it: live chats waiting (longest wait
    first), chats being worked, then callback requests with a phone number (oldest first).
    A callback request without a number is no ticket yet and is left out."""
    def order(t: Ticket):
        group = {QUEUED: 0, ASSIGNED: 1, CALLBACK: 2}[t.status]
        since = {QUEUED: t.queued_at, ASSIGNED: t.assigned_at, CALLBACK: t.created_at}[t.status] or t.created_at
        return group, as_utc(since), t.id

    return sorted((t for t in open_tickets() if t.status != CALLBACK or t.has_callback_phone), key=order)


def request_handoff(conversation_id: str, transcript: Iterable[dict], *, within_hours: bool,
                    category: Optional[str] = None, department: Optional[str] = None,
                    last_question: Optional[str] = None, reason: str = "requested") -> Ticket:
    """Open a ticket (queued in hours, callback outside), or return the active one."""
    existing = active_ticket(conversation_id)
    if existing is not None:
        if existing.status == CALLBACK and within_hours:
            return _change(existing.id, QUEUED, queued_at=utcnow())
        return existing
    now = utcnow()
    with session_scope() as s:
        row = HandoffTicket(
            conversation_id=conversation_id, status=QUEUED if within_hours else CALLBACK,
            category=category, department=department, reason=reason,
            last_question=mask_pii(last_question) if last_question else None,
            transcript=_masked_transcript(transcript), created_at=now, updated_at=now, queued_at=now,
        )
        s.add(row)
        s.flush()
        return Ticket.from_row(row)


Record = Optional[List[Dict]]


def _change(ticket_id: int, new_status: str, *, agent: Optional[str] = None,
            allowed_from: Optional[Iterable[str]] = None, record: Record = None, where: Iterable = (),
            **values) -> Ticket:
    """Atomically move a ticket to ``new_status`` if the state machine allows it from its
    current state (and, with ``agent``, only while that agent holds it; ``where``: further
    conditions); ``record``: tracker events for the conversation outbox, committed with the change."""
    if allowed_from is None:
        allowed_from = [state for state, targets in TRANSITIONS.items() if new_status in targets]
    conditions = [HandoffTicket.id == ticket_id, HandoffTicket.status.in_(list(allowed_from)), *where]
    if agent is not None:
        conditions.append(HandoffTicket.agent_username == agent)
    with session_scope() as s:
        result = s.execute(update(HandoffTicket).where(*conditions)
                           .values(status=new_status, updated_at=utcnow(), **values)
                           .execution_options(synchronize_session=False))
        if result.rowcount != 1:
            row = s.get(HandoffTicket, ticket_id)
            if row is None:
                raise TicketNotFound(ticket_id)
            holder = f" (held by {row.agent_username})" if agent and row.agent_username != agent else ""
            raise InvalidTransition(f"ticket {ticket_id}: {row.status} → {new_status} is not allowed{holder}")
        if record:
            outbox.add_record(s.get(HandoffTicket, ticket_id).conversation_id, record, session=s)
    return get(ticket_id)


def transition(ticket_id: int, new_status: str) -> Ticket:
    """Move a ticket along the state machine; :class:`InvalidTransition` otherwise."""
    return _change(ticket_id, new_status)


def claim(ticket_id: int, agent: str, record: Record = None) -> Ticket:
    """An agent takes a queued ticket or a callback request with a phone number; exactly one
    of racing agents wins. Where it came from is kept for :func:`put_back`."""
    claimable = or_(HandoffTicket.status == QUEUED,
                    and_(HandoffTicket.status == CALLBACK, HandoffTicket.callback_phone.isnot(None)))
    ticket = _change(ticket_id, ASSIGNED, allowed_from=(QUEUED, CALLBACK), where=[claimable],
                     agent_username=agent, claimed_from=HandoffTicket.status, record=record)
    if ticket.assigned_at is None:
        ticket = _set(ticket_id, assigned_at=utcnow())
    return ticket


def release(ticket_id: int, agent: Optional[str] = None, department: Optional[str] = None,
            record: Record = None) -> Ticket:
    """Back to the end of the queue (the agent left, or a transfer to a department); a taken
    callback request goes back to the callbacks (its citizen is not waiting in a chat)."""
    values: Dict = {"agent_username": None, "queued_at": utcnow()}
    if department is not None:
        values["department"] = department
    back = CALLBACK if get(ticket_id).claimed_from == CALLBACK else QUEUED
    return _change(ticket_id, back, agent=agent, allowed_from=(ASSIGNED,), record=record,
                   where=[_claimed_from(back)], **values)


def put_back(ticket_id: int, agent: str, record: Record = None) -> Ticket:
    """Undo a claim: the ticket goes back where it came from — a live chat to its old place in
    the queue (its ``queued_at`` is kept), a callback request to the callbacks."""
    ticket = get(ticket_id)
    back = CALLBACK if ticket.claimed_from == CALLBACK else QUEUED
    return _change(ticket_id, back, agent=agent, allowed_from=(ASSIGNED,), record=record,
                   where=[_claimed_from(back)], agent_username=None, assigned_at=None,
                   **({} if ticket.queued_at else {"queued_at": utcnow()}))


def _claimed_from(back: str):
    """The ticket still came from where a return to ``back`` assumes (no race with a claim)."""
    if back == CALLBACK:
        return HandoffTicket.claimed_from == CALLBACK
    return or_(HandoffTicket.claimed_from.is_(None), HandoffTicket.claimed_from != CALLBACK)


def transfer_to_agent(ticket_id: int, agent: str, to_agent: str, record: Record = None) -> Ticket:
    return _change(ticket_id, ASSIGNED, agent=agent, allowed_from=(ASSIGNED,), agent_username=to_agent,
                   record=record)


def close(ticket_id: int, agent: Optional[str], outcome: str, note: str = "", record: Record = None) -> Ticket:
    if outcome not in OUTCOMES:
        raise ValueError(f"outcome must be one of {', '.join(OUTCOMES)}")
    return _change(ticket_id, CLOSED, agent=agent, outcome=outcome, note=mask_pii(note) or None,
                   closed_at=utcnow(), record=record)


def cancel(ticket_id: int, record: Record = None, reason: str = BY_CITIZEN) -> Ticket:
    return _change(ticket_id, CANCELLED, closed_at=utcnow(), record=record, end_reason=reason)


def dismiss(ticket_id: int, agent: str, record: Record = None) -> Ticket:
    """An agent clears a callback request from the queue (stale, off-topic, a duplicate)."""
    return _change(ticket_id, CANCELLED, allowed_from=(CALLBACK,), closed_at=utcnow(), record=record,
                   end_reason=DISMISSED, ended_by=agent)


def set_last_question(ticket_id: int, question: str) -> None:
    """The citizen asked something (else) while waiting: the queue shows it."""
    _set(ticket_id, last_question=mask_pii(question))


def record_while_held(ticket_id: int, agent: str, events: List[Dict]) -> Ticket:
    """Put an agent's message into the outbox, only while that agent holds the ticket."""
    with session_scope() as s:
        row = s.execute(select(HandoffTicket).where(
            HandoffTicket.id == ticket_id, HandoffTicket.status == ASSIGNED,
            HandoffTicket.agent_username == agent).with_for_update()).scalars().first()
        if row is None:
            if s.get(HandoffTicket, ticket_id) is None:
                raise TicketNotFound(ticket_id)
            raise PermissionError("this chat is not assigned to you")
        outbox.add_record(row.conversation_id, events, session=s)
        return Ticket.from_row(row)


def lapsed_callback_requests(older_than_minutes: int) -> List[Ticket]:
    """Callback requests that got no phone number within ``older_than_minutes``."""
    return _old_callbacks(utcnow() - timedelta(minutes=older_than_minutes), with_phone=False)


def expired_callbacks(older_than_hours: int) -> List[Ticket]:
    """Callback requests with a phone number that no agent took within ``older_than_hours``."""
    return _old_callbacks(utcnow() - timedelta(hours=older_than_hours), with_phone=True)


def _old_callbacks(cutoff, with_phone: bool) -> List[Ticket]:
    """Callback requests made before ``cutoff``, with or without a phone number, oldest first."""
    phone = HandoffTicket.callback_phone.isnot(None) if with_phone else HandoffTicket.callback_phone.is_(None)
    with session_scope() as s:
        rows = s.execute(select(HandoffTicket).where(
            HandoffTicket.status == CALLBACK, phone,
            HandoffTicket.created_at < cutoff).order_by(HandoffTicket.id)).scalars().all()
        return [Ticket.from_row(r) for r in rows]


def _set(ticket_id: int, **values) -> Ticket:
    with session_scope() as s:
        s.execute(update(HandoffTicket).where(HandoffTicket.id == ticket_id).values(**values)
                  .execution_options(synchronize_session=False))
    return get(ticket_id)


def rate(ticket_id: int, score: int) -> Ticket:
    """The citizen's 1–5 rating of a closed agent chat (once)."""
    if not 1 <= int(score) <= 5:
        raise ValueError("rating must be 1–5")
    with session_scope() as s:
        result = s.execute(update(HandoffTicket).where(
            HandoffTicket.id == ticket_id, HandoffTicket.status == CLOSED, HandoffTicket.rating.is_(None))
            .values(rating=int(score)).execution_options(synchronize_session=False))
        if result.rowcount != 1:
            raise InvalidTransition(f"ticket {ticket_id} cannot be rated now")
    return get(ticket_id)


def store_callback_phone(ticket_id: int, encrypted_phone: str, record: Record = None) -> Ticket:
    """Keep the (encrypted) phone number of a callback request, with the consent time."""
    with session_scope() as s:
        result = s.execute(update(HandoffTicket).where(
            HandoffTicket.id == ticket_id, HandoffTicket.status == CALLBACK)
            .values(callback_phone=encrypted_phone, callback_consent_at=utcnow())
            .execution_options(synchronize_session=False))
        if result.rowcount != 1:
            raise InvalidTransition(f"ticket {ticket_id} is not a callback request")
        if record:
            outbox.add_record(s.get(HandoffTicket, ticket_id).conversation_id, record, session=s)
    return get(ticket_id)


def encrypted_callback_phone(ticket_id: int) -> Optional[str]:
    with session_scope() as s:
        row = s.get(HandoffTicket, ticket_id)
        return row.callback_phone if row else None


def callback_phone_rows(batch_size: int = 500) -> Iterator[List[Tuple[int, str]]]:
    """Every stored (encrypted) callback phone as ``(ticket id, token)``, in batches by id
    (each batch read in its own short transaction; for key rotation and checks)."""
    after = 0
    while True:
        with session_scope() as s:
            batch = [(int(i), str(t)) for i, t in s.execute(
                select(HandoffTicket.id, HandoffTicket.callback_phone)
                .where(HandoffTicket.callback_phone.isnot(None), HandoffTicket.id > after)
                .order_by(HandoffTicket.id).limit(batch_size)).all()]
        if not batch:
            return
        yield batch
        after = batch[-1][0]


def replace_callback_phones(replacements: Iterable[Tuple[int, str, str]]) -> List[int]:
    """Swap ``(ticket id, old token, new token)`` in one transaction, each only while the row
    still holds ``old token``; returns the ids that were replaced."""
    replaced = []
    with session_scope() as s:
        for ticket_id, old_token, new_token in replacements:
            result = s.execute(update(HandoffTicket).where(
                HandoffTicket.id == ticket_id, HandoffTicket.callback_phone == old_token)
                .values(callback_phone=new_token).execution_options(synchronize_session=False))
            if result.rowcount == 1:
                replaced.append(ticket_id)
    return replaced



def queue_position(ticket: Ticket) -> int:
    """1 for the oldest queued ticket; 0 if the ticket is not queued."""
    if ticket.status != QUEUED:
        return 0
    with session_scope() as s:
        ahead = s.execute(select(func.count()).select_from(HandoffTicket).where(
            HandoffTicket.status == QUEUED, HandoffTicket.queued_at < ticket.queued_at)).scalar_one()
    return int(ahead) + 1
