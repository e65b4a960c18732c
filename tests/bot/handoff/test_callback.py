"""Callback phone numbers at rest: MultiFernet keys, rotation, and no silently lost number."""
import stat

import pytest
from cryptography.fernet import Fernet

from bot import keys, settings
from bot.handoff import callback, tickets


@pytest.fixture
def key_dir(tmp_path, monkeypatch):
    """Data keys in a fresh SECRETS_DIR (the DATA_KEYS environment variable unset)."""
    secrets_dir = tmp_path / "secrets"
    monkeypatch.setattr(settings, "SECRETS_DIR", secrets_dir)
    monkeypatch.delenv(settings.DATA_KEYS_ENV, raising=False)
    keys.forget()
    yield secrets_dir
    keys.forget()


def _callback_ticket(conversation_id: str, token: str) -> int:
    ticket = tickets.request_handoff(conversation_id, [], within_hours=False)
    tickets.store_callback_phone(ticket.id, token)
    return ticket.id


def _key_file_lines(key_dir):
    return (key_dir / "data.keys").read_text().split()


def test_round_trip_and_private_key_file(database_url, key_dir):
    token = callback.encrypt_phone("010 1234 5678")
    assert "1234" not in token
    assert callback.decrypt_phone(token) == "010-1234-5678"
    assert callback.decrypt_phone(None) is None and callback.decrypt_phone("") is None
    assert stat.S_IMODE((key_dir / "data.keys").stat().st_mode) == 0o600
    assert stat.S_IMODE(key_dir.stat().st_mode) == 0o700


def test_rotation_keeps_every_number_readable(database_url, key_dir, capsys):
    ticket_id = _callback_ticket("r1", callback.encrypt_phone("010-1234-5678"))
    old_token = tickets.encrypted_callback_phone(ticket_id)
    old_keys = _key_file_lines(key_dir)

    assert callback.main(["rotate-key"]) == 0
    out = capsys.readouterr().out
    assert "re-encrypted 1 stored callback phone number(s)" in out and "could not decrypt 0" in out

    new_keys = _key_file_lines(key_dir)
    assert len(new_keys) == 2 and new_keys[1:] == old_keys
    assert stat.S_IMODE((key_dir / "data.keys").stat().st_mode) == 0o600
    new_token = tickets.encrypted_callback_phone(ticket_id)
    assert new_token != old_token
    assert callback.decrypt_phone(new_token) == "010-1234-5678"
    assert Fernet(new_keys[0].encode()).decrypt(new_token.encode()) == b"010-1234-5678"  # newest key alone


def test_drop_old_keys_waits_for_the_rotation(database_url, key_dir, capsys):
    old_key = Fernet.generate_key().decode()
    ticket_id = _callback_ticket("d1", Fernet(old_key.encode()).encrypt(b"02-123-4567").decode())
    newest = Fernet.generate_key().decode()
    keys.write_private(key_dir / "data.keys", f"{newest}\n{old_key}\n")
    keys.forget()

    assert callback.main(["drop-old-keys"]) == 1
    captured = capsys.readouterr()
    assert "refused" in captured.err and f"tickets: {ticket_id}" in captured.err
    assert _key_file_lines(key_dir) == [newest, old_key]

    assert callback.main(["rotate-key"]) == 0
    assert callback.main(["drop-old-keys"]) == 0
    assert "dropped 2 older key(s)" in capsys.readouterr().out
    assert len(_key_file_lines(key_dir)) == 1
    assert callback.decrypt_phone(tickets.encrypted_callback_phone(ticket_id)) == "02-123-4567"
    assert callback.main(["check"]) == 0


def test_a_foreign_key_is_an_error_not_a_missing_number(database_url, key_dir, capsys):
    good = _callback_ticket("f1", callback.encrypt_phone("010-1111-2222"))
    foreign_token = Fernet(Fernet.generate_key()).encrypt(b"010-9999-8888").decode()
    bad = _callback_ticket("f2", foreign_token)

    with pytest.raises(callback.CallbackKeyError, match="no configured data key can decrypt") as error:
        callback.decrypt_phone(foreign_token)
    assert "DATA_KEYS" in str(error.value) and "data.keys" in str(error.value)

    assert callback.main(["check"]) == 1
    out = capsys.readouterr().out
    assert "1 stored callback phone number(s) decrypt" in out and f"tickets: {bad})" in out

    assert callback.main(["rotate-key"]) == 1  # the readable one is rotated, the other left alone
    out = capsys.readouterr().out
    assert "re-encrypted 1 " in out and f"could not decrypt 1 number(s), left untouched (tickets: {bad})" in out
    assert tickets.encrypted_callback_phone(bad) == foreign_token
    assert callback.decrypt_phone(tickets.encrypted_callback_phone(good)) == "010-1111-2222"


def test_keys_from_the_environment(database_url, key_dir, monkeypatch, capsys):
    first, second = Fernet.generate_key().decode(), Fernet.generate_key().decode()
    from_second = Fernet(second.encode()).encrypt(b"010-2222-3333").decode()
    monkeypatch.setenv(settings.DATA_KEYS_ENV, f"{first}, {second}")
    from_first = callback.encrypt_phone("010-4444-5555")
    assert Fernet(first.encode()).decrypt(from_first.encode()) == b"010-4444-5555"  # newest encrypts
    assert callback.decrypt_phone(from_first) == "010-4444-5555"
    assert callback.decrypt_phone(from_second) == "010-2222-3333"
    assert not (key_dir / "data.keys").exists()

    ticket_id = _callback_ticket("e1", from_second)
    assert callback.main(["rotate-key"]) == 2  # stdout is not a terminal: no secret printed
    captured = capsys.readouterr()
    assert "--print" in captured.err and first not in captured.out + captured.err
    assert tickets.encrypted_callback_phone(ticket_id) == from_second

    assert callback.main(["rotate-key", "--print"]) == 0
    value = next(line for line in capsys.readouterr().out.splitlines() if line.startswith("DATA_KEYS="))
    new_keys = value.split("=", 1)[1].split(",")
    assert new_keys[1:] == [first, second] and not (key_dir / "data.keys").exists()
    monkeypatch.setenv(settings.DATA_KEYS_ENV, new_keys[0])
    assert callback.decrypt_phone(tickets.encrypted_callback_phone(ticket_id)) == "010-2222-3333"
