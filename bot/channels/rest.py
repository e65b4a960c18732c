"""Rasa's REST channel (``POST /webhooks/rest/webhook``), the one door for citizen text into Rasa.

Same JSON as Rasa's ``rest`` channel, plus what every message needs before Rasa holds it:
the API token (``Authorization: Bearer …`` or ``?token=``), personal data masked and the
length capped (:func:`bot.conversation.text.prepare_text`), a polite reply to an empty
message, and two guards:

* a ``/payload`` the bot did not offer as a button is read as plain text (``/restart`` from a
  citizen cannot reset the conversation);
* while an agent holds the conversation (its ticket is queued or assigned), the message is
  only recorded in the tracker — the bot never answers — and the reply says so
  (``{"custom": {"routed": {"ticket_id": …}}}``), so the caller can pass it to the agent.

A failure inside Rasa answers HTTP 500 (the stock channel answers 200 with no messages), and
the tracker store is made to fail loudly (:mod:`bot.channels.tracker_store`), so a caller never
mistakes a lost message for a silent bot. Nothing here logs message text.
"""
from __future__ import annotations

import asyncio
import hmac
import inspect
import logging
from typing import Any, Awaitable, Callable, Dict, Optional, Text

from rasa.core.channels.channel import CollectingOutputChannel, UserMessage
from rasa.core.channels.rest import RestInput
from rasa.shared.core.events import UserUttered
from sanic import Blueprint, response
from sanic.request import Request

from bot import keys
from bot.conversation import names, transcript
from bot.conversation.text import EMPTY_REPLY, prepare_text
from bot.channels.tracker_store import fail_loudly
from bot.handoff import tickets

logger = logging.getLogger(__name__)


def _payload(request: Request) -> Dict[str, Any]:
    body = request.json  # Sanic answers 400 to a body that is not JSON
    return body if isinstance(body, dict) else {}


def authorized(request: Request) -> bool:
    """The request carries the API token (a header, or ``?token=`` like Rasa's HTTP API)."""
    header = request.headers.get("authorization", "")
    given = header[7:].strip() if header.lower().startswith("bearer ") else request.args.get("token", "")
    return bool(given) and hmac.compare_digest(given.encode(), keys.rasa_api_token().encode())


class CitizenRestInput(RestInput):
    """The REST channel with a token, masking, the payload guard and the handoff guard."""

    @classmethod
    def name(cls) -> Text:
        return "rest"

    def blueprint(self, on_new_message: Callable[[UserMessage], Awaitable[Any]]) -> Blueprint:
        webhook = Blueprint(f"custom_webhook_{type(self).__name__}", inspect.getmodule(self).__name__)

        @webhook.listener("after_server_start")
        async def strict_tracker_store(app, _loop) -> None:  # the agent is loaded before this
            agent = getattr(app.ctx, "agent", None)
            if agent is not None and fail_loudly(agent.tracker_store):
                logger.info("tracker store errors are raised (no in-memory fallback)")

        @webhook.route("/", methods=["GET"])
        async def health(request: Request):
            return response.json({"status": "ok"})

        @webhook.route("/webhook", methods=["POST"])
        async def receive(request: Request):
            if not authorized(request):
                return response.json({"error": "a valid API token is required"}, status=401)
            body = _payload(request)
            sender = str(body.get("sender") or "") or None
            metadata = body.get("metadata") if isinstance(body.get("metadata"), dict) else None
            collector = CollectingOutputChannel()
            message = UserMessage(prepare_text(body.get("message")), collector, sender,
                                  input_channel=str(body.get("input_channel") or "rest"), metadata=metadata)
            try:
                await self._handle(request.app.ctx.agent, on_new_message, message)
            except asyncio.CancelledError:
                logger.warning("REST request for conversation %s was cancelled by the caller", message.sender_id)
                raise
            except Exception:
                logger.exception("REST message for conversation %s failed", message.sender_id)
                return response.json({"error": "the message could not be processed"}, status=500)
            return response.json(collector.messages)

        return webhook

    async def _handle(self, agent, on_new_message: Callable[[UserMessage], Awaitable[Any]],
                      message: UserMessage) -> None:
        if not message.text:
            await message.output_channel.send_text_message(message.sender_id, EMPTY_REPLY)
            return
        ticket = await asyncio.to_thread(tickets.agent_holds, message.sender_id)
        if ticket is not None:
            await record_for_agent(agent, message, ticket.id)
            await message.output_channel.send_custom_json(
                message.sender_id, {names.REPLY_ROUTED: {names.META_TICKET_ID: ticket.id}})
            return
        if message.text.startswith(names.PAYLOAD_PREFIX):
            tracker = await agent.tracker_store.retrieve(message.sender_id)
            offered = transcript.offered_payloads([e.as_dict() for e in tracker.events] if tracker else [])
            if message.text not in offered:  # typed, not clicked: read it as words
                message.text = message.text.lstrip(names.PAYLOAD_PREFIX).strip()
                if not message.text:
                    await message.output_channel.send_text_message(message.sender_id, EMPTY_REPLY)
                    return
        await on_new_message(message)


async def record_for_agent(agent, message: UserMessage, ticket_id: Optional[int]) -> None:
    """Append the message to the tracker as it is: no NLU, no prediction, no bot reply."""
    metadata = {**(message.metadata or {}), names.META_ROUTE: names.ROUTE_AGENT, names.META_TICKET_ID: ticket_id}
    async with agent.lock_store.lock(message.sender_id):
        tracker = await agent.processor.fetch_tracker_with_initial_session(
            message.sender_id, message.output_channel, message.metadata)
        tracker.update(UserUttered(message.text, input_channel=message.input_channel, metadata=metadata))
        await agent.processor.save_tracker(tracker)
