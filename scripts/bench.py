"""Benchmark the bot end to end, ours next to the stock `rasa init` pipeline, in one run.

    make bench        # = python scripts/bench.py --write docs/benchmarks.md

For each pipeline: training time (`rasa train --force`), cold start (spawn → the Rasa
server, the action server and the web app answer), the first message after start, REST
latency p50/p95 and throughput at concurrency 1 and 8 (held-out FAQ questions, conversations
of up to 5 turns), 50 citizens at once on WebSockets through the web app, and the memory of
the Rasa and action-server processes (RSS after start and at the end, peak VmHWM).
Then `scripts/bench_breakdown.py` shows where one message's time goes.
"""
from __future__ import annotations

import argparse
import asyncio
import json
import os
import platform
import statistics
import sys
import threading
import time
import uuid
from datetime import date
from pathlib import Path
from typing import Dict, List

import numpy as np
import requests
import yaml

from harness import ROOT, send, start, train, write_section

def questions() -> List[str]:
    items = yaml.safe_load((ROOT / "tests" / "data" / "heldout.yml").read_text(encoding="utf-8"))["items"]
    return [i["text"] for i in items if i["expect"] not in ("request_human",)]


WARM_UP, WEB_CITIZENS, WEB_MESSAGES_EACH = 10, 50, 12
#: each simulated citizen comes through a trusted proxy with an address of its own, as citizens
#: do in production: the web app's per-address limits stay as configured
WEB_ENV = {"TRUSTED_PROXIES": "127.0.0.1"}


def memory_mb(pid: int, field: str = "VmHWM") -> float:
    """``VmHWM`` (peak resident memory) or ``VmRSS`` (now) of a process, in MB."""
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith(field + ":"):
            return int(line.split()[1]) / 1024
    return float("nan")


def summary(latencies: List[float], elapsed: float) -> Dict[str, float]:
    return {"p50": statistics.median(latencies), "p95": float(np.percentile(latencies, 95)),
            "throughput": len(latencies) / elapsed, "messages": len(latencies)}


def load(servers, texts: List[str], concurrency: int, per_worker: int, tag: str) -> Dict[str, float]:
    latencies: List[float] = []
    lock = threading.Lock()

    def worker(w: int) -> None:
        session = requests.Session()
        for i in range(per_worker):
            sender = f"bench-{tag}-{concurrency}-{w}-{i // 5}"  # 5 turns per conversation
            _, ms = send(servers, sender, texts[(w * per_worker + i) % len(texts)], session)
            with lock:
                latencies.append(ms)

    threads = [threading.Thread(target=worker, args=(w,)) for w in range(concurrency)]
    begin = time.perf_counter()
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    return summary(latencies, time.perf_counter() - begin)


async def citizens_on_websockets(web_url: str, texts: List[str], citizens: int, each: int) -> Dict[str, float]:
    """``citizens`` chat pages at once, each asking ``each`` questions one after another (the
    next when the bot's reply to the last has arrived); latency = message sent → the bot's reply.
    When the chat goes to a person (a ``state`` frame other than ``bot``), the citizen cancels the
    handoff, as the page's button does, and goes on with the bot; that question counts as
    handed over, not in the latencies."""
    import websockets

    latencies: List[float] = []
    lost = handoffs = 0

    async def next_frame(ws, match, timeout: float = 60) -> Dict:
        deadline = time.monotonic() + timeout
        while True:
            frame = json.loads(await asyncio.wait_for(ws.recv(), max(0.1, deadline - time.monotonic())))
            if match(frame):
                return frame

    async def citizen(c: int) -> None:
        nonlocal lost, handoffs
        headers = {"X-Forwarded-For": f"10.77.{c // 200}.{c % 200 + 1}"}
        async with websockets.connect(web_url.replace("http", "ws") + "/ws/citizen", extra_headers=headers,
                                      open_timeout=60, max_size=2 ** 20) as ws:
            await ws.send(json.dumps({"type": "hello", "resume": None}))
            await next_frame(ws, lambda f: f["type"] == "welcome")
            for i in range(each):
                client_id, began = uuid.uuid4().hex, time.perf_counter()
                await ws.send(json.dumps({"type": "message", "text": texts[(c * each + i) % len(texts)],
                                          "client_id": client_id}, ensure_ascii=False))
                try:
                    frame = await next_frame(ws, lambda f: f.get("reply_to") == client_id and f.get("role") == "bot"
                                             or f["type"] == "state" and f.get("state") != "bot")
                except asyncio.TimeoutError:
                    lost += 1
                    continue
                if frame["type"] != "state":
                    latencies.append((time.perf_counter() - began) * 1000)
                    continue
                handoffs += 1  # this question (or the last one) went to a person: back to the bot
                await ws.send(json.dumps({"type": "cancel_handoff"}))
                try:
                    await next_frame(ws, lambda f: f["type"] == "state" and f.get("state") == "bot", timeout=30)
                except asyncio.TimeoutError:
                    lost += each - i - 1  # stuck with a person: the rest of its questions count as lost
                    return

    begin = time.perf_counter()
    await asyncio.gather(*(citizen(c) for c in range(citizens)))
    return {**summary(latencies, time.perf_counter() - begin), "lost": lost, "handoffs": handoffs,
            "messages": citizens * each}


