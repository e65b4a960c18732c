"""Model swap under load: Rasa's ``PUT /model`` against a second Rasa process (docs/benchmarks.md).

    .venv/bin/python scripts/bench_swap.py [--write docs/benchmarks.md]

Starts the project's Rasa + action server on their own ports and SQLite database, sends a
steady 5 messages a second over REST (each in its own thread, so a stalled request does not
slow the stream), and measures two ways to load the same model file again:

* ``PUT /model`` on the serving Rasa (rasa#3910: the load runs on Rasa's event loop);
* a second Rasa process started beside it, the stream switched to it once it answers.
"""
from __future__ import annotations

import argparse
import os
import shutil
import statistics
import sys
import tempfile
import threading
import time
import uuid
from datetime import date
from pathlib import Path
from typing import Dict, List

import numpy as np
import requests

from harness import ROOT, write_section

from bot.run import Servers

RATE = 5.0


class Stream:
    """5 msg/s over REST to ``target()``; records each request's latency and failures."""

    def __init__(self, target, token: str) -> None:
        self.target, self.token = target, token
        self.run_id = uuid.uuid4().hex[:8]  # a new conversation per message, as citizens arrive
        self.records: List[Dict] = []
        self._stop = threading.Event()
        self._threads: List[threading.Thread] = []

    def _one(self, n: int) -> None:
        begin = time.monotonic()
        ok, why = True, ""
        try:
            response = requests.post(f"{self.target()}/webhooks/rest/webhook", timeout=60,
                                     json={"sender": f"swap-{self.run_id}-{n}", "message": "여권 발급 준비물이 뭐예요?"},
                                     headers={"Authorization": f"Bearer {self.token}"})
            ok = response.status_code == 200 and bool(response.json())
            why = "" if ok else f"HTTP {response.status_code} {response.text[:80]}"
        except (requests.RequestException, ValueError) as exc:
            ok, why = False, type(exc).__name__
        self.records.append({"at": begin, "ms": (time.monotonic() - begin) * 1000, "ok": ok, "why": why})

    def run(self) -> None:
        n, start = 0, time.monotonic()
        while not self._stop.is_set():
            thread = threading.Thread(target=self._one, args=(n,), daemon=True)
            thread.start()
            self._threads.append(thread)
            n += 1
            time.sleep(max(0.0, start + n / RATE - time.monotonic()))

    def __enter__(self) -> "Stream":
        self._runner = threading.Thread(target=self.run, daemon=True)
        self._runner.start()
        return self

    def __exit__(self, *exc) -> None:
        self._stop.set()
        self._runner.join()
        for thread in self._threads:
            thread.join(70)

    def window(self, begin: float, end: float) -> Dict[str, float]:
        inside = [r for r in self.records if begin <= r["at"] <= end]
        ms = [r["ms"] for r in inside] or [0.0]
        return {"requests": len(inside), "failed": sum(not r["ok"] for r in inside),
                "why": sorted({r["why"] for r in inside if not r["ok"]}),
                "max_ms": max(ms), "p95_ms": float(np.percentile(ms, 95)), "p50_ms": statistics.median(ms)}


def status_model(url: str, token: str) -> str:
    try:
        return requests.get(f"{url}/status", params={"token": token}, timeout=5).json().get("model_file", "")
    except (requests.RequestException, ValueError):
        return ""


def measure_put(servers: Servers, model_copy: Path) -> Dict:
    url = servers.rasa_url
    with Stream(lambda: url, servers.token) as stream:
        time.sleep(10)
        begin = time.monotonic()
        response = requests.put(f"{url}/model", params={"token": servers.token},
                                json={"model_file": str(model_copy)}, timeout=300)
        loaded = time.monotonic() - begin
        time.sleep(10)
    assert response.status_code == 204, response.text
    return {"load_s": loaded, **stream.window(begin, begin + loaded), "before": stream.window(0, begin),
            "after": stream.window(begin + loaded, 1e12)}


