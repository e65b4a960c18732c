"""The tracker store fails loudly (a message Rasa could not store is an error, not a memory), and
keeps its SQLite connections open.

Rasa wraps every tracker store in ``FailSafeTrackerStore``: when the database is away it keeps
the conversation in process memory, logs, and answers the REST call as if all were well — the
caller believes the message is recorded and it is lost (seen in the soak test when PostgreSQL
restarted). A failed read returns an empty tracker, which would start the conversation over.
Here both raise instead, so the REST channel answers 500 and the web app delivers the message
again from its outbox once the database is back.
"""
from __future__ import annotations

from rasa.core.tracker_store import FailSafeTrackerStore


def _raise(error: Exception) -> None:
    raise error


def fail_loudly(store) -> bool:
    """Make Rasa's fail-safe wrapper re-raise the primary store's errors; False if ``store`` is no wrapper."""
    if not isinstance(store, FailSafeTrackerStore):
        return False
    store._on_tracker_store_error = _raise  # save() and keys(): no fallback to memory
    store.on_tracker_store_retrieve_error = _raise  # retrieve(): no fresh empty tracker
    return True


def pool_sqlite_connections() -> None:
    """Keep Rasa's SQLite tracker-store connections open between messages.

    SQLAlchemy 1.4 gives a SQLite file no pool: Rasa's tracker store opened a connection for each
    read and each write of every message (docs/benchmarks.md, "Where a message's time goes").
    PostgreSQL keeps Rasa's own pool settings.
    """
    import rasa.core.tracker_store as rasa_tracker_store
    from sqlalchemy.pool import QueuePool

    from bot.storage.db import is_sqlite_file

    original = rasa_tracker_store.create_engine_kwargs
    if getattr(original, "pools_sqlite", False):
        return

    def create_engine_kwargs(url):
        kwargs = original(url)
        if is_sqlite_file(str(url)):
            kwargs.update(poolclass=QueuePool, connect_args={"check_same_thread": False})
        return kwargs

    create_engine_kwargs.pools_sqlite = True
    rasa_tracker_store.create_engine_kwargs = create_engine_kwargs
