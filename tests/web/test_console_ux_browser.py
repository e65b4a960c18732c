"""Issue 11 in a real browser (Debian chromium): the agent console as a person working a busy queue uses it.

Live chats come first and apart from callback requests; a callback without a number is no ticket
and lapses with a polite word to the citizen; callbacks expire; stale and off-topic requests are
dismissed in bulk; cards show the citizen's question and waits in minutes and hours; suggestions
come from that question and go in without placeholders; line breaks survive; a mistaken claim is
put back; axe-core finds nothing serious on the console; the README's screenshot is taken here.
"""
from __future__ import annotations

import json
import re
import time
import uuid
from datetime import timedelta

import pytest
import requests
from sqlalchemy import update

from bot.faq.answering import faq_base
from bot.faq.render import render_answer
from bot.handoff import callback, tickets
from bot.storage.db import session_scope
from bot.storage.models import HandoffTicket, utcnow
from tests.web.conftest import SHOTS, ask, axe_violations, console_page

pytestmark = [pytest.mark.server, pytest.mark.browser]
DESKTOP = {"width": 1440, "height": 900}
MMSS = re.compile(r"\b\d{1,2}:\d{2}\b")


# --------------------------------------------------------------------------- helpers
def _age(ticket_id: int, **ago) -> None:
    moment = utcnow() - timedelta(**ago)
    with session_scope() as s:
        s.execute(update(HandoffTicket).where(HandoffTicket.id == ticket_id).values(created_at=moment, queued_at=moment))


def _callback(question: str, phone: str | None = "010-2345-6789", category: str | None = None, **ago) -> tickets.Ticket:
    """An out-of-hours callback request (the test servers are always open, so it is made directly)."""
    ticket = tickets.request_handoff(f"c-{uuid.uuid4().hex}", [], within_hours=False, last_question=question,
                                     category=category)
    if phone:
        ticket = tickets.store_callback_phone(ticket.id, callback.encrypt_phone(phone))
    if ago:
        _age(ticket.id, **ago)
    return ticket


def _eventually(check, timeout: float = 30.0):
    deadline = time.monotonic() + timeout
    while True:
        value = check()
        if value or time.monotonic() > deadline:
            return value
        time.sleep(0.3)


def _system_texts(servers, conversation_id: str):
    events = requests.get(f"{servers.rasa_url}/conversations/{conversation_id}/tracker",
                          params={"token": servers.token}, timeout=30).json().get("events") or []
    return [e["text"] for e in events if e.get("event") == "bot" and (e.get("metadata") or {}).get("role") == "system"]


class LiveCitizen:
    """A citizen in the chat page who asks a question, then for a person; the frames they receive are kept."""

    def __init__(self, browser, base: str, question: str) -> None:
        self.frames: list = []
        self.page = browser.new_context(viewport={"width": 400, "height": 760}, locale="ko-KR").new_page()
        self.page.on("websocket", lambda ws: ws.on("framereceived", self._keep))
        self.page.goto(f"{base}/chat")
        ask(self.page, question)
        self.page.locator(".msg-bot").last.wait_for(timeout=60_000)
        ask(self.page, "상담원 연결해 주세요")
        self.page.wait_for_selector('#chat-status[data-state="queued"]', timeout=60_000)
        self.ticket_id = _eventually(lambda: next((f["ticket_id"] for f in self.frames
                                                   if f.get("type") == "state" and f.get("ticket_id")), None))
        self.conversation_id = tickets.get(self.ticket_id).conversation_id

    def _keep(self, payload) -> None:
        try:
            self.frames.append(json.loads(payload))
        except (TypeError, ValueError):
            pass

    def messages(self, role: str):
        return [f["text"] for f in self.frames if f.get("type") == "message" and f.get("role") == role]


def _card(page, ticket_id: int):
    return page.locator(f'.queue-item[data-ticket-id="{ticket_id}"]')


def _list_ids(page, list_id: str):
    return [int(i) for i in page.eval_on_selector_all(f"#{list_id} .queue-item", "els => els.map(e => e.dataset.ticketId)")]


