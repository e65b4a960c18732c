"""The FAQ editor's operations: read an entry with its draft, check and save drafts, city facts.

Blocking (files and database): the web app runs these off its event loop. Nothing here writes
a data file; publishing does (:mod:`bot.studio.files`).
"""
from __future__ import annotations

import datetime
from pathlib import Path
from typing import List, Mapping, Optional, Tuple

from bot import settings
from bot.faq.base import ASPECTS, FaqEntry
from bot.faq.render import render_answer
from bot.korean.pii import mask_pii
from bot.studio import catalog, drafts, validation
from bot.studio.drafts import Draft

ROOT = settings.STUDIO_DATA_ROOT  # the live data files (the project, or a test's copy)
ENTRY_FIELDS = ("id", "category", "question", "answer", "department", "keywords", "aspects", "as_of",
                "source", "examples")
FACT_FIELDS = ("value", "verified", "note")
ASPECT_LABELS = {"fee": "수수료·비용", "documents": "구비서류", "place": "장소", "hours": "운영시간",
                 "period": "기간·기한", "duration": "처리 기간", "eligibility": "대상·자격", "how": "방법",
                 "online": "온라인", "proxy": "대리 신청", "contact": "연락처"}


class NotFound(LookupError):
    """No such entry or fact."""


def _texts(value) -> List[str]:
    if isinstance(value, str):
        value = value.splitlines()
    return [str(v).strip() for v in value or [] if str(v).strip()] if isinstance(value, list) else []


def clean_entry(body: Mapping, faq_id: str) -> dict:
    """The entry fields of a request body, as strings and lists of strings."""
    entry = {"id": faq_id}
    for key in ENTRY_FIELDS[1:]:
        value = body.get(key)
        if key in ("keywords", "aspects", "source", "examples"):
            entry[key] = list(dict.fromkeys(_texts(value)))
        else:
            entry[key] = str(value if value is not None else "").strip()
    entry["answer"] = "\n".join(line.rstrip() for line in entry["answer"].replace("\r\n", "\n").split("\n"))
    entry["examples"] = list(dict.fromkeys(mask_pii(x) for x in entry["examples"]))  # may be pasted from chats
    return entry


def meta(root: Path = ROOT) -> dict:
    """What the edit form offers: categories, departments, aspects, fact keys and limits."""
    base = catalog.live_base(root)
    return {"categories": catalog.categories(root),
            "departments": {k: d.name for k, d in base.city.departments.items()},
            "aspects": {a: ASPECT_LABELS.get(a, a) for a in ASPECTS},
            "facts": sorted(base.city.facts),
            "limits": {"answer": validation.MAX_ANSWER_CHARS, "question": validation.MAX_QUESTION_CHARS,
                       "min_examples": validation.MIN_EXAMPLES},
            "statuses": list(catalog.STATUSES)}


def list_entries(query: str = "", category: str = "", status: str = "", root: Path = ROOT) -> List[dict]:
    return catalog.entry_rows(root, drafts.list_drafts(), query, category, status)


def preview(entry: Mapping, root: Path = ROOT) -> str:
    """The answer as a citizen would read it now (unverified facts left out, department added)."""
    base = catalog.live_base(root)
    labels = catalog.categories(root)
    faq = FaqEntry(id=str(entry.get("id") or ""), category=str(entry.get("category") or ""),
                   category_label=labels.get(str(entry.get("category")), ""),
                   question=str(entry.get("question") or ""), answer=str(entry.get("answer") or ""),
                   department=str(entry.get("department") or ""), keywords=(), aspects=(), examples=())
    return render_answer(faq, base.city)


def get_entry(faq_id: str, root: Path = ROOT) -> dict:
    """The live entry (or the retired one), its draft, and what citizens would read."""
    live = catalog.live_entries(root).get(faq_id)
    retired = catalog.retired_entries(root).get(faq_id)
    draft = drafts.get_draft("faq", faq_id)
    if live is None and draft is None and retired is None:
        raise NotFound(faq_id)
    shown = draft.payload if draft is not None and draft.action != "retire" else (live or retired)
    return {"id": faq_id, "live": live, "retired": retired,
            "draft": {**catalog._draft_info(draft), "entry": draft.payload} if draft else None,
            "entry": shown, "preview": preview(shown, root)}


def check(entry: Mapping, creating: bool, root: Path = ROOT) -> List[dict]:
    """Every problem of ``entry`` against the live files and the other drafts."""
    waiting = drafts.list_drafts()
    live = catalog.live_entries(root)
    others = catalog.phrasings(catalog.effective_entries(live, waiting))
    taken = set(live) | {d.key for d in waiting if d.kind == "faq"}
    base = catalog.base_with_drafted_facts(catalog.live_base(root), waiting)
    return validation.check_entry(entry, base, others, creating=creating, taken_ids=taken,
                                  retired_ids=set(catalog.retired_entries(root)),
                                  categories=set(catalog.categories(root)))


def save_entry(entry: dict, author: str, creating: bool = False,
               root: Path = ROOT) -> Tuple[Optional[Draft], List[dict]]:
    """Check ``entry`` and save its draft unless there is an error: (draft or None, problems)."""
    faq_id = entry["id"]
    live = catalog.live_entries(root)
    existing = drafts.get_draft("faq", faq_id)
    if not creating and faq_id not in live and (existing is None or existing.action != "create"):
        raise NotFound(faq_id)
    problems = check(entry, creating, root)
    if validation.errors(problems):
        return None, problems
    action = "edit" if faq_id in live else "create"
    return drafts.save_draft("faq", faq_id, action, entry, author), problems


def retire_entry(faq_id: str, author: str, root: Path = ROOT) -> Optional[Draft]:
    """A retire draft for a live entry; an unpublished new entry is simply dropped (None)."""
    live = catalog.live_entries(root).get(faq_id)
    if live is None:
        existing = drafts.get_draft("faq", faq_id)
        if existing is None or existing.action != "create":
            raise NotFound(faq_id)
        drafts.discard_draft("faq", faq_id)
        return None
    return drafts.save_draft("faq", faq_id, "retire", live, author)


def new_examples(faq_id: str, entry: Mapping, root: Path = ROOT) -> List[str]:
    """The entry's examples the live files do not have yet (what the model check looks at)."""
    live = catalog.live_entries(root).get(faq_id) or {}
    known = set(str(x) for x in live.get("examples") or [])
    return [x for x in entry.get("examples") or [] if x not in known]


def list_facts(root: Path = ROOT) -> List[dict]:
    return catalog.fact_rows(root, drafts.list_drafts())


def save_fact(key: str, body: Mapping, author: str, today: Optional[datetime.date] = None,
              root: Path = ROOT) -> Tuple[Optional[Draft], List[dict]]:
    """A city fact draft. Ticking "verified" records the editor and today's date; a fact whose
    value changes without a tick is unverified again."""
    rows = {row["key"]: row for row in list_facts(root)}
    current = rows.get(key)
    fact = {"value": str(body.get("value") or "").strip(), "verified": body.get("verified") is True,
            "note": str(body.get("note") if body.get("note") is not None else (current or {}).get("note") or "").strip()}
    problems = validation.check_fact(key, fact, set(rows), creating=False)
    if validation.errors(problems):
        return None, problems
    if fact["verified"]:
        unchanged = current and current.get("verified") and current.get("value") == fact["value"]
        fact["verified_by"] = current["verified_by"] if unchanged and current.get("verified_by") else author
        fact["verified_at"] = (current["verified_at"] if unchanged and current.get("verified_at")
                               else (today or datetime.date.today()).isoformat())
    return drafts.save_draft("city", key, "edit", fact, author), problems
