import pytest

from bot.korean.kiwi import KiwiAnalyzer
from bot.korean.lexicon import load_lexicon


@pytest.fixture(scope="module")
def analyzer():
    return KiwiAnalyzer(load_lexicon().user_words)


@pytest.mark.parametrize("word", ["동파", "보건증", "연납", "전입신고", "포트홀"])
def test_domain_words_stay_whole(analyzer, word):
    texts = [s.lemma for s in analyzer.segments(f"{word} 문의드려요")]
    assert texts[0] == word


def test_segments_are_text_slices_with_lemmas(analyzer):
    text = "계량기가 동파됐어요ㅠㅠ 🥶🥶 어떻게 해요??"
    segments = analyzer.segments(text)
    assert [text[s.start:s.end] for s in segments][:5] == ["계량기", "가", "동파", "됐", "어요"]
    assert segments[3].lemma == "되다" and segments[3].pos == "VERB"
    covered = {i for s in segments for i in range(s.start, s.end)}
    assert covered == {i for i, ch in enumerate(text) if not ch.isspace()}
    assert all(a.end <= b.start for a, b in zip(segments, segments[1:]))


@pytest.mark.parametrize("text", ["", "   ", "🥶", "<script>alert(1)</script>", "民願 相談", "ＡＢＣ　１２３", "ㅋㅋㅋㅋ"])
def test_odd_input_is_covered(analyzer, text):
    segments = analyzer.segments(text)
    covered = {i for s in segments for i in range(s.start, s.end)}
    assert covered == {i for i, ch in enumerate(text) if not ch.isspace()}


def test_fullwidth_is_read_as_ascii(analyzer):
    assert [s.lemma for s in analyzer.segments("ＡＢＣ")] == ["abc"]
