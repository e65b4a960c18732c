"""Publish and roll back from the command line, with the code the studio runs.

    python -m bot.studio.cli publish [--summary "…"] [--author NAME]   # make publish SUMMARY="…"
    python -m bot.studio.cli rollback VERSION                          # make rollback VERSION=3
    python -m bot.studio.cli versions                                  # the history

The bot must be running (``make run``): a publish trains beside it, and swaps its model with
no failed request. Files edited in git are published as they are, together with any drafts.
Exit status 0 when the version went live, 1 when the gate blocked it or a step failed.
"""
from __future__ import annotations

import argparse
import getpass
import sys
import time
from typing import List, Optional

from bot.studio import publish, rollback, swap, versions

STEP_NAMES = {"files": "파일 준비", "train": "학습", "evaluate": "평가", "gate": "게이트", "swap": "모델 교체",
              "record": "기록"}
STATE_NAMES = {"running": "진행 중", "done": "완료", "failed": "실패", "skipped": "건너뜀"}


def _print_steps(steps: List[dict], shown: set) -> None:
    for step in steps:
        key = (step["step"], step["state"])
        if key not in shown:
            shown.add(key)
            print(f"  [{STATE_NAMES.get(step['state'], step['state'])}] {STEP_NAMES.get(step['step'], step['step'])}"
                  f"  {step['detail']}", flush=True)


def run_publish(summary: str, author: str, job: Optional[publish.Job] = None, poll: float = 2.0) -> int:
    try:
        version_id = publish.start(author, summary, job, background=True)
    except versions.PublishBusy as exc:
        print(exc, file=sys.stderr)
        return 1
    print(f"배포 {version_id}번을 시작했어요.", flush=True)
    shown: set = set()
    url = job.url if job else None
    while True:
        version = versions.get(version_id, url)
        _print_steps(version["steps"], shown)
        if version["status"] != versions.RUNNING and not publish.busy():
            break
        time.sleep(poll)
    if swap.pending() is not None:  # this process ends: the main Rasa takes the new model over now
        print("  챗봇 서버에 새 모델을 넘기고 있어요 (1~2분)…", flush=True)
        swap.settle(wait=True)
    for item in version["regressions"]:
        print(f"  회귀: {item['text']} — 기대 {item['expect']}, 지금 {item['live']}, 새 모델 {item['candidate']}")
    print(f"결과: {version['status']}" + (f" — {version['error']}" if version["error"] else ""))
    return 0 if version["status"] == versions.LIVE else 1


def run_rollback(version_id: int, job: Optional[publish.Job] = None) -> int:
    started = time.monotonic()
    try:
        rollback.rollback(version_id, job)
    except (rollback.RollbackError, versions.PublishBusy) as exc:
        print(exc, file=sys.stderr)
        return 1
    print(f"{version_id}번 버전으로 되돌렸어요 ({time.monotonic() - started:.0f}초).", flush=True)
    if swap.pending() is not None:
        swap.settle(wait=True)
    return 0


def show_versions() -> int:
    for v in versions.history():
        top1 = (v["metrics"].get("candidate") or {}).get("faq_top1")
        print(f"{v['id']:>4}  {v['status']:<8} {v['created_at'][:16]}  {v['author']:<12} "
              f"{'' if top1 is None else f'top-1 {100 * top1:.1f}%':<13} {v['summary']}")
    return 0


def main(argv: Optional[List[str]] = None) -> int:
    parser = argparse.ArgumentParser(description="Publish or roll back the bot's content.")
    sub = parser.add_subparsers(dest="command", required=True)
    publish_cmd = sub.add_parser("publish", help="train, evaluate, gate and swap in the drafts and data files")
    publish_cmd.add_argument("--summary", default="")
    publish_cmd.add_argument("--author", default="")
    rollback_cmd = sub.add_parser("rollback", help="make an earlier version live again")
    rollback_cmd.add_argument("version", type=int)
    sub.add_parser("versions", help="list the versions")
    args = parser.parse_args(argv)
    if args.command == "publish":
        return run_publish(args.summary or "명령줄 배포", args.author or f"cli:{getpass.getuser()}")
    if args.command == "rollback":
        return run_rollback(args.version)
    return show_versions()


if __name__ == "__main__":
    sys.exit(main())
