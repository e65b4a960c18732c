"""Domain spelling correction: 보거소 → 보건소, 재사세 → 재산세, 단숙 → 단속.

Citizens type fast, by voice, or by ear. A character run the bot has never seen in
its training phrasings, one jamo away from a domain word it knows (a swapped vowel
or initial consonant, a dropped or added 받침), is read as that word — if a language
model finds the corrected sentence clearly more likely (Kiwi's analysis score gains
at least ``min_gain``), so that "마음이 무거워요" never becomes "다음이 무거워요".
Corrections keep the text's length (one syllable for one), so offsets into the
citizen's text stay valid.
"""
from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field
from typing import Callable, Dict, Iterable, List, Optional, Set, Tuple

_BASE, _MEDIALS, _FINALS, _COUNT = 0xAC00, 21, 28, 11172
_WILDCARD = "*"


def is_hangul(ch: str) -> bool:
    return 0 <= ord(ch) - _BASE < _COUNT


def _jamo(ch: str) -> Tuple[int, int, int]:
    code = ord(ch) - _BASE
    return code // (_MEDIALS * _FINALS), (code // _FINALS) % _MEDIALS, code % _FINALS


def one_jamo_apart(a: str, b: str) -> bool:
    """Two Hangul syllables that differ in exactly one of initial, vowel and final."""
    if a == b or not (is_hangul(a) and is_hangul(b)):
        return False
    return sum(x != y for x, y in zip(_jamo(a), _jamo(b))) == 1


def _runs(text: str) -> List[Tuple[int, int]]:
    """Spans of consecutive Hangul syllables."""
    spans, start = [], None
    for i, ch in enumerate(text + " "):
        if is_hangul(ch) if i < len(text) else False:
            start = i if start is None else start
        elif start is not None:
            spans.append((start, i))
            start = None
    return spans


@dataclass(frozen=True)
class Correction:
    """``text[start:end]`` was typed as ``typed`` and is read as ``read_as``."""

    start: int
    end: int
    typed: str
    read_as: str


def apply(text: str, fixes: Iterable[Correction]) -> str:
    for fix in fixes:
        text = text[:fix.start] + fix.read_as + text[fix.end:]
    return text


@dataclass
class SpellingCorrector:
    """Known words (with their frequency) and every character run of the known phrasings."""

    words: Dict[str, int]
    score: Callable[[str], float]  # log-likelihood of a sentence (Kiwi's analysis score)
    min_gain: float = 5.0
    min_length: int = 2
    max_length: int = 5
    min_count: int = 2  # a run must occur in this many phrasings to count as known text
    _seen: Set[str] = field(default_factory=set, repr=False)
    _index: Dict[str, List[str]] = field(default_factory=dict, repr=False)

    @classmethod
    def build(cls, phrasings: Iterable[str], words: Iterable[str], score: Callable[[str], float],
              min_gain: float = 5.0, min_length: int = 2, max_length: int = 5,
              min_count: int = 2) -> "SpellingCorrector":
        """Known runs occur in at least ``min_count`` phrasings: a typo in one training phrasing
        (``make data`` adds noisy copies) is not known text; a rare real word is left to the
        language model's judgement."""
        counts = Counter(w for w in words if min_length <= len(w) <= max_length and all(map(is_hangul, w)))
        corrector = cls(dict(counts), score, min_gain, min_length, max_length, min_count)
        corrector.learn_phrasings(phrasings)
        return corrector

    def __post_init__(self) -> None:
        for word in self.words:
            for i in range(len(word)):
                self._index.setdefault(word[:i] + _WILDCARD + word[i + 1:], []).append(word)

    def learn_phrasings(self, phrasings: Iterable[str]) -> None:
        """Remember the Hangul runs (2–``max_length`` syllables) found in at least ``min_count``
        of ``phrasings`` as correct text."""
        counts: Counter = Counter()
        for text in phrasings:
            joined = text.replace(" ", "")
            counts.update({joined[i:j] for start, end in _runs(joined) for i in range(start, end)
                           for j in range(i + self.min_length, min(end, i + self.max_length) + 1)})
        self._seen |= {run for run, n in counts.items() if n >= self.min_count}

    def seen_runs(self) -> List[str]:
        return sorted(self._seen)

    def _candidates(self, window: str) -> List[str]:
        """Known words one jamo away from ``window``, most frequent first."""
        found: Counter = Counter()
        for i, ch in enumerate(window):
            for word in self._index.get(window[:i] + _WILDCARD + window[i + 1:], ()):
                if one_jamo_apart(ch, word[i]):
                    found[word] = self.words[word]
        return [word for word, _ in found.most_common()]

    def corrections(self, text: str) -> List[Correction]:
        """The corrections of ``text``, left to right (each judged on the text corrected so far)."""
        current, found = text, []
        baseline: Optional[float] = None
        for start, end in _runs(text):
            i = start
            while i < end:
                step = 1
                for length in range(min(self.max_length, end - i), self.min_length - 1, -1):
                    window = current[i:i + length]
                    if window in self._seen:
                        break  # its shorter runs are seen too
                    candidates = self._candidates(window)
                    if not candidates:
                        continue
                    baseline = self.score(current) if baseline is None else baseline
                    gains = [(self.score(current[:i] + word + current[i + length:]) - baseline, word)
                             for word in candidates]
                    gain, word = max(gains)
                    if gain >= self.min_gain:
                        found.append(Correction(i, i + length, window, word))
                        current = current[:i] + word + current[i + length:]
                        baseline += gain
                        step = length
                        break
                i += step
        return found

    def correct(self, text: str) -> str:
        """``text`` with its corrections applied (same length)."""
        return apply(text, self.corrections(text))

    def to_json(self) -> Dict:
        return {"words": self.words, "seen": self.seen_runs(), "min_gain": self.min_gain,
                "min_length": self.min_length, "max_length": self.max_length, "min_count": self.min_count}

    @classmethod
    def from_json(cls, data: Dict, score: Callable[[str], float]) -> "SpellingCorrector":
        corrector = cls(dict(data["words"]), score, float(data["min_gain"]), int(data["min_length"]),
                        int(data["max_length"]), int(data.get("min_count", 1)))
        corrector._seen = set(data["seen"])
        return corrector
