"""The one handoff state machine and its repository.

    bot ──request──▶ queued ──claim──▶ assigned ──close──▶ closed ──▶ bot
                       │  ▲                │
                       │  └──release───────┘   (agent left / transfer)
                       └──cancel──▶ cancelled ──▶ bot
    outside hours:  bot ──request──▶ callback ──close/cancel──▶ …
                                        └──request again in hours──▶ queued

A conversation has at most one *active* ticket (queued, assigned or callback).
Everything stored here is masked personal data.
"""
from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import datetime
from typing import Iterable, List, Optional

from sqlalchemy import func, select

from bot.korean.pii import mask_pii
from bot.storage.db import session_scope
from bot.storage.models import HandoffTicket, utcnow

QUEUED, ASSIGNED, CLOSED, CANCELLED, CALLBACK = "queued", "assigned", "closed", "cancelled", "callback"
ACTIVE = (QUEUED, ASSIGNED, CALLBACK)
TRANSITIONS = {
    QUEUED: {ASSIGNED, CANCELLED},
    ASSIGNED: {CLOSED, QUEUED, CANCELLED},
    CALLBACK: {QUEUED, CLOSED, CANCELLED},  # → queued: the citizen asks again in hours
    CLOSED: set(),
    CANCELLED: set(),
}


class InvalidTransition(ValueError):
    """The ticket cannot go from its current state to the requested one."""


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

    @classmethod
    def from_row(cls, row: HandoffTicket) -> "Ticket":
        return cls(row.id, row.conversation_id, row.status, row.category, row.department,
                   row.reason, row.last_question, json.loads(row.transcript or "[]"), row.created_at)


def _masked_transcript(turns: Iterable[dict]) -> str:
    return json.dumps([{**t, "text": mask_pii(str(t.get("text", "")))} for t in turns], ensure_ascii=False)


def active_ticket(conversation_id: str) -> Optional[Ticket]:
    with session_scope() as s:
        row = s.execute(
            select(HandoffTicket).where(HandoffTicket.conversation_id == conversation_id,
                                        HandoffTicket.status.in_(ACTIVE))
            .order_by(HandoffTicket.id.desc())
        ).scalars().first()
        return Ticket.from_row(row) if row else None


def request_handoff(conversation_id: str, transcript: Iterable[dict], *, within_hours: bool,
                    category: Optional[str] = None, department: Optional[str] = None,
                    last_question: Optional[str] = None, reason: str = "requested") -> Ticket:
    """Open a ticket (queued in hours, callback outside), or return the active one."""
    existing = active_ticket(conversation_id)
    if existing is not None:
        if existing.status == CALLBACK and within_hours:
            return transition(existing.id, QUEUED)
        return existing
    with session_scope() as s:
        row = HandoffTicket(
            conversation_id=conversation_id, status=QUEUED if within_hours else CALLBACK,
            category=category, department=department, reason=reason,
            last_question=mask_pii(last_question) if last_question else None,
            transcript=_masked_transcript(transcript),
        )
        s.add(row)
        s.flush()
        return Ticket.from_row(row)


def transition(ticket_id: int, new_status: str) -> Ticket:
    """Move a ticket along the state machine; :class:`InvalidTransition` otherwise."""
    with session_scope() as s:
        row = s.get(HandoffTicket, ticket_id, with_for_update=True)
        if row is None:
            raise KeyError(f"no ticket {ticket_id}")
        if new_status not in TRANSITIONS[row.status]:
            raise InvalidTransition(f"ticket {ticket_id}: {row.status} → {new_status} is not allowed")
        row.status = new_status
        row.updated_at = utcnow()
        s.flush()
        return Ticket.from_row(row)


def queue_position(ticket: Ticket) -> int:
    """1 for the oldest queued ticket; 0 if the ticket is not queued."""
    if ticket.status != QUEUED:
        return 0
    with session_scope() as s:
        ahead = s.execute(select(func.count()).select_from(HandoffTicket).where(
            HandoffTicket.status == QUEUED, HandoffTicket.id < ticket.id)).scalar_one()
    return int(ahead) + 1
