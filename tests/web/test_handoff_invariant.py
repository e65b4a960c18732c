"""The handoff invariant, as a property over random sequences (Hypothesis stateful testing):

  while a ticket is queued or assigned (a claimed callback is assigned), the bot never answers,
  and every citizen message reaches the bot or an agent — exactly once in the record.

Random steps of two citizens and two agents against the real web app, Rasa and action server:
messages (questions, requests for a person, typed payloads such as /restart), claims, transfers
to an agent or a department, closes, cancels, disconnects and reconnects, and Rasa failing and
coming back (a real connection failure between the web app and Rasa, tests/support/fault_proxy.py).
"""
import asyncio
import time
import uuid

import pytest
import requests
from hypothesis import HealthCheck, Phase, settings
from hypothesis import strategies as st
from hypothesis.stateful import RuleBasedStateMachine, invariant, precondition, rule, run_state_machine_as_test

from bot.conversation import names
from bot.handoff import outbox, tickets
from tests.web.conftest import Citizen, ConsoleOpen

pytestmark = pytest.mark.server
QUIET_SECONDS = 1.5  # how long a held conversation is watched for a bot reply that must not come
TEXTS = ["여권 발급 수수료가 얼마예요?", "상담원 연결해 주세요", "/restart", "/request_human", "/faq_passport_fee",
         "제 번호는 010-1234-5678 이에요", "재산세는 언제 내요?", "네", "아니요"]


