"""Shared fixtures: databases (SQLite file and a fresh PostgreSQL database)."""
from __future__ import annotations

import os
import uuid

import pytest
from sqlalchemy.engine import make_url

from bot import settings

POSTGRES_ADMIN_URL = os.environ.get("POSTGRES_TEST_URL", "postgresql://postgres@127.0.0.1:5432/test")


@pytest.fixture(scope="session")
def postgres_url():
    """A fresh PostgreSQL database for this test session, dropped afterwards."""
    import psycopg2

    admin = make_url(POSTGRES_ADMIN_URL)
    name = f"chatbot_test_{uuid.uuid4().hex[:10]}"
    connect = dict(host=admin.host, port=admin.port or 5432, user=admin.username,
                   password=admin.password, dbname=admin.database, connect_timeout=10)
    conn = psycopg2.connect(**connect)
    conn.autocommit = True
    conn.cursor().execute(f'CREATE DATABASE "{name}"')
    conn.close()
    yield str(admin.set(database=name))
    from bot.storage.db import dispose_engine

    dispose_engine(str(admin.set(database=name)))
    conn = psycopg2.connect(**connect)
    conn.autocommit = True
    conn.cursor().execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
    conn.close()


@pytest.fixture(params=["sqlite", "postgresql"])
def database_url(request, tmp_path, monkeypatch):
    """Each test using this runs on SQLite and on PostgreSQL, with a migrated schema."""
    from bot.storage.migrate import upgrade

    if request.param == "sqlite":
        url = f"sqlite:///{tmp_path / 'test.db'}"
    else:
        url = request.getfixturevalue("postgres_url")
        _truncate(url)
    upgrade(url)
    monkeypatch.setattr(settings, "DATABASE_URL", url)
    return url


def _truncate(url: str) -> None:
    from sqlalchemy import inspect, text

    from bot.storage.db import get_engine

    engine = get_engine(url)
    tables = [t for t in inspect(engine).get_table_names() if t != "alembic_version"]
    if tables:
        with engine.begin() as conn:
            conn.execute(text("TRUNCATE " + ", ".join(f'"{t}"' for t in tables) + " RESTART IDENTITY CASCADE"))


# --------------------------------------------------------------------------- servers
#: parallel test sessions on one machine set TEST_PORT_OFFSET (e.g. 1000) so their ports differ
PORT_OFFSET = int(os.environ.get("TEST_PORT_OFFSET", "0"))


def shifted_port(port: int) -> int:
    """A fixed test port moved by this session's offset."""
    return port + PORT_OFFSET


TEST_RASA_PORT, TEST_ACTIONS_PORT, TEST_WEB_PORT = shifted_port(5105), shifted_port(5155), shifted_port(8105)
#: short handoff timeouts so the tests can watch them expire
TEST_TIMEOUTS = {"AGENT_DISCONNECT_TIMEOUT": "4", "CITIZEN_DISCONNECT_TIMEOUT": "4"}
#: the web app reaches Rasa through a proxy the tests can switch off (a Rasa failure)
TEST_RASA_PROXY_PORT = shifted_port(5106)


@pytest.fixture(scope="session")
def rasa_proxy():
    """A TCP proxy in front of the test Rasa server; ``.down()`` makes Rasa unreachable for the web app."""
    from tests.support.fault_proxy import FaultProxy

    proxy = FaultProxy(TEST_RASA_PROXY_PORT, TEST_RASA_PORT).start()
    yield proxy
    proxy.stop()


@pytest.fixture(scope="session")
def servers(tmp_path_factory, rasa_proxy):
    """The real Rasa server, action server and web app on test ports, with their own SQLite database
    and secrets (generated into the run directory, as on a fresh install)."""
    from bot.run import Servers

    run_dir = tmp_path_factory.mktemp("run")
    started = Servers(
        rasa_port=TEST_RASA_PORT, actions_port=TEST_ACTIONS_PORT, web_port=TEST_WEB_PORT,
        database_url=f"sqlite:///{run_dir / 'chatbot.db'}", run_dir=run_dir, log_dir=run_dir / "logs",
        web_rasa_url=f"http://127.0.0.1:{TEST_RASA_PROXY_PORT}",
        extra_env={"BUSINESS_HOURS": "00:00-24:00", "HOLIDAY_HOURS": "", **TEST_TIMEOUTS,
                   # the tests open many citizen sockets from 127.0.0.1; the limit itself is tested
                   # on a web app of its own (tests/web/test_citizen_surface.py)
                   "CITIZEN_SOCKETS_PER_IP": "200", "CITIZEN_MESSAGES_PER_MINUTE": "6000",
                   "CITIZEN_CONVERSATIONS_PER_HOUR": "100000",
                   # a publish through this web app keeps its version models here, not in models/
                   "STUDIO_MODELS_DIR": str(run_dir / "versions"),
                   # each message's time breakdown (bot/channels/timing.py, tests/bot/channels/test_timing.py)
                   "RASA_TIMING_FILE": str(run_dir / "timing.jsonl")},
    ).start()
    try:
        started.wait_ready(timeout=600)
    except Exception:
        for log in sorted((run_dir / "logs").glob("*.log")):
            print(f"--- {log.name} ---\n" + log.read_text(errors="replace")[-5000:])
        raise
    yield started
    started.stop()


@pytest.fixture
def chat(servers):
    """Send a message as a citizen over REST; returns the bot's replies."""
    import requests

    def send(message, sender: str, **extra):
        body = {"sender": sender, "message": message, **extra}
        response = requests.post(f"{servers.rasa_url}/webhooks/rest/webhook", json=body, timeout=60,
                                 headers={"Authorization": f"Bearer {servers.token}"})
        response.raise_for_status()
        return response.json()

    return send


@pytest.fixture
def tracker_of(servers):
    import requests

    def get(sender: str) -> dict:
        response = requests.get(f"{servers.rasa_url}/conversations/{sender}/tracker",
                                params={"token": servers.token}, timeout=30)
        response.raise_for_status()
        return response.json()

    return get
