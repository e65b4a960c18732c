"""The evaluation sets of ``make evaluate`` and the numbers reported for each.

* clean — tests/data/heldout.yml (citizen phrasings, never trained on);
* noisy — the clean set with spacing removed, typos and lengthened syllables (bot/korean/noise.py);
* dialect — tests/data/heldout_dialect.yml (경상·전라·충청 dialect and elderly speech);
* dialogues — tests/data/dialogues.yml (follow-up questions in a conversation);
* offtopic — tests/data/offtopic.yml (everyday chit-chat, complaints, off-topic questions).
"""
from __future__ import annotations

from pathlib import Path
from typing import Dict, List

import yaml

from bot.korean.noise import noisy_items

DATA = Path(__file__).resolve().parents[1] / "tests" / "data"


def _items(name: str, key: str = "items") -> List[Dict]:
    return yaml.safe_load((DATA / name).read_text(encoding="utf-8"))[key]


def load_sets() -> Dict[str, List]:
    clean = _items("heldout.yml")
    return {"clean": clean, "noisy": noisy_items(clean), "dialect": _items("heldout_dialect.yml"),
            "dialogues": _items("dialogues.yml", "dialogues"), "offtopic": _items("offtopic.yml")}


def _ratio(a: int, b: int) -> float:
    return a / b if b else float("nan")


def label(result: Dict) -> str:
    return result["faq_id"] if result["kind"] == "answer" else result["kind"]


def faq_numbers(results: List[Dict], faq_ids: set) -> Dict[str, float]:
    faq = [r for r in results if r["expect"] in faq_ids]
    return {
        "faq_items": len(faq),
        "faq_top1": _ratio(sum(label(r) == r["expect"] for r in faq), len(faq)),
        "faq_wrong_answer": _ratio(sum(r["kind"] == "answer" and r["faq_id"] != r["expect"] for r in faq), len(faq)),
        "resolved_or_clarified": _ratio(sum(label(r) == r["expect"] or r["expect"] in r.get("choices", [])
                                            for r in faq), len(faq)),
    }


def dialogue_numbers(turns: List[Dict]) -> Dict[str, float]:
    """Turns after the first: answered from the expected entry (follow-ups and topic changes)."""
    later = [t for t in turns if t["turn"] > 0]
    follow = [t for t in later if t.get("aspect") or len(t["text"]) <= 20]
    return {
        "dialogue_turns": len(later),
        "dialogue_turn_right": _ratio(sum(label(t) == t["expect"] for t in later), len(later)),
        "follow_up_turns": len(follow),
        "follow_up_right": _ratio(sum(label(t) == t["expect"] for t in follow), len(follow)),
    }


def offtopic_numbers(results: List[Dict]) -> Dict[str, float]:
    n = len(results)
    return {
        "offtopic_items": n,
        "offtopic_faq_answer": _ratio(sum(r["kind"] == "answer" for r in results), n),
        "offtopic_handoff": _ratio(sum(r["kind"] == "handoff" for r in results), n),
        "offtopic_offered_human": _ratio(sum(r["kind"] == "offer_human" for r in results), n),
        "offtopic_unsure": _ratio(sum(r["kind"] == "unsure" for r in results), n),
    }


ROWS = [
    ("clean: FAQ top-1", "clean", "faq_top1"),
    ("clean: answered with a wrong entry", "clean", "faq_wrong_answer"),
    ("noisy: FAQ top-1", "noisy", "faq_top1"),
    ("noisy: answered with a wrong entry", "noisy", "faq_wrong_answer"),
    ("dialect/elderly: FAQ top-1", "dialect", "faq_top1"),
    ("dialect/elderly: answered with a wrong entry", "dialect", "faq_wrong_answer"),
    ("dialogues: later turns right", "dialogues", "dialogue_turn_right"),
    ("dialogues: short follow-ups right", "dialogues", "follow_up_right"),
    ("off-topic: answered with an FAQ entry", "offtopic", "offtopic_faq_answer"),
    ("off-topic: opened a handoff", "offtopic", "offtopic_handoff"),
    ("off-topic: unsure, topic menu shown", "offtopic", "offtopic_unsure"),
    ("off-topic: offered a person", "offtopic", "offtopic_offered_human"),
]


def sets_table(by_pipeline: Dict[str, Dict[str, Dict[str, float]]], sizes: Dict[str, int]) -> List[str]:
    names = list(by_pipeline)
    lines = ["| set: metric | items | " + " | ".join(names) + " |", "|---|---|" + "---|" * len(names)]
    for title, set_name, key in ROWS:
        values = " | ".join(f"{by_pipeline[n][set_name][key]:.3f}" for n in names)
        lines.append(f"| {title} | {sizes[set_name]} | {values} |")
    return lines
