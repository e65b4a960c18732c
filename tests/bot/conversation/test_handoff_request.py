"""A handoff needs an explicit request for a person, not any sentence that contains 사람."""
from __future__ import annotations

import time

import pytest
import yaml

from bot.conversation.handoff_request import is_explicit_agent_request
from bot.faq.sync import ROOT


def _general_examples():
    """(intent, example) for every example of every intent in data/nlu/general.yml."""
    for item in yaml.safe_load((ROOT / "data" / "nlu" / "general.yml").read_text(encoding="utf-8"))["nlu"]:
        for line in item["examples"].splitlines():
            line = line.strip()
            if line.startswith("- "):
                yield item["intent"], line[2:]


def _faq_phrasings():
    """Every FAQ question and example in data/faq/*.yml."""
    for path in sorted((ROOT / "data" / "faq").glob("*.yml")):
        for entry in yaml.safe_load(path.read_text(encoding="utf-8"))["entries"]:
            yield entry["question"]
            yield from entry.get("examples") or []


def _heldout():
    """(expect, text) for every item of tests/data/heldout.yml."""
    for item in yaml.safe_load((ROOT / "tests" / "data" / "heldout.yml").read_text(encoding="utf-8"))["items"]:
        yield item["expect"], item["text"]


def _requests():
    return ([text for intent, text in _general_examples() if intent == "request_human"]
            + [text for expect, text in _heldout() if expect == "request_human"])


def _non_requests():
    return ([text for intent, text in _general_examples() if intent != "request_human"]
            + list(_faq_phrasings())
            + [text for expect, text in _heldout() if expect != "request_human"])


def test_the_data_sets_are_there():
    assert len(_requests()) >= 60 and len(_non_requests()) >= 1000


def test_every_request_human_phrasing_is_an_explicit_request():
    missed = [text for text in _requests() if not is_explicit_agent_request(text)]
    assert not missed, missed


def test_no_other_phrasing_is_taken_for_a_request():
    wrong = [text for text in _non_requests() if is_explicit_agent_request(text)]
    assert not wrong, wrong


@pytest.mark.parametrize("text", [
    "다른 사람이 대신 찾아가도 되나요?",
    "여권 대리 수령 가능해요?",
    "가족이 대신 신청해도 돼요?",
    "사람이 많아요?",
    "담당자 전화번호 알려 주세요",
    "담당 부서가 어디예요?",
    "콜센터 번호가 뭐예요?",
    "상담 시간이 어떻게 돼요?",
    "본인 말고 다른 사람이 수령 가능해요?",
    "지금 사람이랑 대화하는 거예요?",
    "상담원이세요?",
    "직원한테 물어봤는데 서류가 필요하대요",
    "상담원 연결하려면 어떻게 해요?",
    "상담원 연결 번호 뭐예요",
    "대리인이 담당자랑 통화해도 돼요?",
    "가족이 대신 상담받아도 되나요?",
    "상담원이 불친절했어요",
    "what is the agent phone number",
    "",
    "   ",
])
def test_not_a_request(text):
    assert not is_explicit_agent_request(text)


@pytest.mark.parametrize("text", [
    "상담원 연결해 주세요",
    "사람이랑 얘기하고 싶어요",
    "직원 바꿔줘",
    "human please",
    "talk to a person",
    "상담원!!",
    "상담사님 ㅠㅠ",
    "상담원 연겨해주세요",
    "챗봇 대신 사람이랑 얘기할래요",
    "가족 일인데 상담원 연결해 주세요",  # an agent word outweighs a third party
    "사람이에요? 아니면 사람 바꿔 주세요",
    "/request_human",  # the "상담원 연결" button
])
def test_a_request(text):
    assert is_explicit_agent_request(text)


def test_fast_enough_for_every_prediction():
    texts = _requests()[:20] + _non_requests()[:20]
    start = time.perf_counter()
    for text in texts:
        is_explicit_agent_request(text)
    assert (time.perf_counter() - start) / len(texts) < 0.002


def test_the_answer_to_an_offer_is_a_short_yes_or_no_below_the_threshold():
    from bot.conversation.handoff_request import answer_to_offer

    yes = [{"name": "nlu_fallback", "confidence": 0.3}, {"name": "affirm", "confidence": 0.29}]
    assert answer_to_offer("네", yes) == "affirm"
    assert answer_to_offer("아뇨 됐어요", [{"name": "nlu_fallback"}, {"name": "deny"}, {"name": "affirm"}]) == "deny"
    assert answer_to_offer("네", [{"name": "nlu_fallback"}, {"name": "faq_car_tax"}, {"name": "affirm"}]) is None
    assert answer_to_offer("네", []) is None
    # a new question after the offer is not an answer to it, whatever the classifier leans to
    assert answer_to_offer("제 번호는 010-****-5678 인데 연락 가능한가요", yes) is None
