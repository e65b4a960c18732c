"""Contract of SentenceEmbeddingFeaturizer (Rasa 3 GraphComponent)."""
import numpy as np
import pytest
from rasa.engine.graph import GraphComponent
from rasa.shared.nlu.constants import FEATURE_TYPE_SENTENCE, FEATURE_TYPE_SEQUENCE, TEXT
from rasa.shared.nlu.training_data.message import Message
from rasa.shared.nlu.training_data.training_data import TrainingData

from bot.embeddings.model import encode_queries
from bot.nlu.sentence_featurizer import SentenceEmbeddingFeaturizer
from tests.bot.nlu.conftest import ALIAS


def make(config=None, context=None, storage=None):
    merged = {**SentenceEmbeddingFeaturizer.get_default_config(), **(config or {})}
    return SentenceEmbeddingFeaturizer.create(merged, storage, None, context)


def test_is_a_graph_component_with_defaults_and_packages():
    assert issubclass(SentenceEmbeddingFeaturizer, GraphComponent)
    config = SentenceEmbeddingFeaturizer.get_default_config()
    assert config["model"] is None and config["backend"] is None and config["batch_size"] >= 1 and "alias" in config
    assert set(SentenceEmbeddingFeaturizer.required_packages()) == {"onnxruntime", "tokenizers"}


@pytest.mark.parametrize("backend", ["onnx", "torch"])
def test_the_configured_backend_encodes_whatever_the_environment_says(context, storage, monkeypatch, backend):
    other = "torch" if backend == "onnx" else "onnx"
    monkeypatch.setattr("bot.settings.EMBEDDING_BACKEND", other)
    message = Message(data={TEXT: "계량기가 얼어서 터졌어요"})
    make({"alias": ALIAS, "backend": backend}, context, storage).process([message])
    vector = message.features[0].features[0]
    np.testing.assert_allclose(vector, encode_queries([message.get(TEXT)], backend=backend)[0], atol=1e-5)
    assert not np.allclose(vector, encode_queries([message.get(TEXT)], backend=other)[0], atol=1e-4)


def test_creating_the_component_loads_the_encoder(context, storage, monkeypatch):
    """The first message after start-up must not be the one that loads the model."""
    import bot.embeddings.model as model

    monkeypatch.setattr(model, "_onnx_encoders", {})
    make({"alias": ALIAS, "backend": "onnx"}, context, storage)
    assert list(model._onnx_encoders) == [model.onnx_directory()]


def test_adds_one_normalized_sentence_feature(context, storage):
    featurizer = make({"alias": ALIAS}, context, storage)
    message = Message(data={TEXT: "여권 발급 수수료가 얼마예요?"})
    featurizer.process([message])
    sentence = message.get_dense_features(TEXT, [ALIAS])[1]
    assert message.get_dense_features(TEXT, [ALIAS])[0] is None  # no sequence features
    vector = sentence.features
    assert vector.shape == (1, 384) and np.isclose(np.linalg.norm(vector), 1.0, atol=1e-4)
    np.testing.assert_allclose(vector[0], encode_queries(["여권 발급 수수료가 얼마예요?"])[0], atol=1e-5)
    [feature] = message.features
    assert (feature.origin, feature.type, feature.attribute) == (ALIAS, FEATURE_TYPE_SENTENCE, TEXT)
    assert feature.type != FEATURE_TYPE_SEQUENCE


def test_alias_defaults_to_the_node_name(context, storage):
    featurizer = make({}, context, storage)
    message = Message(data={TEXT: "안녕하세요"})
    featurizer.process([message])
    assert message.features[0].origin == context.node_name


def test_training_data_in_batches_and_odd_text(context, storage):
    featurizer = make({"alias": ALIAS, "batch_size": 2}, context, storage)
    texts = ["계량기 동파", "", "🥶🥶", "ㅋㅋㅋㅋ", "<script>alert(1)</script>"]
    data = featurizer.process_training_data(TrainingData([Message(data={TEXT: t}) for t in texts]))
    vectors = [m.features[0].features for m in data.training_examples]
    assert len(vectors) == len(texts) and all(np.isfinite(v).all() for v in vectors)


def test_message_without_text_is_left_alone(context, storage):
    message = Message(data={"intent": "greet"})
    make({"alias": ALIAS}, context, storage).process([message])
    assert message.features == []


@pytest.mark.parametrize("config", [{"batch_size": 0}, {"backend": "tensorflow"}])
def test_invalid_config_is_rejected(context, storage, config):
    with pytest.raises(ValueError):
        make(config, context, storage)


@pytest.fixture(autouse=True)
def own_training_cache(tmp_path, monkeypatch):
    """Trainings here keep their embeddings in the test's directory, not the project's."""
    monkeypatch.setattr("bot.settings.EMBEDDING_TRAIN_CACHE", str(tmp_path / "cache"))
    return tmp_path / "cache"


def test_a_retraining_encodes_only_the_new_examples(context, storage, monkeypatch, own_training_cache):
    import bot.nlu.sentence_featurizer as module

    encoded = []
    real = module.embeddings.encode_queries

    def counting(texts, *args, **kwargs):
        encoded.append(list(texts))
        return real(texts, *args, **kwargs)

    training, retraining = make({"alias": ALIAS}, context, storage), make({"alias": ALIAS}, context, storage)
    monkeypatch.setattr(module.embeddings, "encode_queries", counting)  # after the creations' warm-ups
    first = ["계량기 동파", "여권 재발급", "독감 예방접종 언제", "계량기 동파"]
    training.process_training_data(TrainingData([Message(data={TEXT: t}) for t in first]))
    assert encoded == [["계량기 동파", "여권 재발급", "독감 예방접종 언제"]]
    second = first[:3] + ["불법 주차 신고"]
    data = retraining.process_training_data(TrainingData([Message(data={TEXT: t}) for t in second]))
    assert encoded[1:] == [["불법 주차 신고"]]
    fresh = real(second)
    for message, vector in zip(data.training_examples, fresh):  # the same vectors as a fresh encoding
        np.testing.assert_allclose(message.features[0].features[0], vector, atol=1e-5)
    assert len(list(own_training_cache.glob("*.npz"))) == 1


def test_no_training_cache_when_it_is_turned_off(context, storage, monkeypatch, own_training_cache):
    monkeypatch.setattr("bot.settings.EMBEDDING_TRAIN_CACHE", "")
    data = make({"alias": ALIAS}, context, storage).process_training_data(TrainingData([Message(data={TEXT: "여권"})]))
    assert data.training_examples[0].features and not own_training_cache.exists()
