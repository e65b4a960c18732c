"""The evaluation sets: every set is labelled with known ids and large enough.

That no set leaks into training is tests/test_heldout.py."""
import sys
from pathlib import Path

from bot.faq.base import load_faq_base

sys.path.insert(0, str(Path(__file__).resolve().parents[2] / "scripts"))
from eval_sets import load_sets  # noqa: E402


def test_sets_are_large_enough_and_labelled_with_known_ids():
    sets = load_sets()
    ids = set(load_faq_base().ids)
    known = ids | {"request_human", "out_of_scope", "greet", "thanks", "goodbye"}
    assert len(sets["offtopic"]) >= 500
    assert len(sets["dialogues"]) >= 40
    assert all(2 <= len(d["turns"]) <= 4 for d in sets["dialogues"])
    assert {t["expect"] for d in sets["dialogues"] for t in d["turns"]} <= ids
    assert {item["expect"] for item in sets["dialect"]} <= ids
    assert {item["expect"] for item in sets["clean"]} <= known
