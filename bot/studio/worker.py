"""The studio's jobs in a process of their own beside the web app: publishes, rollbacks, the
candidate being judged and the swap's hand-over.

A publish does minutes of Python work (the answer policy over the held-out set, the
conversation tests, the evaluation's HTTP traffic). In the web app's process that work took
turns with the event loop, and under a 5 msg/s stream on 2 cores some citizens waited longer
than the web app waits for Rasa (docs/benchmarks.md, "Publish beside the citizens"). So the web
app starts this worker on the first publish or rollback and calls it through a
:class:`multiprocessing.managers.BaseManager` (a Unix socket with a random key). The worker
keeps the module state of :mod:`bot.studio.publish` and :mod:`bot.studio.swap` (the candidate
being judged, the pending hand-over) for as long as it lives; the steps are in the database,
where the page reads them. A worker that died is started again on the next call; a publish it
was running is failed by the next publish (``versions.STALE_AFTER``), and an orphaned route is
handed over by :func:`bot.studio.swap.recover`.
"""
from __future__ import annotations

import logging
import multiprocessing
import os
import threading
from multiprocessing.managers import BaseManager
from typing import Dict, Optional

import requests

log = logging.getLogger(__name__)
#: what a call to a worker that died raises
LOST = (EOFError, ConnectionError, BrokenPipeError, OSError)


class StudioJobs:
    """What the web app asks the worker (each call runs in a thread of the worker)."""

    def start_publish(self, author: str, summary: str) -> int:
        from bot.studio import publish

        return publish.start(author, summary)

    def busy(self) -> bool:
        from bot.studio import publish

        return publish.busy()

    def candidate_ready(self) -> bool:
        from bot.studio import publish

        return publish.ready_candidate() is not None

    def try_candidate(self, text: str) -> Optional[Dict]:
        """The candidate's parse of ``text`` explained (:func:`bot.studio.trial.explain`); None
        when no publish has a candidate answering."""
        from bot.studio import publish
        from bot.studio.trial import explain

        ready = publish.ready_candidate()
        if ready is None:
            return None
        candidate, base = ready
        try:
            parse = candidate.parse(text)
        except (requests.RequestException, ValueError) as exc:
            raise CandidateUnreachable(type(exc).__name__) from None
        return explain(text, parse, base)

    def rollback(self, version_id: int) -> Dict:
        from bot.studio import rollback

        return rollback.rollback(version_id)


class _Manager(BaseManager):
    pass


_Manager.register("StudioJobs", StudioJobs)
_lock = threading.Lock()
_manager: Optional[_Manager] = None
_jobs = None


def _set_up_worker() -> None:
    """In the worker, before it serves: below the citizens' processes in priority (its Python
    work, the answer policy over the evaluation's questions, yields to them), logs as the web
    app's (personal data masked)."""
    from bot.korean.pii import install_log_masking
    from bot.studio.candidate import nice_increment

    os.nice(nice_increment())
    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(levelname)s %(name)s: %(message)s")
    install_log_masking()


def running() -> bool:
    """Whether the worker process is up (without starting it)."""
    return _manager is not None and _manager._process is not None and _manager._process.is_alive()


def pid() -> Optional[int]:
    """The worker's process id while it runs."""
    return _manager._process.pid if running() else None


def jobs():
    """The worker's :class:`StudioJobs` (a proxy; calls block), starting the worker if needed."""
    global _manager, _jobs
    with _lock:
        if not running():
            stop()
            manager = _Manager(authkey=os.urandom(32), ctx=multiprocessing.get_context("spawn"))
            manager.start(_set_up_worker)
            _manager, _jobs = manager, manager.StudioJobs()
            log.info("studio worker started (pid %s)", manager._process.pid)
        return _jobs


def call(method: str, *args):
    """``jobs().<method>(*args)``; a worker lost during the call is started again for the next one."""
    try:
        return getattr(jobs(), method)(*args)
    except LOST:
        if running():
            raise
        log.error("the studio worker died during %s", method)
        raise WorkerLost("배포 작업 프로세스가 멈췄어요. 다시 시도해 주세요.") from None


def if_running(method: str, default, *args):
    """``call(method, *args)`` when the worker is up, else ``default`` (nothing runs in it then)."""
    if not running():
        return default
    try:
        return call(method, *args)
    except WorkerLost:
        return default


class WorkerLost(RuntimeError):
    """The worker died during a call; the message is for staff, in Korean."""


class CandidateUnreachable(RuntimeError):
    """The candidate Rasa did not answer a trial question."""


def stop() -> None:
    """Shut the worker down (a publish it runs ends with it)."""
    global _manager, _jobs
    if _manager is not None:
        try:
            _manager.shutdown()
        except Exception:  # noqa: BLE001 - already gone
            pass
    _manager, _jobs = None, None
