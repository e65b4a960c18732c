"""Table models. Each table has one owner module (named in its docstring)."""
from __future__ import annotations

from datetime import datetime, timezone

from sqlalchemy import Boolean, Column, DateTime, Float, ForeignKey, Integer, String, Text, UniqueConstraint
from sqlalchemy.orm import declarative_base

Base = declarative_base()


def utcnow() -> datetime:
    return datetime.now(timezone.utc)


def as_utc(moment):
    """A stored time as an aware UTC datetime: SQLite gives naive datetimes back, written in UTC."""
    return moment if moment is None or moment.tzinfo else moment.replace(tzinfo=timezone.utc)


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
    claimed_from = Column(String(20), nullable=True)  # queued | callback: where "put back" returns it
    end_reason = Column(String(20), nullable=True)  # why it was cancelled: citizen, left, lapsed, expired, dismissed
    ended_by = Column(String(64), nullable=True)  # the agent who dismissed it


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


class StudioDraft(Base):
    """A content editor's unpublished change to one FAQ entry or city fact. Owner: ``bot.studio.drafts``.

    ``payload`` is the whole entry (or fact) as publishing will write it, JSON; ``action`` is
    "edit", "create" or "retire". One draft per (kind, key): saving again replaces it.
    """

    __tablename__ = "studio_drafts"
    __table_args__ = (UniqueConstraint("kind", "key", name="uq_studio_draft_key"),)

    id = Column(Integer, primary_key=True, autoincrement=True)
    kind = Column(String(10), nullable=False)  # "faq" | "city"
    key = Column(String(100), nullable=False)  # FAQ id or city fact key
    action = Column(String(10), nullable=False, default="edit")
    payload = Column(Text, nullable=False)
    author = Column(String(64), nullable=False)
    created_at = Column(DateTime(timezone=True), nullable=False, default=utcnow)
    updated_at = Column(DateTime(timezone=True), nullable=False, default=utcnow, onupdate=utcnow)


class StudioVersion(Base):
    """One publish: its files, model, evaluation and gate. Owner: ``bot.studio.versions``.

    ``status``: "running" → "live" | "blocked" | "failed"; a live version later becomes
    "retired" when another goes live. ``steps`` is the JSON progress log shown while it runs.
    """

    __tablename__ = "studio_versions"

    id = Column(Integer, primary_key=True, autoincrement=True)
    author = Column(String(64), nullable=False)
    summary = Column(Text, nullable=False, default="")
    status = Column(String(20), nullable=False, default="running", index=True)
    steps = Column(Text, nullable=False, default="[]")  # JSON [{step, state, detail, at}]
    diff = Column(Text, nullable=True)  # unified diff of the data files
    files = Column(Text, nullable=True)  # JSON {path: content} of the published data files
    metrics = Column(Text, nullable=True)  # JSON evaluation numbers
    regressions = Column(Text, nullable=True)  # JSON list of questions that turned wrong
    model_path = Column(String(500), nullable=True)
    error = Column(Text, nullable=True)
    created_at = Column(DateTime(timezone=True), nullable=False, default=utcnow, index=True)
    finished_at = Column(DateTime(timezone=True), nullable=True)


class ReviewItem(Base):
    """A citizen message the bot missed (masked), for the review queue. Owner: ``bot.studio.review``.

    ``source``: "fallback", "unresolved_clarify", "handoff_after_answer", "thumbs_down" or
    "agent_no_help"; ``status``: "open" → "examples_added" | "new_entry" | "out_of_scope".
    """

    __tablename__ = "review_items"

    id = Column(Integer, primary_key=True, autoincrement=True)
    conversation_id = Column(String(255), nullable=False, index=True)
    text = Column(Text, nullable=False)  # masked
    source = Column(String(30), nullable=False)
    bot_guess = Column(String(100), nullable=True)  # the bot's best FAQ id
    bot_score = Column(Float, nullable=True)
    agent_reply = Column(Text, nullable=True)  # masked: what an agent answered, if handed off
    message_key = Column(String(64), nullable=True)  # a 👎: the rated message (answer_feedback.message_key)
    status = Column(String(20), nullable=False, default="open", index=True)
    label = Column(String(100), nullable=True)  # FAQ id or "out_of_scope"
    resolved_by = Column(String(64), nullable=True)
    resolved_at = Column(DateTime(timezone=True), nullable=True)
    created_at = Column(DateTime(timezone=True), nullable=False, default=utcnow, index=True)


class AnswerFeedback(Base):
    """A citizen's 👍/👎 on one bot answer. Owner: ``bot.studio.feedback``."""

    __tablename__ = "answer_feedback"
    __table_args__ = (UniqueConstraint("conversation_id", "message_key", name="uq_feedback_message"),)

    id = Column(Integer, primary_key=True, autoincrement=True)
    conversation_id = Column(String(255), nullable=False, index=True)
    message_key = Column(String(64), nullable=False)  # which bot message was rated
    faq_id = Column(String(100), nullable=True, index=True)
    rating = Column(Integer, nullable=False)  # +1 or -1
    question = Column(Text, nullable=True)  # masked: the question the answer replied to
    created_at = Column(DateTime(timezone=True), nullable=False, default=utcnow, index=True)


class RegressionItem(Base):
    """A labelled question every publish must keep right. Owner: ``bot.studio.review``."""

    __tablename__ = "regression_items"

    id = Column(Integer, primary_key=True, autoincrement=True)
    text = Column(Text, nullable=False)  # masked
    expect = Column(String(100), nullable=False)  # FAQ id or "out_of_scope"
    added_by = Column(String(64), nullable=False)
    created_at = Column(DateTime(timezone=True), nullable=False, default=utcnow)


class AnswerEvent(Base):
    """What action_answer_faq did with one message, and which entry answered. Owner: ``bot.studio.analytics``.

    ``outcome``: answer / clarify / unsure / offer_human / out_of_scope; ``faq_id`` and
    ``category`` when the bot named an entry or a topic. No citizen text is kept.
    """

    __tablename__ = "answer_events"

    id = Column(Integer, primary_key=True, autoincrement=True)
    conversation_id = Column(String(255), nullable=False, index=True)
    faq_id = Column(String(100), nullable=True, index=True)
    category = Column(String(50), nullable=True)
    outcome = Column(String(20), nullable=False)
    created_at = Column(DateTime(timezone=True), nullable=False, default=utcnow, index=True)
