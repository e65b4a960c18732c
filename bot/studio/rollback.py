"""Roll back to an earlier version: its files snapshot into the live tree and its model swapped
in (no training); it becomes the live version again."""
from __future__ import annotations

import logging
from pathlib import Path
from typing import Optional

from bot.studio import publish, versions, workspace
from bot.studio.candidate import CandidateError, CandidateRasa
from bot.studio.swap import swap

log = logging.getLogger(__name__)


class RollbackError(RuntimeError):
    """The version cannot be rolled back to; the message is for staff, in Korean."""


def rollback(version_id: int, job: Optional[publish.Job] = None) -> dict:
    """Make ``version_id`` live again; the version as :func:`versions.get` shows it."""
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
        try:
            candidate = CandidateRasa(model, job.candidate_port, job.run_dir).start()
            swap(candidate, job.main_url, job.run_dir)
        except CandidateError as exc:
            raise RollbackError(str(exc)) from exc
        workspace.apply(job.root, target["files"])
        versions.make_live(version_id, job.url)
        log.info("rolled back to version %s", version_id)
        return versions.get(version_id, job.url)
