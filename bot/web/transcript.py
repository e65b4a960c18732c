"""Rasa tracker events → the chat messages people see (citizen, bot, agent, system)."""
from __future__ import annotations

from datetime import datetime, timezone
from typing import Dict, Iterable, List, Optional

from bot.faq.answering import faq_base
from bot.faq.base import INTENT_PREFIX
from bot.korean.pii import mask_pii

PAYLOAD_TITLES = {"/request_human": "상담원 연결", "/deny": "아니요"}


def payload_title(text: str) -> Optional[str]:
    """What a button payload stood for, in words."""
    if text in PAYLOAD_TITLES:
        return PAYLOAD_TITLES[text]
    if text.startswith("/" + INTENT_PREFIX):
        entry = faq_base().get(text[len(INTENT_PREFIX) + 1:])
        return entry.question if entry else None
    return None


def iso(timestamp: Optional[float]) -> Optional[str]:
    return datetime.fromtimestamp(timestamp, timezone.utc).isoformat() if timestamp else None


def message(role: str, text: str, ts: Optional[str] = None, buttons: Optional[List[Dict]] = None,
            agent_name: Optional[str] = None) -> Dict:
    return {"type": "message", "role": role, "text": text, "buttons": buttons or [],
            "agent_name": agent_name, "ts": ts or datetime.now(timezone.utc).isoformat()}


def from_events(events: Iterable[Dict]) -> List[Dict]:
    out: List[Dict] = []
    for event in events:
        kind, text = event.get("event"), event.get("text")
        if not text:
            continue
        ts = iso(event.get("timestamp"))
        if kind == "user":
            out.append(message("citizen", payload_title(text) or mask_pii(text), ts))
        elif kind == "bot":
            meta = event.get("metadata") or {}
            role = meta.get("role", "bot")
            buttons = (event.get("data") or {}).get("buttons") or []
            out.append(message(role, text, ts, buttons if role == "bot" else [], meta.get("agent_name")))
    return out


def last_citizen_text(events: Iterable[Dict]) -> Optional[str]:
    texts = [e["text"] for e in events if e.get("event") == "user" and e.get("text")
             and not e["text"].startswith("/")]
    return texts[-1] if texts else None
