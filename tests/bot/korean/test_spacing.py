from bot.korean.kiwi import default_analyzer
from bot.korean.spacing import is_glued, respace


def test_only_long_runs_without_any_space_are_glued():
    assert is_glued("보건소주말운영함?", 8)
    assert not is_glued("보건소 주말 운영함?", 8)
    assert not is_glued("여권수수료", 8)  # short: more likely a compound than a glued sentence
    assert not is_glued("   ", 8) and not is_glued("", 1)


def test_kiwi_spaces_a_glued_question():
    space = default_analyzer().space
    assert respace("오늘도서관문열었나요", space, 8) == "오늘 도서관 문 열었나요"
    assert respace("여권 수수료 얼마예요", space, 8) == "여권 수수료 얼마예요"
    assert respace("오늘도서관문열었나요", space, 0) == "오늘도서관문열었나요"  # switched off
