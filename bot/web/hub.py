"""Who is connected to this web process, and pushes to them by audience.

Citizens' sockets per conversation; console sockets with their account's role and session,
so a chat's live messages reach only its agent (and admins), queue summaries only the roles
that work the queue, and a logout, password change or deactivation closes the sockets.
One web process holds the sockets (several would put a pub/sub such as Redis behind the
push methods).
"""
from __future__ import annotations

import asyncio
import json
import logging
import time
from collections import defaultdict
from dataclasses import dataclass
from typing import Any, Dict, Iterable, List, Optional, Set

from bot.web import roles

logger = logging.getLogger(__name__)
PUSH_TIMEOUT = 5.0


@dataclass(eq=False)
class ConsoleSocket:
    ws: Any
    username: str
    role: str
    session_id: str  # hash of the session token


class Hub:
    def __init__(self) -> None:
        self.citizens: Dict[str, Set[Any]] = defaultdict(set)
        self.console: Set[ConsoleSocket] = set()
        self.citizen_left: Dict[str, float] = {}
        self.agent_left: Dict[str, float] = {}
        self.started = time.monotonic()

    # --- membership ---------------------------------------------------------------
    def join_citizen(self, conversation_id: str, ws) -> None:
        self.citizens[conversation_id].add(ws)
        self.citizen_left.pop(conversation_id, None)

    def leave_citizen(self, conversation_id: str, ws) -> bool:
        """Forget a socket; True when the citizen has no socket left."""
        self.citizens[conversation_id].discard(ws)
        if not self.citizens[conversation_id]:
            del self.citizens[conversation_id]
            self.citizen_left[conversation_id] = time.monotonic()
            return True
        return False

    def join_console(self, ws, username: str, role: str, session_id: str) -> ConsoleSocket:
        member = ConsoleSocket(ws, username, role, session_id)
        self.console.add(member)
        self.agent_left.pop(username, None)
        return member

    def leave_console(self, member: ConsoleSocket) -> None:
        self.console.discard(member)
        if not self._sockets(usernames=[member.username]):
            self.agent_left[member.username] = time.monotonic()

    def citizen_online(self, conversation_id: str) -> bool:
        return bool(self.citizens.get(conversation_id))

    def agent_online(self, username: Optional[str]) -> bool:
        return bool(username) and any(m.username == username for m in self._live_chat())

    def online_agents(self) -> Set[str]:
        return {m.username for m in self._live_chat()}

    def seconds_offline(self, kind: str, key: str) -> float:
        """How long a citizen/agent has had no socket (since start-up if never seen)."""
        left = (self.citizen_left if kind == "citizen" else self.agent_left).get(key, self.started)
        return time.monotonic() - left

    def forget_departures(self, older_than: float) -> None:
        """Drop departure times older than ``older_than`` seconds (bounded memory); for them
        :meth:`seconds_offline` falls back to the start-up time, which is earlier still."""
        cutoff = time.monotonic() - older_than
        for departures in (self.citizen_left, self.agent_left):
            for key in [k for k, left in departures.items() if left < cutoff]:
                del departures[key]

    # --- pushes -------------------------------------------------------------------
    def _live_chat(self) -> List[ConsoleSocket]:
        return [m for m in self.console if m.role in roles.LIVE_CHAT]

    def _sockets(self, usernames: Optional[Iterable[str]] = None, admins: bool = False) -> List[ConsoleSocket]:
        wanted = set(usernames or ())
        return [m for m in self._live_chat() if m.username in wanted or (admins and m.role == roles.ADMIN)]

    @staticmethod
    async def _send(sockets: Iterable[Any], payload: Dict) -> None:
        text = json.dumps(payload, ensure_ascii=False, default=str)
        for ws in list(sockets):
            try:
                await asyncio.wait_for(ws.send(text), timeout=PUSH_TIMEOUT)
            except Exception:  # a dead socket is cleaned up by its own handler
                logger.debug("push failed", exc_info=True)

    async def to_citizen(self, conversation_id: str, payload: Dict) -> None:
        await self._send(self.citizens.get(conversation_id, ()), payload)

    async def to_queue_watchers(self, payload: Dict) -> None:
        """Queue summaries: every console of a role that works the queue."""
        await self._send([m.ws for m in self._live_chat()], payload)

    async def to_chat(self, holder: Optional[str], payload: Dict) -> None:
        """A chat's live traffic: its agent's consoles and every admin's."""
        await self._send([m.ws for m in self._sockets([holder] if holder else [], admins=True)], payload)

    async def to_agent(self, username: str, payload: Dict) -> None:
        await self._send([m.ws for m in self._sockets([username])], payload)

    async def close_console(self, *, username: Optional[str] = None, session_id: Optional[str] = None,
                            code: int = 4401, reason: str = "session ended") -> int:
        """Close the console sockets of a user or of one session; how many were closed."""
        doomed = [m for m in list(self.console)
                  if (username is not None and m.username == username)
                  or (session_id is not None and m.session_id == session_id)]
        for member in doomed:
            self.console.discard(member)
            try:
                await asyncio.wait_for(member.ws.close(code=code, reason=reason), timeout=PUSH_TIMEOUT)
            except Exception:
                logger.debug("close failed", exc_info=True)
        return len(doomed)
