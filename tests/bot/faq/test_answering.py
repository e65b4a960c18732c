"""The FAQ base and the answer policy are read once, at start-up (bot/faq/answering.py)."""
from bot.faq import answering


def test_load_reads_the_base_and_the_policy_that_later_calls_return(monkeypatch):
    monkeypatch.setattr(answering, "_cache", {})
    answering.load()
    base, policy = answering._cache["base"], answering._cache["policy"]
    assert base.entries and policy.answer_threshold > 0
    assert answering.faq_base() is base and answering.policy() is policy  # nothing read again
