"""The citizen's last real question (queue cards, suggested answers), not the request for a person."""
from bot.conversation.question import is_question, last_question


def user(text, intent=None):
    return {"event": "user", "text": text, "parse_data": {"intent": {"name": intent} if intent else {}}}


def test_the_request_for_a_person_is_not_the_question():
    events = [user("여권 발급 수수료가 얼마예요?", "faq_passport_fee"), {"event": "bot", "text": "…"},
              user("상담원 연결해 주세요", "request_human")]
    assert last_question(events) == "여권 발급 수수료가 얼마예요?"


def test_yes_no_greetings_and_waiting_noises_are_skipped():
    events = [user("수도요금이 너무 많이 나왔어요 010-1234-5678", "faq_water_bill"), user("네", "affirm"),
              user("사람이랑 얘기하고 싶어요"), user("여보세요?"), user("아직이에요? ㅠㅠ"), user("감사합니다", "thanks")]
    assert last_question(events) == "수도요금이 너무 많이 나왔어요 010-****-5678"


def test_a_question_asked_while_waiting_counts_and_an_faq_button_reads_as_its_question():
    assert last_question([user("상담원"), user("주차 단속 문자가 왔는데 이의신청 하고 싶어요")]) \
        == "주차 단속 문자가 왔는데 이의신청 하고 싶어요"
    assert last_question([user("/faq_passport_fee"), user("/request_human")]) == "여권 발급 수수료는 얼마인가요?"


def test_no_question_at_all():
    assert last_question([user("상담원 연결해 주세요", "request_human")]) is None
    assert last_question([]) is None
    assert not is_question("ㅇㅇ") and not is_question("/request_human") and is_question("요금 문의")
