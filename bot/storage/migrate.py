"""Apply the Alembic migrations to ``DATABASE_URL`` (``python -m bot.storage.migrate``)."""
from __future__ import annotations

import sys
from pathlib import Path
from typing import Optional

from alembic import command
from alembic.config import Config

from bot import settings

MIGRATIONS = Path(__file__).resolve().parent / "migrations"


def alembic_config(url: Optional[str] = None) -> Config:
    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS))
    config.attributes["database_url"] = url or settings.DATABASE_URL
    return config


def upgrade(url: Optional[str] = None, revision: str = "head") -> None:
    """Bring the database schema to ``revision`` (idempotent)."""
    command.upgrade(alembic_config(url), revision)


if __name__ == "__main__":
    upgrade(sys.argv[1] if len(sys.argv) > 1 else None)
    print("database schema is up to date")
