"""The handoff over the real web app, Rasa and action server (API level, no browser)."""
import asyncio
import threading
import uuid

import pytest
import requests
import websockets

from bot.conversation import names
from bot.handoff import tickets
from tests.conftest import TEST_TIMEOUTS
from tests.web.conftest import ConsoleOpen

pytestmark = pytest.mark.server
TIMEOUT = int(TEST_TIMEOUTS["AGENT_DISCONNECT_TIMEOUT"])


def is_msg(role, contains=""):
    return lambda m: m["type"] == "message" and m["role"] == role and contains in m["text"]


def is_state(state):
    return lambda m: m["type"] == "state" and m["state"] == state


def tracker(servers, conversation_id):
    return requests.get(f"{servers.rasa_url}/conversations/{conversation_id}/tracker",
                        params={"token": servers.token}, timeout=30).json()


def user_events(servers, conversation_id):
    return [e for e in tracker(servers, conversation_id)["events"] if e["event"] == "user"]


async def eventually(check, timeout=30.0):
    """Wait until ``check()`` is truthy (the record reaches Rasa a moment after the push)."""
    deadline = asyncio.get_running_loop().time() + timeout
    while True:
        value = check()
        if value or asyncio.get_running_loop().time() > deadline:
            return value
        await asyncio.sleep(0.2)


async def queued_citizen(citizen_factory, first_question="여권 발급 수수료가 얼마예요?"):
    citizen = citizen_factory()
    await citizen.connect()
    await citizen.say(first_question)
    await citizen.expect(is_msg("bot"))
    await citizen.say("상담원 연결해 주세요")
    state = await citizen.expect(is_state("queued"))
    return citizen, state["ticket_id"]


async def test_citizen_to_agent_and_back_to_the_bot(citizen_factory, agent_factory, servers, server_db):
    citizen, ticket_id = await queued_citizen(citizen_factory)
    agent = agent_factory("kim")
    await agent.connect()
    queue = await agent.expect(lambda m: m["type"] == "queue" and any(t["id"] == ticket_id for t in m["tickets"]))
    row = next(t for t in queue["tickets"] if t["id"] == ticket_id)
    assert row["status"] == "queued" and row["last_question"] and row["waiting_seconds"] >= 0

    assert agent.post(f"/agent/api/tickets/{ticket_id}/claim").status_code == 200
    assert (await citizen.expect(is_state("assigned")))["agent_name"] == "김상담"
    await citizen.expect(is_msg("system", "김상담 상담원이 연결"))

    detail = agent.get(f"/agent/api/tickets/{ticket_id}").json()
    roles = [m["role"] for m in detail["transcript"]]
    assert roles[:2] == ["citizen", "bot"] and "수수료" in detail["transcript"][0]["text"]

    await citizen.say("제 번호는 010-1234-5678 이에요")
    got = await agent.expect(lambda m: m["type"] == "message" and m.get("ticket_id") == ticket_id
                             and m["role"] == "citizen")
    assert got["text"] == "제 번호는 010-****-5678 이에요"
    suggestions = agent.get(f"/agent/api/tickets/{ticket_id}/suggestions").json()["suggestions"]
    assert 1 <= len(suggestions) <= 3 and all(s["answer"] and s["faq_id"] for s in suggestions)

    assert agent.post(f"/agent/api/tickets/{ticket_id}/messages", {"text": "네, 확인해 드릴게요."}).status_code == 200
    reply = await citizen.expect(is_msg("agent", "확인해 드릴게요"))
    assert reply["agent_name"] == "김상담"

    closed = agent.post(f"/agent/api/tickets/{ticket_id}/close", {"outcome": "resolved", "note": "안내 완료"})
    assert closed.status_code == 200
    await citizen.expect(is_state("bot"))
    await citizen.expect(lambda m: m["type"] == "rating_request" and m["ticket_id"] == ticket_id)
    await citizen.send({"type": "rating", "ticket_id": ticket_id, "score": 5})
    for _ in range(50):
        if tickets.get(ticket_id).rating == 5:
            break
        await asyncio.sleep(0.1)
    assert tickets.get(ticket_id).rating == 5

    await citizen.say("자동차세 연납 신청은 어떻게 해요?")  # the bot answers again
    await citizen.expect(is_msg("bot", "연납"))
    events = tracker(servers, citizen.conversation_id)["events"]
    agent_texts = [e["text"] for e in events if e["event"] == "bot" and (e.get("metadata") or {}).get("role") == "agent"]
    assert agent_texts == ["네, 확인해 드릴게요."]  # the tracker is the record of the agent chat too
    to_agent = [e["text"] for e in events if e["event"] == "user"
                and (e.get("metadata") or {}).get(names.META_ROUTE) == names.ROUTE_AGENT]
    assert to_agent == ["제 번호는 010-****-5678 이에요"]  # recorded for the agent, never read by the bot
    assert [e["text"] for e in events if e["event"] == "bot" and (e.get("metadata") or {}).get("role") == "system"
            ][-1].startswith("상담이 종료되었어요")

    editor = agent_factory("editor")
    stats = editor.get("/agent/api/stats").json()
    assert stats["resolved_by_agent"] >= 1 and stats["satisfaction"]["count"] >= 1
    assert agent.get("/agent/api/stats").status_code == 403  # agents do not see the counters
    assert stats["period"]["timezone"] == "Asia/Seoul"
    past = editor.get("/agent/api/stats", params={"from": "2020-01-01", "to": "2020-01-31"}).json()
    assert past["period"] == {"from": "2020-01-01", "to": "2020-01-31", "timezone": "Asia/Seoul"}
    assert past["conversations"] == 0 and past["resolved_by_agent"] == 0
    for bad in ({"from": "어제"}, {"from": "2026-11-02", "to": "2026-11-01"}):
        answer = editor.get("/agent/api/stats", params=bad)
        assert answer.status_code == 400 and answer.json()["error"]


