"""A small async client for the private Rasa server: REST channel and HTTP API, both behind the token."""
from __future__ import annotations

import asyncio
from typing import Any, Dict, List, Optional

import aiohttp

from bot import keys, settings
from bot.studio import switch


class RasaError(RuntimeError):
    """Rasa did not answer, or answered with an error."""


class RasaClient:
    def __init__(self, base_url: str = "", token: str = "", timeout: float = 0) -> None:
        self.base_url = (base_url or settings.RASA_URL).rstrip("/")
        self._follows_route = not base_url  # during a model swap: the route file's Rasa (bot.studio.switch)
        self.token = token or keys.rasa_api_token()
        self.timeout = aiohttp.ClientTimeout(total=timeout or 3 * settings.NETWORK_TIMEOUT)
        self._session: Optional[aiohttp.ClientSession] = None

    async def _http(self) -> aiohttp.ClientSession:
        if self._session is None or self._session.closed:
            self._session = aiohttp.ClientSession(timeout=self.timeout)
        return self._session

    async def close(self) -> None:
        if self._session is not None:
            await self._session.close()

    async def _request(self, method: str, path: str, **kwargs) -> Any:
        params = {**kwargs.pop("params", {}), "token": self.token}
        headers = {"Authorization": f"Bearer {self.token}"}
        try:
            http = await self._http()
            base = switch.live_url(self.base_url) if self._follows_route else self.base_url
            async with http.request(method, f"{base}{path}", params=params, headers=headers,
                                    **kwargs) as response:
                if response.status >= 400:
                    raise RasaError(f"{method} {path}: HTTP {response.status}")
                return await response.json(content_type=None)
        except (aiohttp.ClientError, asyncio.TimeoutError, ValueError) as exc:  # ValueError: not JSON
            raise RasaError(f"{method} {path}: {type(exc).__name__} {exc}") from exc

    async def send(self, conversation_id: str, text: str, metadata: Optional[Dict] = None) -> List[Dict]:
        """A citizen message through the REST channel; the replies (a "routed" marker when an agent holds it)."""
        body = {"sender": conversation_id, "message": text, "metadata": metadata or {}}
        return await self._request("POST", "/webhooks/rest/webhook", json=body) or []

    async def tracker(self, conversation_id: str) -> Dict:
        return await self._request("GET", f"/conversations/{conversation_id}/tracker",
                                   params={"include_events": "ALL"})

    async def append_events(self, conversation_id: str, events: List[Dict]) -> Dict:
        return await self._request("POST", f"/conversations/{conversation_id}/tracker/events",
                                   params={"include_events": "NONE"}, json=events)

    async def parse(self, text: str) -> Dict:
        return await self._request("POST", "/model/parse", json={"text": text})
