"""Domain spelling correction, with Kiwi's real language model as the judge."""
import pytest

from bot.korean.kiwi import default_analyzer
from bot.korean.spelling import SpellingCorrector, one_jamo_apart

PHRASINGS = ["보건소 위치 알려주세요", "재산세 납부 기간", "주차 단속 과태료 이의신청", "도서관 회원증 발급",
             "대형폐기물 침대 버리는 방법", "마음이 무거워요", "아침에 사과 먹었어"]


@pytest.fixture(scope="module")
def corrector():
    analyzer = default_analyzer()
    words = [m.form for text in PHRASINGS[:5] for m in analyzer.morphemes(text) if m.tag.startswith(("NNG", "NNP"))]
    return SpellingCorrector.build(PHRASINGS, words, analyzer.score, min_gain=7.0, min_count=1)


def test_one_jamo_apart():
    assert one_jamo_apart("거", "건")  # a dropped 받침
    assert one_jamo_apart("숙", "속")  # a swapped vowel
    assert one_jamo_apart("쏘", "소")  # a doubled initial
    assert not one_jamo_apart("거", "거") and not one_jamo_apart("가", "노") and not one_jamo_apart("a", "b")


@pytest.mark.parametrize("typed, meant", [
    ("우리 동네 보거소 어디예요", "우리 동네 보건소 어디예요"),
    ("재사세신용카드로결제", "재산세신용카드로결제"),
    ("오늘도서과문열었나요", "오늘도서관문열었나요"),
    ("헌 침데 버리는 방법", "헌 침대 버리는 방법"),
])
def test_typos_of_domain_words_are_read_as_the_words(corrector, typed, meant):
    assert corrector.correct(typed) == meant
    assert len(corrector.correct(typed)) == len(typed)


@pytest.mark.parametrize("text", [
    "엄마가 입원하셔서 마음이 무거워요",  # not "다음이"
    "아침에 사과 먹으면 좋아?",  # a real word the model prefers
    "조용히 해",
    "보건소 위치 알려주세요",  # seen in training
    "여권 발급 수수료",  # nothing close
    "",
])
def test_real_words_and_known_text_are_left_alone(corrector, text):
    assert corrector.correct(text) == text
    assert corrector.corrections(text) == []


def test_each_correction_says_what_was_typed(corrector):
    [fix] = corrector.corrections("보거소 어디예요")
    assert (fix.start, fix.end, fix.typed, fix.read_as) == (0, 3, "보거소", "보건소")


def test_round_trips_through_json(corrector):
    loaded = SpellingCorrector.from_json(corrector.to_json(), default_analyzer().score)
    assert loaded.correct("재사세 납부") == corrector.correct("재사세 납부") == "재산세 납부"
    assert loaded.seen_runs() == corrector.seen_runs()


def test_a_typo_in_a_single_phrasing_is_not_known_text():
    analyzer = default_analyzer()
    phrasings = ["보건소 위치", "보건소 전화번호", "보거소 어디"]  # the last one is a noisy training copy
    corrector = SpellingCorrector.build(phrasings, ["보건소", "보건소"], analyzer.score, min_gain=7.0, min_count=2)
    assert corrector.correct("보거소 어디예요") == "보건소 어디예요"
    assert "보건소" in corrector.seen_runs() and "보거소" not in corrector.seen_runs()
