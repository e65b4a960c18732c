"""Accounts of agents, content staff and admins; login sessions.

Passwords are hashed with scrypt (stdlib, per-user salt); a session cookie holds a
random token of which only the SHA-256 is stored, next to the session's CSRF token.

    python -m bot.web.users create --username kim --display-name 김상담 --role agent
    python -m bot.web.users list
    python -m bot.web.users set-password --username kim
    python -m bot.web.users deactivate --username kim

There is no default password anywhere: ``create`` asks for one (or ``--generate``
prints a random one once). ``make run`` calls ``ensure-admin``, which creates a
local ``admin`` with a random password only when no user exists yet. A password change
or a deactivation ends the user's sessions (open console sockets close at their next
check, at once when the change came through the console).
"""
from __future__ import annotations

import argparse
import getpass
import hashlib
import hmac
import secrets
import sys
from dataclasses import dataclass
from datetime import timedelta
from typing import List, Optional

from sqlalchemy import delete, func, select

from bot import settings
from bot.storage.db import session_scope
from bot.storage.models import User, WebSession, utcnow
from bot.web.roles import ROLES
_SCRYPT = {"n": 2 ** 14, "r": 8, "p": 1}
MIN_PASSWORD = 10


@dataclass(frozen=True)
class Account:
    id: int
    username: str
    display_name: str
    role: str
    department: Optional[str]
    active: bool = True


@dataclass(frozen=True)
class Session:
    token: str  # only in the cookie; the database keeps its hash
    csrf_token: str
    account: Account

    @property
    def id(self) -> str:
        """The stored hash of the token: names the session without revealing it."""
        return _token_hash(self.token)


def hash_password(password: str) -> str:
    salt = secrets.token_bytes(16)
    digest = hashlib.scrypt(password.encode("utf-8"), salt=salt, **_SCRYPT)
    return f"scrypt${_SCRYPT['n']}${_SCRYPT['r']}${_SCRYPT['p']}${salt.hex()}${digest.hex()}"


def verify_password(password: str, stored: str) -> bool:
    try:
        scheme, n, r, p, salt, digest = stored.split("$")
    except ValueError:
        return False
    if scheme != "scrypt":
        return False
    candidate = hashlib.scrypt(password.encode("utf-8"), salt=bytes.fromhex(salt), n=int(n), r=int(r), p=int(p))
    return hmac.compare_digest(candidate.hex(), digest)


def _account(user: User) -> Account:
    return Account(user.id, user.username, user.display_name, user.role, user.department, bool(user.active))


def create_user(username: str, display_name: str, role: str, password: str,
                department: Optional[str] = None) -> Account:
    if role not in ROLES:
        raise ValueError(f"role must be one of {', '.join(ROLES)}")
    if len(password) < MIN_PASSWORD:
        raise ValueError(f"password must have at least {MIN_PASSWORD} characters")
    username, display_name = username.strip(), display_name.strip()
    if not username or not display_name:
        raise ValueError("username and display name are required")
    with session_scope() as s:
        if s.execute(select(User).where(User.username == username)).scalars().first():
            raise ValueError(f"user {username!r} exists")
        user = User(username=username, display_name=display_name, role=role,
                    department=department, password_hash=hash_password(password))
        s.add(user)
        s.flush()
        return _account(user)


def set_password(username: str, password: str) -> None:
    if len(password) < MIN_PASSWORD:
        raise ValueError(f"password must have at least {MIN_PASSWORD} characters")
    with session_scope() as s:
        user = s.execute(select(User).where(User.username == username)).scalars().first()
        if user is None:
            raise ValueError(f"no user {username!r}")
        user.password_hash = hash_password(password)
        s.execute(delete(WebSession).where(WebSession.user_id == user.id))


def deactivate(username: str) -> None:
    """The user can no longer log in; their sessions end."""
    with session_scope() as s:
        user = s.execute(select(User).where(User.username == username)).scalars().first()
        if user is None:
            raise ValueError(f"no user {username!r}")
        user.active = False
        s.execute(delete(WebSession).where(WebSession.user_id == user.id))


