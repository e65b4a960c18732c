"""The role matrix (bot/web/roles.py, README "Security"), one assertion per cell, on HTTP and
WebSocket alike; console sockets close when their session ends; logins are throttled."""
import asyncio
import re
import uuid

import pytest
import requests
import websockets

from bot.handoff import tickets
from bot.web import users
from tests.web.conftest import PASSWORD, Agent, CitizenOpen, ConsoleOpen

pytestmark = pytest.mark.server
ANON, HOLDER, OTHER, CONTENT, ADMIN = "anonymous", "kim", "lee", "editor", "boss"


@pytest.fixture
def chats(accounts, server_db, agent_factory):
    """An assigned chat of kim's and a queued chat nobody holds (everyone online meanwhile)."""
    conversations = [f"c-{uuid.uuid4().hex}" for _ in range(2)]
    with ConsoleOpen(agent_factory(HOLDER)), CitizenOpen(accounts, conversations[0]), \
            CitizenOpen(accounts, conversations[1]):
        mine = tickets.request_handoff(conversations[0], [], within_hours=True,
                                       last_question="수도요금이 많이 나왔어요")
        waiting = tickets.request_handoff(conversations[1], [], within_hours=True)
        tickets.claim(mine.id, HOLDER)
        yield tickets.get(mine.id), waiting
    for ticket in (mine, waiting):
        try:
            tickets.cancel(ticket.id)
        except tickets.InvalidTransition:
            pass


@pytest.fixture
def people(agent_factory, accounts):
    anonymous = Agent(accounts.web_url, "nobody")
    return {ANON: anonymous, **{name: agent_factory(name) for name in (HOLDER, OTHER, CONTENT, ADMIN)}}


# route → expected status per role; {assigned}/{queued} are the fixture's tickets
READS = [
    ("/agent/api/me", {ANON: 401, HOLDER: 200, OTHER: 200, CONTENT: 200, ADMIN: 200}),
    ("/agent/api/queue", {ANON: 401, HOLDER: 200, OTHER: 200, CONTENT: 403, ADMIN: 200}),
    ("/agent/api/tickets/{assigned}", {ANON: 401, HOLDER: 200, OTHER: 403, CONTENT: 403, ADMIN: 200}),
    ("/agent/api/tickets/{queued}", {ANON: 401, HOLDER: 403, OTHER: 403, CONTENT: 403, ADMIN: 200}),
    ("/agent/api/tickets/{assigned}/suggestions", {ANON: 401, HOLDER: 200, OTHER: 403, CONTENT: 403, ADMIN: 200}),
    ("/agent/api/canned", {ANON: 401, HOLDER: 200, OTHER: 200, CONTENT: 403, ADMIN: 200}),
    ("/agent/api/agents", {ANON: 401, HOLDER: 200, OTHER: 200, CONTENT: 403, ADMIN: 200}),
    ("/agent/api/stats", {ANON: 401, HOLDER: 403, OTHER: 403, CONTENT: 200, ADMIN: 200}),
    ("/agent/api/users", {ANON: 401, HOLDER: 403, OTHER: 403, CONTENT: 403, ADMIN: 200}),
]
WRITES = [  # changes nobody but the holder (or an admin, for transfer/close) may make
    ("/agent/api/tickets/{assigned}/messages", {"text": "안녕하세요"},
     {ANON: 401, OTHER: 403, CONTENT: 403, ADMIN: 403, HOLDER: 200}),
    ("/agent/api/tickets/{assigned}/typing", {}, {ANON: 401, OTHER: 403, CONTENT: 403, ADMIN: 403, HOLDER: 200}),
    ("/agent/api/tickets/{assigned}/transfer", {"department": "water"}, {ANON: 401, OTHER: 403, CONTENT: 403}),
    ("/agent/api/tickets/{assigned}/close", {"outcome": "resolved"}, {ANON: 401, OTHER: 403, CONTENT: 403}),
    ("/agent/api/tickets/{queued}/claim", {}, {ANON: 401, CONTENT: 403}),
    ("/agent/api/users", {"username": "intruder", "display_name": "x", "role": "admin"},
     {ANON: 401, HOLDER: 403, OTHER: 403, CONTENT: 403}),
]


def _path(template, chats):
    return template.format(assigned=chats[0].id, queued=chats[1].id)


@pytest.mark.parametrize("template, expected", READS, ids=[r[0] for r in READS])
def test_reads(template, expected, people, chats):
    got = {role: people[role].get(_path(template, chats)).status_code for role in expected}
    assert got == expected


@pytest.mark.parametrize("template, body, expected", WRITES, ids=[w[0] for w in WRITES])
def test_writes(template, body, expected, people, chats):
    before = (tickets.get(chats[0].id), tickets.get(chats[1].id))
    order = sorted(expected, key=lambda role: role == HOLDER)  # the holder last: the others must not change it
    for role in order:
        status = people[role].post(_path(template, chats), body).status_code
        assert status == expected[role], role
        if role != HOLDER:
            assert (tickets.get(chats[0].id), tickets.get(chats[1].id)) == before, role


def test_only_the_agent_who_took_a_callback_sees_the_number(people, chats, server_db):
    from bot.handoff import callback

    ticket = tickets.request_handoff(f"c-{uuid.uuid4().hex}", [], within_hours=False)
    tickets.store_callback_phone(ticket.id, callback.encrypt_phone("010-7777-8888"))
    shown = {role: people[role].get(f"/agent/api/tickets/{ticket.id}") for role in (OTHER, CONTENT, ADMIN)}
    assert shown[OTHER].status_code == 403 and shown[CONTENT].status_code == 403
    assert shown[ADMIN].json()["ticket"]["callback_phone"] == "010-****-8888"
    assert people[CONTENT].post(f"/agent/api/tickets/{ticket.id}/claim").status_code == 403  # the old hole
    with ConsoleOpen(people[OTHER]):  # lee online while holding it
        assert people[OTHER].post(f"/agent/api/tickets/{ticket.id}/claim").status_code == 200
        assert people[OTHER].get(f"/agent/api/tickets/{ticket.id}").json()["ticket"]["callback_phone"] == \
            "010-7777-8888"
        tickets.close(ticket.id, OTHER, "resolved")


