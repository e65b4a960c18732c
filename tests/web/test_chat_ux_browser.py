"""The citizen chat and the widget as a citizen meets them (issue 11), in Debian chromium.

Phone 360×740, phone with the keyboard open 360×400, desktop 1280×800, and the widget on a
host page. Screenshots go to reports/screenshots (the README shows them).
"""
import re
import time

import pytest

from bot.faq.answering import faq_base
from bot.faq.render import answer_message
from bot.faq.small_talk import WELCOME_TOPICS
from tests.web.conftest import SHOTS, ask, axe_violations, console_page

pytestmark = [pytest.mark.server, pytest.mark.browser]
PHONE, KEYBOARD, DESKTOP = {"width": 360, "height": 740}, {"width": 360, "height": 400}, {"width": 1280, "height": 800}


def chat_page(browser, servers, viewport=PHONE, path="/chat"):
    page = browser.new_context(viewport=viewport, locale="ko-KR", bypass_csp=True).new_page()  # axe is injected
    page.goto(servers.web_url + path)
    page.locator(".row-welcome .topic-menu button").first.wait_for(timeout=30_000)
    return page


def bot_rows_after(page, citizen_text):
    """The rows after the citizen's last bubble with ``citizen_text``."""
    return page.evaluate("""(text) => {
        const rows = [...document.querySelectorAll('#chat-log > .msg-row')];
        const i = rows.map((r) => r.classList.contains('row-citizen') && r.innerText.includes(text)).lastIndexOf(true);
        return rows.slice(i + 1).map((r) => ({role: r.className, text: r.innerText}));
    }""", citizen_text)


def in_view(page, selector):
    """Is the top of the last element matching ``selector`` inside the visible part of the chat log?"""
    return page.evaluate("""(sel) => {
        const log = document.querySelector('#chat-log').getBoundingClientRect();
        const box = [...document.querySelectorAll(sel)].pop().getBoundingClientRect();
        return box.top >= log.top - 1 && box.top < log.bottom;
    }""", selector)


PHONE_NUMBER = re.compile(r"\b0\d{1,2}-\d{3,4}-\d{4}\b|\b1[3-9]\d{2}-\d{4}\b|☎ ?\d{3,4}\b")


def an_entry_with_a_link_and_a_phone():
    base = faq_base()
    for entry in base.entries:
        text = answer_message(entry, base.city)
        if re.search(r"www\.|https?://", text) and PHONE_NUMBER.search(text):
            return entry, text
    pytest.fail("no FAQ answer has a web address and a phone number")


def test_welcome_with_the_busiest_topics_and_a_way_back_to_them(browser, servers):
    page = chat_page(browser, servers)
    welcome = page.locator(".row-welcome").first
    assert welcome.locator(".msg").inner_text().startswith("안녕하세요!")
    labels = faq_base().categories()
    assert welcome.locator(".topic-menu button").all_inner_texts() == [labels[t] for t in WELCOME_TOPICS]
    assert "안내용" in welcome.inner_text()  # the disclaimer, folded into the welcome
    assert page.evaluate("document.documentElement.scrollWidth") <= 360
    assert axe_violations(page) == []
    page.screenshot(path=str(SHOTS / "citizen-welcome.png"))

    welcome.locator("button", has_text=labels["water"]).click()
    page.locator(".row-citizen", has_text=labels["water"]).wait_for(timeout=30_000)
    water = [e.question for e in faq_base().entries if e.category == "water"]
    page.locator(".quick-replies button", has_text=water[0]).wait_for(timeout=60_000)

    page.click("#chat-topics")  # the way back: the topics again, at the end of the log
    again = page.locator("#chat-log > .msg-row").last
    assert again.locator(".quick-replies button").all_inner_texts() == [labels[t] for t in WELCOME_TOPICS]
    assert page.evaluate("document.activeElement.closest('.quick-replies') !== null")
    again.locator("button", has_text=labels["library"]).click()
    library = [e.question for e in faq_base().entries if e.category == "library"]
    page.locator(".quick-replies button", has_text=library[0]).wait_for(timeout=60_000)

    page.reload()  # the welcome stays on top of the conversation after a reload
    page.locator(".row-citizen", has_text=labels["library"]).wait_for(timeout=30_000)
    assert page.locator("#chat-log > .msg-row").first.get_attribute("class").count("row-welcome") == 1


