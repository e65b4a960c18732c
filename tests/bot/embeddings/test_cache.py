"""The on-disk embedding cache used at training (bot/embeddings/cache.py)."""
import os

import numpy as np

from bot.embeddings.cache import EmbeddingCache, for_model, model_key


def fake_encoder(calls):
    """Vectors that depend only on the text (its length and first character)."""
    def encode(texts):
        calls.append(list(texts))
        return np.array([[len(t), ord(t[0]) if t else 0, 1.0] for t in texts], dtype=np.float32)
    return encode


def test_only_texts_not_stored_are_encoded_and_rows_keep_the_order(tmp_path):
    calls = []
    cache = EmbeddingCache(tmp_path, "m")
    first = cache.encode(["가", "나다", "가"], fake_encoder(calls))
    assert calls == [["가", "나다"]] and first.shape == (3, 3) and (first[0] == first[2]).all()
    again = EmbeddingCache(tmp_path, "m").encode(["나다", "라마바", "가"], fake_encoder(calls))
    assert calls[1:] == [["라마바"]]
    np.testing.assert_array_equal(again, fake_encoder([])(["나다", "라마바", "가"]))


def test_the_file_holds_only_the_last_training_set(tmp_path):
    calls = []
    EmbeddingCache(tmp_path, "m").encode(["가", "나"], fake_encoder(calls))
    EmbeddingCache(tmp_path, "m").encode(["나"], fake_encoder(calls))
    with np.load(tmp_path / "m.npz") as stored:
        assert stored["texts"].tolist() == ["나"]


def test_an_unreadable_file_means_encoding_again(tmp_path):
    (tmp_path / "m.npz").write_bytes(b"not numpy")
    calls = []
    out = EmbeddingCache(tmp_path, "m").encode(["가"], fake_encoder(calls))
    assert calls == [["가"]] and out.shape == (1, 3)
    assert EmbeddingCache(tmp_path, "m").encode(["가"], fake_encoder(calls)).shape == (1, 3) and len(calls) == 1


def test_the_key_changes_with_the_model_files_and_the_prompt(tmp_path):
    model = tmp_path / "model"
    model.mkdir()
    (model / "weights.bin").write_bytes(b"a")
    before = model_key(str(model), "query")
    assert model_key(str(model), "query") == before and model_key(str(model), "") != before
    (model / "weights.bin").write_bytes(b"ab")
    assert model_key(str(model), "query") != before
    assert model_key("intfloat/multilingual-e5-small") != model_key("intfloat/multilingual-e5-base")


def test_caching_off_without_a_directory(tmp_path):
    assert for_model(None, "m") is None and for_model("", "m") is None
    assert isinstance(for_model(tmp_path, "m"), EmbeddingCache)
    assert not os.listdir(tmp_path)  # nothing written before a training


def test_the_two_backends_never_share_a_file(tmp_path):
    from bot import settings

    torch_cache = for_model(tmp_path, settings.EMBEDDING_MODEL, "query", backend="torch")
    onnx_cache = for_model(tmp_path, settings.EMBEDDING_MODEL, "query", backend="onnx")
    assert torch_cache.path.name == f"{model_key(settings.EMBEDDING_MODEL, 'query')}.npz"  # as before
    assert onnx_cache.path != torch_cache.path
    assert for_model(tmp_path, None, "query", backend="onnx").path == onnx_cache.path
