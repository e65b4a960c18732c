"""The review queue: what the bot missed, collected masked, and what staff decided about it.

Collected (``source``): a fallback (the bot was unsure or offered a person), a clarification
the citizen did not resolve, an answer followed by a request for a person, an answer marked
👎, and a handed-off chat the agent closed as solved by them. A citizen's click on a
clarification choice labels that question at once. Every label (an FAQ id or
``out_of_scope``) also joins the regression set. Texts are masked before they are stored.
"""
from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Dict, Iterable, List, Mapping, Optional, Sequence

from sqlalchemy import func, select

from bot.conversation import names
from bot.conversation.handoff_request import is_explicit_agent_request
from bot.korean.normalize import matching_key
from bot.korean.pii import mask_pii
from bot.storage.db import session_scope
from bot.storage.models import RegressionItem, ReviewItem, as_utc, utcnow

FALLBACK, CLARIFY, HANDOFF_AFTER_ANSWER, THUMBS_DOWN, AGENT_HELPED = (
    "fallback", "clarify", "handoff_after_answer", "thumbs_down", "agent_helped")
SOURCES = (FALLBACK, CLARIFY, HANDOFF_AFTER_ANSWER, THUMBS_DOWN, AGENT_HELPED)
#: item statuses: waiting for staff, labelled (examples or a citizen's click), out of scope, turned into a draft
OPEN, LABELLED, OUT_OF_SCOPE, DRAFTED = "open", "labelled", "out_of_scope", "drafted"
OUT_OF_SCOPE_LABEL = "out_of_scope"
#: bot outcomes that are a fallback (small talk and out-of-scope are not misses)
FALLBACK_OUTCOMES = (names.OUTCOME_UNSURE, names.OUTCOME_OFFER_HUMAN)
#: ticket close outcomes (bot.handoff.tickets.OUTCOMES) meaning an agent answered what the bot could not
AGENT_SOLVED = ("resolved", "info_given")
CITIZEN = "citizen"  # resolved_by of a label the citizen gave by clicking a clarification choice
MAX_TEXT = 1000


@dataclass(frozen=True)
class Item:
    id: int
    conversation_id: str
    text: str
    source: str
    bot_guess: Optional[str]
    bot_score: Optional[float]
    agent_reply: Optional[str]
    status: str
    label: Optional[str]
    created_at: datetime

    @classmethod
    def from_row(cls, row: ReviewItem) -> "Item":
        return cls(row.id, row.conversation_id, row.text, row.source, row.bot_guess, row.bot_score,
                   row.agent_reply, row.status, row.label, as_utc(row.created_at))


def _is_payload(text: str) -> bool:
    return text.strip().startswith(names.PAYLOAD_PREFIX)


def _top(faq_ranking: Optional[Sequence[Mapping]]):
    best = (faq_ranking or [None])[0]
    return (str(best["faq_id"]), float(best.get("score", 0.0))) if best else (None, None)


# --- collection ---------------------------------------------------------------------------
#: the publish's conversation tests (bot.studio.evaluation): never a citizen's miss
EVALUATION_PREFIX = "studio-eval-"


def record(conversation_id: str, text: str, source: str, bot_guess: Optional[str] = None,
           bot_score: Optional[float] = None, agent_reply: Optional[str] = None,
           message_key: Optional[str] = None, url: Optional[str] = None) -> Optional[int]:
    """Store one missed question (masked); None for a button payload, an empty text or a repeat
    of an open item of the same conversation and source."""
    text = mask_pii(text or "").strip()[:MAX_TEXT]
    if not text or _is_payload(text) or source not in SOURCES or str(conversation_id).startswith(EVALUATION_PREFIX):
        return None
    with session_scope(url) as session:
        repeat = session.execute(select(ReviewItem.id).where(
            ReviewItem.conversation_id == conversation_id, ReviewItem.source == source,
            ReviewItem.text == text, ReviewItem.status == OPEN)).first()
        if repeat is not None:
            return None
        row = ReviewItem(conversation_id=conversation_id, text=text, source=source, bot_guess=bot_guess,
                         bot_score=bot_score, status=OPEN, message_key=message_key,
                         agent_reply=mask_pii(agent_reply).strip()[:MAX_TEXT] if agent_reply else None)
        session.add(row)
        session.flush()
        return row.id


