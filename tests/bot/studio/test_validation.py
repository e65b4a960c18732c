"""Checks before a draft is saved: clear Korean messages, errors block, warnings do not."""
import datetime

import pytest

from bot.faq.base import load_faq_base
from bot.studio import catalog
from bot.studio.validation import MAX_ANSWER_CHARS, check_entry, check_fact, errors, ranking_problems

TODAY = datetime.date(2026, 11, 30)


@pytest.fixture(scope="module")
def base():
    return load_faq_base()


@pytest.fixture(scope="module")
def others(base):
    return {e.id: [e.question, *e.examples] for e in base.entries}


def payload(base, faq_id="passport_fee", **changes):
    entry = base.get(faq_id)
    return {"id": entry.id, "category": entry.category, "question": entry.question, "answer": entry.answer,
            "department": entry.department, "keywords": list(entry.keywords), "aspects": list(entry.aspects),
            "as_of": entry.as_of, "source": list(entry.sources), "examples": list(entry.examples), **changes}


def check(base, others, entry, **kwargs):
    kwargs.setdefault("categories", set(base.categories()))
    return check_entry(entry, base, others, today=TODAY, **kwargs)


def by_field(problems):
    return {p["field"]: p["message"] for p in problems}


def test_a_live_entry_as_it_is_has_no_problem(base, others):
    assert errors(check(base, others, payload(base))) == []


def test_the_longest_live_answer_fits_under_the_limit_with_room(base):
    assert max(len(e.answer) for e in base.entries) * 1.1 < MAX_ANSWER_CHARS


def test_empty_question_and_answer(base, others):
    problems = by_field(check(base, others, payload(base, question=" ", answer="")))
    assert problems["question"] == "질문을 입력해 주세요." and problems["answer"] == "답변을 입력해 주세요."


def test_unknown_placeholder_names_it(base, others):
    problems = errors(check(base, others, payload(base, answer="접수처({passport_ofice})에서 내요. {Gov24}")))
    messages = [p["message"] for p in problems]
    assert any(m.startswith("'{passport_ofice}'는 도시 정보에 없는 이름이에요.") for m in messages)
    assert any("{Gov24}" in m for m in messages)


def test_too_long_answer(base, others):
    problems = errors(check(base, others, payload(base, answer="가" * (MAX_ANSWER_CHARS + 1))))
    assert by_field(problems)["answer"] == f"답변이 {MAX_ANSWER_CHARS + 1}자예요. 채팅 말풍선에 맞게 {MAX_ANSWER_CHARS}자 이하로 줄여 주세요."


def test_few_examples_is_a_warning_not_an_error(base, others):
    problems = check(base, others, payload(base, examples=["여권 수수료 얼마예요 새로"]))
    assert errors(problems) == []
    assert any(p["field"] == "examples" and p["level"] == "warning" and "20개 이상" in p["message"] for p in problems)


def test_an_example_of_another_entry_is_named(base, others):
    theirs = base.get("passport_new").examples[0]
    spaced = " ".join(theirs.replace(" ", ""))  # spacing does not hide a duplicate
    entry = payload(base, examples=list(base.get("passport_fee").examples) + [spaced])
    problems = errors(check(base, others, entry))
    assert len(problems) == 1 and problems[0]["field"] == "examples"
    assert "다른 항목(passport_new)에도 있어요" in problems[0]["message"]


def test_new_id_rules(base, others):
    new = payload(base, examples=["완전히 새로운 예문"], question="새 질문이에요?")
    cases = {"Passport-Photo": "영어 소문자로 시작", "passport_fee": "이미 있는 ID", "old_entry": "폐지된 항목"}
    for faq_id, expected in cases.items():
        problems = by_field(errors(check(base, others, {**new, "id": faq_id}, creating=True,
                                         taken_ids=set(others), retired_ids={"old_entry"})))
        assert expected in problems["id"], faq_id
    assert "id" not in by_field(check(base, others, {**new, "id": "passport_photo"}, creating=True,
                                      taken_ids=set(others)))


def test_unknown_category_department_aspect_date_and_no_source(base, others):
    entry = payload(base, category="space", department="nasa", aspects=["fee", "colour"], source=[],
                    as_of="2026-13-01")
    problems = by_field(errors(check(base, others, entry)))
    assert set(problems) == {"category", "department", "aspects", "as_of", "source"}
    assert "colour" in problems["aspects"]
    future = by_field(errors(check(base, others, payload(base, as_of="2026-12-01"))))
    assert future["as_of"].startswith("확인 날짜가 오늘보다 뒤예요")


def test_city_fact_checks():
    assert check_fact("towing_fee", {"value": "", "verified": False}, {"towing_fee"}) == []
    refused = check_fact("towing_fee", {"value": "", "verified": True}, {"towing_fee"})
    assert refused[0]["field"] == "value" and "비어 있으면" in refused[0]["message"]
    assert "확인 필요" in check_fact("towing_fee", {"value": "확인 필요", "verified": True}, {"towing_fee"})[0]["message"]
    assert check_fact("nope", {"value": "x"}, {"towing_fee"})[0]["field"] == "key"


def test_ranking_warning_shows_both_entries_and_scores(base):
    parse_wrong = {"faq_ranking": [{"faq_id": "passport_new", "score": 0.71}, {"faq_id": "passport_fee", "score": 0.22}]}
    parse_right = {"faq_ranking": [{"faq_id": "passport_fee", "score": 0.9}]}
    parse_absent = {"faq_ranking": [{"faq_id": "passport_new", "score": 0.5}]}
    problems = ranking_problems("passport_fee", [("여권 새로 만드는 돈", parse_wrong), ("여권 값", parse_right),
                                                 ("여권?", parse_absent)], base)
    assert [p["example"] for p in problems] == ["여권 새로 만드는 돈", "여권?"]
    first = problems[0]
    assert first["level"] == "warning" and first["nearer"] == "passport_new"
    assert (first["nearer_score"], first["own_score"]) == (0.71, 0.22)
    assert base.get("passport_new").question in first["message"] and "0.71" in first["message"] and "0.22" in first["message"]
    assert problems[1]["own_score"] is None and "순위 밖" in problems[1]["message"]


def test_drafts_count_in_the_duplicate_check(base):
    """A phrasing drafted into one entry is a duplicate for another entry too."""
    from bot.studio.drafts import Draft

    moved = {**payload(base, "passport_new"), "examples": ["완전히 새로 쓴 예문"]}
    effective = catalog.effective_entries({"passport_new": payload(base, "passport_new")},
                                          [Draft("faq", "passport_new", "edit", moved, "editor", None)])
    assert catalog.phrasings(effective)["passport_new"][1:] == ["완전히 새로 쓴 예문"]
    problems = errors(check(base, catalog.phrasings(effective), payload(base, examples=["완전히  새로 쓴 예문"])))
    assert "passport_new" in problems[0]["message"]


def test_a_phone_number_or_url_in_the_answer_belongs_in_the_city_facts(base, others):
    for text in ("문의는 031-481-2000으로 해요.", "자세한 건 www.ansan.go.kr에서 봐요."):
        problems = errors(check(base, others, payload(base, answer=text)))
        assert problems[0]["field"] == "answer" and "도시 정보에 넣은 뒤" in problems[0]["message"]
