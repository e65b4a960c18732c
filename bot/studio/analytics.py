"""The studio dashboard's numbers for a period of local days (issue 10 §5).

Conversations, resolution, handoff and fallback rates, CSAT come from
:mod:`bot.handoff.counters`; this module adds what the bot answered with (``answer_events``,
which it owns), conversations per day, the city's own topic ranking next to ours, the largest
unanswered groups of the review queue, 👍/👎 per entry, and the call center's measures:
응대율 (handoffs an agent took / handoffs requested), 서비스레벨 (share taken within N seconds),
average wait and handling time — over live handoffs (callback requests left out: they are
called back later by design).
"""
from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, timedelta, timezone
from statistics import mean, median
from typing import Dict, List, Optional
from zoneinfo import ZoneInfo

from sqlalchemy import case, func, select

from bot import settings
from bot.conversation import names
from bot.handoff import counters, tickets
from bot.storage.db import session_scope
from bot.storage.models import AnswerEvent, AnswerFeedback, ConversationRecord, HandoffTicket, ReviewItem, as_utc
from bot.studio import review

#: the city call center's own ranking of topics, most asked first: (our FAQ category, its name)
CITY_RANKING = (("health", "보건·예방접종"), ("water", "상하수도"), ("parking", "불법주정차"),
                ("library", "도서관"), ("tax", "지방세"), ("waste", "청소"))
TOP_ENTRIES, TOP_UNANSWERED = 10, 10
MAX_SERVICE_LEVEL_SECONDS = 3600
NO_GUESS = "(추측 없음)"


class InvalidServiceLevel(ValueError):
    """The asked 서비스레벨 threshold is out of range (the message is for the user, in Korean)."""


@dataclass(frozen=True)
class Period:
    first: date
    last: date
    start: datetime  # UTC, inclusive
    end: datetime  # UTC, exclusive
    zone: str

    def days(self) -> List[date]:
        return [self.first + timedelta(days=i) for i in range((self.last - self.first).days + 1)]


def period(first: Optional[date] = None, last: Optional[date] = None, zone: Optional[str] = None,
           today: Optional[date] = None) -> Period:
    """Whole local days, as :func:`bot.handoff.counters.period` (its Korean errors too)."""
    zone = zone or settings.TIMEZONE
    return Period(*counters.period(first, last, zone, today=today), zone)


def service_level_threshold(seconds: Optional[int]) -> int:
    """The 서비스레벨 threshold in seconds: ``seconds``, or ``SERVICE_LEVEL_SECONDS``."""
    if seconds is None:
        return settings.SERVICE_LEVEL_SECONDS
    if not 1 <= seconds <= MAX_SERVICE_LEVEL_SECONDS:
        raise InvalidServiceLevel(f"서비스레벨 기준은 1초에서 {MAX_SERVICE_LEVEL_SECONDS}초 사이로 정해 주세요.")
    return seconds


def record_outcome(conversation_id: str, outcome: str, faq_id: Optional[str] = None,
                   category: Optional[str] = None) -> None:
    """Keep what action_answer_faq did and with which entry (small talk is not counted)."""
    if outcome not in counters.BOT_KINDS:
        return
    with session_scope() as s:
        s.add(AnswerEvent(conversation_id=conversation_id, outcome=outcome,
                          faq_id=faq_id or None, category=category or None))


def _local(moment: Optional[datetime], tz: ZoneInfo) -> Optional[str]:
    return as_utc(moment).astimezone(tz).isoformat(timespec="seconds") if moment else None


def _rate(part: int, whole: int) -> Optional[float]:
    return round(part / whole, 4) if whole else None


def _stats(values: List[float]) -> Dict:
    return {"count": len(values), "mean": round(mean(values), 1) if values else None,
            "median": round(median(values), 1) if values else None}


def _in(column, p: Period):
    return column >= p.start, column < p.end


def per_day(p: Period) -> List[Dict]:
    """Conversations (by the day first seen) and handoff requests of each local day."""
    tz = ZoneInfo(p.zone)
    with session_scope() as s:
        records = s.execute(select(ConversationRecord.conversation_id, ConversationRecord.started_at)
                            .where(*_in(ConversationRecord.started_at, p))).all()
        handoffs = s.execute(select(HandoffTicket.conversation_id, HandoffTicket.created_at)
                             .where(*_in(HandoffTicket.created_at, p))).all()
    first_seen: Dict[str, datetime] = {}
    for conversation_id, moment in [*records, *handoffs]:
        moment = as_utc(moment)
        if conversation_id not in first_seen or moment < first_seen[conversation_id]:
            first_seen[conversation_id] = moment
    days = {day: {"date": day.isoformat(), "conversations": 0, "handoffs": 0} for day in p.days()}
    for moment in first_seen.values():
        days[moment.astimezone(tz).date()]["conversations"] += 1
    for _, moment in handoffs:
        days[as_utc(moment).astimezone(tz).date()]["handoffs"] += 1
    return list(days.values())


