"""The conversation outbox: what the web app owes each conversation's tracker, in order.

Nothing a citizen or an agent says is lost when Rasa is restarting: a citizen message is
acknowledged once its row is committed here, an agent or system message is committed in
the same transaction as the ticket change it belongs to, and the web app delivers the rows
of a conversation in id order, retrying with back-off until Rasa has them.
"""
from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Dict, List, Optional, Sequence, Tuple

from sqlalchemy import delete, func, select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from bot.storage.db import session_scope
from bot.storage.models import OutboxRow, as_utc, utcnow

CITIZEN, RECORD = "citizen", "record"
RETRY_SECONDS = (1, 2, 4, 8, 15)  # after the 1st, 2nd … attempt; then every 15 s


@dataclass(frozen=True)
class OutboxItem:
    id: int
    conversation_id: str
    kind: str
    client_id: Optional[str]
    text: Optional[str]
    events: List[Dict]
    attempts: int
    created_at: datetime

    @classmethod
    def from_row(cls, row: OutboxRow) -> "OutboxItem":
        return cls(row.id, row.conversation_id, row.kind, row.client_id, row.text,
                   json.loads(row.events) if row.events else [], row.attempts, row.created_at)


def add_citizen_message(conversation_id: str, client_id: Optional[str], text: str) -> Tuple[OutboxItem, bool]:
    """Keep a (masked) citizen message for the bot; ``(item, False)`` if that client id was kept before."""
    return _add(conversation_id, CITIZEN, client_id, text=text)


def add_record(conversation_id: str, events: Sequence[Dict], client_id: Optional[str] = None,
               session: Optional[Session] = None) -> Tuple[OutboxItem, bool]:
    """Keep tracker events to append as they are; inside ``session`` when given (same transaction)."""
    return _add(conversation_id, RECORD, client_id, events=list(events), session=session)


def _add(conversation_id: str, kind: str, client_id: Optional[str], text: Optional[str] = None,
         events: Optional[List[Dict]] = None, session: Optional[Session] = None) -> Tuple[OutboxItem, bool]:
    row = OutboxRow(conversation_id=conversation_id, kind=kind, client_id=client_id, text=text,
                    events=json.dumps(events, ensure_ascii=False) if events is not None else None,
                    created_at=utcnow(), attempts=0)
    if session is not None:
        session.add(row)
        session.flush()
        return OutboxItem.from_row(row), True
    try:
        with session_scope() as s:
            s.add(row)
            s.flush()
            return OutboxItem.from_row(row), True
    except IntegrityError:
        if client_id is None:
            raise
    with session_scope() as s:  # the same message again (a browser's retry)
        existing = s.execute(select(OutboxRow).where(OutboxRow.conversation_id == conversation_id,
                                                     OutboxRow.client_id == client_id)).scalars().one()
        return OutboxItem.from_row(existing), False


def pending(conversation_id: str) -> List[OutboxItem]:
    """Undelivered rows of a conversation, oldest first."""
    with session_scope() as s:
        rows = s.execute(select(OutboxRow).where(OutboxRow.conversation_id == conversation_id,
                                                 OutboxRow.delivered_at.is_(None))
                         .order_by(OutboxRow.id)).scalars().all()
        return [OutboxItem.from_row(r) for r in rows]


def due_conversations(now: Optional[datetime] = None, limit: int = 200) -> List[str]:
    """Conversations whose oldest undelivered row may be tried again now."""
    now = now or utcnow()
    with session_scope() as s:
        first = (select(OutboxRow.conversation_id, func.min(OutboxRow.id).label("first_id"))
                 .where(OutboxRow.delivered_at.is_(None)).group_by(OutboxRow.conversation_id).subquery())
        rows = s.execute(select(OutboxRow.conversation_id, OutboxRow.next_attempt_at)
                         .join(first, OutboxRow.id == first.c.first_id).order_by(OutboxRow.id).limit(limit)).all()
    return [conv for conv, at in rows if at is None or as_utc(at) <= now]


def delivered(item_id: int) -> None:
    with session_scope() as s:
        s.execute(update(OutboxRow).where(OutboxRow.id == item_id).values(delivered_at=utcnow())
                  .execution_options(synchronize_session=False))


def attempt(item: OutboxItem) -> int:
    """Count a delivery attempt before it starts, and put the next one after a back-off; returns
    the attempts so far. An attempt cut short (a crash, a cancelled request) is thus known: the
    next one first checks whether Rasa got the row after all."""
    attempts = item.attempts + 1
    delay = RETRY_SECONDS[min(attempts, len(RETRY_SECONDS)) - 1]
    with session_scope() as s:
        s.execute(update(OutboxRow).where(OutboxRow.id == item.id)
                  .values(attempts=attempts, next_attempt_at=utcnow() + timedelta(seconds=delay))
                  .execution_options(synchronize_session=False))
    return attempts


def undelivered_count() -> int:
    with session_scope() as s:
        return int(s.execute(select(func.count()).select_from(OutboxRow)
                             .where(OutboxRow.delivered_at.is_(None))).scalar_one())


def purge(older_than: timedelta = timedelta(days=1)) -> int:
    """Forget delivered rows older than ``older_than`` (the tracker has them)."""
    with session_scope() as s:
        result = s.execute(delete(OutboxRow).where(OutboxRow.delivered_at.is_not(None),
                                                   OutboxRow.delivered_at < utcnow() - older_than))
        return int(result.rowcount or 0)


