"""A citizen's 👍/👎 on a bot answer: one vote per answer, changeable; a 👎 is also a review item.

The web app finds what was rated in the tracker (:func:`rated_answer`), so the page only
names the message: the citizen message the answer replied to (its client id).
"""
from __future__ import annotations

from dataclasses import dataclass
from typing import Dict, Mapping, Optional, Sequence

from sqlalchemy import delete, func, select

from bot.conversation import names
from bot.korean.pii import mask_pii
from bot.storage.db import session_scope
from bot.storage.models import AnswerFeedback, ReviewItem, utcnow
from bot.studio import review

UP, DOWN = 1, -1


@dataclass(frozen=True)
class RatedAnswer:
    faq_id: str
    question: Optional[str]  # masked; None when the answer came from a topic-menu click


def rated_answer(events: Sequence[Mapping], client_id: str) -> Optional[RatedAnswer]:
    """The FAQ answer the bot gave to the citizen message ``client_id``, or None (no such message,
    or its reply was no answer)."""
    index = next((i for i, e in enumerate(events) if e.get("event") == "user"
                  and (e.get("metadata") or {}).get(names.META_CLIENT_ID) == client_id), None)
    if index is None:
        return None
    outcome = faq_id = None
    end = len(events)
    for offset, event in enumerate(events[index + 1:], index + 1):
        if event.get("event") == "user":
            end = offset
            break
        if event.get("event") == "slot" and event.get("name") == names.SLOT_FAQ_OUTCOME:
            outcome = event.get("value")
        if event.get("event") == "slot" and event.get("name") == names.SLOT_FAQ_ID:
            faq_id = event.get("value")
    if outcome != names.OUTCOME_ANSWER or not faq_id:
        return None
    # the question as a request for a person right after this answer would see it
    question = review.answered_question(list(events[:end]) + [{"event": "user", "text": ""}])
    return RatedAnswer(str(faq_id), question)


def vote(conversation_id: str, message_key: str, rating: int, answer: RatedAnswer,
         url: Optional[str] = None) -> None:
    """Store (or change) the vote on one answer; a 👎 opens a review item, a change to 👍 withdraws it."""
    if rating not in (UP, DOWN):
        raise ValueError("rating must be 1 or -1")
    question = mask_pii(answer.question) if answer.question else None
    with session_scope(url) as session:
        row = session.execute(select(AnswerFeedback).where(
            AnswerFeedback.conversation_id == conversation_id,
            AnswerFeedback.message_key == message_key)).scalars().first()
        if row is None:
            session.add(AnswerFeedback(conversation_id=conversation_id, message_key=message_key,
                                       faq_id=answer.faq_id, rating=rating, question=question))
        else:
            row.rating, row.faq_id, row.question, row.created_at = rating, answer.faq_id, question, utcnow()
        if rating == UP:
            session.execute(delete(ReviewItem).where(
                ReviewItem.conversation_id == conversation_id, ReviewItem.message_key == message_key,
                ReviewItem.source == review.THUMBS_DOWN, ReviewItem.status == review.OPEN))
    if rating == DOWN and question:
        review.record(conversation_id, question, review.THUMBS_DOWN, answer.faq_id, message_key=message_key, url=url)


def votes_by_entry(url: Optional[str] = None) -> Dict[str, Dict[str, int]]:
    """``{faq_id: {"up": n, "down": n}}`` over every stored vote."""
    with session_scope(url) as session:
        rows = session.execute(select(AnswerFeedback.faq_id, AnswerFeedback.rating, func.count())
                               .group_by(AnswerFeedback.faq_id, AnswerFeedback.rating)).all()
    out: Dict[str, Dict[str, int]] = {}
    for faq_id, rating, n in rows:
        out.setdefault(faq_id or "", {"up": 0, "down": 0})["up" if rating > 0 else "down"] += int(n)
    return out
