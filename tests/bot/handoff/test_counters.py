from datetime import date, datetime, timedelta, timezone

import pytest
from sqlalchemy import update

from bot.handoff import counters, tickets
from bot.storage.db import session_scope
from bot.storage.models import ConversationRecord, HandoffTicket


def test_summary_counts_bot_and_agent_resolution(database_url):
    for conversation in ("bot-1", "bot-2", "agent-1"):
        counters.citizen_message(conversation)
    counters.bot_outcome("bot-1", "answer")
    counters.bot_outcome("bot-2", "answer")
    counters.bot_outcome("bot-2", "clarify")
    counters.bot_outcome("agent-1", "offer_human")
    ticket = tickets.claim(tickets.request_handoff("agent-1", [], within_hours=True).id, "kim")
    tickets.close(ticket.id, "kim", "resolved")
    tickets.rate(ticket.id, 4)

    summary = counters.summary()
    assert summary["conversations"] == 3
    assert (summary["resolved_by_bot"], summary["resolved_by_agent"]) == (2, 1)
    assert summary["bot_self_resolution_rate"] == round(2 / 3, 4)
    assert summary["handoff_rate"] == round(1 / 3, 4)
    assert (summary["bot_answers"], summary["bot_clarifications"], summary["bot_fallbacks"]) == (2, 1, 1)
    assert summary["outcomes"] == {"resolved": 1}
    assert summary["wait_seconds"]["count"] == 1 and summary["handling_seconds"]["count"] == 1
    assert summary["satisfaction"]["mean"] == 4 and summary["satisfaction"]["distribution"]["4"] == 1


def test_period_is_whole_local_days():
    first, last, start, end = counters.period(None, None, "Asia/Seoul", today=date(2026, 11, 29))
    assert (first, last) == (date(2026, 10, 31), date(2026, 11, 29))
    assert start == datetime(2026, 10, 30, 15, 0, tzinfo=timezone.utc)  # 00:00 KST
    assert end == datetime(2026, 11, 29, 15, 0, tzinfo=timezone.utc)
    with pytest.raises(counters.InvalidPeriod):
        counters.period(date(2026, 11, 2), date(2026, 11, 1), "Asia/Seoul")
    with pytest.raises(counters.InvalidPeriod):
        counters.period(date(2025, 1, 1), date(2026, 11, 1), "Asia/Seoul")


def test_summary_counts_only_the_period(database_url):
    for conversation in ("old", "new"):
        counters.citizen_message(conversation)
        counters.bot_outcome(conversation, "answer")
    tickets.request_handoff("old", [], within_hours=True)
    long_ago = datetime.now(timezone.utc) - timedelta(days=40)
    with session_scope() as s:
        s.execute(update(ConversationRecord).where(ConversationRecord.conversation_id == "old")
                  .values(started_at=long_ago))
        s.execute(update(HandoffTicket).where(HandoffTicket.conversation_id == "old").values(created_at=long_ago))

    _, _, start, end = counters.period(None, None, "Asia/Seoul")
    recent = counters.summary(start, end)
    assert (recent["conversations"], recent["resolved_by_bot"], recent["handoff_rate"]) == (1, 1, 0)
    assert counters.summary()["conversations"] == 2
