"""What the FAQ editor shows: the live entries and city facts from the files, with drafts on top.

An entry's status: "live" (no draft), "drafted" (an edit or retire is waiting), "new" (created
in the studio, not published yet) or "retired" (in a file's ``retired`` list).
"""
from __future__ import annotations

import threading
from dataclasses import asdict, replace
from pathlib import Path
from typing import Dict, List, Mapping, Optional, Sequence, Tuple

from bot.faq.base import FaqBase, data_stamp, load_faq_base
from bot.korean.normalize import matching_key
from bot.studio import files
from bot.studio.drafts import Draft

STATUSES = ("live", "drafted", "new", "retired")
_lock = threading.Lock()
_cache: Dict[str, Tuple[tuple, object]] = {}


def _cached(kind: str, root: Path, load):
    """``load(root)``, reloaded when a data file changes (a publish or an edit in git)."""
    stamp = data_stamp(root / files.FAQ_DIR, root / files.CITY_FILE)
    with _lock:
        hit = _cache.get(f"{kind}:{root}")
        if hit and hit[0] == stamp:
            return hit[1]
    value = load(root)
    with _lock:
        _cache[f"{kind}:{root}"] = (stamp, value)
    return value


def live_base(root: Path) -> FaqBase:
    return _cached("base", root, lambda r: load_faq_base(r / files.FAQ_DIR, r / files.CITY_FILE))


def _files(root: Path) -> Dict[str, dict]:
    return _cached("files", root, files.faq_files)


def _load_payloads(root: Path) -> Dict[str, dict]:
    out = {}
    for path, raw in _files(root).items():
        for entry in raw.get("entries") or []:
            out[str(entry["id"])] = {**files.entry_payload(entry), "category": raw.get("category")}
    return out


def live_entries(root: Path) -> Dict[str, dict]:
    """FAQ id → the entry as the files hold it, plus ``category``."""
    return _cached("entries", root, _load_payloads)


def retired_entries(root: Path) -> Dict[str, dict]:
    def load(r: Path) -> Dict[str, dict]:
        return {str(e["id"]): {**files.entry_payload(e), "category": raw.get("category"),
                               "retired_by": e.get("retired_by"), "retired_at": str(e.get("retired_at") or "")}
                for raw in _files(r).values() for e in raw.get("retired") or []}
    return _cached("retired", root, load)


def categories(root: Path) -> Dict[str, str]:
    """Category key → Korean label, in file order."""
    return _cached("categories", root, lambda r: {str(raw.get("category")): str(raw.get("label"))
                                                  for raw in _files(r).values()})


def effective_entries(live: Mapping[str, dict], drafts: Sequence[Draft]) -> Dict[str, dict]:
    """The entries as they will be once the drafts are published."""
    out = dict(live)
    for draft in drafts:
        if draft.kind != "faq":
            continue
        if draft.action == "retire":
            out.pop(draft.key, None)
        else:
            out[draft.key] = draft.payload
    return out


def phrasings(entries: Mapping[str, dict]) -> Dict[str, List[str]]:
    """FAQ id → its question and examples (what duplicate checks compare)."""
    return {faq_id: [str(e.get("question") or "")] + [str(x) for x in e.get("examples") or []]
            for faq_id, e in entries.items()}


def _draft_info(draft: Optional[Draft]) -> Optional[dict]:
    if draft is None:
        return None
    return {"action": draft.action, "author": draft.author, "updated_at": draft.updated_at.isoformat()}


def _matches(entry: Mapping, needle: str) -> int:
    """0 when ``entry`` does not contain ``needle``; else a rank (3 question, 2 keyword, 1 elsewhere)."""
    if not needle:
        return 1
    if needle in matching_key(str(entry.get("question") or "")):
        return 3
    if any(needle in matching_key(str(k)) for k in entry.get("keywords") or []):
        return 2
    texts = [str(entry.get("answer") or ""), str(entry.get("id") or "")] + [str(x) for x in entry.get("examples") or []]
    return 1 if any(needle in matching_key(t) for t in texts) else 0


def entry_rows(root: Path, drafts: Sequence[Draft], query: str = "", category: str = "",
               status: str = "") -> List[dict]:
    """The editor's list: live, new and retired entries matching the filters, best match first."""
    live, retired = live_entries(root), retired_entries(root)
    labels = categories(root)
    by_key = {d.key: d for d in drafts if d.kind == "faq"}
    rows = []
    for faq_id, entry in list(live.items()) + [(k, d.payload) for k, d in by_key.items() if k not in live] \
            + [(k, e) for k, e in retired.items() if k not in live and k not in by_key]:
        draft = by_key.get(faq_id)
        shown = draft.payload if draft is not None and draft.action != "retire" else entry
        row_status = ("retired" if faq_id in retired and faq_id not in live and draft is None
                      else "new" if faq_id not in live else "drafted" if draft is not None else "live")
        rank = _matches(shown, matching_key(query))
        if not rank or (category and shown.get("category") != category) or (status and row_status != status):
            continue
        rows.append({"id": faq_id, "question": shown.get("question", ""), "category": shown.get("category", ""),
                     "category_label": labels.get(str(shown.get("category")), ""), "status": row_status,
                     "draft": _draft_info(draft), "rank": rank})
    rows.sort(key=lambda r: -r["rank"])
    return rows


def fact_rows(root: Path, drafts: Sequence[Draft]) -> List[dict]:
    """Every city fact with its check, drafts applied, and whether a draft waits."""
    city = live_base(root).city
    by_key = {d.key: d for d in drafts if d.kind == "city"}
    rows = []
    for key, fact in city.details.items():
        draft = by_key.get(key)
        shown = {**asdict(fact), **(draft.payload if draft else {})}
        rows.append({**shown, "key": key, "draft": _draft_info(draft)})
    for key, draft in by_key.items():
        if key not in city.details and draft.action != "retire":
            rows.append({"value": "", "verified": False, "verified_by": "", "verified_at": "", "note": "",
                         **draft.payload, "key": key, "draft": _draft_info(draft)})
    return rows


def base_with_drafted_facts(base: FaqBase, drafts: Sequence[Draft]) -> FaqBase:
    """``base`` whose city also knows facts created in drafts (for the placeholder check)."""
    extra = {d.key: str(d.payload.get("value") or "") for d in drafts if d.kind == "city" and d.action != "retire"}
    if not extra:
        return base
    return FaqBase(base.entries, replace(base.city, facts={**base.city.facts, **extra}))
