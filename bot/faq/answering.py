"""From a parsed citizen message to the bot's reply and slot values (framework-free)."""
from __future__ import annotations

import json
import re
import threading
from dataclasses import dataclass, field
from typing import Any, Dict, List, Mapping, Optional, Sequence

from bot.conversation import names
from bot.conversation.names import DENY_PAYLOAD, FAQ_PAYLOAD_PREFIX, HUMAN_PAYLOAD
from bot.faq.base import INTENT_PREFIX, FaqBase, data_stamp, load_faq_base
from bot.faq.policy import ANSWER, CLARIFY, OUT_OF_SCOPE, SMALL_TALK, PolicyConfig, decide, load_policy
from bot.faq.render import answer_message
from bot.faq.retriever import Candidate
from bot.faq.small_talk import off_topic_reply, small_talk_reply, topic_buttons


@dataclass
class Reply:
    """Messages for the citizen (text + optional buttons) and the slots to set."""

    messages: List[Dict[str, Any]] = field(default_factory=list)
    slots: Dict[str, Any] = field(default_factory=dict)

    def say(self, text: str, buttons: Optional[List[Dict[str, str]]] = None) -> None:
        self.messages.append({"text": text, "buttons": buttons or []})


CLARIFY_TEXT = "어떤 내용이 궁금하신지 골라 주세요. 찾는 내용이 없으면 '상담원 연결'을 눌러 주세요."
HUMAN_BUTTON = {"title": names.PAYLOAD_TITLES[HUMAN_PAYLOAD], "payload": HUMAN_PAYLOAD}
_TOPIC_PAYLOAD = re.compile(re.escape(names.PAYLOAD_PREFIX + names.TOPIC_INTENT) + r"(\{.*\})?$", re.S)
#: outcomes after which a second miss offers a person
UNANSWERED = (names.OUTCOME_UNSURE, names.OUTCOME_OFFER_HUMAN, names.OUTCOME_OUT_OF_SCOPE)
_lock = threading.Lock()
_cache: Dict[str, Any] = {}


def faq_base() -> FaqBase:
    """The FAQ base, reloaded when a data file changes (a publish or rollback in the studio)."""
    stamp = data_stamp()
    with _lock:
        if _cache.get("stamp") != stamp:
            _cache["base"], _cache["stamp"] = load_faq_base(), stamp
        return _cache["base"]


def policy() -> PolicyConfig:
    with _lock:
        if "policy" not in _cache:
            _cache["policy"] = load_policy()
        return _cache["policy"]


def load() -> None:
    """Read the FAQ base and the answer policy now (~0.8 s), not on the first citizen's message."""
    faq_base()
    policy()


def candidates_from(faq_ranking: Optional[Sequence[Mapping]], intent_ranking: Sequence[Mapping]) -> List[Candidate]:
    """The retriever's ranking, or — without the retriever — the classifier's FAQ intents."""
    if faq_ranking:
        return [Candidate(str(c["faq_id"]), float(c["score"]), float(c.get("classifier", 0.0)),
                          float(c.get("dense", 0.0)), float(c.get("lexical", 0.0))) for c in faq_ranking]
    out = []
    for item in intent_ranking or []:
        name = str(item.get("name", ""))
        if name.startswith(INTENT_PREFIX):
            conf = float(item.get("confidence", 0.0))
            out.append(Candidate(name[len(INTENT_PREFIX):], conf, conf, 0.0, 0.0))
    return out


def _what_the_bot_does(base: FaqBase) -> str:
    topics = "·".join(base.categories().values())
    return f"저는 {base.city.facts.get('city_name', '')} 민원 안내 챗봇으로 {topics} 관련 문의에 답변해 드려요."


