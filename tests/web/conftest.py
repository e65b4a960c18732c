"""Clients for the web app under test: citizens over WebSocket, agents over HTTP + WebSocket."""
from __future__ import annotations

import asyncio
import json
import re
import time
import uuid
from typing import Callable, Dict, List, Optional

import pytest
import requests
import websockets

from bot import settings
from bot.web import users

PASSWORD = "test-password-123"


@pytest.fixture(scope="session")
def accounts(servers):
    """Console users in the servers' database: two agents, a content editor, an admin."""
    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(settings, "DATABASE_URL", servers.database_url)
        for username, name, role in (("kim", "김상담", "agent"), ("lee", "이상담", "agent"),
                                     ("editor", "편집자", "content"), ("boss", "관리자", "admin")):
            if users.get_account(username) is None:
                users.create_user(username, name, role, PASSWORD)
    return servers


@pytest.fixture
def server_db(servers, monkeypatch):
    """In-process calls (bot.handoff.tickets …) go to the servers' database."""
    monkeypatch.setattr(settings, "DATABASE_URL", servers.database_url)
    return servers.database_url


class Citizen:
    def __init__(self, url: str) -> None:
        self.url, self.ws, self.inbox = url, None, []
        self.conversation_id: Optional[str] = None

    async def connect(self, conversation_id: Optional[str] = None) -> Dict:
        self.ws = await websockets.connect(self.url, open_timeout=20)
        await self.send({"type": "hello", "conversation_id": conversation_id})
        welcome = await self.expect(lambda m: m["type"] == "welcome")
        self.conversation_id = welcome["conversation_id"]
        return welcome

    async def send(self, frame: Dict) -> None:
        await self.ws.send(json.dumps(frame, ensure_ascii=False))

    async def say(self, text: str) -> None:
        await self.send({"type": "message", "text": text, "client_id": uuid.uuid4().hex})

    async def expect(self, match: Callable[[Dict], bool], timeout: float = 60) -> Dict:
        """The first frame (already received or coming) that matches; earlier ones stay."""
        deadline = time.monotonic() + timeout
        while True:
            for i, frame in enumerate(self.inbox):
                if match(frame):
                    return self.inbox.pop(i)
            remaining = deadline - time.monotonic()
            if remaining <= 0:
                raise AssertionError(f"no matching frame; got {self.inbox[-8:]}")
            try:
                self.inbox.append(json.loads(await asyncio.wait_for(self.ws.recv(), remaining)))
            except asyncio.TimeoutError:
                continue

    async def close(self) -> None:
        if self.ws is not None:
            await self.ws.close()


class Agent:
    def __init__(self, base: str, username: str) -> None:
        self.base, self.username = base, username
        self.http = requests.Session()
        self.csrf = ""
        self.ws = None
        self.inbox: List[Dict] = []

    def login(self, password: str = PASSWORD) -> requests.Response:
        form = self.http.get(f"{self.base}/agent/login", timeout=30)
        token = re.search(r'name="csrf_token" value="([^"]+)"', form.text).group(1)
        response = self.http.post(f"{self.base}/agent/login", timeout=30, allow_redirects=False,
                                  data={"username": self.username, "password": password, "csrf_token": token})
        if response.status_code == 302:
            self.csrf = self.get("/agent/api/me").json()["csrf_token"]
        return response

    def get(self, path: str, params: Optional[Dict] = None) -> requests.Response:
        return self.http.get(f"{self.base}{path}", params=params, timeout=60)

    def post(self, path: str, body: Optional[Dict] = None, csrf: Optional[str] = None) -> requests.Response:
        return self.http.post(f"{self.base}{path}", json=body or {}, timeout=60,
                              headers={"X-CSRF-Token": self.csrf if csrf is None else csrf})

    async def connect(self) -> None:
        cookie = "; ".join(f"{c.name}={c.value}" for c in self.http.cookies)
        self.ws = await websockets.connect(self.base.replace("http", "ws") + "/agent/ws", open_timeout=20,
                                           extra_headers={"Cookie": cookie})

    async def expect(self, match: Callable[[Dict], bool], timeout: float = 60) -> Dict:
        return await Citizen.expect(self, match, timeout)  # same inbox logic

    async def close(self) -> None:
        if self.ws is not None:
            await self.ws.close()


@pytest.fixture
def citizen_factory(servers):
    """New citizens; their sockets close with the test's event loop."""
    return lambda: Citizen(servers.web_url.replace("http", "ws") + "/ws/citizen")


@pytest.fixture
def agent_factory(accounts):
    def make(username: str = "kim") -> Agent:
        agent = Agent(accounts.web_url, username)
        assert agent.login().status_code == 302
        return agent

    return make
