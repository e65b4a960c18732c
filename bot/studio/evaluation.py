"""The questions a publish is judged on, and what one model does with them.

Each question is parsed by a Rasa process (``/model/parse``) and decided by the answer policy
with that model's FAQ base (:func:`bot.studio.trial.explain`), as a fresh conversation: the
held-out set (tests/data/heldout.yml), the opening turn of each conversation test
(tests/data/dialogues.yml; later turns need the conversation's context, which a parse does not
have) and the regression set (table ``regression_items``).
"""
from __future__ import annotations

from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Callable, Dict, List, Mapping, Optional

import yaml

from bot import settings
from bot.faq.base import FaqBase
from bot.storage.db import session_scope
from bot.storage.models import RegressionItem
from bot.studio import gate
from bot.studio.trial import explain

TEST_DATA = settings.PROJECT_ROOT / "tests" / "data"
Parse = Callable[[str], Mapping]


def heldout_items(path: Path = TEST_DATA / "heldout.yml") -> List[Dict]:
    return [{"text": i["text"], "expect": i["expect"]}
            for i in yaml.safe_load(path.read_text(encoding="utf-8"))["items"]]


def dialogue_openings(path: Path = TEST_DATA / "dialogues.yml") -> List[Dict]:
    dialogues = yaml.safe_load(path.read_text(encoding="utf-8"))["dialogues"]
    return [{"text": d["turns"][0]["text"], "expect": d["turns"][0]["expect"]} for d in dialogues if d["turns"]]


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


def numbers(heldout: List[Mapping], openings: List[Mapping], regression: List[Mapping], base: FaqBase) -> Dict:
    """The figures stored with a version and shown in its history."""
    return {"faq_top1": gate.faq_top1(heldout, base.ids), "heldout_items": len(heldout),
            "dialogue_openings_right": gate.dialogue_turns_right(openings), "dialogue_openings": len(openings),
            "regression_right": sum(gate.is_right(r) for r in regression), "regression_items": len(regression)}