# --------------------------------------------------------------------------- tests
def test_live_chats_come_first_apart_from_callbacks_with_waits_in_minutes_and_hours(browser, accounts, server_db):
    kept = _callback("민원 서류를 우편으로 받을 수 있는지 알고 싶어요", hours=5)
    stale = _callback("지난주에 남긴 문의 답변 주세요", hours=49)  # past CALLBACK_EXPIRY_HOURS (48)
    bare = _callback("번호 없이 남긴 요청이에요", phone=None)
    citizen = LiveCitizen(browser, accounts.web_url, "여권 재발급 수수료는 얼마인가요?")
    _age(citizen.ticket_id, minutes=12)
    page = console_page(browser, accounts.web_url, viewport=DESKTOP)

    live = _card(page, citizen.ticket_id)
    live.wait_for(timeout=30_000)
    assert citizen.ticket_id in _list_ids(page, "live-list")  # live chats in their own group, first on the page
    assert page.eval_on_selector("#live-list", "l => l.compareDocumentPosition(document.getElementById('callback-list'))"
                                 ) & 4  # DOCUMENT_POSITION_FOLLOWING: callbacks come after
    assert kept.id in _list_ids(page, "callback-list") and kept.id not in _list_ids(page, "live-list")
    assert "여권 재발급 수수료는 얼마인가요?" in live.inner_text()  # the question, not "상담원 연결해 주세요"
    assert "상담원 연결해 주세요" not in live.inner_text()
    assert "대기 12분" in live.locator(".queue-wait").inner_text()
    kept_card = _card(page, kept.id)
    assert kept_card.locator(".queue-wait").inner_text() == "5시간 전 요청"
    assert re.search(r"1일 1[89]시간 후 자동 마감$", kept_card.locator(".queue-meta").inner_text())
    assert not MMSS.search(page.inner_text("#queue"))  # no mm:ss anywhere
    assert "실시간 대기" in page.inner_text("#queue-count")

    # a callback without a number is no ticket: not shown, not claimable; it lapses with a polite word
    assert _card(page, bare.id).count() == 0  # (the API refuses to claim it: tests/web/test_handoff_api.py)
    with session_scope() as s:
        s.execute(update(HandoffTicket).where(HandoffTicket.id == bare.id).values(created_at=utcnow() - timedelta(minutes=31)))
    assert _eventually(lambda: tickets.get(bare.id).status == tickets.CANCELLED)
    assert tickets.get(bare.id).end_reason == tickets.LAPSED
    lapsed = _eventually(lambda: [t for t in _system_texts(accounts, bare.conversation_id) if "접수하지 않고" in t])
    assert lapsed and "운영 시간" in lapsed[0] and "상담원 연결" in lapsed[0] and "요" in lapsed[0]
    assert "{" not in lapsed[0] and "확인 필요" not in lapsed[0]

    # the stale callback expired by itself: gone from the queue, its citizen told how else to reach us
    assert _eventually(lambda: tickets.get(stale.id).status == tickets.CANCELLED)
    assert tickets.get(stale.id).end_reason == tickets.EXPIRED
    _card(page, stale.id).wait_for(state="detached", timeout=30_000)
    expired = _eventually(lambda: [t for t in _system_texts(accounts, stale.conversation_id) if "48시간" in t])
    assert expired and "죄송해요" in expired[0] and "상담원 연결" in expired[0]
    tickets.dismiss(kept.id, "kim")
    citizen.page.context.close()  # gone: the queued chat is cancelled a few seconds later


def test_stale_and_off_topic_callbacks_are_dismissed_in_bulk(browser, accounts, server_db):
    off_topic = [_callback(q, hours=h) for q, h in (("오늘 저녁 메뉴 추천해 주세요", 30), ("심심한데 놀아 주세요", 20),
                                                     ("로또 번호 알려 주세요", 10))]
    real = _callback("수도 요금이 갑자기 많이 나왔어요", hours=2)
    page = console_page(browser, accounts.web_url, viewport=DESKTOP)
    for ticket in (*off_topic, real):
        _card(page, ticket.id).wait_for(timeout=30_000)
    _card(page, off_topic[0].id).locator(".queue-pick").check()
    _card(page, off_topic[2].id).locator(".queue-pick").click(modifiers=["Shift"])  # shift-click: the range
    assert all(_card(page, t.id).locator(".queue-pick").is_checked() for t in off_topic)
    assert not _card(page, real.id).locator(".queue-pick").is_checked()
    assert page.locator("#callback-all").evaluate("e => e.indeterminate") or page.locator("#callback-all").is_checked()
    page.click("#dismiss-button")
    assert "3건" in page.inner_text("#dismiss-question")
    page.locator("#dismiss-yes").press("Enter")  # focus is on the confirmation: the keyboard alone will do
    page.locator("#notice", has_text="3건을 정리했어요").wait_for(timeout=30_000)
    for ticket in off_topic:
        _card(page, ticket.id).wait_for(state="detached", timeout=30_000)
        done = tickets.get(ticket.id)
        assert (done.status, done.end_reason, done.ended_by) == (tickets.CANCELLED, tickets.DISMISSED, "kim")
    assert _card(page, real.id).is_visible() and tickets.get(real.id).status == tickets.CALLBACK
    told = _eventually(lambda: [t for t in _system_texts(accounts, off_topic[1].conversation_id) if "마감" in t])
    assert told and "상담원 연결" in told[0]
    tickets.dismiss(real.id, "kim")


