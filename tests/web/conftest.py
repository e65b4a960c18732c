"""Clients for the web app under test: citizens over WebSocket, agents over HTTP + WebSocket."""
from __future__ import annotations

import asyncio
import json
import re
import time
import uuid
from pathlib import Path
from typing import Callable, Dict, List, Optional

import pytest
import requests
import websockets

from bot import settings
from bot.web import users
from tests.conftest import shifted_port

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
    """In-process calls (bot.handoff.tickets, bot.web.identity …) use the servers' database and secrets."""
    from bot import keys

    monkeypatch.setattr(settings, "DATABASE_URL", servers.database_url)
    monkeypatch.setattr(settings, "SECRETS_DIR", servers.secrets_path)
    for name in (settings.RASA_API_TOKEN_ENV, settings.WEB_SECRET_ENV, settings.DATA_KEYS_ENV):
        monkeypatch.delenv(name, raising=False)
    keys.forget()
    yield servers.database_url
    keys.forget()


class Citizen:
    def __init__(self, url: str) -> None:
        self.url, self.ws, self.inbox = url, None, []
        self.conversation_id: Optional[str] = None
        self.resume: Optional[str] = None

    async def connect(self, resume: Optional[str] = None, **headers) -> Dict:
        """Open the socket and say hello, resuming the conversation of ``resume`` (a signed token)."""
        self.ws = await websockets.connect(self.url, open_timeout=20, extra_headers=headers or None)
        self.inbox = []
        await self.send({"type": "hello", "resume": resume})
        welcome = await self.expect(lambda m: m["type"] == "welcome")
        self.conversation_id, self.resume = welcome["conversation_id"], welcome["resume"]
        return welcome

    async def send(self, frame: Dict) -> None:
        await self.ws.send(json.dumps(frame, ensure_ascii=False))

    async def say(self, text: str) -> str:
        client_id = uuid.uuid4().hex
        await self.send({"type": "message", "text": text, "client_id": client_id})
        return client_id

    async def deliver(self, text: str, timeout: float = 60) -> str:
        """Send until acknowledged, as the chat page does: a message refused for speed (or while
        the database restarts) goes again with the same client id."""
        client_id, deadline = uuid.uuid4().hex, time.monotonic() + timeout
        while True:
            await self.send({"type": "message", "text": text, "client_id": client_id})
            reply = await self.expect(lambda m: m.get("client_id") == client_id and m["type"] in ("ack", "error"),
                                      timeout=max(1.0, deadline - time.monotonic()))
            if reply["type"] == "ack":
                return client_id
            await asyncio.sleep(1.5)

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


class WebApp:
    """A web app process of its own (own SQLite database, same Rasa), for tests that must not
    disturb the shared one: low rate limits, login throttling, fuzzing, trusted proxies."""

    def __init__(self, servers, tmp_path, port: int, **env: str) -> None:
        import os
        tmp_path.mkdir(parents=True, exist_ok=True)
        import subprocess
        import sys

        self.port, self.database_url = port, f"sqlite:///{tmp_path / 'web.db'}"
        self.url, self.log = f"http://127.0.0.1:{port}", tmp_path / "web.log"
        child_env = {**os.environ, **servers._resolve_secrets(), "WEB_PORT": str(port), "WEB_HOST": "127.0.0.1",
                     "DATABASE_URL": self.database_url, "SECRETS_DIR": str(servers.secrets_path),
                     "RUN_DIR": str(tmp_path), "RASA_URL": servers.rasa_url, "PYTHONUNBUFFERED": "1",
                     "BUSINESS_HOURS": "00:00-24:00", **env}
        with open(self.log, "ab") as out:
            self.process = subprocess.Popen([sys.executable, "-m", "bot.web.app"], env=child_env, stdout=out,
                                            stderr=subprocess.STDOUT, cwd=str(settings.PROJECT_ROOT))
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline:
            try:
                if requests.get(f"{self.url}/healthz", timeout=2).status_code == 200:
                    return
            except requests.RequestException:
                time.sleep(0.3)
        self.stop()
        raise RuntimeError("web app did not start:\n" + self.log.read_text(errors="replace")[-3000:])

    @property
    def ws_url(self) -> str:
        return self.url.replace("http", "ws") + "/ws/citizen"

    def add_user(self, username: str, role: str, password: str = PASSWORD) -> None:
        with pytest.MonkeyPatch.context() as patch:
            patch.setattr(settings, "DATABASE_URL", self.database_url)
            users.create_user(username, username, role, password)

    def log_problems(self) -> List[str]:
        """Lines of the log that report an exception or an error."""
        return [line for line in self.log.read_text(errors="replace").splitlines()
                if "Traceback" in line or " ERROR " in line or "Exception" in line]

    def stop(self) -> None:
        self.process.terminate()
        try:
            self.process.wait(15)
        except Exception:
            self.process.kill()


