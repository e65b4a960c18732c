"""Detect and mask personal data in Korean text before it is stored, logged or passed to the NLU.

Matching runs on a length-preserving fold of the text (fullwidth ASCII → ASCII, any Unicode
decimal digit → 0-9, any dash/hyphen/minus → ``-``, any space separator or tab → space,
``＠﹫`` → ``@``). Only the matched spans of the ORIGINAL text are replaced; every other character
stays as it was (no NFKC: it would merge jamo, ㅋㅋㅋㅠㅠ → ㅋㅋ큐ㅠ).

What is masked (kind: what is matched → the mask written):

- rrn: 주민/외국인등록번호, 6+7 digits with a valid YYMMDD and 7th digit 1-8, joined by nothing, a
  dash (spaces allowed), a dot or a space; also ``900101-1******`` → ``******-*******``
- card: 4-4-4-4 with any separators, 4-4-4-(1-7) with one repeated separator, Amex 4-6-5 or a bare
  15-digit 34/37 run, a bare 13-19 digit run passing Luhn → ``****-****-****-1234`` (last 4 kept)
- phone: 01x, 02, 0[3-6][1-5], 070, 080, 050x (평생번호) numbers, ``+82``/``82`` forms, ``(031)``,
  glued to Hangul, any separators → national form, first group and last 4 kept: ``010-****-5678``,
  ``0505-****-5678``
- email: ASCII or Hangul local part, ASCII or ``.한국`` domain → ``h***@example.com``
- passport: M/S/R/O/D/G + 8 digits, or + 3 digits, a letter, 4 digits, any case → ``M********``
- account: a run of ≥ 3 dash-joined groups with 10-19 digits that is none of the above and not a
  date/year run; any other 6-7 digit run joined by a dash; a run of 10-14 digits (10-16 when split
  by spaces, dots or dashes) within 15 characters after an account word (계좌, 통장, 입금, 이체, 송금,
  은행, 뱅크, a bank name) → ``***-****21`` (last 2 digits kept)

Deliberately left: numbers the NLU needs — fees, dates (also 20261129, 2026-03-01-0042), times,
business numbers (1588-1234, 110, 1345), lot/road addresses, car plates, postal codes, 접수번호 — and
what cannot be told from them: local numbers without an area code (1234-5678), a bare or
space-separated account number with no account word before it, 6-digit birth dates alone.
Over-masked on purpose: a bare 13-19 digit run that happens to pass Luhn or to look like an
RRN, and any 3-group dash run of 10+ digits (e.g. 사업자등록번호 123-45-67890).
"""
from __future__ import annotations

import logging
import re
import unicodedata
from dataclasses import dataclass
from typing import Callable, List, Optional

# ---------------------------------------------------------------------------------------------
# Folding: one character in, one character out, so offsets stay valid.

_AT_SIGNS = {"\uff20", "\ufe6b"}
_EXTRA_DASHES = {"\u2212", "\ufe63", "\uff0d"}


class _FoldTable(dict):
    """``str.translate`` table, filled lazily per code point (ASCII is pre-filled)."""

    def __missing__(self, cp: int) -> int:
        ch = chr(cp)
        out = ch
        if 0xFF01 <= cp <= 0xFF5E:
            out = chr(cp - 0xFEE0)
        if ch in _AT_SIGNS:
            out = "@"
        elif ch in _EXTRA_DASHES:
            out = "-"
        else:
            category = unicodedata.category(out)
            if category == "Nd":
                out = str(unicodedata.decimal(out))
            elif category == "Pd":
                out = "-"
            elif category == "Zs":
                out = " "
        self[cp] = ord(out)
        return self[cp]


_FOLD = _FoldTable({cp: cp for cp in range(128)})
_FOLD[ord("\t")] = ord(" ")
_FOLDS_TO_ITSELF = re.compile(r"[\n\r !-~가-힣ㄱ-ㆎ]*")  # printable ASCII, Hangul: nothing to fold


def fold(text: str) -> str:
    """The text personal data is searched in: same length, same positions, see module docstring."""
    if _FOLDS_TO_ITSELF.fullmatch(text):
        return text
    return text.translate(_FOLD)


# ---------------------------------------------------------------------------------------------
# Patterns, applied to folded text only.

