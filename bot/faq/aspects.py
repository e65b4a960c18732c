"""Aspects of a question ("수수료는요?" asks for the fee) for follow-ups in context."""
from __future__ import annotations

import re
from typing import List

from bot.korean.normalize import matching_key

# aspect → cue words (matched on the spaceless, lower-cased message)
CUES = {
    "fee": ("수수료", "비용", "요금", "얼마", "가격", "돈", "무료", "유료", "감면", "할인", "깎"),
    "documents": ("서류", "준비물", "구비", "챙겨", "챙길", "가져가", "가져와", "들고가", "지참", "필요한거", "필요한게", "뭐필요", "뭐가필요",
                  "뭐내야", "뭘내야", "제출"),
    "place": ("어디", "장소", "위치", "곳", "주소"),
    "hours": ("운영시간", "몇시", "시간", "영업", "여는", "닫는"),
    "period": ("기간", "기한", "언제", "마감", "까지"),
    "duration": ("며칠", "얼마나걸", "소요", "걸려", "걸리"),
    "eligibility": ("대상", "자격", "누가", "누구", "해당", "아무나"),
    "how": ("방법", "어떻게", "절차", "신청", "접수"),
    "online": ("온라인", "인터넷", "홈페이지", "앱", "모바일", "휴대폰", "핸드폰", "폰으로", "위택스", "정부24"),
    "proxy": ("대리", "대신", "가족이"),
    "contact": ("전화", "연락처", "번호", "문의"),
}
# Openers of an elliptical follow-up ("그럼 …는요?").
_FOLLOW_UP_OPENERS = re.compile(r"^(그럼|그러면|그럼요|그건|그거|그리고|아 그럼|혹시 그럼|또)")
# "By the way …" announces a new topic.
_TOPIC_CHANGE = re.compile(r"^(그건 그렇고|그나저나|그거 말고|다른 거|다른 질문|참 그리고|아 참)")
_FOLLOW_UP_ENDINGS = re.compile(r"(는요|은요|요|죠)\s*[?？!.]*$")


def detect_aspects(text: str) -> List[str]:
    """Aspects whose cue words appear in ``text``, in the order of :data:`CUES`."""
    key = matching_key(text)
    return [aspect for aspect, cues in CUES.items() if any(c in key for c in cues)]


def looks_like_follow_up(text: str, max_chars: int = 20) -> bool:
    """Short, elliptical questions that lean on the previous answer."""
    stripped = text.strip()
    if _TOPIC_CHANGE.match(stripped):
        return False
    if _FOLLOW_UP_OPENERS.match(stripped):
        return True
    return len(stripped) <= max_chars and bool(_FOLLOW_UP_ENDINGS.search(stripped))
