"""Citizen conversations: server-issued ids, bound to the browser by a signed resume token.

The page keeps only the token (``localStorage``); a conversation id alone — as an agent
might see it — opens nothing. ``c-<32 hex>.<HMAC-SHA256(WEB_SECRET, id)>``.
"""
from __future__ import annotations

import base64
import hashlib
import hmac
import re
import uuid
from typing import Optional, Tuple

from bot import keys

_TOKEN = re.compile(r"^(c-[0-9a-f]{32})\.([A-Za-z0-9_-]{43})$")


def _signature(conversation_id: str) -> str:
    digest = hmac.new(keys.web_secret().encode(), conversation_id.encode(), hashlib.sha256).digest()
    return base64.urlsafe_b64encode(digest).decode().rstrip("=")


def resume_token(conversation_id: str) -> str:
    return f"{conversation_id}.{_signature(conversation_id)}"


def new_conversation() -> Tuple[str, str]:
    """A fresh, unguessable conversation id and its resume token."""
    conversation_id = "c-" + uuid.uuid4().hex
    return conversation_id, resume_token(conversation_id)


def conversation_of(token: object) -> Optional[str]:
    """The conversation a resume token opens; None if it is malformed or not ours."""
    match = _TOKEN.match(token) if isinstance(token, str) else None
    if match is None:
        return None
    conversation_id, signature = match.groups()
    return conversation_id if hmac.compare_digest(signature, _signature(conversation_id)) else None
