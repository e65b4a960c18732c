"""The FAQ editor over the real web app (and the live model), then in a real browser."""
import pytest
import requests

from bot.studio import drafts
from tests.web.conftest import log_in
from tests.web.conftest import SHOTS

pytestmark = pytest.mark.server
API = "/studio/api/editor"
TOUCHED = [("faq", "passport_fee"), ("faq", "passport_new"), ("faq", "passport_photo_size"),
           ("faq", "library_hours"), ("city", "passport_office")]


@pytest.fixture
def clean_drafts(server_db):
    """Drafts these tests make are discarded afterwards (other tests share the database)."""
    yield
    for kind, key in TOUCHED:
        drafts.discard_draft(kind, key)


@pytest.fixture
def editor_client(agent_factory, clean_drafts):
    return agent_factory("editor")


def test_agents_may_not_use_the_editor_and_writes_need_the_csrf_token(agent_factory, editor_client):
    agent = agent_factory("kim")
    assert agent.get(f"{API}/entries").status_code == 403
    assert editor_client.post(f"{API}/entries/passport_fee/retire", csrf="wrong").status_code == 403
    assert editor_client.get(f"{API}/entries/no_such_entry").status_code == 404
    assert editor_client.get(f"{API}/entries", {"status": "gone"}).json()["error"].startswith("상태 필터는")


def test_search_edit_validate_save_and_discard(editor_client):
    rows = editor_client.get(f"{API}/entries", {"q": "여권 수수료"}).json()["entries"]
    assert rows[0]["id"] == "passport_fee" and rows[0]["status"] == "live" and rows[0]["draft"] is None
    entry = editor_client.get(f"{API}/entries/passport_fee").json()["entry"]

    bad = editor_client.post(f"{API}/entries/passport_fee/draft", {**entry, "answer": "수수료는 {passport_ofice}에서 물어봐요."})
    assert bad.status_code == 422
    assert bad.json()["problems"][0]["field"] == "answer" and "{passport_ofice}" in bad.json()["problems"][0]["message"]

    good = editor_client.post(f"{API}/entries/passport_fee/draft", {**entry, "answer": "수수료는 {passport_site}에서 확인해요."})
    assert good.status_code == 200, good.text
    assert good.json()["preview"].startswith("수수료는 외교부 여권안내(www.passport.go.kr)에서 확인해요.")
    row = editor_client.get(f"{API}/entries", {"q": "여권 수수료", "status": "drafted"}).json()["entries"][0]
    assert row["id"] == "passport_fee" and row["draft"]["author"] == "editor" and row["draft"]["action"] == "edit"

    assert editor_client.post(f"{API}/entries/passport_fee/discard").status_code == 200
    assert editor_client.post(f"{API}/entries/passport_fee/discard").status_code == 404
    assert editor_client.get(f"{API}/entries/passport_fee").json()["draft"] is None


def test_an_example_the_model_ranks_nearer_to_another_entry_is_warned(editor_client, servers):
    # the first parse of a fresh Rasa loads models and can outlast the editor's time budget
    requests.post(f"{servers.rasa_url}/model/parse", json={"text": "여권"}, params={"token": servers.token},
                  timeout=120).raise_for_status()
    entry = editor_client.get(f"{API}/entries/passport_new").json()["entry"]
    odd = "여권 발급 수수료 몇 만원이에요"  # a fee question filed under "new passport"
    saved = editor_client.post(f"{API}/entries/passport_new/draft", {**entry, "examples": entry["examples"] + [odd]})
    assert saved.status_code == 200, saved.text
    warnings = [p for p in saved.json()["problems"] if p.get("example") == odd]
    assert warnings and warnings[0]["level"] == "warning" and warnings[0]["nearer"] == "passport_fee"
    assert warnings[0]["nearer_score"] > (warnings[0]["own_score"] or 0)


def test_create_and_retire(editor_client):
    base = editor_client.get(f"{API}/entries/passport_fee").json()["entry"]
    new = {**base, "id": "passport_photo_size", "question": "여권 사진은 어떤 규격이어야 하나요?",
           "answer": "가로 3.5cm, 세로 4.5cm 사진이에요. 자세한 기준은 {passport_site}에서 봐요.",
           "examples": ["여권 사진 크기가 어떻게 돼요", "여권사진 배경 흰색이어야 해요"]}
    created = editor_client.post(f"{API}/entries", {"entry": new})
    assert created.status_code == 201, created.text
    assert any(p["level"] == "warning" and p["field"] == "examples" for p in created.json()["problems"])
    assert "이미 있는 ID" in editor_client.post(f"{API}/entries", {"entry": new}).json()["problems"][0]["message"]
    assert editor_client.get(f"{API}/entries", {"status": "new"}).json()["entries"][0]["id"] == "passport_photo_size"

    retired = editor_client.post(f"{API}/entries/library_hours/retire").json()
    assert retired["draft"]["action"] == "retire" and not retired["dropped"]
    assert editor_client.post(f"{API}/entries/passport_photo_size/retire").json()["dropped"] is True
    assert editor_client.post(f"{API}/entries/passport_photo_size/retire").status_code == 404


