"""Content studio — Review queue: what the bot missed, clustered; label, new entry, out of scope (issue 10 §3).

Content staff and admins only; every write is a POST (the CSRF check of ``authenticated``).
Clustering loads the embedding model into the web process on first use (a few seconds).
"""
from __future__ import annotations

import asyncio
import time
from typing import List, Optional

from sanic import Blueprint, Request, response

from bot.korean.normalize import matching_key
from bot.studio import catalog, clusters, drafts, editor, review
from bot.web import roles
from bot.web.auth import authenticated, error, json_body
from bot.web.rasa_client import RasaError
from bot.web.relay import db

bp = Blueprint("studio_review", url_prefix="/studio/api/review")
MAX_ITEMS = 500  # items one action may label
SHOWN_CLUSTERS = 40
GUESS_BUDGET_SECONDS = 10.0  # the live model's guesses for clusters without one, all together
NO_ITEMS = "검토할 메시지를 골라 주세요."
GONE = "이미 처리된 메시지예요. 목록을 새로고침해 주세요."
UNKNOWN_ENTRY = "예문을 추가할 FAQ 항목을 목록에서 골라 주세요."


def _user(request: Request) -> str:
    return request.ctx.session.account.username


def _item_ids(body: dict) -> Optional[List[int]]:
    ids = body.get("item_ids")
    if not isinstance(ids, list) or not 0 < len(ids) <= MAX_ITEMS or any(type(i) is not int for i in ids):
        return None
    return list(dict.fromkeys(ids))


def _entries() -> dict:
    """FAQ id → entry, as they will be once the drafts are published (new drafted entries too)."""
    return catalog.effective_entries(catalog.live_entries(editor.ROOT), drafts.list_drafts())


async def _model_guesses(request: Request, shown: List[dict]) -> None:
    """Clusters without a bot guess get the live model's top entry for their most central message."""
    deadline = time.monotonic() + GUESS_BUDGET_SECONDS
    for cluster in shown:
        if cluster["guess"]:
            continue
        remaining = deadline - time.monotonic()
        if remaining <= 0:
            return
        try:
            parse = await asyncio.wait_for(request.app.ctx.rasa.parse(cluster["samples"][0]), remaining)
        except (RasaError, asyncio.TimeoutError):
            return
        ranking = parse.get("faq_ranking") or []
        if ranking:
            cluster["guess"], cluster["guess_from"] = str(ranking[0]["faq_id"]), "model"


def _queue(limit: int) -> dict:
    items = review.open_items()
    started = time.monotonic()
    grouped = clusters.group(items)
    entries = _entries()
    shown = [clusters.as_json(c) for c in grouped[:limit]]
    for cluster in shown:
        cluster["guess_from"] = "bot" if cluster["guess"] else None
    return {"clusters": shown, "cluster_count": len(grouped), "open": len(items),
            "counts": review.open_counts(), "clustered_ms": round((time.monotonic() - started) * 1000),
            "entries": [{"id": k, "question": str(e.get("question") or ""), "category": str(e.get("category") or "")}
                        for k, e in sorted(entries.items())]}


@bp.get("")
@authenticated(roles.STUDIO)
async def queue(request: Request):
    """Open items clustered, largest first; counts by source; the entries a cluster can go to."""
    try:
        limit = min(max(int(request.args.get("limit", SHOWN_CLUSTERS)), 1), 200)
    except ValueError:
        return error(400, "limit은 숫자로 보내 주세요.")
    body = await db(_queue, limit)
    await _model_guesses(request, body["clusters"])
    questions = {e["id"]: e["question"] for e in body["entries"]}
    for cluster in body["clusters"]:
        cluster["guess_question"] = questions.get(cluster["guess"] or "")
    return response.json(body)


def _add_examples(item_ids: List[int], faq_id: str, user: str):
    entry = _entries().get(faq_id)
    existing = drafts.get_draft("faq", faq_id)
    if entry is None or (existing is not None and existing.action == "retire"):
        return 404, {"error": UNKNOWN_ENTRY}
    picked = [i for i in review.items(item_ids) if i.status == review.OPEN]
    if not picked:
        return 409, {"error": GONE}
    entry = editor.clean_entry(entry, faq_id)
    known = {matching_key(x) for x in entry["examples"] + [entry["question"]]}
    added = []
    for text in dict.fromkeys(i.text for i in picked):
        if matching_key(text) not in known:
            known.add(matching_key(text))
            added.append(text)
    entry["examples"] = entry["examples"] + added
    draft, problems = editor.save_entry(entry, user)
    if draft is None:
        return 422, {"error": "예문을 추가하면 고칠 곳이 생겨요. 아래 내용을 확인해 주세요.", "problems": problems}
    labelled = review.label([i.id for i in picked], faq_id, user)
    return 200, {"draft": {"kind": draft.kind, "key": draft.key, "action": draft.action,
                           "updated_at": draft.updated_at.isoformat()},
                 "added": added, "labelled": len(labelled), "problems": problems}


@bp.post("/examples")
@authenticated(roles.STUDIO)
async def add_examples(request: Request):
    """``{"item_ids": […], "faq_id": …}``: the texts become examples of the entry's draft; items labelled."""
    body = json_body(request)
    item_ids, faq_id = _item_ids(body), body.get("faq_id")
    if item_ids is None:
        return error(400, NO_ITEMS)
    if not isinstance(faq_id, str) or not faq_id.strip():
        return error(400, UNKNOWN_ENTRY)
    status, result = await db(_add_examples, item_ids, faq_id.strip(), _user(request))
    return response.json(result, status=status)


def _new_entry(item_ids: List[int]) -> Optional[dict]:
    picked = [i for i in review.items(item_ids) if i.status == review.OPEN]
    if not picked:
        return None
    texts = list(dict.fromkeys(i.text for i in picked))
    guesses = [i.bot_guess for i in picked if i.bot_guess]
    near = _entries().get(max(set(guesses), key=guesses.count)) if guesses else None
    return {"id": "", "question": texts[0], "answer": next((i.agent_reply for i in picked if i.agent_reply), ""),
            "category": str((near or {}).get("category") or ""), "department": str((near or {}).get("department") or ""),
            "keywords": [], "aspects": [], "as_of": "", "source": [], "examples": texts}


@bp.post("/new-entry")
@authenticated(roles.STUDIO)
async def new_entry(request: Request):
    """``{"item_ids": […]}`` → ``{"draft": {…}}``: a new entry prefilled from the messages (not saved;
    the editor opens it). The items stay open until they are added to the saved entry."""
    item_ids = _item_ids(json_body(request))
    if item_ids is None:
        return error(400, NO_ITEMS)
    draft = await db(_new_entry, item_ids)
    if draft is None:
        return error(409, GONE)
    return response.json({"draft": draft, "item_ids": item_ids})


@bp.post("/out-of-scope")
@authenticated(roles.STUDIO)
async def out_of_scope(request: Request):
    """``{"item_ids": […]}``: not for this bot; they join the regression set as out of scope."""
    item_ids = _item_ids(json_body(request))
    if item_ids is None:
        return error(400, NO_ITEMS)
    labelled = await db(review.label, item_ids, review.OUT_OF_SCOPE_LABEL, _user(request))
    if not labelled:
        return error(409, GONE)
    return response.json({"labelled": len(labelled)})
