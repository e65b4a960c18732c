"""The held-out evaluation set stays held out."""
import yaml

from bot.faq.base import load_faq_base
from bot.faq.sync import ROOT
from bot.korean.normalize import matching_key


def test_heldout_is_large_enough_and_never_trained_on():
    items = yaml.safe_load((ROOT / "tests" / "data" / "heldout.yml").read_text(encoding="utf-8"))["items"]
    base = load_faq_base()
    labels = set(base.ids) | {"request_human", "out_of_scope", "greet", "thanks", "goodbye"}
    assert len(items) >= 150 and all(item["expect"] in labels for item in items)
    assert all(sum(i["expect"] == faq_id for i in items) >= 3 for faq_id in base.ids)
    trained = _trained()
    leaked = [i["text"] for i in items if matching_key(i["text"]) in trained]
    assert not leaked, leaked


def _trained():
    trained = set()
    for path in (ROOT / "data" / "nlu").glob("*.yml"):
        for item in yaml.safe_load(path.read_text(encoding="utf-8"))["nlu"]:
            trained |= {matching_key(line[2:]) for line in item["examples"].splitlines() if line.startswith("- ")}
    return trained


def test_no_other_evaluation_set_is_trained_on():
    trained = _trained()
    for name, key in (("heldout_dialect.yml", "items"), ("offtopic.yml", "items"), ("dialogues.yml", "dialogues")):
        rows = yaml.safe_load((ROOT / "tests" / "data" / name).read_text(encoding="utf-8"))[key]
        texts = [t["text"] for d in rows for t in d["turns"]] if key == "dialogues" else [r["text"] for r in rows]
        leaked = [text for text in texts if matching_key(text) in trained]
        assert not leaked, (name, leaked[:10])
