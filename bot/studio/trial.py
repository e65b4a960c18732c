"""'Test a question': what the bot would do with one message, shown as staff need to see it."""
from __future__ import annotations

from typing import Any, Dict, Mapping, Optional

from bot.faq.answering import respond
from bot.faq.base import FaqBase
from bot.faq.policy import PolicyConfig

TOP = 5


def explain(text: str, parse: Mapping[str, Any], base: FaqBase, config: Optional[PolicyConfig] = None) -> Dict:
    """The top entries with their scores, the decision and the reply exactly as a citizen sees it.

    ``parse`` is Rasa's ``/model/parse`` result for ``text`` (a fresh conversation: no context).
    """
    intent = (parse.get("intent") or {}).get("name")
    ranking = parse.get("faq_ranking") or []
    reply = respond(text, intent, parse.get("intent_ranking") or [], ranking, base=base, config=config)
    top = []
    for item in ranking[:TOP]:
        entry = base.get(str(item["faq_id"]))
        top.append({"faq_id": item["faq_id"], "question": entry.question if entry else "",
                    "score": round(float(item["score"]), 3), "classifier": round(float(item.get("classifier", 0)), 3),
                    "dense": round(float(item.get("dense", 0)), 3), "lexical": round(float(item.get("lexical", 0)), 3)})
    return {
        "text": text,
        "read_as": parse.get("text") if parse.get("text") != text else None,  # after spelling correction
        "corrections": parse.get("spelling") or [],
        "intent": {"name": intent, "confidence": round(float((parse.get("intent") or {}).get("confidence") or 0), 3)},
        "top": top,
        "decision": reply.slots.get("faq_outcome"),
        "faq_id": reply.slots.get("faq_id"),
        "messages": [{"text": m["text"], "buttons": [b["title"] for b in m["buttons"]]} for m in reply.messages],
    }
