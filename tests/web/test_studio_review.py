"""The review queue over the real stack: collection points (Rasa + actions), 👍/👎 on the citizen
socket, the agent's close, and the studio routes on SQLite (the shared web app) and PostgreSQL."""
import uuid

import pytest

from bot import settings
from bot.storage.db import session_scope
from bot.storage.models import AnswerFeedback, ReviewItem
from bot.studio import drafts, review
from bot.web import users
from tests.web.conftest import PASSWORD, Agent
from tests.web.test_handoff_api import eventually, is_msg, is_state, queued_citizen

pytestmark = pytest.mark.server


def items_of(conversation_id):
    with session_scope() as session:
        rows = session.query(ReviewItem).filter_by(conversation_id=conversation_id).order_by(ReviewItem.id).all()
        return [review.Item.from_row(r) for r in rows]


def sender():
    return f"review-{uuid.uuid4().hex[:10]}"


def first_with_outcome(chat, tracker_of, texts, outcomes):
    """(conversation, text, replies) of the first text the live model meets with one of ``outcomes``."""
    for text in texts:
        who = sender()
        replies = chat(text, who)
        if tracker_of(who)["slots"].get("faq_outcome") in outcomes:
            return who, text, replies
    raise AssertionError(f"none of {texts} led to {outcomes}")


def test_fallbacks_clarifications_and_answers_followed_by_a_request_for_a_person(chat, tracker_of, server_db):
    missed, _, _ = first_with_outcome(chat, tracker_of, ["시장님께 건의하고 싶어요", "버스 노선 변경 문의",
                                                         "길고양이 중성화 신청"], ("unsure", "offer_human"))
    assert [(i.source, i.status) for i in items_of(missed)] == [("fallback", "open")]

    vague = ["여권 관련해서 궁금한데요", "주차 관련 질문이요", "수도 관련해서요", "증명서 떼려고요"]
    clarified, text, replies = first_with_outcome(chat, tracker_of, vague, ("clarify",))
    buttons = replies[0]["buttons"]
    chat(buttons[1]["payload"], clarified)  # the citizen clicks a choice: labelled at once, into the regression set
    [item] = items_of(clarified)
    assert (item.source, item.status, item.label) == ("clarify", "labelled", buttons[1]["payload"][5:])
    assert {"text": text, "expect": item.label} in review.regression_set()

    left = sender()  # the citizen types something else instead: the clarification stays open
    chat(text, left)
    chat("자동차세 연납 신청은 어떻게 해요?", left)
    assert [(i.source, i.status) for i in items_of(left)] == [("clarify", "open")]

    answered = sender()
    replies = chat("여권 발급 수수료가 얼마예요? 제 번호는 010-1234-5678", answered)
    assert {"faq": {"faq_id": "passport_fee"}} in [r.get("custom") for r in replies]  # the web app is told
    chat("상담원 연결해 주세요", answered)
    [item] = items_of(answered)
    assert (item.source, item.bot_guess) == ("handoff_after_answer", "passport_fee")
    assert "1234-5678" not in item.text and item.text.startswith("여권 발급 수수료가 얼마예요?")


async def test_thumbs_on_an_answer_over_the_citizen_socket(citizen_factory, server_db):
    citizen = citizen_factory()
    await citizen.connect()
    client_id = await citizen.say("여권 발급 수수료가 얼마예요?")
    answer = await citizen.expect(lambda m: m["type"] == "message" and m["role"] == "bot" and m.get("faq_id"))
    assert answer["faq_id"] == "passport_fee" and answer["reply_to"] == client_id

    await citizen.send({"type": "feedback", "reply_to": client_id, "rating": "down"})
    assert (await citizen.expect(lambda m: m["type"] == "feedback_saved"))["rating"] == "down"
    [item] = items_of(citizen.conversation_id)
    assert (item.source, item.bot_guess, item.text) == ("thumbs_down", "passport_fee", "여권 발급 수수료가 얼마예요?")

    await citizen.send({"type": "feedback", "reply_to": client_id, "rating": "up"})  # changed its mind
    await citizen.expect(lambda m: m["type"] == "feedback_saved" and m["rating"] == "up")
    assert items_of(citizen.conversation_id) == []
    with session_scope() as session:
        votes = session.query(AnswerFeedback).filter_by(conversation_id=citizen.conversation_id).all()
        assert [(v.message_key, v.faq_id, v.rating) for v in votes] == [(client_id, "passport_fee", 1)]

    chitchat = await citizen.say("안녕하세요")
    await citizen.expect(is_msg("bot"))
    for bad in ({"reply_to": chitchat, "rating": "down"}, {"reply_to": client_id, "rating": "최고"},
                {"reply_to": ["x"], "rating": "up"}):
        await citizen.send({"type": "feedback", **bad})
        error = await citizen.expect(lambda m: m["type"] == "error")
        assert error["text"] in ("평가할 수 있는 답변이 아니에요.", "잘못된 요청이에요. 페이지를 새로고침해 주세요.")
    await citizen.close()


