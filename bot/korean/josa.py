"""Korean particles that follow a word: 은/는, 이/가, 을/를, 과/와, (이)나, (으)로, 이에요/예요.

The choice depends on how the word *ends when read aloud*: a final consonant (받침)
takes 은·이·을·과·이나·으로, a final vowel 는·가·를·와·나·로, and a final ㄹ takes 로.
A parenthesised tail is not read before the particle ("정부24(www.gov.kr)" ends in 24),
digits are read as Sino-Korean numbers, Latin letters by their English names.
"""
from __future__ import annotations

import re
from typing import Optional

# particle written in the text → (after a final consonant, after a vowel, after ㄹ)
PAIRS = {
    "은": ("은", "는", "은"), "는": ("은", "는", "은"),
    "이": ("이", "가", "이"), "가": ("이", "가", "이"),
    "을": ("을", "를", "을"), "를": ("을", "를", "을"),
    "과": ("과", "와", "과"), "와": ("과", "와", "과"),
    "이나": ("이나", "나", "이나"), "나": ("이나", "나", "이나"),
    "으로": ("으로", "로", "로"), "로": ("으로", "로", "로"),
    "이에요": ("이에요", "예요", "이에요"), "예요": ("이에요", "예요", "이에요"),
}
# Longest first, so "으로" wins over "로" and "이나" over "이".
_WRITTEN = re.compile(r"(이에요|예요|으로|이나|은|는|이|가|을|를|과|와|나|로)")

_VOWEL, _CONSONANT, _RIEUL = "vowel", "consonant", "rieul"
# How the last digit of a number is read: 일 이 삼 사 오 육 칠 팔 구; 0 ends 십/백/천/영.
_DIGIT = {"0": _CONSONANT, "1": _RIEUL, "2": _VOWEL, "3": _CONSONANT, "4": _VOWEL, "5": _VOWEL,
          "6": _CONSONANT, "7": _RIEUL, "8": _RIEUL, "9": _VOWEL}
# English letter names: L → 엘, M → 엠, N → 엔, R → 알; the rest end in a vowel.
_LETTER = {"l": _RIEUL, "m": _CONSONANT, "n": _CONSONANT, "r": _RIEUL}
_TRAILING_BRACKETS = re.compile(r"\s*[(\[（][^()\[\]（）]*[)\]）]\s*$")


def final_sound(word: str) -> Optional[str]:
    """``consonant``, ``vowel`` or ``rieul`` for how ``word`` ends; None if it cannot tell."""
    text = word.strip()
    while _TRAILING_BRACKETS.search(text):
        text = _TRAILING_BRACKETS.sub("", text)
    for ch in reversed(text):
        if "가" <= ch <= "힣":
            jong = (ord(ch) - 0xAC00) % 28
            return _VOWEL if jong == 0 else _RIEUL if jong == 8 else _CONSONANT
        if ch.isdigit():
            return _DIGIT.get(ch)
        if ch.isascii() and ch.isalpha():
            return _LETTER.get(ch.lower(), _VOWEL)
        if ch in "☎·.,!?~ ":
            continue
        return None
    return None


def particle_for(word: str, written: str) -> str:
    """The form of ``written`` (one of :data:`PAIRS`) that fits after ``word``."""
    forms = PAIRS.get(written)
    sound = final_sound(word)
    if forms is None or sound is None:
        return written
    return forms[{_CONSONANT: 0, _VOWEL: 1, _RIEUL: 2}[sound]]


def attach(word: str, following: str) -> str:
    """``word`` + ``following`` with a particle at the start of ``following`` corrected."""
    match = _WRITTEN.match(following)
    if not match or not _is_particle(following, match.group(1)):
        return word + following
    written = match.group(1)
    return word + particle_for(word, written) + following[len(written):]


def _is_particle(following: str, written: str) -> bool:
    """A particle, not the start of a longer word ("이용", "가까운", "나이")."""
    rest = following[len(written):]
    if not rest or not ("가" <= rest[0] <= "힣"):
        return True
    # Particle stacks that keep the first particle's choice: 으로는, 으로도, 과의, 이나마 …
    return written in ("으로", "로") and rest[0] in "는도만서써의"
