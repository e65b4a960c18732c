"""What a citizen reads: verified facts filled in, unverified ones left out, particles fitted."""
from bot.faq.base import CityFacts, Department, FaqEntry
from bot.faq.render import fill_facts, left_out, render_answer, staff_checklist

CITY = CityFacts(
    verified=False,
    facts={"office": "상록구청 민원실", "hours": "확인 필요", "site": "정부24(www.gov.kr)",
           "place": "확인 필요  # 접수처", "efamily": "전자가족관계등록시스템"},
    departments={"civil": Department("civil", "민원 담당 부서", "확인 필요"),
                 "tax": Department("tax", "세무과", "031-000-0000")},
)


def entry(answer, department="civil"):
    return FaqEntry(id="x", category="c", category_label="씨", question="질문?", answer=answer,
                    department=department, keywords=(), aspects=(), examples=())


def test_verified_facts_are_filled_with_fitting_particles():
    assert fill_facts("{office}를 찾아가세요. {site}을 이용하거나 {efamily}나 우편으로 신청해요.", CITY) == \
        "상록구청 민원실을 찾아가세요. 정부24(www.gov.kr)를 이용하거나 전자가족관계등록시스템이나 우편으로 신청해요."


def test_an_unverified_fact_in_parentheses_vanishes_with_them():
    assert fill_facts("여권 접수처({place})에서 신청해요.", CITY) == "여권 접수처에서 신청해요."
    assert fill_facts("민원실({office})에서 신청해요.", CITY) == "민원실(상록구청 민원실)에서 신청해요."


def test_a_line_with_a_bare_unverified_fact_is_left_out():
    text = "신분증을 챙기세요.\n접수 시간: {hours}\n{office}에서 받아요."
    assert fill_facts(text, CITY) == "신분증을 챙기세요.\n상록구청 민원실에서 받아요."


def test_department_phone_is_shown_only_when_verified():
    assert render_answer(entry("답이에요."), CITY).endswith("담당: 민원 담당 부서")
    assert render_answer(entry("답이에요.", "tax"), CITY).endswith("담당: 세무과 (☎ 031-000-0000)")


def test_staff_see_what_is_left_out():
    answer = "접수 시간: {hours}\n장소({place})\n{office}"
    assert left_out([entry(answer)], CITY) == {"x": ["hours", "place", "departments.civil.phone"]}
    assert staff_checklist([entry(answer)], CITY) == [
        "departments.civil.phone: x", "hours: x", "place: x"]


def test_an_answer_is_one_message_without_blank_lines_its_question_first():
    """Rasa's channels cut a text at blank lines into bubbles: an answer has none."""
    from bot.faq.render import answer_message

    text = answer_message(entry("첫 줄이에요.\n\n둘째 줄이에요.", "tax"), CITY)
    assert text.splitlines() == ["질문?", "첫 줄이에요.", "둘째 줄이에요.", "담당: 세무과 (☎ 031-000-0000)"]