def test_an_agent_works_a_chat_suggestions_line_breaks_put_back_accessibility_screenshot(browser, accounts, server_db):
    callbacks = [_callback(q, category=c, hours=h) for q, c, h in (("대형 폐기물 스티커는 어디서 사요?", "waste", 3),
                                                                   ("자동차세 연납 신청 기간이 궁금해요", "tax", 7),
                                                                   ("불법 주정차 과태료 이의신청 방법 알려 주세요", "parking", 26))]
    asker = LiveCitizen(browser, accounts.web_url, "여권 재발급 수수료는 얼마인가요?")
    waiting = LiveCitizen(browser, accounts.web_url, "독감 예방접종 무료 대상이 누구예요?")
    _age(waiting.ticket_id, minutes=4)
    page = console_page(browser, accounts.web_url, viewport=DESKTOP)

    card = _card(page, asker.ticket_id)
    card.locator(".claim-button").click()
    page.locator("#chat-view .msg-bot").first.wait_for(timeout=30_000)
    assert asker.ticket_id in _list_ids(page, "my-chats")
    assert page.locator("#message-log .msg-system", has_text="상담원이 연결되었어요").count() == 1  # once

    # suggestions: from the citizen's question, the passport fee first, nothing about reaching an agent
    page.locator("#suggestions .suggestion").first.wait_for(timeout=30_000)
    assert page.inner_text("#suggestions-question") == "여권 재발급 수수료는 얼마인가요?"
    ids = page.eval_on_selector_all("#suggestions .suggestion", "els => els.map(e => e.dataset.faqId)")
    assert ids[0] == "passport_fee" and "callcenter_info" not in ids
    page.locator("#suggestions .insert-suggestion").first.click()
    inserted = page.input_value("#agent-input")
    base = faq_base()
    assert inserted == render_answer(base.get("passport_fee"), base.city)
    assert not re.search(r"[{}]|확인 필요|undefined|null", inserted) and "\n" in inserted
    page.fill("#agent-input", "")

    # Shift+Enter is a new line, Enter sends; the line break reaches the citizen and stays in the agent's log
    page.focus("#agent-input")
    page.keyboard.type("여권 재발급 수수료를 안내해 드릴게요.")
    page.keyboard.press("Shift+Enter")
    page.keyboard.type("10년 복수여권 58면은 50,000원이에요.")
    page.keyboard.press("Enter")
    sent = "여권 재발급 수수료를 안내해 드릴게요.\n10년 복수여권 58면은 50,000원이에요."
    page.locator("#message-log .msg-agent").last.wait_for(timeout=30_000)
    assert page.locator("#message-log .msg-agent .msg-text").last.inner_text() == sent
    assert _eventually(lambda: sent in asker.messages("agent"))
    detail = page.evaluate(f"fetch('/agent/api/tickets/{asker.ticket_id}').then((r) => r.json())")
    assert _eventually(lambda: sent in [m["text"] for m in page.evaluate(
        f"fetch('/agent/api/tickets/{asker.ticket_id}').then((r) => r.json())")["transcript"]]), detail

    # the README screenshot and axe-core: the console, logged in, a chat open, a busy queue
    for ticket in callbacks:
        _card(page, ticket.id).wait_for(timeout=30_000)
    page.evaluate("document.querySelector('#message-log').scrollTop = 1e6")
    violations = axe_violations(page)
    assert violations == [], violations
    SHOTS.mkdir(parents=True, exist_ok=True)
    page.evaluate("document.getElementById('notice').textContent = ''")  # the claim's toast, gone after 7 s anyway
    page.screenshot(path=str(SHOTS / "agent-console.png"))

    # a stale ticket claimed by mistake goes back to its place in the queue
    before = _list_ids(page, "live-list")
    _card(page, waiting.ticket_id).locator(".claim-button").click()
    page.locator("#chat-title", has_text=f"#{waiting.ticket_id} ").wait_for(timeout=30_000)  # now shown
    page.locator("#put-back-button").wait_for(state="visible", timeout=30_000)
    waiting.page.wait_for_selector('#chat-status[data-state="assigned"]', timeout=30_000)
    page.click("#put-back-button")
    page.locator("#notice", has_text="원래 대기 순서로 되돌렸어요").wait_for(timeout=30_000)
    # its place among the chats still waiting (another test citizen may leave meanwhile: in one CI
    # run the first chat of the queue was gone, [13, 22] → [22])
    _eventually(lambda: _list_ids(page, "live-list") == before)
    after = _list_ids(page, "live-list")
    assert waiting.ticket_id in after and after == [t for t in before if t in after], (before, after)
    assert _card(page, waiting.ticket_id).locator(".claim-button").is_visible()
    back = tickets.get(waiting.ticket_id)
    assert (back.status, back.agent_username) == (tickets.QUEUED, None)
    waiting.page.wait_for_selector('#chat-status[data-state="queued"]', timeout=30_000)
    assert _eventually(lambda: any("대기 순서로 돌아갔어요" in t for t in waiting.messages("system")))
    assert asker.ticket_id in _list_ids(page, "my-chats")  # the other chat stays mine

    for ticket in callbacks:
        tickets.dismiss(ticket.id, "kim")
    for citizen in (asker, waiting):
        citizen.page.context.close()
