"""Swap the model citizens are answered with, with no failed request (docs/benchmarks.md, "Model swap").

A candidate Rasa already answers with the new model. **Switch:** traffic is routed to it
(:mod:`bot.studio.switch`) — from that moment citizens get the new model, and the version is live.
The main Rasa now gets no traffic but still holds the model it served before, **warm**: for
``STUDIO_WARM_SECONDS`` going back to that model is a switch of the route again (a rollback in
about a second), not a model load. **Hand-over** (after the warm period, or when the next publish
or rollback needs the port): once no citizen can still wait on the main Rasa (a drain of
3 × ``NETWORK_TIMEOUT`` since the switch), ``PUT /model`` loads the new model into it, its
``/status`` must name the new file, traffic goes back to it, and the candidate stops after the
requests it still holds had the same drain.

One hand-over at a time per process (:data:`_pending`). A process that dies during the warm
period leaves the route file pointing at a running candidate, so citizens keep getting the live
model; :func:`recover` (the next publish or rollback) hands such an orphan over.
"""
from __future__ import annotations

import logging
import os
import signal
import threading
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Optional

import requests

from bot import keys, settings
from bot.studio import switch
from bot.studio.candidate import CandidateError, CandidateRasa, serves, status

log = logging.getLogger(__name__)
#: seconds between routing traffic away from a Rasa and loading a model into it (or stopping it):
#: the web app's Rasa client gives up after 3 × NETWORK_TIMEOUT, so no citizen still waits on it
#: then (a shorter drain failed requests a busy Rasa still held when the load froze it: benchmarks)
DRAIN = 3 * settings.NETWORK_TIMEOUT
LOAD_TIMEOUT = 600.0


def load_into_main(model: Path, main_url: str = "", timeout: float = LOAD_TIMEOUT) -> None:
    """``PUT /model`` on the main Rasa, then wait until its ``/status`` names ``model``."""
    url, token = (main_url or settings.RASA_URL).rstrip("/"), keys.rasa_api_token()
    try:
        response = requests.put(f"{url}/model", params={"token": token}, json={"model_file": str(model)},
                                timeout=timeout)
    except requests.RequestException as exc:
        raise CandidateError("챗봇 서버에 새 모델을 올리지 못했어요. 잠시 뒤 다시 시도해 주세요.") from exc
    if response.status_code != 204:
        raise CandidateError(f"챗봇 서버가 새 모델을 거부했어요 (HTTP {response.status_code}).")
    deadline = time.monotonic() + timeout
    while not serves(url, token, model):
        if time.monotonic() > deadline:
            raise CandidateError("챗봇 서버가 새 모델로 바뀌지 않았어요.")
        time.sleep(0.5)


def _after_drain(stop) -> None:
    """Call ``stop`` once the requests its process still holds had :data:`DRAIN` seconds, in a
    thread :func:`wait_stopped` waits for."""
    def work() -> None:
        time.sleep(DRAIN)
        stop()

    thread = threading.Thread(target=work, name="stop-after-drain", daemon=True)
    thread.start()
    _stopping.append(thread)


_stopping: list = []


def wait_stopped(timeout: float = 3 * DRAIN) -> None:
    """Wait until every candidate whose stop is scheduled has stopped (its port is free again)."""
    deadline = time.monotonic() + timeout
    while _stopping:
        _stopping[0].join(max(0.1, deadline - time.monotonic()))
        if _stopping[0].is_alive():
            raise CandidateError("이전 새 모델 서버가 아직 멈추지 않았어요. 잠시 뒤 다시 시도해 주세요.")
        _stopping.pop(0)


@dataclass
class Handover:
    """Traffic is on ``candidate``; the main Rasa idles with ``main_model`` (of ``main_version``) loaded."""

    candidate: CandidateRasa
    main_url: str
    run_dir: Optional[Path]
    main_version: Optional[int]
    main_model: str  # the file name the main Rasa's /status named at the switch
    switched_at: float = field(default_factory=time.monotonic)
    timer: Optional[threading.Timer] = None

    def drained(self) -> None:
        """Wait until no citizen can still be waiting on the main Rasa."""
        time.sleep(max(0.0, self.switched_at + DRAIN - time.monotonic()))

    def main_still_holds(self) -> bool:
        """Whether the main Rasa still has the model it had at the switch (not restarted meanwhile)."""
        return (status((self.main_url or settings.RASA_URL).rstrip("/"), keys.rasa_api_token())
                .get("model_file") == self.main_model)


