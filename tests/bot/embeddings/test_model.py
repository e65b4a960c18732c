"""The built model directory, its build step and the EMBEDDING_MODEL setting."""
import json

import numpy as np
import pytest

from bot import settings
from bot.embeddings import build as builder
from bot.embeddings.model import EmbeddingModelMissing, encode_queries, get_model


def test_built_directory_is_a_plain_sentence_transformers_model():
    from sentence_transformers import SentenceTransformer

    path = settings.DEFAULT_EMBEDDING_MODEL_DIR
    modules = json.loads((path / "modules.json").read_text())
    assert [m["type"].rsplit(".", 1)[-1] for m in modules] == ["Transformer", "Pooling", "Normalize"]
    assert (path / "model.safetensors").exists() and (path / "tokenizer.json").exists()
    plain = SentenceTransformer(str(path), device="cpu")  # no custom code, no extra arguments
    assert plain.prompts["query"] == "query: " and plain.prompts["passage"] == "passage: "
    assert plain.get_embedding_dimension() == 384
    vector = plain.encode(["여권 수수료"], prompt_name="query", normalize_embeddings=True)
    np.testing.assert_allclose(vector, encode_queries(["여권 수수료"]), atol=1e-5)


def test_build_is_cached(capsys):
    out = settings.DEFAULT_EMBEDDING_MODEL_DIR
    before = (out / "model.safetensors").stat().st_mtime
    assert builder.build(out) == out
    assert "up to date" in capsys.readouterr().out
    assert (out / "model.safetensors").stat().st_mtime == before


def test_missing_model_names_the_build_command(tmp_path):
    with pytest.raises(EmbeddingModelMissing, match="make embeddings"):
        get_model(str(tmp_path / "no-model-here"))


def test_unreachable_hub_name_gives_a_clear_error(monkeypatch):
    monkeypatch.setenv("HF_HUB_OFFLINE", "1")
    with pytest.raises(EmbeddingModelMissing, match="EMBEDDING_MODEL"):
        get_model("someone/model-that-is-not-cached")


def test_other_models_without_prompts_are_encoded_plainly(monkeypatch):
    from bot.embeddings import model as module

    monkeypatch.setattr(settings, "EMBEDDING_QUERY_PROMPT", "")
    assert module.query_prompt_name(get_model()) is None
