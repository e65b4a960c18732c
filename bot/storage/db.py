"""The SQLAlchemy engine for ``DATABASE_URL`` and a transactional session scope."""
from __future__ import annotations

import logging
import os
import threading
from contextlib import contextmanager
from pathlib import Path
from typing import Dict, Iterator, Optional

from sqlalchemy import create_engine, event
from sqlalchemy.engine import Engine, make_url
from sqlalchemy.orm import Session, sessionmaker
from sqlalchemy.pool import QueuePool

from bot import settings

log = logging.getLogger(__name__)
_lock = threading.Lock()
_engines: Dict[str, Engine] = {}
#: files next to a SQLite database that hold its data too
_SQLITE_SIDE_FILES = ("-wal", "-shm", "-journal")


def _private_sqlite_file(database: str) -> None:
    """Make a SQLite database file readable by its owner only, before sqlite opens it.

    A missing file is created empty with mode 0600 (a valid empty database; sqlite gives its
    -wal/-shm files the database file's mode), in a directory created 0700 if missing. An
    existing file and its existing side files are chmod-ed to 0600."""
    path = Path(database)
    if not path.parent.exists():
        path.parent.mkdir(parents=True, exist_ok=True, mode=0o700)
    try:
        os.close(os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600))
    except FileExistsError:
        pass
    for file in [path] + [path.with_name(path.name + suffix) for suffix in _SQLITE_SIDE_FILES]:
        try:
            if file.exists() and (file.stat().st_mode & 0o777) != 0o600:
                os.chmod(file, 0o600)
        except OSError as exc:  # not the owner: sqlite may still open it; say so
            log.warning("cannot make %s readable by its owner only: %s", file, exc)


def _sqlite_pragmas(dbapi_connection, _record) -> None:
    cursor = dbapi_connection.cursor()
    cursor.execute("PRAGMA journal_mode=WAL")  # Rasa, actions and web share the file
    cursor.execute("PRAGMA busy_timeout=10000")
    cursor.execute("PRAGMA foreign_keys=ON")
    cursor.close()


def is_sqlite_file(url: str) -> bool:
    """A SQLite database in a file (not ``:memory:``)."""
    parsed = make_url(url)
    return parsed.get_backend_name() == "sqlite" and parsed.database not in (None, "", ":memory:")


def get_engine(url: Optional[str] = None) -> Engine:
    """One engine per URL and process; SQLite files get WAL mode, a busy timeout and a connection pool."""
    url = url or settings.DATABASE_URL
    with _lock:
        if url not in _engines:
            parsed = make_url(url)
            kwargs: dict = {"future": True, "pool_pre_ping": True}
            if parsed.get_backend_name() == "sqlite":
                if parsed.database and parsed.database != ":memory:" and not parsed.database.startswith("file:"):
                    _private_sqlite_file(parsed.database)
                kwargs["connect_args"] = {"timeout": settings.NETWORK_TIMEOUT, "check_same_thread": False}
                if is_sqlite_file(url):
                    # pooled connections (SQLAlchemy 1.4 opens a new one per session for a file, and
                    # each open runs the pragmas below: ~3 ms a session instead of ~0.3)
                    kwargs.update(poolclass=QueuePool, max_overflow=20)  # writers queue on SQLite's lock anyway
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
