"""Locust users of the soak test (`make soak`: scripts/soak.py runs this in a `locust` process of its own).

``CitizenUser``: the chat page's protocol on ``/ws/citizen`` — a message goes again (same client id)
after a ``retry``/``rate_limited`` error or a silence, and on a new socket (hello + resume token)
after a drop, until acknowledged. A visit: a new conversation, a few questions; one in ten then asks
for an agent and writes to them. Every message is written as JSON lines to ``$SOAK_RESULTS`` when Locust
quits, and is a "WS" request in Locust's statistics ("question": send → the bot's reply; "to_agent":
send → ack). ``AgentUser``: keeps ``/agent/ws`` open, claims queued tickets, answers twice, closes them
after 10–20 s. Locust patches everything with gevent: none of the bot's own code is imported here.
"""
from __future__ import annotations

import itertools
import json
import os
import random
import re
import time
import uuid
from typing import Callable, Dict, List, Optional

import gevent
import websocket
from gevent.event import Event
from locust import HttpUser, User, between, events, task

QUESTIONS = [  # as citizens type them: water, passport, tax, waste, parking, library, health, certificates…
    "수도계량기가 얼어서 터졌어요 어떻게 해야 돼요?", "겨울에 수도계량기 동파 안 되게 하려면 어떻게 하나요?", "수도요금 자동이체로 내고 싶어요",
    "이번 달 수도요금이 너무 많이 나왔는데 누수일까요?", "수돗물에서 녹물이 나와요", "이사 가는데 수도요금 정산은 어떻게 하죠?", "여권 새로 만들려면 뭐 가져가야 해요?",
    "여권 발급 수수료 얼마예요?", "내일 출국인데 긴급여권 되나요?", "여권 찾으러 갈 때 대리인이 가도 되나요?", "재산세 언제까지 내야 돼요?", "자동차세 연납하면 얼마나 깎아줘요?",
    "자동차세는 언제 내나요?", "지방소득세 신고는 어디서 해요?", "지방세 납세증명서 떼고 싶어요", "종량제봉투는 몇 시에 내놓으면 돼요?", "헌 소파 버리려면 어떻게 해요?",
    "음식물쓰레기 버리는 방법 알려주세요", "페트병이랑 비닐 분리배출 어떻게 해요?", "골목에 쓰레기 무단투기 신고하고 싶어요", "집 앞에 불법주차된 차 신고하려면요?",
    "주차위반 과태료 조회는 어디서 하나요?", "주차 과태료가 억울한데 이의신청 되나요?", "차가 견인됐는데 어디로 찾으러 가요?", "도서관 회원증 만들려면 뭐가 필요해요?",
    "시립도서관 몇 시까지 해요?", "도서관 휴관일이 언제예요?", "도서관 책 몇 권까지 빌릴 수 있어요?", "도서관에 희망도서 신청하고 싶어요", "독감 예방접종 무료로 맞을 수 있나요?",
    "아이 예방접종 일정 알려주세요", "보건증 발급받으려면 어디로 가요?", "보건소에서 건강검진 받을 수 있어요?", "보건소 운영시간이랑 전화번호 알려주세요", "주민등록등본 어디서 뗄 수 있어요?",
    "전입신고는 언제까지 해야 돼요?", "인감증명서 대리 발급 되나요?", "가족관계증명서 인터넷으로 발급돼요?", "집 앞 가로등이 고장났어요", "기초연금 신청은 어떻게 해요?",
]
HANDOFF = "상담원 연결해 주세요"
TO_AGENT = ["네 안녕하세요, 여권 재발급 때문에 문의드려요", "지난주에 신청했는데 아직 연락이 없어서요",
            "서류는 다 제출했어요", "방문 전에 예약해야 하나요?", "감사합니다, 확인 부탁드려요",
            "주차 과태료 고지서를 두 번 받았어요", "전화로 다시 연락 주실 수 있나요?"]