def bench(name: str, port: int, texts: List[str], retrain: bool = True) -> Dict[str, float]:
    if retrain:
        result = {"train_s": train(name, force=True)}
    else:
        train(name)  # only when the model is out of date: not a measurement
        result = {"train_s": None}
    began = time.perf_counter()
    servers = start(name, port, port + 50, web_port=port + 3, env=WEB_ENV)
    try:
        servers.wait_ready(timeout=900)
        result["cold_start_s"] = time.perf_counter() - began
        pids = {server: process.pid for server, process in servers.processes.items()}
        for server, pid in pids.items():
            result[f"{server}_start_mb"] = memory_mb(pid, "VmRSS")
        session = requests.Session()
        result["first_ms"] = send(servers, f"first-{name}", texts[0], session)[1]
        for i in range(1, WARM_UP):
            send(servers, f"warmup-{name}-{i}", texts[i], session)
        result["c1"] = load(servers, texts, 1, 100, name)
        result["c8"] = load(servers, texts, 8, 40, name)
        result["web"] = asyncio.run(citizens_on_websockets(servers.web_url, texts, WEB_CITIZENS, WEB_MESSAGES_EACH))
        result["messages"] = WARM_UP + sum(result[part]["messages"] for part in ("c1", "c8", "web"))
        for server, pid in pids.items():
            result[f"{server}_end_mb"], result[f"{server}_mb"] = memory_mb(pid, "VmRSS"), memory_mb(pid)
    finally:
        servers.stop()
    return result


def table(results: Dict[str, Dict]) -> str:
    messages = results["ours"]["messages"]
    rows = [
        ("first message after start, REST (ms)", lambda r: f"{r['first_ms']:.0f}"),
        ("REST latency p50, concurrency 1 (ms)", lambda r: f"{r['c1']['p50']:.0f}"),
        ("REST latency p95, concurrency 1 (ms)", lambda r: f"{r['c1']['p95']:.0f}"),
        ("throughput, concurrency 1 (msg/s)", lambda r: f"{r['c1']['throughput']:.1f}"),
        ("REST latency p50, concurrency 8 (ms)", lambda r: f"{r['c8']['p50']:.0f}"),
        ("REST latency p95, concurrency 8 (ms)", lambda r: f"{r['c8']['p95']:.0f}"),
        ("throughput, concurrency 8 (msg/s)", lambda r: f"{r['c8']['throughput']:.1f}"),
        (f"WebSocket via the web app, {WEB_CITIZENS} citizens: p50 (ms)", lambda r: f"{r['web']['p50']:.0f}"),
        (f"WebSocket via the web app, {WEB_CITIZENS} citizens: p95 (ms)", lambda r: f"{r['web']['p95']:.0f}"),
        (f"WebSocket via the web app, {WEB_CITIZENS} citizens: answers/s", lambda r: f"{r['web']['throughput']:.1f}"),
        ("WebSocket: replies lost", lambda r: f"{r['web']['lost']} of {r['web']['messages']}"),
        ("WebSocket: questions handed to a person (then cancelled)", lambda r: f"{r['web']['handoffs']}"),
        ("cold start: spawn → all three servers ready (s)", lambda r: f"{r['cold_start_s']:.0f}"),
        ("training time, `rasa train --force` (s)",
         lambda r: "not measured (`--reuse-models`)" if r["train_s"] is None else f"{r['train_s']:.0f}"),
        ("Rasa server RSS after start (MB)", lambda r: f"{r['rasa_start_mb']:.0f}"),
        (f"Rasa server RSS after {messages} messages (MB)", lambda r: f"{r['rasa_end_mb']:.0f}"),
        ("Rasa server peak memory, VmHWM (MB)", lambda r: f"{r['rasa_mb']:.0f}"),
        ("action server RSS after start (MB)", lambda r: f"{r['actions_start_mb']:.0f}"),
        (f"action server RSS after {messages} messages (MB)", lambda r: f"{r['actions_end_mb']:.0f}"),
        ("web app RSS after start (MB)", lambda r: f"{r['web_start_mb']:.0f}"),
        (f"web app RSS after {messages} messages (MB)", lambda r: f"{r['web_end_mb']:.0f}"),
    ]
    names = list(results)
    lines = [f"Measured {date.today()} on {platform.machine()}, {len(os.sched_getaffinity(0))} CPU cores, "
             "SQLite tracker store, both pipelines with the same action server (`make bench`).", "",
             "| | " + " | ".join(names) + " |", "|---|" + "---|" * len(names)]
    lines += [f"| {title} | " + " | ".join(fn(results[n]) for n in names) + " |" for title, fn in rows]
    if "stock" in results:
        ours, stock = results["ours"], results["stock"]
        lines += ["", "Ours against the stock pipeline: "
                  f"p50 {ours['c1']['p50'] / stock['c1']['p50']:.2f}× and p95 {ours['c1']['p95'] / stock['c1']['p95']:.2f}× "
                  f"at concurrency 1 (targets ≤ 0.8× and ≤ 1.0×), throughput at concurrency 8 "
                  f"{ours['c8']['throughput'] / stock['c8']['throughput']:.2f}× (target ≥ 1.0×); "
                  f"cold start {ours['cold_start_s']:.0f} s (target ≤ 15 s), "
                  f"Rasa peak memory {ours['rasa_mb'] / 1024:.2f} GB (target ≤ 2.0 GB)."]
    return "\n".join(lines)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--write", type=Path, help="update this markdown file's section")
    parser.add_argument("--reuse-models", action="store_true",
                        help="do not retrain models that are up to date (training time is then not measured)")
    args = parser.parse_args()
    texts = questions()
    results = {name: bench(name, 5605 + 100 * i, texts, retrain=not args.reuse_models)
               for i, name in enumerate(("ours", "stock"))}
    text = table(results)
    print(text)
    if args.write:
        write_section(args.write, "bench", text, "The bot over REST")
        write_section(ROOT / "README.md", "benchmarks", text, "Benchmarks")
    return 0


if __name__ == "__main__":
    sys.exit(main())