def measure_studio_swap(servers: Servers, model_copy: Path, run_dir: Path) -> Dict:
    """What a publish does: a candidate Rasa already started (during the evaluation), then
    :func:`bot.studio.swap.swap` — traffic to the candidate, ``PUT /model`` on the main Rasa,
    traffic back. The stream follows the route file as the web app's Rasa client does."""
    from bot import keys, settings
    from bot.studio import switch
    from bot.studio.candidate import CandidateRasa
    from bot.studio.swap import swap

    settings.RUN_DIR, settings.SECRETS_DIR, settings.DATABASE_URL = run_dir, run_dir / "secrets", servers.database_url
    keys.forget()
    with Stream(lambda: switch.live_url(servers.rasa_url, run_dir), servers.token) as stream:
        time.sleep(10)
        begin = time.monotonic()
        candidate = CandidateRasa(model_copy, servers.rasa_port + 2, run_dir).start()
        ready = time.monotonic()
        swap(candidate, servers.rasa_url, run_dir)
        swapped = time.monotonic()
        time.sleep(10)
    return {"load_s": swapped - ready, "candidate_start_s": ready - begin, **stream.window(ready, swapped),
            "before": stream.window(0, begin), "while_candidate_starts": stream.window(begin, ready),
            "after": stream.window(swapped, 1e12)}


def table(put: Dict, second: Dict) -> str:
    rows = ["| | `PUT /model` on the serving Rasa | studio swap (candidate Rasa ready, route, `PUT`, route back) |",
            "|---|---|---|",
            f"| latency p50 / max in the 10 s before (ms) | {put['before']['p50_ms']:.0f} / {put['before']['max_ms']:.0f} "
            f"| {second['before']['p50_ms']:.0f} / {second['before']['max_ms']:.0f} |"]
    for title, key, fmt in (("requests sent during the swap", "requests", "{:.0f}"),
                            ("failed requests during the swap", "failed", "{:.0f}"),
                            ("latency p50 during the swap (ms)", "p50_ms", "{:.0f}"),
                            ("latency p95 during the swap (ms)", "p95_ms", "{:.0f}"),
                            ("latency max during the swap (ms)", "max_ms", "{:.0f}")):
        rows.append(f"| {title} | {fmt.format(put[key])} | {fmt.format(second[key])} |")
    rows.append(f"| swap time: start → new model answers (s) | {put['load_s']:.1f} | {second['load_s']:.1f} |")
    during = second["while_candidate_starts"]
    rows.append(f"| before the swap: candidate start-up (s), failed / p50 / max (ms) meanwhile | — | "
                f"{second['candidate_start_s']:.0f}, {during['failed']} / {during['p50_ms']:.0f} / {during['max_ms']:.0f} |")
    rows.append(f"| failed requests in the 10 s after | {put['after']['failed']} | {second['after']['failed']} |")
    return "\n".join(rows)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--write", type=Path, help="write the table into this markdown file")
    parser.add_argument("--port", type=int, default=5405)
    args = parser.parse_args()
    run_dir = Path(tempfile.mkdtemp(prefix="bench-swap-"))
    model_copy = run_dir / "swap-copy.tar.gz"
    shutil.copy(ROOT / "models" / "current.tar.gz", model_copy)
    model_copy2 = run_dir / "swap-copy-2.tar.gz"
    shutil.copy(ROOT / "models" / "current.tar.gz", model_copy2)
    servers = Servers(rasa_port=args.port, actions_port=args.port + 50, database_url=f"sqlite:///{run_dir / 'chatbot.db'}",
                      run_dir=run_dir, log_dir=run_dir / "logs", model=str(ROOT / "models" / "current.tar.gz"),
                      extra_env={"BUSINESS_HOURS": "00:00-24:00", "HOLIDAY_HOURS": ""}).start()
    try:
        servers.wait_ready(timeout=600)
        requests.post(f"{servers.rasa_url}/webhooks/rest/webhook", json={"sender": "warm", "message": "안녕하세요"},
                      headers={"Authorization": f"Bearer {servers.token}"}, timeout=120)
        put = measure_put(servers, model_copy)
        print("PUT /model", put, flush=True)
        time.sleep(15)  # the backlog of the stall drains
        second = measure_studio_swap(servers, model_copy2, run_dir)
        print("second process", second, flush=True)
    finally:
        servers.stop()
    load = os.getloadavg()[0]
    text = (f"Measured {date.today()} on 2 CPU cores (load average {load:.1f} at the end), SQLite tracker store, a steady {RATE:.0f} msg/s over REST "
            f"(`python scripts/bench_swap.py --write docs/benchmarks.md`).\n\n" + table(put, second))
    print(text)
    if args.write:
        write_section(args.write, "bench-swap", text, "Model swap")
    return 0


if __name__ == "__main__":
    sys.exit(main())
