"""The citizen chat and the agent console in a real browser (Debian chromium via Playwright)."""
from pathlib import Path

import pytest

from bot.faq.answering import faq_base
from tests.web.conftest import SHOTS, ask, log_in

pytestmark = [pytest.mark.server, pytest.mark.browser]


def test_citizen_agent_round_trip(browser, accounts):
    base = accounts.web_url
    SHOTS.mkdir(parents=True, exist_ok=True)
    citizen = browser.new_context(viewport={"width": 360, "height": 740}, locale="ko-KR").new_page()
    citizen.goto(f"{base}/chat")
    ask(citizen, "여권 발급 수수료가 얼마예요?")
    citizen.locator(".msg-bot", has_text="여권 발급 수수료").first.wait_for(timeout=60_000)
    assert citizen.evaluate("document.documentElement.scrollWidth") <= 360  # no sideways scrolling
    assert citizen.get_attribute("#chat-log", "aria-live") == "polite"
    citizen.screenshot(path=str(SHOTS / "citizen-answer.png"), full_page=True)

    ask(citizen, "상담원 연결해 주세요")
    citizen.wait_for_selector('#chat-status[data-state="queued"]', timeout=60_000)
    assert "대기" in citizen.inner_text("#chat-status")
    citizen.screenshot(path=str(SHOTS / "citizen-waiting.png"), full_page=True)

    agent = browser.new_context(viewport={"width": 1280, "height": 800}, locale="ko-KR").new_page()
    log_in(agent, f"{base}/agent", "kim")
    agent.wait_for_url(f"{base}/agent")
    row = agent.locator("#live-list .queue-item", has_text="여권 발급 수수료가 얼마예요?").last  # the question, not the request
    row.locator(".queue-open").click()  # not claimed yet: the summary, not the conversation
    agent.locator("#message-log", has_text="상담을 가져오면 대화 전체를 볼 수 있어요").wait_for(timeout=30_000)
    assert agent.locator("#message-log .msg-bot").count() == 0
    row.locator(".claim-button").click()
    agent.locator("#chat-view .msg-bot", has_text="여권 발급 수수료").first.wait_for(timeout=30_000)

    citizen.wait_for_selector('#chat-status[data-state="assigned"]', timeout=30_000)
    assert "김상담" in citizen.inner_text("#chat-status")

    agent.fill("#agent-input", "안녕하세요, 김상담입니다. 여권 수수료는 종류에 따라 달라요.")
    agent.click("#agent-send")
    citizen.locator(".msg-agent", has_text="김상담입니다").wait_for(timeout=30_000)
    assert "김상담" in citizen.locator(".msg-agent").last.inner_text()

    ask(citizen, "<img src=x onerror=alert(1)> 감사합니다")  # shown as text, never as HTML
    agent.locator("#chat-view .msg-citizen", has_text="<img src=x").wait_for(timeout=30_000)
    assert agent.locator("#chat-view img").count() == 0 and citizen.locator("#chat-log img").count() == 0
    agent.locator("#suggestions .suggestion").first.wait_for(timeout=30_000)
    agent.screenshot(path=str(SHOTS / "agent-round-trip.png"), full_page=True)  # README: test_console_ux_browser
    citizen.screenshot(path=str(SHOTS / "citizen-agent-chat.png"), full_page=True)

    agent.select_option("#close-outcome", "resolved")
    agent.fill("#close-note", "수수료 안내")
    agent.click("#close-button")
    citizen.wait_for_selector('#chat-status[data-state="bot"]', timeout=30_000)
    citizen.locator("#rating button").last.click()
    citizen.locator("#rating", has_text="감사").wait_for(timeout=30_000)

    ask(citizen, "자동차세 연납은 어떻게 신청해요?")
    citizen.locator(".msg-bot", has_text="연납").last.wait_for(timeout=60_000)
    citizen.screenshot(path=str(SHOTS / "citizen-back-to-bot.png"), full_page=True)

    citizen.reload()  # the conversation survives a reload
    citizen.locator(".msg-bot", has_text="연납").last.wait_for(timeout=30_000)
    citizen.wait_for_selector('#chat-status[data-state="bot"]', timeout=30_000)


def test_widget_opens_the_chat_on_any_page(browser, accounts):
    page = browser.new_context(viewport={"width": 1280, "height": 800}).new_page()
    page.goto(f"{accounts.web_url}/healthz")  # any page on some origin; the city site in real life
    page.set_content(f'<html lang="ko"><body><h1>안산시청</h1>'
                     f'<script src="{accounts.web_url}/widget.js"></script></body></html>')
    button = page.locator("button[aria-label*='챗봇']")
    button.click()
    frame = page.frame_locator("iframe")
    frame.locator("#chat-input").wait_for(timeout=30_000)
    frame.locator("#chat-input").fill("도서관 회원증 만들려면 뭐가 필요해요?")
    frame.locator("#chat-input").press("Enter")
    frame.locator(".msg-bot").first.wait_for(timeout=60_000)
    page.screenshot(path=str(SHOTS / "widget.png"))
    page.keyboard.press("Escape")


