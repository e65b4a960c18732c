"""Sentence embeddings of training examples kept on disk between trainings.

A retraining after an edit encodes the same few thousand examples again; with this cache only
the new ones are encoded. One ``.npz`` file per model (keyed by the model's name and, for a
model directory, the size and time of its files), holding the texts of the last training that
used it — so it never grows beyond one training set.
"""
from __future__ import annotations

import hashlib
import logging
import os
import tempfile
from pathlib import Path
from typing import Callable, Dict, Optional, Sequence

import numpy as np

from bot import settings
from bot.embeddings.model import onnx_directory

log = logging.getLogger(__name__)
Encode = Callable[[Sequence[str]], np.ndarray]


def model_key(name: str, prompt: str = "") -> str:
    """A file name that changes when the model (name or files) or the query prompt changes."""
    digest = hashlib.sha256(f"{name}\0{prompt}".encode("utf-8"))
    path = Path(name)
    if path.is_dir():
        for file in sorted(p for p in path.rglob("*") if p.is_file()):
            stat = file.stat()
            digest.update(f"{file.relative_to(path)}\0{stat.st_size}\0{stat.st_mtime_ns}".encode("utf-8"))
    return digest.hexdigest()[:24]


class EmbeddingCache:
    """``encode(texts, fn)``: rows for ``texts``, computing with ``fn`` only those not stored."""

    def __init__(self, directory: Path, key: str) -> None:
        self.path = Path(directory) / f"{key}.npz"

    def _load(self) -> Dict[str, np.ndarray]:
        try:
            with np.load(self.path, allow_pickle=False) as stored:
                return dict(zip(stored["texts"].tolist(), stored["vectors"]))
        except (OSError, ValueError, KeyError) as exc:
            if self.path.exists():
                log.warning("embedding cache %s unreadable, encoding everything: %s", self.path, exc)
            return {}

    def _save(self, texts: Sequence[str], vectors: np.ndarray) -> None:
        try:
            self.path.parent.mkdir(parents=True, exist_ok=True)
            fd, temp = tempfile.mkstemp(prefix=".embeddings.", suffix=".npz", dir=str(self.path.parent))
            with os.fdopen(fd, "wb") as out:
                np.savez(out, texts=np.array(list(texts), dtype=str), vectors=vectors)
            os.replace(temp, self.path)  # a concurrent training reads the old or the new file
        except OSError as exc:
            log.warning("could not write the embedding cache %s: %s", self.path, exc)

    def encode(self, texts: Sequence[str], fn: Encode) -> np.ndarray:
        known = self._load()
        missing = list(dict.fromkeys(t for t in texts if t not in known))
        if missing:
            known.update(zip(missing, fn(missing)))
        unique = list(dict.fromkeys(texts))
        if missing or len(unique) != len(known):
            self._save(unique, np.stack([known[t] for t in unique]) if unique else np.zeros((0, 0), np.float32))
        log.info("embeddings: %d texts, %d encoded, %d from the cache", len(unique), len(missing),
                 len(unique) - len(missing))
        return np.stack([known[t] for t in texts]).astype(np.float32, copy=False) if texts else \
            np.zeros((0, 0), np.float32)


def for_model(directory: Optional[Path], name: str, prompt: str = "",
              backend: Optional[str] = None) -> Optional[EmbeddingCache]:
    """The cache for model ``name`` under ``directory``, or None when caching is off.

    ``backend`` (default ``EMBEDDING_BACKEND``): with ``onnx`` the key is the ONNX encoder's
    directory and files, so vectors of the two backends never mix; torch keys are unchanged.
    """
    if not directory:
        return None
    if (backend or settings.EMBEDDING_BACKEND) == "onnx":
        return EmbeddingCache(directory, model_key(onnx_directory(name), f"{prompt}\0onnx"))
    return EmbeddingCache(directory, model_key(name, prompt))
