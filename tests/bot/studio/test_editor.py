"""The editor's operations over the real data files and drafts, on SQLite and PostgreSQL."""
import datetime

from bot.studio import drafts, editor


def live(faq_id):
    return dict(editor.get_entry(faq_id)["live"])


def test_an_edit_is_checked_then_saved_and_listed_as_drafted(database_url):
    entry = editor.clean_entry({**live("passport_fee"), "answer": "수수료는 {unknown_fact}에서 봐요."}, "passport_fee")
    draft, problems = editor.save_entry(entry, "editor")
    assert draft is None and problems[0]["field"] == "answer" and drafts.list_drafts() == []

    entry["answer"] = "수수료는 {passport_site}에서 봐요.\r\n창구에서 내요.  "
    draft, problems = editor.save_entry(editor.clean_entry(entry, "passport_fee"), "editor")
    assert draft.action == "edit" and draft.payload["answer"] == "수수료는 {passport_site}에서 봐요.\n창구에서 내요."
    rows = editor.list_entries("수수료", status="drafted")
    assert [r["id"] for r in rows] == ["passport_fee"] and rows[0]["draft"]["author"] == "editor"
    got = editor.get_entry("passport_fee")
    assert got["draft"]["entry"]["answer"].startswith("수수료는") and got["live"]["answer"] != got["entry"]["answer"]
    assert got["preview"].startswith("수수료는 외교부 여권안내(www.passport.go.kr)에서 봐요.")
    assert "passport_fee" not in [r["id"] for r in editor.list_entries("수수료", status="live")]


def test_create_then_retire_a_new_entry_drops_it(database_url):
    entry = editor.clean_entry({**live("passport_fee"), "category": "passport", "question": "여권 사진 규격은요?",
                                "examples": "여권 사진 크기 알려줘요\n여권 사진 배경색"}, "passport_photo_rule")
    draft, problems = editor.save_entry(entry, "editor", creating=True)
    assert draft.action == "create" and all(p["level"] == "warning" for p in problems)
    assert [r["status"] for r in editor.list_entries("사진 규격")] [:1] == ["new"]
    _, again = editor.save_entry(entry, "editor", creating=True)
    assert "이미 있는 ID" in again[0]["message"]
    assert editor.retire_entry("passport_photo_rule", "editor") is None and drafts.list_drafts() == []


def test_retire_a_live_entry_is_a_draft(database_url):
    draft = editor.retire_entry("passport_fee", "boss")
    assert draft.action == "retire" and draft.payload["id"] == "passport_fee"
    row = editor.list_entries("", category="passport", status="drafted")[0]
    assert row["draft"]["action"] == "retire" and row["draft"]["author"] == "boss"


def test_ticking_verified_records_who_and_when(database_url):
    today = datetime.date(2026, 11, 30)
    draft, problems = editor.save_fact("passport_office", {"value": "", "verified": True}, "editor", today)
    assert draft is None and problems[0]["field"] == "value"
    draft, _ = editor.save_fact("passport_office", {"value": "상록구청 민원실", "verified": True}, "editor", today)
    assert draft.payload == {"value": "상록구청 민원실", "verified": True, "verified_by": "editor",
                             "verified_at": "2026-11-30", "note": "안산시 여권 접수처(시청·구청 민원실 등)와 위치"}
    row = next(r for r in editor.list_facts() if r["key"] == "passport_office")
    assert row["verified_by"] == "editor" and row["draft"]["author"] == "editor"
    draft, _ = editor.save_fact("passport_office", {"value": "단원구청 민원실", "verified": False}, "boss", today)
    assert "verified_by" not in draft.payload and draft.payload["verified"] is False


def test_a_phone_number_pasted_into_an_example_is_masked():
    entry = editor.clean_entry({"examples": ["제 번호 010-1234-5678 인데 여권 수수료 얼마예요", "여권 값"]}, "passport_fee")
    assert entry["examples"] == ["제 번호 010-****-5678 인데 여권 수수료 얼마예요", "여권 값"]