def test_off_topic_question_gets_the_topic_menu_on_a_phone(browser, accounts):
    """Off-topic: no agent offered; the topic menu leads to a topic's questions and an answer."""
    citizen = browser.new_context(viewport={"width": 360, "height": 740}, locale="ko-KR").new_page()
    citizen.goto(f"{accounts.web_url}/chat")
    ask(citizen, "주말에 볼 만한 영화 추천해 줄래?")
    menu = citizen.locator(".quick-replies").last
    menu.locator("button", has_text="여권").wait_for(timeout=60_000)
    assert "민원 안내를 도와드려요" in citizen.locator(".msg-bot").last.inner_text()
    assert menu.locator("button", has_text="상담원").count() == 0
    assert citizen.evaluate("document.documentElement.scrollWidth") <= 360
    citizen.screenshot(path=str(SHOTS / "citizen-topic-menu.png"), full_page=True)
    menu.locator("button", has_text="여권").click()
    citizen.locator(".msg-citizen", has_text="여권").last.wait_for(timeout=30_000)  # the click reads as its title
    questions = citizen.locator(".quick-replies").last
    fee = faq_base().get("passport_fee")
    questions.locator("button", has_text=fee.question).wait_for(timeout=60_000)
    questions.locator("button", has_text=fee.question).click()
    answer = citizen.locator(".msg-bot", has_text=fee.question).last
    answer.wait_for(timeout=60_000)
    assert "원" in answer.inner_text() and "확인 필요" not in answer.inner_text()


def test_keyboard_only_chat(browser, accounts):
    page = browser.new_context(viewport={"width": 360, "height": 740}).new_page()
    page.goto(f"{accounts.web_url}/chat")
    page.focus("#chat-input")
    page.keyboard.type("안녕하세요")
    page.keyboard.press("Enter")
    page.locator(".msg-bot").first.wait_for(timeout=60_000)
    page.keyboard.press("Tab")
    focused = page.evaluate("document.activeElement && document.activeElement.tagName")
    assert focused in ("BUTTON", "TEXTAREA", "INPUT", "A")


def test_content_staff_see_the_dashboard_not_chats(browser, accounts, server_db):
    """The editor logs in, lands on the studio and reads the dashboard: KPI numbers and SVG charts."""
    from bot.handoff import counters, tickets
    from bot.studio import analytics, feedback

    for i, (faq_id, category) in enumerate([("flu_vaccine", "health")] * 3 + [("water_bill_payment", "water")] * 2
                                           + [("illegal_parking_report", "parking"), (None, None)]):
        conversation = f"dashboard-shot-{i}"
        counters.citizen_message(conversation)
        outcome = "answer" if faq_id else "unsure"
        counters.bot_outcome(conversation, outcome)
        analytics.record_outcome(conversation, outcome, faq_id, category)
    ticket = tickets.claim(tickets.request_handoff("dashboard-shot-6", [], within_hours=True).id, "kim")
    tickets.rate(tickets.close(ticket.id, "kim", "resolved").id, 5)
    feedback.vote("dashboard-shot-0", "m1", feedback.UP, feedback.RatedAnswer("flu_vaccine", "독감 주사"))
    feedback.vote("dashboard-shot-3", "m1", feedback.DOWN, feedback.RatedAnswer("water_bill_payment", "수도 요금"))

    page = browser.new_context(viewport={"width": 1280, "height": 800}, locale="ko-KR").new_page()
    log_in(page, f"{accounts.web_url}/agent", "editor")
    page.wait_for_url("**/studio**")
    page.goto(f"{accounts.web_url}/studio#dashboard")
    page.locator(".dash-card").first.wait_for(timeout=30_000)
    expected = page.evaluate("fetch('/studio/api/dashboard').then((r) => r.json())")
    cards = page.inner_text(".dash-cards")
    assert "자체처리율" in cards and "응대율" in cards and "서비스레벨 (20초)" in cards
    assert f"{expected['kpis']['bot_self_resolution_rate'] * 100:.1f}%" in cards
    assert page.locator("#dash-daily svg rect.dash-bar").count() == len(expected["per_day"])
    daily = page.locator("#dash-daily svg[role=img]").get_attribute("aria-label")  # each chart says what it shows
    assert daily.startswith("일별 대화 수 막대그래프") and f"모두 {expected['kpis']['conversations']}건" in daily
    assert page.locator("#dash-daily details table tbody tr").count() == len(expected["per_day"])
    assert page.locator("#dash-categories svg[role=img]").get_attribute("aria-label").startswith("많이 답한 분야")
    assert "시 콜센터 문의 순위" in page.inner_text("#dash-categories")
    assert page.locator("#dash-feedback svg text", has_text="싫어요 1").count() >= 1
    assert page.locator("#tab-dashboard").get_attribute("aria-selected") == "true"
    assert page.locator("#queue").count() == 0  # no live chats for content staff
    page.screenshot(path=str(SHOTS / "studio-dashboard.png"), full_page=True)
    page.set_viewport_size({"width": 768, "height": 900})
    assert page.evaluate("document.documentElement.scrollWidth") <= 768  # usable on a tablet
