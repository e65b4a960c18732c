"""Personal data never reaches a log, the tracker store or a table unmasked.

Every variant of tests/data/pii_corpus.yml goes through the real servers the way people send
it — citizens over the web app (to the bot and to an agent), an agent's replies and closing
note, direct REST calls, a request the caller cancels, a callback number — then every log
file, the tracker store and every table are searched for the raw values.
"""
import asyncio
import json
import socket
import uuid
from pathlib import Path

import pytest
import requests
import yaml
from sqlalchemy import create_engine, inspect, text

from bot.korean.pii import fold
from tests.web.conftest import ConsoleOpen

pytestmark = pytest.mark.server
CORPUS = yaml.safe_load((Path(__file__).resolve().parents[1] / "data" / "pii_corpus.yml").read_text(encoding="utf-8"))
ITEMS = CORPUS["items"]


def forbidden(value: str, with_digits: bool) -> set:
    """The raw value as written, folded, as JSON escapes it; its bare digits (≥ 10) when asked."""
    forms = {value, fold(value)}
    forms |= {json.dumps(f)[1:-1] for f in list(forms)}
    digits = "".join(ch for ch in fold(value) if ch.isdigit())
    if with_digits and len(digits) >= 10:
        forms.add(digits)
    return {f for f in forms if len(f) >= 6}


def cancelled_request(servers, message: str) -> None:
    """A REST call whose caller hangs up before the answer (what a closed tab or a timeout does)."""
    body = json.dumps({"sender": f"cancel-{uuid.uuid4().hex[:8]}", "message": message}, ensure_ascii=False).encode()
    head = (f"POST /webhooks/rest/webhook HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/json\r\n"
            f"Authorization: Bearer {servers.token}\r\nContent-Length: {len(body)}\r\n\r\n").encode()
    with socket.create_connection(("127.0.0.1", servers.rasa_port), timeout=10) as raw:
        raw.sendall(head + body)
    # closed at once: Rasa cancels the request


async def test_personal_data_is_masked_in_logs_tracker_and_tables(servers, citizen_factory, agent_factory, server_db):
    texts = [item["text"] for item in ITEMS]
    bot_part, agent_part = texts[: len(texts) - 40], texts[len(texts) - 40:]
    # 1. citizens to the bot, over the web app, in a few conversations
    citizens = [citizen_factory() for _ in range(4)]
    for citizen in citizens:
        await citizen.connect()
    for i, sentence in enumerate(bot_part):
        citizen = citizens[i % len(citizens)]
        await citizen.deliver(sentence)
        await citizen.expect(lambda m: m["type"] == "message" and m["role"] in ("bot", "system"), timeout=60)
    # 2. a citizen with an agent: both directions, and the agent's closing note
    citizen = citizens[0]
    await citizen.deliver("상담원 연결해 주세요")
    ticket_id = (await citizen.expect(lambda m: m["type"] == "state" and m["state"] == "queued"))["ticket_id"]
    kim = agent_factory("kim")
    with ConsoleOpen(kim):
        assert kim.post(f"/agent/api/tickets/{ticket_id}/claim").status_code == 200
        for sentence in agent_part[:20]:
            await citizen.deliver(sentence)
        for sentence in agent_part[20:]:
            assert kim.post(f"/agent/api/tickets/{ticket_id}/messages", {"text": sentence}).status_code == 200
        assert kim.post(f"/agent/api/tickets/{ticket_id}/close",
                        {"outcome": "resolved", "note": " / ".join(agent_part[:5])}).status_code == 200
    # 3. direct REST users, and requests cancelled by their caller (web and REST)
    auth = {"Authorization": f"Bearer {servers.token}"}
    for sentence in texts[:15]:
        requests.post(f"{servers.rasa_url}/webhooks/rest/webhook", headers=auth, timeout=60,
                      json={"sender": f"rest-{uuid.uuid4().hex[:8]}", "message": sentence})
    for sentence in texts[15:25]:
        cancelled_request(servers, sentence)
    leaving = citizen_factory()
    await leaving.connect()
    await leaving.say(texts[30])
    await leaving.close()  # gone before the answer
    await asyncio.sleep(5)  # let the cancelled requests and the outbox settle

    # 4. search: every log file, the tracker store (same database in the tests) and every table
    logs = {p.name: p.read_text(errors="replace") for p in servers.log_dir.glob("*.log")}
    database = servers.database_url.replace("sqlite:///", "")
    raw_files = {p.name: p.read_bytes().decode("utf-8", errors="replace")
                 for p in Path(database).parent.glob(Path(database).name + "*")}
    engine = create_engine(servers.database_url)
    rows = {}
    with engine.connect() as conn:
        for table in inspect(engine).get_table_names():
            rows[table] = "\n".join(" | ".join(str(v) for v in row) for row in conn.execute(text(f'SELECT * FROM "{table}"')))
    engine.dispose()
    assert "events" in rows and "handoff_tickets" in rows and "conversation_outbox" in rows
    assert {"rasa.log", "actions.log", "web.log"} <= set(logs)
    leaks = []
    for item in ITEMS:
        for form in forbidden(item["value"], with_digits=True):
            leaks += [(item["value"], name) for name, content in {**logs, **rows}.items() if form in content]
        for form in forbidden(item["value"], with_digits=False):
            leaks += [(item["value"], name) for name, content in raw_files.items() if form in content]
    assert leaks == []
    sent_to_bot = [t for t in rows["events"].splitlines() if '"event": "user"' in t]
    assert len(sent_to_bot) >= len(bot_part)  # the messages are there — masked
