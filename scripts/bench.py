"""Benchmark the bot end to end, ours next to the stock `rasa init` pipeline, in one run.

    make bench        # = python scripts/bench.py --write docs/benchmarks.md

For each pipeline: training time (`rasa train --force`), cold start (spawn → both
servers answer), REST latency p50/p95 and throughput at concurrency 1 and 8
(held-out FAQ questions, conversations of up to 5 turns), and peak memory (VmHWM)
of the Rasa and action-server processes.
"""
from __future__ import annotations

import argparse
import os
import platform
import statistics
import sys
import threading
import time
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


def peak_mb(pid: int) -> float:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmHWM:"):
            return int(line.split()[1]) / 1024
    return float("nan")


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
    elapsed = time.perf_counter() - begin
    return {"p50": statistics.median(latencies), "p95": float(np.percentile(latencies, 95)),
            "throughput": len(latencies) / elapsed}


def bench(name: str, port: int, texts: List[str]) -> Dict[str, float]:
    result = {"train_s": train(name, force=True)}
    began = time.perf_counter()
    servers = start(name, port, port + 50)
    try:
        servers.wait_ready(timeout=900)
        result["cold_start_s"] = time.perf_counter() - began
        session = requests.Session()
        for i in range(10):
            send(servers, f"warmup-{name}-{i}", texts[i], session)
        result["c1"] = load(servers, texts, 1, 100, name)
        result["c8"] = load(servers, texts, 8, 40, name)
        result["rasa_mb"] = peak_mb(servers.processes["rasa"].pid)
        result["actions_mb"] = peak_mb(servers.processes["actions"].pid)
    finally:
        servers.stop()
    return result


def table(results: Dict[str, Dict]) -> str:
    rows = [
        ("REST latency p50, concurrency 1 (ms)", lambda r: f"{r['c1']['p50']:.0f}"),
        ("REST latency p95, concurrency 1 (ms)", lambda r: f"{r['c1']['p95']:.0f}"),
        ("throughput, concurrency 1 (msg/s)", lambda r: f"{r['c1']['throughput']:.1f}"),
        ("REST latency p50, concurrency 8 (ms)", lambda r: f"{r['c8']['p50']:.0f}"),
        ("REST latency p95, concurrency 8 (ms)", lambda r: f"{r['c8']['p95']:.0f}"),
        ("throughput, concurrency 8 (msg/s)", lambda r: f"{r['c8']['throughput']:.1f}"),
        ("cold start: spawn → ready (s)", lambda r: f"{r['cold_start_s']:.0f}"),
        ("training time, `rasa train --force` (s)", lambda r: f"{r['train_s']:.0f}"),
        ("peak memory, Rasa server (MB)", lambda r: f"{r['rasa_mb']:.0f}"),
        ("peak memory, action server (MB)", lambda r: f"{r['actions_mb']:.0f}"),
    ]
    names = list(results)
    lines = [f"Measured {date.today()} on {platform.machine()}, {len(os.sched_getaffinity(0))} CPU cores, "
             "SQLite tracker store, both pipelines with the same action server (`make bench`).", "",
             "| | " + " | ".join(names) + " |", "|---|" + "---|" * len(names)]
    lines += [f"| {title} | " + " | ".join(fn(results[n]) for n in names) + " |" for title, fn in rows]
    if "stock" in results:
        ratio = results["ours"]["c8"]["throughput"] / results["stock"]["c8"]["throughput"]
        lines += ["", f"Throughput at concurrency 8: ours is {ratio:.2f}× the stock pipeline's."]
    return "\n".join(lines)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--write", type=Path, help="update this markdown file's section")
    args = parser.parse_args()
    texts = questions()
    results = {name: bench(name, 5605 + 100 * i, texts) for i, name in enumerate(("ours", "stock"))}
    text = table(results)
    print(text)
    if args.write:
        write_section(args.write, "bench", text, "The bot over REST")
        write_section(ROOT / "README.md", "benchmarks", text, "Benchmarks")
    return 0


if __name__ == "__main__":
    sys.exit(main())