# Every numeric pattern starts with a digit (or a literal) so that ``re`` can skip ahead quickly;
# _LB, placed right after that first digit, says it does not continue a number or a dash-grouped run.
_LB = r"(?<![0-9][0-9])(?<![0-9]-[0-9])"
_LA = r"(?![0-9])(?!-[0-9])"
_SEP = r"(?: ?[-.] ?| )?"  # -, . (with spaces around) or a single space, or nothing

_AREA = r"(?:1[016789]|2|[3-6][1-5]|70|80|50[2-8])"  # after the leading 0 (or +82)
_PHONE_TAIL = rf"{_SEP}[0-9]{{3,4}}{_SEP}[0-9]{{4}}{_LA}"
_PHONE = re.compile(rf"(?:\( ?0{_AREA} ?\)|0{_LB}{_AREA}\)?){_PHONE_TAIL}")
_PHONE_INTL = re.compile(
    rf"(?:\+ ?82|8{_LB}2){_SEP}(?:\( ?0 ?\) ?|0)?(?:\( ?{_AREA} ?\)|{_AREA}\)?){_PHONE_TAIL}"
)

_RRN = re.compile(  # YYMMDD, separator, 7th digit 1-8, then 6 digits (or 6 stars: 900101-1******)
    rf"[0-9]{_LB}[0-9](?:0[1-9]|1[0-2])(?:0[1-9]|[12][0-9]|3[01])(?: ?[-.] ?| )?"
    rf"[1-8](?:[0-9]{{6}}{_LA}|[*xX]{{6}})"
)
_SIX_SEVEN = re.compile(rf"[0-9]{_LB}[0-9]{{5}} ?- ?[0-9]{{7}}{_LA}")

_GAP = r"(?: ?[-.] ?| )"  # a separator that is really there
_CARD = re.compile(  # 4-4-4-4 with any separators, or 4-4-4-(1-7) with one repeated separator
    rf"[0-9]{_LB}[0-9]{{3}}(?:{_GAP}[0-9]{{4}}{_GAP}[0-9]{{4}}{_GAP}[0-9]{{4}}"
    rf"|( ?- ?|\.| )[0-9]{{4}}\1[0-9]{{4}}\1[0-9]{{1,7}}){_LA}"
)
_AMEX = re.compile(rf"3{_LB}[47][0-9]{{2}}( ?- ?|\.| |)[0-9]{{6}}\1[0-9]{{5}}{_LA}")
_BARE_LONG = re.compile(rf"[0-9]{_LB}[0-9]{{12,18}}{_LA}")

_PASSPORT = re.compile(
    r"[MSRODGmsrodg](?<![A-Za-z0-9].)(?:[0-9]{8}|[0-9]{3}[A-Za-z][0-9]{4})(?![A-Za-z0-9])"
)

# An e-mail is looked for around each "@": the local part backwards, the domain forwards.
_EMAIL_LOCAL = re.compile(r"(?:[가-힣][가-힣0-9._-]*|[A-Za-z0-9._%+-]+)\Z")
_EMAIL_DOMAIN = re.compile(
    r"(?:[A-Za-z0-9가-힣](?:[A-Za-z0-9가-힣-]*[A-Za-z0-9가-힣])?\.)+(?:[A-Za-z]{2,}|한국|닷컴|닷넷)"
)
_EMAIL_LOCAL_MAX = 64

_GROUPED = re.compile(rf"[0-9]{_LB}[0-9]*(?:-[0-9]+){{2,}}{_LA}")
_DIGIT_RUN = re.compile(rf"[0-9]{_LB}[0-9]*(?:(?: ?[-.] ?| )[0-9]+)*{_LA}")
_ACCOUNT_WORD = re.compile(
    r"계좌|통장|입금|이체|송금|은행|뱅크|국민|신한|우리|농협|하나|기업|수협|신협|새마을금고|우체국|씨티|"
    r"SC제일|KB|NH|IBK",
    re.I,
)
_ACCOUNT_WINDOW = 15
_NON_DIGIT = re.compile(r"[^0-9]")
_ANY_DIGIT = re.compile(r"[0-9]")
_GROUPS = re.compile(r"[0-9]+")
_YEAR = re.compile(r"(?:19|20)[0-9]{2}")


@dataclass(frozen=True)
class PiiMatch:
    kind: str  # "rrn" | "card" | "phone" | "email" | "passport" | "account"
    start: int
    end: int


def _digits(value: str) -> str:
    return _NON_DIGIT.sub("", value)


