"""Where one message's time goes inside the Rasa server (part of `make bench`).

    python scripts/bench_breakdown.py --write docs/benchmarks.md

Starts each pipeline's servers (ours, then the stock `rasa init` one) with ``RASA_TIMING_FILE`` (``bot/channels/timing.py`` times each
graph node and each step of Rasa's message processor), sends held-out questions one at a time
(conversations of 5 turns) and prints the mean and median of each step per message, next to
the round trip the client measured. Steps nest: a graph node runs inside "NLU: whole graph" or
"policies: whole graph", the HTTP call inside "actions: …".
"""
from __future__ import annotations

import argparse
import json
import os
import platform
import statistics
import sys
import tempfile
from datetime import date
from pathlib import Path
from typing import Dict, List

import requests

from harness import send, start, train, write_section

from bench import questions

MESSAGES, WARM_UP = 300, 10


def measure(name: str, texts: List[str], port: int) -> Dict[str, List[float]]:
    """Per step, the milliseconds it took for each message (0 where it did not run)."""
    train(name)
    timing_file = Path(tempfile.mkdtemp(prefix="timing-")) / "timing.jsonl"
    servers = start(name, port, port + 50, env={"RASA_TIMING_FILE": str(timing_file)})
    round_trips: List[float] = []
    try:
        servers.wait_ready(timeout=900)
        session = requests.Session()
        for i in range(WARM_UP + MESSAGES):
            round_trips.append(send(servers, f"breakdown-{i // 5}", texts[i % len(texts)], session)[1])
    finally:
        servers.stop()
    records = [json.loads(line) for line in timing_file.read_text(encoding="utf-8").splitlines()][WARM_UP:]
    steps: Dict[str, List[float]] = {"client: REST round trip": round_trips[WARM_UP:]}
    for label in dict.fromkeys(label for record in records for label in record):
        steps[label] = [record.get(label, 0.0) for record in records]
    return steps


ORDER = ("client", "total", "tracker store: read", "NLU", "node", "policies", "actions", "action:", "tracker store: write")


def table(results: Dict[str, Dict[str, List[float]]]) -> str:
    """One row per step, mean and median for each pipeline (— where the step does not exist)."""
    ours = results["ours"]

    def mean(name: str, label: str) -> float:
        values = results[name].get(label)
        return statistics.mean(values) if values else 0.0

    def rank(label: str) -> tuple:
        return (next(i for i, prefix in enumerate(ORDER + ("",)) if label.startswith(prefix)),
                -max(mean(name, label) for name in results))

    labels = sorted(dict.fromkeys(label for steps in results.values() for label in steps), key=rank)
    lines = [f"Measured {date.today()} on {platform.machine()}, {len(os.sched_getaffinity(0))} CPU cores, SQLite "
             f"tracker store, {len(ours['total'])} held-out questions one at a time, milliseconds per message "
             "(`make bench`).", "",
             "| step | " + " | ".join(f"{name}: mean | {name}: median" for name in results) + " |",
             "|---|" + "---|---|" * len(results)]
    for label in labels:
        cells = []
        for name in results:
            values = results[name].get(label)
            cells += [f"{statistics.mean(values):.1f}", f"{statistics.median(values):.1f}"] if values else ["—", "—"]
        title = "Rasa: whole message (handle_message)" if label == "total" else label
        lines.append(f"| {title} | " + " | ".join(cells) + " |")
    return "\n".join(lines)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--write", type=Path, help="update this markdown file's section")
    args = parser.parse_args()
    texts = questions()
    text = table({name: measure(name, texts, 5805 + 100 * i) for i, name in enumerate(("ours", "stock"))})
    print(text)
    if args.write:
        write_section(args.write, "breakdown", text, "Where a message's time goes")
    return 0


if __name__ == "__main__":
    sys.exit(main())