async def test_live_chat_pushes_reach_the_holder_and_admins_only(people, chats, citizen_factory, server_db):
    from bot.web import identity

    kim, lee, boss = people[HOLDER], people[OTHER], people[ADMIN]
    for agent in (kim, lee, boss):
        await agent.connect()
        await agent.expect(lambda m: m["type"] == "queue")
    citizen = citizen_factory()
    await citizen.connect(identity.resume_token(chats[0].conversation_id))
    await citizen.say("제 주소는 고잔동이에요")
    for agent in (kim, boss):
        got = await agent.expect(lambda m: m["type"] == "message" and m.get("ticket_id") == chats[0].id)
        assert got["text"] == "제 주소는 고잔동이에요"
    await asyncio.sleep(1.5)
    assert not [m for m in lee.inbox if m["type"] == "message"]  # not lee's chat
    for agent in (kim, lee, boss):
        await agent.close()


async def test_the_console_socket_refuses_strangers_and_content_staff(people, accounts):
    url = accounts.web_url.replace("http", "ws") + "/agent/ws"
    for who, code in ((people[ANON], 4401), (people[CONTENT], 4403)):
        cookie = "; ".join(f"{c.name}={c.value}" for c in who.http.cookies)
        async with websockets.connect(url, extra_headers={"Cookie": cookie} if cookie else None) as ws:
            with pytest.raises(websockets.ConnectionClosed) as closed:
                await asyncio.wait_for(ws.recv(), 10)
        assert closed.value.code == code


async def _closed_code(agent, timeout=15):
    with pytest.raises(websockets.ConnectionClosed) as closed:
        while True:
            await asyncio.wait_for(agent.ws.recv(), timeout)
    return closed.value.code


async def test_sockets_close_on_logout_password_change_and_deactivation(accounts, agent_factory, server_db):
    for name in ("temp1", "temp2", "temp3"):
        if users.get_account(name) is None:
            users.create_user(name, name, "agent", PASSWORD)
    boss = agent_factory(ADMIN)

    first = agent_factory("temp1")
    await first.connect()
    assert first.post("/agent/logout").status_code == 200
    assert await _closed_code(first) == 4401

    second = agent_factory("temp2")
    await second.connect()
    assert boss.post("/agent/api/users/temp2/password").status_code == 200
    assert await _closed_code(second) == 4401
    assert second.get("/agent/api/queue").status_code == 401

    third = agent_factory("temp3")
    await third.connect()
    users.deactivate("temp3")  # as the CLI does, from another process: the socket notices at its next check
    assert await _closed_code(third, timeout=20) == 4401
    assert Agent(accounts.web_url, "temp3").login().status_code == 401


def test_logins_are_throttled_per_account_and_per_ip_and_a_forged_address_does_not_help(web_app):
    app = web_app(8115)
    app.add_user("target", "agent")
    app.add_user("bystander", "agent")
    target = Agent(app.url, "target")
    for _ in range(5):
        assert target.login("wrong-password-1").status_code == 401
    assert target.login().status_code == 429  # the right password, too late: the account is throttled
    assert Agent(app.url, "bystander").login().status_code == 302  # others still get in
    for i in range(5):  # ten failures from one address, whatever address it claims to be
        forged = Agent(app.url, f"nobody{i}")
        forged.http.headers["X-Forwarded-For"] = f"203.0.113.{i}"
        assert forged.login("wrong-password-1").status_code == 401
    late = Agent(app.url, "bystander")
    late.http.headers["X-Forwarded-For"] = "198.51.100.7"
    assert late.login().status_code == 429
    page = requests.get(f"{app.url}/agent/login", timeout=30)
    assert re.search(r"<title>", page.text)


def _login_cookies(app, username, headers):
    """Log in by hand (a Secure cookie would not travel back over the test's plain HTTP)."""
    form = requests.get(f"{app.url}/agent/login", headers=headers, timeout=30)
    token = re.search(r'name="csrf_token" value="([^"]+)"', form.text).group(1)
    response = requests.post(f"{app.url}/agent/login", timeout=30, allow_redirects=False,
                             headers={**headers, "Cookie": f"ansan_login_csrf={token}"},
                             data={"username": username, "password": PASSWORD, "csrf_token": token})
    return form.headers["Set-Cookie"], response


def test_cookies_are_secure_over_https_seen_through_a_trusted_proxy_only(web_app):
    https = {"X-Forwarded-Proto": "https"}  # what nginx says when the browser used HTTPS
    behind = web_app(8119, TRUSTED_PROXIES="127.0.0.1")
    behind.add_user("viaproxy", "agent")
    form_cookie, login = _login_cookies(behind, "viaproxy", https)
    assert login.status_code == 302
    assert "secure" in form_cookie.lower() and "secure" in login.headers["Set-Cookie"].lower()
    direct = web_app(8120)  # no trusted proxy: the same header from anyone is ignored
    direct.add_user("direct", "agent")
    form_cookie, login = _login_cookies(direct, "direct", https)
    assert login.status_code == 302
    assert "secure" not in form_cookie.lower() and "secure" not in login.headers["Set-Cookie"].lower()
