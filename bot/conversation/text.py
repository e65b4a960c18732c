"""What any message becomes before a process keeps it: cleaned, personal data masked, capped."""
from __future__ import annotations

from typing import Any

from bot import settings
from bot.korean.normalize import clean_message
from bot.korean.pii import mask_pii

EMPTY_REPLY = "메시지가 비어 있어요. 궁금한 점을 입력해 주세요. 예) 여권 발급 수수료가 얼마예요?"


def prepare_text(text: Any, max_chars: int = 0) -> str:
    """Cleaned, personal data masked, capped at ``max_chars`` (default ``MAX_MESSAGE_CHARS``).

    Masking runs on up to ten times the cap first, so a number cut in half by the cap is
    still recognised and masked.
    """
    cap = max_chars or settings.MAX_MESSAGE_CHARS
    cleaned = clean_message(str(text) if text is not None else "", max_chars=10 * cap)
    return mask_pii(cleaned)[:cap].rstrip()
