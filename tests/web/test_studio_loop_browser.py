"""Issue 10's whole loop in a real browser, against real training:

1. questions the live model misses are sent through the citizen chat → they appear as one
   cluster in the review queue → the editor adds them as examples to the right entry → publishes
   in the studio → the gate passes → the live bot answers them with that entry (over REST) (and
   the candidate model can be tried while it is being judged: ``/studio/api/publish/test``);
2. a deliberately bad edit (those examples moved to the wrong entry) is blocked by the gate with
   the regressions listed — the live bot unchanged — while the first publish's hand-over to the
   main Rasa runs;
3. a rollback restores the previous answers; rolling forward again while the replaced model is
   still warm is a switch of seconds.

The studio runs in a web app of its own on the servers' database and run directory, with
``STUDIO_DATA_ROOT``/``STUDIO_MODELS_DIR`` pointing at a copy of the data tree, so the publishes
never write the project's data/ or models/. Two trainings with a 10-epoch DIET config (the same
config on both sides of the bad edit's gate, so its decision is about the edit). At the end the
main Rasa gets the project's model back and the versions, drafts, review and regression rows
this module made are deleted (the other studio tests expect a fresh history).

The publish runs as it does in production: in the studio worker of the web app that also serves
the citizens (:mod:`bot.studio.worker`). From the evaluation to the end of the swap, citizens
write to that web app at 5 msg/s, and every message must get a reply.
"""
from __future__ import annotations

import asyncio
import json
import threading
import time
from pathlib import Path
from types import SimpleNamespace

import pytest
import requests
from sqlalchemy import text as sql

from bot import settings
from bot.studio import switch, versions
from bot.studio.candidate import status
from tests.conftest import shifted_port
from tests.web.conftest import SHOTS, Agent, WebApp, ask, citizen_stream, log_in, studio_tree

pytestmark = [pytest.mark.server, pytest.mark.browser]
CANDIDATE_PORT = shifted_port(5108)
WEB_PORT = shifted_port(8109)
ENTRY = "small_construction_waste"  # the entry the misses belong to (집수리 공사에서 나온 타일·벽돌…)
WRONG = "bulky_waste"  # where the bad edit moves them
#: slang ("노가다": building work) for ENTRY; the test sends those the live model does not answer
#: (a clarifying question or a fallback: they reach the review queue) — at least 3; paraphrases of
#: one question (one cluster at e5 cosine ≥ 0.97)
POOL = ["노가다하고 남은 폐자재 어디 버려요?", "노가다 폐자재 어디다 버려요?", "노가다하고 나온 폐자재 어디 버려야 돼요?",
        "노가다 폐자재 버리는 법 알려줘요", "노가다 폐자재 어디다 버리나요?", "노가다하고 생긴 폐자재 어디 버려요?",
        "노가다 폐자재 처리는 어디서 해요?", "노가다하고 남은 폐자재 어떻게 처리해요?"]
MISSES: list = []
STATE: dict = {}


def _tables(url: str) -> dict:
    """The highest id of each table this module writes, to delete its rows afterwards."""
    from bot.storage.db import session_scope

    with session_scope(url) as session:
        return {t: session.execute(sql(f"SELECT COALESCE(MAX(id), 0) FROM {t}")).scalar()
                for t in ("studio_versions", "regression_items", "review_items")}


@pytest.fixture(scope="module")
def loop(servers, accounts, tmp_path_factory):
    tmp = tmp_path_factory.mktemp("loop")
    tree = studio_tree(tmp)
    before = _tables(servers.database_url)
    app = WebApp(servers, tmp / "web", WEB_PORT, DATABASE_URL=servers.database_url, RUN_DIR=str(servers.run_dir),
                 STUDIO_DATA_ROOT=str(tree), STUDIO_MODELS_DIR=str(tmp / "models"),
                 STUDIO_TRAIN_CONFIG=str(tmp / "config.yml"), STUDIO_CANDIDATE_PORT=str(CANDIDATE_PORT),
                 # the first publish compares a 10-epoch model with the project's fully trained one
                 # (measured: top-1 88.4 % against 87.9 %, later 89.0 % against 91.8 % after a retrain of the
                 # project model): 5 points; the conversation tests' allowance is
                 # opened: on a busy machine the action server drops some of their turns
                 STUDIO_GATE_MAX_TOP1_DROP="5", STUDIO_GATE_MAX_DIALOGUE_DROP="100",
                 CITIZEN_SOCKETS_PER_IP="200", CITIZEN_MESSAGES_PER_MINUTE="6000",
                 CITIZEN_CONVERSATIONS_PER_HOUR="100000")
    editor = Agent(app.url, "editor")
    assert editor.login().status_code == 302
    yield SimpleNamespace(app=app, tree=tree, editor=editor, servers=servers)
    try:  # the last rollback's candidate stops after its drain (a failed test may leave one serving)
        _wait(lambda: switch.routed_url(servers.run_dir) is None and not status(f"http://127.0.0.1:{CANDIDATE_PORT}",
                                                                                 servers.token, timeout=2), 120,
              "the candidate did not stop")
    except AssertionError:
        pass
    finally:
        app.stop()
        _stop_children_of(str(tmp))  # a training the stopped web app left running
        pid = switch.routed_pid(servers.run_dir)
        switch.route_back(servers.run_dir)
        if pid:  # a failed run left a candidate serving
            import os
            import signal
            try:
                os.killpg(pid, signal.SIGTERM)
            except OSError:
                pass
        if status(servers.rasa_url, servers.token).get("model_file") != Path(settings.RASA_MODEL).name:
            requests.put(f"{servers.rasa_url}/model", params={"token": servers.token},
                         json={"model_file": str(settings.RASA_MODEL)}, timeout=600)
        _cleanup(servers.database_url, before)


