"""Soak test (`make soak`): the stack on PostgreSQL under Locust load, with faults on a schedule.

``bot.run.Servers`` on own ports, a fresh PostgreSQL database (dropped after), the Redis lock store;
Locust (soak_locustfile.py: 50 citizens, 5 agents) for --duration s (6 min) while the action server is
killed for 15 s (at 1:00), PostgreSQL restarted (2:30), Rasa restarted (4:00); memory and CPU sampled
every 10 s. Then each message sent is looked up in the tracker store: one lost (absent, or neither read
by the bot nor recorded for an agent) or duplicated fails the run. Writes docs/benchmarks.md's "soak".
"""
from __future__ import annotations

import argparse
import csv
import json
import os
import platform
import re
import secrets
import shutil
import signal
import subprocess
import sys
import tempfile
import threading
import time
import uuid
from collections import Counter, defaultdict
from datetime import date
from pathlib import Path
from typing import Dict, List, Tuple

import numpy as np
from sqlalchemy import create_engine, text
from sqlalchemy.engine import make_url

from harness import ROOT, write_section

ADMIN_URL = os.environ.get("POSTGRES_TEST_URL", "postgresql://postgres@127.0.0.1:5432/test")
PG_RESTART = os.environ.get("SOAK_PG_RESTART",
                            "pg_ctlcluster --skip-systemctl-redirect $(ls /etc/postgresql) main restart")
RASA_PORT, ACTIONS_PORT, WEB_PORT = 5405, 5455, 8405  # clear of the tests' and make evaluate's
ACTIONS_DOWN = 15.0  # seconds the action server stays dead
LIMITS = {"CITIZEN_SOCKETS_PER_IP": "500", "CITIZEN_MESSAGES_PER_MINUTE": "20000",
          "CITIZEN_CONVERSATIONS_PER_HOUR": "200000"}  # every Locust user comes from 127.0.0.1


def admin(sql: str) -> None:
    engine = create_engine(ADMIN_URL, isolation_level="AUTOCOMMIT", connect_args={"connect_timeout": 10})
    with engine.connect() as conn:
        conn.execute(text(sql))
    engine.dispose()


def kill_actions(servers) -> None:
    process = servers.processes["actions"]
    os.killpg(process.pid, signal.SIGKILL)
    process.wait(30)
    time.sleep(ACTIONS_DOWN)  # the outage itself
    servers.restart("actions")


FAULTS = [("action server killed", 60 / 360, kill_actions),  # (what, when as a share of the run, how)
          ("PostgreSQL restarted", 150 / 360,  # pg_ctl waits until it accepts connections again
           lambda _servers: subprocess.run(PG_RESTART, shell=True, check=True, timeout=120)),
          ("Rasa restarted", 240 / 360, lambda servers: servers.restart("rasa"))]


def run_faults(servers, t0: float, duration: float, faults: List[Dict], stop: threading.Event) -> None:
    for name, share, action in FAULTS:
        if stop.wait(max(0.0, t0 + share * duration - time.time())):
            return
        fault = {"name": name, "start": time.time()}
        try:
            action(servers)
        except Exception as exc:  # reported; the run goes on
            fault["name"] += f" (failed: {type(exc).__name__}: {exc})"
        fault["end"] = time.time()
        faults.append(fault)
        print(f"[soak] {fault['name']}: {fault['end'] - fault['start']:.1f} s", flush=True)


def group_usage(pgid: int) -> Tuple[float, float]:
    """Resident memory (MB) and CPU time (s) of a server and its children (its process group)."""
    rss_kb, ticks = 0, 0
    for stat in Path("/proc").glob("[0-9]*/stat"):
        try:
            fields = stat.read_text().rsplit(")", 1)[1].split()
            if int(fields[2]) == pgid:
                ticks += int(fields[11]) + int(fields[12])  # utime + stime
                rss_kb += next(int(line.split()[1]) for line in (stat.parent / "status").read_text().splitlines()
                               if line.startswith("VmRSS:"))
        except (OSError, ValueError, IndexError, StopIteration):
            continue
    return rss_kb / 1024, ticks / os.sysconf("SC_CLK_TCK")


def sample_usage(servers, samples: List[Tuple[float, Dict]], stop: threading.Event) -> None:
    """Every 10 s: {name: (pid, RSS MB, CPU s)} of each running server (a restarted one has a new pid)."""
    while True:
        samples.append((time.time(), {name: (p.pid, *group_usage(p.pid))
                                      for name, p in list(servers.processes.items()) if p.poll() is None}))
        if stop.wait(10):
            return


