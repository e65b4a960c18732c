"""bot.run: the endpoints Rasa gets, and the first admin password kept out of logs."""
import io
import sys

import yaml

from bot import keys, settings
from bot.run import announce_admin_password, endpoints_config


def test_endpoints_name_secrets_by_environment_variable_only():
    config = endpoints_config("postgresql://bot:db-password@db.internal:5432/chatbot",
                              "redis://:redis-password@cache.internal:6379/1", "http://127.0.0.1:5055/webhook")
    text = yaml.safe_dump(config)
    assert "db-password" not in text and "redis-password" not in text
    assert config["action_endpoint"]["headers"] == {"Authorization": "Bearer ${ACTIONS_TOKEN}"}
    assert config["tracker_store"]["password"] == "${TRACKER_DB_PASSWORD}"
    assert config["lock_store"]["password"] == "${LOCK_STORE_PASSWORD}"
    assert config["lock_store"]["socket_timeout"] == settings.NETWORK_TIMEOUT  # rasa#11256: no endless waits


def test_the_first_admin_password_goes_to_a_private_file_when_nobody_watches(tmp_path, monkeypatch):
    monkeypatch.setattr(settings, "SECRETS_DIR", tmp_path / "secrets")
    monkeypatch.setattr(sys, "stdout", io.StringIO())  # not a terminal: a log file, a CI run
    line = announce_admin_password("correct-horse-battery")
    path = tmp_path / "secrets" / "admin-password"
    assert "correct-horse-battery" not in line and str(path) in line
    assert path.read_text().strip() == "correct-horse-battery" and path.stat().st_mode & 0o777 == 0o600


def test_the_first_admin_password_is_shown_on_a_terminal(monkeypatch, tmp_path):
    class Terminal(io.StringIO):
        def isatty(self):
            return True

    monkeypatch.setattr(settings, "SECRETS_DIR", tmp_path / "secrets")
    monkeypatch.setattr(sys, "stdout", Terminal())
    assert "correct-horse-battery" in announce_admin_password("correct-horse-battery")
    assert not (tmp_path / "secrets" / "admin-password").exists()


def test_secrets_have_no_default_and_come_from_the_environment_first(tmp_path, monkeypatch):
    monkeypatch.setattr(settings, "SECRETS_DIR", tmp_path / "secrets")
    monkeypatch.delenv(settings.RASA_API_TOKEN_ENV, raising=False)
    keys.forget()
    generated = keys.rasa_api_token()
    assert len(generated) >= 40 and (tmp_path / "secrets" / "rasa_api_token").stat().st_mode & 0o777 == 0o600
    monkeypatch.setattr(settings, "SECRETS_DIR", tmp_path / "other")
    keys.forget()
    assert keys.rasa_api_token() != generated  # another installation, another secret
    monkeypatch.setenv(settings.RASA_API_TOKEN_ENV, "from-the-environment")
    assert keys.rasa_api_token() == "from-the-environment"
    keys.forget()


def test_a_token_that_looks_like_an_option_still_reaches_rasa():
    import rasa.__main__

    from bot.channels.serve import rasa_arguments

    argv = rasa_arguments("models/current.tar.gz", "endpoints.yml", 5005, "127.0.0.1", "-starts-with-a-dash")
    parsed = rasa.__main__.create_argument_parser().parse_args(argv[1:])
    assert parsed.auth_token == "-starts-with-a-dash" and parsed.interface == "127.0.0.1"
