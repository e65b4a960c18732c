"""Publish and rollback over the real stack: the routes, and one real publish (the only model this
test run trains, with a reduced-epoch config) swapped in — then rolled back — while citizens keep
writing through the web app at 5 msg/s, with no failed message.

The publish runs in this process on a copy of the data tree (a publish through the web app would
write into the project's own files); the web app reads its state from the same database.
"""
import asyncio
import shutil
import threading
import time

import pytest
import requests

from bot import settings
from bot.studio import catalog, drafts, publish, rollback, swap, switch, versions
from bot.studio.candidate import status
from tests.conftest import shifted_port
from tests.web.conftest import citizen_stream, studio_tree

pytestmark = pytest.mark.server
CANDIDATE_PORT = shifted_port(5107)
NEW_EXAMPLE = "해외 나가려고 하는데 여권 새로 만드는 방법 좀 알려줘요"


def test_publish_routes_are_for_content_staff_with_csrf(agent_factory):
    agent = agent_factory("kim")
    assert agent.get("/studio/api/publish").status_code == 403
    assert agent.post("/studio/api/publish", {"summary": "x"}).status_code == 403
    editor = agent_factory("editor")
    assert editor.post("/studio/api/publish", {"summary": "x"}, csrf="wrong").status_code == 403
    state = editor.get("/studio/api/publish").json()
    assert set(state) >= {"drafts", "busy", "latest", "live", "candidate_ready"}


def test_start_needs_a_summary_and_refuses_a_second_publish(agent_factory, server_db):
    editor = agent_factory("editor")
    empty = editor.post("/studio/api/publish", {"summary": "   "})
    assert empty.status_code == 400 and empty.json()["error"] == "무엇을 바꿨는지 요약을 적어 주세요."
    assert editor.post("/studio/api/publish", {"summary": "가" * 501}).status_code == 400
    running = versions.begin("boss", "다른 사람이 배포 중")
    try:
        second = editor.post("/studio/api/publish", {"summary": "여권 예문"})
        assert second.status_code == 409 and "이미 진행 중인 배포" in second.json()["error"]
        assert editor.get("/studio/api/publish").json()["busy"] is True
    finally:
        versions.finish(running, versions.FAILED, error="테스트")
    roll = editor.post(f"/studio/api/publish/versions/{running}/rollback")
    assert roll.status_code == 409 and roll.json()["error"] == "운영된 적 있는 버전으로만 되돌릴 수 있어요."
    assert editor.post("/studio/api/publish/versions/999999/rollback").status_code == 404


def test_testing_the_candidate_needs_one(agent_factory):
    editor = agent_factory("editor")
    assert editor.post("/studio/api/publish/test", {"text": ""}).status_code == 400
    none = editor.post("/studio/api/publish/test", {"text": "여권 수수료"})
    assert none.status_code == 409 and "새 모델이 아직 없어요" in none.json()["error"]


# --- one real publish ---------------------------------------------------------------------
@pytest.fixture
def job(servers, server_db, tmp_path, monkeypatch):
    """A publish job on a copy of the data tree, with the stack's database, Rasa and run directory."""
    monkeypatch.setattr(settings, "RUN_DIR", servers.run_dir)
    # an under-trained model (10 epochs) is enough to show the swap; the gate's arithmetic is
    # unit-tested (tests/bot/studio/test_gate.py), so the allowance is opened here
    monkeypatch.setattr(settings, "STUDIO_GATE_MAX_TOP1_DROP", 100.0)
    monkeypatch.setattr(settings, "STUDIO_GATE_MAX_DIALOGUE_DROP", 100.0)
    root = studio_tree(tmp_path)
    yield publish.Job(root=root, models_dir=tmp_path / "models", config=tmp_path / "config.yml",
                      url=servers.database_url, main_url=servers.rasa_url, run_dir=servers.run_dir,
                      candidate_port=CANDIDATE_PORT, warm_seconds=0)
    try:
        swap.settle(wait=True)
    finally:
        switch.route_back(servers.run_dir)


def _wait_for(predicate, timeout: float, what: str) -> None:
    deadline = time.monotonic() + timeout
    while not predicate():
        assert time.monotonic() < deadline, what
        time.sleep(0.5)


