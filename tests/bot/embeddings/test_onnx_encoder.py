"""The int8 ONNX Runtime encoder (EMBEDDING_BACKEND=onnx) against the torch reference."""
from concurrent.futures import ThreadPoolExecutor

import numpy as np
import pytest

from bot import settings
from bot.embeddings import model as module
from bot.embeddings.model import EmbeddingModelMissing, encode_queries, get_onnx_encoder
from bot.embeddings.onnx_encoder import OnnxEncoder, OnnxModelMissing
from tests.bot.embeddings.test_fidelity import ALL, SENTENCES


@pytest.fixture
def onnx_backend(monkeypatch):
    monkeypatch.setattr(settings, "EMBEDDING_BACKEND", "onnx")


@pytest.mark.parametrize("prompt", ["query: ", "passage: "])
def test_token_ids_equal_the_torch_models(st_model, onnx_encoder, prompt):
    """Same tokenizer file, same truncation: the head of anything longer than 512 tokens."""
    texts = [prompt + t.strip() for t in ALL] + [prompt + " ".join(SENTENCES * 3)]
    expected = [st_model.tokenizer(t, truncation=True, max_length=512)["input_ids"] for t in texts]
    assert onnx_encoder.token_ids(texts) == expected
    assert max(len(ids) for ids in expected) == 512


def test_cosine_to_the_torch_reference(st_model, onnx_encoder, onnx_backend, monkeypatch):
    ours = encode_queries(ALL)
    monkeypatch.setattr(settings, "EMBEDDING_BACKEND", "torch")
    reference = encode_queries(ALL)
    cosine = np.sum(ours * reference, axis=1)
    print(f"ONNX int8 vs torch over {len(ALL)} inputs: mean {cosine.mean():.5f} min {cosine.min():.5f}")
    assert len(ALL) >= 200
    assert cosine.mean() >= 0.99
    assert cosine.min() >= 0.97


def test_passage_prompt_matches_the_torch_model(st_model, onnx_encoder):
    texts = SENTENCES[:40]
    reference = st_model.encode(texts, prompt_name="passage", normalize_embeddings=True)
    ours = onnx_encoder.encode(texts, "passage")
    cosine = np.sum(ours * reference, axis=1)
    assert cosine.mean() >= 0.99 and cosine.min() >= 0.97


def test_the_backend_setting_selects_the_onnx_encoder(onnx_encoder, onnx_backend):
    texts = ["여권 재발급 수수료가 얼마예요?", "  수도 계량기가 얼었어요  "]
    vectors = encode_queries(texts)
    assert vectors.dtype == np.float32 and vectors.shape == (2, 384)
    np.testing.assert_allclose(np.linalg.norm(vectors, axis=1), 1.0, atol=1e-5)
    np.testing.assert_array_equal(vectors, onnx_encoder.encode(texts, "query"))
    assert encode_queries([]).shape == (0, 384)
    assert module.get_onnx_encoder() is onnx_encoder  # loaded once per process


def test_a_text_gets_the_same_vector_alone_and_among_others(onnx_backend):
    """Dynamic quantization scales a run's activations together, so every text runs alone."""
    alone = encode_queries(["동파된 계량기 교체 비용"])
    among = encode_queries(["동파된 계량기 교체 비용", " ".join(SENTENCES[:20]), "ㅋ" * 40], batch_size=64)
    np.testing.assert_array_equal(alone[0], among[0])


def test_long_input_is_truncated_to_its_head(onnx_encoder):
    long_text = " ".join(SENTENCES[i % len(SENTENCES)] for i in range(120))
    encoding = onnx_encoder._tokenizer.encode("query: " + long_text)
    assert len(encoding.ids) == 512
    head = long_text[: encoding.offsets[-2][1] - len("query: ")]
    full, head_vector = onnx_encoder.encode([long_text, head], "query")
    assert onnx_encoder.token_ids(["query: " + head]) == [encoding.ids]
    assert float(full @ head_vector) > 0.9999


def test_threads_share_one_encoder(onnx_encoder):
    texts = SENTENCES[:40]
    alone = [onnx_encoder.encode([t], "query")[0] for t in texts]
    with ThreadPoolExecutor(4) as pool:
        together = list(pool.map(lambda t: onnx_encoder.encode([t], "query")[0], texts))
    np.testing.assert_array_equal(np.stack(alone), np.stack(together))


def test_thread_count_follows_embedding_threads(monkeypatch):
    monkeypatch.setattr(settings, "EMBEDDING_THREADS", 1)
    monkeypatch.setattr(module, "_onnx_encoders", {})
    encoder = get_onnx_encoder()
    assert encoder._session.get_session_options().intra_op_num_threads == 1


def test_missing_onnx_model_names_the_build_command(tmp_path, onnx_backend):
    with pytest.raises(EmbeddingModelMissing, match="make embeddings") as error:
        encode_queries(["여권"], model_name=str(tmp_path / "no-onnx-here"))
    assert "bot.embeddings.onnx_build" in str(error.value) and "model_int8.onnx" in str(error.value)
    with pytest.raises(OnnxModelMissing, match="EMBEDDING_BACKEND=torch"):
        OnnxEncoder(tmp_path)


def test_the_torch_model_name_maps_to_the_onnx_directory():
    assert module.onnx_directory(None) == settings.EMBEDDING_ONNX_MODEL
    assert module.onnx_directory(settings.EMBEDDING_MODEL) == settings.EMBEDDING_ONNX_MODEL
    assert module.onnx_directory("/models/other-onnx") == "/models/other-onnx"
