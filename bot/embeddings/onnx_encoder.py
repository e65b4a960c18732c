"""The sentence encoder on ONNX Runtime (``EMBEDDING_BACKEND=onnx``), without torch.

It runs the graph written by ``python -m bot.embeddings.onnx_build`` (int8 dynamic
quantization of the transformer) and does the rest of the sentence-transformers pipeline in
NumPy, the same way: prompt prepended to the stripped text, the fast tokenizer truncating at
``max_seq_length`` tokens, mean pooling over every token the attention mask keeps (``<s>`` and
``</s>`` included), L2 normalization.
"""
from __future__ import annotations

import json
from pathlib import Path
from typing import Dict, List, Optional, Sequence

import numpy as np

#: files of an ONNX encoder directory (written by onnx_build)
MODEL_FILE = "model_int8.onnx"
TOKENIZER_FILE = "tokenizer.json"
CONFIG_FILE = "encoder.json"
BUILD_COMMAND = "make embeddings"  # runs `python -m bot.embeddings.onnx_build` after the torch build


class OnnxModelMissing(RuntimeError):
    """The ONNX encoder directory is missing or incomplete."""


class OnnxEncoder:
    """Encode texts with an ONNX encoder directory; safe to share between threads (nothing
    changes after ``__init__``; ONNX Runtime sessions may run concurrently).

    ``threads`` is ONNX Runtime's intra-op thread count (0: its default, one per core).
    """

    def __init__(self, directory: Path, threads: int = 0) -> None:
        directory = Path(directory).expanduser()
        missing = [f for f in (MODEL_FILE, TOKENIZER_FILE, CONFIG_FILE) if not (directory / f).is_file()]
        if missing:
            raise OnnxModelMissing(
                f"No ONNX encoder at {directory} (missing {', '.join(missing)}). Build it with "
                f"`{BUILD_COMMAND}` (or `python -m bot.embeddings.onnx_build --out {directory}`), "
                "or set EMBEDDING_BACKEND=torch."
            )
        import onnxruntime as ort
        from tokenizers import Tokenizer

        self.directory = directory
        config = json.loads((directory / CONFIG_FILE).read_text(encoding="utf-8"))
        self.prompts: Dict[str, str] = dict(config.get("prompts") or {})
        self.max_length = int(config["max_seq_length"])
        self.dimension = int(config["dimension"])
        self.normalize = bool(config.get("normalize", True))
        self._pad_id = int(config.get("pad_token_id", 0))
        self._tokenizer = Tokenizer.from_file(str(directory / TOKENIZER_FILE))
        self._tokenizer.no_padding()
        self._tokenizer.enable_truncation(max_length=self.max_length)

        options = ort.SessionOptions()
        options.intra_op_num_threads = max(0, int(threads))
        options.inter_op_num_threads = 1
        # Idle threads sleep instead of spinning: +0.4 ms a query on an idle 2-core machine, but
        # 4-6 ms less when other work (DIET, Kiwi, other processes) shares the cores.
        options.add_session_config_entry("session.intra_op.allow_spinning", "0")
        options.graph_optimization_level = ort.GraphOptimizationLevel.ORT_ENABLE_ALL
        self._session = ort.InferenceSession(str(directory / MODEL_FILE), options,
                                             providers=["CPUExecutionProvider"])
        self._inputs = {i.name for i in self._session.get_inputs()}

    def token_ids(self, texts: Sequence[str]) -> List[List[int]]:
        """Token ids as the model sees them (special tokens added, truncated)."""
        return [e.ids for e in self._tokenizer.encode_batch(list(texts), add_special_tokens=True)]

    def _run(self, ids: List[List[int]]) -> np.ndarray:
        width = max(len(row) for row in ids)
        input_ids = np.full((len(ids), width), self._pad_id, dtype=np.int64)
        mask = np.zeros((len(ids), width), dtype=np.int64)
        for r, row in enumerate(ids):
            input_ids[r, : len(row)] = row
            mask[r, : len(row)] = 1
        feeds = {"input_ids": input_ids, "attention_mask": mask}
        if "token_type_ids" in self._inputs:
            feeds["token_type_ids"] = np.zeros_like(input_ids)
        hidden = self._session.run(None, feeds)[0]
        weights = mask[:, :, None].astype(np.float32)
        pooled = (hidden * weights).sum(axis=1) / np.maximum(weights.sum(axis=1), 1e-9)
        if self.normalize:
            pooled /= np.maximum(np.linalg.norm(pooled, axis=1, keepdims=True), 1e-12)
        return pooled.astype(np.float32, copy=False)

    def encode(self, texts: Sequence[str], prompt_name: Optional[str] = None, batch_size: int = 1) -> np.ndarray:
        """Float32 embeddings, one row per text (stripped, prompt prepended), in input order.

        ``batch_size`` 1 (the default) runs each text alone: int8 dynamic quantization scales the
        activations of a whole run together, so in a batch a vector depends on its neighbours
        (cosine to the lone vector down to 0.992); batches are ~1.3x faster in bulk.
        """
        if not texts:
            return np.zeros((0, self.dimension), dtype=np.float32)
        prefix = self.prompts[prompt_name] if prompt_name else ""
        ids = self.token_ids([prefix + t.strip() for t in texts])
        order = np.argsort([len(row) for row in ids], kind="stable")  # similar lengths pad less
        out = np.empty((len(texts), self.dimension), dtype=np.float32)
        for start in range(0, len(texts), max(1, batch_size)):
            chunk = order[start : start + batch_size]
            out[chunk] = self._run([ids[i] for i in chunk])
        return out
