"""Build the int8 ONNX encoder (``EMBEDDING_BACKEND=onnx``) from a local sentence-transformers model.

``python -m bot.embeddings.onnx_build [--source DIR] [--out DIR] [--force]`` (run by
``make embeddings``) reads the model built by ``bot.embeddings.build`` (or any local
Transformer → mean Pooling [→ Normalize] directory with a BERT-like encoder), and writes
``--out``: ``model_int8.onnx``, ``tokenizer.json``, ``encoder.json`` and ``build_info.json``.
Nothing is downloaded. Steps: export the transformer with ``torch.onnx.export``, fuse it with
ONNX Runtime's transformer optimizer, then ``quantize_dynamic`` (int8 weights, per channel).
The matrices after the feed-forward GELU stay float32: quantizing them cost most of the
fidelity (tests/bot/embeddings/test_onnx_encoder.py, docs/benchmarks.md). A final check
compares the int8 encoder with the torch model on a few sentences before the directory is kept.

It is idempotent: ``build_info.json`` records a hash of the source files, the builder version,
the quantization and the ONNX Runtime version; a second run with the same record does nothing.
"""
from __future__ import annotations

import argparse
import hashlib
import json
import sys
import tempfile
from pathlib import Path
from typing import Dict, List

from bot import settings
from bot.embeddings.build import hash_file, install, up_to_date
from bot.embeddings.model import QUIET_TOKENIZER
from bot.embeddings.onnx_encoder import CONFIG_FILE, MODEL_FILE, TOKENIZER_FILE, OnnxEncoder

BUILDER_VERSION = 1
SOURCE_BUILD_COMMAND = "make embeddings"
#: what quantize_dynamic is asked for (recorded in build_info.json)
QUANTIZATION = {"weight_type": "QInt8", "per_channel": True, "float_after": ["Gelu", "BiasGelu", "FastGelu"]}
#: the int8 encoder must stay this close (cosine) to the torch model on SELF_CHECK, or the build fails
SELF_CHECK_MIN_COSINE = 0.97
SELF_CHECK = ["여권 재발급 수수료가 얼마예요?", "수도 계량기가 얼었어요 ㅠㅠ", "주정차위반과태료어디서내요",
              "How do I renew my passport?", "🥶🥶🥶 추워요"]


class SourceModelMissing(RuntimeError):
    """The sentence-transformers directory to convert is missing or not supported."""


def source_hash(source: Path) -> str:
    """SHA-256 over the relative names and contents of every file of ``source``."""
    digest = hashlib.sha256()
    for path in sorted(p for p in source.rglob("*") if p.is_file()):
        digest.update(str(path.relative_to(source)).encode("utf-8") + b"\0")
        hash_file(digest, path)
    return digest.hexdigest()


def build_info(source: Path) -> Dict:
    """The record that decides whether a build is up to date."""
    import onnxruntime

    return {"source": source.name, "sha256": source_hash(source), "builder": BUILDER_VERSION,
            "quantization": QUANTIZATION, "onnxruntime": onnxruntime.__version__}


def _load_source(source: Path):
    """The source as a SentenceTransformer; only Transformer → mean Pooling [→ Normalize] converts."""
    from sentence_transformers import SentenceTransformer

    model = SentenceTransformer(str(source), device="cpu", processor_kwargs=QUIET_TOKENIZER)
    kinds = [type(module).__name__ for module in model]
    pooling = model[1] if len(kinds) > 1 else None
    if kinds[:2] != ["Transformer", "Pooling"] or any(k != "Normalize" for k in kinds[2:]) \
            or getattr(pooling, "pooling_mode", None) != "mean" or not getattr(pooling, "include_prompt", True):
        raise SourceModelMissing(f"{source}: only Transformer → mean Pooling [→ Normalize] models convert "
                                 f"({kinds}, pooling {getattr(pooling, 'pooling_mode', None)})")
    return model


def _encoder_config(model) -> Dict:
    """What the ONNX encoder needs besides the graph: prompts, truncation, pooling, normalization."""
    return {
        "prompts": dict(model.prompts or {}),
        "max_seq_length": int(model.max_seq_length),
        "dimension": int(model.get_embedding_dimension()),
        "normalize": any(type(module).__name__ == "Normalize" for module in model),
        "pad_token_id": int(model.tokenizer.pad_token_id or 0),
        "pooling": "mean over every token of the attention mask (special tokens and prompt included)",
    }


def _export(model, path: Path) -> None:
    """Export the transformer (input_ids, attention_mask → last_hidden_state)."""
    import warnings

    import torch

    inner = model[0].auto_model.eval()

    class Encoder(torch.nn.Module):
        def __init__(self) -> None:
            super().__init__()
            self.inner = inner

        def forward(self, input_ids, attention_mask):
            return self.inner(input_ids=input_ids, attention_mask=attention_mask).last_hidden_state

    sample = model.tokenizer(["query: 여권 재발급 수수료", "query: 안녕"], padding=True, return_tensors="pt")
    axes = {0: "batch", 1: "tokens"}
    with warnings.catch_warnings(), torch.inference_mode():
        warnings.simplefilter("ignore")  # the legacy exporter's deprecation and tracer notices
        torch.onnx.export(Encoder(), (sample["input_ids"], sample["attention_mask"]), str(path),
                          input_names=["input_ids", "attention_mask"], output_names=["last_hidden_state"],
                          opset_version=17, dynamo=False,
                          dynamic_axes={"input_ids": axes, "attention_mask": axes, "last_hidden_state": axes})