def _stop_children_of(path: str) -> None:
    """Stop the processes (by id) whose command line names ``path``: only this module's own."""
    import os
    import signal

    for proc in Path("/proc").iterdir():
        if proc.name.isdigit() and int(proc.name) != os.getpid():
            try:
                if path in (proc / "cmdline").read_bytes().replace(b"\0", b" ").decode(errors="replace"):
                    os.kill(int(proc.name), signal.SIGTERM)
            except OSError:
                pass


def _cleanup(url: str, before: dict) -> None:
    from bot.storage.db import session_scope

    with session_scope(url) as session:
        for table, last in before.items():
            session.execute(sql(f"DELETE FROM {table} WHERE id > :last"), {"last": last})
        session.execute(sql("DELETE FROM studio_drafts"))


def _wait(predicate, timeout: float, what: str) -> None:
    deadline = time.monotonic() + timeout
    while not predicate():
        assert time.monotonic() < deadline, what
        time.sleep(0.5)


def _answered(servers, text: str, url: str = "") -> str:
    """Over Rasa's REST webhook, a fresh conversation: the entry the bot answered with, or "-"."""
    from bot.studio.evaluation import answered_entry

    url = url or switch.live_url(servers.rasa_url, servers.run_dir)
    response = requests.post(f"{url}/webhooks/rest/webhook", timeout=60,
                             json={"sender": f"studio-eval-loop-{time.monotonic_ns()}", "message": text},  # not a miss for the queue
                             headers={"Authorization": f"Bearer {servers.token}"})
    response.raise_for_status()
    return answered_entry(response.json()) or "-"


def _login(browser, base: str):
    """A desktop page logged in as the editor (on the studio's landing page)."""
    page = browser.new_context(viewport={"width": 1280, "height": 900}, locale="ko-KR").new_page()
    log_in(page, f"{base}/agent", "editor")
    page.wait_for_url("**/studio**")
    return page


def _version(loop, version_id: int) -> dict:
    return loop.editor.get(f"/studio/api/publish/versions/{version_id}").json()


def _roll_back(loop, version_id: int) -> dict:
    """POST the rollback; a slow one answers 202 and is followed until the version is live."""
    began = time.monotonic()
    response = loop.editor.post(f"/studio/api/publish/versions/{version_id}/rollback")
    assert response.status_code in (200, 202), response.text
    if response.status_code == 200:
        return response.json()
    _wait(lambda: not loop.editor.get("/studio/api/publish").json()["busy"], 600, "the rollback did not finish")
    version = _version(loop, version_id)
    return {**version, "rollback": {"how": "candidate (202)", "seconds": round(time.monotonic() - began, 1)}}


