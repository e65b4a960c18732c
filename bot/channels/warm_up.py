"""Run one message through a freshly loaded model before the Rasa server reports ready.

Rasa loads the model before it accepts connections, but some work still waits for the first
message: TensorFlow traces DIET's prediction graph on its first calls (again for the first input
of another shape), and the policies' graph nodes run for the first time. ``warm_up`` parses
questions of different lengths and predicts the next action on a throw-away tracker (nothing is
written to the tracker store), so the first citizen's message is as fast as the hundredth.
"""
from __future__ import annotations

import functools
import logging
import time

log = logging.getLogger(__name__)

WARM_UP_TEXTS = ("여권", "여권 재발급 수수료가 얼마예요?",
                 "어제 밤부터 수도 계량기가 얼어서 물이 안 나오는데 교체 비용은 누가 내고 어디에 신고해야 하나요?")
WARM_UP_SENDER = "warm-up"


async def warm_up(agent) -> dict:
    """Parse ``WARM_UP_TEXTS`` and predict an action for the last; returns its parse data."""
    from rasa.core.channels.channel import UserMessage
    from rasa.shared.core.constants import ACTION_LISTEN_NAME
    from rasa.shared.core.events import ActionExecuted, UserUttered
    from rasa.shared.core.trackers import DialogueStateTracker

    processor = agent.processor
    began = time.perf_counter()
    for text in WARM_UP_TEXTS:
        parse_data = await processor.parse_message(UserMessage(text, sender_id=WARM_UP_SENDER))
    tracker = DialogueStateTracker.from_events(
        WARM_UP_SENDER, [ActionExecuted(ACTION_LISTEN_NAME), UserUttered(text, parse_data=parse_data)],
        slots=agent.domain.slots)
    processor.predict_next_with_tracker(tracker)
    log.info("model warmed up in %.1f s", time.perf_counter() - began)
    return parse_data


def install() -> None:
    """Make ``rasa run`` warm the model up right after loading it, before it serves requests."""
    import rasa.core.run

    load = rasa.core.run.load_agent_on_start
    if getattr(load, "warms_up", False):
        return

    @functools.wraps(load)
    async def load_and_warm_up(*args, **kwargs):
        agent = await load(*args, **kwargs)
        if agent is not None and agent.processor is not None:
            await warm_up(agent)
        return agent

    load_and_warm_up.warms_up = True
    rasa.core.run.load_agent_on_start = load_and_warm_up
