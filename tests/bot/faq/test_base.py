"""The FAQ base: the catalogue is complete, answered, trained, and every city fact exists."""
import re

import pytest

from bot.faq.base import ASPECTS, FaqBaseError, load_faq_base
from bot.faq.render import render_answer
from bot.korean.normalize import matching_key

CATALOGUE = {
    "water_meter_frozen": "water", "water_meter_freeze_prevention": "water", "water_bill_payment": "water",
    "water_bill_high": "water", "water_outage": "water", "water_moving_settlement": "water",
    "flu_vaccine": "health", "child_vaccination": "health", "health_certificate": "health",
    "health_checkup": "health", "health_center_info": "health", "passport_new": "passport",
    "passport_fee": "passport", "passport_urgent": "passport", "passport_pickup": "passport",
    "illegal_parking_report": "parking", "parking_fine_payment": "parking",
    "parking_fine_objection": "parking", "towed_vehicle": "parking", "library_membership": "library",
    "library_hours": "library", "library_loan_rules": "library", "library_book_request": "library",
    "property_tax": "tax", "car_tax": "tax", "car_tax_annual_prepay": "tax", "local_income_tax": "tax",
    "tax_certificate": "tax", "household_waste_schedule": "waste", "bulky_waste": "waste",
    "food_waste": "waste", "recycling": "waste", "illegal_dumping_report": "waste",
    "resident_registration_copy": "civil", "moving_in_report": "civil", "seal_certificate": "civil",
    "family_relation_certificate": "civil", "elderly_wellness_call": "welfare", "basic_pension": "welfare",
    "streetlight_report": "road", "pothole_report": "road", "callcenter_info": "general",
}
URL_OR_PHONE = re.compile(r"(www\.|https?://|\.go\.kr|\.or\.kr|\b\d{2,4}-\d{3,4}-\d{4}\b|\b1[0-9]{3}-\d{4}\b)")


@pytest.fixture(scope="module")
def base():
    return load_faq_base()


def test_every_catalogue_id_is_present_in_its_category(base):
    for faq_id, category in CATALOGUE.items():
        entry = base.get(faq_id)
        assert entry is not None, faq_id
        assert entry.category == category, faq_id


def test_ids_are_unique(base):
    assert len(base.ids) == len(set(base.ids))


def test_every_entry_is_answered_and_trained(base):
    for entry in base.entries:
        assert len(entry.answer) >= 40, entry.id
        assert entry.keywords, entry.id
        assert entry.aspects and set(entry.aspects) <= set(ASPECTS), entry.id
        assert len(set(entry.examples)) >= 12, entry.id


def test_no_phrasing_is_shared_between_entries(base):
    owner = {}
    for entry in base.entries:
        for text in (entry.question,) + entry.examples:
            key = matching_key(text)
            assert owner.setdefault(key, entry.id) == entry.id, f"{text!r} in {owner[key]} and {entry.id}"


def test_city_facts_exist_and_answers_do_not_hard_code_them(base):
    for entry in base.entries:
        assert not URL_OR_PHONE.search(entry.answer), f"{entry.id}: write URLs/phones in city.yml"
        for key in entry.placeholders:
            assert key in base.city.facts, f"{entry.id}: {{{key}}}"
        assert entry.department in base.city.departments


def test_rendered_answers_have_no_placeholders_left(base):
    for entry in base.entries:
        text = render_answer(entry, base.city)
        assert "{" not in text and "}" not in text, entry.id
        assert base.city.departments[entry.department].name in text


def test_city_file_is_marked_for_verification():
    from bot.faq.base import CITY_PATH

    head = CITY_PATH.read_text(encoding="utf-8")[:2000]
    assert "VERIFY BEFORE GOING LIVE" in head and "확인 필요" in head


def test_invalid_base_reports_every_problem(tmp_path):
    (tmp_path / "faq").mkdir()
    (tmp_path / "faq" / "x.yml").write_text(
        "category: x\nlabel: 엑스\nentries:\n"
        "  - id: a\n    question: 질문\n    answer: 답 {missing_fact}\n    department: nowhere\n"
        "    aspects: [fee, colour]\n  - id: a\n    question: q\n    answer: a\n    department: d\n",
        encoding="utf-8")
    (tmp_path / "city.yml").write_text("facts: {}\ndepartments:\n  d: {name: 부서}\n", encoding="utf-8")
    with pytest.raises(FaqBaseError) as err:
        load_faq_base(tmp_path / "faq", tmp_path / "city.yml")
    message = str(err.value)
    for expected in ("duplicate FAQ id 'a'", "department 'nowhere'", "{missing_fact}", "unknown aspect 'colour'"):
        assert expected in message


def test_a_city_fact_marked_unverified_is_left_out_like_the_old_marker(tmp_path):
    from bot.faq.base import load_city
    from bot.faq.render import fill_facts

    path = tmp_path / "city.yml"
    path.write_text("facts:\n"
                    "  old_ok: 정부24(www.gov.kr)\n"
                    "  old_todo: 확인 필요\n"
                    "  new_ok: {value: 상록구청 민원실, verified: true, verified_by: editor, verified_at: 2026-11-30}\n"
                    "  new_todo: {value: 시청 1층, verified: false, note: 위치}\n"
                    "  new_empty: {value: '', verified: false}\n"
                    "departments: {}\n", encoding="utf-8")
    city = load_city(path)
    assert [k for k in city.facts if city.is_verified(k)] == ["old_ok", "new_ok"]
    assert city.details["new_ok"].verified_by == "editor" and city.details["new_ok"].verified_at == "2026-11-30"
    assert city.details["new_todo"].note == "위치" and city.facts["new_todo"] == "시청 1층"
    assert fill_facts("접수처({new_todo})에서 신청해요.\n장소: {new_ok}", city) == "접수처에서 신청해요.\n장소: 상록구청 민원실"


def test_the_city_file_records_who_verified_each_fact():
    from bot.faq.base import load_city

    city = load_city()
    assert city.details and all(d.verified == city.is_verified(k) for k, d in city.details.items())
    assert not any(d.verified for d in city.details.values() if not d.value)  # no value was invented
