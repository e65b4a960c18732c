"""Tracker events (Rasa's JSON event format) that record what people said around the bot."""
from __future__ import annotations

from datetime import datetime, timezone
from typing import Dict, List, Optional

from bot.conversation import names


def _now() -> float:
    return datetime.now(timezone.utc).timestamp()


def spoken(role: str, text: str, agent_name: Optional[str] = None) -> Dict:
    """An agent's or a system message, kept in the tracker as a bot event with its role."""
    metadata = {names.META_ROLE: role, **({names.META_AGENT_NAME: agent_name} if agent_name else {})}
    return {"event": "bot", "text": text, "metadata": metadata, "timestamp": _now()}


def citizen_for_agent(text: str, client_id: Optional[str], ticket_id: int) -> Dict:
    """A citizen message an agent receives: recorded as it is, never read by the bot."""
    metadata = {names.META_ROLE: names.CITIZEN, names.META_ROUTE: names.ROUTE_AGENT,
                names.META_TICKET_ID: ticket_id, **({names.META_CLIENT_ID: client_id} if client_id else {})}
    return {"event": "user", "text": text, "metadata": metadata, "input_channel": names.WEB_CHANNEL,
            "parse_data": {"text": text, "intent": {}, "entities": []}, "timestamp": _now()}


def back_to_bot() -> List[Dict]:
    """After a handoff: no ticket in the slots, and the citizen's next message starts a fresh turn."""
    return [{"event": "slot", "name": names.SLOT_HANDOFF_TICKET, "value": None, "timestamp": _now()},
            {"event": "action", "name": "action_listen", "timestamp": _now()}]


def tag(events: List[Dict], outbox_id: int) -> List[Dict]:
    """Copies of ``events`` whose spoken ones carry the outbox row that delivers them."""
    tagged = []
    for event in events:
        if event.get("event") in ("user", "bot"):
            event = {**event, "metadata": {**(event.get("metadata") or {}), names.META_OUTBOX_ID: outbox_id}}
        tagged.append(event)
    return tagged