def after_bot_turn(conversation_id: str, text: str, outcome: Optional[str],
                   faq_ranking: Optional[Sequence[Mapping]], url: Optional[str] = None) -> Optional[int]:
    """What action_answer_faq decided: a fallback or a clarification becomes an open item."""
    guess, score = _top(faq_ranking)
    if outcome in FALLBACK_OUTCOMES:
        return record(conversation_id, text, FALLBACK, guess, score, url=url)
    if outcome == names.OUTCOME_CLARIFY:  # a topic-menu click is a payload and is skipped
        return record(conversation_id, text, CLARIFY, guess, score, url=url)
    return None


def collect_turn(conversation_id: str, events: Sequence[Mapping], text: str, outcome: Optional[str],
                 faq_ranking: Optional[Sequence[Mapping]], url: Optional[str] = None) -> Optional[int]:
    """action_answer_faq's turn: a click on a clarification choice labels the clarified question;
    a fallback or a new clarification becomes an open item."""
    choice = clarify_choice(events)
    if choice is not None:
        return resolve_clarify(conversation_id, choice[0], choice[1], url=url)
    return after_bot_turn(conversation_id, text, outcome, faq_ranking, url=url)


def clarify_choice(events: Sequence[Mapping]):
    """``(question, faq_id)`` when the citizen's latest message clicked one of the FAQ buttons the
    bot showed after the citizen's previous (typed) message; else None."""
    users = [i for i, e in enumerate(events) if e.get("event") == "user"]
    if len(users) < 2:
        return None
    latest = str(events[users[-1]].get("text") or "").strip()
    question = str(events[users[-2]].get("text") or "")
    if not latest.startswith(names.FAQ_PAYLOAD_PREFIX) or _is_payload(question):
        return None
    offered = {str(b.get("payload")) for e in events[users[-2] + 1:users[-1]] if e.get("event") == "bot"
               for b in (e.get("data") or {}).get("buttons") or [] if isinstance(b, Mapping)}
    return (question, latest[len(names.FAQ_PAYLOAD_PREFIX):]) if latest in offered else None


def resolve_clarify(conversation_id: str, question: str, faq_id: str, url: Optional[str] = None) -> Optional[int]:
    """The citizen clicked ``faq_id`` on the clarification of ``question``: label its open item (and
    add it to the regression set). The item's id, or None when there was none."""
    text = mask_pii(question or "").strip()[:MAX_TEXT]
    with session_scope(url) as session:
        row = session.execute(select(ReviewItem).where(
            ReviewItem.conversation_id == conversation_id, ReviewItem.source == CLARIFY,
            ReviewItem.text == text, ReviewItem.status == OPEN)
            .order_by(ReviewItem.id.desc()).limit(1)).scalars().first()
        if row is None:
            return None
        _label_rows(session, [row], faq_id, CITIZEN)
        return row.id


def answered_question(events: Sequence[Mapping]) -> Optional[str]:
    """The question the bot answered just before the citizen's latest message (masked), or None.

    A clarification click counts as an answer to the question that was clarified."""
    turns: List[List] = []  # [text, outcome] per citizen message
    for event in events:
        if event.get("event") == "user":
            turns.append([str(event.get("text") or ""), None])
        elif event.get("event") == "slot" and event.get("name") == names.SLOT_FAQ_OUTCOME and turns:
            turns[-1][1] = event.get("value")
    if len(turns) < 2 or turns[-2][1] != names.OUTCOME_ANSWER:
        return None
    text = turns[-2][0]
    if text.startswith(names.FAQ_PAYLOAD_PREFIX) and len(turns) >= 3 and turns[-3][1] == names.OUTCOME_CLARIFY:
        text = turns[-3][0]
    return None if _is_payload(text) or not text.strip() else mask_pii(text)


def after_handoff(conversation_id: str, events: Sequence[Mapping], previous_outcome: Optional[str],
                  answered_faq_id: Optional[str], url: Optional[str] = None) -> Optional[int]:
    """A request for a person right after an answer: the answered question becomes an item."""
    if previous_outcome != names.OUTCOME_ANSWER:
        return None
    question = answered_question(events)
    return record(conversation_id, question, HANDOFF_AFTER_ANSWER, answered_faq_id, url=url) if question else None


def _at(message: Mapping) -> Optional[datetime]:
    try:
        return as_utc(datetime.fromisoformat(str(message.get("ts"))))
    except ValueError:
        return None


def first_agent_reply(messages: Iterable[Mapping], since: Optional[datetime]) -> Optional[str]:
    """The first agent message (chat messages of bot.conversation.transcript) at or after ``since``."""
    since = as_utc(since)
    for message in messages:
        at = _at(message)
        if message.get("role") == names.AGENT and message.get("text") and (since is None or at is None or at >= since):
            return str(message["text"])
    return None


