"""Content studio — the analytics dashboard: its numbers as JSON and as a CSV file (issue 10 §5).

``GET /studio/api/dashboard?from=YYYY-MM-DD&to=YYYY-MM-DD&sl=20`` and
``GET /studio/api/dashboard.csv`` (same parameters), for content staff and admins.
"""
from __future__ import annotations

import csv
import io
from datetime import date
from typing import Dict, Iterable, List

from sanic import Blueprint, Request, response

from bot.handoff import counters
from bot.studio import analytics
from bot.web import roles
from bot.web.auth import authenticated, error
from bot.web.relay import db

bp = Blueprint("studio_dashboard", url_prefix="/studio/api")
BAD_DATE = "날짜는 YYYY-MM-DD 형식으로 보내 주세요."
BAD_SERVICE_LEVEL = "서비스레벨 기준은 초 단위 숫자로 보내 주세요."
#: a spreadsheet runs a cell that starts with one of these as a formula
FORMULA_START = ("=", "+", "-", "@", "\t", "\r")


class BadRequest(ValueError):
    """A parameter the user must fix (Korean message)."""


def _query(request: Request):
    """The period and 서비스레벨 threshold asked for; :class:`BadRequest` for bad values."""
    try:
        first, last = (date.fromisoformat(request.args.get(k)) if request.args.get(k) else None
                       for k in ("from", "to"))
    except ValueError:
        raise BadRequest(BAD_DATE)
    sl = (request.args.get("sl") or "").strip()
    if sl and not sl.isdigit():
        raise BadRequest(BAD_SERVICE_LEVEL)
    try:
        period = analytics.period(first, last)
        threshold = analytics.service_level_threshold(int(sl) if sl else None)
    except (counters.InvalidPeriod, analytics.InvalidServiceLevel) as exc:
        raise BadRequest(str(exc))
    return period, threshold


async def _report(request: Request):
    period, threshold = _query(request)
    return await db(analytics.dashboard, period, threshold)


@bp.get("/dashboard")
@authenticated(roles.STUDIO)
async def dashboard(request: Request):
    try:
        return response.json(await _report(request))
    except BadRequest as exc:
        return error(400, str(exc))


@bp.get("/dashboard.csv")
@authenticated(roles.STUDIO)
async def dashboard_csv(request: Request):
    try:
        report = await _report(request)
    except BadRequest as exc:
        return error(400, str(exc))
    name = f"dashboard-{report['period']['from']}-{report['period']['to']}.csv"
    return response.raw(("\ufeff" + to_csv(report)).encode("utf-8"), content_type="text/csv; charset=utf-8",
                        headers={"Content-Disposition": f'attachment; filename="{name}"',
                                 "Cache-Control": "no-store", "X-Content-Type-Options": "nosniff"})


def _percent(value) -> str:
    return "" if value is None else f"{value * 100:.1f}%"


def _cell(value) -> str:
    text = "" if value is None else str(value)
    return "'" + text if text.startswith(FORMULA_START) else text


def _sections(report: Dict) -> Iterable[tuple]:
    """(title, header, rows) of each table of the report, in the order the page shows them."""
    k, cc, csat = report["kpis"], report["call_center"], report["csat"]
    period = report["period"]
    yield "기간", ["시작일", "종료일", "시간대"], [[period["from"], period["to"], period["timezone"]]]
    yield "주요 지표", ["지표", "값"], [
        ["대화 수", k["conversations"]], ["챗봇이 해결한 대화", k["resolved_by_bot"]],
        ["자체처리율", _percent(k["bot_self_resolution_rate"])], ["상담원 연결률", _percent(k["handoff_rate"])],
        ["답변 실패율", _percent(k["fallback_rate"])], ["상담원이 해결한 대화", k["resolved_by_agent"]],
        ["만족도 평균(1~5)", csat["mean"]], ["만족 비율(4~5점)", _percent(csat["satisfied_rate"])],
        ["평가 수", csat["count"]]]
    yield "콜센터 지표", ["지표", "값"], [
        ["상담 요청", cc["requested"]], ["상담원 응대", cc["taken"]], ["응대율", _percent(cc["answer_rate"])],
        [f"서비스레벨({cc['service_level_seconds']}초 이내)", _percent(cc["service_level"])],
        ["평균 대기(초)", cc["wait_seconds"]["mean"]], ["평균 처리(초)", cc["handling_seconds"]["mean"]],
        ["콜백 요청(제외)", cc["callbacks"]]]
    yield "일별 대화", ["날짜", "대화 수", "상담원 연결"], [
        [d["date"], d["conversations"], d["handoffs"]] for d in report["per_day"]]
    yield "많이 답한 분야", ["순위", "분야", "답변 수"], [
        [c["rank"], c["label"], c["answers"]] for c in report["top_categories"]]
    yield "시 콜센터 순위와 비교", ["시 순위", "분야", "챗봇 순위", "챗봇 답변 수"], [
        [c["city_rank"], c["label"], c["our_rank"] or "", c["our_answers"]] for c in report["city_ranking"]]
    yield "많이 답한 질문", ["FAQ ID", "질문", "답변 수"], [
        [e["faq_id"], e["question"], e["answers"]] for e in report["top_entries"]]
    yield "답하지 못한 질문 묶음", ["챗봇 추측", "건수", "예시", "처음", "마지막"], [
        [u["guess_question"], u["count"], u["sample"], u["first_seen"], u["last_seen"]] for u in report["unanswered"]]
    yield "답변 평가", ["FAQ ID", "질문", "좋아요", "싫어요"], [
        [f["faq_id"] or "", f["question"], f["up"], f["down"]] for f in report["feedback"]]


def to_csv(report: Dict) -> str:
    """The report as CSV: one section per table (title line, header, rows, blank line)."""
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\r\n")
    for title, header, rows in _sections(report):
        lines: List[list] = [[f"[{title}]"], header, *rows, []]
        writer.writerows([[_cell(v) for v in line] for line in lines])
    return out.getvalue()
