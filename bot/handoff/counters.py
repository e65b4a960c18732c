"""Per-conversation counters for analytics, and the aggregate the console exposes."""
from __future__ import annotations

from datetime import date, datetime, time, timedelta, timezone
from statistics import mean, median
from typing import Dict, Optional, Tuple
from zoneinfo import ZoneInfo

from sqlalchemy import select, update
from sqlalchemy.exc import IntegrityError

from bot.conversation import names
from bot.storage.db import session_scope
from bot.storage.models import ConversationRecord, HandoffTicket, utcnow

BOT_KINDS = {names.OUTCOME_ANSWER: "bot_answers", names.OUTCOME_CLARIFY: "bot_clarifications",
             names.OUTCOME_OFFER_HUMAN: "bot_fallbacks", names.OUTCOME_OUT_OF_SCOPE: "bot_fallbacks",
             names.OUTCOME_UNSURE: "bot_fallbacks"}
AGENT_RESOLVED = ("resolved", "info_given")
DEFAULT_PERIOD_DAYS = 30
MAX_PERIOD_DAYS = 366
# only the columns the summary reads (not transcripts)
RECORD_COLUMNS = (ConversationRecord.conversation_id, ConversationRecord.bot_answers,
                  ConversationRecord.bot_clarifications, ConversationRecord.bot_fallbacks)
TICKET_COLUMNS = (HandoffTicket.conversation_id, HandoffTicket.status, HandoffTicket.outcome,
                  HandoffTicket.rating, HandoffTicket.created_at, HandoffTicket.assigned_at,
                  HandoffTicket.closed_at)


class InvalidPeriod(ValueError):
    """The asked period is empty or too long (the message is for the user, in Korean)."""


def _bump(conversation_id: str, column: Optional[str], channel: str = "web") -> None:
    values = {"last_activity_at": utcnow()}
    if column:
        values[column] = getattr(ConversationRecord, column) + 1
    with session_scope() as s:
        result = s.execute(update(ConversationRecord)
                           .where(ConversationRecord.conversation_id == conversation_id).values(**values)
                           .execution_options(synchronize_session=False))
        if result.rowcount:
            return
    try:
        with session_scope() as s:
            s.add(ConversationRecord(conversation_id=conversation_id, channel=channel,
                                     **({column: 1} if column else {})))
    except IntegrityError:  # created concurrently: count on the existing row
        _bump(conversation_id, column, channel)


def citizen_message(conversation_id: str, channel: str = "web") -> None:
    _bump(conversation_id, "citizen_messages", channel)


def bot_outcome(conversation_id: str, kind: str) -> None:
    """What action_answer_faq did: answer / clarify / unsure / offer_human / out_of_scope (small talk is not counted)."""
    _bump(conversation_id, BOT_KINDS.get(kind), channel="rasa")


def _seconds(later, earlier) -> Optional[float]:
    if later is None or earlier is None:
        return None
    if later.tzinfo is None or earlier.tzinfo is None:
        later, earlier = later.replace(tzinfo=None), earlier.replace(tzinfo=None)
    return (later - earlier).total_seconds()


def period(first: Optional[date], last: Optional[date], zone: str, today: Optional[date] = None
           ) -> Tuple[date, date, datetime, datetime]:
    """Whole local days ``first``…``last`` (default: the last 30 days up to today) as
    ``(first, last, start, end)`` with UTC bounds ``start <= t < end``."""
    tz = ZoneInfo(zone)
    last = last or today or datetime.now(tz).date()
    first = first or last - timedelta(days=DEFAULT_PERIOD_DAYS - 1)
    if first > last:
        raise InvalidPeriod("시작일이 종료일보다 늦어요.")
    if (last - first).days >= MAX_PERIOD_DAYS:
        raise InvalidPeriod(f"기간은 {MAX_PERIOD_DAYS}일 이내로 골라 주세요.")
    start = datetime.combine(first, time.min, tz).astimezone(timezone.utc)
    end = datetime.combine(last + timedelta(days=1), time.min, tz).astimezone(timezone.utc)
    return first, last, start, end


def summary(start: Optional[datetime] = None, end: Optional[datetime] = None) -> Dict:
    """Resolution by bot/agent, wait and handling times, outcomes, ratings of the
    conversations started and tickets opened in ``start <= t < end`` (UTC; open ends: all)."""
    record_range, ticket_range = [], []
    if start is not None:
        record_range.append(ConversationRecord.started_at >= start)
        ticket_range.append(HandoffTicket.created_at >= start)
    if end is not None:
        record_range.append(ConversationRecord.started_at < end)
        ticket_range.append(HandoffTicket.created_at < end)
    with session_scope() as s:
        records = s.execute(select(*RECORD_COLUMNS).where(*record_range)).all()
        tickets = s.execute(select(*TICKET_COLUMNS).where(*ticket_range)).all()
    with_ticket = {t.conversation_id for t in tickets}
    agent_resolved = {t.conversation_id for t in tickets if t.outcome in AGENT_RESOLVED}
    bot_resolved = {r.conversation_id for r in records if r.bot_answers and r.conversation_id not in with_ticket}
    waits = [w for t in tickets if (w := _seconds(t.assigned_at, t.created_at)) is not None]
    handling = [h for t in tickets if (h := _seconds(t.closed_at, t.assigned_at)) is not None]
    ratings = [t.rating for t in tickets if t.rating]
    outcomes: Dict[str, int] = {}
    statuses: Dict[str, int] = {}
    for t in tickets:
        statuses[t.status] = statuses.get(t.status, 0) + 1
        if t.outcome:
            outcomes[t.outcome] = outcomes.get(t.outcome, 0) + 1
    total = len({r.conversation_id for r in records} | with_ticket)

    def stats(values):
        return {"count": len(values), "mean": round(mean(values), 1) if values else None,
                "median": round(median(values), 1) if values else None}

    return {
        "conversations": total,
        "resolved_by_bot": len(bot_resolved),
        "resolved_by_agent": len(agent_resolved),
        "bot_self_resolution_rate": round(len(bot_resolved) / total, 4) if total else None,
        "handoff_rate": round(len(with_ticket) / total, 4) if total else None,
        "bot_answers": sum(r.bot_answers for r in records),
        "bot_clarifications": sum(r.bot_clarifications for r in records),
        "bot_fallbacks": sum(r.bot_fallbacks for r in records),
        "tickets_by_status": statuses,
        "outcomes": outcomes,
        "wait_seconds": stats(waits),
        "handling_seconds": stats(handling),
        "satisfaction": {**stats(ratings), "distribution": {str(k): ratings.count(k) for k in range(1, 6)}},
    }
