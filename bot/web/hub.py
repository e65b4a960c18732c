"""Who is connected: citizens' and agents' WebSockets in this process, and pushes to them.

One web process holds the sockets (scale-out across several web processes would put a
pub/sub such as Redis behind these methods; see the README).
"""
from __future__ import annotations

import asyncio
import json
import logging
import time
from collections import defaultdict
from typing import Any, Dict, Iterable, Optional, Set

logger = logging.getLogger(__name__)


class Hub:
    def __init__(self) -> None:
        self.citizens: Dict[str, Set[Any]] = defaultdict(set)
        self.agents: Dict[str, Set[Any]] = defaultdict(set)
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

    def join_agent(self, username: str, ws) -> None:
        self.agents[username].add(ws)
        self.agent_left.pop(username, None)

    def leave_agent(self, username: str, ws) -> None:
        self.agents[username].discard(ws)
        if not self.agents[username]:
            del self.agents[username]
            self.agent_left[username] = time.monotonic()

    def citizen_online(self, conversation_id: str) -> bool:
        return bool(self.citizens.get(conversation_id))

    def agent_online(self, username: Optional[str]) -> bool:
        return bool(username and self.agents.get(username))

    def online_agents(self) -> Set[str]:
        return {name for name, sockets in self.agents.items() if sockets}

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
    @staticmethod
    async def _send(sockets: Iterable[Any], payload: Dict) -> None:
        text = json.dumps(payload, ensure_ascii=False, default=str)
        for ws in list(sockets):
            try:
                await asyncio.wait_for(ws.send(text), timeout=5)
            except Exception:  # a dead socket is cleaned up by its own handler
                logger.debug("push failed", exc_info=True)

    async def to_citizen(self, conversation_id: str, payload: Dict) -> None:
        await self._send(self.citizens.get(conversation_id, ()), payload)

    async def to_agents(self, payload: Dict, usernames: Optional[Iterable[str]] = None) -> None:
        names = self.agents.keys() if usernames is None else [u for u in usernames if u]
        sockets = [ws for name in list(names) for ws in self.agents.get(name, ())]
        await self._send(sockets, payload)
