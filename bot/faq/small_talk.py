"""Short replies in character: the chat's welcome, chit-chat, complaints about the bot and
off-topic questions.

None of them offers a person: a citizen who wants one says so ("상담원 연결").
"""
from __future__ import annotations

import zlib
from typing import Dict, List, Sequence

from bot.conversation.names import topic_payload
from bot.faq.base import FaqBase

REPLIES = {
    "chitchat": (
        "말 걸어 주셔서 반가워요. 저는 {city} 민원 안내 챗봇이라 수도·여권·지방세 같은 민원 질문에 제일 잘 답해요.",
        "그렇군요. 민원 관련해서 궁금한 게 생기면 편하게 물어봐 주세요.",
        "이야기 들려주셔서 고마워요. 저는 {city} 민원 안내를 도와드리고 있어요. 궁금한 민원이 있으면 말씀해 주세요.",
    ),
    "bot_complaint": (
        "불편을 드려 죄송해요. 궁금한 내용을 조금 다르게 말씀해 주시면 다시 찾아볼게요. "
        "사람 상담원이 필요하시면 '상담원 연결'이라고 입력해 주세요.",
        "답답하셨죠, 죄송해요. 어떤 민원인지 한 문장으로 다시 알려 주시면 더 잘 찾아볼게요. "
        "'상담원 연결'이라고 입력하시면 사람 상담원과 이야기할 수 있어요.",
    ),
}
WELCOME = "안녕하세요! {city} 민원상담 챗봇이에요. 궁금한 점을 입력하시거나, 많이 묻는 주제를 골라 보세요."
#: the city's busiest topics (call-center volume), first on the welcome
WELCOME_TOPICS = ("health", "water", "parking", "library", "tax", "waste")
OFF_TOPIC = "{city} 민원 안내를 도와드려요. 그 질문에는 답하기 어렵지만, 아래 주제에서 골라 주시거나 궁금한 민원을 물어봐 주세요."


def _pick(options, text: str) -> str:
    """One of ``options``, the same for the same message (replies stay reproducible)."""
    return options[zlib.crc32(text.encode("utf-8")) % len(options)]


def small_talk_reply(intent: str, text: str, base: FaqBase) -> str:
    options = REPLIES.get(intent, REPLIES["chitchat"])
    return _pick(options, text).format(city=base.city.facts.get("city_name", ""))


def off_topic_reply(base: FaqBase) -> str:
    return OFF_TOPIC.format(city=base.city.facts.get("city_name", ""))


def topic_buttons(base: FaqBase, only: Sequence[str] = ()) -> List[Dict[str, str]]:
    """The topic menu: one button per FAQ category (or per category of ``only``, in its order)."""
    labels = base.categories()
    return [{"title": labels[category], "payload": topic_payload(category)}
            for category in (only or labels) if category in labels]


def welcome(base: FaqBase) -> Dict[str, object]:
    """The chat's greeting: a short welcome and the busiest topics as buttons."""
    return {"text": WELCOME.format(city=base.city.facts.get("city_name", "")),
            "buttons": topic_buttons(base, WELCOME_TOPICS)}
