"""Callback phone numbers: validated, encrypted at rest, shown unmasked only to the assigned agent.

Numbers are encrypted with ``MultiFernet`` over ``keys.data_keys()``: the newest key
encrypts, every key decrypts. A stored number no key can decrypt is an error
(:class:`CallbackKeyError`), never a silently missing number. Key management:

    python -m bot.handoff.callback rotate-key      # new key first, re-encrypt every number
    python -m bot.handoff.callback check           # which stored numbers decrypt (exit 1 if any not)
    python -m bot.handoff.callback drop-old-keys   # keep only the newest key (once nothing needs the others)

The keys live in ``SECRETS_DIR/data.keys`` (one per line, newest first) unless ``DATA_KEYS``
is set; then the commands print the new ``DATA_KEYS`` value to set instead of writing a file.
Restart the servers after a rotation: they hold the keys they were started with.
"""
from __future__ import annotations

import argparse
import os
import re
import sys
import threading
from dataclasses import dataclass, field
from typing import List, Optional, Sequence, Tuple

from cryptography.fernet import Fernet, InvalidToken, MultiFernet

from bot import keys, settings
from bot.korean.pii import mask_pii

_PHONE = re.compile(r"^0\d{1,2}-?\d{3,4}-?\d{4}$")
_lock = threading.Lock()
_cached: Optional[Tuple[Tuple[str, ...], MultiFernet]] = None
KEY_FILE = "data.keys"


class CallbackKeyError(RuntimeError):
    """A stored callback phone number cannot be decrypted with any configured data key
    (or a configured key is not a valid Fernet key)."""


def _restore_hint() -> str:
    return (f"an admin must restore the old key in {settings.DATA_KEYS_ENV} (comma-separated, newest first) "
            f"or in {settings.SECRETS_DIR / KEY_FILE} (one key per line), "
            "then run `python -m bot.handoff.callback check`")


def normalize_phone(raw: str) -> str:
    """``010 1234 5678`` → ``010-1234-5678``; ``ValueError`` if it is not a Korean number."""
    digits = re.sub(r"[\s().-]", "", raw or "")
    if not _PHONE.match(digits):
        raise ValueError("전화번호 형식이 올바르지 않아요. 예) 010-1234-5678")
    head = 2 if digits.startswith("02") else 3
    return f"{digits[:head]}-{digits[head:-4]}-{digits[-4:]}"


def _fernets(key_list: Sequence[str]) -> List[Fernet]:
    if not key_list:
        raise CallbackKeyError(f"no data key is configured: set {settings.DATA_KEYS_ENV} "
                               f"or put a key in {settings.SECRETS_DIR / KEY_FILE}")
    ciphers = []
    for position, key in enumerate(key_list, 1):
        try:
            ciphers.append(Fernet(key.encode()))
        except (ValueError, TypeError):
            raise CallbackKeyError(f"data key #{position} (newest first) in {settings.DATA_KEYS_ENV} / "
                                   f"{settings.SECRETS_DIR / KEY_FILE} is not a valid Fernet key") from None
    return ciphers


def _multi(key_list: Sequence[str]) -> MultiFernet:
    return MultiFernet(_fernets(key_list))


def _cipher() -> MultiFernet:
    """The MultiFernet of the current keys (rebuilt when ``keys.data_keys()`` changes)."""
    global _cached
    current = tuple(keys.data_keys())
    with _lock:
        if _cached is None or _cached[0] != current:
            _cached = (current, _multi(current))
        return _cached[1]


def encrypt_phone(phone: str) -> str:
    return _cipher().encrypt(normalize_phone(phone).encode()).decode()


def decrypt_phone(token: Optional[str]) -> Optional[str]:
    """The phone number of ``token`` (None for no token); :class:`CallbackKeyError` if no key decrypts it."""
    if not token:
        return None
    try:
        return _cipher().decrypt(token.encode()).decode()
    except InvalidToken:
        raise CallbackKeyError("no configured data key can decrypt a stored callback phone number "
                               f"(it was encrypted with a key that is no longer configured): {_restore_hint()}"
                               ) from None


def masked(phone: Optional[str]) -> Optional[str]:
    return mask_pii(phone) if phone else None


# --------------------------------------------------------------------------- key management
@dataclass
class Report:
    """Stored numbers by the keys that decrypt them (ticket ids)."""

    newest: List[int] = field(default_factory=list)  # decrypt with the newest key
    older: List[int] = field(default_factory=list)  # need an older key
    undecryptable: List[int] = field(default_factory=list)  # no key at all


def inspect_stored(key_list: Optional[Sequence[str]] = None) -> Report:
    """Which stored callback numbers decrypt, and with which key."""
    from bot.handoff import tickets

    ciphers = _fernets(key_list if key_list is not None else keys.data_keys())
    newest, everything = ciphers[0], MultiFernet(ciphers)
    report = Report()
    for batch in tickets.callback_phone_rows():
        for ticket_id, token in batch:
            for cipher, bucket in ((newest, report.newest), (everything, report.older)):
                try:
                    cipher.decrypt(token.encode())
                except InvalidToken:
                    continue
                bucket.append(ticket_id)
                break
            else:
                report.undecryptable.append(ticket_id)
    return report


