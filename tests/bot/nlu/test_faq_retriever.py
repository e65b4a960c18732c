"""Contract of FaqRetriever (Rasa 3 GraphComponent): train, persist, load, process."""
import json

import pytest
from rasa.engine.graph import GraphComponent
from rasa.engine.storage.resource import Resource
from rasa.shared.nlu.constants import INTENT_RANKING_KEY

from bot.nlu.faq_retriever import RANKING_KEY, FaqRetriever, content_lemmas
from tests.bot.nlu.conftest import ALIAS, EXAMPLES


def config(**extra):
    return {**FaqRetriever.get_default_config(), "featurizer": ALIAS, **extra}


@pytest.fixture
def trained(prepare, storage, context):
    resource = Resource("faq_retriever")
    component = FaqRetriever.create(config(), storage, resource, context)
    assert component.train(prepare(EXAMPLES, training=True)) == resource
    return resource


def test_is_a_graph_component():
    assert issubclass(FaqRetriever, GraphComponent)
    assert FaqRetriever.get_default_config()["top_k"] >= 3
    assert FaqRetriever.required_packages() == ["numpy"]


def test_content_lemmas_come_from_the_kiwi_tokens(prepare):
    message = prepare([("계량기가 동파됐어요 ㅠㅠ", None)], training=False)[0]
    assert content_lemmas(message)[:3] == ["계량기", "동파", "되다"]


def test_persisted_index_ranks_faqs(trained, prepare, storage, context):
    with storage.read_from(trained) as directory:
        assert {p.name for p in directory.iterdir()} == {"index.json", "index.npz"}
        assert json.loads((directory / "index.json").read_text())["faq_ids"] == [
            "passport_fee", "passport_new", "water_meter_frozen"]  # only FAQ intents
    loaded = FaqRetriever.load(config(), storage, trained, context)
    message = prepare([("계량기 얼어서 깨졌는데 어디에 신고해요", None)], training=False)[0]
    message.set(INTENT_RANKING_KEY, [{"name": "faq_water_meter_frozen", "confidence": 0.7},
                                     {"name": "greet", "confidence": 0.2}])
    loaded.process([message])
    ranking = message.get(RANKING_KEY)
    assert ranking[0]["faq_id"] == "water_meter_frozen" and len(ranking) == 3
    assert ranking[0]["classifier"] == pytest.approx(0.7) and 0 < ranking[0]["dense"] <= 1
    assert [r["score"] for r in ranking] == sorted((r["score"] for r in ranking), reverse=True)
    json.dumps(ranking)  # plain JSON for the tracker
    assert RANKING_KEY in message.as_dict(only_output_properties=True)


def test_top_k_limits_the_ranking(trained, prepare, storage, context):
    loaded = FaqRetriever.load(config(top_k=1), storage, trained, context)
    message = prepare([("여권 수수료", None)], training=False)[0]
    loaded.process([message])
    assert len(message.get(RANKING_KEY)) == 1


def test_without_a_persisted_index_the_ranking_is_empty(prepare, storage, context):
    loaded = FaqRetriever.load(config(), storage, Resource("never_trained"), context)
    message = prepare([("여권 수수료", None)], training=False)[0]
    loaded.process([message])
    assert message.get(RANKING_KEY) == []


def test_training_needs_the_sentence_features(prepare, storage, context):
    data = prepare(EXAMPLES, training=True)
    wrong = FaqRetriever.create(config(featurizer="other_alias"), storage, Resource("x"), context)
    with pytest.raises(ValueError, match="no sentence features"):
        wrong.train(data)
