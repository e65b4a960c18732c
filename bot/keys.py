"""Secrets without default values: from the environment, else generated once into a 0600 file.

Each secret has an environment variable (named in ``bot.settings``). When it is empty, the
value lives in ``SECRETS_DIR/<file>`` (directory 0700, file 0600), created on first use with
a random value. ``bot.run`` resolves every secret before it starts the servers and hands them
to the child processes in their environment, so no two processes race to create a file.
"""
from __future__ import annotations

import os
import secrets as random_source
import threading
from pathlib import Path
from typing import Callable, Dict, List, Optional

from bot import settings

_lock = threading.Lock()
_cache: Dict[str, str] = {}


def write_private(path: Path, text: str) -> None:
    """Write ``text`` to ``path`` readable by the owner only (0600), the directory 0700."""
    path.parent.mkdir(parents=True, exist_ok=True, mode=0o700)
    tmp = path.with_name(f".{path.name}.{os.getpid()}.tmp")
    fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    with os.fdopen(fd, "w", encoding="utf-8") as fh:
        fh.write(text)
    os.chmod(tmp, 0o600)
    os.replace(tmp, path)


def _random_token() -> str:
    return random_source.token_urlsafe(32)


def secret(env_name: str, file_name: str, generate: Callable[[], str] = _random_token,
           directory: Optional[Path] = None) -> str:
    """The secret of ``env_name``, or of ``SECRETS_DIR/file_name`` (generated when missing)."""
    value = os.environ.get(env_name, "").strip()
    if value:
        return value
    path = (directory or settings.SECRETS_DIR) / file_name
    key = str(path)
    with _lock:
        if key not in _cache:
            if not path.exists():
                write_private(path, generate() + "\n")
            value = path.read_text(encoding="utf-8").strip()
            if not value:
                raise RuntimeError(f"{path} is empty: delete it to generate a new secret, or set {env_name}")
            _cache[key] = value
        return _cache[key]


def forget() -> None:
    """Drop cached values (after a rotation, or when a test changes SECRETS_DIR)."""
    with _lock:
        _cache.clear()


def rasa_api_token(directory: Optional[Path] = None) -> str:
    return secret(settings.RASA_API_TOKEN_ENV, "rasa_api_token", directory=directory)


def actions_token(directory: Optional[Path] = None) -> str:
    return secret(settings.ACTIONS_TOKEN_ENV, "actions_token", directory=directory)


def web_secret(directory: Optional[Path] = None) -> str:
    return secret(settings.WEB_SECRET_ENV, "web_secret", directory=directory)


def _fernet_key() -> str:
    from cryptography.fernet import Fernet

    return Fernet.generate_key().decode()


def data_keys(directory: Optional[Path] = None) -> List[str]:
    """Fernet keys for data at rest, newest first (comma- or line-separated)."""
    raw = secret(settings.DATA_KEYS_ENV, "data.keys", _fernet_key, directory=directory)
    return [k.strip() for k in raw.replace(",", "\n").splitlines() if k.strip()]


def server_environment(directory: Optional[Path] = None) -> Dict[str, str]:
    """Every secret the servers need, for their environment (resolved once, in the parent)."""
    return {settings.RASA_API_TOKEN_ENV: rasa_api_token(directory),
            settings.ACTIONS_TOKEN_ENV: actions_token(directory),
            settings.WEB_SECRET_ENV: web_secret(directory),
            settings.DATA_KEYS_ENV: ",".join(data_keys(directory))}
