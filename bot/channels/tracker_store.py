"""The tracker store fails loudly: a message Rasa could not store is an error, not a memory.

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
