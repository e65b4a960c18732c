"""In a real browser: a citizen taps 👎 on an answer, the content editor finds it in the review queue."""
import re
import uuid

import pytest

from bot.studio import review

from tests.web.conftest import log_in
from tests.web.conftest import SHOTS, ask

pytestmark = [pytest.mark.server, pytest.mark.browser]
QUESTION = "여권 재발급 수수료는 얼마나 드나요?"
SEEN = ["음식물 쓰레기 봉투 어디서 사요?", "음식물쓰레기 봉투는 어디서 팔아요", "음식물 쓰레기 봉투 파는 곳 알려주세요",
        "음식물 쓰레기봉투 구입처가 어디예요?", "강아지 동물등록은 어디서 해요?", "반려견 등록 어떻게 하나요?"]


def test_a_thumbs_down_reaches_the_review_queue(browser, accounts, server_db):  # noqa: F811
    base = accounts.web_url
    for n, text in enumerate(SEEN):  # other misses, so that the queue shows clusters
        review.record(f"shot-{uuid.uuid4().hex[:8]}", text, review.FALLBACK if n < 4 else review.AGENT_HELPED,
                      agent_reply="반려동물 등록은 가까운 동물병원에서 하시면 돼요." if n >= 4 else None)
    SHOTS.mkdir(parents=True, exist_ok=True)
    citizen = browser.new_context(viewport={"width": 360, "height": 740}, locale="ko-KR").new_page()
    citizen.goto(f"{base}/chat")
    ask(citizen, QUESTION)
    down = citizen.get_by_role("button", name="아쉬워요 👎").last
    down.wait_for(timeout=60_000)
    assert citizen.get_by_role("group", name="이 답변이 도움이 됐나요?").count() >= 1
    down.focus()
    citizen.keyboard.press("Enter")  # keyboard works
    citizen.locator(".feedback-note", has_text="의견을 보냈어요").last.wait_for(timeout=30_000)
    assert down.get_attribute("aria-pressed") == "true"
    assert citizen.get_by_role("button", name="도움이 됐어요 👍").last.get_attribute("aria-pressed") == "false"
    assert citizen.evaluate("document.documentElement.scrollWidth") <= 360
    citizen.screenshot(path=str(SHOTS / "citizen-feedback.png"), full_page=True)

    editor = browser.new_context(viewport={"width": 1280, "height": 900}, locale="ko-KR").new_page()
    log_in(editor, f"{base}/agent/login", "editor")
    editor.wait_for_url(re.compile(r".*/studio.*"))
    editor.get_by_role("tab", name="검토 대기열").click()
    cluster = editor.locator(".review-cluster", has_text=QUESTION).first
    cluster.wait_for(timeout=180_000)  # the first load reads the embedding model into the web app
    assert "아쉬워요" in cluster.inner_text()
    target = cluster.locator("select.review-target")
    assert target.input_value()  # the bot's guess is preselected
    assert cluster.get_by_role("button", name=re.compile("예문으로 추가")).first.is_visible()
    food = editor.locator(".review-cluster", has_text="음식물 쓰레기").first
    assert food.locator(".review-count").inner_text() == "4건"  # paraphrases in one cluster
    editor.screenshot(path=str(SHOTS / "studio-review.png"), full_page=False)
    food.locator("summary").focus()
    editor.keyboard.press("Enter")  # the messages open from the keyboard
    food.get_by_role("button", name="이 메시지만 범위 밖").first.wait_for()

    editor.set_viewport_size({"width": 768, "height": 900})  # usable on a tablet: no sideways scrolling
    assert editor.evaluate("document.documentElement.scrollWidth") <= 768

    pets = editor.locator(".review-cluster", has_text="동물등록").first
    pets.get_by_role("button", name="새 항목 만들기").click()  # a new entry from a cluster opens in the editor
    editor.locator("#ed-form").wait_for(state="visible", timeout=30_000)
    assert editor.get_by_role("tab", name="FAQ 편집").get_attribute("aria-selected") == "true"
    assert editor.locator("#ed-title").inner_text() == "새 항목"
    assert editor.locator("#ed-question").input_value() in SEEN[4:]  # prefilled from the cluster
    assert editor.locator("#ed-answer").input_value().startswith("반려동물 등록은")  # the agent's reply as draft
