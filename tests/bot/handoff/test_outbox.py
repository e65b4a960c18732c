"""The conversation outbox: kept once per browser message, in order, retried with back-off,
and written in the same transaction as the ticket change it records (SQLite and PostgreSQL)."""
from datetime import timedelta

import pytest
from sqlalchemy import update

from bot.conversation import events as tracker_events
from bot.conversation import names
from bot.handoff import outbox, tickets
from bot.storage.db import session_scope
from bot.storage.models import OutboxRow, utcnow


def test_a_browser_retry_is_kept_once(database_url):
    first, new = outbox.add_citizen_message("c-1", "m-1", "여권 수수료 얼마예요?")
    again, new_again = outbox.add_citizen_message("c-1", "m-1", "여권 수수료 얼마예요?")
    assert new and not new_again and again.id == first.id
    other, _ = outbox.add_citizen_message("c-2", "m-1", "다른 대화의 같은 id")
    assert other.id != first.id  # client ids are unique per conversation only
    assert [i.id for i in outbox.pending("c-1")] == [first.id]


def test_rows_wait_in_order_and_back_off_after_an_attempt(database_url):
    a, _ = outbox.add_citizen_message("c-3", "a", "첫 번째")
    b, _ = outbox.add_record("c-3", [tracker_events.spoken(names.SYSTEM, "두 번째")])
    assert [i.id for i in outbox.pending("c-3")] == [a.id, b.id] and "c-3" in outbox.due_conversations()
    assert outbox.attempt(a) == 1  # counted before it starts (a crash mid-way is known)
    assert outbox.pending("c-3")[0].attempts == 1
    assert "c-3" not in outbox.due_conversations()  # waits for its back-off …
    assert "c-3" in outbox.due_conversations(utcnow() + timedelta(seconds=outbox.RETRY_SECONDS[0] + 1))
    outbox.delivered(a.id)
    assert [i.id for i in outbox.pending("c-3")] == [b.id] and "c-3" in outbox.due_conversations()  # … b is new
    outbox.delivered(b.id)
    assert outbox.pending("c-3") == [] and outbox.undelivered_count() == 0


def test_delivered_rows_are_purged_after_a_day(database_url):
    item, _ = outbox.add_citizen_message("c-4", "x", "안녕하세요")
    outbox.delivered(item.id)
    assert outbox.purge() == 0
    with session_scope() as s:
        s.execute(update(OutboxRow).values(delivered_at=utcnow() - timedelta(days=2)))
    assert outbox.purge() == 1


def test_a_ticket_change_and_its_record_commit_together(database_url):
    ticket = tickets.request_handoff("c-5", [], within_hours=True)
    record = [tracker_events.spoken(names.SYSTEM, "김상담 상담원이 연결되었어요.")]
    tickets.claim(ticket.id, "kim", record=record)
    rows = outbox.pending("c-5")
    assert len(rows) == 1 and rows[0].events[0]["text"] == "김상담 상담원이 연결되었어요."
    with pytest.raises(tickets.InvalidTransition):  # a refused change writes no record
        tickets.claim(ticket.id, "lee", record=[tracker_events.spoken(names.SYSTEM, "이상담 상담원이 연결")])
    assert len(outbox.pending("c-5")) == 1


def test_only_the_holder_records_a_message(database_url):
    ticket = tickets.request_handoff("c-6", [], within_hours=True)
    with pytest.raises(PermissionError):  # queued: nobody holds it yet
        tickets.record_while_held(ticket.id, "kim", [tracker_events.spoken(names.AGENT, "안녕하세요")])
    tickets.claim(ticket.id, "kim")
    with pytest.raises(PermissionError):
        tickets.record_while_held(ticket.id, "lee", [tracker_events.spoken(names.AGENT, "안녕하세요")])
    tickets.record_while_held(ticket.id, "kim", [tracker_events.spoken(names.AGENT, "안녕하세요")])
    assert [r.events[0]["text"] for r in outbox.pending("c-6")] == ["안녕하세요"]


def test_agent_holds_while_queued_or_assigned_only(database_url):
    ticket = tickets.request_handoff("c-7", [], within_hours=False)
    assert ticket.status == tickets.CALLBACK and tickets.agent_holds("c-7") is None  # the bot still answers
    tickets.store_callback_phone(ticket.id, "encrypted")  # no number, no ticket to claim
    tickets.claim(ticket.id, "kim")
    assert tickets.agent_holds("c-7").status == tickets.ASSIGNED  # a claimed callback: the agent's
    tickets.release(ticket.id, "kim", department="water")
    assert tickets.agent_holds("c-7") is None  # a callback goes back to the callbacks: the bot answers
    tickets.claim(tickets.request_handoff("c-7", [], within_hours=True).id, "kim")  # asked again in hours
    tickets.release(ticket.id, "kim", department="water")
    assert tickets.agent_holds("c-7").status == tickets.QUEUED  # a department transfer: still held
    tickets.cancel(ticket.id)
    assert tickets.agent_holds("c-7") is None


def test_callback_requests_without_a_number_lapse(database_url):
    lapsing = tickets.request_handoff("c-8", [], within_hours=False)
    kept = tickets.request_handoff("c-9", [], within_hours=False)
    tickets.store_callback_phone(kept.id, "encrypted")
    with session_scope() as s:
        s.execute(update(tickets.HandoffTicket).values(created_at=utcnow() - timedelta(minutes=31)))
    assert [t.id for t in tickets.lapsed_callback_requests(30)] == [lapsing.id]
