"""The publish gate: a top-1 drop beyond the allowance blocks, and so does a regression item
that the live model answered right and the candidate answers wrong (listed)."""
from bot.studio import gate

IDS = ["passport_new", "water_bill_payment", "car_tax"]


def result(text, expect, kind="answer", faq_id=None):
    return {"text": text, "expect": expect, "kind": kind, "faq_id": faq_id}


def test_top1_counts_only_items_expecting_an_faq_entry():
    results = [result("a", "passport_new", faq_id="passport_new"),
               result("b", "car_tax", "clarify"),
               result("c", "car_tax", faq_id="passport_new"),
               result("d", "out_of_scope", "out_of_scope")]
    assert gate.faq_top1(results, IDS) == 1 / 3


def test_a_drop_of_more_than_one_point_blocks():
    verdict = gate.judge(0.900, 0.885, [], [], max_drop_points=1.0)
    assert not verdict.passed
    assert "90.0%에서 88.5%로 1.5%p" in verdict.reasons[0]


def test_a_drop_within_one_point_passes_and_a_gain_passes():
    assert gate.judge(0.900, 0.890, [], [], max_drop_points=1.0).passed
    assert gate.judge(0.800, 0.950, [], [], max_drop_points=1.0).passed


def test_a_regression_item_that_turns_wrong_is_listed_and_blocks():
    live = [result("여권 새로 만들래요", "passport_new", faq_id="passport_new"),
            result("수도요금 카드로", "water_bill_payment", faq_id="passport_new"),  # wrong already
            result("주식 추천해줘", "out_of_scope", "out_of_scope")]
    candidate = [result("여권 새로 만들래요", "passport_new", faq_id="car_tax"),
                 result("수도요금 카드로", "water_bill_payment", faq_id="car_tax"),
                 result("주식 추천해줘", "out_of_scope", faq_id="car_tax")]
    verdict = gate.judge(0.9, 0.95, live, candidate, max_drop_points=1.0)
    assert not verdict.passed
    assert verdict.regressions == [
        {"text": "여권 새로 만들래요", "expect": "passport_new", "live": "passport_new", "candidate": "car_tax"},
        {"text": "주식 추천해줘", "expect": "out_of_scope", "live": "out_of_scope", "candidate": "car_tax"}]
    assert "회귀 질문 2개" in verdict.reasons[-1]


def test_an_item_wrong_before_and_after_is_no_regression():
    live = [result("x", "car_tax", "clarify")]
    assert gate.judge(0.9, 0.9, live, [result("x", "car_tax", "unsure")]).passed


def test_out_of_scope_is_right_when_declined_in_any_way():
    for kind in ("out_of_scope", "small_talk", "unsure", "offer_human"):
        assert gate.is_right(result("주식", "out_of_scope", kind))
    assert not gate.is_right(result("주식", "out_of_scope", "answer", "car_tax"))


def test_the_conversation_tests_in_context_are_gated_too():
    blocked = gate.judge(0.9, 0.9, [], [], max_drop_points=1.0, live_dialogue=0.80, candidate_dialogue=0.75,
                         max_dialogue_drop=2.0)
    assert not blocked.passed and "대화 테스트(이어지는 질문) 정답률이 80.0%에서 75.0%로 5.0%p" in blocked.reasons[0]
    assert gate.judge(0.9, 0.9, [], [], live_dialogue=0.80, candidate_dialogue=0.79, max_dialogue_drop=2.0).passed
    assert gate.judge(0.9, 0.9, [], [], live_dialogue=None, candidate_dialogue=0.1).passed  # not measured


def test_the_entry_a_rest_reply_answered_with_and_the_later_turns():
    from bot.studio.evaluation import answered_entry, later_turns

    replies = [{"recipient_id": "x", "text": "여권 수수료는…", "custom": {"faq": {"faq_id": "passport_fee"}}}]
    assert answered_entry(replies) == "passport_fee"
    assert answered_entry([{"text": "무슨 말씀인지 모르겠어요", "buttons": []}]) is None
    assert answered_entry([]) is None
    turns = [{"turn": 0, "expect": "a"}, {"turn": 1, "expect": "a"}, {"turn": 0, "expect": "b"}]
    assert later_turns(turns) == [turns[1]]