def list_users() -> List[Account]:
    with session_scope() as s:
        return [_account(u) for u in s.execute(select(User).order_by(User.username)).scalars()]


def get_account(username: str) -> Optional[Account]:
    with session_scope() as s:
        user = s.execute(select(User).where(User.username == username, User.active.is_(True))).scalars().first()
        return _account(user) if user else None


def authenticate(username: str, password: str) -> Optional[Account]:
    with session_scope() as s:
        user = s.execute(select(User).where(User.username == username, User.active.is_(True))).scalars().first()
        if user is None:
            hash_password(password)  # same work either way: no user enumeration by timing
            return None
        return _account(user) if verify_password(password, user.password_hash) else None


def _token_hash(token: str) -> str:
    return hashlib.sha256(token.encode("ascii")).hexdigest()


def start_session(account: Account) -> Session:
    token, csrf = secrets.token_urlsafe(32), secrets.token_urlsafe(32)
    with session_scope() as s:
        s.execute(delete(WebSession).where(WebSession.expires_at < utcnow()))  # abandoned ones
        s.add(WebSession(token_hash=_token_hash(token), user_id=account.id, csrf_token=csrf,
                         expires_at=utcnow() + timedelta(hours=settings.WEB_SESSION_HOURS)))
    return Session(token, csrf, account)


def load_session(token: Optional[str]) -> Optional[Session]:
    if not token:
        return None
    with session_scope() as s:
        row = s.get(WebSession, _token_hash(token))
        if row is None:
            return None
        expires = row.expires_at if row.expires_at.tzinfo else row.expires_at.replace(tzinfo=utcnow().tzinfo)
        user = s.get(User, row.user_id)
        if expires < utcnow() or user is None or not user.active:
            s.delete(row)
            return None
        return Session(token, row.csrf_token, _account(user))


def end_session(token: str) -> None:
    with session_scope() as s:
        s.execute(delete(WebSession).where(WebSession.token_hash == _token_hash(token)))


def ensure_admin() -> Optional[str]:
    """Create ``admin`` with a random password if there are no users; return the password."""
    with session_scope() as s:
        if s.execute(select(func.count()).select_from(User)).scalar_one():
            return None
    password = secrets.token_urlsafe(12)
    create_user("admin", "관리자", "admin", password)
    return password


def main(argv: Optional[List[str]] = None) -> int:
    from bot.storage.migrate import upgrade

    parser = argparse.ArgumentParser(description="Manage console users.")
    sub = parser.add_subparsers(dest="command", required=True)
    create = sub.add_parser("create")
    create.add_argument("--username", required=True)
    create.add_argument("--display-name", required=True)
    create.add_argument("--role", choices=ROLES, default="agent")
    create.add_argument("--department")
    create.add_argument("--generate", action="store_true", help="generate and print a password")
    reset = sub.add_parser("set-password")
    reset.add_argument("--username", required=True)
    reset.add_argument("--generate", action="store_true")
    sub.add_parser("list")
    off = sub.add_parser("deactivate")
    off.add_argument("--username", required=True)
    sub.add_parser("ensure-admin")
    args = parser.parse_args(argv)
    upgrade()

    def password() -> str:
        if args.generate:
            value = secrets.token_urlsafe(12)
            print(f"password: {value}  (shown once)")
            return value
        first = getpass.getpass("password: ")
        if first != getpass.getpass("again: "):
            raise SystemExit("passwords differ")
        return first

    try:
        if args.command == "create":
            account = create_user(args.username, args.display_name, args.role, password(), args.department)
            print(f"created {account.username} ({account.role})")
        elif args.command == "set-password":
            set_password(args.username, password())
            print("password changed; the user's sessions were ended")
        elif args.command == "deactivate":
            deactivate(args.username)
            print("deactivated; the user's sessions were ended")
        elif args.command == "list":
            for a in list_users():
                print(f"{a.username}\t{a.display_name}\t{a.role}\t{a.department or ''}")
        else:
            generated = ensure_admin()
            if generated:
                from bot.run import announce_admin_password

                print(announce_admin_password(generated))
    except ValueError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2
    return 0


if __name__ == "__main__":
    sys.exit(main())
