"""Unpublished changes to FAQ entries and city facts, one per (kind, key), with who and when.

Owner of the ``studio_drafts`` table. A "faq" payload is the whole entry as publishing will
write it, plus its ``category``; a "city" payload is ``{value, verified, verified_by,
verified_at, note}``. Publishing turns the drafts into files (:mod:`bot.studio.files`).
"""
from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import datetime, timezone
from typing import List, Optional

from sqlalchemy.exc import IntegrityError

from bot.storage.db import session_scope
from bot.storage.models import StudioDraft, as_utc

KINDS = ("faq", "city")
ACTIONS = ("edit", "create", "retire")


@dataclass
class Draft:
    kind: str  # "faq" | "city"
    key: str
    action: str  # "edit" | "create" | "retire"
    payload: dict
    author: str
    updated_at: datetime


def _draft(row: StudioDraft) -> Draft:
    return Draft(row.kind, row.key, row.action, json.loads(row.payload), row.author, as_utc(row.updated_at))


def list_drafts(url: Optional[str] = None) -> List[Draft]:
    """Every draft, by kind then key."""
    with session_scope(url) as session:
        rows = session.query(StudioDraft).order_by(StudioDraft.kind, StudioDraft.key).all()
        return [_draft(row) for row in rows]


def get_draft(kind: str, key: str, url: Optional[str] = None) -> Optional[Draft]:
    with session_scope(url) as session:
        row = session.query(StudioDraft).filter_by(kind=kind, key=key).one_or_none()
        return _draft(row) if row else None


def save_draft(kind: str, key: str, action: str, payload: dict, author: str, url: Optional[str] = None) -> Draft:
    """Create or replace the draft of (kind, key)."""
    if kind not in KINDS or action not in ACTIONS:
        raise ValueError(f"unknown draft kind {kind!r} or action {action!r}")
    text = json.dumps(payload, ensure_ascii=False, sort_keys=True)
    for attempt in range(2):
        now = datetime.now(timezone.utc)
        try:
            with session_scope(url) as session:
                row = session.query(StudioDraft).filter_by(kind=kind, key=key).with_for_update().one_or_none()
                if row is None:
                    row = StudioDraft(kind=kind, key=key, created_at=now)
                    session.add(row)
                row.action, row.payload, row.author, row.updated_at = action, text, author, now
                session.flush()
                return _draft(row)
        except IntegrityError:  # someone saved the same key first: replace theirs
            if attempt:
                raise
    raise AssertionError("unreachable")


def discard_draft(kind: str, key: str, url: Optional[str] = None) -> bool:
    """Delete the draft of (kind, key); False when there was none."""
    with session_scope(url) as session:
        return session.query(StudioDraft).filter_by(kind=kind, key=key).delete() > 0


def clear_drafts(url: Optional[str] = None) -> int:
    """Delete every draft (after a publish); how many there were."""
    with session_scope(url) as session:
        return session.query(StudioDraft).delete()
