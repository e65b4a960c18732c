import pytest

from bot.faq.base import load_faq_base
from bot.faq.policy import (ANSWER, CLARIFY, OFFER_HUMAN, OUT_OF_SCOPE, SMALL_TALK, PolicyConfig, bare_topic,
                            decide, load_policy)
from bot.faq.retriever import Candidate

CONFIG = PolicyConfig(answer_threshold=0.55, answer_margin=0.1, clarify_threshold=0.3,
                      choice_threshold=0.2, max_choices=3, out_of_scope_confidence=0.5)


@pytest.fixture(scope="module")
def base():
    return load_faq_base()


def c(faq_id, score):
    return Candidate(faq_id, score, score, 0.0, 0.0)


def ranking(*pairs):
    return [{"name": name, "confidence": conf} for name, conf in pairs]


def test_confident_top_is_answered(base):
    d = decide([c("passport_fee", 0.8), c("passport_new", 0.3)], ranking(("faq_passport_fee", 0.9)), "여권 수수료", base, CONFIG)
    assert (d.kind, d.faq_ids) == (ANSWER, ["passport_fee"])


def test_close_candidates_are_clarified_with_at_most_three(base):
    ranked = [c("passport_fee", 0.6), c("passport_new", 0.55), c("passport_urgent", 0.4),
              c("passport_pickup", 0.35), c("car_tax", 0.1)]
    d = decide(ranked, ranking(("faq_passport_fee", 0.5)), "여권 때문에 물어볼 게 있어요", base, CONFIG)
    assert d.kind == CLARIFY and d.faq_ids == ["passport_fee", "passport_new", "passport_urgent"]


@pytest.mark.parametrize("text, word", [("세금", "세금"), ("여권은요?", "여권"), (" 쓰레기요~ ", "쓰레기"),
                                        ("세금요ㅠㅠ", "세금"), ("세금 언제 내요", ""), ("자동차세 내는 법", "")])
def test_a_bare_topic_is_one_word_and_nothing_else(text, word):
    assert bare_topic(text) == word


def test_a_bare_topic_word_matching_several_entries_offers_them_all(base):
    """"세금" alone: the five tax entries near the top are choices, even with one clearly first."""
    ranked = [c("property_tax", 0.7), c("car_tax", 0.52), c("local_income_tax", 0.48), c("resident_tax", 0.45),
              c("acquisition_tax", 0.42), c("tax_certificate", 0.41), c("passport_fee", 0.1)]
    d = decide(ranked, ranking(("faq_property_tax", 0.6)), "세금", base, CONFIG)
    assert d.kind == CLARIFY and d.faq_ids == ["property_tax", "car_tax", "local_income_tax", "resident_tax",
                                               "acquisition_tax"]


def test_a_bare_topic_word_with_one_clear_entry_is_answered(base):
    d = decide([c("resident_registration_copy", 0.85), c("seal_certificate", 0.3)],
               ranking(("faq_resident_registration_copy", 0.8)), "등본", base, CONFIG)
    assert (d.kind, d.faq_ids) == (ANSWER, ["resident_registration_copy"])


def test_weak_match_offers_a_human(base):
    d = decide([c("car_tax", 0.2)], ranking(("nlu_fallback", 0.3), ("faq_car_tax", 0.2)), "음 그러니까 그거요", base, CONFIG)
    assert d.kind == OFFER_HUMAN and d.faq_ids == []


def test_out_of_scope_needs_the_classifier_and_no_good_faq(base):
    oos = ranking(("out_of_scope", 0.8), ("faq_car_tax", 0.1))
    assert decide([c("car_tax", 0.1)], oos, "오늘 날씨 어때", base, CONFIG).kind == OUT_OF_SCOPE
    assert decide([c("car_tax", 0.9)], oos, "자동차세 언제 내요", base, CONFIG).kind == ANSWER
    # below the fallback threshold, out_of_scope as the best real intent still declines
    fallback = ranking(("nlu_fallback", 0.3), ("out_of_scope", 0.25), ("faq_car_tax", 0.1))
    assert decide([c("car_tax", 0.1)], fallback, "주식 뭐 살까", base, CONFIG).kind == OUT_OF_SCOPE
    unclear = ranking(("nlu_fallback", 0.3), ("faq_car_tax", 0.2), ("out_of_scope", 0.1))
    assert decide([c("car_tax", 0.1)], unclear, "그거 있잖아요", base, CONFIG).kind == OFFER_HUMAN