def test_publish_swaps_with_no_failed_message_and_rollback_restores(job, servers, agent_factory, capsys):
    entry = catalog.live_entries(job.root)["passport_new"]
    drafts.save_draft("faq", "passport_new", "edit", {**entry, "examples": entry["examples"] + [NEW_EXAMPLE]},
                      "editor", job.url)
    editor = agent_factory("editor")
    began = time.monotonic()
    version_id = publish.start("editor", "여권 예문 추가", job)

    def phase(step: str):
        def reached() -> bool:
            version = versions.get(version_id, job.url)
            done = {s["step"] for s in version["steps"] if s["state"] == "done"}
            return step in done or version["status"] != versions.RUNNING
        return reached

    _wait_for(lambda: publish.ready_candidate() is not None or phase("evaluate")(), 1500,
              "the publish did not reach the evaluation")
    polled = editor.get("/studio/api/publish").json()  # while the candidate is judged
    assert polled["latest"]["id"] == version_id and polled["busy"] is True, polled
    assert [s["step"] for s in polled["latest"]["steps"]][:3] == ["files", "train", "evaluate"]
    # citizens write until the main Rasa has taken the new model over (warm_seconds=0: one drain
    # after the switch) and the candidate has stopped
    result = asyncio.run(citizen_stream(servers.web_url, lambda: versions.get(version_id, job.url)["status"]
                                 != versions.RUNNING and not publish.busy() and swap.pending() is None))
    swap.wait_stopped()
    edit_to_live = time.monotonic() - began
    version = versions.get(version_id, job.url)
    with capsys.disabled():
        print(f"\nedit-to-live {version['metrics'].get('timings')}, to the hand-over {edit_to_live:.0f} s, steps {[(s['step'], s['at'][11:19]) for s in version['steps']]},"
              f" stream during the swap {result}", flush=True)
    assert version["status"] == versions.LIVE, version
    assert result["failures"] == [] and result["sent"] >= 10, result
    assert switch.routed_url(servers.run_dir) is None
    assert status(servers.rasa_url, servers.token)["model_file"] == f"v{version_id}.tar.gz"
    assert NEW_EXAMPLE in (job.root / "data" / "faq" / "passport.yml").read_text(encoding="utf-8")
    assert NEW_EXAMPLE in (job.root / "data" / "nlu" / "faq.yml").read_text(encoding="utf-8")
    assert f"+      - {NEW_EXAMPLE}" in version["diff"]
    assert drafts.list_drafts(job.url) == []
    assert version["metrics"]["candidate"]["heldout_items"] > 300
    baseline = next(v for v in versions.history(10, job.url) if v["summary"] == "첫 배포 전 상태")
    assert baseline["status"] == versions.RETIRED and baseline["model_path"]
    history = editor.get("/studio/api/publish/versions").json()["versions"]
    assert history[0]["id"] == version_id and history[1]["id"] == baseline["id"]  # made before the publish
    assert history[0]["status"] == "live" and "diff" not in history[0]
    assert NEW_EXAMPLE in editor.get(f"/studio/api/publish/versions/{version_id}").json()["diff"]

    began = time.monotonic()
    holder = {}

    def roll() -> None:
        holder["version"] = rollback.rollback(baseline["id"], job)

    worker = threading.Thread(target=roll)
    worker.start()
    during = asyncio.run(citizen_stream(servers.web_url, lambda: not worker.is_alive() and swap.pending() is None))
    worker.join()
    swap.wait_stopped()
    rollback_seconds = time.monotonic() - began
    assert holder["version"]["status"] == versions.LIVE and holder["version"]["rollback"]["how"] == "candidate"
    assert during["failures"] == [] and during["sent"] >= 10, during
    assert versions.get(version_id, job.url)["status"] == versions.RETIRED
    assert status(servers.rasa_url, servers.token)["model_file"] == f"v{baseline['id']}.tar.gz"
    assert NEW_EXAMPLE not in (job.root / "data" / "faq" / "passport.yml").read_text(encoding="utf-8")
    with capsys.disabled():
        print(f"\nedit-to-live {edit_to_live:.0f} s (10-epoch model), swap stream {result}, "
              f"rollback {holder['version']['rollback']} (hand-over included {rollback_seconds:.0f} s), stream {during}")


def test_a_broken_draft_fails_at_the_files_step_and_changes_nothing(job, servers):
    before = (job.root / "data" / "faq" / "passport.yml").read_text(encoding="utf-8")
    entry = catalog.live_entries(job.root)["passport_new"]
    drafts.save_draft("faq", "passport_new", "edit", {**entry, "category": "no_such_category"}, "editor", job.url)
    try:
        version_id = publish.start("editor", "잘못된 초안", job, background=False)
    finally:
        drafts.discard_draft("faq", "passport_new", job.url)
    version = versions.get(version_id, job.url)
    assert version["status"] == versions.FAILED and version["error"].startswith("초안에 문제가 있어")
    assert version["steps"][-1]["step"] == "files" and version["steps"][-1]["state"] == "failed"
    assert (job.root / "data" / "faq" / "passport.yml").read_text(encoding="utf-8") == before
    assert requests.get(f"{servers.rasa_url}/status", params={"token": servers.token}, timeout=10).ok


