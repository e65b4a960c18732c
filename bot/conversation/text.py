"""What any message becomes before a process keeps it: cleaned, personal data masked, capped."""
from __future__ import annotations

import re
from typing import Any

from bot import settings
from bot.korean.normalize import clean_message
from bot.korean.pii import mask_pii

EMPTY_REPLY = "메시지가 비어 있어요. 궁금한 점을 입력해 주세요. 예) 여권 발급 수수료가 얼마예요?"
_BLANK_RUNS = re.compile(r"\n{3,}")


def prepare_text(text: Any, max_chars: int = 0, keep_lines: bool = False) -> str:
    """Cleaned, personal data masked, capped at ``max_chars`` (default ``MAX_MESSAGE_CHARS``).

    Masking runs on up to ten times the cap first, so a number cut in half by the cap is
    still recognised and masked. With ``keep_lines`` (an agent's reply) line breaks stay —
    each line cleaned, at most one blank line in a row; otherwise all whitespace is one space.
    """
    cap = max_chars or settings.MAX_MESSAGE_CHARS
    raw = str(text) if text is not None else ""
    if keep_lines:
        lines = (clean_message(line, max_chars=10 * cap) for line in raw.replace("\r\n", "\n").split("\n"))
        cleaned = _BLANK_RUNS.sub("\n\n", "\n".join(lines)).strip()[:10 * cap]
    else:
        cleaned = clean_message(raw, max_chars=10 * cap)
    return mask_pii(cleaned)[:cap].rstrip()
