from bot.korean.jamo import jamo_letters, jamo_ngrams


def test_syllables_become_their_letters_and_spaces_go():
    assert jamo_letters("보건소 가요") == "ㅂㅗㄱㅓㄴㅅㅗㄱㅏㅇㅛ"
    assert jamo_letters("B형 간염 2차!") == "bㅎㅕㅇㄱㅏㄴㅇㅕㅁ2ㅊㅏ"


def test_a_one_letter_typo_keeps_most_ngrams():
    right, typo = set(jamo_ngrams("보건소에서")), set(jamo_ngrams("보거소에서"))
    assert len(right & typo) >= len(right) // 2
    assert set(jamo_ngrams("보건소 어디")) == set(jamo_ngrams("보건소어디"))  # spacing does not matter


def test_short_and_empty_texts():
    assert jamo_ngrams("") == [] and jamo_ngrams("?!") == []
    assert jamo_ngrams("가") == ["ㄱㅏ"]
    assert jamo_ngrams("가나다", n=4) == ["ㄱㅏㄴㅏ", "ㅏㄴㅏㄷ", "ㄴㅏㄷㅏ"]
