"""Contract of the Korean spaCy pipeline: text round-trips, lemmas, entities, persistence."""
import pytest

from bot.korean.lexicon import load_lexicon
from bot.korean.spacy_pipeline import build, build_pipeline


@pytest.fixture(scope="module")
def nlp():
    return build_pipeline(load_lexicon())


@pytest.mark.parametrize("text", [
    "상록구 본오1동 주민센터에서 주민등록등본 뗄수있나요",
    "  앞뒤 공백  과\t탭 ",
    "",
    "🥶🥶 계량기 ㅠㅠ",
    "<b>수도요금</b> 010-****-5678",
])
def test_doc_text_round_trips(nlp, text):
    assert nlp(text).text == text


def test_tokens_carry_lemma_tag_and_pos(nlp):
    doc = nlp("계량기가 동파됐어요")
    assert [(t.text, t.lemma_) for t in doc][:4] == [("계량기", "계량기"), ("가", "가"), ("동파", "동파"), ("됐", "되다")]
    assert doc[0].tag_ == "NNG" and doc[0].pos_ == "NOUN"


def test_entity_ruler_finds_districts_dongs_facilities_documents(nlp):
    doc = nlp("단원구 고잔동 사는데 보건소에서 보건증 발급돼요? 상록구 본오1동 주민센터 인감증명서")
    found = {(e.text, e.label_) for e in doc.ents}
    assert {("단원구", "district"), ("고잔동", "dong"), ("보건소", "facility"), ("보건증", "document"),
            ("상록구", "district"), ("본오1동", "dong"), ("주민센터", "facility"),
            ("인감증명서", "document")} <= found


def test_saved_pipeline_loads_with_spacy_load(tmp_path):
    import spacy

    out = build(tmp_path / "ko_ansan")
    loaded = spacy.load(out)
    assert [t.lemma_ for t in loaded("동파됐어요")][:2] == ["동파", "되다"]
    assert {e.label_ for e in loaded("상록구 보건소").ents} == {"district", "facility"}
    assert build(out) == out  # unchanged lexicon: no rebuild