async def test_two_agents_never_take_the_same_chat(citizen_factory, agent_factory, server_db):
    _, ticket_id = await queued_citizen(citizen_factory)
    kim, lee = agent_factory("kim"), agent_factory("lee")
    barrier, results = threading.Barrier(2), {}

    def claim(agent):
        barrier.wait()
        results[agent.username] = agent.post(f"/agent/api/tickets/{ticket_id}/claim").status_code

    threads = [threading.Thread(target=claim, args=(a,)) for a in (kim, lee)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert sorted(results.values()) == [200, 409]
    winner = next(name for name, code in results.items() if code == 200)
    assert tickets.get(ticket_id).agent_username == winner


async def test_reconnect_keeps_the_conversation(citizen_factory):
    citizen, ticket_id = await queued_citizen(citizen_factory, "도서관 몇 시까지 해요?")
    conversation, resume = citizen.conversation_id, citizen.resume
    await citizen.close()
    again = citizen_factory()
    welcome = await again.connect(resume)
    assert welcome["conversation_id"] == conversation
    assert welcome["state"]["state"] == "queued" and welcome["state"]["ticket_id"] == ticket_id
    texts = [m["text"] for m in welcome["history"]]
    assert texts[0] == "도서관 몇 시까지 해요?" and "상담원 연결해 주세요" in texts


async def test_agent_disconnect_returns_the_chat_to_the_queue(citizen_factory, agent_factory, server_db):
    citizen, ticket_id = await queued_citizen(citizen_factory)
    agent = agent_factory("lee")
    await agent.connect()
    assert agent.post(f"/agent/api/tickets/{ticket_id}/claim").status_code == 200
    await citizen.expect(is_state("assigned"))
    await agent.close()
    await citizen.expect(is_msg("system", "다시 대기열로"), timeout=TIMEOUT + 20)
    await citizen.expect(is_state("queued"))
    ticket = tickets.get(ticket_id)
    assert ticket.status == tickets.QUEUED and ticket.agent_username is None


async def test_citizen_who_leaves_the_queue_is_cancelled(citizen_factory, servers, server_db):
    citizen, ticket_id = await queued_citizen(citizen_factory)
    await citizen.close()
    for _ in range(TIMEOUT + 20):
        await asyncio.sleep(1)
        if tickets.get(ticket_id).status == tickets.CANCELLED:
            break
    assert tickets.get(ticket_id).status == tickets.CANCELLED
    again = citizen_factory()
    welcome = await again.connect(citizen.resume)
    assert welcome["state"]["state"] == "bot"
    await again.say("재산세는 언제 내요?")  # the bot is back for them
    await again.expect(is_msg("bot", "재산세"))


async def test_message_racing_a_close_is_not_lost(citizen_factory, agent_factory, servers, server_db):
    citizen, ticket_id = await queued_citizen(citizen_factory)
    agent = agent_factory("kim")
    await agent.connect()
    assert agent.post(f"/agent/api/tickets/{ticket_id}/claim").status_code == 200
    await citizen.expect(is_state("assigned"))

    close = asyncio.get_running_loop().run_in_executor(
        None, lambda: agent.post(f"/agent/api/tickets/{ticket_id}/close", {"outcome": "info_given"}))
    client_id = await citizen.say("잠깐만요 하나 더 있어요")
    assert (await close).status_code == 200
    await citizen.expect(is_state("bot"))
    await citizen.expect(lambda m: m["type"] == "ack" and m["client_id"] == client_id)

    def recorded():
        return [e for e in user_events(servers, citizen.conversation_id)
                if (e.get("metadata") or {}).get(names.META_CLIENT_ID) == client_id]

    kept = await eventually(recorded)
    assert len(kept) == 1  # in the record exactly once, whatever won the race …
    if (kept[0].get("metadata") or {}).get(names.META_ROUTE) == names.ROUTE_AGENT:  # … and seen by one side
        await agent.expect(lambda m: m.get("role") == "citizen" and "하나 더" in m.get("text", ""), timeout=30)
    else:
        await citizen.expect(is_msg("bot"), timeout=30)


async def test_callback_outside_hours_keeps_the_phone_for_the_assigned_agent(
        citizen_factory, agent_factory, server_db):
    from bot.web import identity

    conversation = "c-" + "ab" * 16
    ticket = tickets.request_handoff(conversation, [], within_hours=False)
    citizen = citizen_factory()
    welcome = await citizen.connect(identity.resume_token(conversation))
    assert welcome["state"]["state"] == "callback"
    await citizen.expect(lambda m: m["type"] == "callback_form")
    await citizen.send({"type": "callback_request", "ticket_id": ticket.id, "phone": "010-5555-6666",
                        "consent": False})
    assert "동의" in (await citizen.expect(lambda m: m["type"] == "error"))["text"]
    await citizen.send({"type": "callback_request", "ticket_id": ticket.id, "phone": "010 5555 6666",
                        "consent": True})
    assert "010-****-6666" in (await citizen.expect(is_msg("system", "콜백")))["text"]
    kim, lee, boss = agent_factory("kim"), agent_factory("lee"), agent_factory("boss")
    assert lee.get(f"/agent/api/tickets/{ticket.id}").status_code == 403  # not lee's chat
    assert boss.get(f"/agent/api/tickets/{ticket.id}").json()["ticket"]["callback_phone"] == "010-****-6666"
    with ConsoleOpen(kim):  # kim online while holding it
        assert kim.post(f"/agent/api/tickets/{ticket.id}/claim").status_code == 200
        assert kim.get(f"/agent/api/tickets/{ticket.id}").json()["ticket"]["callback_phone"] == "010-5555-6666"
        assert boss.get(f"/agent/api/tickets/{ticket.id}").json()["ticket"]["callback_phone"] == "010-****-6666"
        await citizen.deliver("여권 수수료 얼마예요?")  # a claimed callback: the agent holds it, the bot is silent
        await asyncio.sleep(2)
        assert not [m for m in citizen.inbox if m.get("role") == "bot"]


def test_console_needs_login_csrf_and_the_right_role(accounts, agent_factory):
    base = accounts.web_url
    assert requests.get(f"{base}/agent/api/queue", timeout=30).status_code == 401
    assert requests.get(f"{base}/agent", timeout=30, allow_redirects=False).headers["location"] == "/agent/login"
    kim = agent_factory("kim")
    assert kim.post("/agent/api/tickets/1/claim", csrf="wrong").status_code == 403
    assert kim.post("/agent/logout", csrf="").status_code == 403
    wrong = type(kim)(base, "kim")
    assert wrong.login("not-the-password").status_code == 401
    page = requests.get(f"{base}/agent", cookies=kim.http.cookies, timeout=30)
    assert page.headers["X-Frame-Options"] == "DENY" and "frame-ancestors 'none'" in page.headers[
        "Content-Security-Policy"]
    cookie = next(c for c in kim.http.cookies if c.name == "ansan_session")
    assert cookie.has_nonstandard_attr("HttpOnly") or cookie._rest.get("HttpOnly") is not None
    assert kim.post("/agent/logout").status_code == 200
    assert kim.get("/agent/api/me").status_code == 401


async def test_agent_socket_without_a_session_is_refused(accounts):
    url = accounts.web_url.replace("http", "ws") + "/agent/ws"
    async with websockets.connect(url) as ws:
        with pytest.raises(websockets.ConnectionClosed) as closed:
            await asyncio.wait_for(ws.recv(), 10)
    assert closed.value.code == 4401


async def test_bad_frames_get_a_polite_error(citizen_factory):
    citizen = citizen_factory()
    await citizen.connect()
    await citizen.ws.send("not json")
    assert "요청" in (await citizen.expect(lambda m: m["type"] == "error"))["text"]
    await citizen.send({"type": "rating", "ticket_id": 999999, "score": 9})
    await citizen.expect(lambda m: m["type"] == "error")
    await citizen.say("")
    assert "비어" in (await citizen.expect(is_msg("bot"))).get("text")


# --- issue 11: the queue agents work --------------------------------------------------------
def _callback_request(phone=None):
    from bot.handoff import callback  # encrypts with the servers' keys (fixture server_db)

    ticket = tickets.request_handoff(f"c-{uuid.uuid4().hex}", [], within_hours=False, last_question="콜백 부탁해요")
    return tickets.store_callback_phone(ticket.id, callback.encrypt_phone(phone)) if phone else ticket


async def test_the_queue_shows_the_question_and_no_callback_without_a_number(citizen_factory, agent_factory, server_db):
    citizen, ticket_id = await queued_citizen(citizen_factory, "자동차세 연납 신청은 언제까지예요?")
    bare, numbered = _callback_request(), _callback_request("010-3333-4444")
    kim = agent_factory("kim")
    rows = {t["id"]: t for t in kim.get("/agent/api/queue").json()["tickets"]}
    assert rows[ticket_id]["last_question"] == "자동차세 연납 신청은 언제까지예요?"  # not the request for a person
    assert bare.id not in rows and numbered.id in rows
    assert rows[numbered.id]["callback"] and 0 < rows[numbered.id]["expires_in_seconds"] <= 48 * 3600
    order = [t["status"] for t in kim.get("/agent/api/queue").json()["tickets"]]
    assert order == sorted(order, key=["queued", "assigned", "callback"].index)  # live chats first
    assert kim.post(f"/agent/api/tickets/{bare.id}/claim").status_code == 409  # no number, no ticket

    await citizen.say("그리고 카드로 낼 수 있어요?")  # asked while waiting: the card shows it
    for _ in range(100):
        if tickets.get(ticket_id).last_question == "그리고 카드로 낼 수 있어요?":
            break
        await asyncio.sleep(0.1)
    assert tickets.get(ticket_id).last_question == "그리고 카드로 낼 수 있어요?"
    await citizen.say("네")  # no question: the card keeps the last one
    await asyncio.sleep(1)
    assert tickets.get(ticket_id).last_question == "그리고 카드로 낼 수 있어요?"
    tickets.dismiss(numbered.id, "kim")


async def test_put_back_and_dismiss_over_the_api(citizen_factory, agent_factory, servers, server_db):
    citizen, ticket_id = await queued_citizen(citizen_factory)
    kim, lee, editor = agent_factory("kim"), agent_factory("lee"), agent_factory("editor")
    with ConsoleOpen(kim):
        assert kim.post(f"/agent/api/tickets/{ticket_id}/claim").status_code == 200
        await citizen.expect(is_state("assigned"))
        assert lee.post(f"/agent/api/tickets/{ticket_id}/put-back").status_code == 403
        assert editor.post(f"/agent/api/tickets/{ticket_id}/put-back").status_code == 403
        back = kim.post(f"/agent/api/tickets/{ticket_id}/put-back")
        assert back.status_code == 200 and back.json()["ticket"]["status"] == "queued"
        await citizen.expect(is_state("queued"))
        await citizen.expect(is_msg("system", "원래 대기 순서로 돌아갔어요"))
        assert kim.post(f"/agent/api/tickets/{ticket_id}/put-back").status_code == 403  # not hers any more

    requests_ = [_callback_request("010-1111-2222") for _ in range(2)]
    for bad in ({}, {"ids": []}, {"ids": ["1"]}, {"ids": [True]}, {"ids": list(range(1, 502))}):
        assert kim.post("/agent/api/callbacks/dismiss", bad).status_code == 400
    assert editor.post("/agent/api/callbacks/dismiss", {"ids": [requests_[0].id]}).status_code == 403
    done = kim.post("/agent/api/callbacks/dismiss", {"ids": [r.id for r in requests_] + [ticket_id]}).json()
    assert done == {"dismissed": [r.id for r in requests_], "skipped": [ticket_id]}  # a live chat is never dismissed
    assert tickets.get(ticket_id).status == tickets.QUEUED
    for _ in range(100):
        texts = [e.get("text") or "" for e in tracker(servers, requests_[0].conversation_id)["events"]]
        if any("상담원이 확인하고 마감" in t for t in texts):
            break
        await asyncio.sleep(0.2)
    assert any("상담원이 확인하고 마감" in t and "상담원 연결" in t for t in texts)


async def test_suggestions_follow_the_question_and_agent_line_breaks_are_kept(
        citizen_factory, agent_factory, servers, server_db):
    citizen, ticket_id = await queued_citizen(citizen_factory, "여권 발급 수수료가 얼마예요?")
    kim = agent_factory("kim")
    with ConsoleOpen(kim):
        assert kim.post(f"/agent/api/tickets/{ticket_id}/claim").status_code == 200
        shown = kim.get(f"/agent/api/tickets/{ticket_id}/suggestions").json()
        assert shown["question"] == "여권 발급 수수료가 얼마예요?"
        assert shown["suggestions"][0]["faq_id"] == "passport_fee"
        assert not any("{" in s["answer"] or "확인 필요" in s["answer"] for s in shown["suggestions"])
        text = "안녕하세요.\n\n\n\n수수료는 종류마다 달라요.\r\n010-9876-5432로 연락 주세요"
        assert kim.post(f"/agent/api/tickets/{ticket_id}/messages", {"text": text}).status_code == 200
        got = await citizen.expect(is_msg("agent", "안녕하세요"))
        assert got["text"] == "안녕하세요.\n\n수수료는 종류마다 달라요.\n010-****-5432로 연락 주세요"
