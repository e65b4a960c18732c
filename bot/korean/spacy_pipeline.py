"""The project's Korean spaCy pipeline: Kiwi tokenizer + EntityRuler.

``spacy.blank("ko")`` needs MeCab, so the pipeline is a ``ko`` Language whose
tokenizer is :class:`KiwiTokenizer` (registered as ``ansan.KiwiTokenizer.v1``
through the package's ``spacy_tokenizers`` entry point, so ``spacy.load`` finds
it). Tokens carry Kiwi lemmas, tags (``tag_``) and universal POS (``pos_``).
The user words travel with the saved pipeline, the entity patterns in the
EntityRuler. ``python -m bot.korean.spacy_pipeline`` builds it into
``models/spacy/ko_ansan`` (a no-op when the lexicon is unchanged).
"""
from __future__ import annotations

import argparse
import hashlib
import json
import shutil
import sys
import tempfile
from pathlib import Path
from typing import Iterable, List, Tuple

from bot import settings
from bot.korean.kiwi import KiwiAnalyzer, shared_analyzer
from bot.korean.lexicon import LEXICON_PATH, Lexicon, load_lexicon

TOKENIZER_NAME = "ansan.KiwiTokenizer.v1"
DEFAULT_OUTPUT = settings.PROJECT_ROOT / "models" / "spacy" / "ko_ansan"
_USER_WORDS_FILE = "user_words.json"


class KiwiTokenizer:
    """spaCy tokenizer on Kiwi: surface tokens with lemma, tag and POS."""

    def __init__(self, vocab, user_words: Iterable[Tuple[str, str]] = ()) -> None:
        self.vocab = vocab
        self.user_words = tuple(tuple(w) for w in user_words)
        self._analyzer: KiwiAnalyzer | None = None  # Kiwi loads on first use (≈2 s)

    @property
    def analyzer(self) -> KiwiAnalyzer:
        if self._analyzer is None:
            self._analyzer = shared_analyzer(self.user_words)
        return self._analyzer

    def __call__(self, text: str):
        from spacy.tokens import Doc

        columns: dict = {"words": [], "spaces": [], "lemmas": [], "tags": [], "pos": []}

        def add(word: str, lemma: str, tag: str, pos: str) -> None:
            for key, value in zip(columns, (word, False, lemma, tag, pos)):
                columns[key].append(value)

        def whitespace(gap: str) -> None:
            if columns["words"] and gap.startswith(" "):
                columns["spaces"][-1] = True
                gap = gap[1:]
            if gap:
                add(gap, gap, "_SP", "SPACE")

        cursor = 0
        for seg in self.analyzer.segments(text):
            whitespace(text[cursor : seg.start])
            add(text[seg.start : seg.end], seg.lemma, seg.tag, seg.pos)
            cursor = seg.end
        whitespace(text[cursor:])
        return Doc(self.vocab, **columns)

    def pipe(self, texts, batch_size: int = 1000):
        for text in texts:
            yield self(text)

    # spaCy serialization: the user words are the tokenizer's only state.
    def to_bytes(self, **kwargs) -> bytes:
        return json.dumps([list(w) for w in self.user_words], ensure_ascii=False).encode("utf-8")

    def from_bytes(self, data: bytes, **kwargs) -> "KiwiTokenizer":
        self.user_words = tuple(tuple(w) for w in json.loads(data.decode("utf-8")))
        self._analyzer = None
        return self

    def to_disk(self, path, **kwargs) -> None:
        path = Path(path)
        path.mkdir(parents=True, exist_ok=True)
        (path / _USER_WORDS_FILE).write_bytes(self.to_bytes())

    def from_disk(self, path, **kwargs) -> "KiwiTokenizer":
        return self.from_bytes((Path(path) / _USER_WORDS_FILE).read_bytes())


def create_kiwi_tokenizer():
    """spaCy registry factory (``[nlp.tokenizer] @tokenizers = "ansan.KiwiTokenizer.v1"``)."""

    def make(nlp):
        return KiwiTokenizer(nlp.vocab)

    return make


def _register() -> None:
    import spacy

    if TOKENIZER_NAME not in spacy.registry.tokenizers:
        spacy.registry.tokenizers.register(TOKENIZER_NAME, func=create_kiwi_tokenizer)


def build_pipeline(lexicon: Lexicon):
    """A fresh ``ko`` pipeline with the Kiwi tokenizer and the lexicon's entity patterns."""
    import spacy

    _register()
    nlp = spacy.blank("ko", config={"nlp": {"tokenizer": {"@tokenizers": TOKENIZER_NAME}}})
    nlp.tokenizer = KiwiTokenizer(nlp.vocab, lexicon.user_words)
    ruler = nlp.add_pipe("entity_ruler", config={"phrase_matcher_attr": "LOWER"})
    ruler.add_patterns(
        [{"label": label, "pattern": phrase} for label, phrases in lexicon.entities.items()
         for phrase in phrases]
    )
    nlp.meta.update({"name": "ko_ansan", "version": "1.0.0",
                     "description": "Kiwi tokenizer + EntityRuler for 안산시 민원상담 챗봇"})
    return nlp


def lexicon_fingerprint(lexicon: Lexicon) -> str:
    blob = json.dumps(lexicon.to_dict(), ensure_ascii=False, sort_keys=True)
    return hashlib.sha256(blob.encode("utf-8")).hexdigest()


def build(out_dir: Path = DEFAULT_OUTPUT, lexicon_path: Path = LEXICON_PATH) -> Path:
    """Save the pipeline to ``out_dir`` unless it was built from the same lexicon."""
    lexicon = load_lexicon(lexicon_path)
    fingerprint = lexicon_fingerprint(lexicon)
    meta_path = out_dir / "meta.json"
    if meta_path.exists() and json.loads(meta_path.read_text()).get("lexicon_sha256") == fingerprint:
        print(f"spaCy pipeline up to date: {out_dir}")
        return out_dir
    nlp = build_pipeline(lexicon)
    nlp.meta["lexicon_sha256"] = fingerprint
    out_dir.parent.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory(dir=out_dir.parent) as tmp:
        nlp.to_disk(Path(tmp) / "nlp")
        if out_dir.exists():
            shutil.rmtree(out_dir)
        (Path(tmp) / "nlp").rename(out_dir)
    print(f"spaCy pipeline written: {out_dir}")
    return out_dir


def main(argv: List[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description="Build the Korean spaCy pipeline.")
    parser.add_argument("--out", type=Path, default=DEFAULT_OUTPUT)
    args = parser.parse_args(argv)
    build(args.out)
    return 0


if __name__ == "__main__":
    sys.exit(main())
