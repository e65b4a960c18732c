"""Start the action server (:5055), the Rasa server (:5005) and the web app (:8000).

``python -m bot.run`` (``make run``) migrates the database, creates a first console
user if there is none (printing its random password once), writes
``run/endpoints-<port>.yml`` from the environment, starts the three servers, waits
until they answer, and stops all on Ctrl-C (or when one exits). The tests and the
scripts use :class:`Servers` the same way with their own ports and database.
"""
from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
import urllib.request
from dataclasses import dataclass, field
from pathlib import Path
from typing import Dict, List, Optional

import yaml
from sqlalchemy.engine import make_url

from bot import settings


def endpoints_config(database_url: str, redis_url: str, action_endpoint: str) -> Dict:
    """Rasa's endpoints: action server, SQL tracker store on ``DATABASE_URL``, lock store.

    A database password is not written to disk: the file refers to the
    ``TRACKER_DB_PASSWORD`` environment variable, which Rasa substitutes.
    """
    url = make_url(database_url)
    backend = url.get_backend_name()
    if backend == "sqlite":
        tracker = {"type": "SQL", "dialect": "sqlite", "db": url.database}
    else:
        tracker = {"type": "SQL", "dialect": backend, "url": url.host, "port": url.port,
                   "db": url.database, "username": url.username}
        if url.password:
            tracker["password"] = "${TRACKER_DB_PASSWORD}"
    config: Dict = {"action_endpoint": {"url": action_endpoint}, "tracker_store": tracker}
    if redis_url:
        redis = make_url(redis_url)
        config["lock_store"] = {"type": "redis", "url": redis.host or "127.0.0.1",
                                "port": redis.port or 6379, "db": int(redis.database or 0),
                                "key_prefix": "ansan"}
        if redis.password:
            config["lock_store"]["password"] = "${LOCK_STORE_PASSWORD}"
    return {k: v for k, v in config.items() if v is not None}


def _http_ok(url: str, timeout: float = 2.0) -> bool:
    try:
        with urllib.request.urlopen(url, timeout=timeout) as response:
            return response.status == 200
    except OSError:
        return False


