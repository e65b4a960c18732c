"""Drafts in the database, on SQLite and PostgreSQL: one per (kind, key), with who and when."""
from datetime import datetime, timedelta, timezone

import pytest

from bot.studio import drafts


def test_save_list_replace_discard_clear(database_url):
    entry = {"id": "passport_fee", "category": "passport", "answer": "새 답변 — 수수료는 52,000원이에요."}
    saved = drafts.save_draft("faq", "passport_fee", "edit", entry, "editor")
    assert saved.payload == entry and saved.author == "editor"
    assert abs(saved.updated_at - datetime.now(timezone.utc)) < timedelta(minutes=1)
    drafts.save_draft("city", "passport_office", "edit", {"value": "시청 1층", "verified": True}, "boss")
    again = drafts.save_draft("faq", "passport_fee", "retire", entry, "boss")  # replaces, no second row
    assert again.updated_at >= saved.updated_at

    listed = drafts.list_drafts()
    assert [(d.kind, d.key, d.action, d.author) for d in listed] == [
        ("city", "passport_office", "edit", "boss"), ("faq", "passport_fee", "retire", "boss")]
    assert listed[1].payload["answer"].endswith("52,000원이에요.")
    assert drafts.get_draft("city", "passport_office").payload == {"value": "시청 1층", "verified": True}

    assert drafts.discard_draft("faq", "passport_fee") is True
    assert drafts.discard_draft("faq", "passport_fee") is False
    assert drafts.clear_drafts() == 1 and drafts.list_drafts() == []


def test_unknown_kind_or_action_is_refused(database_url):
    with pytest.raises(ValueError):
        drafts.save_draft("faq", "x", "delete", {}, "editor")
    with pytest.raises(ValueError):
        drafts.save_draft("nlu", "x", "edit", {}, "editor")