def test_the_whole_loop_in_a_browser(loop, browser, capsys):
    servers, base = loop.servers, loop.app.url
    SHOTS.mkdir(parents=True, exist_ok=True)
    before = {text: _answered(servers, text) for text in POOL}
    MISSES[:] = [text for text in POOL if before[text] == "-"][:4]
    assert len(MISSES) >= 3, f"the live model answers most of them: {before}"
    STATE["before"] = {text: before[text] for text in MISSES}

    # 1. citizens ask; the bot misses (one citizen each, in the browser)
    for n, text in enumerate(MISSES):
        citizen = browser.new_context(viewport={"width": 360, "height": 740}, locale="ko-KR").new_page()
        citizen.goto(f"{base}/chat")
        ask(citizen, text)
        citizen.locator(".msg-bot").nth(1).wait_for(timeout=90_000)  # the welcome, then the reply
        if n == 0:
            citizen.screenshot(path=str(SHOTS / "loop-1-citizen-miss.png"), full_page=True)
        citizen.context.close()

    # 2. the review queue shows them as one cluster; add them as examples to ENTRY
    page = _login(browser, base)
    page.goto(f"{base}/studio#review")
    cluster = page.locator(".review-cluster", has_text=MISSES[0]).first
    cluster.wait_for(timeout=240_000)  # the first view loads the embedding model
    assert cluster.locator(".review-count").inner_text() == f"{len(MISSES)}건", cluster.inner_text()
    cluster.locator("select.review-target").select_option(ENTRY)
    page.screenshot(path=str(SHOTS / "loop-2-review-cluster.png"), full_page=False)
    cluster.get_by_role("button", name=f"{len(MISSES)}건 모두 예문으로 추가").click()
    page.locator("#studio-notice", has_text="초안에 저장").wait_for(timeout=30_000)
    draft = loop.editor.get(f"/studio/api/editor/entries/{ENTRY}").json()["draft"]["entry"]
    assert set(MISSES) <= set(draft["examples"])

    # 3. publish from the studio
    page.goto(f"{base}/studio#publish")
    page.locator("#publish-drafts").wait_for()
    page.fill("#publish-summary", "공사 폐자재 속어(노가다) 예문 추가")
    page.click("#publish-start")
    page.locator("#studio-notice", has_text="배포를 시작했어요").wait_for(timeout=30_000)
    version_id = loop.editor.get("/studio/api/publish").json()["latest"]["id"]
    _wait(lambda: loop.editor.get("/studio/api/publish").json()["candidate_ready"], 1800,
          "no candidate to try (training or candidate start failed): "
          + json.dumps(loop.editor.get("/studio/api/publish").json()["latest"], ensure_ascii=False)[:1500])
    stream: dict = {}  # citizens write while the candidate is judged and swapped in
    streaming = threading.Thread(target=lambda: stream.update(asyncio.run(citizen_stream(
        base, lambda: versions.get(version_id, servers.database_url)["status"] != "running"))))
    streaming.start()
    tried = loop.editor.post("/studio/api/publish/test", {"text": MISSES[0]})  # the model being judged
    assert tried.status_code == 200 and tried.json()["model"] == "candidate", tried.text
    assert tried.json()["faq_id"] == ENTRY and tried.json()["decision"] == "answer", tried.json()
    page.screenshot(path=str(SHOTS / "loop-3-publish-evaluating.png"), full_page=True)
    _wait(lambda: _version(loop, version_id)["status"] != "running", 900, "the publish did not finish")
    streaming.join()
    version = _version(loop, version_id)
    assert version["status"] == "live", version
    live_now = {text: _answered(servers, text) for text in MISSES}
    page.locator("#publish-status", has_text="운영 중").wait_for(timeout=30_000)
    assert "게이트 통과" in page.inner_text("#publish-gate")
    page.screenshot(path=str(SHOTS / "loop-4-published.png"), full_page=True)
    STATE["v1"] = version["id"]
    with capsys.disabled():
        print(f"\nloop publish: {version['metrics']['timings']}, trained {version['metrics'].get('trained')}, "
              f"candidate {version['metrics']['candidate']}, live top-1 {version['metrics']['live_top1']}; "
              f"steps {[(s['step'], s['at'][11:19]) for s in version['steps']]} (UTC); citizens meanwhile {stream}",
              flush=True)
    assert stream["sent"] > 100 and stream["failures"] == [], stream
    assert live_now == {text: ENTRY for text in MISSES}, live_now
    assert switch.routed_url(servers.run_dir) == f"http://127.0.0.1:{CANDIDATE_PORT}"  # the main Rasa stays warm
    assert any(t in (loop.tree / "data" / "faq" / "waste.yml").read_text(encoding="utf-8") for t in MISSES)
    assert "노가다" not in (settings.PROJECT_ROOT / "data" / "faq" / "waste.yml").read_text(encoding="utf-8")
    assert version["metrics"]["candidate"]["dialogue_turns"] > 50  # the conversation tests, in context
    page.context.close()