def test_an_answer_has_a_heading_paragraphs_links_and_phone_links(browser, servers):
    entry, text = an_entry_with_a_link_and_a_phone()
    page = chat_page(browser, servers)
    ask(page, entry.question)
    answer = page.locator(".msg-answer", has=page.locator(".msg-heading", has_text=entry.question)).last
    answer.wait_for(timeout=60_000)
    assert answer.locator(".msg-heading").inner_text() == entry.question  # no [brackets]
    assert "[" not in answer.inner_text().splitlines()[0]
    assert answer.locator("p.msg-line").count() >= 2  # short paragraphs, not one block
    assert answer.locator(".msg-contact").inner_text().startswith("담당:")  # the department: its footer
    tel = answer.locator("a[href^='tel:']").first
    assert re.fullmatch(r"tel:\d{3,11}", tel.get_attribute("href"))
    assert tel.inner_text() in PHONE_NUMBER.findall(text)[0]
    web = answer.locator("a[href^='http']").first
    assert web.get_attribute("target") == "_blank" and "noopener" in web.get_attribute("rel")
    rows = bot_rows_after(page, entry.question)
    assert len(rows) == 1 and "담당:" in rows[0]["text"]  # one bubble: no separate "담당" bubble
    assert axe_violations(page) == []

    live = answer.locator(".msg-text").inner_html()
    page.reload()  # one rendering, whichever way the page is built
    again = page.locator(".msg-answer", has=page.locator(".msg-heading", has_text=entry.question)).last
    again.wait_for(timeout=30_000)
    assert again.locator(".msg-text").inner_html() == live
    assert len(bot_rows_after(page, entry.question)) == 1


def test_on_a_phone_a_new_answer_shows_from_its_start_with_the_question(browser, servers):
    page = chat_page(browser, servers)
    for question in ("여권 발급 수수료가 얼마예요?", "전입신고는 어떻게 하고 언제까지 해야 하나요?"):
        ask(page, question)
        page.locator(".row-citizen", has_text=question).last.wait_for(timeout=30_000)
        page.wait_for_function("(q) => { const rows = [...document.querySelectorAll('#chat-log > .msg-row')];"
                               " const i = rows.findLastIndex((r) => r.matches('.row-citizen') && r.innerText.includes(q));"
                               " return i >= 0 && rows.length > i + 1; }", arg=question, timeout=60_000)
    page.wait_for_timeout(300)
    assert in_view(page, "#chat-log > .row-citizen")  # the citizen's own question is in view
    assert in_view(page, "#chat-log > .row-bot .msg-heading")  # and the start of the answer
    page.screenshot(path=str(SHOTS / "citizen-answer-360.png"))


def test_the_phone_layout_gives_the_conversation_the_room(browser, servers):
    page = chat_page(browser, servers)
    log = page.locator("#chat-log").bounding_box()
    assert log["height"] >= 740 - 230  # header, state bar and composer take at most 230 px
    assert page.locator(".chat-footer").count() == 0
    assert page.locator(".chat-emergency a[href='tel:112']").is_visible()
    page.set_viewport_size(KEYBOARD)  # a phone with the keyboard open
    page.focus("#chat-input")
    ask(page, "여권 발급 수수료가 얼마예요?")
    page.locator(".msg-answer").last.wait_for(timeout=60_000)
    log = page.locator("#chat-log").bounding_box()
    assert log["height"] >= 210, log  # was ~114 px
    assert page.evaluate("document.documentElement.scrollHeight") <= 400  # the page itself does not scroll
    assert page.locator("#chat-input").is_visible() and page.locator("#chat-status").is_visible()
    assert in_view(page, "#chat-log > .row-bot .msg-heading")
    page.screenshot(path=str(SHOTS / "citizen-keyboard-360x400.png"))


def test_declining_a_person_gets_one_reply(browser, servers):
    page = chat_page(browser, servers)
    ask(page, "주말에 볼 만한 영화 추천해 줄래?")  # off-topic
    page.locator(".msg-bot", has_text="민원 안내를 도와드려요").wait_for(timeout=60_000)
    ask(page, "qwer asdf")  # unclear again: a person is offered
    no = page.locator(".quick-replies button", has_text="아니요, 다시 질문할게요")
    no.wait_for(timeout=60_000)
    no.click()
    page.locator(".row-citizen", has_text="아니요").last.wait_for(timeout=30_000)
    page.wait_for_function("() => document.querySelector('#chat-log > .msg-row:last-child').classList.contains('row-bot')",
                           timeout=60_000)
    time.sleep(3)  # a second reply would come right after the first
    rows = bot_rows_after(page, "아니요")
    assert len(rows) == 1, rows
    assert "이해하지 못했어요" not in rows[0]["text"]


def test_a_one_word_question_offers_the_entries_and_a_button_for_a_person(browser, servers):
    page = chat_page(browser, servers)
    ask(page, "세금")
    choices = page.locator("#chat-log > .msg-row:last-child .quick-replies")
    choices.locator("button.to-human").wait_for(timeout=60_000)
    taxes = {e.question for e in faq_base().entries if e.category == "tax"}
    titles = choices.locator("button:not(.to-human)").all_inner_texts()
    assert len(titles) >= 3 and set(titles) <= taxes, titles
    assert "입력해" not in page.locator(".msg-bot").last.inner_text()  # no "type '상담원 연결'"
    assert axe_violations(page) == []
    page.screenshot(path=str(SHOTS / "citizen-one-word-360.png"))
    choices.locator("button.to-human").click()
    page.wait_for_selector('#chat-status[data-state="queued"]', timeout=60_000)
    page.click("#chat-cancel")
    page.wait_for_selector('#chat-status[data-state="bot"]', timeout=30_000)


