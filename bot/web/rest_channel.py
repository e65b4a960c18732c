"""Rasa's REST channel (``POST /webhooks/rest/webhook``) with the citizen-message guard."""
from __future__ import annotations

from typing import Any, Awaitable, Callable, Dict, Optional, Text

from rasa.core.channels.channel import UserMessage
from rasa.core.channels.rest import RestInput
from sanic import Blueprint
from sanic.request import Request

from bot.web.guard import guard_messages


def _payload(request: Request) -> Dict[str, Any]:
    body = request.json
    return body if isinstance(body, dict) else {}


class CitizenRestInput(RestInput):
    """Same endpoint and JSON as ``rest``; masks personal data, caps length, answers empty input."""

    @classmethod
    def name(cls) -> Text:
        return "rest"

    async def _extract_sender(self, req: Request) -> Optional[Text]:
        sender = _payload(req).get("sender")
        return str(sender) if sender not in (None, "") else None

    def _extract_message(self, req: Request) -> Optional[Text]:
        message = _payload(req).get("message")
        return "" if message is None else str(message)

    def _extract_input_channel(self, req: Request) -> Text:
        return str(_payload(req).get("input_channel") or self.name())

    def get_metadata(self, request: Request) -> Optional[Dict[Text, Any]]:
        metadata = _payload(request).get("metadata")
        return metadata if isinstance(metadata, dict) else None

    def blueprint(self, on_new_message: Callable[[UserMessage], Awaitable[None]]) -> Blueprint:
        return super().blueprint(guard_messages(on_new_message))
