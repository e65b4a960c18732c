"""Content studio: its page and "test a question" (issue 10 §2). Roles: content, admin."""
from __future__ import annotations

from sanic import Blueprint, Request, response

from bot import settings
from bot.faq.answering import faq_base
from bot.korean.normalize import clean_message
from bot.korean.pii import mask_pii
from bot.studio.trial import explain
from bot.web import roles
from bot.web.auth import authenticated, error, json_body, role_page
from bot.web.rasa_client import RasaError

bp = Blueprint("studio", url_prefix="/studio")


@bp.get("")
async def studio(request: Request):
    return await role_page(request, roles.STUDIO, "studio.html", elsewhere="/agent")


def trial_text(request: Request) -> str:
    """The question of a "test a question" request, masked and cleaned like a citizen message."""
    return clean_message(mask_pii(str(json_body(request).get("text") or "")), settings.MAX_MESSAGE_CHARS)


NO_QUESTION = "테스트할 질문을 입력해 주세요."


@bp.post("/api/test")
@authenticated(roles.STUDIO)
async def test_question(request: Request):
    """``{"text": …}`` → the live model's top entries, decision and rendered reply."""
    text = trial_text(request)
    if not text:
        return error(400, NO_QUESTION)
    try:
        parse = await request.app.ctx.rasa.parse(text)
    except RasaError:
        return error(503, "챗봇 서버가 응답하지 않아요. 잠시 뒤 다시 시도해 주세요.")
    return response.json({"model": "live", **explain(text, parse, faq_base())})