class Handoff(RuleBasedStateMachine):
    servers = agents = consoles = proxy = None  # set by the test below
    held_messages = 0  # messages sent while an agent held the chat, over the whole run

    def __init__(self) -> None:
        super().__init__()
        self.loop = asyncio.new_event_loop()
        self.citizens = [self.run(self._connect(None)) for _ in range(2)]
        self.sent = []  # (citizen index, client id, held at sending, rasa up at sending)
        self.rasa_up = True
        self.proxy.up()

    def run(self, coroutine):
        return self.loop.run_until_complete(coroutine)

    async def _connect(self, resume):
        citizen = Citizen(self.servers.web_url.replace("http", "ws") + "/ws/citizen")
        await citizen.connect(resume)
        return citizen

    def ticket(self, index):
        return tickets.active_ticket(self.citizens[index].conversation_id)

    # --- citizens ---------------------------------------------------------------------------
    @rule(index=st.integers(0, 1))
    def citizen_asks_for_a_person(self, index):
        self.citizen_says(index, "상담원 연결해 주세요")

    @rule(index=st.integers(0, 1), text=st.sampled_from(TEXTS))
    def citizen_says(self, index, text):
        citizen = self.citizens[index]
        held = tickets.agent_holds(citizen.conversation_id)
        citizen.inbox.clear()
        client_id = self.run(citizen.deliver(text))
        self.sent.append((index, client_id, held, self.rasa_up))
        if held is not None:  # an agent holds the chat: the bot must stay silent
            Handoff.held_messages += 1
            self.run(asyncio.sleep(QUIET_SECONDS))
            bot = [m for m in citizen.inbox if m["type"] == "message" and m.get("reply_to") == client_id]
            assert bot == [], f"the bot answered while ticket {held.id} was {held.status}: {bot}"
            if held.status == tickets.ASSIGNED:  # … and the agent got the message at once
                console = self.consoles[held.agent_username]
                deadline = time.monotonic() + 10
                while not any(m.get("ticket_id") == held.id and m.get("role") == names.CITIZEN
                              for m in console.received[-50:]) and time.monotonic() < deadline:
                    time.sleep(0.1)
                assert time.monotonic() < deadline, "the holder did not receive the citizen's message"
        elif self.rasa_up:  # the bot answers this message (or says it could not) — unless an earlier,
            # delayed message opened a ticket first: then this one is the agent's (checked at teardown)
            self.run(citizen.expect(lambda m: (m["type"] == "message" and m.get("reply_to") == client_id)
                                    or (m["type"] == "state" and m["state"] in tickets.HELD), timeout=60))

    def _any(self, *statuses):
        return any(t is not None and t.status in statuses for t in (self.ticket(0), self.ticket(1)))

    @precondition(lambda self: self._any(*tickets.ACTIVE))
    @rule(index=st.integers(0, 1))
    def citizen_cancels(self, index):
        citizen = self.citizens[index]
        self.run(citizen.send({"type": "cancel_handoff"}))
        self.run(asyncio.sleep(0.5))

    @rule(index=st.integers(0, 1))
    def citizen_reconnects(self, index):
        citizen = self.citizens[index]
        self.run(citizen.close())
        again = self.run(self._connect(citizen.resume))
        assert again.conversation_id == citizen.conversation_id
        self.citizens[index] = again

    # --- agents -----------------------------------------------------------------------------
    @precondition(lambda self: self._any(tickets.QUEUED, tickets.CALLBACK))
    @rule(index=st.integers(0, 1), agent=st.sampled_from(["kim", "lee"]))
    def agent_claims(self, index, agent):
        ticket = self.ticket(index)
        if ticket is not None and ticket.status in (tickets.QUEUED, tickets.CALLBACK):
            assert self.agents[agent].post(f"/agent/api/tickets/{ticket.id}/claim").status_code == 200

    @precondition(lambda self: self._any(tickets.ASSIGNED))
    @rule(index=st.integers(0, 1), to=st.sampled_from(["agent", "department"]))
    def agent_transfers(self, index, to):
        ticket = self.ticket(index)
        if ticket is not None and ticket.status == tickets.ASSIGNED:
            holder = ticket.agent_username
            body = {"agent": "lee" if holder == "kim" else "kim"} if to == "agent" else {"department": "water"}
            assert self.agents[holder].post(f"/agent/api/tickets/{ticket.id}/transfer", body).status_code == 200

    @precondition(lambda self: self._any(tickets.ASSIGNED))
    @rule(index=st.integers(0, 1))
    def agent_closes(self, index):
        ticket = self.ticket(index)
        if ticket is not None and ticket.status == tickets.ASSIGNED:
            response = self.agents[ticket.agent_username].post(f"/agent/api/tickets/{ticket.id}/close",
                                                               {"outcome": "resolved", "note": "확인"})
            assert response.status_code == 200  # even while Rasa is away: the record follows later

    @precondition(lambda self: self._any(tickets.ASSIGNED))
    @rule(index=st.integers(0, 1))
    def agent_writes(self, index):
        ticket = self.ticket(index)
        if ticket is not None and ticket.status == tickets.ASSIGNED:
            assert self.agents[ticket.agent_username].post(
                f"/agent/api/tickets/{ticket.id}/messages", {"text": "확인해 드릴게요."}).status_code == 200

    # --- Rasa -------------------------------------------------------------------------------
    @precondition(lambda self: self.rasa_up)
    @rule()
    def rasa_fails(self):
        self.proxy.down()
        self.rasa_up = False

    @precondition(lambda self: not self.rasa_up)
    @rule()
    def rasa_recovers(self):
        self.proxy.up()
        self.rasa_up = True

    # --- always -----------------------------------------------------------------------------
    @invariant()
    def one_active_ticket_per_conversation(self):
        for citizen in self.citizens:
            active = [t for t in tickets.open_tickets() if t.conversation_id == citizen.conversation_id]
            assert len(active) <= 1, active

    def teardown(self):
        """Rasa back, the outbox drained: every message is in the record exactly once, and was
        read by the bot or recorded for an agent; no typed payload ever restarted a conversation."""
        try:
            self.proxy.up()
            conversations = {c.conversation_id for c in self.citizens}
            deadline = time.monotonic() + 90
            while time.monotonic() < deadline and any(outbox.pending(c) for c in conversations):
                time.sleep(0.5)
            assert not any(outbox.pending(c) for c in conversations), "the outbox did not drain"
            events = {c: requests.get(f"{self.servers.rasa_url}/conversations/{c}/tracker",
                                      params={"token": self.servers.token}, timeout=30).json()["events"]
                      for c in conversations}
            for index, client_id, held, rasa_up in self.sent:
                conversation = self.citizens[index].conversation_id
                timeline = events[conversation]
                found = [i for i, e in enumerate(timeline) if e["event"] == "user"
                         and (e.get("metadata") or {}).get(names.META_CLIENT_ID) == client_id]
                assert len(found) == 1, f"message {client_id} is in the record {len(found)} times"
                event = timeline[found[0]]
                if (event.get("metadata") or {}).get(names.META_ROUTE) == names.ROUTE_AGENT:
                    continue  # recorded for the agent who held the chat
                assert held is None, "a message sent while an agent held the chat reached the bot"
                after = [e for e in timeline[found[0] + 1:] if e["event"] in ("action", "user")]
                assert after and after[0]["event"] == "action" and after[0]["name"] != "action_listen", \
                    f"the bot never read message {client_id}"
            for timeline in events.values():
                assert not [e for e in timeline if e["event"] == "restart"]
        finally:
            for citizen in self.citizens:
                self.run(citizen.close())
            for citizen in self.citizens:  # leave nothing open for the next example
                ticket = tickets.active_ticket(citizen.conversation_id)
                if ticket is not None:
                    try:
                        tickets.cancel(ticket.id)
                    except tickets.InvalidTransition:
                        pass
            self.loop.close()


