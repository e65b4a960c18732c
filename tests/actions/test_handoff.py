from actions.handoff import ActionDeclineHandoff, ActionHandoffToAgent
from bot import settings
from bot.handoff import tickets
from tests.actions.conftest import slots


def test_in_hours_opens_a_ticket_and_pauses_the_bot(run_action, database_url, monkeypatch):
    monkeypatch.setattr(settings, "BUSINESS_HOURS", "00:00-24:00")
    messages, events = run_action(ActionHandoffToAgent(), "request_human")
    ticket = tickets.active_ticket("fixture-request_human")
    assert ticket.status == tickets.QUEUED and ticket.category == "water"
    assert slots(events)["handoff_ticket"] == str(ticket.id)
    assert any(e.get("event") == "pause" for e in events)
    assert f"접수번호 {ticket.id}" in messages[0]["text"] and "1번째" in messages[0]["text"]
    # the transcript travels with the ticket, masked
    texts = [t["text"] for t in ticket.transcript]
    assert texts[0] == "수도요금이 너무 많이 나왔어요" and "010-****-5678" in texts[-1]
    assert ticket.last_question.startswith("제 번호는 010-****-5678")


def test_outside_hours_records_a_callback_and_keeps_the_bot(run_action, database_url, monkeypatch):
    monkeypatch.setattr(settings, "BUSINESS_HOURS", "closed")
    monkeypatch.setattr(settings, "HOLIDAY_HOURS", "closed")
    messages, events = run_action(ActionHandoffToAgent(), "request_human")
    assert tickets.active_ticket("fixture-request_human").status == tickets.CALLBACK
    assert not any(e.get("event") == "pause" for e in events)
    assert "운영 시간이 아니에요" in messages[0]["text"]


def test_declining_the_offer_resets_it(run_action):
    messages, events = run_action(ActionDeclineHandoff(), "unclear")
    assert messages[0]["response"] == "utter_handoff_declined"
    assert slots(events) == {"handoff_offered": False}
