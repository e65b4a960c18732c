import json

import pytest

from bot.handoff import tickets
from bot.storage.db import session_scope
from bot.storage.models import HandoffTicket

TRANSCRIPT = [
    {"role": "citizen", "text": "여권 수수료 얼마예요?"},
    {"role": "bot", "text": "[여권 발급 수수료는 얼마인가요?] …"},
    {"role": "citizen", "text": "제 번호 010-1234-5678로 전화 주세요. 주민번호 900101-1234567"},
]


def test_request_opens_one_queued_ticket_per_conversation(database_url):
    first = tickets.request_handoff("c1", TRANSCRIPT, within_hours=True, category="passport",
                                    last_question=TRANSCRIPT[-1]["text"])
    again = tickets.request_handoff("c1", TRANSCRIPT, within_hours=True)
    assert first.status == tickets.QUEUED and again.id == first.id
    assert tickets.active_ticket("c1").id == first.id
    assert tickets.active_ticket("nobody") is None


def test_personal_data_is_masked_in_storage(database_url):
    ticket = tickets.request_handoff("c2", TRANSCRIPT, within_hours=True, last_question=TRANSCRIPT[-1]["text"])
    with session_scope() as s:
        row = s.get(HandoffTicket, ticket.id)
        stored = row.transcript + (row.last_question or "")
    assert "1234-5678" not in stored and "1234567" not in stored
    assert "010-****-5678" in stored and "******-*******" in stored
    assert json.loads(row.transcript)[0]["text"] == "여권 수수료 얼마예요?"


def test_outside_hours_is_a_callback_that_queues_when_asked_again_in_hours(database_url):
    callback = tickets.request_handoff("c3", TRANSCRIPT, within_hours=False)
    assert callback.status == tickets.CALLBACK
    queued = tickets.request_handoff("c3", TRANSCRIPT, within_hours=True)
    assert (queued.id, queued.status) == (callback.id, tickets.QUEUED)


def test_state_machine_rejects_invalid_transitions(database_url):
    ticket = tickets.request_handoff("c4", TRANSCRIPT, within_hours=True)
    with pytest.raises(tickets.InvalidTransition):
        tickets.transition(ticket.id, tickets.CLOSED)  # queued → closed skips an agent
    assigned = tickets.transition(ticket.id, tickets.ASSIGNED)
    closed = tickets.transition(assigned.id, tickets.CLOSED)
    assert closed.status == tickets.CLOSED
    with pytest.raises(tickets.InvalidTransition):
        tickets.transition(ticket.id, tickets.QUEUED)
    assert tickets.active_ticket("c4") is None


def test_queue_positions_follow_arrival(database_url):
    a = tickets.request_handoff("qa", [], within_hours=True)
    b = tickets.request_handoff("qb", [], within_hours=True)
    c = tickets.request_handoff("qc", [], within_hours=True)
    assert [tickets.queue_position(t) for t in (a, b, c)] == [1, 2, 3]
    tickets.transition(a.id, tickets.ASSIGNED)
    assert tickets.queue_position(c) == 2


def test_concurrent_claims_have_exactly_one_winner(database_url):
    from concurrent.futures import ThreadPoolExecutor

    ticket = tickets.request_handoff("race", [], within_hours=True)

    def attempt(agent):
        try:
            return tickets.claim(ticket.id, agent).agent_username
        except tickets.InvalidTransition:
            return None

    with ThreadPoolExecutor(max_workers=8) as pool:
        winners = [w for w in pool.map(attempt, [f"agent{i}" for i in range(8)]) if w]
    assert len(winners) == 1
    assert tickets.get(ticket.id).agent_username == winners[0]


def test_agent_operations_need_the_holder(database_url):
    ticket = tickets.claim(tickets.request_handoff("hold", [], within_hours=True).id, "kim")
    with pytest.raises(tickets.InvalidTransition):
        tickets.close(ticket.id, "lee", "resolved")
    moved = tickets.transfer_to_agent(ticket.id, "kim", "lee")
    assert moved.agent_username == "lee" and moved.status == tickets.ASSIGNED
    back = tickets.release(ticket.id, "lee", department="passport")
    assert (back.status, back.agent_username, back.department) == (tickets.QUEUED, None, "passport")
    again = tickets.claim(ticket.id, "park")
    assert again.assigned_at == moved.assigned_at  # the first pickup time is kept for wait statistics
    closed = tickets.close(ticket.id, "park", "resolved", "안내 완료 010-1234-5678")
    assert closed.note == "안내 완료 010-****-5678" and closed.closed_at is not None
    assert tickets.rate(ticket.id, 5).rating == 5
    with pytest.raises(tickets.InvalidTransition):
        tickets.rate(ticket.id, 4)  # once
    with pytest.raises(ValueError):
        tickets.close(tickets.claim(tickets.request_handoff("h2", [], within_hours=True).id, "kim").id,
                      "kim", "made-up")