def test_a_new_conversation_is_started_only_when_confirmed(browser, servers):
    page = chat_page(browser, servers)
    ask(page, "여권 발급 수수료가 얼마예요?")
    page.locator(".msg-answer").last.wait_for(timeout=60_000)
    token = page.evaluate("localStorage.getItem('ansan-chat-resume')")
    page.click("#chat-new")
    dialog = page.locator("#chat-confirm-new")
    assert dialog.is_visible() and "새 대화를 시작할까요?" in dialog.inner_text()
    page.screenshot(path=str(SHOTS / "citizen-confirm-new-360.png"))
    page.keyboard.press("Escape")  # or "계속 대화하기": nothing is lost
    assert not dialog.is_visible() and page.locator(".msg-answer").count() == 1
    assert page.evaluate("document.activeElement.id") == "chat-new"
    page.click("#chat-new")
    dialog.locator("button", has_text="새로 시작").click()
    page.wait_for_function("(old) => { const t = localStorage.getItem('ansan-chat-resume');"
                           " return t && t !== old; }", arg=token, timeout=30_000)
    page.locator(".row-welcome").wait_for(timeout=30_000)
    assert page.locator(".msg-answer").count() == 0 and page.locator(".row-citizen").count() == 0


def test_an_agents_line_breaks_reach_the_citizen(browser, accounts, agent_factory):
    page = chat_page(browser, accounts)
    ask(page, "줄바꿈 확인용이에요. 상담원 연결해 주세요")
    page.wait_for_selector('#chat-status[data-state="queued"]', timeout=60_000)
    console = console_page(browser, accounts.web_url)  # kim online: the watchdog leaves the chat with kim
    agent = agent_factory("kim")
    ticket = max((t for t in agent.get("/agent/api/queue").json()["tickets"] if t["status"] == "queued"),
                 key=lambda t: t["id"])  # this test's: the newest in the queue
    assert agent.post(f"/agent/api/tickets/{ticket['id']}/claim").status_code == 200
    text = "안녕하세요, 김상담이에요.\n준비물은 아래와 같아요.\n- 신분증\n- 사진 1장\n콜센터: 1588-2504"
    assert agent.post(f"/agent/api/tickets/{ticket['id']}/messages", {"text": text}).status_code == 200
    bubble = page.locator(".msg-agent", has_text="김상담이에요").last
    bubble.wait_for(timeout=30_000)
    assert bubble.locator("p.msg-line").all_inner_texts()[:2] == ["안녕하세요, 김상담이에요.", "준비물은 아래와 같아요."]
    assert bubble.locator("li").all_inner_texts() == ["신분증", "사진 1장"]
    assert bubble.locator("a[href='tel:15882504']").count() == 1
    page.screenshot(path=str(SHOTS / "citizen-agent-lines-360.png"))
    closed = agent.post(f"/agent/api/tickets/{ticket['id']}/close", {"outcome": "resolved", "note": "안내 완료"})
    assert closed.status_code == 200, closed.text
    page.wait_for_selector('#chat-status[data-state="bot"]', timeout=30_000)
    console.context.close()


def test_the_widget_shows_the_title_the_emergency_numbers_and_the_welcome(browser, servers):
    page = browser.new_context(viewport=DESKTOP, locale="ko-KR", bypass_csp=True).new_page()
    page.goto(f"{servers.web_url}/healthz")  # any page on some origin; the city site in real life
    page.set_content('<html lang="ko"><head><title>안산시청</title></head><body><main><h1>안산시청</h1>'
                     f'<p>시청 누리집</p></main><script src="{servers.web_url}/widget.js"></script></body></html>')
    page.locator("button[aria-label*='챗봇']").click()
    frame = page.frame_locator("iframe")
    frame.locator(".row-welcome .topic-menu button").first.wait_for(timeout=30_000)
    assert frame.locator(".chat-title").is_visible() and "안산시 민원상담 챗봇" in frame.locator(".chat-title").inner_text()
    assert frame.locator(".chat-emergency a[href='tel:119']").is_visible()
    assert frame.locator("#chat-close").is_visible()
    frame.locator("#chat-input").fill("도서관 회원증 만들려면 뭐가 필요해요?")
    frame.locator("#chat-input").press("Enter")
    frame.locator(".msg-answer").first.wait_for(timeout=60_000)
    page.screenshot(path=str(SHOTS / "widget.png"))
    assert axe_violations(page) == []

    embed = browser.new_context(viewport={"width": 380, "height": 600}, locale="ko-KR", bypass_csp=True).new_page()
    embed.goto(f"{servers.web_url}/chat?embed=1")  # the frame's own page, as axe sees it
    embed.locator(".row-welcome .topic-menu button").first.wait_for(timeout=30_000)
    assert axe_violations(embed) == []


def test_desktop_chat(browser, servers):
    page = chat_page(browser, servers, DESKTOP)
    assert page.locator(".chat-hint").is_visible()  # desktop has room for the topic hint
    ask(page, "여권 발급 수수료가 얼마예요?")
    page.locator(".msg-answer").last.wait_for(timeout=60_000)
    assert axe_violations(page) == []
    page.screenshot(path=str(SHOTS / "citizen-desktop.png"))
