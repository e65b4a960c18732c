"""Versions on SQLite and PostgreSQL: one running at a time, steps, live/retired, history, pruning."""
from datetime import datetime, timedelta, timezone

import pytest

from bot.storage.db import session_scope
from bot.storage.models import StudioVersion
from bot.studio import versions


def test_one_publish_at_a_time_and_its_steps(database_url):
    first = versions.begin("editor", "여권 예문 추가")
    with pytest.raises(versions.PublishBusy, match="이미 진행 중인 배포"):
        versions.begin("boss", "두 번째")
    versions.record_step(first, "files", "done", "초안 1건")
    versions.record_step(first, "train", "running")
    versions.record_step(first, "train", "done", "v1.tar.gz")
    steps = versions.get(first)["steps"]
    assert [(s["step"], s["state"], s["detail"]) for s in steps] == [
        ("files", "done", "초안 1건"), ("train", "done", "v1.tar.gz")]
    assert versions.running()["id"] == first
    versions.finish(first, versions.BLOCKED, regressions=[{"text": "q"}], error="막혔어요")
    assert versions.running() is None
    assert versions.get(first)["regressions"] == [{"text": "q"}]
    assert versions.begin("boss", "이제 돼요") == first + 1


def test_a_stale_running_publish_no_longer_blocks(database_url):
    stale = versions.begin("editor", "멈춘 배포")
    with session_scope() as session:
        session.get(StudioVersion, stale).created_at = datetime.now(timezone.utc) - timedelta(hours=4)
    fresh = versions.begin("editor", "새 배포")
    assert versions.get(stale)["status"] == versions.FAILED
    assert versions.running()["id"] == fresh


def test_making_a_version_live_retires_the_previous_one_and_history_is_newest_first(database_url, tmp_path):
    one = versions.begin("editor", "하나")
    versions.make_live(one, files={"data/city.yml": "a"}, metrics={"candidate": {"faq_top1": 0.9}})
    two = versions.begin("editor", "둘")
    versions.make_live(two, diff="--- a\n+++ b\n")
    assert versions.live()["id"] == two
    assert versions.get(one)["status"] == versions.RETIRED
    assert versions.get(one, with_files=True)["files"] == {"data/city.yml": "a"}
    assert [v["id"] for v in versions.history()] == [two, one]
    versions.make_live(one)  # a rollback
    assert versions.live()["id"] == one and versions.get(two)["status"] == versions.RETIRED


def test_prune_keeps_the_live_model_and_the_newest_others(database_url, tmp_path):
    ids = []
    for n in range(4):
        vid = versions.begin("editor", f"v{n}")
        model = versions.model_file(vid, tmp_path)
        model.write_bytes(b"model")
        versions.update(vid, model_path=str(model))
        versions.finish(vid, versions.RETIRED)
        ids.append(vid)
    versions.make_live(ids[0])
    deleted = versions.prune_models(keep=2)
    assert sorted(deleted) == [str(versions.model_file(ids[1], tmp_path))]
    assert versions.model_file(ids[0], tmp_path).exists()  # live
    assert versions.get(ids[1])["model_path"] is None
    assert versions.get(ids[3])["model_path"] == str(versions.model_file(ids[3], tmp_path))


def test_a_restart_serves_the_live_versions_model(database_url, tmp_path):
    default = "models/current.tar.gz"
    assert versions.live_model(default) == default  # nothing published yet
    vid = versions.begin("editor", "배포")
    model = versions.model_file(vid, tmp_path)
    model.write_bytes(b"model")
    versions.make_live(vid, model_path=str(model))
    assert versions.live_model(default) == str(model)
    model.unlink()  # a missing file never stops a restart
    assert versions.live_model(default) == default
