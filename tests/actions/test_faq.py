from actions.faq import ActionAnswerFaq
from bot import settings
from bot.handoff import tickets
from bot.faq.answering import faq_base
from tests.actions.conftest import slots


def test_confident_question_is_answered_and_remembered(run_action):
    messages, events = run_action(ActionAnswerFaq(), "faq_confident")
    entry = faq_base().get("passport_fee")
    assert len(messages) == 1 and messages[0]["text"].startswith(entry.question + "\n")  # its heading
    assert "[" not in messages[0]["text"].splitlines()[0] and "\n\n" not in messages[0]["text"]  # one bubble
    assert messages[0]["text"].splitlines()[-1].startswith("담당:") and not messages[0]["buttons"]
    assert messages[0]["custom"] == {"faq": {"faq_id": "passport_fee"}}
    assert slots(events) == {"faq_id": "passport_fee", "faq_category": "passport", "faq_outcome": "answer",
                             "faq_score": 0.86, "handoff_offered": False}


def test_ambiguous_question_gets_up_to_three_choices_and_a_button_for_a_person(run_action):
    messages, events = run_action(ActionAnswerFaq(), "faq_ambiguous")
    choices, last = messages[0]["buttons"][:-1], messages[0]["buttons"][-1]
    assert 2 <= len(choices) <= 3
    assert [b["payload"] for b in choices][:2] == ["/faq_passport_new", "/faq_passport_fee"]
    assert all(b["title"] == faq_base().get(b["payload"][5:]).question for b in choices)
    assert last == {"title": "상담원 연결", "payload": "/request_human"}  # a button, not "type '상담원 연결'"
    assert "입력" not in messages[0]["text"]
    assert slots(events)["faq_id"] is None and slots(events)["faq_outcome"] == "clarify"


def test_unclear_question_shows_the_topic_menu_without_offering_a_person(run_action):
    messages, events = run_action(ActionAnswerFaq(), "unclear")
    text, buttons = messages[0]["text"], messages[0]["buttons"]
    assert "여권" in text and "수도" in text  # says what the bot covers
    assert "'상담원 연결'" in text  # and how to ask for a person
    assert [b["title"] for b in buttons] == list(faq_base().categories().values())
    assert slots(events)["faq_outcome"] == "unsure" and slots(events)["handoff_offered"] is False


def test_unclear_twice_running_offers_a_human(run_action):
    messages, events = run_action(ActionAnswerFaq(), "unclear_again")
    assert "상담원" in messages[0]["text"]
    assert [b["payload"] for b in messages[0]["buttons"]] == ["/request_human", "/deny"]
    assert slots(events)["handoff_offered"] is True and slots(events)["faq_id"] is None


def test_out_of_scope_says_what_the_bot_does_and_shows_the_topic_menu(run_action):
    messages, events = run_action(ActionAnswerFaq(), "out_of_scope")
    text, buttons = messages[0]["text"], messages[0]["buttons"]
    assert "민원 안내를 도와드려요" in text
    assert [b["title"] for b in buttons] == list(faq_base().categories().values())
    assert buttons[0]["payload"] == '/choose_topic{"topic": "%s"}' % list(faq_base().categories())[0]
    assert "/request_human" not in [b["payload"] for b in buttons]  # no agent unless asked
    assert slots(events)["faq_id"] is None and slots(events)["handoff_offered"] is False


def test_a_remark_with_a_city_keyword_gets_small_talk_not_an_faq(run_action):
    messages, events = run_action(ActionAnswerFaq(), "small_talk")
    assert slots(events)["faq_outcome"] == "small_talk" and slots(events)["faq_id"] is None
    assert faq_base().get("moving_in_report").question not in messages[0]["text"]
    assert not messages[0]["buttons"]


def test_a_topic_click_lists_the_questions_of_that_topic(run_action):
    messages, events = run_action(ActionAnswerFaq(), "topic_click")
    water = [e for e in faq_base().entries if e.category == "water"]
    assert [b["payload"] for b in messages[0]["buttons"]] == [f"/faq_{e.id}" for e in water]
    assert [b["title"] for b in messages[0]["buttons"]] == [e.question for e in water]
    assert slots(events)["faq_category"] == "water"


def test_follow_up_in_context_answers_the_same_topic(run_action):
    messages, events = run_action(ActionAnswerFaq(), "follow_up")
    assert slots(events)["faq_id"] == "passport_fee"
    assert faq_base().get("passport_fee").question in messages[0]["text"]


def test_button_click_answers_the_chosen_entry(run_action):
    _, events = run_action(ActionAnswerFaq(), "button_click")
    assert slots(events)["faq_id"] == "passport_pickup"


def test_classifier_ranking_alone_is_enough(run_action):
    """The stock pipeline has no retriever: the action falls back to the intent ranking."""
    _, events = run_action(ActionAnswerFaq(), "stock_pipeline")
    assert slots(events)["faq_id"] == "car_tax_annual_prepay"


def test_a_request_for_a_person_the_classifier_missed_is_handed_off(run_action, database_url, monkeypatch):
    """Handed off by this action itself: a forced follow-up action would end in Rasa's fallback."""
    monkeypatch.setattr(settings, "BUSINESS_HOURS", "00:00-24:00")
    messages, events = run_action(ActionAnswerFaq(), "missed_request")
    ticket = tickets.active_ticket("fixture-missed_request")
    assert ticket is not None and slots(events)["handoff_ticket"] == str(ticket.id)
    assert f"접수번호 {ticket.id}" in messages[0]["text"]
    assert messages[1]["custom"] == {"handoff": {"ticket_id": ticket.id, "status": ticket.status}}


def test_an_answer_is_recorded_with_its_entry_for_the_dashboard(run_action, database_url):
    from bot.studio import analytics

    run_action(ActionAnswerFaq(), "faq_confident")
    run_action(ActionAnswerFaq(), "unclear")
    report = analytics.dashboard(analytics.period())
    assert report["top_entries"][0]["faq_id"] == "passport_fee" and report["top_entries"][0]["answers"] == 1
    assert report["top_categories"][0]["category"] == "passport"
    assert report["kpis"]["fallback_rate"] == 0.5  # the unclear message


def test_an_unsure_yes_to_the_offer_of_a_person_hands_off(run_action, database_url, monkeypatch):
    """"네" below the fallback threshold, right after "상담원에게 연결해 드릴까요?", still means yes."""
    monkeypatch.setattr(settings, "BUSINESS_HOURS", "00:00-24:00")
    messages, events = run_action(ActionAnswerFaq(), "unsure_yes_after_offer")
    ticket = tickets.active_ticket("fixture-unsure_yes_after_offer")
    assert ticket is not None and f"접수번호 {ticket.id}" in messages[0]["text"]
    assert slots(events)["handoff_offered"] is False


def test_an_unsure_no_to_the_offer_of_a_person_declines_it(run_action, database_url):
    messages, events = run_action(ActionAnswerFaq(), "unsure_no_after_offer")
    assert messages[0]["response"] == "utter_handoff_declined"
    assert slots(events) == {"handoff_offered": False}
    assert tickets.active_ticket("fixture-unsure_no_after_offer") is None