def reencrypt_all(key_list: Sequence[str]) -> Tuple[int, List[int], List[int]]:
    """Re-encrypt every stored number with ``key_list[0]`` (one transaction per batch).

    Returns (rows re-encrypted, ids no key decrypts — left untouched, ids that changed
    meanwhile — left as the server wrote them)."""
    from bot.handoff import tickets

    cipher = _multi(key_list)
    done, undecryptable, changed = 0, [], []
    for batch in tickets.callback_phone_rows():
        replacements = []
        for ticket_id, token in batch:
            try:
                replacements.append((ticket_id, token, cipher.rotate(token.encode()).decode()))
            except InvalidToken:
                undecryptable.append(ticket_id)
        replaced = set(tickets.replace_callback_phones(replacements))
        done += len(replaced)
        changed += [ticket_id for ticket_id, _, _ in replacements if ticket_id not in replaced]
    return done, undecryptable, changed


def _keys_from_environment() -> bool:
    return bool(os.environ.get(settings.DATA_KEYS_ENV, "").strip())


def _save_keys(key_list: Sequence[str]) -> None:
    """Persist the new key list: the key file, or (``DATA_KEYS`` set) print the value to set."""
    if _keys_from_environment():
        print(f"The data keys come from the {settings.DATA_KEYS_ENV} environment variable. "
              f"Set it to this value (secret; store it now):\n\n"
              f"{settings.DATA_KEYS_ENV}={','.join(key_list)}\n", flush=True)
    else:
        path = settings.SECRETS_DIR / KEY_FILE
        keys.write_private(path, "\n".join(key_list) + "\n")
        keys.forget()
        print(f"wrote {len(key_list)} key(s), newest first, to {path}", flush=True)


def _may_print_secret(args: argparse.Namespace) -> bool:
    if not _keys_from_environment() or args.print or sys.stdout.isatty():
        return True
    print(f"error: the data keys come from {settings.DATA_KEYS_ENV}, so this command prints the new "
          f"{settings.DATA_KEYS_ENV} value (a secret) and stdout is not a terminal; run it on a "
          "terminal or pass --print to print it anyway", file=sys.stderr)
    return False


def _ids(ticket_ids: Sequence[int]) -> str:
    return ", ".join(str(i) for i in ticket_ids)


def rotate_key(args: argparse.Namespace) -> int:
    if not _may_print_secret(args):
        return 2
    new_keys = [Fernet.generate_key().decode()] + keys.data_keys()
    _save_keys(new_keys)  # before any row uses the new key
    done, undecryptable, changed = reencrypt_all(new_keys)
    print(f"re-encrypted {done} stored callback phone number(s) with the new key")
    if changed:
        print(f"{len(changed)} number(s) changed meanwhile and were left as written "
              f"(tickets: {_ids(changed)}); run rotate-key or check again")
    if undecryptable:
        print(f"could not decrypt {len(undecryptable)} number(s), left untouched (tickets: "
              f"{_ids(undecryptable)}): {_restore_hint()}")
    else:
        print("could not decrypt 0 number(s)")
    print("Restart the servers so they use the new key (they hold the keys they started with).")
    return 1 if undecryptable else 0


def drop_old_keys(args: argparse.Namespace) -> int:
    current = keys.data_keys()
    if len(current) <= 1:
        print("only one data key is configured; nothing to drop")
        return 0
    report = inspect_stored(current)
    if report.older:
        print(f"refused: {len(report.older)} stored callback phone number(s) still need an older key "
              f"(tickets: {_ids(report.older)}); run `python -m bot.handoff.callback rotate-key` "
              "(or restart servers that still encrypt with an older key) first", file=sys.stderr)
        return 1
    if not _may_print_secret(args):
        return 2
    if report.undecryptable:
        print(f"warning: {len(report.undecryptable)} stored number(s) decrypt with no configured key "
              f"(tickets: {_ids(report.undecryptable)}); dropping keys does not change that", file=sys.stderr)
    _save_keys(current[:1])
    print(f"dropped {len(current) - 1} older key(s); {len(report.newest)} stored number(s) use the newest key")
    return 0


def check(_args: argparse.Namespace) -> int:
    report = inspect_stored()
    readable = len(report.newest) + len(report.older)
    print(f"{readable} stored callback phone number(s) decrypt "
          f"({len(report.newest)} with the newest key, {len(report.older)} with an older key)")
    if report.undecryptable:
        print(f"{len(report.undecryptable)} do not decrypt with any configured key "
              f"(tickets: {_ids(report.undecryptable)}): {_restore_hint()}")
        return 1
    return 0


def main(argv: Optional[List[str]] = None) -> int:
    from bot.storage.migrate import upgrade

    parser = argparse.ArgumentParser(description="Manage the data keys of callback phone numbers.")
    sub = parser.add_subparsers(dest="command", required=True)
    for name, help_text in (("rotate-key", "add a new newest key and re-encrypt every stored number"),
                            ("drop-old-keys", "keep only the newest key (refused while a number needs another)")):
        command = sub.add_parser(name, help=help_text)
        command.add_argument("--print", action="store_true",
                             help=f"print the new {settings.DATA_KEYS_ENV} value even when stdout is not a terminal")
    sub.add_parser("check", help="count the stored numbers that decrypt; list those that do not")
    args = parser.parse_args(argv)
    upgrade()
    handler = {"rotate-key": rotate_key, "drop-old-keys": drop_old_keys, "check": check}[args.command]
    try:
        return handler(args)
    except CallbackKeyError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2


if __name__ == "__main__":
    sys.exit(main())
