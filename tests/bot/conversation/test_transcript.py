"""The one transcript builder: tracker events → what people see."""
from bot.conversation import events as tracker_events
from bot.conversation import names, transcript

EVENTS = [
    {"event": "action", "name": "action_listen"},
    {"event": "user", "text": "여권 수수료 얼마예요? 010-1234-5678", "timestamp": 1764400001.0,
     "metadata": {"client_id": "m-1"}},
    {"event": "bot", "text": "어떤 내용이 궁금하신지 골라 주세요.", "timestamp": 1764400002.0,
     "data": {"buttons": [{"title": "여권 발급 수수료는 얼마인가요?", "payload": "/faq_passport_fee"},
                          {"title": "상담원 연결", "payload": "/request_human"}]}},
    {"event": "bot", "data": {"custom": {"handoff": {"ticket_id": 3}}}, "timestamp": 1764400002.5},
    {"event": "user", "text": "/faq_passport_fee", "timestamp": 1764400003.0, "metadata": {"client_id": "m-2"}},
    {"event": "bot", "text": "[여권 발급 수수료는 얼마인가요?] …", "timestamp": 1764400004.0},
    tracker_events.spoken(names.AGENT, "안녕하세요, 김상담입니다.", "김상담"),
]


def test_people_see_roles_masked_text_and_button_titles():
    messages = transcript.from_events(EVENTS)
    assert [m["role"] for m in messages] == ["citizen", "bot", "citizen", "bot", "agent"]
    assert messages[0]["text"] == "여권 수수료 얼마예요? 010-****-5678"  # masked even if stored raw
    assert messages[2]["text"] == "여권 발급 수수료는 얼마인가요?"  # a click reads as its title
    assert [b["payload"] for b in messages[1]["buttons"]] == ["/faq_passport_fee", "/request_human"]
    assert messages[4]["agent_name"] == "김상담" and messages[4]["buttons"] == []


def test_offered_payloads_are_the_buttons_since_the_last_message_and_the_topic_menu():
    from bot.faq.answering import faq_base

    topics = {names.topic_payload(category) for category in faq_base().categories()}
    assert transcript.offered_payloads(EVENTS[:4]) == {"/faq_passport_fee", "/request_human"} | topics
    assert transcript.offered_payloads(EVENTS) == topics  # answered since: only the page's topic menu


def test_an_faq_answer_names_its_entry_in_the_history_too():
    answer = {"event": "bot", "text": "여권 발급 수수료는 얼마인가요?\n…", "timestamp": 1764400004.0,
              "data": {"custom": {"faq": {"faq_id": "passport_fee"}}}}
    assert transcript.from_event(answer)["faq_id"] == "passport_fee"
    assert "faq_id" not in transcript.from_event(EVENTS[2])  # a clarification is no answer
    assert transcript.answered_faq({"custom": {"faq": "broken"}}) is None


def test_a_retried_message_is_found_with_its_replies():
    index = transcript.find_client_message(EVENTS, "m-1")
    assert index == 1 and transcript.find_client_message(EVENTS, "m-9") is None
    replies = transcript.bot_replies_after(EVENTS, index)
    assert replies[0]["text"].startswith("어떤 내용이") and replies[1] == {"custom": {"handoff": {"ticket_id": 3}}}
    assert transcript.last_citizen_question(EVENTS) == "여권 수수료 얼마예요? 010-****-5678"


def test_outbox_tags_mark_spoken_events_only():
    tagged = tracker_events.tag([tracker_events.spoken(names.SYSTEM, "종료"), *tracker_events.back_to_bot()], 42)
    assert tagged[0]["metadata"][names.META_OUTBOX_ID] == 42 and "metadata" not in tagged[1]
    assert transcript.has_outbox_record(tagged, 42) and not transcript.has_outbox_record(tagged, 41)


def test_a_topic_menu_click_reads_as_the_topic_name():
    from bot.faq.answering import faq_base

    category, label = next(iter(faq_base().categories().items()))
    assert transcript.payload_title(names.topic_payload(category)) == label
    assert transcript.payload_title(names.topic_payload("no_such_topic")) is None
    assert transcript.payload_title('/choose_topic{"topic": ') is None  # broken JSON
