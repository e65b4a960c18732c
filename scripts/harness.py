"""Shared by the evaluation and benchmark scripts: models, servers, a REST client."""
from __future__ import annotations

import os
import re
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Dict, List, Optional, Tuple

import requests

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
os.environ.setdefault("RASA_TELEMETRY_ENABLED", "false")

MODELS = {"ours": ROOT / "config.yml", "stock": ROOT / "scripts" / "stock_config.yml"}


def model_path(name: str) -> Path:
    return ROOT / "models" / ("current.tar.gz" if name == "ours" else f"{name}.tar.gz")


def train(name: str, force: bool = False) -> float:
    """Train ``name`` (ours / stock) unless up to date; returns seconds spent (0 if skipped)."""
    target = model_path(name)
    # the answer policy is read at start-up, not trained
    sources = [MODELS[name], ROOT / "domain.yml",
               *(p for p in ROOT.glob("data/**/*.yml") if p.name != "answer_policy.yml")]
    if not force and target.exists() and target.stat().st_mtime > max(p.stat().st_mtime for p in sources):
        return 0.0
    start = time.perf_counter()
    subprocess.run([sys.executable, "-m", "rasa", "train", "--config", str(MODELS[name]),
                    "--fixed-model-name", target.name.replace(".tar.gz", ""), "--out", "models",
                    "--force", "--quiet"], cwd=ROOT, check=True)
    return time.perf_counter() - start


def start(name: str, rasa_port: int, actions_port: int, web_port: Optional[int] = None,
          env: Optional[Dict[str, str]] = None):
    """Start the Rasa + action servers of pipeline ``name`` (and the web app on ``web_port``)
    on their own SQLite database; ``env`` adds environment variables."""
    from bot.run import Servers

    run_dir = Path(tempfile.mkdtemp(prefix=f"eval-{name}-"))
    return Servers(rasa_port=rasa_port, actions_port=actions_port, web_port=web_port, model=str(model_path(name)),
                   database_url=f"sqlite:///{run_dir / 'chatbot.db'}", run_dir=run_dir,
                   log_dir=run_dir / "logs",
                   extra_env={"BUSINESS_HOURS": "00:00-24:00", "HOLIDAY_HOURS": "", **(env or {})}).start()


def send(servers, sender: str, text: str, session: requests.Session) -> Tuple[List[Dict], float]:
    """Replies and the round-trip time in milliseconds."""
    begin = time.perf_counter()
    response = session.post(f"{servers.rasa_url}/webhooks/rest/webhook", json={"sender": sender, "message": text},
                            headers={"Authorization": f"Bearer {servers.token}"}, timeout=120)
    elapsed = (time.perf_counter() - begin) * 1000
    response.raise_for_status()
    return response.json(), elapsed


def tracker(servers, sender: str, session: requests.Session) -> Dict:
    response = session.get(f"{servers.rasa_url}/conversations/{sender}/tracker",
                           params={"token": servers.token}, timeout=60)
    response.raise_for_status()
    return response.json()


def write_section(path: Path, name: str, text: str, heading: str) -> None:
    """Replace the ``<!-- name:begin -->…<!-- name:end -->`` block of a markdown file."""
    begin, end = f"<!-- {name}:begin -->", f"<!-- {name}:end -->"
    content = path.read_text(encoding="utf-8") if path.exists() else "# Benchmarks\n"
    block = f"{begin}\n{text}\n{end}"
    if begin in content:
        content = re.sub(re.escape(begin) + ".*?" + re.escape(end), lambda _: block, content, flags=re.S)
    else:
        content += f"\n## {heading}\n\n{block}\n"
    path.write_text(content, encoding="utf-8")
