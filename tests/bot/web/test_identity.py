"""Conversation ids are issued by the server and resumed only with their signed token."""
import pytest

from bot import keys, settings
from bot.web import identity


@pytest.fixture(autouse=True)
def secrets_dir(tmp_path, monkeypatch):
    monkeypatch.setattr(settings, "SECRETS_DIR", tmp_path / "secrets")
    monkeypatch.delenv(settings.WEB_SECRET_ENV, raising=False)
    keys.forget()
    yield
    keys.forget()


def test_a_token_opens_its_own_conversation_only():
    conversation, token = identity.new_conversation()
    assert identity.conversation_of(token) == conversation
    other, _ = identity.new_conversation()
    forged = f"{other}.{token.split('.', 1)[1]}"  # someone else's id with this signature
    for bad in (conversation, forged, token + "x", "", None, 12, ["x"], "../../etc/passwd", token.upper()):
        assert identity.conversation_of(bad) is None


def test_another_secret_makes_old_tokens_invalid(monkeypatch):
    conversation, token = identity.new_conversation()
    monkeypatch.setenv(settings.WEB_SECRET_ENV, "a-different-secret-for-this-test")
    assert identity.conversation_of(token) is None


def test_the_secret_is_generated_once_into_a_private_file():
    identity.new_conversation()
    path = settings.SECRETS_DIR / "web_secret"
    assert path.stat().st_mode & 0o777 == 0o600 and path.parent.stat().st_mode & 0o777 == 0o700
    value = path.read_text()
    keys.forget()
    identity.new_conversation()
    assert path.read_text() == value
