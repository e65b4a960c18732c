"""Callback phone numbers: validated, encrypted at rest, shown unmasked only to the assigned agent."""
from __future__ import annotations

import os
import re
import threading
from typing import Optional

from cryptography.fernet import Fernet, InvalidToken

from bot import settings
from bot.korean.pii import mask_pii

_PHONE = re.compile(r"^0\d{1,2}-?\d{3,4}-?\d{4}$")
_lock = threading.Lock()
_fernet: Optional[Fernet] = None


def normalize_phone(raw: str) -> str:
    """``010 1234 5678`` → ``010-1234-5678``; ``ValueError`` if it is not a Korean number."""
    digits = re.sub(r"[\s().-]", "", raw or "")
    if not _PHONE.match(digits):
        raise ValueError("전화번호 형식이 올바르지 않아요. 예) 010-1234-5678")
    head = 2 if digits.startswith("02") else 3
    return f"{digits[:head]}-{digits[head:-4]}-{digits[-4:]}"


def _cipher() -> Fernet:
    global _fernet
    with _lock:
        if _fernet is None:
            key = settings.DATA_KEY.encode() if settings.DATA_KEY else _key_file()
            _fernet = Fernet(key)
        return _fernet


def _key_file() -> bytes:
    path = settings.RUN_DIR / "data.key"
    if not path.exists():
        path.parent.mkdir(parents=True, exist_ok=True)
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        with os.fdopen(fd, "wb") as fh:
            fh.write(Fernet.generate_key())
    return path.read_bytes().strip()


def encrypt_phone(phone: str) -> str:
    return _cipher().encrypt(normalize_phone(phone).encode()).decode()


def decrypt_phone(token: Optional[str]) -> Optional[str]:
    if not token:
        return None
    try:
        return _cipher().decrypt(token.encode()).decode()
    except InvalidToken:
        return None


def masked(phone: Optional[str]) -> Optional[str]:
    return mask_pii(phone) if phone else None