_pending: Optional[Handover] = None
_handover_lock = threading.RLock()


def pending() -> Optional[Handover]:
    return _pending


def switch_to(candidate: CandidateRasa, main_url: str = "", run_dir: Optional[Path] = None,
              main_version: Optional[int] = None, warm_seconds: Optional[float] = None) -> Handover:
    """Route traffic to ``candidate`` (it answers citizens from now on); the hand-over follows
    after the warm period in a background timer (``warm_seconds`` default ``STUDIO_WARM_SECONDS``)."""
    global _pending
    with _handover_lock:
        if _pending is not None:
            raise CandidateError("이전 모델 교체가 아직 끝나지 않았어요.")
        main_model = status((main_url or settings.RASA_URL).rstrip("/"), keys.rasa_api_token()).get("model_file")
        switch.route_to(candidate.url, run_dir, pid=candidate.process.pid if candidate.process else None)
        handover = Handover(candidate, main_url, run_dir, main_version, str(main_model or ""))
        warm = settings.STUDIO_WARM_SECONDS if warm_seconds is None else warm_seconds
        handover.timer = threading.Timer(max(warm, DRAIN), settle)
        handover.timer.daemon = True
        handover.timer.start()
        _pending = handover
        return handover


def settle(wait: bool = False) -> None:
    """Hand the pending switch over to the main Rasa now (no-op without one); with ``wait`` also
    until the candidate has stopped. On failure traffic stays on the candidate (the live model)."""
    global _pending
    with _handover_lock:
        handover = _pending
        if handover is not None:
            if handover.timer is not None:
                handover.timer.cancel()
            handover.drained()
            try:
                load_into_main(handover.candidate.model, handover.main_url)
            except CandidateError:
                log.exception("hand-over to the main Rasa failed; the candidate keeps serving")
                raise
            switch.route_back(handover.run_dir)
            _pending = None
            _after_drain(handover.candidate.stop)
            log.info("hand-over done: the main Rasa serves %s", handover.candidate.model.name)
    if wait:
        wait_stopped()


def switch_back(handover: Handover) -> None:
    """Traffic back to the main Rasa, which still holds its old model (a rollback while warm);
    the candidate stops after the drain."""
    global _pending
    with _handover_lock:
        if handover.timer is not None:
            handover.timer.cancel()
        switch.route_back(handover.run_dir)
        _pending = None
        _after_drain(handover.candidate.stop)


def load_and_switch_back(handover: Handover, model: Path) -> None:
    """While the main Rasa idles: load ``model`` into it, then send traffic back to it."""
    global _pending
    with _handover_lock:
        if handover.timer is not None:
            handover.timer.cancel()
        handover.drained()
        load_into_main(model, handover.main_url)
        switch.route_back(handover.run_dir)
        _pending = None
        _after_drain(handover.candidate.stop)


def recover(main_url: str = "", run_dir: Optional[Path] = None, live_model: Optional[str] = None) -> None:
    """A route file this process did not write (its writer died during a warm period): load the
    live model into the main Rasa, route back, and stop the orphaned candidate after the drain."""
    if _pending is not None or switch.routed_url(run_dir) is None:
        return
    url, token = (main_url or settings.RASA_URL).rstrip("/"), keys.rasa_api_token()
    if live_model and not serves(url, token, Path(live_model)):
        load_into_main(Path(live_model), main_url)  # nobody routes to the main Rasa now
    pid = switch.routed_pid(run_dir)
    switch.route_back(run_dir)

    def stop_orphan() -> None:
        try:
            if pid and "bot.channels.serve" in Path(f"/proc/{pid}/cmdline").read_text(errors="replace"):
                os.killpg(pid, signal.SIGTERM)
        except (OSError, ProcessLookupError):
            pass

    _after_drain(stop_orphan)


def swap(candidate: CandidateRasa, main_url: str = "", run_dir: Optional[Path] = None,
         drain: Optional[float] = None) -> None:
    """Serve ``candidate.model`` from the main Rasa at once (switch, drain, load, route back,
    candidate stopped): ``scripts/bench_swap.py``'s studio swap without the warm period."""
    try:
        switch.route_to(candidate.url, run_dir)
        time.sleep(DRAIN if drain is None else drain)
        load_into_main(candidate.model, main_url)
    finally:
        switch.route_back(run_dir)
        time.sleep(DRAIN)
        candidate.stop()