def _seed_history(model_copy) -> None:
    """When this test runs alone: a history like the one above leaves (baseline, a live version,
    a publish the gate blocked), written with the real versions API."""
    baseline = versions.begin_baseline()
    shutil.copy2(settings.RASA_MODEL, model_copy)
    versions.update(baseline, model_path=str(model_copy), files={"data/city.yml": ""})
    live = versions.begin("editor", "여권 신청 예문 3개 추가")
    for step in ("files", "train", "evaluate", "gate", "swap", "record"):
        versions.record_step(live, step, "done")
    versions.make_live(live, diff=f"--- a/data/faq/passport.yml\n+++ b/data/faq/passport.yml\n+      - {NEW_EXAMPLE}\n",
                       metrics={"candidate": {"faq_top1": 0.907}, "live_top1": 0.905,
                                "gate": {"passed": True, "reasons": [], "regressions": []}})
    blocked = versions.begin("editor", "수수료 예문을 신규 발급 항목으로 옮김")
    reasons = ["전에 맞히던 회귀 질문 1개를 이제 틀려요."]
    turned = [{"text": "여권 재발급 수수료 얼마예요", "expect": "passport_fee", "live": "passport_fee",
               "candidate": "passport_new"}]
    for step, state in (("files", "done"), ("train", "done"), ("evaluate", "done"), ("gate", "failed")):
        versions.record_step(blocked, step, state, reasons[0] if state == "failed" else "")
    versions.finish(blocked, versions.BLOCKED, regressions=turned, error=reasons[0],
                    metrics={"candidate": {"faq_top1": 0.903}, "live_top1": 0.907,
                             "gate": {"passed": False, "reasons": reasons, "regressions": turned}})


@pytest.mark.browser
def test_the_publish_panel_in_a_browser(browser, accounts, server_db, tmp_path):
    """Pending drafts, the last publish's steps and gate, the history with rollback buttons;
    a screenshot for the README (reports/screenshots/studio-publish.png)."""
    from pathlib import Path

    from tests.web.conftest import PASSWORD, SHOTS

    if not versions.history(1):
        _seed_history(tmp_path / "baseline.tar.gz")
    entry = catalog.live_entries(settings.PROJECT_ROOT)["passport_fee"]
    drafts.save_draft("faq", "passport_fee", "edit", entry, "editor")
    try:
        page = browser.new_context(viewport={"width": 1280, "height": 900}, locale="ko-KR").new_page()
        errors = []
        page.on("pageerror", lambda exc: errors.append(str(exc)))
        page.on("console", lambda msg: errors.append(msg.text) if msg.type == "error" else None)
        page.goto(f"{accounts.web_url}/agent")
        page.fill('input[name="username"]', "editor")
        page.fill('input[name="password"]', PASSWORD)
        with page.expect_navigation():
            page.click('button[type="submit"]')
        page.goto(f"{accounts.web_url}/studio#publish")
        try:
            page.locator("#publish-steps li").first.wait_for(timeout=30_000)
        except Exception:
            raise AssertionError(f"{page.url} {errors} {page.inner_text('body')[:500]}")
        assert "배포를 기다리는 초안이" in page.inner_text("#publish-drafts")
        assert page.locator("#publish-status").get_attribute("role") == "status"
        assert page.locator("label[for=publish-summary]").count() == 1
        page.click("#publish-start")  # no summary: a polite error, nothing started
        page.locator("#studio-notice", has_text="요약").wait_for(timeout=30_000)
        assert page.locator("button", has_text="이 버전으로 되돌리기").count() >= 1
        latest = versions.history(1)[0]
        if latest["status"] == versions.BLOCKED:
            assert "게이트에서 막혔어요" in page.inner_text("#publish-gate")
            assert latest["regressions"][0]["text"] in page.inner_text("#publish-gate table")
        Path(SHOTS).mkdir(parents=True, exist_ok=True)
        page.screenshot(path=str(SHOTS / "studio-publish.png"), full_page=True)
        page.set_viewport_size({"width": 768, "height": 900})
        assert page.evaluate("document.documentElement.scrollWidth") <= 768
        page.context.close()
    finally:
        drafts.discard_draft("faq", "passport_fee")