def tracker_check(database_url: str, records: List[Dict]) -> Dict:
    """Each sent message's fate in the tracker store (table events: one JSON event per row)."""
    engine = create_engine(database_url)
    with engine.connect() as conn:
        rows = conn.execute(text(
            "SELECT sender_id, type_name, data::json->'metadata'->>'client_id', data::json->'metadata'->>'route', "
            "data::json->>'name' FROM events ORDER BY sender_id, id")).all()
        outbox = {r.client_id: r for r in conn.execute(text(
            "SELECT client_id, attempts, delivered_at FROM conversation_outbox")).all()}
    found: Dict[str, List[Dict]] = defaultdict(list)  # client id → its user events
    turn = None  # the latest user event of the conversation, until the next one
    for conversation, kind, client_id, route, action in rows:
        if kind == "user":
            turn = {"conversation": conversation, "read": False, "route": route}
            found[client_id or ""].append(turn)
        elif kind == "action" and action != "action_listen" and turn and turn["conversation"] == conversation:
            turn["read"] = True  # the bot acted on it
    result = {"bot": 0, "agent": 0, "lost": [], "duplicates": []}
    for record in records:
        everywhere = found.get(record["client_id"], [])
        mine = [f for f in everywhere if f["conversation"] == record["conversation_id"]]
        row = outbox.get(record["client_id"])  # times in UTC, as in the logs
        kept = f"; outbox row: {row.attempts} failed attempts, delivered {str(row.delivered_at)[:19]}" if row else ""
        if len(everywhere) > 1:
            result["duplicates"].append({**record, "why": f"{len(everywhere)} copies in the tracker: " + ", ".join(
                f"{f['conversation']}, route {f['route'] or 'bot'}, read: {f['read']}" for f in everywhere) + kept})
        if mine and mine[0]["route"] == "agent":
            result["agent"] += 1
        elif mine and mine[0]["read"]:
            result["bot"] += 1
        else:
            result["lost"].append({**record, "why": ("in the tracker, never read by the bot" if mine else
                                                     "in another conversation" if everywhere else
                                                     "not in the tracker") + kept})
    with engine.connect() as conn:  # the whole record of those conversations, for whoever looks into it
        result["events"] = {c: [json.loads(d) for (d,) in conn.execute(text(
            "SELECT data FROM events WHERE sender_id = :c ORDER BY id"), {"c": c})]
            for c in {r["conversation_id"] for r in result["lost"] + result["duplicates"]}}
    engine.dispose()
    return result


def log_problems(log_dir: Path) -> Tuple[int, Counter]:
    """Lines with "Traceback" or " ERROR " in the server logs; distinct messages (numbers masked)."""
    count, distinct = 0, Counter()
    for name in ("actions", "rasa", "web"):
        lines = (log_dir / f"{name}.log").read_text(errors="replace").splitlines()
        for i, line in ((i, line) for i, line in enumerate(lines) if "Traceback" in line or " ERROR " in line):
            count += 1
            if "Traceback" in line:  # the exception that ends it
                line = next((l for l in lines[i + 1:] if l and not l.startswith((" ", "Traceback"))), line)
            distinct[f"{name}: " + re.sub(r"\d+", "N", re.sub(r"^[\d\-: ,.]+", "", line).strip())[:160]] += 1
    return count, distinct


def spread(values: List[float]) -> str:
    return " | ".join(f"{v:.0f}" for v in (*np.percentile(values, [50, 95]), max(values))) if values else "– | – | –"


def windows(questions: List[Dict], faults: List[Dict], t0: float, t_end: float) -> List[str]:
    lines = ["| window (by send time) | questions | no bot reply | p50 ms | p95 ms | max ms |", "|" + "---|" * 6]
    edges = [("before any fault", t0)]
    for fault in faults:
        edges += [(f"during: {fault['name']}", fault["start"]), (f"after: {fault['name']}", fault["end"])]
    for (label, begin), (_, end) in zip(edges, edges[1:] + [("", t_end)]):
        window = [r for r in questions if r["sent_at"] and begin <= r["sent_at"] < end]
        got = [r["reply_ms"] for r in window if r["answered"]]
        lines.append(f"| {label} ({begin - t0:.0f}–{end - t0:.0f} s) | {len(window)} | {len(window) - len(got)} "
                     f"| {spread(got)} |")
    got = [r["reply_ms"] for r in questions if r["answered"]]
    return lines + [f"| whole run | {len(questions)} | {len(questions) - len(got)} | {spread(got)} |"]