AGENT_REPLIES = ["안녕하세요, 안산시 민원상담입니다. 확인해 드릴게요.", "잠시만 기다려 주세요, 담당 부서에 확인 중이에요.",
                 "확인해 보니 처리 중이에요. 2~3일 안에 연락드릴게요.", "네, 도움이 되셨길 바랍니다."]
HANDOFF_SHARE = 0.10
TIMEOUT = 20  # s: connecting, and waiting for an ack before the same frame goes again
REPLY_WAIT = 60  # s a citizen waits for an answer before asking on (a late answer still counts)
NO_ANSWER = "죄송해요, 지금은 답변을 준비하지 못했어요"  # bot.web.relay.NO_ANSWER
RECORDS: List[Dict] = []  # every message every citizen sent, updated in place
AGENT_NUMBER = itertools.count()


@events.quitting.add_listener
def _write_records(environment, **_kwargs) -> None:
    with open(os.environ.get("SOAK_RESULTS", "soak-citizens.jsonl"), "w", encoding="utf-8") as out:
        out.writelines(json.dumps({k: v for k, v in r.items() if not k.startswith("_")}, ensure_ascii=False) + "\n"
                       for r in RECORDS)


class CitizenUser(User):
    wait_time = between(2, 6)

    def on_start(self) -> None:
        self.url, self.ws = self.host.replace("http", "ws", 1) + "/ws/citizen", None
        self.conversation_id: Optional[str] = None
        self.resume: Optional[str] = None  # the signed token of the conversation
        self.state, self.welcomed, self.refused = "bot", False, False
        self.sent: Dict[str, Dict] = {}  # client id → record, all this user's conversations
        self.signal = Event()

    @task
    def visit(self) -> None:
        self.open(None)
        for _ in range(random.randint(2, 5)):
            self.ask(random.choice(QUESTIONS), "question")
            gevent.sleep(random.uniform(2, 6))  # reading the answer, typing the next question
        if random.random() < HANDOFF_SHARE:
            self.ask(HANDOFF, "handoff")
            if self.wait(lambda: self.state in ("queued", "assigned"), 30):
                for text in random.sample(TO_AGENT, random.randint(2, 3)):
                    gevent.sleep(random.uniform(2, 6))
                    self.deliver(self.new_record(text, "to_agent"))
                self.wait(lambda: self.state == "bot", 90)  # until the agent closes the chat
        self.disconnect()

    def ask(self, text: str, kind: str) -> None:
        record = self.new_record(text, kind)
        self.deliver(record)
        self.wait(lambda: record["answered"] or record["no_answer"], REPLY_WAIT)

    def new_record(self, text: str, kind: str) -> Dict:
        record = {"conversation_id": self.conversation_id, "client_id": uuid.uuid4().hex, "kind": kind,
                  "text": text, "sent_at": None, "attempts": 0, "errors": 0, "acked": False, "ack_ms": None,
                  "answered": False, "reply_ms": None, "no_answer": False, "_error": False, "_fired": False}
        self.sent[record["client_id"]] = record
        RECORDS.append(record)
        return record

    def deliver(self, record: Dict) -> None:
        """As the reference client: again until acknowledged (never given up while the test runs)."""
        while not record["acked"]:
            if self.ws is None:
                self.open(self.resume)  # the same conversation: the message goes again below
            ws, record["_error"] = self.ws, False
            record["sent_at"] = record["sent_at"] or time.time()
            record["attempts"] += 1
            self.send({"type": "message", "text": record["text"], "client_id": record["client_id"]})
            self.wait(lambda: record["acked"] or record["_error"] or self.ws is not ws, TIMEOUT)
            if record["_error"] and not record["acked"]:
                gevent.sleep(1.5)

    def open(self, resume: Optional[str]) -> None:
        """A socket welcomed into the conversation of ``resume`` (a new one for None), however long it takes."""
        while True:
            self.disconnect()
            try:
                ws = websocket.create_connection(self.url, timeout=TIMEOUT)
            except (OSError, websocket.WebSocketException):
                gevent.sleep(1.5)
                continue
            self.ws, self.welcomed = ws, False
            gevent.spawn(self.read, ws)
            while self.ws is ws and not self.welcomed:
                self.refused = False
                self.send({"type": "hello", "resume": resume})
                self.wait(lambda: self.welcomed or self.refused or self.ws is not ws, TIMEOUT)
                if self.refused:  # the database is restarting, or too many new conversations
                    gevent.sleep(1.5)
            if self.welcomed:
                return

    def send(self, frame: Dict) -> None:
        ws = self.ws
        try:
            ws.send(json.dumps(frame, ensure_ascii=False))
        except (OSError, websocket.WebSocketException, AttributeError):
            self.lost_socket(ws)

    def disconnect(self) -> None:
        ws, self.ws = self.ws, None
        if ws is not None:
            try:
                ws.send_close()  # no wait for the answer: the reader greenlet owns the receiving side
            except (OSError, websocket.WebSocketException):
                pass
            ws.shutdown()  # the reader's recv fails and it ends

    def lost_socket(self, ws) -> None:
        if ws is not None and self.ws is ws:
            self.ws = None
        self.signal.set()

    def wait(self, condition: Callable[[], bool], timeout: float) -> bool:
        """Until ``condition()`` holds (True) or ``timeout`` s have passed (False); frames wake it up."""
        deadline = time.monotonic() + timeout
        while True:
            self.signal.clear()
            if condition() or time.monotonic() >= deadline:
                return condition()
            self.signal.wait(deadline - time.monotonic())

    def read(self, ws) -> None:
        try:
            while self.ws is ws:
                try:
                    raw = ws.recv()
                except websocket.WebSocketTimeoutException:
                    continue
                if not raw:
                    break
                self.on_frame(json.loads(raw), ws)
        except (OSError, websocket.WebSocketException, ValueError):
            pass
        finally:
            self.lost_socket(ws)

    def on_frame(self, frame: Dict, ws) -> None:
        kind, record = frame.get("type"), self.sent.get(frame.get("client_id") or frame.get("reply_to") or "")
        if kind == "welcome" and ws is self.ws:  # (not a late one from a socket given up)
            self.conversation_id, self.resume = frame["conversation_id"], frame["resume"]
            self.state, self.welcomed = (frame.get("state") or {}).get("state", "bot"), True
        elif kind == "state":
            self.state = frame.get("state")
        elif kind == "ack" and record is not None and not record["acked"]:
            record["acked"], record["ack_ms"] = True, self.ms(record)
            if record["kind"] == "to_agent":
                self.report(record, "to_agent", record["ack_ms"])
        elif kind == "error":
            if record is not None:
                record["_error"], record["errors"] = True, record["errors"] + 1
            elif not self.welcomed:
                self.refused = True
        elif kind == "message" and record is not None and frame.get("reply_to"):
            if frame.get("role") == "bot" and not record["answered"]:
                record["answered"], record["reply_ms"] = True, self.ms(record)
                self.report(record, "question", record["reply_ms"])
            elif frame.get("role") == "system" and (frame.get("text") or "").startswith(NO_ANSWER):
                record["no_answer"] = True  # (the other system reply is "the answer is late": one is coming)
                self.report(record, "question", self.ms(record), "the bot read it but sent no answer")
        self.signal.set()

    @staticmethod
    def ms(record: Dict) -> float:
        return round((time.time() - record["sent_at"]) * 1000, 1)

    def report(self, record: Dict, name: str, ms: float, failure: Optional[str] = None) -> None:
        if not record["_fired"]:  # once per message
            record["_fired"] = True
            self.environment.events.request.fire(request_type="WS", name=name, response_time=ms, response_length=0,
                                                 context={}, exception=RuntimeError(failure) if failure else None)

    def on_stop(self) -> None:
        """The test is over: what is not acknowledged yet goes again (60 s at most), answers may still come."""
        with gevent.Timeout(60, False):
            for record in [r for r in self.sent.values() if not r["acked"]]:
                self.open(self.resume)  # a fresh socket: the old one may have been cut mid-frame
                self.deliver(record)
        self.wait(lambda: all(r["answered"] or r["no_answer"] for r in self.sent.values()
                              if r["kind"] != "to_agent" and r["conversation_id"] == self.conversation_id), 30)
        self.disconnect()
        for r in self.sent.values():  # Locust counts what never came as failures
            if r["sent_at"] and not (r["acked"] and r["kind"] == "to_agent"):
                self.report(r, "to_agent" if r["kind"] == "to_agent" else "question", self.ms(r),
                            "no answer before the end of the test" if r["acked"] else "never acknowledged")