@dataclass
class Servers:
    """The action server and the Rasa server as child processes."""

    rasa_port: int = settings.RASA_PORT
    actions_port: int = settings.ACTIONS_PORT
    web_port: Optional[int] = None  # None: no web app (evaluation, benchmarks)
    database_url: str = settings.DATABASE_URL
    model: str = settings.RASA_MODEL
    api_token: str = settings.RASA_API_TOKEN
    run_dir: Path = settings.RUN_DIR
    extra_env: Dict[str, str] = field(default_factory=dict)
    log_dir: Optional[Path] = None
    processes: List[subprocess.Popen] = field(default_factory=list)

    @property
    def rasa_url(self) -> str:
        return f"http://127.0.0.1:{self.rasa_port}"

    @property
    def actions_url(self) -> str:
        return f"http://127.0.0.1:{self.actions_port}"

    @property
    def web_url(self) -> str:
        return f"http://127.0.0.1:{self.web_port}"

    def _env(self) -> Dict[str, str]:
        env = {**os.environ, **self.extra_env, "DATABASE_URL": self.database_url,
               "RASA_API_TOKEN": self.api_token, "PYTHONUNBUFFERED": "1", "RUN_DIR": str(self.run_dir),
               "RASA_URL": self.rasa_url, "RASA_TELEMETRY_ENABLED": "false",
               "SQLALCHEMY_SILENCE_UBER_WARNING": "1"}
        if self.web_port:
            env["WEB_PORT"] = str(self.web_port)
        url = make_url(self.database_url)
        if url.password:
            env["TRACKER_DB_PASSWORD"] = url.password
        redis_url = env.get("REDIS_URL", "")
        if redis_url and make_url(redis_url).password:
            env["LOCK_STORE_PASSWORD"] = make_url(redis_url).password
        return env

    def _spawn(self, name: str, args: List[str]) -> subprocess.Popen:
        out = None
        if self.log_dir is not None:
            self.log_dir.mkdir(parents=True, exist_ok=True)
            out = open(self.log_dir / f"{name}.log", "ab")
        process = subprocess.Popen(args, cwd=settings.PROJECT_ROOT, env=self._env(), stdout=out,
                                   stderr=subprocess.STDOUT if out else None, start_new_session=True)
        self.processes.append(process)
        return process

    def start(self) -> "Servers":
        from bot.storage.migrate import upgrade

        if not Path(self.model).exists():
            raise SystemExit(f"No trained model at {self.model}: run `make train`.")
        upgrade(self.database_url)
        self.run_dir.mkdir(parents=True, exist_ok=True)
        endpoints = self.run_dir / f"endpoints-{self.rasa_port}.yml"
        endpoints.write_text(yaml.safe_dump(endpoints_config(
            self.database_url, self._env().get("REDIS_URL", ""),
            f"{self.actions_url}/webhook"), sort_keys=False))
        python = sys.executable
        self._spawn("actions", [python, "-m", "rasa_sdk", "--actions", "actions",
                                "--port", str(self.actions_port)])
        self._spawn("rasa", [python, "-m", "rasa", "run", "--model", self.model,
                             "--endpoints", str(endpoints), "--credentials", "credentials.yml",
                             "--port", str(self.rasa_port), "--enable-api",
                             "--auth-token", self.api_token])
        if self.web_port:
            self._spawn("web", [python, "-m", "bot.web.app"])
        return self

    def wait_ready(self, timeout: float = 300.0) -> "Servers":
        deadline = time.monotonic() + timeout
        checks = [f"{self.actions_url}/health", f"{self.rasa_url}/status?token={self.api_token}"]
        if self.web_port:
            checks.append(f"{self.web_url}/healthz")
        while checks:
            if any(p.poll() is not None for p in self.processes):
                self.stop()
                raise RuntimeError("a server exited during start-up; see its log")
            if time.monotonic() > deadline:
                self.stop()
                raise TimeoutError(f"servers not ready after {timeout:.0f} s: {checks}")
            if _http_ok(checks[0]):
                checks.pop(0)
            else:
                time.sleep(0.5)
        return self

    def stop(self, grace: float = 15.0) -> None:
        for process in self.processes:
            if process.poll() is None:
                os.killpg(process.pid, signal.SIGTERM)
        deadline = time.monotonic() + grace
        for process in self.processes:
            try:
                process.wait(max(0.1, deadline - time.monotonic()))
            except subprocess.TimeoutExpired:
                os.killpg(process.pid, signal.SIGKILL)
                process.wait()
        self.processes.clear()


def _interrupt(*_args) -> None:
    raise KeyboardInterrupt


def main() -> int:
    from bot.web.users import ensure_admin

    servers = Servers(web_port=settings.WEB_PORT).start()  # migrates the database first
    signal.signal(signal.SIGTERM, _interrupt)
    try:
        password = ensure_admin()
        servers.wait_ready()
        print(f"\n  Citizen chat   {servers.web_url}/chat   (widget: {servers.web_url}/widget.js)"
              f"\n  Agent console  {servers.web_url}/agent"
              f"\n  Rasa server    {servers.rasa_url}  (REST: POST /webhooks/rest/webhook)"
              f"\n  Actions        {servers.actions_url}\n  Ctrl-C stops all.\n", flush=True)
        if password:
            print(f"  Console login: admin / {password}  (shown once; see README to manage users)\n",
                  flush=True)
        while all(p.poll() is None for p in servers.processes):
            time.sleep(1)
        print("a server exited; stopping the others", file=sys.stderr)
        return 1
    except KeyboardInterrupt:
        print("\nstopping…", file=sys.stderr)
        return 0
    finally:
        servers.stop()


if __name__ == "__main__":
    sys.exit(main())
