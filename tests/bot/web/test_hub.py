"""The in-process hub: who is online, how long someone has been away, who receives what."""
import asyncio
import json
import time

from bot.web.hub import Hub


class Recorder:
    """A socket that keeps what it is sent (the hub only calls send and close)."""

    def __init__(self) -> None:
        self.sent, self.closed = [], None

    async def send(self, text: str) -> None:
        self.sent.append(json.loads(text))

    async def close(self, code: int = 1000, reason: str = "") -> None:
        self.closed = code


def test_departures_are_remembered_then_forgotten_without_shortening_the_absence():
    hub = Hub()
    hub.started = time.monotonic() - 1000
    socket = Recorder()
    hub.join_citizen("c-1", socket)
    assert hub.citizen_online("c-1")
    assert hub.leave_citizen("c-1", socket) is True
    assert not hub.citizen_online("c-1")
    hub.citizen_left["c-1"] = time.monotonic() - 100  # left 100 s ago
    member = hub.join_console(socket, "kim", "agent", "s1")
    hub.leave_console(member)

    hub.forget_departures(older_than=50)
    assert "c-1" not in hub.citizen_left and "kim" in hub.agent_left  # kim left just now
    assert hub.seconds_offline("citizen", "c-1") >= 1000  # falls back to start-up: still long gone


def test_a_second_socket_keeps_the_citizen_online():
    hub = Hub()
    first, second = Recorder(), Recorder()
    hub.join_citizen("c-2", first)
    hub.join_citizen("c-2", second)
    assert hub.leave_citizen("c-2", first) is False and hub.citizen_online("c-2")


def test_chat_traffic_reaches_its_agent_and_admins_only_and_content_staff_nothing():
    hub = Hub()
    kim, lee, boss, editor = Recorder(), Recorder(), Recorder(), Recorder()
    hub.join_console(kim, "kim", "agent", "s-kim")
    hub.join_console(lee, "lee", "agent", "s-lee")
    hub.join_console(boss, "boss", "admin", "s-boss")
    hub.join_console(editor, "editor", "content", "s-editor")
    asyncio.run(hub.to_chat("kim", {"type": "message", "text": "x"}))
    asyncio.run(hub.to_queue_watchers({"type": "queue", "tickets": []}))
    assert [f["type"] for f in kim.sent] == ["message", "queue"]
    assert [f["type"] for f in lee.sent] == ["queue"]
    assert [f["type"] for f in boss.sent] == ["message", "queue"]
    assert editor.sent == [] and not hub.agent_online("editor") and hub.agent_online("kim")


def test_closing_a_session_or_a_user_closes_their_sockets():
    hub = Hub()
    first, second, other = Recorder(), Recorder(), Recorder()
    hub.join_console(first, "kim", "agent", "s1")
    hub.join_console(second, "kim", "agent", "s2")
    hub.join_console(other, "lee", "agent", "s3")
    assert asyncio.run(hub.close_console(session_id="s1", code=4401)) == 1
    assert first.closed == 4401 and second.closed is None and hub.agent_online("kim")
    assert asyncio.run(hub.close_console(username="kim")) == 1
    assert second.closed == 4401 and not hub.agent_online("kim") and hub.agent_online("lee")
