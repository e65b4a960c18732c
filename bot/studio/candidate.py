"""A second Rasa process on loopback: the candidate model during a publish, the stand-in during a swap.

It reuses the endpoints file ``bot.run`` wrote for the main Rasa (same tracker store, lock store
and action server) and the API token of the environment or the secret file.
"""
from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from pathlib import Path
from typing import Dict, List, Optional

import requests
from sqlalchemy.engine import make_url

from bot import keys, settings


class CandidateError(RuntimeError):
    """The candidate Rasa did not start or did not answer."""


def endpoints_file(run_dir: Optional[Path] = None) -> Path:
    """The endpoints file the main Rasa was started with (the newest ``endpoints-*.yml``)."""
    found = sorted(Path(run_dir or settings.RUN_DIR).glob("endpoints-*.yml"), key=lambda p: p.stat().st_mtime)
    if not found:
        raise CandidateError("챗봇 서버 설정 파일(endpoints)을 찾지 못했어요. 챗봇을 `make run`으로 시작해 주세요.")
    return found[-1]


def status(url: str, token: str, timeout: float = 5.0) -> Dict:
    """Rasa's ``/status`` ({} when it does not answer)."""
    try:
        response = requests.get(f"{url}/status", params={"token": token}, timeout=timeout)
        return response.json() if response.status_code == 200 else {}
    except (requests.RequestException, ValueError):
        return {}


def serves(url: str, token: str, model: Path) -> bool:
    """Whether the Rasa at ``url`` answers with the model file ``model``."""
    return Path(str(status(url, token).get("model_file") or "")).name == Path(model).name


def parser(url: str, timeout: float = 0):
    """``text → /model/parse`` of the Rasa at ``url`` (``timeout`` default 3 × NETWORK_TIMEOUT)."""
    token = keys.rasa_api_token()

    def parse(text: str) -> Dict:
        response = requests.post(f"{url}/model/parse", json={"text": text}, params={"token": token},
                                 timeout=timeout or 3 * settings.NETWORK_TIMEOUT)
        response.raise_for_status()
        return response.json()

    return parse


#: the candidate's niceness (the training's and the studio worker's too): below the live Rasa's
NICENESS = 10


def nice_increment() -> int:
    """What to add to this process's niceness to reach :data:`NICENESS` (0 if it is there)."""
    return max(0, NICENESS - os.nice(0))


def niced(command: List[str]) -> List[str]:
    """``command`` run at niceness :data:`NICENESS` (``nice`` adds to the caller's own)."""
    return ["nice", "-n", str(nice_increment()), *command]


class CandidateRasa:
    """``python -m bot.channels.serve`` with ``model`` on ``port``; a context manager that stops it."""

    def __init__(self, model: Path, port: int = 0, run_dir: Optional[Path] = None) -> None:
        self.model, self.port = Path(model), port or settings.STUDIO_CANDIDATE_PORT
        self.run_dir = Path(run_dir or settings.RUN_DIR)
        self.token = keys.rasa_api_token()
        self.process: Optional[subprocess.Popen] = None

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def command(self) -> List[str]:
        """At low priority: while it is judged, the live Rasa's citizens come first (measured: at
        equal priority a 5 msg/s stream timed out during the evaluation on 2 cores)."""
        return niced([sys.executable, "-m", "bot.channels.serve", "--model", str(self.model),
                      "--endpoints", str(endpoints_file(self.run_dir)), "--port", str(self.port), "--host", "127.0.0.1"])

    def env(self) -> Dict[str, str]:
        """The main Rasa's environment (its secrets, run directory and tracker-store password), with
        ``STUDIO_CANDIDATE_THREADS`` CPU threads."""
        env = {**os.environ, **keys.server_environment(), "RASA_TELEMETRY_ENABLED": "false",
               "RUN_DIR": str(self.run_dir), "SECRETS_DIR": str(settings.SECRETS_DIR)}
        threads = settings.STUDIO_CANDIDATE_THREADS
        if threads > 0:
            env.update({"EMBEDDING_THREADS": str(threads), "TF_INTRA_OP_PARALLELISM_THREADS": str(threads),
                        "TF_INTER_OP_PARALLELISM_THREADS": str(threads)})
        password = make_url(settings.DATABASE_URL).password
        if password:
            env["TRACKER_DB_PASSWORD"] = password
        return env

    def start(self, timeout: float = 600.0) -> "CandidateRasa":
        if status(self.url, self.token, timeout=2):
            raise CandidateError(f"포트 {self.port}에 이미 다른 챗봇 서버가 있어요. 잠시 뒤 다시 시도해 주세요.")
        log = open(self.run_dir / f"candidate-{self.port}.log", "ab")
        try:
            self.process = subprocess.Popen(self.command(), cwd=settings.PROJECT_ROOT, stdout=log,
                                            stderr=subprocess.STDOUT, start_new_session=True, env=self.env())
        finally:
            log.close()
        deadline = time.monotonic() + timeout
        while not serves(self.url, self.token, self.model):
            if self.process.poll() is not None or time.monotonic() > deadline:
                self.stop()
                raise CandidateError("새 모델을 불러오지 못했어요. 서버 기록(candidate 로그)을 확인해 주세요.")
            time.sleep(0.5)
        return self

    def parse(self, text: str) -> Dict:
        return parser(self.url)(text)

    def stop(self, grace: float = 15.0) -> None:
        if self.process is None or self.process.poll() is not None:
            return
        os.killpg(self.process.pid, signal.SIGTERM)
        try:
            self.process.wait(grace)
        except subprocess.TimeoutExpired:
            os.killpg(self.process.pid, signal.SIGKILL)
            self.process.wait()

    def __enter__(self) -> "CandidateRasa":
        return self.start()

    def __exit__(self, *exc) -> None:
        self.stop()
