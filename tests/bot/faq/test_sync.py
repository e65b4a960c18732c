import yaml

from bot.faq import sync
from bot.faq.base import load_faq_base


def test_generated_rasa_files_are_up_to_date():
    assert sync.stale_files(load_faq_base()) == [], "run `make data`"


def test_generated_files_cover_every_faq():
    base = load_faq_base()
    nlu = yaml.safe_load(sync.NLU_PATH.read_text(encoding="utf-8"))
    intents = {item["intent"]: item["examples"] for item in nlu["nlu"]}
    rule = yaml.safe_load(sync.RULES_PATH.read_text(encoding="utf-8"))["rules"][0]
    routed = {step["intent"] for step in rule["steps"][0]["or"]}
    domain = yaml.safe_load(sync.DOMAIN_PATH.read_text(encoding="utf-8"))
    for entry in base.entries:
        assert entry.intent in intents and entry.intent in routed and entry.intent in domain["intents"]
        examples = [line for line in intents[entry.intent].splitlines() if line.startswith("- ")]
        assert len(examples) >= 13  # the question + at least 12 phrasings
    assert {"nlu_fallback", "out_of_scope"} <= routed
    assert rule["steps"][1] == {"action": "action_answer_faq"}
