"""The in-process hub: who is online, how long someone has been away, bounded memory."""
import time

from bot.web.hub import Hub


def test_departures_are_remembered_then_forgotten_without_shortening_the_absence():
    hub = Hub()
    hub.started = time.monotonic() - 1000
    socket = object()
    hub.join_citizen("c-1", socket)
    assert hub.citizen_online("c-1")
    assert hub.leave_citizen("c-1", socket) is True
    assert not hub.citizen_online("c-1")
    hub.citizen_left["c-1"] = time.monotonic() - 100  # left 100 s ago
    hub.join_agent("kim", socket)
    hub.leave_agent("kim", socket)

    hub.forget_departures(older_than=50)
    assert "c-1" not in hub.citizen_left and "kim" in hub.agent_left  # kim left just now
    assert hub.seconds_offline("citizen", "c-1") >= 1000  # falls back to start-up: still long gone


def test_a_second_socket_keeps_the_citizen_online():
    hub = Hub()
    first, second = object(), object()
    hub.join_citizen("c-2", first)
    hub.join_citizen("c-2", second)
    assert hub.leave_citizen("c-2", first) is False and hub.citizen_online("c-2")