async def test_a_chat_the_agent_solved_brings_the_question_and_the_agents_reply(
        citizen_factory, agent_factory, server_db):
    citizen, ticket_id = await queued_citizen(citizen_factory, "주차장 정기권 환불은 어디서 해요?")
    agent = agent_factory("kim")
    assert agent.post(f"/agent/api/tickets/{ticket_id}/claim").status_code == 200
    await citizen.expect(is_state("assigned"))
    assert agent.post(f"/agent/api/tickets/{ticket_id}/messages",
                      {"text": "정기권 환불은 시설관리공단 010-2222-3333으로 문의하세요."}).status_code == 200
    await citizen.expect(is_msg("agent", "정기권 환불"))
    assert agent.post(f"/agent/api/tickets/{ticket_id}/close", {"outcome": "info_given", "note": ""}).status_code == 200
    helped = await eventually(lambda: [i for i in items_of(citizen.conversation_id) if i.source == "agent_helped"])
    assert helped and helped[0].text == "주차장 정기권 환불은 어디서 해요?"
    assert helped[0].agent_reply.startswith("정기권 환불은 시설관리공단") and "2222-3333" not in helped[0].agent_reply
    await citizen.close()


# --- the studio routes, on both databases ------------------------------------------------------
@pytest.fixture(params=["sqlite", "postgresql"])
def studio_app(request, accounts, web_app, monkeypatch):
    """(base URL, database URL): the shared web app on SQLite, or a web app of its own on PostgreSQL."""
    if request.param == "sqlite":
        monkeypatch.setattr(settings, "DATABASE_URL", accounts.database_url)
        return accounts.web_url, accounts.database_url
    url = request.getfixturevalue("postgres_url")
    app = web_app(8147, DATABASE_URL=url)
    monkeypatch.setattr(settings, "DATABASE_URL", url)
    for name, role in (("editor", "content"), ("kim", "agent")):
        if users.get_account(name) is None:
            users.create_user(name, name, role, PASSWORD)
    return app.url, url


def login(base, username):
    person = Agent(base, username)
    assert person.login().status_code == 302
    return person


def test_review_routes_cluster_label_and_refuse_bad_input(studio_app, chat):
    base, _ = studio_app
    chat("안녕하세요", sender())  # Rasa's first inference is slow; the queue gives the model's guesses 10 s in all
    run = uuid.uuid4().hex[:6]
    similar = ["음식물 쓰레기 봉투 어디서 사요?", "음식물쓰레기 봉투는 어디서 팔아요", "음식물 쓰레기 봉투 파는 곳 알려주세요"]
    ids = [review.record(f"r-{run}-{n}", text, review.FALLBACK, bot_guess="food_waste") for n, text in enumerate(similar)]
    lone = review.record(f"r-{run}-9", "반려견 동물등록은 어떻게 하나요?", review.AGENT_HELPED,
                         agent_reply="동물등록은 가까운 동물병원에서 하시면 돼요.")
    editor = login(base, "editor")

    answer = editor.get("/studio/api/review")
    assert answer.status_code == 200, answer.text
    body = answer.json()
    mine = [c for c in body["clusters"] if set(ids) & {i["id"] for i in c["items"]}]
    assert len(mine) == 1 and {i["id"] for i in mine[0]["items"]} >= set(ids)
    assert mine[0]["guess"] == "food_waste" and mine[0]["guess_question"]
    assert body["counts"]["fallback"] >= 3 and any(e["id"] == "food_waste" for e in body["entries"])
    alone = next(c for c in body["clusters"] if lone in {i["id"] for i in c["items"]})
    assert alone["count"] == 1 and alone["guess"]  # no bot guess: the live model's nearest entry

    started = editor.post("/studio/api/review/new-entry", {"item_ids": [lone]}).json()["draft"]
    assert started["answer"] == "동물등록은 가까운 동물병원에서 하시면 돼요." and started["examples"] == ["반려견 동물등록은 어떻게 하나요?"]

    try:
        added = editor.post("/studio/api/review/examples", {"item_ids": ids, "faq_id": "food_waste"})
        assert added.status_code == 200, added.text
        draft = drafts.get_draft("faq", "food_waste")
        assert set(similar) <= set(draft.payload["examples"]) and draft.author == "editor"
        assert {i.status for i in review.items(ids)} == {"labelled"}
        assert {"text": similar[0], "expect": "food_waste"} in review.regression_set()
        again = editor.post("/studio/api/review/examples", {"item_ids": ids, "faq_id": "food_waste"})
        assert again.status_code == 409 and again.json()["error"] == "이미 처리된 메시지예요. 목록을 새로고침해 주세요."
    finally:
        drafts.discard_draft("faq", "food_waste")  # other tests publish the drafts of this database

    assert editor.post("/studio/api/review/out-of-scope", {"item_ids": [lone]}).json() == {"labelled": 1}
    assert {"text": "반려견 동물등록은 어떻게 하나요?", "expect": "out_of_scope"} in review.regression_set()

    for path, bad in (("examples", {"item_ids": "1", "faq_id": "food_waste"}), ("examples", {"item_ids": [lone]}),
                      ("out-of-scope", {}), ("new-entry", {"item_ids": [True]})):
        answer = editor.post(f"/studio/api/review/{path}", bad)
        assert answer.status_code == 400 and answer.json()["error"] in ("검토할 메시지를 골라 주세요.",
                                                                        "예문을 추가할 FAQ 항목을 목록에서 골라 주세요.")
    fresh = review.record(f"r-{run}-8", "로또 번호 알려줘", review.FALLBACK)
    unknown = editor.post("/studio/api/review/examples", {"item_ids": [fresh], "faq_id": "no_such_entry"})
    assert unknown.status_code == 404 and unknown.json()["error"]
    assert editor.post("/studio/api/review/out-of-scope", {"item_ids": [fresh]}, csrf="wrong").status_code == 403
    assert login(base, "kim").get("/studio/api/review").status_code == 403
    assert editor.post("/studio/api/review/out-of-scope", {"item_ids": [fresh]}).status_code == 200