def answered(p: Period, base) -> Dict:
    """Answers per entry (top ones) and per category, and the city's ranking beside ours."""
    with session_scope() as s:
        rows = s.execute(select(AnswerEvent.faq_id, AnswerEvent.category, func.count())
                         .where(AnswerEvent.outcome == names.OUTCOME_ANSWER, AnswerEvent.faq_id.isnot(None),
                                *_in(AnswerEvent.created_at, p))
                         .group_by(AnswerEvent.faq_id, AnswerEvent.category)).all()
    labels = base.categories()
    entries: Dict[str, Dict] = {}
    by_category: Dict[str, int] = {}
    for faq_id, category, count in rows:
        entry = base.get(faq_id)
        category = category or (entry.category if entry else None) or "unknown"
        item = entries.setdefault(faq_id, {"faq_id": faq_id, "question": entry.question if entry else faq_id,
                                           "category": category, "label": labels.get(category, category),
                                           "answers": 0})
        item["answers"] += int(count)
        by_category[category] = by_category.get(category, 0) + int(count)
    top_entries = sorted(entries.values(), key=lambda e: (-e["answers"], e["faq_id"]))[:TOP_ENTRIES]
    categories = [{"category": c, "label": labels.get(c, c), "answers": n, "rank": i + 1}
                  for i, (c, n) in enumerate(sorted(by_category.items(), key=lambda kv: (-kv[1], kv[0])))]
    ours = {c["category"]: c for c in categories}
    city = [{"city_rank": i + 1, "category": c, "label": name,
             "our_rank": ours[c]["rank"] if c in ours else None,
             "our_answers": ours[c]["answers"] if c in ours else 0}
            for i, (c, name) in enumerate(CITY_RANKING)]
    return {"top_entries": top_entries, "top_categories": categories, "city_ranking": city}


def unanswered(p: Period, base) -> List[Dict]:
    """Open review-queue items of the period grouped by the bot's best guess, largest first."""
    tz = ZoneInfo(p.zone)
    with session_scope() as s:
        groups = s.execute(select(ReviewItem.bot_guess, func.count(), func.min(ReviewItem.created_at),
                                  func.max(ReviewItem.created_at))
                           .where(ReviewItem.status == review.OPEN, *_in(ReviewItem.created_at, p))
                           .group_by(ReviewItem.bot_guess)).all()
        groups = sorted(groups, key=lambda g: (-g[1], g[0] or ""))[:TOP_UNANSWERED]
        out = []
        for guess, count, first, last in groups:
            sample = s.execute(select(ReviewItem.text).where(
                ReviewItem.status == review.OPEN, ReviewItem.bot_guess.is_(None) if guess is None
                else ReviewItem.bot_guess == guess, *_in(ReviewItem.created_at, p))
                .order_by(ReviewItem.created_at.desc()).limit(1)).scalar()
            entry = base.get(guess) if guess else None
            out.append({"bot_guess": guess, "guess_question": entry.question if entry else (guess or NO_GUESS),
                        "count": int(count), "sample": sample or "", "first_seen": _local(first, tz),
                        "last_seen": _local(last, tz)})
    return out


def feedback(p: Period, base) -> List[Dict]:
    """👍/👎 per entry in the period, most 👎 first."""
    with session_scope() as s:
        rows = s.execute(select(AnswerFeedback.faq_id,
                                func.sum(case((AnswerFeedback.rating > 0, 1), else_=0)),
                                func.sum(case((AnswerFeedback.rating < 0, 1), else_=0)))
                         .where(*_in(AnswerFeedback.created_at, p)).group_by(AnswerFeedback.faq_id)).all()
    out = []
    for faq_id, up, down in rows:
        entry = base.get(faq_id) if faq_id else None
        out.append({"faq_id": faq_id, "question": entry.question if entry else (faq_id or "(알 수 없음)"),
                    "up": int(up or 0), "down": int(down or 0)})
    return sorted(out, key=lambda f: (-f["down"], -(f["up"] + f["down"]), f["faq_id"] or ""))


def call_center(p: Period, threshold: int) -> Dict:
    """응대율, 서비스레벨, average wait and handling time of the live handoffs requested in the period."""
    with session_scope() as s:
        rows = s.execute(select(HandoffTicket.status, HandoffTicket.created_at, HandoffTicket.assigned_at,
                                HandoffTicket.closed_at, HandoffTicket.callback_phone.isnot(None))
                         .where(*_in(HandoffTicket.created_at, p))).all()
    live = [r for r in rows if r[0] != tickets.CALLBACK and not r[4]]
    waits = [w for _, created, assigned, _, _ in live if (w := counters._seconds(assigned, created)) is not None]
    handling = [h for _, _, assigned, closed, _ in live if (h := counters._seconds(closed, assigned)) is not None]
    within = sum(1 for w in waits if w <= threshold)
    return {"requested": len(live), "taken": len(waits), "answer_rate": _rate(len(waits), len(live)),
            "service_level_seconds": threshold, "taken_within": within,
            "service_level": _rate(within, len(live)), "callbacks": len(rows) - len(live),
            "wait_seconds": _stats(waits), "handling_seconds": _stats(handling)}


def dashboard(p: Period, service_level_seconds: Optional[int] = None, base=None) -> Dict:
    """Everything the dashboard shows for the period ``p``."""
    if base is None:
        from bot.faq.answering import faq_base

        base = faq_base()
    threshold = service_level_threshold(service_level_seconds)
    summary = counters.summary(p.start, p.end)
    replies = summary["bot_answers"] + summary["bot_clarifications"] + summary["bot_fallbacks"]
    ratings = summary["satisfaction"]
    satisfied = int(ratings["distribution"]["4"]) + int(ratings["distribution"]["5"])
    kpis = {key: summary[key] for key in ("conversations", "resolved_by_bot", "resolved_by_agent",
                                          "bot_self_resolution_rate", "handoff_rate", "bot_answers",
                                          "bot_clarifications", "bot_fallbacks")}
    kpis["fallback_rate"] = _rate(summary["bot_fallbacks"], replies)
    csat = {**ratings, "satisfied_rate": _rate(satisfied, ratings["count"])}
    return {"period": {"from": p.first.isoformat(), "to": p.last.isoformat(), "timezone": p.zone},
            "kpis": kpis, "csat": csat, "call_center": call_center(p, threshold), "per_day": per_day(p),
            **answered(p, base), "unanswered": unanswered(p, base), "feedback": feedback(p, base)}
