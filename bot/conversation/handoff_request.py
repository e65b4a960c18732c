"""Is a message an explicit request to talk to a person? (The guard on a ``request_human`` prediction.)

The NLU model sees "사람" in "다른 사람이 대신 찾아가도 되나요?" and predicts ``request_human``;
a handoff must need more than that. The rule, on a loose key of the text (NFKC, lower case,
no spaces, runs of 3+ cut to 2):

1. The message names a human helper. An *agent word* (상담원, 상담사, 상담직원) always counts;
   a *person word* (직원, 담당자, 공무원, 주무관, 사람, 인간, 전화·유선·유인 상담, human,
   person, agent, someone …) counts only when no third party is in the sentence
   (다른 사람, 대신, 대리, 위임, 가족, 부모님, 사람이 많 …).
2. It asks for contact: a contact verb (연결, 바꿔, 불러, 통화, 얘기, 대화, 말하, 채팅, 상담하/받,
   물어보, 넘겨, 봐줘, 원해, 호출, 1:1, connect, talk, speak, "human please" …), a "not the bot" contrast
   (챗봇 말고 사람이요), or a bare call to an agent ("상담원!!", "상담사님").
3. It is not a question about a contact detail or a service (번호, 시간, 어디, 부서, 기관, 방법 …) unless it also says
   "connect/put me through" in so many words, and not a question whether the bot is a person
   ("사람이에요?", "사람이랑 대화하는 거예요?") unless it also asks for one.

Plain regular expressions only: no model, nothing loaded at import, microseconds per call.
"""
from __future__ import annotations

import re

from typing import Mapping, Optional, Sequence

from bot.conversation.names import HUMAN_PAYLOAD
from bot.korean.normalize import matching_key

# --- who: words for a human helper ---------------------------------------------------------------
#: unambiguous: an agent whatever else the sentence says
_AGENT = re.compile(r"상담원|상담사|상담직원")
#: a person who may be the helper, or a third party ("다른 사람", "직원이 대신")
_PERSON = re.compile(r"직원|담당자|공무원|주무관|사람|인간|전화로?(?:상담|통화)|유선으?로?상담|유인상담")
_PERSON_EN = re.compile(r"\b(?:human|person|agent|someone|somebody|representative|operator|staff)\b")
#: the person is somebody else: a proxy, a relative, a count of people
_THIRD_PARTY = re.compile(
    r"다른(?:사람|분)|대신|대리|위임|가족|남편|아내|와이프|부모|어머니|아버지|엄마|아빠|자녀|자식|아들|딸"
    r"|사람(?:이|들이)?많|사람수|몇사람|한사람|사람당|사람마다")
_THIRD_PARTY_EN = re.compile(r"\b(?:someone else|another person|on my behalf|behalf of|proxy)\b")
#: "not the bot": a contrast with the bot asks for a person ("챗봇 말고 사람이요", "챗봇 대신 사람이랑")
_NOT_THE_BOT = re.compile(r"(?:챗봇|봇|로봇|기계|ai|자동응답)(?:답변|상담)?(?:말고|대신|아니고|그만)")

# --- what: asking for contact ------------------------------------------------------------------
_NOT_PAST = r"(?!했|됐|봤|었)"
_CONTACT = re.compile(
    r"(?:연[결겨곌겻걸]|통화|얘기|이야기|대화|채팅|호출|넘겨|1:1)" + _NOT_PAST
    + r"|바꿔|바꿀래|불러|부를|말[하할해]" + _NOT_PAST + r"|말씀|물어[보볼]" + _NOT_PAST
    + r"|상담(?:을)?(?:하고|하게|하겠|할|받|부탁|해[주줘])|봐[주줘]|원해|원함|원합|답변받|답변을받")
_CONTACT_EN = re.compile(r"\b(?:connect|talk|speak|chat|transfer|contact|call|put me through)\b"
                         r"|\b(?:human|person|agent|someone|representative|operator|staff) please\b")
