"""Where the web app sends citizen traffic while a model is swapped: a route file in ``RUN_DIR``.

Rasa's ``PUT /model`` loads a model on Rasa's event loop and stalls every request meanwhile
(docs/benchmarks.md, "Model swap"). So a swap starts a second Rasa with the new model, points
the web app at it by writing ``rasa-route.json``, loads the model into the main Rasa, and
removes the file again. The web app's Rasa client reads the file before each request (one
``stat`` while it is unchanged); no file means ``RASA_URL``.
"""
from __future__ import annotations

import json
import os
import tempfile
import threading
from pathlib import Path
from typing import Dict, Optional, Tuple

from bot import settings

ROUTE_FILE = "rasa-route.json"
_lock = threading.Lock()
_cache: Dict[Path, Tuple[float, Optional[str]]] = {}


def route_path(run_dir: Optional[Path] = None) -> Path:
    return Path(run_dir or settings.RUN_DIR) / ROUTE_FILE


def routed_url(run_dir: Optional[Path] = None) -> Optional[str]:
    """The Rasa URL traffic goes to during a swap, or None (then: ``RASA_URL``)."""
    path = route_path(run_dir)
    try:
        mtime = path.stat().st_mtime_ns
    except OSError:
        return None
    with _lock:
        cached = _cache.get(path)
        if cached and cached[0] == mtime:
            return cached[1]
    try:
        url = json.loads(path.read_text(encoding="utf-8")).get("url") or None
    except (OSError, ValueError, AttributeError):
        url = None
    with _lock:
        _cache[path] = (mtime, url)
    return url


def live_url(default: str = "", run_dir: Optional[Path] = None) -> str:
    """The URL of the Rasa that answers citizens now."""
    return (routed_url(run_dir) or default or settings.RASA_URL).rstrip("/")


def route_to(url: str, run_dir: Optional[Path] = None, pid: Optional[int] = None) -> None:
    """Send traffic to ``url`` from now on (atomic: readers see the old or the new file); ``pid``:
    the process serving it, so that another process can stop it if the writer died."""
    path = route_path(run_dir)
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, temp = tempfile.mkstemp(prefix=".rasa-route.", dir=str(path.parent))
    with os.fdopen(fd, "w", encoding="utf-8") as out:
        json.dump({"url": url, **({"pid": pid} if pid else {})}, out)
    os.replace(temp, path)


def routed_pid(run_dir: Optional[Path] = None) -> Optional[int]:
    """The process id the route file names, if any."""
    try:
        pid = json.loads(route_path(run_dir).read_text(encoding="utf-8")).get("pid")
        return int(pid) if pid else None
    except (OSError, ValueError, AttributeError, TypeError):
        return None


def route_back(run_dir: Optional[Path] = None) -> None:
    """Traffic goes to ``RASA_URL`` again."""
    try:
        route_path(run_dir).unlink()
    except FileNotFoundError:
        pass
