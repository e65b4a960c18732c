"""The queue agents work: its order, callbacks only with a number, expiry, dismissal, put back."""
from datetime import timedelta

import pytest
from sqlalchemy import update

from bot.handoff import tickets
from bot.storage.db import session_scope
from bot.storage.models import HandoffTicket, utcnow


def _age(ticket_id: int, **ago) -> None:
    """Make a ticket older: its creation and queue times ``ago`` (timedelta keywords) back."""
    moment = utcnow() - timedelta(**ago)
    with session_scope() as s:
        s.execute(update(HandoffTicket).where(HandoffTicket.id == ticket_id)
                  .values(created_at=moment, queued_at=moment))


def _callback(conversation: str, phone: bool = True) -> tickets.Ticket:
    ticket = tickets.request_handoff(conversation, [], within_hours=False)
    return tickets.store_callback_phone(ticket.id, "encrypted") if phone else ticket


def test_live_chats_come_first_then_chats_in_progress_then_callbacks_with_a_number(database_url):
    old_callback = _callback("cb-old")
    _age(old_callback.id, hours=5)
    _callback("cb-no-number", phone=False)
    new_live = tickets.request_handoff("live-new", [], within_hours=True)
    old_live = tickets.request_handoff("live-old", [], within_hours=True)
    _age(old_live.id, minutes=12)
    taken = tickets.claim(tickets.request_handoff("taken", [], within_hours=True).id, "kim")
    new_callback = _callback("cb-new")
    order = [t.id for t in tickets.queue_tickets()]
    assert order == [old_live.id, new_live.id, taken.id, old_callback.id, new_callback.id]


def test_a_callback_without_a_number_cannot_be_claimed(database_url):
    bare = _callback("cb-bare", phone=False)
    with pytest.raises(tickets.InvalidTransition):
        tickets.claim(bare.id, "kim")
    assert tickets.claim(_callback("cb-phone").id, "kim").claimed_from == tickets.CALLBACK


def test_callbacks_with_a_number_expire_after_the_set_hours(database_url):
    stale, fresh, bare = _callback("cb-stale"), _callback("cb-fresh"), _callback("cb-bare-old", phone=False)
    _age(stale.id, hours=49)
    _age(bare.id, hours=49)
    assert [t.id for t in tickets.expired_callbacks(48)] == [stale.id]  # the bare one lapses, it does not expire
    assert tickets.cancel(stale.id, reason=tickets.EXPIRED).end_reason == tickets.EXPIRED


def test_an_agent_dismisses_callback_requests_only(database_url):
    request = _callback("cb-dismiss")
    live = tickets.request_handoff("live-keep", [], within_hours=True)
    dismissed = tickets.dismiss(request.id, "kim")
    assert (dismissed.status, dismissed.end_reason, dismissed.ended_by) == (tickets.CANCELLED, tickets.DISMISSED, "kim")
    with pytest.raises(tickets.InvalidTransition):
        tickets.dismiss(live.id, "kim")  # a citizen waiting in a chat is never cleared in bulk
    with pytest.raises(tickets.InvalidTransition):
        tickets.dismiss(request.id, "kim")  # once


def test_put_back_returns_a_live_chat_to_its_old_place(database_url):
    first = tickets.request_handoff("pb-1", [], within_hours=True)
    _age(first.id, minutes=10)
    second = tickets.request_handoff("pb-2", [], within_hours=True)
    tickets.claim(first.id, "kim")
    assert tickets.queue_position(tickets.get(second.id)) == 1
    with pytest.raises(tickets.InvalidTransition):
        tickets.put_back(first.id, "lee")  # only the agent who holds it
    back = tickets.put_back(first.id, "kim")
    assert (back.status, back.agent_username, back.assigned_at) == (tickets.QUEUED, None, None)
    assert tickets.queue_position(back) == 1 and tickets.queue_position(tickets.get(second.id)) == 2
    assert tickets.agent_holds("pb-1").id == first.id  # still held: the bot stays silent


def test_put_back_returns_a_callback_to_the_callbacks(database_url):
    request = _callback("pb-cb")
    tickets.claim(request.id, "kim")
    back = tickets.put_back(request.id, "kim")
    assert back.status == tickets.CALLBACK and back.has_callback_phone
    assert tickets.agent_holds("pb-cb") is None  # a callback request: the bot answers meanwhile


def test_an_agent_who_leaves_a_callback_returns_it_to_the_callbacks(database_url):
    request = _callback("gone-cb")
    tickets.claim(request.id, "kim")
    assert tickets.release(request.id, "kim").status == tickets.CALLBACK
    live = tickets.claim(tickets.request_handoff("gone-live", [], within_hours=True).id, "kim")
    assert tickets.release(live.id, "kim").status == tickets.QUEUED


def test_a_question_asked_while_waiting_replaces_the_card_text_masked(database_url):
    ticket = tickets.request_handoff("ask", [], within_hours=True, last_question=None)
    tickets.set_last_question(ticket.id, "수도요금 문의요 010-1234-5678")
    assert tickets.get(ticket.id).last_question == "수도요금 문의요 010-****-5678"