def respond(text: str, intent: Optional[str], intent_ranking: Sequence[Mapping],
            faq_ranking: Optional[Sequence[Mapping]],
            previous_faq_id: Optional[str] = None, base: Optional[FaqBase] = None,
            config: Optional[PolicyConfig] = None, previous_outcome: Optional[str] = None) -> Reply:
    """Answer, clarify, small talk, decline, or — unsure twice running — offer a human."""
    base = base or faq_base()
    config = config or policy()
    # A button click carries the FAQ id itself (payload /faq_<id>): answer it directly.
    clicked = base.by_intent(intent) if text.strip().startswith(FAQ_PAYLOAD_PREFIX) else None
    if clicked is not None:
        return _answer(base, clicked.id, 1.0)
    topic = chosen_topic(text, base)
    if topic is not None:
        return _topic_menu(base, topic)
    previous = base.get(previous_faq_id) if previous_faq_id else None
    intents = intent_ranking or ([{"name": intent, "confidence": 1.0}] if intent else [])
    decision = decide(candidates_from(faq_ranking, intent_ranking), intents, text, base, config, previous)
    if decision.kind == ANSWER:
        return _answer(base, decision.faq_ids[0], decision.score)
    reply = Reply(slots={names.SLOT_FAQ_ID: None, names.SLOT_FAQ_SCORE: round(decision.score, 4),
                         names.SLOT_FAQ_OUTCOME: decision.kind})
    if decision.kind == CLARIFY:
        reply.say(CLARIFY_TEXT, [{"title": base.get(i).question, "payload": f"{FAQ_PAYLOAD_PREFIX}{i}"}
                                 for i in decision.faq_ids] + [HUMAN_BUTTON])
        reply.slots[names.SLOT_HANDOFF_OFFERED] = False
    elif decision.kind == OUT_OF_SCOPE:
        reply.say(off_topic_reply(base), topic_buttons(base))
        reply.slots[names.SLOT_HANDOFF_OFFERED] = False
    elif decision.kind == SMALL_TALK:
        reply.say(small_talk_reply(decision.talk, text, base))
        reply.slots[names.SLOT_HANDOFF_OFFERED] = False
    elif previous_outcome not in UNANSWERED:
        # Unclear for the first time: maybe off-topic, maybe a city question put unusually.
        reply.slots[names.SLOT_FAQ_OUTCOME] = names.OUTCOME_UNSURE
        reply.say(f"죄송해요, 질문을 정확히 이해하지 못했어요. {_what_the_bot_does(base)} "
                  "아래 주제에서 고르시거나 다른 말로 다시 물어봐 주세요. "
                  "사람 상담원이 필요하면 '상담원 연결'이라고 입력해 주세요.", topic_buttons(base))
        reply.slots[names.SLOT_HANDOFF_OFFERED] = False
    else:
        # Unclear again: a person is the better help now.
        reply.say(f"죄송해요, 이번에도 정확히 이해하지 못했어요. 다른 말로 다시 질문하시거나, "
                  "상담원에게 연결해 드릴까요?",
                  [{"title": "네, 상담원 연결", "payload": HUMAN_PAYLOAD},
                   {"title": "아니요, 다시 질문할게요", "payload": DENY_PAYLOAD}])
        reply.slots[names.SLOT_HANDOFF_OFFERED] = True
    return reply


def chosen_topic(text: str, base: FaqBase) -> Optional[str]:
    """The FAQ category of a topic-menu click (``/choose_topic{"topic": "water"}``), else None."""
    match = _TOPIC_PAYLOAD.match(text.strip())
    if not match:
        return None
    try:
        topic = json.loads(match.group(1) or "{}").get(names.TOPIC_ENTITY)
    except (ValueError, AttributeError):
        return None
    return topic if topic in base.categories() else None


def _topic_menu(base: FaqBase, category: str) -> Reply:
    reply = Reply(slots={names.SLOT_FAQ_ID: None, names.SLOT_FAQ_CATEGORY: category,
                         names.SLOT_FAQ_OUTCOME: CLARIFY, names.SLOT_HANDOFF_OFFERED: False})
    reply.say(f"{base.categories()[category]} 관련해서 자주 묻는 질문이에요. 궁금한 것을 골라 주세요.",
              [{"title": e.question, "payload": f"{FAQ_PAYLOAD_PREFIX}{e.id}"}
               for e in base.entries if e.category == category])
    return reply


def _answer(base: FaqBase, faq_id: str, score: float) -> Reply:
    entry = base.get(faq_id)
    reply = Reply(slots={names.SLOT_FAQ_ID: entry.id, names.SLOT_FAQ_CATEGORY: entry.category,
                         names.SLOT_FAQ_OUTCOME: ANSWER, names.SLOT_FAQ_SCORE: round(float(score), 4),
                         names.SLOT_HANDOFF_OFFERED: False})
    reply.say(answer_message(entry, base.city))
    return reply
