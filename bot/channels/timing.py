"""Where a message's time goes inside the Rasa server (on with ``RASA_TIMING_FILE``; off by default).

``install(path)`` wraps, in this process only, every graph node (tokenizer, Kiwi, featurizers,
the encoder, DIET, the retriever, each policy), the processor's steps (tracker fetch, NLU,
policy prediction, the action call, the tracker store write) and Rasa's HTTP call to the action
server with wall-clock timers. Each handled message appends one JSON line to ``path``:
``{"total": ms, "<step>": ms, ...}`` (a step that ran twice — the policies predict the custom
action and then ``action_listen`` — is summed). Used by ``scripts/bench_breakdown.py``.
"""
from __future__ import annotations

import contextvars
import functools
import inspect
import json
import threading
import time
from pathlib import Path
from typing import Callable, Dict, Optional

_current: contextvars.ContextVar[Optional[Dict[str, float]]] = contextvars.ContextVar("timing", default=None)
_write_lock = threading.Lock()

#: processor steps → the label they are reported under
PROCESSOR_STEPS = {
    "fetch_tracker_and_update_session": "tracker store: read",
    "parse_message": "NLU: whole graph",
    "predict_next_with_tracker_if_should": "policies: whole graph",
    "_run_action": "actions: run, events applied, replies sent",
    "save_tracker": "tracker store: write",
}


def _add(label: str, ms: float) -> None:
    timings = _current.get()
    if timings is not None:
        timings[label] = timings.get(label, 0.0) + ms


def _timed_sync(label: Callable[..., str], fn: Callable) -> Callable:
    @functools.wraps(fn)
    def wrapper(*args, **kwargs):
        began = time.perf_counter()
        try:
            return fn(*args, **kwargs)
        finally:
            _add(label(*args), (time.perf_counter() - began) * 1000)

    return wrapper


def _timed_async(label: str, fn: Callable) -> Callable:
    @functools.wraps(fn)
    async def wrapper(*args, **kwargs):
        began = time.perf_counter()
        try:
            return await fn(*args, **kwargs)
        finally:
            _add(label, (time.perf_counter() - began) * 1000)

    return wrapper


def _node_label(node, *_inputs) -> str:
    component = node._component_class.__name__
    return f"node: {component}" if not node._node_name.startswith("select_") else "node: select_prediction"


def install(path: Path) -> None:
    """Time every handled message of this process into ``path`` (JSON lines)."""
    from rasa.core.processor import MessageProcessor
    from rasa.engine.graph import GraphNode
    from rasa.utils.endpoints import EndpointConfig

    path = Path(path)
    GraphNode.__call__ = _timed_sync(_node_label, GraphNode.__call__)
    for name, label in PROCESSOR_STEPS.items():
        method = getattr(MessageProcessor, name)
        timed = (_timed_async(label, method) if inspect.iscoroutinefunction(method)
                 else _timed_sync(lambda *_args, fixed=label: fixed, method))
        setattr(MessageProcessor, name, timed)
    EndpointConfig.request = _timed_async("action: HTTP call to the action server", EndpointConfig.request)

    handle = MessageProcessor.handle_message

    @functools.wraps(handle)
    async def handle_message(self, message):
        timings: Dict[str, float] = {}
        token = _current.set(timings)
        began = time.perf_counter()
        try:
            return await handle(self, message)
        finally:
            timings["total"] = (time.perf_counter() - began) * 1000
            _current.reset(token)
            with _write_lock, path.open("a", encoding="utf-8") as out:
                out.write(json.dumps(timings, ensure_ascii=False) + "\n")

    MessageProcessor.handle_message = handle_message
