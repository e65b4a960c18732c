"""Kiwi morphological analysis turned into surface tokens with lemmas.

Kiwi returns morphemes whose forms are normalized (됐 → 되 + 었), some of zero
length and some sharing a span. NLU needs tokens that are slices of the text, so
overlapping morphemes are merged into one surface token whose lemma is its main
(content) morpheme's lemma, e.g. "됐어요" → token "됐어요", lemma "되다", tag "VV+EP+EF".
"""
from __future__ import annotations

import threading
import unicodedata
from dataclasses import dataclass
from typing import Dict, Iterable, List, Sequence, Tuple

from bot.korean.normalize import to_halfwidth

# Content tags whose lemma names a token (nouns, predicates, adverbs, roots, foreign words).
_CONTENT_PREFIXES = ("NN", "NP", "NR", "VV", "VA", "VX", "VCN", "MM", "MA", "XR", "SL", "SH", "SN", "W_")
_UPOS = {
    "NNG": "NOUN", "NNP": "PROPN", "NNB": "NOUN", "NR": "NUM", "NP": "PRON", "VV": "VERB",
    "VA": "ADJ", "VX": "AUX", "VCP": "AUX", "VCN": "AUX", "MM": "DET", "MAG": "ADV",
    "MAJ": "CCONJ", "IC": "INTJ", "SN": "NUM", "SL": "X", "SH": "X", "SF": "PUNCT",
    "SP": "PUNCT", "SS": "PUNCT", "SE": "PUNCT", "SO": "PUNCT", "SW": "SYM", "XR": "NOUN",
}


@dataclass(frozen=True)
class Segment:
    """A surface token: ``text[start:end]`` with its lemma, Kiwi tags and universal POS."""

    start: int
    end: int
    lemma: str
    tag: str
    pos: str


def _upos(tag: str) -> str:
    base = tag.split("-")[0]
    if base in _UPOS:
        return _UPOS[base]
    if base.startswith(("J", "E", "X")):
        return "PART"
    if base.startswith("W_"):
        return "SYM"
    return _UPOS.get(base[:2], "X")


def _lemma_key(lemma: str) -> str:
    return unicodedata.normalize("NFKC", lemma).lower()


class KiwiAnalyzer:
    """One Kiwi instance (≈2 s to load) with the project's user words; thread-safe."""

    def __init__(self, user_words: Iterable[Tuple[str, str]] = ()) -> None:
        from kiwipiepy import Kiwi

        self.user_words = tuple(user_words)
        self._kiwi = Kiwi(num_workers=-1)
        for word, tag in self.user_words:
            self._kiwi.add_user_word(word, tag)
        self._lock = threading.Lock()

    def morphemes(self, text: str):
        with self._lock:
            return self._kiwi.tokenize(to_halfwidth(text))

    def score(self, text: str) -> float:
        """Log-likelihood of Kiwi's best analysis of ``text`` (higher: more like real Korean)."""
        with self._lock:
            return float(self._kiwi.analyze(to_halfwidth(text), top_n=1)[0][1])

    def space(self, text: str) -> str:
        """``text`` with the spaces Kiwi's language model puts between its words."""
        with self._lock:
            return self._kiwi.space(text, reset_whitespace=False)

    def segments(self, text: str) -> List[Segment]:
        """Non-overlapping surface tokens covering every non-space character of ``text``."""
        groups: List[List] = []  # [start, end, [morphemes]]
        for m in sorted(self.morphemes(text), key=lambda m: m.start):  # stable: Kiwi's order
            start, end = m.start, m.start + m.len
            if groups and start < groups[-1][1]:
                groups[-1][1] = max(groups[-1][1], end)
                groups[-1][2].append(m)
            elif m.len == 0 and groups:  # e.g. the copula in "얼마에요": part of the previous token
                groups[-1][2].append(m)
            elif m.len > 0:
                groups.append([start, end, [m]])
        segments: List[Segment] = []
        cursor = 0
        for start, end, morphs in groups:
            segments.extend(_gap_segments(text, cursor, start))
            main = _main_morpheme(morphs)
            lemma = _lemma_key(getattr(main, "lemma", None) or main.form)
            tag = "+".join(m.tag for m in morphs)
            segments.append(Segment(start, end, lemma, tag, _upos(main.tag)))
            cursor = end
        segments.extend(_gap_segments(text, cursor, len(text)))
        return segments


def _main_morpheme(morphs: Sequence):
    for m in morphs:
        if m.tag.startswith(_CONTENT_PREFIXES):
            return m
    return morphs[0]


def _gap_segments(text: str, start: int, end: int) -> List[Segment]:
    """Characters Kiwi left out (rare): one token per whitespace-separated run."""
    out: List[Segment] = []
    i = start
    while i < end:
        if text[i].isspace():
            i += 1
            continue
        j = i
        while j < end and not text[j].isspace():
            j += 1
        out.append(Segment(i, j, _lemma_key(text[i:j]), "UNK", "X"))
        i = j
    return out


_analyzers: Dict[Tuple[Tuple[str, str], ...], KiwiAnalyzer] = {}
_analyzers_lock = threading.Lock()


def shared_analyzer(user_words: Iterable[Tuple[str, str]]) -> KiwiAnalyzer:
    """One analyzer per set of user words in this process (each Kiwi holds ~100 MB)."""
    key = tuple(tuple(word) for word in user_words)
    with _analyzers_lock:
        if key not in _analyzers:
            _analyzers[key] = KiwiAnalyzer(key)
        return _analyzers[key]


def default_analyzer() -> KiwiAnalyzer:
    """The analyzer with the lexicon's user words (loaded on first use)."""
    from bot.korean.lexicon import load_lexicon

    return shared_analyzer(load_lexicon().user_words)
