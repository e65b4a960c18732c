"""Content studio — publish with a gate, versions, rollback (issue 10 §4). Roles: content, admin.

Publishes and rollbacks run in the studio worker, a process of its own
(:mod:`bot.studio.worker`); the page polls ``GET /studio/api/publish`` for the steps the
publish records in the database. Writes are POSTs (CSRF checked by ``authenticated``).
"""
from __future__ import annotations

import asyncio
import logging

from sanic import Blueprint, Request, response

from bot.korean.pii import mask_pii
from bot.studio import drafts, rollback, versions, worker
from bot.web import roles
from bot.web.auth import authenticated, error, json_body
from bot.web.relay import db
from bot.web.studio_pages import NO_QUESTION, trial_text

log = logging.getLogger(__name__)
bp = Blueprint("studio_publish", url_prefix="/studio/api/publish")
MAX_SUMMARY_CHARS = 500
NOT_FOUND = "그런 버전이 없어요."


def _summary_row(version: dict) -> dict:
    """A version for the history list: everything but the diff text."""
    return {k: v for k, v in version.items() if k != "diff"} | {"has_diff": bool(version.get("diff"))}


def _state() -> dict:
    latest = versions.latest()
    return {"drafts": len(drafts.list_drafts()),
            "busy": worker.if_running("busy", False) or versions.running() is not None,
            "candidate_ready": worker.if_running("candidate_ready", False),
            "latest": latest, "live": versions.live()}


@bp.get("")
@authenticated(roles.STUDIO)
async def state(request: Request):
    """Pending drafts, the newest publish with its steps (for polling), the live version."""
    return response.json(await db(_state))


@bp.post("")
@authenticated(roles.STUDIO)
async def start(request: Request):
    """``{"summary": …}`` → 202 and the new version's id; 409 while another publish runs."""
    summary = " ".join(str(json_body(request).get("summary") or "").split())
    if not summary:
        return error(400, "무엇을 바꿨는지 요약을 적어 주세요.")
    if len(summary) > MAX_SUMMARY_CHARS:
        return error(400, f"요약은 {MAX_SUMMARY_CHARS}자까지 쓸 수 있어요.")
    try:
        version_id = await db(worker.call, "start_publish", request.ctx.session.account.username,
                              mask_pii(summary))
    except versions.PublishBusy as exc:
        return error(409, str(exc))
    except worker.WorkerLost as exc:
        return error(503, str(exc))
    return response.json({"id": version_id}, status=202)


@bp.get("/versions")
@authenticated(roles.STUDIO)
async def history(request: Request):
    return response.json({"versions": [_summary_row(v) for v in await db(versions.history, 50)]})


@bp.get("/versions/<version_id:int>")
@authenticated(roles.STUDIO)
async def version_detail(request: Request, version_id: int):
    version = await db(versions.get, version_id)
    return response.json(version) if version else error(404, NOT_FOUND)


#: seconds a rollback request waits for the rollback; a slower one (a candidate Rasa starting on a
#: busy machine) answers 202 and goes on in the background (Sanic answers 503 after 60 s)
ROLLBACK_WAIT = 40.0


def _log_failure(task: "asyncio.Future") -> None:
    if not task.cancelled() and task.exception() is not None:
        log.error("rollback failed: %s", task.exception())


@bp.post("/versions/<version_id:int>/rollback")
@authenticated(roles.STUDIO)
async def roll_back(request: Request, version_id: int):
    """Make an earlier version live again (its files and model; no training): 200 with the
    version and ``rollback: {how, seconds}``, or 202 ``{"id", "running": true}`` when it takes
    longer (``GET /studio/api/publish`` shows ``busy`` until it is done)."""
    task = asyncio.ensure_future(db(worker.call, "rollback", version_id))
    try:
        version = await asyncio.wait_for(asyncio.shield(task), ROLLBACK_WAIT)
    except asyncio.TimeoutError:
        task.add_done_callback(_log_failure)
        return response.json({"id": version_id, "running": True}, status=202)
    except versions.PublishBusy as exc:
        return error(409, str(exc))
    except rollback.RollbackError as exc:
        return error(409 if await db(versions.get, version_id) else 404, str(exc))
    except worker.WorkerLost as exc:
        return error(503, str(exc))
    return response.json(_summary_row(version))


@bp.post("/test")
@authenticated(roles.STUDIO)
async def test_candidate(request: Request):
    """``{"text": …}`` → like ``POST /studio/api/test``, with the candidate model of the running publish."""
    text = trial_text(request)
    if not text:
        return error(400, NO_QUESTION)
    try:
        shown = await db(worker.if_running, "try_candidate", None, text)
    except worker.CandidateUnreachable:
        return error(503, "새 모델 서버가 응답하지 않아요. 잠시 뒤 다시 시도해 주세요.")
    if shown is None:
        return error(409, "시험해 볼 새 모델이 아직 없어요. 배포가 평가 단계에 들어가면 쓸 수 있어요.")
    return response.json({"model": "candidate", **shown})
