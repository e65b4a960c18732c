"""Light, offset-preserving normalization of citizen messages."""
from __future__ import annotations

import re
import unicodedata

_HALFWIDTH = {cp: cp - 0xFEE0 for cp in range(0xFF01, 0xFF5F)}
_HALFWIDTH[0x3000] = 0x20  # ideographic space
_INVISIBLE = re.compile("[\u0000-\u0008\u000b\u000e-\u001f\u007f\u200b-\u200f\u2028\u2029\ufeff]")
_SPACES = re.compile(r"\s+")
_REPEATS = re.compile(r"(.)\1{2,}")


def to_halfwidth(text: str) -> str:
    """Fullwidth ASCII (ＡＢＣ１２３～) → ASCII, ideographic space → space; same length."""
    return text.translate(_HALFWIDTH)


def clean_message(text: str, max_chars: int) -> str:
    """What the bot processes: NFC, no invisible characters, single spaces, capped length."""
    text = unicodedata.normalize("NFC", text or "")
    text = _INVISIBLE.sub(" ", text)
    text = _SPACES.sub(" ", text).strip()
    return text[:max_chars].rstrip()


def matching_key(text: str) -> str:
    """A loose key for comparing phrasings: NFKC, lower case, no spaces, runs of 3+ cut to 2."""
    text = unicodedata.normalize("NFKC", to_halfwidth(text)).lower()
    text = _REPEATS.sub(r"\1\1", text)
    return _SPACES.sub("", text)