class AgentUser(HttpUser):
    fixed_count = int(os.environ.get("SOAK_AGENTS", "5"))
    wait_time = between(0.5, 1.5)

    def on_start(self) -> None:
        self.username = f"{os.environ.get('SOAK_AGENT_PREFIX', 'soak-agent-')}{next(AGENT_NUMBER)}"
        self.tickets, self.listening = [], True  # tickets: the latest queue the console socket pushed
        for _ in range(30):
            page = self.client.get("/agent/login", timeout=TIMEOUT)
            token = re.search(r'name="csrf_token" value="([^"]+)"', page.text or "")
            answer = self.client.post("/agent/login", allow_redirects=False, timeout=TIMEOUT, data={
                "username": self.username, "password": os.environ["SOAK_AGENT_PASSWORD"],
                "csrf_token": token.group(1) if token else ""})
            if answer.status_code == 302:
                self.csrf = self.client.get("/agent/api/me", timeout=TIMEOUT).json()["csrf_token"]
                break
            gevent.sleep(2)
        else:
            raise RuntimeError(f"{self.username} could not log in")
        self.listener = gevent.spawn(self.listen)

    def listen(self) -> None:
        """Keep /agent/ws open (an agent offline loses their chats): again a second after it drops."""
        url, ws = self.host.replace("http", "ws", 1) + "/agent/ws", None
        while self.listening:
            try:
                ws = websocket.create_connection(url, timeout=TIMEOUT, cookie="; ".join(
                    f"{c.name}={c.value}" for c in self.client.cookies))
                while self.listening:
                    try:
                        frame = json.loads(ws.recv() or "{}")
                    except websocket.WebSocketTimeoutException:
                        continue
                    if not frame:
                        break
                    self.tickets = frame["tickets"] if frame.get("type") == "queue" else self.tickets
            except (OSError, websocket.WebSocketException, ValueError):
                pass
            self.tickets = []  # offline: claim nothing until the console is back
            if ws is not None:
                ws.shutdown()
            gevent.sleep(1)

    @task
    def serve(self) -> None:
        queued = [t for t in self.tickets if t.get("status") == "queued"]
        if not queued:
            return
        ticket_id = random.choice(queued)["id"]
        with self.client.post(f"/agent/api/tickets/{ticket_id}/claim", json={}, timeout=TIMEOUT,
                              headers={"X-CSRF-Token": self.csrf}, name="/agent/api/tickets/[id]/claim",
                              catch_response=True) as answer:
            if answer.status_code == 409:  # another agent was first
                answer.success()
            if answer.status_code != 200:
                return
        close_at = time.time() + random.uniform(10, 20)
        for text in random.sample(AGENT_REPLIES, 2):
            gevent.sleep(random.uniform(2, 4))
            self.post(ticket_id, "messages", {"text": text})
        gevent.sleep(max(0.0, close_at - time.time()))
        self.post(ticket_id, "close", {"outcome": "resolved"})

    def post(self, ticket_id: int, action: str, body: Dict) -> None:
        for _ in range(10):  # again while a service is restarting
            answer = self.client.post(f"/agent/api/tickets/{ticket_id}/{action}", json=body, timeout=TIMEOUT,
                                      headers={"X-CSRF-Token": self.csrf}, name=f"/agent/api/tickets/[id]/{action}")
            if answer.status_code < 500:
                return
            gevent.sleep(2)

    def on_stop(self) -> None:
        self.listening = False
        self.listener.kill(block=False)
