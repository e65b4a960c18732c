"""The whole bot on PostgreSQL (tracker store + handoff tables) with the Redis lock store."""
import uuid

import pytest
import requests
from sqlalchemy import create_engine, text

from bot.run import Servers
from tests.conftest import shifted_port

pytestmark = pytest.mark.server


@pytest.fixture(scope="module")
def pg_servers(postgres_url, tmp_path_factory):
    run_dir = tmp_path_factory.mktemp("pg-run")
    started = Servers(rasa_port=shifted_port(5115), actions_port=shifted_port(5165), database_url=postgres_url,
                      run_dir=run_dir, log_dir=run_dir / "logs",
                      extra_env={"BUSINESS_HOURS": "00:00-24:00", "REDIS_URL": "redis://127.0.0.1:6379/0"})
    started.start().wait_ready(timeout=600)
    yield started
    started.stop()


def test_conversation_and_handoff_are_stored_in_postgresql(pg_servers, postgres_url):
    endpoints = next(pg_servers.run_dir.glob("endpoints-*.yml")).read_text()
    assert "dialect: postgresql" in endpoints and "type: redis" in endpoints
    sender = f"pg-{uuid.uuid4().hex[:8]}"
    url, auth = f"{pg_servers.rasa_url}/webhooks/rest/webhook", {"Authorization": f"Bearer {pg_servers.token}"}
    answer = requests.post(url, json={"sender": sender, "message": "재산세 언제 내요?"}, headers=auth, timeout=60).json()
    assert answer and "재산세" in answer[0]["text"]
    requests.post(url, json={"sender": sender, "message": "상담원 연결해 주세요"}, headers=auth, timeout=60)

    engine = create_engine(postgres_url)
    with engine.connect() as conn:
        events = conn.execute(text("SELECT count(*) FROM events WHERE sender_id = :s"), {"s": sender}).scalar()
        status = conn.execute(text("SELECT status FROM handoff_tickets WHERE conversation_id = :s"),
                              {"s": sender}).scalar()
    engine.dispose()
    assert events >= 6 and status == "queued"