def test_the_bot_never_answers_a_held_chat_and_no_message_is_lost(servers, rasa_proxy, agent_factory, server_db):
    agents = {name: agent_factory(name) for name in ("kim", "lee")}
    with ConsoleOpen(agents["kim"]) as kim, ConsoleOpen(agents["lee"]) as lee:
        Handoff.servers, Handoff.agents, Handoff.proxy = servers, agents, rasa_proxy
        Handoff.consoles = {"kim": kim, "lee": lee}
        try:
            run_state_machine_as_test(Handoff, settings=settings(
                max_examples=8, stateful_step_count=20, deadline=None, derandomize=True,
                phases=(Phase.explicit, Phase.reuse, Phase.generate),  # no shrinking: bounded time in CI
                suppress_health_check=list(HealthCheck)))
        finally:
            rasa_proxy.up()
    assert rasa_proxy.dropped > 0  # Rasa did fail during the run …
    assert Handoff.held_messages >= 8  # … and citizens wrote to held chats, queued and assigned


async def test_a_message_sent_while_rasa_is_away_is_answered_when_it_is_back(citizen_factory, rasa_proxy):
    citizen = citizen_factory()
    await citizen.connect()
    rasa_proxy.down()
    try:
        await citizen.deliver("자동차세 연납은 언제 신청해요?")  # kept, acknowledged …
        late = await citizen.expect(lambda m: m["type"] == "message" and m["role"] == "system")
        assert "늦어지고" in late["text"]  # … and the citizen is told, politely, that the answer is late
    finally:
        rasa_proxy.up()
    await citizen.expect(lambda m: m["type"] == "message" and m["role"] == "bot" and "연납" in m["text"], timeout=60)
    await citizen.close()


async def test_an_attempt_cut_short_is_not_recorded_twice(servers, server_db):
    """An attempt that reached Rasa but not its end (a crash, a closed tab) is found in the
    tracker by the next attempt, which shows its answer instead of sending it again."""
    conversation, client_id = f"c-{uuid.uuid4().hex}", uuid.uuid4().hex
    text = "도서관 휴관일이 언제예요?"
    requests.post(f"{servers.rasa_url}/webhooks/rest/webhook", timeout=60,
                  headers={"Authorization": f"Bearer {servers.token}"},
                  json={"sender": conversation, "message": text, "metadata": {names.META_CLIENT_ID: client_id}})
    item, _ = outbox.add_citizen_message(conversation, client_id, text)
    outbox.attempt(item)  # the attempt that got through, then stopped before it was marked delivered
    deadline = time.monotonic() + 60
    while outbox.pending(conversation) and time.monotonic() < deadline:  # the watchdog retries it
        await asyncio.sleep(0.5)
    assert outbox.pending(conversation) == []
    events = requests.get(f"{servers.rasa_url}/conversations/{conversation}/tracker",
                          params={"token": servers.token}, timeout=30).json()["events"]
    assert [e["text"] for e in events if e["event"] == "user"] == [text]
