"""Swap the model the main Rasa serves with no failed request (docs/benchmarks.md, "Model swap").

A candidate Rasa already answers with the new model. Traffic is routed to it
(:mod:`bot.studio.switch`), the main Rasa loads the model with ``PUT /model`` while nobody
waits on it, traffic comes back once the main Rasa's ``/status`` names the new file, and the
candidate stops after the requests it still holds have had time to finish.
"""
from __future__ import annotations

import time
from pathlib import Path
from typing import Optional

import requests

from bot import keys, settings
from bot.studio import switch
from bot.studio.candidate import CandidateError, CandidateRasa, serves

#: seconds between routing traffic away from the main Rasa and loading the model into it: the
#: web app's Rasa client gives up after 3 × NETWORK_TIMEOUT, so no citizen still waits on it then
#: (a shorter drain failed requests a busy Rasa still held when the load froze it: benchmarks)
DRAIN_BEFORE_LOAD = 3 * settings.NETWORK_TIMEOUT
#: seconds the candidate keeps answering what it holds after traffic went back to the main Rasa
#: (on a busy machine a reply can take seconds; stopping earlier cut those requests off)
DRAIN_BEFORE_STOP = 3 * settings.NETWORK_TIMEOUT
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


def swap(candidate: CandidateRasa, main_url: str = "", run_dir: Optional[Path] = None,
         drain: Optional[float] = None) -> None:
    """Serve ``candidate.model`` from the main Rasa; the candidate is stopped at the end.

    On failure traffic goes back to the main Rasa, which then still has its old model."""
    try:
        switch.route_to(candidate.url, run_dir)
        time.sleep(DRAIN_BEFORE_LOAD if drain is None else drain)
        load_into_main(candidate.model, main_url)
    finally:
        switch.route_back(run_dir)
        time.sleep(DRAIN_BEFORE_STOP)
        candidate.stop()
