"""Start the action server (:5055), the Rasa server (:5005) and the web app (:8000).

``python -m bot.run`` (``make run``) migrates the database, creates a first console
user if there is none (its random password goes to the terminal, or to a 0600 file when
the output is not a terminal), resolves the secrets (``bot.keys``), writes
``run/endpoints-<port>.yml`` from the environment, starts the three servers — Rasa and
the action server on loopback, only the web app public —, waits until they answer, starts
again a server that exits, and stops all on Ctrl-C (or when servers keep exiting). The tests
and the scripts use :class:`Servers` the same way with their own ports, database and secrets.
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

    No secret is written to disk: the file refers to environment variables, which Rasa
    substitutes (``TRACKER_DB_PASSWORD``, ``LOCK_STORE_PASSWORD``, ``ACTIONS_TOKEN``).
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
    action = {"url": action_endpoint,
              "headers": {"Authorization": "Bearer ${" + settings.ACTIONS_TOKEN_ENV + "}"}}
    config: Dict = {"action_endpoint": action, "tracker_store": tracker}
    if redis_url:
        redis = make_url(redis_url)
        config["lock_store"] = {"type": "redis", "url": redis.host or "127.0.0.1",
                                "port": redis.port or 6379, "db": int(redis.database or 0),
                                "key_prefix": "ansan", "socket_timeout": settings.NETWORK_TIMEOUT}
        if redis.password:
            config["lock_store"]["password"] = "${LOCK_STORE_PASSWORD}"
    return {k: v for k, v in config.items() if v is not None}


def _client_host(interface: str) -> str:
    """Where a local client reaches a server bound to ``interface``."""
    return "127.0.0.1" if interface in ("0.0.0.0", "::", "") else interface


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
    api_token: Optional[str] = None  # None: RASA_API_TOKEN or the secret file
    run_dir: Path = settings.RUN_DIR
    secrets_dir: Optional[Path] = None  # None: SECRETS_DIR, or run_dir/secrets for another run_dir
    extra_env: Dict[str, str] = field(default_factory=dict)
    log_dir: Optional[Path] = None
    web_rasa_url: Optional[str] = None  # where the web app reaches Rasa (default: rasa_url)
    processes: Dict[str, subprocess.Popen] = field(default_factory=dict)
    _commands: Dict[str, List[str]] = field(default_factory=dict)
    _secrets: Dict[str, str] = field(default_factory=dict)

    @property
    def rasa_url(self) -> str:
        return f"http://{_client_host(settings.RASA_HOST)}:{self.rasa_port}"

    @property
    def actions_url(self) -> str:
        return f"http://{_client_host(settings.ACTIONS_HOST)}:{self.actions_port}"

    @property
    def web_url(self) -> str:
        return f"http://127.0.0.1:{self.web_port}"

    @property
    def secrets_path(self) -> Path:
        if self.secrets_dir is not None:
            return self.secrets_dir
        return settings.SECRETS_DIR if self.run_dir == settings.RUN_DIR else self.run_dir / "secrets"

    def _resolve_secrets(self) -> Dict[str, str]:
        from bot import keys

        if not self._secrets:
            self._secrets = keys.server_environment(self.secrets_path)
            if self.api_token:
                self._secrets[settings.RASA_API_TOKEN_ENV] = self.api_token
        return self._secrets

    @property
    def token(self) -> str:
        """The Rasa API token the servers use."""
        return self._resolve_secrets()[settings.RASA_API_TOKEN_ENV]

    def _env(self) -> Dict[str, str]:
        env = {**os.environ, **self.extra_env, **self._resolve_secrets(), "DATABASE_URL": self.database_url,
               "PYTHONUNBUFFERED": "1", "RUN_DIR": str(self.run_dir),
               "RASA_URL": self.web_rasa_url or self.rasa_url, "RASA_TELEMETRY_ENABLED": "false",
               "TICKET_LOCK_LIFETIME": str(settings.LOCK_LIFETIME_SECONDS),
               "SQLALCHEMY_SILENCE_UBER_WARNING": "1"}
        env["SECRETS_DIR"] = str(self.secrets_path)
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
        if out is not None:
            out.close()  # the child has its own descriptor
        self.processes[name] = process
        self._commands[name] = args
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
        self._spawn("actions", [python, "-m", "bot.action_server", "--port", str(self.actions_port)])
        self._spawn("rasa", [python, "-m", "bot.channels.serve", "--model", self.model,
                             "--endpoints", str(endpoints), "--port", str(self.rasa_port)])
        if self.web_port:
            self._spawn("web", [python, "-m", "bot.web.app"])
        return self

    def health_urls(self, names: Optional[List[str]] = None) -> List[str]:
        urls = {"actions": f"{self.actions_url}/health", "rasa": f"{self.rasa_url}/status?token={self.token}",
                "web": f"{self.web_url}/healthz"}
        return [urls[name] for name in (names or list(self.processes))]

    def restart(self, name: str, timeout: float = 300.0) -> None:
        """Stop one server (SIGKILL: as if it crashed) and start it again; wait until it answers."""
        process = self.processes[name]
        if process.poll() is None:
            os.killpg(process.pid, signal.SIGKILL)
            process.wait()
        self._spawn(name, self._commands[name])
        self._wait(self.health_urls([name]), timeout)

    def wait_ready(self, timeout: float = 300.0) -> "Servers":
        return self._wait(self.health_urls(), timeout)

    def _wait(self, checks: List[str], timeout: float) -> "Servers":
        deadline = time.monotonic() + timeout
        while checks:
            if any(p.poll() is not None for p in self.processes.values()):
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

    def supervise(self, max_restarts: int = 5, window: float = 300.0) -> None:
        """Keep the servers running, as systemd would: one that exits is started again; returns
        when servers exited more than ``max_restarts`` times within ``window`` seconds."""
        exits: List[float] = []
        while True:
            for name, process in list(self.processes.items()):
                if process.poll() is None:
                    continue
                exits = [t for t in exits if t > time.monotonic() - window] + [time.monotonic()]
                if len(exits) > max_restarts:
                    print(f"{name} keeps exiting (code {process.returncode}); stopping", file=sys.stderr)
                    return
                print(f"{name} exited (code {process.returncode}); starting it again", file=sys.stderr, flush=True)
                self._spawn(name, self._commands[name])
            time.sleep(1)

    def stop(self, grace: float = 15.0) -> None:
        for process in self.processes.values():
            if process.poll() is None:
                os.killpg(process.pid, signal.SIGTERM)
        deadline = time.monotonic() + grace
        for process in self.processes.values():
            try:
                process.wait(max(0.1, deadline - time.monotonic()))
            except subprocess.TimeoutExpired:
                os.killpg(process.pid, signal.SIGKILL)
                process.wait()
        self.processes.clear()


def _interrupt(*_args) -> None:
    raise KeyboardInterrupt


def announce_admin_password(password: str) -> str:
    """The first admin password: on the terminal, never into a log; else into a 0600 file."""
    from bot import keys

    if sys.stdout.isatty():
        return f"  Console login: admin / {password}  (shown once; see README to manage users)"
    path = settings.SECRETS_DIR / "admin-password"
    keys.write_private(path, password + "\n")
    return f"  Console login: admin — its password is in {path} (readable by you only; delete it after use)"


def main() -> int:
    from bot.storage.migrate import upgrade
    from bot.studio.versions import live_model
    from bot.web.users import ensure_admin

    upgrade(settings.DATABASE_URL)
    # a restart keeps what the content studio last published or rolled back to
    servers = Servers(web_port=settings.WEB_PORT, model=live_model(settings.RASA_MODEL)).start()
    signal.signal(signal.SIGTERM, _interrupt)
    try:
        password = ensure_admin()
        servers.wait_ready()
        print(f"\n  Citizen chat   {servers.web_url}/chat   (widget: {servers.web_url}/widget.js)"
              f"\n  Agent console  {servers.web_url}/agent"
              f"\n  Rasa server    {servers.rasa_url}  (private: REST + HTTP API with the token in "
              f"{settings.SECRETS_DIR}/rasa_api_token unless RASA_API_TOKEN is set)"
              f"\n  Actions        {servers.actions_url}  (private)\n  Ctrl-C stops all.\n", flush=True)
        if password:
            print(announce_admin_password(password) + "\n", flush=True)
        servers.supervise()
        return 1
    except KeyboardInterrupt:
        print("\nstopping…", file=sys.stderr)
        return 0
    finally:
        servers.stop()


if __name__ == "__main__":
    sys.exit(main())