def test_a_bad_edit_is_blocked_with_the_regressions_listed(loop, browser, capsys):
    assert "v1" in STATE, "needs the publish of the loop test"
    servers, editor = loop.servers, loop.editor
    source = editor.get(f"/studio/api/editor/entries/{ENTRY}").json()["entry"]
    target = editor.get(f"/studio/api/editor/entries/{WRONG}").json()["entry"]
    kept = [e for e in source["examples"] if e not in MISSES][:1]
    moved = [e for e in source["examples"] if e not in kept]  # all but one, the misses too
    first = editor.post(f"/studio/api/editor/entries/{ENTRY}/draft", {"entry": {**source, "examples": kept}})
    assert first.status_code == 200, first.text
    second = editor.post(f"/studio/api/editor/entries/{WRONG}/draft",
                         {"entry": {**target, "examples": target["examples"] + moved}})
    assert second.status_code == 200, second.text

    began = time.monotonic()
    started = editor.post("/studio/api/publish", {"summary": "공사 폐자재 예문을 대형폐기물로 옮김(잘못된 편집)"})
    assert started.status_code == 202, started.text
    version_id = started.json()["id"]
    _wait(lambda: switch.routed_url(servers.run_dir) is None, 300, "the hand-over did not happen")
    handover = time.monotonic() - began
    _wait(lambda: not status(f"http://127.0.0.1:{CANDIDATE_PORT}", servers.token, timeout=2), 120,
          "the first candidate did not stop")
    assert status(servers.rasa_url, servers.token)["model_file"] == f"v{STATE['v1']}.tar.gz"
    assert {text: _answered(servers, text, servers.rasa_url) for text in MISSES} == {t: ENTRY for t in MISSES}
    _wait(lambda: _version(loop, version_id)["status"] != "running", 1800, "the bad publish did not finish")
    version = _version(loop, version_id)
    with capsys.disabled():
        print(f"\nhand-over of the first publish {handover:.0f} s; bad edit: "
              f"{version['metrics'].get('gate')}, timings {version['metrics'].get('timings')}", flush=True)
    assert version["status"] == "blocked", version
    turned = {r["text"]: r for r in version["regressions"]}
    assert set(MISSES) <= set(turned), version["regressions"]
    assert all(turned[t]["expect"] == ENTRY and turned[t]["live"] == ENTRY and turned[t]["candidate"] != ENTRY
               for t in MISSES)
    assert any("회귀 질문" in reason for reason in version["metrics"]["gate"]["reasons"])
    # nothing changed for citizens: the live version, its model and its files
    assert editor.get("/studio/api/publish").json()["live"]["id"] == STATE["v1"]
    assert {text: _answered(servers, text) for text in MISSES} == {t: ENTRY for t in MISSES}
    assert MISSES[0] in (loop.tree / "data" / "faq" / "waste.yml").read_text(encoding="utf-8")

    page = _login(browser, loop.app.url)
    page.goto(f"{loop.app.url}/studio#publish")
    page.locator("#publish-gate table").wait_for(timeout=30_000)
    assert "게이트에서 막혔어요" in page.inner_text("#publish-gate")
    assert MISSES[0] in page.inner_text("#publish-gate table")
    page.screenshot(path=str(SHOTS / "loop-5-gate-blocked.png"), full_page=True)
    page.context.close()
    for faq_id in (ENTRY, WRONG):
        assert editor.post(f"/studio/api/editor/entries/{faq_id}/discard").status_code == 200
    # the blocked publish still stops the candidate it judged with; until then a rollback is refused (409)
    _wait(lambda: not editor.get("/studio/api/publish").json()["busy"], 300, "the blocked publish did not end")
    STATE["blocked"] = version_id


def test_rollback_restores_the_previous_answers(loop, browser, capsys):
    assert "blocked" in STATE, "needs the two publishes above"
    servers, editor = loop.servers, loop.editor
    baseline = next(v for v in editor.get("/studio/api/publish/versions").json()["versions"]
                    if v["summary"] == "첫 배포 전 상태")
    back = _roll_back(loop, baseline["id"])
    restored = {text: _answered(servers, text) for text in MISSES}
    forward = _roll_back(loop, STATE["v1"])  # undo: the model the main Rasa still holds
    again = {text: _answered(servers, text) for text in MISSES}
    with capsys.disabled():
        print(f"\nrollback to the baseline {back['rollback']}, back to v{STATE['v1']} "
              f"{forward['rollback']}", flush=True)
    assert back["status"] == "live" and back["rollback"]["how"].startswith("candidate")
    assert restored == STATE["before"], (restored, STATE["before"])
    assert forward["rollback"]["how"] == "switch" and forward["rollback"]["seconds"] < 5
    assert again == {t: ENTRY for t in MISSES}
    assert switch.routed_url(servers.run_dir) is None
    assert status(servers.rasa_url, servers.token)["model_file"] == f"v{STATE['v1']}.tar.gz"
    assert MISSES[0] in (loop.tree / "data" / "faq" / "waste.yml").read_text(encoding="utf-8")
    page = _login(browser, loop.app.url)
    page.goto(f"{loop.app.url}/studio#publish")
    page.locator(".publish-history tbody tr").first.wait_for(timeout=30_000)
    page.screenshot(path=str(SHOTS / "loop-6-versions.png"), full_page=True)
    page.context.close()
