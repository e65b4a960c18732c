"""Noise as a hurried citizen types: reproducible, real, and salted apart for training."""
import sys
from pathlib import Path

from bot.faq.base import load_faq_base
from bot.faq.sync import NOISE_SALT, phrasings
from bot.korean.noise import noisy

sys.path.insert(0, str(Path(__file__).resolve().parents[3] / "scripts"))
from eval_sets import load_sets  # noqa: E402


def test_noise_is_deterministic_and_changes_the_text():
    texts = [item["text"] for item in load_sets()["clean"]]
    assert [noisy(t) for t in texts] == [noisy(t) for t in texts]
    assert sum(noisy(t) != t for t in texts) / len(texts) > 0.9
    assert sum(" " in t and " " not in noisy(t) for t in texts) / len(texts) > 0.3


def test_training_noise_differs_from_the_evaluation_noise():
    texts = [item["text"] for item in load_sets()["clean"]]
    same = sum(noisy(t, salt=NOISE_SALT) == noisy(t) for t in texts)
    assert same / len(texts) < 0.2


def test_a_noisy_evaluation_phrasing_is_never_a_training_phrasing():
    trained = {p for entry in load_faq_base().entries for p in phrasings(entry)}
    leaked = [noisy(i["text"]) for i in load_sets()["clean"] if " ".join(noisy(i["text"]).split()) in trained]
    assert not leaked, leaked[:5]
