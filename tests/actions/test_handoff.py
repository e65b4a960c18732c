from actions.handoff import ActionDeclineHandoff, ActionHandoffToAgent
from bot import settings
from bot.handoff import tickets
from tests.actions.conftest import slots


def test_in_hours_opens_a_ticket_and_tells_the_web_app(run_action, database_url, monkeypatch):
    monkeypatch.setattr(settings, "BUSINESS_HOURS", "00:00-24:00")
    messages, events = run_action(ActionHandoffToAgent(), "request_human")
    ticket = tickets.active_ticket("fixture-request_human")
    assert ticket.status == tickets.QUEUED and ticket.category == "water"
    assert tickets.agent_holds("fixture-request_human") == ticket  # the bot is silent from now on
    assert slots(events)["handoff_ticket"] == str(ticket.id)
    assert not any(e.get("event") == "pause" for e in events)  # the ticket, not Rasa's pause, is the truth
    assert f"접수번호 {ticket.id}" in messages[0]["text"] and "1번째" in messages[0]["text"]
    assert messages[1]["custom"] == {"handoff": {"ticket_id": ticket.id, "status": "queued"}}
    # the transcript travels with the ticket, masked
    texts = [t["text"] for t in ticket.transcript]
    assert texts[0] == "수도요금이 너무 많이 나왔어요" and "010-****-5678" in texts[-1]
    assert ticket.last_question == "수도요금이 너무 많이 나왔어요"  # the question, not the request for a person


def test_outside_hours_records_a_callback_and_keeps_the_bot(run_action, database_url, monkeypatch):
    monkeypatch.setattr(settings, "BUSINESS_HOURS", "closed")
    monkeypatch.setattr(settings, "HOLIDAY_HOURS", "closed")
    messages, events = run_action(ActionHandoffToAgent(), "request_human")
    ticket = tickets.active_ticket("fixture-request_human")
    assert ticket.status == tickets.CALLBACK and tickets.agent_holds("fixture-request_human") is None
    assert "운영 시간이 아니에요" in messages[0]["text"]
    assert messages[1]["custom"]["handoff"]["status"] == "callback"


def test_a_question_about_someone_else_is_answered_not_handed_off(run_action, database_url):
    messages, events = run_action(ActionHandoffToAgent(), "someone_else")
    assert tickets.active_ticket("fixture-someone_else") is None
    assert slots(events)["faq_id"] == "passport_pickup" and "handoff_ticket" not in slots(events)
    assert "대리" in messages[0]["text"] or "대신" in messages[0]["text"]


def test_declining_the_offer_resets_it(run_action):
    messages, events = run_action(ActionDeclineHandoff(), "unclear")
    assert messages[0]["response"] == "utter_handoff_declined"
    assert slots(events) == {"handoff_offered": False}
