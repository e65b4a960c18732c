"""Only the web app faces the network; the private servers want their secrets; no secret leaks.

Runs against the real servers of the test session (tests/conftest.py).
"""
from pathlib import Path

import pytest
import requests

from bot import settings

pytestmark = pytest.mark.server


def listening_addresses(port: int) -> set:
    """Local addresses with a socket in LISTEN state on ``port`` (IPv4 and IPv6)."""
    found = set()
    for table, width in (("/proc/net/tcp", 8), ("/proc/net/tcp6", 32)):
        if not Path(table).exists():
            continue
        for line in Path(table).read_text().splitlines()[1:]:
            local, state = line.split()[1], line.split()[3]
            address, hex_port = local.split(":")
            if state == "0A" and int(hex_port, 16) == port:  # 0A: LISTEN
                found.add(_address(address, width))
    return found


def _address(hex_address: str, width: int) -> str:
    if width == 8:
        return ".".join(str(b) for b in reversed(bytes.fromhex(hex_address)))
    words = [hex_address[i:i + 8] for i in range(0, 32, 8)]
    raw = b"".join(bytes.fromhex(w)[::-1] for w in words)
    return "::" if raw == bytes(16) else ("::1" if raw == bytes(15) + b"\x01" else raw.hex())


def test_only_the_web_app_listens_beyond_loopback(servers):
    assert listening_addresses(servers.rasa_port) == {"127.0.0.1"}
    assert listening_addresses(servers.actions_port) == {"127.0.0.1"}
    assert listening_addresses(servers.web_port) & {"0.0.0.0", "::"}  # WEB_HOST: the public one


def test_the_action_server_wants_the_shared_secret(servers):
    url = f"{servers.actions_url}/webhook"
    call = {"next_action": "action_decline_handoff", "sender_id": "security-test",
            "tracker": {"sender_id": "security-test", "slots": {}, "latest_message": {}, "events": [],
                        "paused": False, "followup_action": None, "active_loop": {},
                        "latest_action_name": None},
            "domain": {}, "version": "3.6.21"}
    # what the review found: anyone could run actions, e.g. open tickets with any text
    assert requests.post(url, json=call, timeout=30).status_code == 401
    assert requests.post(url, json=call, timeout=30, headers={"Authorization": "Bearer guess"}).status_code == 401
    assert requests.get(f"{servers.actions_url}/actions", timeout=30).status_code == 401
    token = servers._resolve_secrets()[settings.ACTIONS_TOKEN_ENV]
    ok = requests.post(url, json=call, timeout=30, headers={"Authorization": f"Bearer {token}"})
    assert ok.status_code == 200 and ok.json()["responses"][0]["response"] == "utter_handoff_declined"
    assert requests.get(f"{servers.actions_url}/health", timeout=30).status_code == 200


def test_the_rasa_api_wants_the_token_and_has_no_rasa_x_channel(servers):
    for path in ("/conversations/x/tracker", "/status", "/domain"):
        assert requests.get(f"{servers.rasa_url}{path}", timeout=30).status_code == 401
    assert requests.put(f"{servers.rasa_url}/model", json={"model_file": "/tmp/evil.tar.gz"},
                        timeout=30).status_code == 401  # CVE-2024-49375 needs this endpoint
    credentials = (settings.PROJECT_ROOT / "credentials.yml").read_text()
    assert "rasa:" not in credentials and "5002" not in credentials


def test_no_secret_in_files_command_lines_or_logs(servers):
    values = [v for v in servers._resolve_secrets().values() if v]
    secrets_dir = servers.secrets_path
    assert secrets_dir.stat().st_mode & 0o777 == 0o700
    for path in secrets_dir.iterdir():
        assert path.stat().st_mode & 0o777 == 0o600, path
    endpoints = next(servers.run_dir.glob("endpoints-*.yml")).read_text()
    assert "${ACTIONS_TOKEN}" in endpoints
    for process in servers.processes.values():
        command_line = Path(f"/proc/{process.pid}/cmdline").read_bytes().decode(errors="replace")
        assert not any(v in command_line for v in values), command_line
    texts = [endpoints] + [p.read_text(errors="replace") for p in servers.log_dir.glob("*.log")]
    for value in values:
        for chunk in value.split(","):  # DATA_KEYS holds several keys
            assert not any(chunk in text for text in texts)


def test_the_sqlite_database_is_private(servers):
    database = Path(servers.database_url.replace("sqlite:///", ""))
    for path in [database, *database.parent.glob(database.name + "-*")]:
        assert path.stat().st_mode & 0o777 == 0o600, path
