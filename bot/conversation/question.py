"""The citizen's last real question: what an agent wants to read on a queue card and search the FAQ with.

"상담원 연결해 주세요", "네", "감사합니다" or "여보세요?" are no questions. A message counts
when it is typed text (or an FAQ button, read as that entry's question) that is not a request
for a person (:func:`is_explicit_agent_request`), not a bare yes/no, greeting, thanks or word
about the bot — judged by the NLU's intent when the bot read the message, and by its words
when it went to an agent unread. Texts come back masked.
"""
from __future__ import annotations

import re
from typing import Iterable, List, Mapping, Optional

from bot.conversation import names
from bot.conversation.handoff_request import is_explicit_agent_request
from bot.conversation.transcript import payload_title
from bot.korean.normalize import matching_key
from bot.korean.pii import mask_pii

#: intents of messages that ask nothing an agent could look up
NOT_QUESTIONS = ("request_human", "affirm", "deny", "greet", "goodbye", "thanks", "bot_challenge",
                 "bot_complaint")
#: what a waiting citizen says that asks nothing: 네, 여보세요?, 아직이에요?, 빨리요 ㅠㅠ …
_FILLER = re.compile(
    r"(?:네|넵|넹|예|응|ㅇㅇ|ㅇㅋ|아니요|아니오|아뇨|노노|여보세요|안녕하세요|안녕|감사합니다|감사해요|고맙습니다|고마워요"
    r"|수고하세요|기다릴게요|기다리고있어요|기다리는중|아직이에요|아직이요|아직|언제와요|언제요|빨리요|빨리|좀|요"
    r"|ok|okay|yes|no|hello|hi|thanks|thankyou|[\W_ㄱ-ㅣ\u1100-\u11ff])+")


def is_question(text: str, intent: Optional[str] = None) -> bool:
    """Does the message ask something (``intent``: the NLU's reading, when the bot read it)?"""
    text = (text or "").strip()
    if not text or text.startswith(names.PAYLOAD_PREFIX):
        return False
    if intent in NOT_QUESTIONS or is_explicit_agent_request(text):
        return False
    key = matching_key(text)
    return len(key) >= 2 and not _FILLER.fullmatch(key)


def recent_questions(events: Iterable[Mapping], limit: int = 3) -> List[str]:
    """The citizen's last ``limit`` real questions in tracker ``events``, newest first, masked."""
    found: List[str] = []
    for event in reversed(list(events)):
        if len(found) >= limit:
            break
        if event.get("event") != "user" or not event.get("text"):
            continue
        text = str(event["text"])
        if text.startswith(names.FAQ_PAYLOAD_PREFIX):  # an FAQ button: the entry's question
            title = payload_title(text)
            if title:
                found.append(title)
            continue
        intent = ((event.get("parse_data") or {}).get("intent") or {}).get("name")
        if is_question(text, intent):
            found.append(mask_pii(text))
    return found


def last_question(events: Iterable[Mapping]) -> Optional[str]:
    """The citizen's last real question in tracker ``events``, masked (None if they asked none)."""
    found = recent_questions(events, limit=1)
    return found[0] if found else None
