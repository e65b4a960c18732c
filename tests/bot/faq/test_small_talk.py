"""The chat's welcome and the topic menu."""
from bot.conversation import names
from bot.faq.answering import faq_base
from bot.faq.small_talk import WELCOME_TOPICS, topic_buttons, welcome


def test_the_welcome_greets_and_offers_the_busiest_topics():
    base = faq_base()
    greeting = welcome(base)
    assert greeting["text"].startswith("안녕하세요! 안산시 민원상담 챗봇이에요.")
    assert [b["payload"] for b in greeting["buttons"]] == [names.topic_payload(t) for t in WELCOME_TOPICS]
    assert [b["title"] for b in greeting["buttons"]] == [base.categories()[t] for t in WELCOME_TOPICS]
    assert 4 <= len(greeting["buttons"]) <= 6


def test_the_full_topic_menu_has_every_category_and_skips_unknown_ones():
    base = faq_base()
    assert len(topic_buttons(base)) == len(base.categories())
    assert topic_buttons(base, ("tax", "no_such_topic")) == [{"title": "지방세", "payload": names.topic_payload("tax")}]
