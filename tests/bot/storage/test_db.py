"""A SQLite database file (and its -wal/-shm files) is readable by its owner only."""
import stat

from sqlalchemy import text

from bot.handoff import tickets
from bot.storage.db import dispose_engine, get_engine
from bot.storage.migrate import upgrade


def _mode(path) -> int:
    return stat.S_IMODE(path.stat().st_mode)


def test_a_new_sqlite_database_is_private(tmp_path, monkeypatch):
    from bot import settings

    db = tmp_path / "new" / "chatbot.db"
    url = f"sqlite:///{db}"
    monkeypatch.setattr(settings, "DATABASE_URL", url)
    try:
        upgrade(url)
        with get_engine(url).connect() as held:  # an open connection keeps the -wal/-shm files
            held.execute(text("SELECT count(*) FROM handoff_tickets")).scalar_one()
            tickets.request_handoff("private", [{"role": "citizen", "text": "상담원"}], within_hours=True)
            files = [db, db.with_name("chatbot.db-wal"), db.with_name("chatbot.db-shm")]
            assert {p.name: _mode(p) for p in files} == {p.name: 0o600 for p in files}
        assert _mode(db) == 0o600 and _mode(db.parent) == 0o700
    finally:
        dispose_engine(url)


def test_an_existing_readable_database_becomes_private(tmp_path):
    db = tmp_path / "old.db"
    db.touch()
    db.chmod(0o644)
    wal = tmp_path / "old.db-wal"
    wal.touch()
    wal.chmod(0o644)
    url = f"sqlite:///{db}"
    try:
        get_engine(url)
        assert _mode(db) == 0o600 and _mode(wal) == 0o600
        upgrade(url)
        assert _mode(db) == 0o600
    finally:
        dispose_engine(url)