def _luhn_ok(digits: str) -> bool:
    total = 0
    for i, ch in enumerate(reversed(digits)):
        d = int(ch)
        if i % 2:
            d = d * 2 - 9 if d > 4 else d * 2
        total += d
    return total % 10 == 0


def _card_digits_ok(m: re.Match) -> bool:
    groups = _GROUPS.findall(m.group(0))
    return 13 <= len("".join(groups)) <= 19 and not all(_YEAR.fullmatch(g) for g in groups)


def _bare_card_ok(m: re.Match) -> bool:
    digits = m.group(0)
    return (len(digits) == 15 and digits[:2] in ("34", "37")) or _luhn_ok(digits)


def _looks_like_dates(run: str) -> bool:
    """2026-03-01-…, 2026.03.01 - 2026.03.31, 2024-2025-2026: dates or years, not an account."""
    groups = _GROUPS.findall(run)
    if all(_YEAR.fullmatch(g) for g in groups):
        return True
    return len(groups) >= 3 and bool(_YEAR.fullmatch(groups[0])) and 1 <= int(groups[1]) <= 12 \
        and len(groups[1]) <= 2 and 1 <= int(groups[2]) <= 31 and len(groups[2]) <= 2


def _grouped_account_ok(m: re.Match) -> bool:
    return (m.end() - m.start() >= 12 and 10 <= len(_digits(m.group(0))) <= 19
            and not _looks_like_dates(m.group(0)))


def _account_context(folded: str) -> Callable[[re.Match], bool]:
    def ok(m: re.Match) -> bool:
        if m.end() - m.start() < 10:
            return False
        n = len(_digits(m.group(0)))
        limit = 14 if n == len(m.group(0)) else 16
        if not 10 <= n <= limit or (limit == 16 and _looks_like_dates(m.group(0))):
            return False
        return bool(_ACCOUNT_WORD.search(folded, max(0, m.start() - _ACCOUNT_WINDOW), m.start()))

    return ok


def _claim_emails(folded: str, claim: Callable[[str, int, int], None]) -> None:
    at = folded.find("@")
    while at != -1:
        domain = _EMAIL_DOMAIN.match(folded, at + 1)
        local = domain and _EMAIL_LOCAL.search(folded, max(0, at - _EMAIL_LOCAL_MAX), at)
        if local:
            claim("email", local.start(), domain.end())
        at = folded.find("@", at + 1)


def find_pii(text: str) -> List[PiiMatch]:
    """Non-overlapping personal-data spans (offsets into ``text``), in text order."""
    if not text:
        return []
    folded = fold(text)
    found: List[PiiMatch] = []
    taken = bytearray(len(text))

    def claim(kind: str, start: int, end: int) -> None:
        if not any(taken[start:end]):
            taken[start:end] = b"\x01" * (end - start)
            found.append(PiiMatch(kind, start, end))

    def scan(kind: str, pattern: re.Pattern, keep: Optional[Callable[[re.Match], bool]] = None) -> None:
        for m in pattern.finditer(folded):
            if keep is None or keep(m):
                claim(kind, *m.span())

    if "@" in folded:
        _claim_emails(folded, claim)
    if not _ANY_DIGIT.search(folded):
        return found
    scan("phone", _PHONE_INTL)
    scan("rrn", _RRN)
    scan("account", _SIX_SEVEN)
    scan("card", _CARD, _card_digits_ok)
    scan("card", _AMEX)
    scan("card", _BARE_LONG, _bare_card_ok)
    scan("phone", _PHONE)
    scan("passport", _PASSPORT)
    scan("account", _GROUPED, _grouped_account_ok)
    scan("account", _DIGIT_RUN, _account_context(folded))
    return sorted(found, key=lambda p: p.start)


def _mask(kind: str, value: str) -> str:
    folded = fold(value)
    if kind == "rrn":
        return "******-*******"
    if kind == "card":
        return "****-****-****-" + _digits(folded)[-4:]
    if kind == "phone":
        digits = _digits(folded)
        if not digits.startswith("0"):  # +82 / 82: national form
            digits = digits[2:] if digits.startswith("82") else digits
            digits = digits if digits.startswith("0") else "0" + digits
        head = 2 if digits.startswith("02") else 4 if digits.startswith("050") else 3
        return f"{digits[:head]}-****-{digits[-4:]}"
    if kind == "passport":
        return folded[:1] + "********"
    if kind == "account":
        return "***-****" + _digits(folded)[-2:]
    at = folded.index("@")
    return f"{value[:1]}***@{value[at + 1:]}"


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
