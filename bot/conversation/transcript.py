"""Rasa tracker events → the chat messages people see; the one transcript builder.

The citizen's history, the agent's view of a chat and the transcript kept with a handoff
ticket are all built here, from the tracker's events (the one record of a conversation).
"""
from __future__ import annotations

from datetime import datetime, timezone
from typing import Dict, Iterable, List, Mapping, Optional, Sequence, Set

from bot.conversation import names
from bot.korean.pii import mask_pii


def payload_title(text: str) -> Optional[str]:
    """What a button payload stood for, in words (None if ``text`` is no known payload)."""
    if text in names.PAYLOAD_TITLES:
        return names.PAYLOAD_TITLES[text]
    if text.startswith(names.FAQ_PAYLOAD_PREFIX):
        from bot.faq.answering import faq_base

        entry = faq_base().get(text[len(names.FAQ_PAYLOAD_PREFIX):])
        return entry.question if entry else None
    if text.startswith(names.PAYLOAD_PREFIX + names.TOPIC_INTENT):
        from bot.faq.answering import chosen_topic, faq_base

        base = faq_base()
        topic = chosen_topic(text, base)
        return base.categories()[topic] if topic else None
    return None


def iso(timestamp: Optional[float]) -> str:
    moment = datetime.fromtimestamp(timestamp, timezone.utc) if timestamp else datetime.now(timezone.utc)
    return moment.isoformat()


def message(role: str, text: str, ts: Optional[str] = None, buttons: Optional[List[Dict]] = None,
            agent_name: Optional[str] = None) -> Dict:
    """One chat message as the citizen page and the agent console show it."""
    return {"type": "message", "role": role, "text": text, "buttons": buttons or [],
            "agent_name": agent_name, "ts": ts or iso(None)}


def answered_faq(data: Optional[Mapping]) -> Optional[str]:
    """The FAQ entry a bot reply answers from (its ``{"custom": {"faq": …}}``), else None."""
    custom = (data or {}).get("custom")
    answered = custom.get(names.REPLY_FAQ) if isinstance(custom, Mapping) else None
    faq_id = answered.get("faq_id") if isinstance(answered, Mapping) else None
    return str(faq_id) if faq_id else None


def from_event(event: Mapping) -> Optional[Dict]:
    """The chat message of one tracker event, or None for events people do not see."""
    kind, text = event.get("event"), event.get("text")
    if not text or kind not in ("user", "bot"):
        return None
    ts = iso(event.get("timestamp"))
    if kind == "user":
        return message(names.CITIZEN, payload_title(text) or mask_pii(text), ts)
    meta = event.get("metadata") or {}
    role = meta.get(names.META_ROLE) if meta.get(names.META_ROLE) in names.ROLES else names.BOT
    buttons = (event.get("data") or {}).get("buttons") or [] if role == names.BOT else []
    shown = message(role, text, ts, buttons, meta.get(names.META_AGENT_NAME))
    faq_id = answered_faq(event.get("data")) if role == names.BOT else None
    if faq_id:  # an FAQ answer: its first line is the entry's title (the page shows it as a heading)
        shown["faq_id"] = faq_id
    return shown


def from_events(events: Iterable[Mapping]) -> List[Dict]:
    return [m for m in (from_event(e) for e in events) if m is not None]


def last_citizen_question(events: Iterable[Mapping]) -> Optional[str]:
    """The citizen's last typed message (not a button payload), masked."""
    texts = [e["text"] for e in events if e.get("event") == "user" and e.get("text")
             and not str(e["text"]).startswith(names.PAYLOAD_PREFIX)]
    return mask_pii(texts[-1]) if texts else None


def offered_payloads(events: Sequence[Mapping]) -> Set[str]:
    """Payloads a click may send now: the buttons the bot showed since the citizen's last
    message, and the topic menu, which the chat page always offers (its welcome)."""
    from bot.faq.answering import faq_base

    offered: Set[str] = {names.topic_payload(category) for category in faq_base().categories()}
    for event in reversed(events):
        if event.get("event") == "user":
            break
        if event.get("event") == "bot":
            for button in (event.get("data") or {}).get("buttons") or []:
                if isinstance(button, Mapping) and button.get("payload"):
                    offered.add(str(button["payload"]))
    return offered


def find_client_message(events: Sequence[Mapping], client_id: str) -> Optional[int]:
    """Index of the citizen message the browser sent as ``client_id`` (None if not recorded)."""
    for i in range(len(events) - 1, -1, -1):
        event = events[i]
        if event.get("event") == "user" and (event.get("metadata") or {}).get(names.META_CLIENT_ID) == client_id:
            return i
    return None


def bot_replies_after(events: Sequence[Mapping], index: int) -> List[Dict]:
    """The bot's replies to the user event at ``index``, shaped like the REST channel's output."""
    replies: List[Dict] = []
    for event in events[index + 1:]:
        if event.get("event") == "user":
            break
        if event.get("event") == "bot" and (event.get("metadata") or {}).get(names.META_ROLE, names.BOT) == names.BOT:
            data = event.get("data") or {}
            reply = {"text": event.get("text"), "buttons": data.get("buttons"), "custom": data.get("custom")}
            replies.append({k: v for k, v in reply.items() if v})
    return replies


def has_outbox_record(events: Iterable[Mapping], outbox_id: int) -> bool:
    return any((e.get("metadata") or {}).get(names.META_OUTBOX_ID) == outbox_id for e in events)
