"""Database engine and sessions, table models, Alembic migrations (SQLite or PostgreSQL)."""
