"""The studio page and "test a question" over the real web app and Rasa."""
import pytest
import requests

pytestmark = pytest.mark.server


def test_content_staff_land_on_the_studio_and_agents_do_not(agent_factory, accounts):
    editor = agent_factory("editor")
    landing = editor.http.get(f"{editor.base}/agent", allow_redirects=False, timeout=30)
    assert landing.status_code == 302 and landing.headers["Location"].endswith("/studio")
    page = editor.get("/studio")
    assert page.status_code == 200 and "콘텐츠 스튜디오" in page.text
    assert page.headers["X-Frame-Options"] == "DENY"
    agent = agent_factory("kim")
    assert agent.http.get(f"{agent.base}/studio", allow_redirects=False, timeout=30).status_code == 302
    assert agent.post("/studio/api/test", {"text": "여권 수수료"}).status_code == 403
    anonymous = requests.get(f"{accounts.web_url}/studio", allow_redirects=False, timeout=30)
    assert anonymous.status_code == 302 and "/login" in anonymous.headers["Location"]


def test_a_question_shows_top_entries_decision_and_the_citizens_reply(agent_factory):
    editor = agent_factory("editor")
    result = editor.post("/studio/api/test", {"text": "여권 재발급 수수료가 얼마예요?"}).json()
    assert result["model"] == "live" and result["decision"] == "answer" and result["faq_id"] == "passport_fee"
    assert 1 <= len(result["top"]) <= 5 and result["top"][0]["faq_id"] == "passport_fee"
    assert [t["score"] for t in result["top"]] == sorted((t["score"] for t in result["top"]), reverse=True)
    assert result["top"][0]["question"] and result["messages"][0]["text"].startswith(result["top"][0]["question"] + "\n")
    assert "확인 필요" not in result["messages"][0]["text"]


def test_a_typo_and_a_vague_question_are_explained(agent_factory):
    editor = agent_factory("editor")
    typo = editor.post("/studio/api/test", {"text": "우리 동네 보거소 위치가 어디예요"}).json()
    assert typo["read_as"] == "우리 동네 보건소 위치가 어디예요"
    assert typo["corrections"][0]["typed"] == "보거소"
    vague = editor.post("/studio/api/test", {"text": "세금"}).json()
    assert vague["decision"] in ("clarify", "unsure") and vague["messages"][0]["buttons"]


def test_personal_data_is_masked_and_empty_input_refused(agent_factory):
    editor = agent_factory("editor")
    result = editor.post("/studio/api/test", {"text": "제 번호 010-1234-5678 인데 여권 수수료요"}).json()
    assert "1234-5678" not in result["text"]
    empty = editor.post("/studio/api/test", {"text": "   "})
    assert empty.status_code == 400 and empty.json()["error"]
