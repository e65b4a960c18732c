"""Who may see and do what in the console: the role matrix, in one place (README "Security").

| | agent | content | admin |
|---|---|---|---|
| queue summaries (live pushes too) | yes | — | yes |
| a chat's transcript, suggestions, callback number | own chats | — | all (number: masked unless own) |
| claim | yes | — | yes |
| write in a chat | own chats | — | own chats |
| transfer, put back, close | own chats | — | all live chats |
| dismiss callback requests | yes | — | yes |
| analytics counters | — | yes | yes |
| content studio: FAQ editor, test, review queue, publish, dashboard | — | yes | yes |
| users | — | — | yes |
"""
from __future__ import annotations

from typing import Optional

AGENT, CONTENT, ADMIN = "agent", "content", "admin"
ROLES = (AGENT, CONTENT, ADMIN)
#: roles that work the live queue (and get its pushes)
LIVE_CHAT = (AGENT, ADMIN)
STATS = (CONTENT, ADMIN)
STUDIO = (CONTENT, ADMIN)
USERS = (ADMIN,)


def holds(username: str, ticket) -> bool:
    return ticket.status == "assigned" and ticket.agent_username == username


def may_read_chat(role: str, username: str, ticket) -> bool:
    return role == ADMIN or (role == AGENT and holds(username, ticket))


def may_manage_chat(role: str, username: str, ticket) -> bool:
    """Transfer and close: the holder, or an admin."""
    return may_read_chat(role, username, ticket)


def sees_callback_number(username: str, ticket) -> bool:
    """The callback number in clear: only the agent who took the callback."""
    return holds(username, ticket)


def chat_audience(ticket) -> Optional[str]:
    """The agent whose console receives this chat's live messages (admins always do)."""
    return ticket.agent_username if ticket.status == "assigned" else None
