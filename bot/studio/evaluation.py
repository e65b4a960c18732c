"""The questions a publish is judged on, and what one model does with them.

Each question of the held-out set (tests/data/heldout.yml) and the regression set (table
``regression_items``) is parsed by a Rasa process (``/model/parse``) and decided by the answer
policy with that model's FAQ base (:func:`bot.studio.trial.explain`), as a fresh conversation.
The conversation tests (tests/data/dialogues.yml: follow-ups that need the previous turns) go
through that Rasa's REST webhook instead, one fresh sender per dialogue, turn after turn, so
the whole bot answers them in context (Rasa's policies, the action server with the answer
policy's follow-up logic); the entry answered is the one the reply names (``custom.faq``). Those
conversations are deleted afterwards (tracker events, counters, analytics, review items).
"""
from __future__ import annotations

import logging
import uuid
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Callable, Dict, List, Mapping, Optional

import requests
import yaml
from sqlalchemy import text as sql

from bot import keys, settings
from bot.conversation.names import REPLY_FAQ
from bot.faq.base import FaqBase
from bot.storage.db import session_scope
from bot.storage.models import AnswerEvent, ConversationRecord, RegressionItem, ReviewItem
from bot.studio import gate
from bot.studio.trial import explain

log = logging.getLogger(__name__)
TEST_DATA = settings.PROJECT_ROOT / "tests" / "data"
#: conversation ids of the evaluation's dialogues (skipped by the review queue, deleted afterwards)
EVAL_PREFIX = "studio-eval-"  # = review.EVALUATION_PREFIX
#: seconds one evaluation request may take (no citizen waits on it; a busy machine is slow)
EVAL_TIMEOUT = 12 * settings.NETWORK_TIMEOUT
Parse = Callable[[str], Mapping]


def heldout_items(path: Path = TEST_DATA / "heldout.yml") -> List[Dict]:
    return [{"text": i["text"], "expect": i["expect"]}
            for i in yaml.safe_load(path.read_text(encoding="utf-8"))["items"]]


def dialogues(path: Path = TEST_DATA / "dialogues.yml") -> List[List[Dict]]:
    """The conversation tests: each a list of ``{text, expect}`` turns."""
    return [[{"text": t["text"], "expect": t["expect"]} for t in d["turns"]]
            for d in yaml.safe_load(path.read_text(encoding="utf-8"))["dialogues"] if d["turns"]]


def answered_entry(replies) -> Optional[str]:
    """The FAQ entry a REST reply answered with (the bot names it in ``custom.faq``), else None."""
    for message in replies or []:
        custom = message.get("custom") if isinstance(message, dict) else None
        if isinstance(custom, dict) and isinstance(custom.get(REPLY_FAQ), dict) and custom[REPLY_FAQ].get("faq_id"):
            return str(custom[REPLY_FAQ]["faq_id"])
    return None


def converse(url: str, conversations: List[List[Mapping]], workers: int = 2, db_url: Optional[str] = None) -> List[Dict]:
    """Each dialogue through the REST webhook of the Rasa at ``url``, turn by turn in one fresh
    conversation; every turn ``{text, expect, dialogue, turn, kind, faq_id}`` in order. The
    conversations are deleted afterwards."""
    token, run = keys.rasa_api_token(), f"{EVAL_PREFIX}{uuid.uuid4().hex[:10]}-"
    http = requests.Session()

    def one(numbered) -> List[Dict]:
        index, turns = numbered
        out = []
        for t, turn in enumerate(turns):
            response = http.post(f"{url.rstrip('/')}/webhooks/rest/webhook", timeout=EVAL_TIMEOUT,
                                 json={"sender": f"{run}{index}", "message": turn["text"]},
                                 headers={"Authorization": f"Bearer {token}"})
            response.raise_for_status()
            faq_id = answered_entry(response.json())
            out.append({**turn, "dialogue": index, "turn": t, "kind": "answer" if faq_id else "other",
                        "faq_id": faq_id})
        return out

    try:
        with ThreadPoolExecutor(max_workers=workers) as pool:
            return [turn for turns in pool.map(one, enumerate(conversations)) for turn in turns]
    finally:
        forget(run, db_url)


def forget(prefix: str, url: Optional[str] = None) -> None:
    """Delete the evaluation's conversations: Rasa's tracker events (same database as ours when
    ``bot.run`` wrote the endpoints), counters, answer events and review items."""
    like = prefix + "%"  # EVAL_PREFIX + hex: no LIKE wildcard inside
    try:
        with session_scope(url) as session:
            for model in (ConversationRecord, AnswerEvent, ReviewItem):
                session.query(model).filter(model.conversation_id.like(like)).delete(
                    synchronize_session=False)
        with session_scope(url) as session:
            session.execute(sql("DELETE FROM events WHERE sender_id LIKE :like"), {"like": like})
    except Exception:  # noqa: BLE001 - a tracker store elsewhere: the rows stay, nothing breaks
        log.warning("could not delete the evaluation's conversations %s*", prefix, exc_info=True)


def later_turns(results: List[Mapping]) -> List[Mapping]:
    """The turns after each dialogue's first (the ones that need the context)."""
    return [r for r in results if r.get("turn", 0) > 0]


def regression_items(url: Optional[str] = None) -> List[Dict]:
    with session_scope(url) as session:
        return [{"text": r.text, "expect": r.expect}
                for r in session.query(RegressionItem).order_by(RegressionItem.id).all()]


def decide(items: List[Mapping], parse: Parse, base: FaqBase, workers: int = 2) -> List[Dict]:
    """Each item with the model's decision (``kind``) and the entry it answered with, in order
    (``workers`` parses in flight: the answer policy runs here while Rasa parses the next)."""
    def one(item: Mapping) -> Dict:
        shown = explain(item["text"], parse(item["text"]), base)
        return {**item, "kind": shown["decision"], "faq_id": shown["faq_id"]}

    with ThreadPoolExecutor(max_workers=workers) as pool:
        return list(pool.map(one, items))


def numbers(heldout: List[Mapping], turns: List[Mapping], regression: List[Mapping], base: FaqBase) -> Dict:
    """The figures stored with a version and shown in its history (``turns``: :func:`converse`)."""
    openings, later = [t for t in turns if t.get("turn", 0) == 0], later_turns(turns)
    return {"faq_top1": gate.faq_top1(heldout, base.ids), "heldout_items": len(heldout),
            "dialogue_openings_right": gate.dialogue_turns_right(openings), "dialogue_openings": len(openings),
            "dialogue_turns_right": gate.dialogue_turns_right(later), "dialogue_turns": len(later),
            "regression_right": sum(gate.is_right(r) for r in regression), "regression_items": len(regression)}
