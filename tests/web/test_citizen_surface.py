"""The public citizen socket resists abuse: server-issued conversations, Origin, rate limits,
malformed frames, a fuzz run, and callback requests that cannot pile up."""
import asyncio
import json
import random
import time
import uuid
from datetime import timedelta

import pytest
import requests
import websockets
from sqlalchemy import update

from bot.handoff import tickets
from bot.storage.db import session_scope
from bot.storage.models import HandoffTicket, utcnow
from tests.web.conftest import Citizen

pytestmark = pytest.mark.server


def is_error(code=None):
    return lambda m: m["type"] == "error" and (code is None or m.get("code") == code)


async def closed_with(ws, timeout=10):
    with pytest.raises(websockets.ConnectionClosed) as closed:
        while True:
            await asyncio.wait_for(ws.recv(), timeout)
    return closed.value.code


async def test_conversations_are_issued_by_the_server_and_resumed_only_with_their_token(citizen_factory):
    first = citizen_factory()
    await first.connect()
    await first.say("재산세 언제 내요?")
    await first.expect(lambda m: m["type"] == "message" and m["role"] == "bot")
    stranger = citizen_factory()
    for attempt in (first.conversation_id, "c-" + "0" * 32, first.resume + "x", "../../etc/passwd", {"$gt": ""}):
        welcome = await stranger.connect(attempt)  # an id seen somewhere, a guess, a tampered token
        assert welcome["conversation_id"] != first.conversation_id and welcome["history"] == []
        await stranger.close()
    chosen = citizen_factory()  # the old protocol: the client named its conversation
    chosen.ws = await websockets.connect(chosen.url)
    await chosen.send({"type": "hello", "conversation_id": first.conversation_id})
    assert (await chosen.expect(lambda m: m["type"] == "welcome"))["conversation_id"] != first.conversation_id
    again = citizen_factory()
    welcome = await again.connect(first.resume)
    assert welcome["conversation_id"] == first.conversation_id and welcome["history"][0]["text"] == "재산세 언제 내요?"


async def test_sockets_from_foreign_pages_are_refused(servers, web_app):
    url = servers.web_url.replace("http", "ws") + "/ws/citizen"
    async with websockets.connect(url, origin="https://evil.example") as ws:
        assert await closed_with(ws) == 4403
    host = servers.web_url.split("//")[1]
    async with websockets.connect(url, origin=f"http://{host}") as ws:  # the chat page itself
        await ws.send(json.dumps({"type": "hello"}))
        assert json.loads(await asyncio.wait_for(ws.recv(), 10))["type"] == "welcome"
    app = web_app(8116, WEB_ALLOWED_ORIGINS="https://www.ansan.go.kr")
    async with websockets.connect(app.ws_url, origin="https://www.ansan.go.kr") as ws:  # the city site
        await ws.send(json.dumps({"type": "hello"}))
        assert json.loads(await asyncio.wait_for(ws.recv(), 10))["type"] == "welcome"
    policy = requests.get(f"{app.url}/chat", timeout=30).headers["Content-Security-Policy"]
    assert "frame-ancestors 'self' https://www.ansan.go.kr" in policy
    assert "frame-ancestors *" not in requests.get(f"{servers.web_url}/chat", timeout=30).headers[
        "Content-Security-Policy"]


