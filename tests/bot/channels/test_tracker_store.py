"""Rasa's fail-safe tracker store keeps a conversation in memory when the database is away and
says nothing; made to fail loudly it raises, so the message is delivered again later."""
import uuid

import psycopg2
import pytest
from rasa.core.tracker_store import FailSafeTrackerStore, SQLTrackerStore
from rasa.shared.core.domain import Domain
from rasa.shared.core.events import UserUttered
from rasa.shared.core.trackers import DialogueStateTracker
from sqlalchemy.engine import make_url

from bot.channels.tracker_store import fail_loudly
from tests.conftest import POSTGRES_ADMIN_URL

pytestmark = pytest.mark.postgres


def _store(database: str) -> FailSafeTrackerStore:
    admin = make_url(POSTGRES_ADMIN_URL)
    inner = SQLTrackerStore(Domain.empty(), dialect="postgresql", host=admin.host, port=admin.port or 5432,
                            db=database, username=admin.username, password=admin.password)
    return FailSafeTrackerStore(inner)


def _admin(statement: str) -> None:
    admin = make_url(POSTGRES_ADMIN_URL)
    conn = psycopg2.connect(host=admin.host, port=admin.port or 5432, user=admin.username,
                            password=admin.password, dbname=admin.database, connect_timeout=10)
    conn.autocommit = True
    conn.cursor().execute(statement)
    conn.close()


@pytest.mark.parametrize("loud", [False, True])
async def test_a_lost_database_is_an_error_only_when_failing_loudly(loud):
    name = f"tracker_{uuid.uuid4().hex[:10]}"
    _admin(f'CREATE DATABASE "{name}"')
    store = _store(name)
    if loud:
        assert fail_loudly(store)
    tracker = DialogueStateTracker.from_events("c-1", [UserUttered("여권 수수료 얼마예요?")])
    await store.save(tracker)  # the database is there
    _admin(f'DROP DATABASE "{name}" WITH (FORCE)')  # … and now it is gone
    tracker.update(UserUttered("하나 더 물어볼게요"))
    if loud:
        with pytest.raises(Exception):
            await store.save(tracker)
        with pytest.raises(Exception):
            await store.retrieve("c-1")
    else:  # Rasa's default: nothing is raised, the message lives in memory only
        await store.save(tracker)
        assert await store.retrieve("c-1") is None
    store._tracker_store.engine.dispose()


def test_only_the_fail_safe_wrapper_is_changed():
    assert fail_loudly(object()) is False
