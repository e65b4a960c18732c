"""The dashboard's numbers, on SQLite and PostgreSQL, from rows written by their owning modules."""
from datetime import date, datetime, timedelta, timezone

import pytest
from sqlalchemy import select, update

from bot import settings
from bot.faq.answering import faq_base
from bot.handoff import counters, tickets
from bot.storage.db import session_scope
from bot.storage.models import AnswerEvent, ConversationRecord, HandoffTicket
from bot.studio import analytics, feedback, review


def bot_turn(conversation, outcome, faq_id=None, category=None):
    """What action_answer_faq records for one reply."""
    counters.citizen_message(conversation)
    counters.bot_outcome(conversation, outcome)
    analytics.record_outcome(conversation, outcome, faq_id, category)


def taken_after(ticket_id, seconds):
    """Claim a ticket as if its citizen had waited ``seconds``."""
    ticket = tickets.claim(ticket_id, "kim")
    with session_scope() as s:
        s.execute(update(HandoffTicket).where(HandoffTicket.id == ticket_id)
                  .values(created_at=ticket.assigned_at - timedelta(seconds=seconds)))
    return ticket


def test_dashboard_of_a_busy_day(database_url):
    bot_turn("bot-1", "answer", "flu_vaccine", "health")
    bot_turn("bot-2", "answer", "flu_vaccine", "health")
    bot_turn("bot-2", "answer", "illegal_parking_report", "parking")
    bot_turn("miss-1", "unsure")
    bot_turn("agent-1", "offer_human")
    bot_turn("agent-2", "answer", "water_bill_payment", "water")
    quick = taken_after(tickets.request_handoff("agent-1", [], within_hours=True).id, 5)
    tickets.close(quick.id, "kim", "resolved")
    tickets.rate(quick.id, 5)
    taken_after(tickets.request_handoff("agent-2", [], within_hours=True).id, 30)
    tickets.request_handoff("agent-3", [], within_hours=True)  # nobody took it
    tickets.request_handoff("night-1", [], within_hours=False)  # a callback request: not a live handoff
    review.record("miss-1", "수도요금 카드 자동이체 돼요?", review.FALLBACK, bot_guess="water_bill_payment")
    review.record("miss-2", "수도세 계좌이체 하려면요", review.FALLBACK, bot_guess="water_bill_payment")
    review.record("miss-3", "강아지 산책로 어디예요", review.FALLBACK)
    labelled = review.record("miss-4", "여권 사진 규격", review.FALLBACK, bot_guess="passport_fee")
    review.label([labelled], "passport_fee", "editor")  # no longer open: not counted
    feedback.vote("bot-1", "m1", feedback.UP, feedback.RatedAnswer("flu_vaccine", "독감 주사 언제 맞아요?"))
    feedback.vote("bot-2", "m2", feedback.DOWN, feedback.RatedAnswer("flu_vaccine", "독감 접종 가격"))
    feedback.vote("bot-2", "m3", feedback.DOWN, feedback.RatedAnswer("illegal_parking_report", "주차 신고"))

    report = analytics.dashboard(analytics.period(), 20)
    summary = counters.summary(analytics.period().start, analytics.period().end)
    kpis = report["kpis"]
    assert kpis["conversations"] == summary["conversations"] == 7  # 5 with the bot, agent-3 and night-1
    assert sum(d["conversations"] for d in report["per_day"]) == 7  # all of them today (local)
    assert report["per_day"][-1] == {"date": analytics.period().last.isoformat(), "conversations": 7, "handoffs": 4}
    assert len(report["per_day"]) == counters.DEFAULT_PERIOD_DAYS
    assert kpis["resolved_by_bot"] == 2 and kpis["bot_self_resolution_rate"] == round(2 / 7, 4)
    assert kpis["handoff_rate"] == round(4 / 7, 4)
    assert kpis["fallback_rate"] == round(2 / 6, 4)  # unsure + offer_human of 6 bot replies

    base = faq_base()
    assert report["top_entries"][0] == {"faq_id": "flu_vaccine", "question": base.get("flu_vaccine").question,
                                        "category": "health", "label": base.categories()["health"], "answers": 2}
    assert [(c["category"], c["rank"]) for c in report["top_categories"]] == [
        ("health", 1), ("parking", 2), ("water", 3)]
    assert report["top_categories"][0]["label"] == base.categories()["health"]
    city = {c["category"]: c for c in report["city_ranking"]}
    assert [c["category"] for c in report["city_ranking"]] == ["health", "water", "parking", "library", "tax", "waste"]
    assert (city["health"]["city_rank"], city["health"]["our_rank"], city["health"]["our_answers"]) == (1, 1, 2)
    assert (city["water"]["our_rank"], city["parking"]["our_rank"]) == (3, 2)
    assert (city["library"]["our_rank"], city["library"]["our_answers"]) == (None, 0)

    groups = [(u["bot_guess"], u["count"]) for u in report["unanswered"]]
    # two fallbacks guessing water_bill_payment; each 👎 is a review item guessing its entry too
    assert groups[0] == ("water_bill_payment", 2)
    assert set(groups[1:]) == {(None, 1), ("flu_vaccine", 1), ("illegal_parking_report", 1)}
    water = report["unanswered"][0]
    assert water["guess_question"] == base.get("water_bill_payment").question
    assert water["sample"] == "수도세 계좌이체 하려면요" and water["first_seen"] <= water["last_seen"]
    assert water["last_seen"].endswith("+09:00")  # shown in local time

    assert report["feedback"] == [
        {"faq_id": "flu_vaccine", "question": base.get("flu_vaccine").question, "up": 1, "down": 1},
        {"faq_id": "illegal_parking_report", "question": base.get("illegal_parking_report").question,
         "up": 0, "down": 1}]
    assert report["csat"]["mean"] == 5 and report["csat"]["satisfied_rate"] == 1.0

    cc = report["call_center"]
    assert (cc["requested"], cc["taken"], cc["callbacks"]) == (3, 2, 1)
    assert cc["answer_rate"] == round(2 / 3, 4)
    assert (cc["service_level_seconds"], cc["taken_within"], cc["service_level"]) == (20, 1, round(1 / 3, 4))
    assert cc["wait_seconds"]["count"] == 2 and 17 <= cc["wait_seconds"]["mean"] <= 18  # (5 + 30) / 2
    assert cc["handling_seconds"]["count"] == 1
    assert analytics.dashboard(analytics.period(), 40)["call_center"]["service_level"] == round(2 / 3, 4)