def question_before(messages: Iterable[Mapping], until: Optional[datetime]) -> Optional[str]:
    """The citizen's last message before ``until`` that is a question, not a request for a person."""
    until, question = as_utc(until), None
    for message in messages:
        at = _at(message)
        if until is not None and at is not None and at > until:
            break
        text = str(message.get("text") or "")
        if message.get("role") == names.CITIZEN and text.strip() and not is_explicit_agent_request(text) \
                and text not in names.PAYLOAD_TITLES.values():
            question = text
    return question


def after_ticket_closed(ticket, messages: Iterable[Mapping], url: Optional[str] = None) -> Optional[int]:
    """A closed ticket whose outcome says an agent solved it: the citizen's question before the
    handoff, with the agent's first reply."""
    if ticket.outcome not in AGENT_SOLVED:
        return None
    messages = list(messages)
    question = question_before(messages, ticket.created_at)
    if question is None and ticket.last_question and not is_explicit_agent_request(ticket.last_question):
        question = ticket.last_question
    if not question:
        return None
    reply = first_agent_reply(messages, ticket.assigned_at or ticket.created_at)
    return record(ticket.conversation_id, question, AGENT_HELPED, agent_reply=reply, url=url)


# --- the queue ----------------------------------------------------------------------------
def open_items(limit: int = 2000, url: Optional[str] = None) -> List[Item]:
    """Open items, newest first."""
    with session_scope(url) as session:
        rows = session.execute(select(ReviewItem).where(ReviewItem.status == OPEN)
                               .order_by(ReviewItem.id.desc()).limit(limit)).scalars().all()
        return [Item.from_row(r) for r in rows]


def open_counts(url: Optional[str] = None) -> Dict[str, int]:
    """Open items per source (every source present, zero included)."""
    with session_scope(url) as session:
        rows = session.execute(select(ReviewItem.source, func.count()).where(ReviewItem.status == OPEN)
                               .group_by(ReviewItem.source)).all()
    counts = {source: 0 for source in SOURCES}
    counts.update({source: int(n) for source, n in rows})
    return counts


def items(item_ids: Sequence[int], url: Optional[str] = None) -> List[Item]:
    with session_scope(url) as session:
        rows = session.execute(select(ReviewItem).where(ReviewItem.id.in_(list(item_ids)))
                               .order_by(ReviewItem.id)).scalars().all()
        return [Item.from_row(r) for r in rows]


def label(item_ids: Sequence[int], target: str, user: str, url: Optional[str] = None) -> List[Item]:
    """Label open items with an FAQ id or ``out_of_scope``; each text joins the regression set once."""
    with session_scope(url) as session:
        rows = session.execute(select(ReviewItem).where(ReviewItem.id.in_(list(item_ids)),
                                                        ReviewItem.status == OPEN)).scalars().all()
        _label_rows(session, rows, target, user)
        return [Item.from_row(r) for r in rows]


def mark_drafted(item_ids: Sequence[int], user: str, url: Optional[str] = None) -> List[Item]:
    """Open items a new entry was started from: they leave the open queue."""
    with session_scope(url) as session:
        rows = session.execute(select(ReviewItem).where(ReviewItem.id.in_(list(item_ids)),
                                                        ReviewItem.status == OPEN)).scalars().all()
        for row in rows:
            row.status, row.resolved_by, row.resolved_at = DRAFTED, user, utcnow()
        return [Item.from_row(r) for r in rows]


def _label_rows(session, rows: Sequence[ReviewItem], target: str, user: str) -> None:
    now = utcnow()
    known = {(matching_key(r.text), r.expect) for r in session.execute(
        select(RegressionItem).where(RegressionItem.expect == target)).scalars()}
    for row in rows:
        row.status = OUT_OF_SCOPE if target == OUT_OF_SCOPE_LABEL else LABELLED
        row.label, row.resolved_by, row.resolved_at = target, user, now
        key = (matching_key(row.text), target)
        if key not in known:
            known.add(key)
            session.add(RegressionItem(text=row.text, expect=target, added_by=user, created_at=now))


def regression_set(url: Optional[str] = None) -> List[Dict[str, str]]:
    """Every labelled question: ``[{"text", "expect"}]`` in the order they were added."""
    with session_scope(url) as session:
        rows = session.execute(select(RegressionItem).order_by(RegressionItem.id)).scalars().all()
        return [{"text": r.text, "expect": r.expect} for r in rows]
