"""Alembic environment: runs migrations on the URL given by ``bot.storage.migrate``."""
from alembic import context

from bot.storage.db import get_engine
from bot.storage.models import Base

config = context.config
url = config.attributes.get("database_url")

with get_engine(url).connect() as connection:
    context.configure(connection=connection, target_metadata=Base.metadata,
                      render_as_batch=connection.dialect.name == "sqlite")
    with context.begin_transaction():
        context.run_migrations()
