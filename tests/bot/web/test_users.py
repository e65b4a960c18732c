from datetime import timedelta

import pytest
from sqlalchemy import func, select, update

from bot.storage.db import session_scope
from bot.storage.models import WebSession, utcnow
from bot.web import users


def test_passwords_are_hashed_with_salt():
    a, b = users.hash_password("correct horse battery"), users.hash_password("correct horse battery")
    assert a != b and a.startswith("scrypt$") and "correct" not in a
    assert users.verify_password("correct horse battery", a)
    assert not users.verify_password("wrong horse battery", a)
    assert not users.verify_password("x", "garbage")


def test_accounts_and_sessions(database_url):
    account = users.create_user("kim", "김상담", "agent", "a-long-password", department="passport")
    for same_name in ("kim", " kim "):
        with pytest.raises(ValueError):
            users.create_user(same_name, "다른 김", "agent", "a-long-password")
    with pytest.raises(ValueError):
        users.create_user("lee", "이상담", "agent", "short")
    with pytest.raises(ValueError):
        users.create_user("lee", "이상담", "superuser", "a-long-password")
    assert users.authenticate("kim", "a-long-password") == account
    assert users.authenticate("kim", "wrong-password!") is None
    assert users.authenticate("nobody", "a-long-password") is None

    session = users.start_session(account)
    loaded = users.load_session(session.token)
    assert loaded.account == account and loaded.csrf_token == session.csrf_token
    assert users.load_session("forged-token") is None
    users.set_password("kim", "another-long-password")  # ends every session
    assert users.load_session(session.token) is None
    second = users.start_session(account)
    users.end_session(second.token)
    assert users.load_session(second.token) is None


def test_first_admin_only_when_there_are_no_users(database_url):
    password = users.ensure_admin()
    assert password and users.authenticate("admin", password).role == "admin"
    assert users.ensure_admin() is None


def test_expired_sessions_end_and_are_purged(database_url):
    account = users.create_user("park", "박상담", "agent", "a-long-password")
    old, kept = users.start_session(account), users.start_session(account)
    with session_scope() as s:
        s.execute(update(WebSession).where(WebSession.token_hash == users._token_hash(old.token))
                  .values(expires_at=utcnow() - timedelta(minutes=1)))
    users.start_session(account)  # a new login sweeps the abandoned ones
    with session_scope() as s:
        assert s.execute(select(func.count()).select_from(WebSession)).scalar_one() == 2
    assert users.load_session(old.token) is None and users.load_session(kept.token) is not None
