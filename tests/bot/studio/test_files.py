"""The deterministic writer: today's data round-trips byte for byte; drafts change only their files."""
import shutil
from datetime import datetime, timezone

import pytest
import yaml

from bot import settings
from bot.faq.base import load_faq_base
from bot.faq.render import render_answer
from bot.studio import files
from bot.studio.drafts import Draft

WHEN = datetime(2026, 11, 30, 9, 0, tzinfo=timezone.utc)


@pytest.fixture
def root(tmp_path):
    """A copy of the project's data files."""
    shutil.copytree(settings.PROJECT_ROOT / "data" / "faq", tmp_path / "data" / "faq")
    shutil.copy(settings.PROJECT_ROOT / "data" / "city.yml", tmp_path / "data" / "city.yml")
    return tmp_path


def draft(key, payload, action="edit", kind="faq"):
    return Draft(kind, key, action, payload, "editor", WHEN)


def live(root, faq_id):
    for raw in files.faq_files(root).values():
        for entry in raw["entries"]:
            if entry["id"] == faq_id:
                return {**files.entry_payload(entry), "category": raw["category"]}


def test_the_data_files_are_already_in_the_writers_form(root):
    assert files.rewrite_all(root) == files.snapshot(root)


def test_the_same_data_gives_the_same_bytes(root):
    first = files.planned_files(root, [draft("passport_fee", {**live(root, "passport_fee"), "answer": "새 답변"})])
    second = files.planned_files(root, [draft("passport_fee", {**live(root, "passport_fee"), "answer": "새 답변"})])
    assert first == second


def test_an_edit_changes_exactly_one_file_and_one_answer(root):
    before = load_faq_base(root / "data" / "faq", root / "data" / "city.yml")
    entry = {**live(root, "passport_fee"), "answer": "여권 수수료는 종류마다 달라요.\n\n접수처에서 내요: {gov24}"}
    planned = files.planned_files(root, [draft("passport_fee", entry)])
    assert list(planned) == ["data/faq/passport.yml"]
    old = (root / "data/faq/passport.yml").read_text(encoding="utf-8").splitlines()
    new = planned["data/faq/passport.yml"].splitlines()
    assert len(new) == len(old) - 4  # seven answer lines became three
    files.write_files(root, planned)
    after = load_faq_base(root / "data" / "faq", root / "data" / "city.yml")
    changed = [e.id for e, f in zip(before.entries, after.entries) if e != f]
    assert changed == ["passport_fee"]
    assert render_answer(after.get("passport_fee"), after.city).startswith("여권 수수료는 종류마다 달라요.\n접수처에서 내요: 정부24")


def test_retire_moves_the_entry_to_the_retired_list_no_longer_answered(root):
    planned = files.planned_files(root, [draft("passport_fee", live(root, "passport_fee"), "retire")])
    raw = yaml.safe_load(planned["data/faq/passport.yml"])
    assert "passport_fee" not in [e["id"] for e in raw["entries"]]
    assert raw["retired"][0]["id"] == "passport_fee" and raw["retired"][0]["retired_by"] == "editor"
    files.write_files(root, planned)
    base = load_faq_base(root / "data" / "faq", root / "data" / "city.yml")
    assert base.get("passport_fee") is None and base.get("passport_new") is not None
    assert files.retired_ids(root) == {"passport_fee": "data/faq/passport.yml"}
    assert files.rewrite_all(root) == files.snapshot(root)  # the retired list round-trips too


def test_create_appends_to_its_category_file(root):
    entry = {"id": "passport_photo", "category": "passport", "question": "여권 사진 규격이 어떻게 되나요?",
             "answer": "가로 3.5cm, 세로 4.5cm 사진이에요.\n자세한 건 {passport_site}에서 봐요.",
             "department": "passport", "keywords": ["여권", "사진"], "aspects": ["documents"],
             "as_of": "2026-11-30", "source": ["외교부 여권안내 — https://www.passport.go.kr"],
             "examples": ["여권 사진 크기", "여권: 사진 규격은?", "'사진' 배경색 흰색이어야 해요?"]}
    planned = files.planned_files(root, [draft("passport_photo", entry, "create")])
    assert list(planned) == ["data/faq/passport.yml"]
    files.write_files(root, planned)
    created = load_faq_base(root / "data" / "faq", root / "data" / "city.yml").get("passport_photo")
    assert created.examples == ("여권 사진 크기", "여권: 사진 규격은?", "'사진' 배경색 흰색이어야 해요?")
    assert created.answer == entry["answer"] and created.as_of == "2026-11-30"


def test_moving_an_entry_to_another_category_changes_both_files(root):
    entry = {**live(root, "passport_fee"), "category": "civil"}
    planned = files.planned_files(root, [draft("passport_fee", entry)])
    assert sorted(planned) == ["data/faq/civil.yml", "data/faq/passport.yml"]


def test_a_city_fact_draft_rewrites_one_line_and_keeps_the_comments(root):
    fact = {"value": "상록구청 민원실", "verified": True, "verified_by": "editor", "verified_at": "2026-11-30",
            "note": "여권 접수·교부 시간"}
    planned = files.planned_files(root, [draft("passport_office", fact, kind="city")])
    old = (root / "data/city.yml").read_text(encoding="utf-8").splitlines()
    new = planned["data/city.yml"].splitlines()
    assert len(old) == len(new) and sum(a != b for a, b in zip(old, new)) == 1
    files.write_files(root, planned)
    city = load_faq_base(root / "data" / "faq", root / "data" / "city.yml").city
    assert city.is_verified("passport_office") and city.details["passport_office"].verified_by == "editor"


def test_write_files_is_atomic_and_leaves_no_temporary_file(root):
    files.write_files(root, {"data/faq/new.yml": "category: x\n"})
    assert (root / "data/faq/new.yml").read_text() == "category: x\n"
    assert not [p for p in (root / "data/faq").iterdir() if p.name.startswith(".")]


def test_the_old_city_form_is_migrated_without_inventing_values(tmp_path):
    (tmp_path / "data" / "faq").mkdir(parents=True)
    (tmp_path / "data" / "city.yml").write_text(
        "# head\nverified: false\nfacts:\n  # group\n  a: 안산시\n  b: 확인 필요   # 주소\n"
        "  c: 공항(위치 확인 필요)\ndepartments:\n  d: {name: 부서, phone: 확인 필요}\n", encoding="utf-8")
    text = files.rewrite_all(tmp_path)["data/city.yml"]
    assert text.splitlines()[:2] == ["# head", ""]
    assert "  # group\n  a: {value: 안산시, verified: true}\n" in text
    assert "  b: {value: '', verified: false, note: 주소}\n" in text
    assert "  c: {value: 공항(위치 확인 필요), verified: false}\n" in text


def test_awkward_text_is_quoted_so_it_reads_back_the_same():
    entry = {"id": "a", "question": "yes", "answer": "첫 줄\n\t탭으로 시작\n\n  들여쓴 줄\n# 해시로 시작",
             "department": "d", "keywords": ["null", "1"], "aspects": [], "as_of": "2026-11-30",
             "source": ["법 제1조(목적: 요지)"], "examples": ["- 대시", "'따옴표'", '"쌍"', "x #y", "{a}", "2024"]}
    text = files.faq_text("c", "씨", [entry])
    assert yaml.safe_load(text)["entries"][0] == {**entry, "as_of": datetime(2026, 11, 30).date()}
