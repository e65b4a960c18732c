"""Suggested answers for the agent of a chat: FAQ entries that fit the citizen's last real question.

The question is the citizen's last real one (:mod:`bot.conversation.question`), not the
request for a person that opened the ticket. Entries are kept the way the bot itself would
offer them (``data/answer_policy.yml``): only the top entry when it is a clear answer,
otherwise those that score as a choice — never a weak runner-up. Answers are rendered as a
citizen would read them: verified city facts filled in, unverified ones left out.
"""
from __future__ import annotations

from typing import Dict, List, Mapping, Optional, Sequence

from bot.conversation import question
from bot.faq.answering import faq_base
from bot.faq.policy import PolicyConfig, load_policy
from bot.faq.render import render_answer
from bot.handoff import tickets
from bot.web.rasa_client import RasaClient, RasaError

_policy: Optional[PolicyConfig] = None
MAX_QUESTIONS = 3  # how far back a question is looked for when the latest fits no entry


def _config() -> PolicyConfig:
    global _policy
    if _policy is None:
        _policy = load_policy()
    return _policy


def pick(ranking: Sequence[Mapping], config: PolicyConfig) -> List[Mapping]:
    """The ranked candidates worth showing: the clear answer alone, or the choices."""
    ranked = sorted(ranking, key=lambda c: float(c.get("score") or 0), reverse=True)
    if not ranked or float(ranked[0]["score"]) < config.choice_threshold:
        return []
    top = float(ranked[0]["score"])
    runner_up = float(ranked[1]["score"]) if len(ranked) > 1 else 0.0
    if top >= config.answer_threshold and top - runner_up >= config.answer_margin:
        return ranked[:1]
    return [c for c in ranked if float(c["score"]) >= config.choice_threshold][: config.max_choices]


async def for_ticket(rasa: RasaClient, ticket: tickets.Ticket) -> Dict:
    """``{"question", "suggestions": [{"faq_id", "question", "score", "answer"}…]}`` for the
    citizen's latest question that some FAQ entry fits ("제 번호는 …" after "여권 수수료요?"
    keeps the passport answers); empty when Rasa is away or nothing fits."""
    try:
        events = (await rasa.tracker(ticket.conversation_id)).get("events") or []
        asked = question.recent_questions(events, limit=MAX_QUESTIONS) or \
            ([ticket.last_question] if ticket.last_question else [])
        for text in asked:
            found = _render(pick((await rasa.parse(text)).get("faq_ranking") or [], _config()))
            if found:
                return {"question": text, "suggestions": found}
    except RasaError:
        return {"question": ticket.last_question, "suggestions": []}
    return {"question": asked[0] if asked else None, "suggestions": []}


def _render(candidates: Sequence[Mapping]) -> List[Dict]:
    base = faq_base()
    out = []
    for candidate in candidates:
        entry = base.get(candidate["faq_id"])
        if entry:
            out.append({"faq_id": entry.id, "question": entry.question, "score": candidate["score"],
                        "answer": render_answer(entry, base.city)})
    return out