def test_follow_up_uses_the_previous_category(base):
    previous = base.get("passport_new")
    d = decide([c("health_certificate", 0.4), c("passport_fee", 0.35)], ranking(("faq_health_certificate", 0.4)),
               "그럼 수수료는요?", base, CONFIG, previous)
    assert (d.kind, d.faq_ids, d.follow_up) == (ANSWER, ["passport_fee"], True)


def test_follow_up_does_not_override_a_clear_new_question(base):
    previous = base.get("passport_new")
    d = decide([c("car_tax", 0.9), c("passport_fee", 0.1)], ranking(("faq_car_tax", 0.95)),
               "자동차세 수수료는요?", base, CONFIG, previous)
    assert d.faq_ids == ["car_tax"]


def test_policy_file_loads_with_every_value():
    config = load_policy()
    # clarify == answer is allowed: then only a small lead over the runner-up asks which one
    assert 0 < config.choice_threshold <= config.clarify_threshold <= config.answer_threshold <= 1
    assert config.ranker.cosine_floor < config.ranker.cosine_ceiling


def test_small_talk_with_a_city_keyword_is_not_answered_from_the_faq(base):
    """An FAQ answer needs a matching topic and a sure classifier."""
    talk = ranking(("chitchat", 0.7), ("faq_moving_in_report", 0.2))
    d = decide([Candidate("moving_in_report", 0.6, 0.2, 0.9, 0.3)], talk, "오늘 이사해서 피곤해", base, CONFIG)
    assert (d.kind, d.talk) == (SMALL_TALK, "chitchat")
    sure = ranking(("faq_moving_in_report", 0.6), ("chitchat", 0.35))
    d = decide([Candidate("moving_in_report", 0.8, 0.6, 0.9, 0.3)], sure, "이사 왔는데 전입신고 어떻게 해요", base, CONFIG)
    assert (d.kind, d.faq_ids) == (ANSWER, ["moving_in_report"])


def test_complaints_about_the_bot_are_small_talk(base):
    d = decide([c("car_tax", 0.1)], ranking(("bot_complaint", 0.8)), "말귀를 못 알아듣네", base, CONFIG)
    assert (d.kind, d.talk) == (SMALL_TALK, "bot_complaint")


def test_a_follow_up_without_an_aspect_takes_the_best_entry_of_the_topic(base):
    previous = base.get("water_meter_frozen")
    ranked = [c("water_meter_frozen", 0.42), c("water_meter_freeze_prevention", 0.40), c("car_tax", 0.38)]
    d = decide(ranked, ranking(("nlu_fallback", 0.4), ("faq_water_meter_frozen", 0.3)), "다음엔 안 얼게 하려면요?",
               base, CONFIG, previous)
    assert d.follow_up and d.kind == ANSWER and d.faq_ids[0].startswith("water_meter")
    ranked = [c("car_tax", 0.42), c("water_meter_freeze_prevention", 0.40)]
    d = decide(ranked, ranking(("nlu_fallback", 0.4)), "다음엔 안 얼게 하려면요?", base, CONFIG, previous)
    assert (d.kind, d.faq_ids, d.follow_up) == (ANSWER, ["water_meter_freeze_prevention"], True)


def test_small_talk_after_an_answer_is_not_a_follow_up(base):
    previous = base.get("water_meter_frozen")
    d = decide([c("water_meter_frozen", 0.4)], ranking(("chitchat", 0.6)), "ㅋㅋ 그렇군요", base, CONFIG, previous)
    assert (d.kind, d.follow_up) == (SMALL_TALK, False)


def test_by_the_way_opens_a_new_topic(base):
    previous = base.get("passport_new")
    d = decide([c("water_bill_payment", 0.5), c("passport_fee", 0.45)], ranking(("faq_water_bill_payment", 0.4)),
               "그건 그렇고 요금은요?", base, CONFIG, previous)
    assert not d.follow_up


def test_the_classifier_leaning_to_small_talk_rules_out_an_answer(base):
    talk = ranking(("nlu_fallback", 0.4), ("chitchat", 0.25), ("faq_bulky_waste", 0.05))
    d = decide([Candidate("bulky_waste", 0.7, 0.05, 0.9, 0.4)], talk, "대청소하고 쓰레기 세 봉투 나옴", base, CONFIG)
    assert (d.kind, d.talk) == (SMALL_TALK, "chitchat")
    off = ranking(("nlu_fallback", 0.4), ("out_of_scope", 0.3), ("faq_callcenter_info", 0.1))
    d = decide([Candidate("callcenter_info", 0.7, 0.1, 0.9, 0.4)], off, "보험사 콜센터 번호", base, CONFIG)
    assert d.kind == OUT_OF_SCOPE
