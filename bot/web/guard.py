"""What every citizen channel does to a message before Rasa sees it."""
from __future__ import annotations

from typing import Any, Awaitable, Callable

from rasa.core.channels.channel import UserMessage

from bot import settings
from bot.korean.normalize import clean_message
from bot.korean.pii import mask_pii

EMPTY_REPLY = "메시지가 비어 있어요. 궁금한 점을 입력해 주세요. 예) 여권 발급 수수료가 얼마예요?"


def prepare_text(text: Any) -> str:
    """Cleaned, personal data masked, capped at ``MAX_MESSAGE_CHARS``."""
    cleaned = clean_message(str(text) if text is not None else "", max_chars=10 * settings.MAX_MESSAGE_CHARS)
    return mask_pii(cleaned)[: settings.MAX_MESSAGE_CHARS].rstrip()


def guard_messages(on_new_message: Callable[[UserMessage], Awaitable[Any]]):
    """Wrap Rasa's message handler: empty input gets a polite reply and never reaches Rasa."""

    async def handler(message: UserMessage) -> Any:
        message.text = prepare_text(message.text)
        if not message.text:
            await message.output_channel.send_text_message(message.sender_id, EMPTY_REPLY)
            return None
        return await on_new_message(message)

    return handler