@pytest.fixture
def web_app(servers, tmp_path):
    """Start a separate web app: ``web_app(port, **env)``; stopped after the test."""
    started = []

    def start(port: int, **env: str) -> WebApp:
        port = shifted_port(port)
        app = WebApp(servers, tmp_path / f"web-{port}", port, **env)
        started.append(app)
        return app

    (tmp_path).mkdir(exist_ok=True)
    yield start
    for app in started:
        app.stop()


class SocketOpen:
    """Keep a WebSocket open in a thread of its own while a test runs sync code, recording what
    it receives — someone stays online (else the watchdog returns or cancels their chats)."""

    def __init__(self, url: str, headers: Optional[Dict] = None, hello: Optional[Dict] = None) -> None:
        import threading

        self.url, self.headers, self.hello = url, headers, hello
        self._stop, self._ready = threading.Event(), threading.Event()
        self._thread = threading.Thread(target=lambda: asyncio.run(self._run()), daemon=True)
        self.received: List[Dict] = []  # every push, in order (appended by the thread)

    async def _run(self) -> None:
        async with websockets.connect(self.url, extra_headers=self.headers) as ws:
            if self.hello is not None:
                await ws.send(json.dumps(self.hello))
            self._ready.set()
            while not self._stop.is_set():
                try:
                    self.received.append(json.loads(await asyncio.wait_for(ws.recv(), 0.5)))
                except asyncio.TimeoutError:
                    continue

    def __enter__(self) -> "SocketOpen":
        self._thread.start()
        if not self._ready.wait(20):
            raise RuntimeError(f"socket {self.url} did not open")
        return self

    def __exit__(self, *exc) -> None:
        self._stop.set()
        self._thread.join(10)


def ConsoleOpen(agent: "Agent") -> SocketOpen:
    """An agent's console socket, open for the duration of a ``with`` block."""
    cookie = "; ".join(f"{c.name}={c.value}" for c in agent.http.cookies)
    return SocketOpen(agent.base.replace("http", "ws") + "/agent/ws", headers={"Cookie": cookie})


def CitizenOpen(servers, conversation_id: str) -> SocketOpen:
    """A citizen's chat socket on ``conversation_id`` (the tests' secrets sign the token)."""
    from bot.web import identity

    return SocketOpen(servers.web_url.replace("http", "ws") + "/ws/citizen",
                      hello={"type": "hello", "resume": identity.resume_token(conversation_id)})


AXE_SCRIPT = Path(__file__).parent / "vendor" / "axe.min.js"


def axe_violations(page, impacts=("serious", "critical")) -> List[dict]:
    """Run axe-core on a Playwright page; the violations of the given impacts (id, impact, nodes)."""
    page.add_script_tag(path=str(AXE_SCRIPT))
    result = page.evaluate("async () => await axe.run(document, {resultTypes: ['violations']})")
    return [{"id": v["id"], "impact": v["impact"], "help": v["help"],
             "nodes": [n["target"] for n in v["nodes"]][:5]}
            for v in result["violations"] if v["impact"] in impacts]


# --------------------------------------------------------------------------- browser
SHOTS = Path(__file__).resolve().parents[2] / "reports" / "screenshots"
CHROMIUM_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking",
                 "--disable-component-update", "--disable-sync", "--no-first-run", "--disable-quic"]


@pytest.fixture(scope="module")
def browser():
    """Debian's chromium through Playwright, one per test module: Playwright's sync API keeps an
    event loop running on this thread, which asyncio.run() in other modules' tests must not meet."""
    from playwright.sync_api import sync_playwright

    if not Path("/usr/bin/chromium").exists():
        pytest.fail("Debian's chromium is missing: run `make system-packages`")
    with sync_playwright() as p:
        instance = p.chromium.launch(executable_path="/usr/bin/chromium", args=CHROMIUM_ARGS)
        yield instance
        instance.close()


