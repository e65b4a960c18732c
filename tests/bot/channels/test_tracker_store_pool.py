"""Rasa's SQLite tracker store with pooled connections: the same conversations, kept connections."""
import pytest
from rasa.core import tracker_store as rasa_tracker_store
from rasa.core.tracker_store import SQLTrackerStore
from rasa.shared.core.domain import Domain
from rasa.shared.core.events import ActionExecuted, UserUttered
from rasa.shared.core.trackers import DialogueStateTracker
from sqlalchemy.pool import NullPool, QueuePool

from bot.channels.tracker_store import pool_sqlite_connections


@pytest.fixture
def pooled(monkeypatch):
    monkeypatch.setattr(rasa_tracker_store, "create_engine_kwargs", rasa_tracker_store.create_engine_kwargs)
    pool_sqlite_connections()
    pool_sqlite_connections()  # twice is once


async def test_a_sqlite_file_store_keeps_its_connections_and_its_conversations(pooled, tmp_path):
    store = SQLTrackerStore(Domain.empty(), dialect="sqlite", db=str(tmp_path / "trackers.db"))
    assert isinstance(store.engine.pool, QueuePool)
    tracker = DialogueStateTracker.from_events("c-1", [ActionExecuted("action_listen"),
                                                       UserUttered("여권 수수료 얼마예요?")])
    await store.save(tracker)
    tracker.update(UserUttered("등기로 받을 수 있나요?"))
    await store.save(tracker)
    again = await store.retrieve("c-1")
    assert [e.text for e in again.events if isinstance(e, UserUttered)] == ["여권 수수료 얼마예요?", "등기로 받을 수 있나요?"]
    assert store.engine.pool.checkedin() == 1  # one connection, kept between the calls


def test_other_databases_keep_rasas_own_settings(pooled):
    assert rasa_tracker_store.create_engine_kwargs("sqlite://") == {}  # in memory: no file to share
    postgres = rasa_tracker_store.create_engine_kwargs("postgresql://u@127.0.0.1:5432/db")
    assert "poolclass" not in postgres and postgres["pool_size"] >= 1


def test_without_the_change_sqlalchemy_opens_a_connection_per_session(tmp_path):
    store = SQLTrackerStore(Domain.empty(), dialect="sqlite", db=str(tmp_path / "plain.db"))
    assert isinstance(store.engine.pool, NullPool)
