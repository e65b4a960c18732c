"""The SQLAlchemy engine for ``DATABASE_URL`` and a transactional session scope."""
from __future__ import annotations

import threading
from contextlib import contextmanager
from pathlib import Path
from typing import Dict, Iterator, Optional

from sqlalchemy import create_engine, event
from sqlalchemy.engine import Engine, make_url
from sqlalchemy.orm import Session, sessionmaker

from bot import settings

_lock = threading.Lock()
_engines: Dict[str, Engine] = {}


def _sqlite_pragmas(dbapi_connection, _record) -> None:
    cursor = dbapi_connection.cursor()
    cursor.execute("PRAGMA journal_mode=WAL")  # Rasa, actions and web share the file
    cursor.execute("PRAGMA busy_timeout=10000")
    cursor.execute("PRAGMA foreign_keys=ON")
    cursor.close()


def get_engine(url: Optional[str] = None) -> Engine:
    """One engine per URL and process; SQLite files get WAL mode and a busy timeout."""
    url = url or settings.DATABASE_URL
    with _lock:
        if url not in _engines:
            parsed = make_url(url)
            kwargs: dict = {"future": True, "pool_pre_ping": True}
            if parsed.get_backend_name() == "sqlite":
                if parsed.database and parsed.database != ":memory:":
                    Path(parsed.database).parent.mkdir(parents=True, exist_ok=True)
                kwargs["connect_args"] = {"timeout": settings.NETWORK_TIMEOUT, "check_same_thread": False}
            else:
                kwargs["connect_args"] = {"connect_timeout": int(settings.NETWORK_TIMEOUT)}
                kwargs["pool_timeout"] = settings.NETWORK_TIMEOUT
            engine = create_engine(url, **kwargs)
            if parsed.get_backend_name() == "sqlite":
                event.listen(engine, "connect", _sqlite_pragmas)
            _engines[url] = engine
        return _engines[url]


@contextmanager
def session_scope(url: Optional[str] = None) -> Iterator[Session]:
    """A session that commits on success and rolls back on error."""
    session = sessionmaker(bind=get_engine(url), future=True, expire_on_commit=False)()
    try:
        yield session
        session.commit()
    except BaseException:
        session.rollback()
        raise
    finally:
        session.close()


def dispose_engine(url: str) -> None:
    """Close the pooled connections of ``url``'s engine (tests drop their databases)."""
    with _lock:
        engine = _engines.pop(url, None)
    if engine is not None:
        engine.dispose()
