import numpy as np
import pytest

from bot.faq.retriever import Bm25, FaqIndex, RankerConfig, rank


def unit(v):
    v = np.asarray(v, dtype=np.float32)
    return v / np.linalg.norm(v)


@pytest.fixture
def index():
    return FaqIndex.build([
        ("passport_fee", unit([1, 0, 0]), ["여권", "수수료"], "여권 수수료 얼마예요"),
        ("passport_fee", unit([0.9, 0.1, 0]), ["여권", "발급", "비용"], "여권 발급 비용"),
        ("passport_new", unit([0.7, 0.7, 0]), ["여권", "신청", "서류"], "여권 신청 서류"),
        ("car_tax", unit([0, 0, 1]), ["자동차세", "납부"], "자동차세 납부"),
    ])


def test_max_cosine_per_faq(index):
    cos = index.max_cosines(unit([1, 0, 0]))
    assert index.faq_ids == ["passport_fee", "passport_new", "car_tax"]
    assert cos[0] == pytest.approx(1.0, abs=1e-6)
    assert cos[1] == pytest.approx(0.7071, abs=1e-3)
    assert cos[2] == pytest.approx(0.0, abs=1e-6)


def test_bm25_prefers_rare_matching_terms():
    bm25 = Bm25([["여권", "수수료"], ["여권", "신청"], ["자동차세"]])
    scores = bm25.normalized(["수수료", "여권"])
    assert scores[0] > scores[1] > scores[2] == 0.0
    assert 0.0 < scores[0] <= 1.0
    assert not bm25.normalized(["없는말"]).any()


def test_rank_combines_the_three_signals(index):
    config = RankerConfig(classifier_weight=0.5, dense_weight=0.35, lexical_weight=0.15,
                          cosine_floor=0.5, cosine_ceiling=1.0)
    ranked = rank(index, config, unit([1, 0, 0]), ["여권", "수수료"], {"passport_new": 0.9, "passport_fee": 0.1})
    by_id = {c.faq_id: c for c in ranked}
    assert by_id["passport_fee"].dense == pytest.approx(1.0, abs=1e-6)
    expected = 0.5 * 0.1 + 0.35 * 1.0 + 0.15 * by_id["passport_fee"].lexical
    assert by_id["passport_fee"].score == pytest.approx(expected, abs=1e-5)
    assert [c.score for c in ranked] == sorted([c.score for c in ranked], reverse=True)
    # without any signal a FAQ scores zero
    assert by_id["car_tax"].score == pytest.approx(0.0, abs=1e-6)


def test_rank_without_a_vector_uses_classifier_and_lexical(index):
    ranked = rank(index, RankerConfig(), None, ["자동차세"], {})
    assert ranked[0].faq_id == "car_tax" and ranked[0].dense == 0.0


def test_jamo_scores_survive_typos_and_missing_spaces(index):
    # 자동자세나부: 자동차세 with ㅊ→ㅈ and 납부 without its 받침, glued — no lemma matches, the jamo do
    assert not index.bm25.normalized(["자동자세나부"]).any()
    scores = index.jamo_scores("자동자세나부")
    assert index.faq_ids[int(np.argmax(scores))] == "car_tax" and 0 < scores.max() <= 1.0
    assert index.jamo_scores("여권수수료얼마").argmax() == index.faq_ids.index("passport_fee")
    assert not index.jamo_scores("").any() and not index.jamo_scores("?!").any()


def test_the_jamo_weight_adds_the_jamo_score(index):
    config = RankerConfig(classifier_weight=0.0, dense_weight=0.0, lexical_weight=0.0, jamo_weight=0.5)
    ranked = rank(index, config, None, [], {}, query_text="자동자세 나부")
    assert ranked[0].faq_id == "car_tax"
    assert ranked[0].score == pytest.approx(0.5 * ranked[0].jamo, abs=1e-6) and ranked[0].jamo > 0
    # without the text the jamo part is 0, as for a model trained before the jamo bags
    assert rank(index, config, None, [], {})[0].score == 0.0


def test_index_round_trips(index):
    copy = FaqIndex.from_parts(index.to_json(), index.to_arrays())
    np.testing.assert_allclose(copy.max_cosines(unit([0, 1, 0])), index.max_cosines(unit([0, 1, 0])))
    assert copy.bm25.normalized(["여권"]).tolist() == index.bm25.normalized(["여권"]).tolist()
    assert copy.jamo_scores("여권 수수료").tolist() == index.jamo_scores("여권 수수료").tolist()


def test_an_index_saved_without_jamo_bags_still_loads(index):
    meta = {k: v for k, v in index.to_json().items() if k != "jamo_documents"}
    old = FaqIndex.from_parts(meta, index.to_arrays())
    assert not old.jamo_scores("여권 수수료").any()
