"""Table models. Each table has one owner module (named in its docstring)."""
from __future__ import annotations

from datetime import datetime, timezone

from sqlalchemy import Column, DateTime, Integer, String, Text
from sqlalchemy.orm import declarative_base

Base = declarative_base()


def utcnow() -> datetime:
    return datetime.now(timezone.utc)


class HandoffTicket(Base):
    """A citizen's request for a human agent. Owner: ``bot.handoff.tickets``."""

    __tablename__ = "handoff_tickets"

    id = Column(Integer, primary_key=True, autoincrement=True)
    conversation_id = Column(String(255), nullable=False, index=True)
    status = Column(String(20), nullable=False, index=True)
    category = Column(String(50), nullable=True)
    department = Column(String(50), nullable=True)
    reason = Column(String(30), nullable=False, default="requested")
    last_question = Column(Text, nullable=True)  # masked
    transcript = Column(Text, nullable=False, default="[]")  # JSON, masked
    created_at = Column(DateTime(timezone=True), nullable=False, default=utcnow)
    updated_at = Column(DateTime(timezone=True), nullable=False, default=utcnow, onupdate=utcnow)
