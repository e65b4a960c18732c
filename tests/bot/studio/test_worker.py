"""The studio worker: a process of its own that the web app calls; errors cross back, a dead
worker is started again, and asking whether it is busy never starts one."""
import os
import signal
import time

import pytest

from bot.studio import rollback, versions, worker
from bot.studio.candidate import NICENESS


@pytest.fixture
def fresh_worker(database_url, monkeypatch):
    """No worker yet; the one the test starts uses the test's database (through the environment)."""
    monkeypatch.setenv("DATABASE_URL", database_url)
    worker.stop()
    yield
    worker.stop()


@pytest.mark.parametrize("database_url", ["sqlite"], indirect=True)
def test_a_publish_is_refused_in_the_worker_while_one_runs(fresh_worker):
    assert worker.if_running("busy", "no worker") == "no worker" and not worker.running()
    running = versions.begin("boss", "다른 사람이 배포 중")
    with pytest.raises(versions.PublishBusy, match="이미 진행 중인 배포"):
        worker.call("start_publish", "editor", "여권 예문")
    assert worker.running() and worker.pid() not in (None, os.getpid())
    assert os.getpriority(os.PRIO_PROCESS, worker.pid()) == max(NICENESS, os.nice(0))  # citizens first
    assert versions.running()["id"] == running  # nothing else was started
    assert worker.call("busy") is False and worker.call("candidate_ready") is False
    assert worker.call("try_candidate", "여권 수수료") is None
    with pytest.raises(versions.PublishBusy):
        worker.call("rollback", running)
    versions.finish(running, versions.FAILED, error="테스트")
    with pytest.raises(rollback.RollbackError, match="그런 버전이 없어요"):
        worker.call("rollback", running + 100)


@pytest.mark.parametrize("database_url", ["sqlite"], indirect=True)
def test_a_worker_that_died_is_started_again(fresh_worker):
    assert worker.call("busy") is False
    first = worker.pid()
    os.kill(first, signal.SIGKILL)
    deadline = time.monotonic() + 10
    while worker.running():
        assert time.monotonic() < deadline
        time.sleep(0.1)
    assert worker.if_running("candidate_ready", "gone") == "gone"
    assert worker.call("busy") is False
    assert worker.pid() not in (None, first)
