"""Alembic migrations build exactly the models' schema, up and down, on SQLite and PostgreSQL."""
from alembic import command
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from sqlalchemy import inspect

from bot.storage.db import get_engine
from bot.storage.migrate import alembic_config, upgrade
from bot.storage.models import Base


def _schema_diff(url):
    with get_engine(url).connect() as connection:
        return compare_metadata(MigrationContext.configure(connection), Base.metadata)


def test_migrated_schema_matches_the_models(database_url):
    assert _schema_diff(database_url) == []


def test_upgrade_is_idempotent(database_url):
    upgrade(database_url)
    assert _schema_diff(database_url) == []


def test_downgrade_to_base_and_up_again(database_url):
    command.downgrade(alembic_config(database_url), "base")
    remaining = set(inspect(get_engine(database_url)).get_table_names())
    assert not remaining & set(Base.metadata.tables)
    upgrade(database_url)
    assert _schema_diff(database_url) == []
