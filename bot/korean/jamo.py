"""Jamo n-grams: a Korean text as overlapping runs of letters (ㅂㅗㄱㅓㄴ…), spaces ignored.

A typo changes one jamo (보건소 → 보거소 drops one final consonant) and a citizen who skips
spaces glues words together; either way most jamo n-grams of the words survive, where the
words themselves would not match.
"""
from __future__ import annotations

from typing import List

_BASE, _MEDIALS, _FINALS, _COUNT = 0xAC00, 21, 28, 11172
_INITIALS = "ㄱㄲㄴㄷㄸㄹㅁㅂㅃㅅㅆㅇㅈㅉㅊㅋㅌㅍㅎ"
_VOWELS = "ㅏㅐㅑㅒㅓㅔㅕㅖㅗㅘㅙㅚㅛㅜㅝㅞㅟㅠㅡㅢㅣ"
_TAILS = ("", "ㄱ", "ㄲ", "ㄳ", "ㄴ", "ㄵ", "ㄶ", "ㄷ", "ㄹ", "ㄺ", "ㄻ", "ㄼ", "ㄽ", "ㄾ", "ㄿ", "ㅀ", "ㅁ",
          "ㅂ", "ㅄ", "ㅅ", "ㅆ", "ㅇ", "ㅈ", "ㅊ", "ㅋ", "ㅌ", "ㅍ", "ㅎ")


def jamo_letters(text: str) -> str:
    """Hangul syllables split into jamo; letters and digits kept (lower-cased), the rest dropped."""
    out = []
    for ch in text:
        code = ord(ch) - _BASE
        if 0 <= code < _COUNT:
            out.append(_INITIALS[code // (_MEDIALS * _FINALS)] + _VOWELS[(code // _FINALS) % _MEDIALS]
                       + _TAILS[code % _FINALS])
        elif ch.isalnum():
            out.append(ch.lower())
    return "".join(out)


def jamo_ngrams(text: str, n: int = 4) -> List[str]:
    """Overlapping jamo n-grams of ``text`` (spaces and punctuation ignored)."""
    letters = jamo_letters(text)
    if len(letters) <= n:
        return [letters] if letters else []
    return [letters[i:i + n] for i in range(len(letters) - n + 1)]
