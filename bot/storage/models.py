"""Table models. Each table has one owner module (named in its docstring)."""
from __future__ import annotations

from datetime import datetime, timezone

from sqlalchemy import Boolean, Column, DateTime, ForeignKey, Integer, String, Text, UniqueConstraint
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
    created_at = Column(DateTime(timezone=True), nullable=False, default=utcnow, index=True)
    updated_at = Column(DateTime(timezone=True), nullable=False, default=utcnow, onupdate=utcnow)
    agent_username = Column(String(64), nullable=True, index=True)
    queued_at = Column(DateTime(timezone=True), nullable=True)  # last time it entered the queue
    assigned_at = Column(DateTime(timezone=True), nullable=True)  # first time an agent took it
    closed_at = Column(DateTime(timezone=True), nullable=True)
    outcome = Column(String(30), nullable=True)
    note = Column(Text, nullable=True)  # masked
    rating = Column(Integer, nullable=True)  # 1–5, after an agent chat
    callback_phone = Column(Text, nullable=True)  # encrypted (bot.handoff.callback)
    callback_consent_at = Column(DateTime(timezone=True), nullable=True)


class ConversationRecord(Base):
    """Counters of one conversation for analytics. Owner: ``bot.handoff.counters``."""

    __tablename__ = "conversation_records"

    conversation_id = Column(String(255), primary_key=True)
    channel = Column(String(30), nullable=False, default="web")
    started_at = Column(DateTime(timezone=True), nullable=False, default=utcnow, index=True)
    last_activity_at = Column(DateTime(timezone=True), nullable=False, default=utcnow)
    citizen_messages = Column(Integer, nullable=False, default=0)
    bot_answers = Column(Integer, nullable=False, default=0)
    bot_clarifications = Column(Integer, nullable=False, default=0)
    bot_fallbacks = Column(Integer, nullable=False, default=0)  # offered a human / out of scope


class User(Base):
    """An agent, content-staff or admin account. Owner: ``bot.web.users``."""

    __tablename__ = "users"

    id = Column(Integer, primary_key=True, autoincrement=True)
    username = Column(String(64), nullable=False, unique=True)
    display_name = Column(String(100), nullable=False)
    role = Column(String(20), nullable=False)
    department = Column(String(50), nullable=True)
    password_hash = Column(String(255), nullable=False)
    active = Column(Boolean, nullable=False, default=True)
    created_at = Column(DateTime(timezone=True), nullable=False, default=utcnow)


class WebSession(Base):
    """A logged-in browser session (only the token's hash is stored). Owner: ``bot.web.users``."""

    __tablename__ = "web_sessions"

    token_hash = Column(String(64), primary_key=True)
    user_id = Column(Integer, ForeignKey("users.id", ondelete="CASCADE"), nullable=False, index=True)
    csrf_token = Column(String(64), nullable=False)
    created_at = Column(DateTime(timezone=True), nullable=False, default=utcnow)
    expires_at = Column(DateTime(timezone=True), nullable=False)


class OutboxRow(Base):
    """What the web app owes a conversation's tracker, in order. Owner: ``bot.handoff.outbox``.

    ``kind`` "citizen": a citizen's message for the bot (delivered through the REST channel);
    "record": events to append as they are (agent/system messages, messages for an agent).
    A row is written in the same transaction as the ticket change it records, kept until
    delivered, then purged a day later.
    """

    __tablename__ = "conversation_outbox"
    __table_args__ = (UniqueConstraint("conversation_id", "client_id", name="uq_outbox_client_message"),)

    id = Column(Integer, primary_key=True, autoincrement=True)
    conversation_id = Column(String(255), nullable=False, index=True)
    kind = Column(String(10), nullable=False)
    client_id = Column(String(64), nullable=True)  # the browser's id of a citizen message
    text = Column(Text, nullable=True)  # masked
    events = Column(Text, nullable=True)  # JSON list of tracker events, texts masked
    created_at = Column(DateTime(timezone=True), nullable=False, default=utcnow)
    delivered_at = Column(DateTime(timezone=True), nullable=True, index=True)
    attempts = Column(Integer, nullable=False, default=0)
    next_attempt_at = Column(DateTime(timezone=True), nullable=True)