def test_city_fact_verified_by_the_logged_in_editor(editor_client):
    refused = editor_client.post(f"{API}/facts/passport_office", {"value": "", "verified": True})
    assert refused.status_code == 422 and refused.json()["problems"][0]["field"] == "value"
    saved = editor_client.post(f"{API}/facts/passport_office", {"value": "상록구청 민원실", "verified": True}).json()
    assert saved["fact"]["verified_by"] == "editor" and saved["fact"]["verified_at"]
    row = next(f for f in editor_client.get(f"{API}/facts").json()["facts"] if f["key"] == "passport_office")
    assert row["value"] == "상록구청 민원실" and row["verified"] and row["draft"]["author"] == "editor"
    assert editor_client.post(f"{API}/facts/no_such_fact", {"value": "x"}).status_code == 404


@pytest.mark.browser
def test_editor_fixes_an_answer_in_the_browser(browser, accounts, clean_drafts):  # noqa: F811
    base = accounts.web_url
    SHOTS.mkdir(parents=True, exist_ok=True)
    page = browser.new_context(viewport={"width": 1280, "height": 900}, locale="ko-KR").new_page()
    log_in(page, f"{base}/agent/login", "editor")
    page.wait_for_url(f"{base}/studio**")  # content staff land in the studio

    page.fill("#ed-search", "여권")  # step 1: search
    page.locator('.ed-row[data-id="passport_fee"]').click()  # step 2: open
    answer = page.locator("#ed-answer")
    answer.wait_for()
    assert "52,000원" in answer.input_value() and "52,000원" in page.inner_text("#ed-preview")
    answer.fill("여권 수수료는 10년 복수여권 58면 기준 52,000원이에요.\n자세한 금액은 {passport_sitee}에서 확인해요.")
    assert page.inner_text("#ed-answer-count").endswith(f"/ {500}자")
    page.click("#ed-save")
    error = page.locator("#ed-answer-msg .studio-error")
    error.wait_for()
    page.locator("#ed-preview", has_text="52,000원이에요.").wait_for()  # the preview follows the edit
    assert "자세한 금액" not in page.inner_text("#ed-preview")  # a line with an unknown fact is left out
    page.screenshot(path=str(SHOTS / "studio-editor-error.png"), full_page=False)
    assert "{passport_sitee}" in error.inner_text() and answer.get_attribute("aria-invalid") == "true"
    assert "ed-answer-msg" in answer.get_attribute("aria-describedby")
    assert page.evaluate("document.activeElement.id") == "ed-answer"  # focus goes to the field to fix

    answer.fill("여권 수수료는 10년 복수여권 58면 기준 52,000원이에요.\n자세한 금액은 {passport_site}에서 확인해요.")
    page.click("#ed-save")
    page.locator("#studio-notice", has_text="초안을 저장했어요").wait_for()
    page.locator("#ed-state", has_text="수정 초안 · editor").wait_for()
    assert "외교부 여권안내(www.passport.go.kr)" in page.inner_text("#ed-preview")
    page.locator('.ed-row[data-id="passport_fee"] .ed-drafted').wait_for()  # the list says "초안 있음"
    page.screenshot(path=str(SHOTS / "studio-editor.png"), full_page=False)
    assert drafts.get_draft("faq", "passport_fee").author == "editor"

    page.click("#ed-show-facts")  # city facts: a value confirmed and ticked records who and when
    row = page.locator("#ed-facts-body tr", has=page.locator("code", has_text="passport_office")).first
    row.locator("input[type=text]").fill("상록구청 민원실(1층)")
    row.locator("input[type=checkbox]").check()
    row.get_by_role("button", name="passport_office 저장").click()
    row = page.locator("#ed-facts-body tr.ed-fact-drafted", has=page.locator("code", has_text="passport_office"))
    row.wait_for()
    assert "editor ·" in row.inner_text() and row.locator("input[type=checkbox]").is_checked()
    row.scroll_into_view_if_needed()
    page.screenshot(path=str(SHOTS / "studio-city-facts.png"), full_page=False)

    page.click("#ed-show-faq")
    page.set_viewport_size({"width": 768, "height": 900})  # usable on a tablet: no sideways scrolling
    assert page.evaluate("document.documentElement.scrollWidth") <= 768
    page.screenshot(path=str(SHOTS / "studio-editor-768.png"), full_page=False)