def test_an_empty_period_shows_zeros(database_url):
    report = analytics.dashboard(analytics.period(date(2020, 1, 1), date(2020, 1, 7)))
    assert [d["date"] for d in report["per_day"]] == [f"2020-01-0{i}" for i in range(1, 8)]
    assert all(d["conversations"] == 0 and d["handoffs"] == 0 for d in report["per_day"])
    assert report["kpis"]["conversations"] == 0 and report["kpis"]["fallback_rate"] is None
    assert report["top_entries"] == report["top_categories"] == report["unanswered"] == report["feedback"] == []
    assert all(c["our_rank"] is None for c in report["city_ranking"])
    cc = report["call_center"]
    assert cc["requested"] == 0 and cc["answer_rate"] is None and cc["service_level"] is None
    assert cc["service_level_seconds"] == settings.SERVICE_LEVEL_SECONDS
    assert report["csat"]["count"] == 0 and report["csat"]["satisfied_rate"] is None


def test_days_are_local_days(database_url):
    """00:30 in Seoul is the previous day in UTC: it counts for the Seoul day."""
    bot_turn("late", "answer", "flu_vaccine", "health")
    bot_turn("early", "answer", "water_bill_payment", "water")
    bot_turn("old", "answer", "water_bill_payment", "water")
    moments = {"late": datetime(2026, 11, 28, 15, 30, tzinfo=timezone.utc),  # 11-29 00:30 KST
               "early": datetime(2026, 11, 28, 14, 59, tzinfo=timezone.utc),  # 11-28 23:59 KST
               "old": datetime(2026, 10, 1, 3, 0, tzinfo=timezone.utc)}
    with session_scope() as s:
        for conversation, moment in moments.items():
            s.execute(update(ConversationRecord).where(ConversationRecord.conversation_id == conversation)
                      .values(started_at=moment))
            s.execute(update(AnswerEvent).where(AnswerEvent.conversation_id == conversation)
                      .values(created_at=moment))

    report = analytics.dashboard(analytics.period(date(2026, 11, 28), date(2026, 11, 29), "Asia/Seoul"))
    assert report["per_day"] == [{"date": "2026-11-28", "conversations": 1, "handoffs": 0},
                                 {"date": "2026-11-29", "conversations": 1, "handoffs": 0}]
    assert {e["faq_id"]: e["answers"] for e in report["top_entries"]} == {"flu_vaccine": 1, "water_bill_payment": 1}


def test_only_the_bot_outcomes_counters_count_are_recorded(database_url):
    analytics.record_outcome("c", "small_talk")
    analytics.record_outcome("c", "clarify", None, "water")
    analytics.record_outcome("c", "answer", "flu_vaccine", "health")
    with session_scope() as s:
        rows = s.execute(select(AnswerEvent.outcome, AnswerEvent.faq_id, AnswerEvent.category)
                         .order_by(AnswerEvent.id)).all()
    assert [tuple(r) for r in rows] == [("clarify", None, "water"), ("answer", "flu_vaccine", "health")]


def test_service_level_threshold(monkeypatch):
    monkeypatch.setattr(settings, "SERVICE_LEVEL_SECONDS", 30)
    assert analytics.service_level_threshold(None) == 30
    assert analytics.service_level_threshold(10) == 10
    for bad in (0, -5, analytics.MAX_SERVICE_LEVEL_SECONDS + 1):
        with pytest.raises(analytics.InvalidServiceLevel, match="서비스레벨 기준은"):
            analytics.service_level_threshold(bad)
    with pytest.raises(counters.InvalidPeriod):
        analytics.period(date(2026, 11, 2), date(2026, 11, 1))
