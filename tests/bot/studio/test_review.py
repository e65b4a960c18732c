"""The review queue on SQLite and PostgreSQL: what is collected (masked), what is not, and labels."""
from datetime import datetime
from types import SimpleNamespace

from bot.studio import review

RANKING = [{"faq_id": "passport_fee", "score": 0.41}, {"faq_id": "passport_new", "score": 0.39}]


def user(text, client_id=None):
    return {"event": "user", "text": text, "metadata": {"client_id": client_id} if client_id else {}}


def bot(text, buttons=None):
    return {"event": "bot", "text": text, "data": {"buttons": buttons or []}}


def outcome(value, faq_id=None):
    return [{"event": "slot", "name": "faq_outcome", "value": value},
            {"event": "slot", "name": "faq_id", "value": faq_id}]


def test_fallbacks_are_collected_masked_with_the_bots_guess(database_url):
    item_id = review.after_bot_turn("c-1", "여권 010-1234-5678로 연락 주세요", "unsure", RANKING)
    assert review.after_bot_turn("c-1", "여권 010-1234-5678로 연락 주세요", "unsure", RANKING) is None  # a repeat
    assert review.after_bot_turn("c-1", "다른 질문", "offer_human", []) is not None
    for skipped in ("answer", "small_talk", "out_of_scope"):
        assert review.after_bot_turn("c-1", "안녕하세요", skipped, RANKING) is None
    assert review.after_bot_turn("c-1", '/choose_topic{"topic": "water"}', "clarify", []) is None  # a click
    first = review.items([item_id])[0]
    assert "1234-5678" not in first.text and "여권" in first.text
    assert (first.source, first.bot_guess, first.bot_score, first.status) == ("fallback", "passport_fee", 0.41, "open")
    assert review.open_counts() == {"fallback": 2, "clarify": 0, "handoff_after_answer": 0,
                                    "thumbs_down": 0, "agent_helped": 0}


def test_a_click_on_a_clarification_choice_labels_the_question_and_feeds_the_regression_set(database_url):
    buttons = [{"title": "여권 수수료", "payload": "/faq_passport_fee"}, {"title": "신규", "payload": "/faq_passport_new"}]
    review.collect_turn("c-2", [user("여권 얼마")], "여권 얼마", "clarify", RANKING)
    events = [user("여권 얼마"), *outcome("clarify"), bot("골라 주세요", buttons), user("/faq_passport_new")]
    labelled = review.collect_turn("c-2", events, "/faq_passport_new", "answer", None)
    item = review.items([labelled])[0]
    assert (item.status, item.label) == ("labelled", "passport_new")
    assert review.regression_set() == [{"text": "여권 얼마", "expect": "passport_new"}]

    # unresolved: the citizen typed something else after the clarification — the item stays open
    review.collect_turn("c-3", [user("여권 얼마")], "여권 얼마", "clarify", RANKING)
    events = [user("여권 얼마"), *outcome("clarify"), bot("골라 주세요", buttons), user("수도 요금")]
    review.collect_turn("c-3", events, "수도 요금", "answer", None)
    assert [i.source for i in review.open_items() if i.conversation_id == "c-3"] == ["clarify"]


def test_an_answer_followed_by_a_request_for_a_person(database_url):
    events = [user("여권 수수료 얼마예요"), *outcome("answer", "passport_fee"), bot("[여권] …"), user("상담원 연결")]
    item_id = review.after_handoff("c-4", events, "answer", "passport_fee")
    item = review.items([item_id])[0]
    assert (item.text, item.source, item.bot_guess) == ("여권 수수료 얼마예요", "handoff_after_answer", "passport_fee")
    assert review.after_handoff("c-5", events, "offer_human", None) is None  # a fallback, collected already
    clicked = [user("여권 얼마"), *outcome("clarify"), user("/faq_passport_fee"), *outcome("answer", "passport_fee"),
               user("사람이랑 얘기할래요")]
    assert review.answered_question(clicked) == "여권 얼마"  # the clarified question, not the click


def test_a_closed_ticket_the_agent_solved_brings_the_question_and_the_agents_first_reply(database_url):
    created = datetime(2026, 11, 1, 9, 0)  # naive, as SQLite gives it back (UTC)
    ticket = SimpleNamespace(outcome="info_given", last_question="상담원 연결해 주세요", conversation_id="c-6",
                             created_at=created, assigned_at=created.replace(minute=1))
    messages = [{"role": "agent", "text": "예전 상담", "ts": "2026-10-01T09:00:00+00:00"},
                {"role": "citizen", "text": "주차 과태료 이의신청은요?", "ts": "2026-11-01T08:59:40+00:00"},
                {"role": "bot", "text": "죄송해요 …", "ts": "2026-11-01T08:59:41+00:00"},
                {"role": "citizen", "text": "상담원 연결해 주세요", "ts": "2026-11-01T08:59:59+00:00"},
                {"role": "agent", "text": "의견진술서를 내시면 돼요. 연락처 010-9999-8888", "ts": "2026-11-01T09:01:30+00:00"},
                {"role": "agent", "text": "다른 말", "ts": "2026-11-01T09:02:00+00:00"}]
    item = review.items([review.after_ticket_closed(ticket, messages)])[0]
    assert (item.source, item.text) == ("agent_helped", "주차 과태료 이의신청은요?")
    assert item.agent_reply.startswith("의견진술서를 내시면 돼요") and "9999-8888" not in item.agent_reply
    assert review.after_ticket_closed(SimpleNamespace(**{**vars(ticket), "outcome": "no_response"}), messages) is None
    assert review.after_ticket_closed(ticket, messages[3:]) is None  # only the request for a person: no question


def test_labels_leave_the_queue_and_join_the_regression_set_once(database_url):
    ids = [review.record(f"c-{n}", text, "fallback") for n, text in enumerate(["쓰레기 버리는 날", "쓰레기  버리는 날", "로또 번호"])]
    assert [i.id for i in review.label(ids[:2], "waste_day", "editor")] == ids[:2]
    assert review.label(ids[:2], "waste_day", "editor") == []  # already labelled
    review.label(ids[2:], "out_of_scope", "editor")
    assert review.open_items() == []
    assert review.regression_set() == [{"text": "쓰레기 버리는 날", "expect": "waste_day"},
                                       {"text": "로또 번호", "expect": "out_of_scope"}]
    assert {i.status for i in review.items(ids)} == {"labelled", "out_of_scope"}