async def test_too_many_sockets_messages_and_conversations_get_a_polite_no(web_app):
    app = web_app(8117, CITIZEN_SOCKETS_PER_IP="3", CITIZEN_MESSAGES_PER_MINUTE="30",
                  CITIZEN_CONVERSATIONS_PER_HOUR="30")
    citizens = [Citizen(app.ws_url) for _ in range(3)]
    for citizen in citizens:
        await citizen.connect()
    extra = await websockets.connect(app.ws_url)
    refused = json.loads(await asyncio.wait_for(extra.recv(), 10))
    assert refused["code"] == "too_many_sockets" and "창" in refused["text"]
    assert await closed_with(extra) == 4429

    flooder = citizens[0]
    sent = [await flooder.say(f"안녕하세요 {i}") for i in range(5)]  # five messages in well under a second
    limited = await flooder.expect(is_error("rate_limited"), timeout=30)
    assert limited["client_id"] in sent and "너무 빨리" in limited["text"]
    for _ in range(50):
        await flooder.send({"type": "typing"})
    await flooder.say("여권 수수료 얼마예요?")  # still served once it slows down
    await asyncio.sleep(1.5)
    await flooder.say("여권 수수료 얼마예요?")
    await flooder.expect(lambda m: m["type"] == "message" and "수수료" in m["text"], timeout=60)

    newcomer = citizens[1]  # a new conversation on every hello: the per-IP budget runs out
    replies = []
    for _ in range(8):
        await newcomer.send({"type": "hello"})
        replies.append(await newcomer.expect(lambda m: m["type"] in ("welcome", "error")))
    assert any(r["type"] == "error" and r["code"] == "rate_limited" for r in replies)
    for citizen in citizens:
        await citizen.close()
    assert app.log_problems() == []


MALFORMED = [
    '{"type":"rating"}', '{"type":"rating","ticket_id":[],"score":5}', '{"type":"rating","ticket_id":1e999,"score":5}',
    '{"type":"rating","ticket_id":true,"score":5}', '{"type":"rating","ticket_id":NaN,"score":5}',
    '{"type":"callback_request","ticket_id":"12","phone":{"x":1},"consent":"yes"}',
    '{"type":"message","text":["a"]}', '{"type":"message","text":null,"client_id":{"a":1}}',
    '{"type":5}', "[]", "null", "not json", "{" * 7000 + "}" * 7000,
    "[" * 7000 + "]" * 7000, '{"type":"' + "x" * 20000 + '"}', b"\xff\xfe\x00garbage",
]


async def test_malformed_frames_get_errors_and_the_socket_survives(citizen_factory, servers):
    citizen = citizen_factory()
    await citizen.connect()
    log = servers.log_dir / "web.log"
    before = log.stat().st_size
    for frame in MALFORMED:
        await citizen.ws.send(frame)
        await citizen.expect(is_error(), timeout=20)
    await citizen.say("도서관 몇 시까지 해요?")
    await citizen.expect(lambda m: m["type"] == "message" and m["role"] == "bot", timeout=60)
    with open(log, "rb") as fh:
        fh.seek(before)
        added = fh.read().decode(errors="replace")
    assert "Traceback" not in added and " ERROR " not in added


def fuzz_frames(seed: int, count: int):
    """Random and malformed frames: junk bytes and text, wrong JSON types for every field of every
    frame kind, huge and deep values, unknown kinds, and some valid frames in between."""
    rng = random.Random(seed)
    kinds = ["hello", "message", "typing", "cancel_handoff", "rating", "callback_request", "ping", "", "HELLO"]
    fields = ["resume", "text", "title", "client_id", "ticket_id", "score", "phone", "consent", "type"]

    def value(depth=0):
        choice = rng.randrange(14)
        if choice == 0:
            return rng.randint(-2 ** 70, 2 ** 70)
        if choice == 1:
            return rng.choice([1e999, -1e999, 0.5, -0.0, 1e308])
        if choice == 2:
            return "".join(chr(rng.randrange(0x20, 0xD7FF)) for _ in range(rng.randrange(0, 40)))
        if choice == 3:
            return rng.choice([True, False, None])
        if choice == 4 and depth < 4:
            return [value(depth + 1) for _ in range(rng.randrange(0, 4))]
        if choice == 5 and depth < 4:
            return {rng.choice(fields): value(depth + 1) for _ in range(rng.randrange(0, 4))}
        if choice == 6:
            return "/" + rng.choice(["restart", "request_human", "faq_passport_fee", "session_start", "stop"])
        if choice == 7:
            return "x" * rng.choice([1000, 5000, 15000])
        return rng.randint(0, 10)

    for i in range(count):
        shape = rng.randrange(10)
        if shape == 0:
            yield bytes(rng.randrange(256) for _ in range(rng.randrange(1, 200)))
        elif shape == 1:
            yield "".join(chr(rng.randrange(1, 0x2FFF)) for _ in range(rng.randrange(1, 100)))
        elif shape == 2:
            depth = rng.choice([50, 500, 3000, 10000])
            yield rng.choice(["[", '{"a":']) * depth
        elif shape == 3:
            yield json.dumps(value())
        elif shape == 4:
            yield json.dumps({"type": "message", "text": "여권 수수료 얼마예요?", "client_id": uuid.uuid4().hex})
        else:
            frame = {"type": rng.choice(kinds)}
            for _ in range(rng.randrange(0, 5)):
                frame[rng.choice(fields)] = value()
            text = json.dumps(frame, ensure_ascii=rng.random() < 0.5)
            yield text[: rng.randrange(1, len(text) + 1)] if rng.random() < 0.15 else text


