"""Detect and mask personal data in Korean text before it is stored or logged.

Masked: 주민등록번호/외국인등록번호 (fully), card numbers (all but the last 4 digits),
personal phone numbers (the middle group) and e-mail addresses (the local part).
Business numbers such as 1588-xxxx and 110 stay: citizens need them.
"""
from __future__ import annotations

import logging
import re
from dataclasses import dataclass
from typing import List

_SEP = r"[-.\s]?"
_RRN = re.compile(r"(?<!\d)(\d{2}(?:0[1-9]|1[0-2])(?:0[1-9]|[12]\d|3[01]))\s?-?\s?([1-8])(\d{6})(?!\d)")
_CARD = re.compile(r"(?<!\d)(\d{4})([-\s]?)(\d{4})\2(\d{4})\2(\d{1,7})(?!\d)")
_MOBILE = re.compile(rf"(?<!\d)(01[016789]){_SEP}(\d{{3,4}}){_SEP}(\d{{4}})(?!\d)")
_LANDLINE = re.compile(rf"(?<!\d)(0(?:2|[3-6][1-5]|70|50\d)){_SEP}\)?\s?(\d{{3,4}}){_SEP}(\d{{4}})(?!\d)")
_EMAIL = re.compile(r"([A-Za-z0-9._%+-]+)@([A-Za-z0-9.-]+\.[A-Za-z]{2,})")


@dataclass(frozen=True)
class PiiMatch:
    kind: str  # "rrn" | "card" | "phone" | "email"
    start: int
    end: int


def _luhn_ok(digits: str) -> bool:
    total = 0
    for i, ch in enumerate(reversed(digits)):
        d = int(ch)
        if i % 2:
            d = d * 2 - 9 if d > 4 else d * 2
        total += d
    return total % 10 == 0


def _is_card(match: re.Match) -> bool:
    digits = re.sub(r"\D", "", match.group(0))
    # 4-4-4-4 written with separators is a card number to a citizen; a bare run needs Luhn.
    return 13 <= len(digits) <= 19 and (bool(match.group(2)) or _luhn_ok(digits))


def find_pii(text: str) -> List[PiiMatch]:
    """Non-overlapping personal-data spans, in text order."""
    found: List[PiiMatch] = []
    taken = [False] * len(text)

    def claim(kind: str, m: re.Match) -> None:
        if any(taken[m.start() : m.end()]):
            return
        taken[m.start() : m.end()] = [True] * (m.end() - m.start())
        found.append(PiiMatch(kind, m.start(), m.end()))

    for m in _RRN.finditer(text):
        claim("rrn", m)
    for m in _CARD.finditer(text):
        if _is_card(m):
            claim("card", m)
    for pattern in (_MOBILE, _LANDLINE):
        for m in pattern.finditer(text):
            claim("phone", m)
    for m in _EMAIL.finditer(text):
        claim("email", m)
    return sorted(found, key=lambda p: p.start)


def _mask(kind: str, value: str) -> str:
    if kind == "rrn":
        return "******-*******"
    if kind == "card":
        digits = re.sub(r"\D", "", value)
        return "****-****-****-" + digits[-4:]
    if kind == "phone":
        parts = re.findall(r"\d+", value)
        return f"{parts[0]}-****-{parts[-1]}" if len(parts) >= 3 else value[:3] + "-****-" + value[-4:]
    local, _, domain = value.partition("@")
    return f"{local[:1]}***@{domain}"


def mask_pii(text: str) -> str:
    """``text`` with every personal-data span masked; other text untouched."""
    if not text:
        return text
    out, cursor = [], 0
    for match in find_pii(text):
        out.append(text[cursor : match.start])
        out.append(_mask(match.kind, text[match.start : match.end]))
        cursor = match.end
    out.append(text[cursor:])
    return "".join(out)


class PiiMaskingFilter(logging.Filter):
    """A logging filter that masks personal data in every record's final message."""

    def filter(self, record: logging.LogRecord) -> bool:
        message = record.getMessage()
        masked = mask_pii(message)
        if masked != message:
            record.msg, record.args = masked, None
        return True


def install_log_masking() -> None:
    """Mask personal data in everything the root logger's handlers write."""
    root = logging.getLogger()
    for handler in root.handlers or [logging.lastResort]:
        if handler and not any(isinstance(f, PiiMaskingFilter) for f in handler.filters):
            handler.addFilter(PiiMaskingFilter())