#: nothing but an agent word, an honorific and noise: "상담원!!", "상담사님 ㅠㅠ", "상담원 좀요"
_BARE_CALL = re.compile(r"(?:상담원|상담사|상담직원)(?:님|분)?(?:좀)?(?:요|이요)?(?:제발|빨리)?")
_NOISE = re.compile(r"[\W_ㄱ-ㅣ\u1100-\u11ff]+")  # NFKC turns ㅠㅋ into conjoining jamo

# --- but not: questions about a contact detail, or whether the bot is a person ------------------
_INFO_QUESTION = re.compile(r"번호|연락처|몇시|시간|운영|요일|주말|공휴일|어디|부서|기관|센터|위치|언제|누구|방법|어떻게|하려면")
_INFO_QUESTION_EN = re.compile(r"\b(?:number|email|address|hours|when|where|how do i|how can i)\b")
#: "connect me / put me through" in so many words overrides an info question
_CONNECT_ME = re.compile(r"(?:연[결겨곌겻걸]|바꿔|불러|넘겨|호출)(?:좀)?(?:해)?(?:주|줘|달|부탁)|connect me|put me through")
_IDENTITY_QUESTION = re.compile(
    r"(?:사람|상담원|상담사|직원|공무원|인간)(?:분)?"
    r"(?:이세요|이에요|이예요|이야(?!기)|이신|인가|인지|인거|임|맞|이죠|이지|이냐|이니|입니까)"
    r"|는거(?:예요|에요|야|임|죠|지|냐|니|맞)|는건가|는건지|는겁니까|\bare you\b")
#: wanting a person overrides an identity question ("사람이에요? 사람이랑 얘기하고 싶어요")
_WANTS = re.compile(r"싶|할래|할게|원해|원함|원합|부탁|주세요|줘|달라|\bwant\b|please")


def is_explicit_agent_request(text: str) -> bool:
    """True when the citizen explicitly asks to talk to a person (agent, staff, counsellor …)."""
    if not text or not text.strip():
        return False
    if text.strip() == HUMAN_PAYLOAD:  # the "상담원 연결" button: as explicit as it gets
        return True
    key = matching_key(text)  # Korean: no spaces, so "상담원연결" = "상담원 연결"
    words = " ".join(matching_key(word) for word in text.split())  # English: word boundaries
    both = key + " " + words
    agent = bool(_AGENT.search(key))
    if not agent:
        rest = _NOT_THE_BOT.sub("", key)  # "챗봇 대신 사람" names no proxy
        if not (_PERSON.search(rest) or _PERSON_EN.search(words)):
            return False
        if _THIRD_PARTY.search(rest) or _THIRD_PARTY_EN.search(words):
            return False
    if (_INFO_QUESTION.search(key) or _INFO_QUESTION_EN.search(words)) and not _CONNECT_ME.search(both):
        return False
    if _IDENTITY_QUESTION.search(both) and not _WANTS.search(both):
        return False
    if _CONTACT.search(key) or _CONTACT_EN.search(words) or _NOT_THE_BOT.search(key):
        return True
    return agent and bool(_BARE_CALL.fullmatch(_NOISE.sub("", key)))


def answer_to_offer(text: str, intent_ranking: Sequence[Mapping], max_chars: int = 10) -> Optional[str]:
    """"affirm" or "deny" for a short reply ("네", "아뇨 됐어요") whose best intent, below the
    fallback threshold, is that.

    Read only right after the bot offered a person: a bare "네" the classifier was unsure of
    still answers the question just asked. A longer message is a new question, not an answer.
    """
    if len(matching_key(text)) > max_chars:
        return None
    ranked = [item for item in intent_ranking if item.get("name") != "nlu_fallback"]
    best = str(ranked[0].get("name")) if ranked else None
    return best if best in ("affirm", "deny") else None
