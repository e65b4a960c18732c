"""Roll back to an earlier version: its files snapshot into the live tree and its model swapped
in (no training); it becomes the live version again.

How fast depends on where the model is (``result["rollback"]["how"]``):

- ``switch`` — the version a publish or rollback just replaced, while the main Rasa still holds
  it warm (``STUDIO_WARM_SECONDS``): traffic goes back to the main Rasa, about a second;
- ``load`` — another version during that warm period: the main Rasa (idle) loads it, then
  traffic goes back to it (the model's load time, seconds);
- ``candidate`` — otherwise: a candidate Rasa starts with the version's model and traffic is
  switched to it (Rasa's start-up time); the main Rasa then keeps the replaced model warm.
"""
from __future__ import annotations

import logging
import time
from pathlib import Path
from typing import Optional

from bot.studio import publish, swap, versions, workspace
from bot.studio.candidate import CandidateError, CandidateRasa

log = logging.getLogger(__name__)


class RollbackError(RuntimeError):
    """The version cannot be rolled back to; the message is for staff, in Korean."""


def rollback(version_id: int, job: Optional[publish.Job] = None) -> dict:
    """Make ``version_id`` live again; the version as :func:`versions.get` shows it, with
    ``rollback: {"how", "seconds"}``."""
    job = job or publish.Job()
    with publish.exclusive():
        if versions.running(job.url) is not None:
            raise versions.PublishBusy("이미 진행 중인 배포가 있어요. 끝난 뒤에 다시 시도해 주세요.")
        target = versions.get(version_id, job.url, with_files=True)
        if target is None:
            raise RollbackError("그런 버전이 없어요.")
        if target["status"] == versions.LIVE:
            raise RollbackError("이 버전은 이미 운영 중이에요.")
        if target["status"] not in (versions.RETIRED,):
            raise RollbackError("운영된 적 있는 버전으로만 되돌릴 수 있어요.")
        model = target["model_path"]
        if not model or not Path(model).exists():
            raise RollbackError("이 버전의 모델 파일이 보관 기간이 지나 지워졌어요.")
        if not target["files"]:
            raise RollbackError("이 버전의 파일 기록이 없어요.")
        began = time.monotonic()
        pending = swap.pending()
        try:
            if pending is not None and pending.main_version == version_id and pending.main_still_holds():
                swap.switch_back(pending)
                how = "switch"
            elif pending is not None:
                swap.load_and_switch_back(pending, Path(model))
                how = "load"
            else:
                swap.recover(job.main_url, job.run_dir, versions.live_model("", job.url) or None)
                swap.wait_stopped()
                live = versions.live(job.url)
                candidate = CandidateRasa(model, job.candidate_port, job.run_dir).start()
                try:
                    swap.switch_to(candidate, job.main_url, job.run_dir, live["id"] if live else None,
                                   job.warm_seconds)
                except BaseException:
                    candidate.stop()
                    raise
                how = "candidate"
        except CandidateError as exc:
            raise RollbackError(str(exc)) from exc
        workspace.apply(job.root, target["files"])
        versions.make_live(version_id, job.url)
        seconds = round(time.monotonic() - began, 1)
        log.info("rolled back to version %s in %.1f s (%s)", version_id, seconds, how)
        return {**versions.get(version_id, job.url), "rollback": {"how": how, "seconds": seconds}}
