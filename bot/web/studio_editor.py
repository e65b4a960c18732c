"""Content studio — FAQ editor and city facts: list, search, drafts, validation (issue 10 §1).

Content staff and admins only; every write is a POST (the CSRF check of ``authenticated``).
Saving an entry checks it first (422 with the problems); it then asks the live model where
the new examples rank, within :data:`RANKING_BUDGET_SECONDS`, and returns those warnings.
"""
from __future__ import annotations

import asyncio
import time
from typing import List

from sanic import Blueprint, Request, response

from bot.studio import catalog, editor, validation
from bot.web import roles
from bot.web.auth import authenticated, error, json_body
from bot.web.rasa_client import RasaError
from bot.web.relay import db

bp = Blueprint("studio_editor", url_prefix="/studio/api/editor")
RANKING_BUDGET_SECONDS = 8.0  # the whole model check of one save
RANKING_MAX_EXAMPLES = 10
NOT_FOUND = "항목을 찾을 수 없어요."
FIX_FIRST = "고칠 곳이 있어요. 표시된 칸을 확인해 주세요."


def _author(request: Request) -> str:
    return request.ctx.session.account.username


def _draft_json(draft) -> dict:
    return {"kind": draft.kind, "key": draft.key, "action": draft.action, "author": draft.author,
            "updated_at": draft.updated_at.isoformat()}


async def _ranking_warnings(request: Request, faq_id: str, examples: List[str]) -> List[dict]:
    """Warnings for new examples the live model ranks nearer to another entry (best effort)."""
    examples = examples[:RANKING_MAX_EXAMPLES]
    if not examples:
        return []
    deadline, parses = time.monotonic() + RANKING_BUDGET_SECONDS, []
    try:
        for text in examples:
            remaining = deadline - time.monotonic()
            if remaining <= 0:
                raise asyncio.TimeoutError
            parses.append((text, await asyncio.wait_for(request.app.ctx.rasa.parse(text), remaining)))
    except (RasaError, asyncio.TimeoutError):
        note = {"field": "examples", "level": "warning",
                "message": "모델 확인을 끝내지 못했어요(챗봇 서버 응답 없음). 초안은 저장됐어요."}
        return await db(validation.ranking_problems, faq_id, parses, catalog.live_base(editor.ROOT)) + [note]
    return await db(validation.ranking_problems, faq_id, parses, catalog.live_base(editor.ROOT))


async def _save(request: Request, faq_id: str, creating: bool):
    body = json_body(request)
    entry = editor.clean_entry(body.get("entry") if isinstance(body.get("entry"), dict) else body, faq_id)
    try:
        draft, problems = await db(editor.save_entry, entry, _author(request), creating)
    except editor.NotFound:
        return error(404, NOT_FOUND)
    if draft is None:
        return response.json({"error": FIX_FIRST, "problems": problems}, status=422)
    if not creating:
        problems += await _ranking_warnings(request, faq_id, await db(editor.new_examples, faq_id, entry))
    return response.json({"draft": _draft_json(draft), "problems": problems,
                          "preview": await db(editor.preview, entry)}, status=201 if creating else 200)


@bp.get("/meta")
@authenticated(roles.STUDIO)
async def meta(request: Request):
    return response.json(await db(editor.meta))


@bp.get("/entries")
@authenticated(roles.STUDIO)
async def entries(request: Request):
    args = request.args
    status = args.get("status", "")
    if status and status not in catalog.STATUSES:
        return error(400, "상태 필터는 live, drafted, new, retired 중 하나예요.")
    rows = await db(editor.list_entries, args.get("q", "")[:100], args.get("category", "")[:60], status)
    return response.json({"entries": rows})


@bp.get("/entries/<faq_id:str>")
@authenticated(roles.STUDIO)
async def entry(request: Request, faq_id: str):
    try:
        return response.json(await db(editor.get_entry, faq_id))
    except editor.NotFound:
        return error(404, NOT_FOUND)


@bp.post("/entries")
@authenticated(roles.STUDIO)
async def create(request: Request):
    body = json_body(request)
    entry = body.get("entry") if isinstance(body.get("entry"), dict) else body
    return await _save(request, str(entry.get("id") or "").strip()[:60], creating=True)


@bp.post("/entries/<faq_id:str>/draft")
@authenticated(roles.STUDIO)
async def save_draft(request: Request, faq_id: str):
    return await _save(request, faq_id, creating=False)


@bp.post("/entries/<faq_id:str>/discard")
@authenticated(roles.STUDIO)
async def discard(request: Request, faq_id: str):
    if not await db(editor.drafts.discard_draft, "faq", faq_id):
        return error(404, "취소할 초안이 없어요.")
    return response.json({"discarded": faq_id})


@bp.post("/entries/<faq_id:str>/retire")
@authenticated(roles.STUDIO)
async def retire(request: Request, faq_id: str):
    try:
        draft = await db(editor.retire_entry, faq_id, _author(request))
    except editor.NotFound:
        return error(404, NOT_FOUND)
    return response.json({"draft": _draft_json(draft) if draft else None, "dropped": draft is None})


@bp.post("/preview")
@authenticated(roles.STUDIO)
async def preview(request: Request):
    """What a citizen would read for the answer being typed (facts filled, unverified left out)."""
    entry = editor.clean_entry(json_body(request), "preview")
    return response.json({"preview": await db(editor.preview, entry)})


@bp.get("/facts")
@authenticated(roles.STUDIO)
async def facts(request: Request):
    return response.json({"facts": await db(editor.list_facts)})


@bp.post("/facts/<key:str>")
@authenticated(roles.STUDIO)
async def save_fact(request: Request, key: str):
    draft, problems = await db(editor.save_fact, key, json_body(request), _author(request))
    if draft is None:
        status = 404 if any(p["field"] == "key" for p in problems) else 422
        return response.json({"error": FIX_FIRST if status == 422 else "없는 도시 정보예요.",
                              "problems": problems}, status=status)
    return response.json({"draft": _draft_json(draft), "fact": {**draft.payload, "key": key}, "problems": problems})


@bp.post("/facts/<key:str>/discard")
@authenticated(roles.STUDIO)
async def discard_fact(request: Request, key: str):
    if not await db(editor.drafts.discard_draft, "city", key):
        return error(404, "취소할 초안이 없어요.")
    return response.json({"discarded": key})
