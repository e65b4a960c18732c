"""Text as a hurried citizen types it: spacing removed, typos injected, syllables lengthened.

Deterministic: the noise is seeded by the text and a ``salt``. ``make evaluate`` sends a noisy
copy of the held-out set (no salt); ``make data`` adds noisy copies of some training phrasings
with a different salt, so the model sees typos without ever seeing a test phrasing.
``python -m bot.korean.noise`` prints a sample.
"""
from __future__ import annotations

import random
import zlib
from typing import Dict, List

_BASE, _INITIALS, _MEDIALS, _FINALS = 0xAC00, 19, 21, 28
# Vowels citizens mix up when typing fast or writing by ear (ㅐ/ㅔ, ㅓ/ㅕ, ㅗ/ㅜ, ㅚ/ㅙ/ㅞ …).
_VOWEL_SWAPS = {1: 5, 5: 1, 4: 6, 6: 4, 8: 13, 13: 8, 11: 10, 10: 15, 15: 11, 20: 19, 3: 7, 7: 3}
# Initial consonants confused by voice input or a neighbouring key (ㄱ/ㅋ, ㄷ/ㅌ, ㅂ/ㅍ, ㅈ/ㅊ, ㅅ/ㅆ).
_INITIAL_SWAPS = {0: 15, 15: 0, 3: 16, 16: 3, 7: 17, 17: 7, 12: 14, 14: 12, 9: 10, 10: 9}
_TAILS = ("ㅠㅠ", "~~", "??", "!!", "요오", "ㅜ")


def _syllable(ch: str):
    code = ord(ch) - _BASE
    if not 0 <= code < _INITIALS * _MEDIALS * _FINALS:
        return None
    return code // (_MEDIALS * _FINALS), (code // _FINALS) % _MEDIALS, code % _FINALS


def _compose(initial: int, medial: int, final: int) -> str:
    return chr(_BASE + (initial * _MEDIALS + medial) * _FINALS + final)


def _typo(ch: str, rng: random.Random) -> str:
    parts = _syllable(ch)
    if parts is None:
        return ch
    initial, medial, final = parts
    choice = rng.randrange(3)
    if choice == 0 and medial in _VOWEL_SWAPS:
        return _compose(initial, _VOWEL_SWAPS[medial], final)
    if choice == 1 and initial in _INITIAL_SWAPS:
        return _compose(_INITIAL_SWAPS[initial], medial, final)
    if choice == 2 and final:
        return _compose(initial, medial, 0)  # a dropped 받침
    return ch


def noisy(text: str, salt: str = "") -> str:
    """``text`` as a hurried citizen might type it (same output for the same input and salt)."""
    rng = random.Random(zlib.crc32((salt + text).encode("utf-8")))
    chars = list(text)
    hangul = [i for i, ch in enumerate(chars) if _syllable(ch) is not None]
    for i in rng.sample(hangul, k=min(len(hangul), max(1, len(hangul) // 8))):
        chars[i] = _typo(chars[i], rng)
    out = "".join(chars)
    if rng.random() < 0.6:
        out = out.replace(" ", "")
    if rng.random() < 0.5:
        out = out.rstrip("?.! ") + rng.choice(_TAILS)
    return out


def noisy_items(items: List[Dict]) -> List[Dict]:
    return [{**item, "text": noisy(str(item["text"]))} for item in items]


if __name__ == "__main__":
    for sample in ("수도계량기가 얼었는데 어떻게 해요?", "여권 재발급 수수료 얼마예요", "대형폐기물 신고 어디서 해요?"):
        print(sample, "→", noisy(sample))