def report(args, records, check, faults, samples, t0, t_end, problems, locust_rc, csv_prefix, undelivered) -> str:
    questions = [r for r in records if r["kind"] != "to_agent"]
    count_of = lambda key: sum(bool(r[key]) for r in records)  # noqa: E731
    counts = {"sent by citizens (questions / to agents)": f"{len(records)} ({len(questions)} / "
              f"{len(records) - len(questions)})", "acknowledged": count_of("acked"),
              "read by the bot (tracker) / answered in the chat": f"{check['bot']} / {count_of('answered')}",
              '"no answer" notices (the bot read it, its action failed)': count_of("no_answer"),
              "recorded for agents (tracker)": check["agent"], "**lost**": f"**{len(check['lost'])}**",
              "**duplicates**": f"**{len(check['duplicates'])}**", "sent again after a retry / rate_limited error":
              count_of("errors"), "server errors (log lines with Traceback or ERROR)": problems[0],
              "outbox rows still undelivered 2 min after the load": undelivered}
    lines = [f"Measured {date.today()} on {platform.machine()}, {len(os.sched_getaffinity(0))} CPU cores, "
             f"PostgreSQL tracker store + Redis lock store, {args.citizens} citizens + {args.agents} agents "
             f"(Locust), {args.duration / 60:.1f} min of load (`make soak`). Reply time: from a citizen's first "
             "send of a message to the bot's reply in the chat.", "", "| messages | count |", "|---|---|"]
    lines += [f"| {k} | {v} |" for k, v in counts.items()] + [""]
    lines += windows(questions, faults, t0, t_end)
    lines += ["", "| fault | at | until the service answered again | longest wait a citizen saw |", "|---|---|---|---|"]
    for fault in faults:  # answers in flight at any moment of the outage
        seen = [r["reply_ms"] for r in questions if r["answered"] and r["sent_at"] <= fault["end"]
                and r["sent_at"] + r["reply_ms"] / 1000 >= fault["start"]]
        lines.append(f"| {fault['name']} | {fault['start'] - t0:.0f} s | {fault['end'] - fault['start']:.1f} s "
                     f"| {max(seen, default=0) / 1000:.1f} s |")
    lines += ["", "| server | RSS start / max / end (MB) | CPU while loaded (% of one core) |", "|---|---|---|"]
    for name in ("rasa", "actions", "web"):
        series = [(t, s[name]) for t, s in samples if name in s]
        pairs = [(ta, tb, a, b) for (ta, a), (tb, b) in zip(series, series[1:]) if a[0] == b[0] and ta >= t0]
        busy, span = sum(b[2] - a[2] for _, _, a, b in pairs), sum(tb - ta for ta, tb, _, _ in pairs)
        rss = [s[1] for _, s in series] or [0]
        lines.append(f"| {name} | {rss[0]:.0f} / {max(rss):.0f} / {rss[-1]:.0f} | {100 * busy / max(span, 1):.0f} |")
    stats = {row["Name"]: row for row in csv.DictReader(Path(f"{csv_prefix}_stats.csv").open(encoding="utf-8"))}
    lines += ["", f"Locust (exit code {locust_rc}; a question with the \"no answer\" notice or no reply is a failure): "
              + "; ".join(f"{k}: {r['Request Count']} requests, {r['Failure Count']} failures, "
                          f"p50 {r['50%']} ms, p95 {r['95%']} ms" for k, r in stats.items()
                          if k in ("question", "to_agent", "Aggregated"))]
    if problems[1]:
        lines += ["", "Server log problems (count × distinct line, digits as N):", ""]
        lines += [f"- {n} × `{m}`" for m, n in problems[1].most_common(15)]
    for title, items in (("Lost", check["lost"]), ("Duplicated", check["duplicates"])):
        lines += ["", f"{title} messages:", ""] if items else []
        lines += [f"- `{r['client_id']}` in `{r['conversation_id']}`, sent at {r['sent_at'] - t0:.0f} s "
                  f"({r['kind']}, acked: {r['acked']}, answered in the chat: {r['answered']}): {r['why']} "
                  f"«{r['text']}»" for r in items[:30]]
    return "\n".join(lines)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--duration", type=float, default=360, help="seconds of load (default: 6 minutes)")
    parser.add_argument("--citizens", type=int, default=50)
    parser.add_argument("--agents", type=int, default=5)
    parser.add_argument("--write", type=Path, default=ROOT / "docs" / "benchmarks.md")
    args = parser.parse_args()
    from bot import settings
    from bot.handoff import outbox
    from bot.run import Servers
    from bot.storage.db import dispose_engine
    from bot.web import users

    run_dir, name = Path(tempfile.mkdtemp(prefix="soak-")), f"chatbot_soak_{uuid.uuid4().hex[:10]}"
    url = str(make_url(ADMIN_URL).set(database=name))
    admin(f'CREATE DATABASE "{name}"')
    settings.DATABASE_URL = url  # in-process calls (users, outbox) use the soak database
    servers = Servers(rasa_port=RASA_PORT, actions_port=ACTIONS_PORT, web_port=WEB_PORT, database_url=url,
                      run_dir=run_dir, log_dir=run_dir / "logs",
                      extra_env={"REDIS_URL": "redis://127.0.0.1:6379/0", "BUSINESS_HOURS": "00:00-24:00",
                                 "HOLIDAY_HOURS": "", **LIMITS})
    stop, faults, samples, load = threading.Event(), [], [], None
    try:
        servers.start().wait_ready(timeout=600)
        password = secrets.token_urlsafe(16)
        for i in range(args.agents):
            users.create_user(f"soak-agent-{i}", f"부하상담{i}", "agent", password)
        results, csv_prefix = run_dir / "citizens.jsonl", run_dir / "locust"
        env = {**os.environ, "SOAK_RESULTS": str(results), "SOAK_AGENTS": str(args.agents),
               "SOAK_AGENT_PREFIX": "soak-agent-", "SOAK_AGENT_PASSWORD": password}
        locust = shutil.which("locust", path=str(Path(sys.executable).parent)) or shutil.which("locust")  # venv's
        if not locust:
            raise SystemExit("locust is not installed: `make soak` installs it (pip install -e '.[dev,soak]')")
        command = [locust, "-f", str(ROOT / "scripts" / "soak_locustfile.py"), "--headless",
                   "-u", str(args.citizens + args.agents), "-r", "5", "-t", f"{int(args.duration)}s",
                   "--host", servers.web_url, "--csv", str(csv_prefix), "--only-summary"]
        print(f"[soak] logs in {run_dir / 'logs'}; locust {' '.join(command[1:])}", flush=True)
        threading.Thread(target=sample_usage, args=(servers, samples, stop), daemon=True).start()
        t0 = time.time()
        with open(run_dir / "logs" / "locust.log", "ab") as log:
            load = subprocess.Popen(command, cwd=ROOT, env=env, stdout=log, stderr=subprocess.STDOUT,
                                    start_new_session=True)
        chaos = threading.Thread(target=run_faults, args=(servers, t0, args.duration, faults, stop))
        chaos.start()
        try:  # + spawning, and the citizens' last resends and answers (90 s at most)
            locust_rc = load.wait(timeout=args.duration + 300)
        except subprocess.TimeoutExpired:
            locust_rc = "killed after a time-out"
        t_end = time.time()
        stop.set()
        chaos.join()
        deadline = time.monotonic() + 120
        while (undelivered := outbox.undelivered_count()) and time.monotonic() < deadline:
            time.sleep(2)
        if not results.exists():
            raise SystemExit(f"Locust wrote no results (exit code {locust_rc}); see {run_dir / 'logs'}")
        records = [json.loads(line) for line in results.read_text(encoding="utf-8").splitlines()]
        check = tracker_check(url, records)
        section = report(args, records, check, faults, samples, t0, t_end, log_problems(run_dir / "logs"),
                         locust_rc, csv_prefix, undelivered)
        write_section(args.write, "soak", section, "Soak test: faults under load")
        (run_dir / "suspect-trackers.json").write_text(json.dumps(check["events"], ensure_ascii=False, indent=1))
        print(section + f"\n\n[soak] logs, Locust's CSV and the citizens' records: {run_dir}")
        return 1 if check["lost"] or check["duplicates"] else 0
    finally:
        stop.set()
        if load is not None and load.poll() is None:
            os.killpg(load.pid, signal.SIGKILL)
        servers.stop()
        dispose_engine(url)
        admin(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


if __name__ == "__main__":
    sys.exit(main())