def log_in(page, url: str, username: str) -> None:
    """Open ``url`` (the login form, or a page that leads to it) and log in as ``username``."""
    page.goto(url)
    page.fill('input[name="username"]', username)
    page.fill('input[name="password"]', PASSWORD)
    page.click('button[type="submit"]')


def console_page(browser, base: str, username: str = "kim", viewport=None):
    """The agent console of ``username``, logged in and with its socket open (the agent is online)."""
    page = browser.new_context(viewport=viewport or {"width": 1280, "height": 800}, locale="ko-KR",
                               bypass_csp=True).new_page()  # axe is injected
    log_in(page, f"{base}/agent", username)
    page.wait_for_url(f"{base}/agent")
    page.locator("#agent-name", has_text="상담").wait_for(timeout=30_000)
    deadline = time.monotonic() + 30
    while not any(a["username"] == username and a["online"]
                  for a in page.request.get(f"{base}/agent/api/agents").json()["agents"]):
        assert time.monotonic() < deadline, f"{username}'s console socket did not open"
        time.sleep(0.2)
    return page


def ask(page, text):
    page.fill("#chat-input", text)
    page.press("#chat-input", "Enter")


#: seconds after which a reply is listed (when it was sent) in a stream's ``slow``
SLOW_REPLY = 10.0


async def citizen_stream(web_url: str, until, rate: float = 5.0, citizens: int = 40) -> dict:
    """Citizen messages through the web app at ``rate`` a second until ``until()``; each must get a
    reply. A citizen still waiting for a reply skips its turn (``skipped``): a slow moment does not
    pile up a backlog that the test would wait out."""
    pool = [Citizen(web_url.replace("http", "ws") + "/ws/citizen") for _ in range(citizens)]
    for citizen in pool:
        await citizen.connect()
    busy, sent, skipped, failures, latencies, slow = [asyncio.Lock() for _ in pool], 0, 0, [], [], []

    async def one(i: int) -> None:
        nonlocal skipped
        if busy[i].locked():
            skipped += 1
            return
        async with busy[i]:
            begin, wall = time.monotonic(), time.time()
            try:
                await pool[i].deliver(f"여권 발급 준비물 알려주세요 {uuid.uuid4().hex[:4]}", timeout=90)
                await pool[i].expect(lambda m: m["type"] == "message" and m["role"] == "bot", timeout=90)
                latencies.append(time.monotonic() - begin)
            except (AssertionError, OSError, asyncio.TimeoutError) as exc:
                failures.append(f"{time.strftime('%H:%M:%S', time.localtime(wall))} {repr(exc)[:160]}")
                return
            if latencies[-1] > SLOW_REPLY:
                slow.append(f"{time.strftime('%H:%M:%S', time.localtime(wall))} {latencies[-1]:.0f}s")

    tasks = []
    start = time.monotonic()
    while not await asyncio.to_thread(until):
        tasks.append(asyncio.create_task(one(sent % citizens)))
        sent += 1
        await asyncio.sleep(max(0.0, start + sent / rate - time.monotonic()))
    await asyncio.gather(*tasks)
    for citizen in pool:
        await citizen.close()
    return {"sent": sent - skipped, "skipped": skipped, "failures": failures, "max_s": max(latencies, default=0.0),
            "seconds": round(time.monotonic() - start, 1), "slow": slow[:30]}


def studio_tree(directory: Path, epochs: int = 10) -> Path:
    """A copy of the project's data tree (``data/``, ``domain.yml``) in ``directory/tree`` for a
    publish to write, and ``directory/config.yml``: config.yml with a DIET of ``epochs`` (a quick
    training); the tree's root."""
    import shutil

    import yaml

    tree = directory / "tree"
    shutil.copytree(settings.PROJECT_ROOT / "data", tree / "data")
    shutil.copy2(settings.PROJECT_ROOT / "domain.yml", tree / "domain.yml")
    config = yaml.safe_load((settings.PROJECT_ROOT / "config.yml").read_text(encoding="utf-8"))
    for component in config["pipeline"]:
        if component["name"] == "DIETClassifier":
            component["epochs"] = epochs
    (directory / "config.yml").write_text(yaml.safe_dump(config, allow_unicode=True), encoding="utf-8")
    return tree