def _fuse(path: Path, out: Path, model) -> None:
    """ONNX Runtime's BERT fusions (attention, GELU, layer norms); CPU-independent (opt_level 0)."""
    from onnxruntime.transformers import optimizer

    config = model[0].auto_model.config
    fused = optimizer.optimize_model(str(path), model_type="bert", num_heads=config.num_attention_heads,
                                     hidden_size=config.hidden_size, opt_level=0, use_gpu=False)
    fused.save_model_to_file(str(out))


def _float_nodes(path: Path) -> List[str]:
    """MatMul nodes fed by a GELU: the ones kept float32."""
    import onnx

    graph = onnx.load(str(path), load_external_data=False).graph
    gelu_outputs = {o for n in graph.node if n.op_type in QUANTIZATION["float_after"] for o in n.output}
    return [n.name for n in graph.node if n.op_type == "MatMul" and gelu_outputs.intersection(n.input)]


def _quantize(path: Path, out: Path) -> None:
    import logging

    import onnx
    from onnxruntime.quantization import QuantType, quantize_dynamic

    logging.disable(logging.WARNING)  # its advice to pre-process is for static quantization of CNNs
    try:
        quantize_dynamic(str(path), str(out), weight_type=getattr(QuantType, QUANTIZATION["weight_type"]),
                         per_channel=QUANTIZATION["per_channel"], nodes_to_exclude=_float_nodes(path),
                         extra_options={"DefaultTensorType": onnx.TensorProto.FLOAT})  # fused ops carry no types
    finally:
        logging.disable(logging.NOTSET)


def _self_check(reference, directory: Path) -> float:
    """Minimum cosine between the int8 encoder and the torch model on SELF_CHECK."""
    import numpy as np

    encoder = OnnxEncoder(directory)
    prompt = "query" if "query" in encoder.prompts else None
    expected = reference.encode(SELF_CHECK, prompt_name=prompt, normalize_embeddings=True)
    got = encoder.encode(SELF_CHECK, prompt)
    if not encoder.normalize:
        got = got / np.linalg.norm(got, axis=1, keepdims=True)
    return float(np.min(np.sum(expected * got, axis=1)))


def build(out_dir: Path, source: Path | None = None, force: bool = False) -> Path:
    """Build the ONNX encoder into ``out_dir`` unless an identical build is already there."""
    source = Path(source or settings.DEFAULT_EMBEDDING_MODEL_DIR).expanduser()
    out_dir = Path(out_dir).expanduser()
    if not (source / "modules.json").exists():
        raise SourceModelMissing(f"No sentence-transformers model at {source}: build it first with "
                                 f"`{SOURCE_BUILD_COMMAND}` (python -m bot.embeddings.build).")
    info = build_info(source)
    if not force and up_to_date(out_dir, info) and (out_dir / MODEL_FILE).exists():
        print(f"ONNX encoder up to date: {out_dir}")
        return out_dir
    model = _load_source(source)
    out_dir.parent.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory(dir=out_dir.parent, prefix=".onnx-build-") as tmp:
        work, result = Path(tmp) / "work", Path(tmp) / "result"
        work.mkdir()
        result.mkdir()
        _export(model, work / "model.onnx")
        _fuse(work / "model.onnx", work / "fused.onnx", model)
        _quantize(work / "fused.onnx", result / MODEL_FILE)
        model.tokenizer.backend_tokenizer.save(str(result / TOKENIZER_FILE))
        (result / CONFIG_FILE).write_text(json.dumps(_encoder_config(model), indent=2, ensure_ascii=False),
                                          encoding="utf-8")
        cosine = _self_check(model, result)
        if cosine < SELF_CHECK_MIN_COSINE:
            raise RuntimeError(f"the int8 encoder drifted from {source}: min cosine {cosine:.4f} "
                               f"< {SELF_CHECK_MIN_COSINE}; nothing written")
        install(result, out_dir, info)
    print(f"ONNX encoder written: {out_dir} (min cosine to torch on the check sentences {cosine:.4f})")
    return out_dir


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--source", type=Path, default=settings.DEFAULT_EMBEDDING_MODEL_DIR,
                        help="a local sentence-transformers directory (default: the built e5)")
    parser.add_argument("--out", type=Path, default=settings.DEFAULT_EMBEDDING_ONNX_DIR)
    parser.add_argument("--force", action="store_true", help="rebuild even if up to date")
    args = parser.parse_args(argv)
    try:
        build(args.out, args.source, args.force)
    except SourceModelMissing as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2
    return 0


if __name__ == "__main__":
    sys.exit(main())