async def test_a_thousand_fuzzed_frames_cause_no_server_exception(web_app):
    app = web_app(8118, CITIZEN_SOCKETS_PER_IP="50", CITIZEN_MESSAGES_PER_MINUTE="60",
                  CITIZEN_CONVERSATIONS_PER_HOUR="100000")
    frames = list(fuzz_frames(seed=8, count=1200))
    sockets, sent, closed = [], 0, 0

    async def open_socket():
        ws = await websockets.connect(app.ws_url, max_size=2 ** 22)
        await ws.send(json.dumps({"type": "hello"}))
        return ws

    async def drain(ws):
        try:
            while True:
                await asyncio.wait_for(ws.recv(), 0.01)
        except asyncio.TimeoutError:
            pass

    for _ in range(20):
        sockets.append(await open_socket())
    started = time.monotonic()
    for i, frame in enumerate(frames):
        index = i % len(sockets)
        try:
            await sockets[index].send(frame)
            sent += 1
            if i % len(sockets) == len(sockets) - 1:
                await asyncio.sleep(0.2)  # ~5 frames a second per socket: most frames reach the handlers
                for ws in sockets:
                    await drain(ws)
        except websockets.ConnectionClosed:
            closed += 1
            sockets[index] = await open_socket()
    assert sent >= 1000, (sent, closed)
    for ws in sockets:
        await ws.close()
    citizen = Citizen(app.ws_url)  # still serving
    await citizen.connect()
    await citizen.say("자동차세 연납은 언제 신청해요?")
    await citizen.expect(lambda m: m["type"] == "message" and m["role"] == "bot", timeout=60)
    await citizen.close()
    problems = app.log_problems()
    assert problems == [], problems[:5]
    print(f"fuzz: {sent} frames in {time.monotonic() - started:.0f} s, {closed} sockets closed by the server")


async def test_a_callback_request_without_a_number_lapses(citizen_factory, server_db):
    from bot.web import identity

    conversation = f"c-{uuid.uuid4().hex}"
    ticket = tickets.request_handoff(conversation, [], within_hours=False)
    citizen = citizen_factory()
    await citizen.connect(identity.resume_token(conversation))
    with session_scope() as s:  # as if the form had waited 31 minutes
        s.execute(update(HandoffTicket).where(HandoffTicket.id == ticket.id)
                  .values(created_at=utcnow() - timedelta(minutes=31)))
    lapsed = await citizen.expect(lambda m: m["type"] == "message" and "마감" in m["text"], timeout=30)
    assert lapsed["role"] == "system"
    await citizen.expect(lambda m: m["type"] == "state" and m["state"] == "bot")
    assert tickets.get(ticket.id).status == tickets.CANCELLED
