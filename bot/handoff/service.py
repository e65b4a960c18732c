"""What happens when a citizen asks for a person: open a ticket and tell them what's next."""
from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timezone
from typing import Iterable, Mapping, Optional

from bot.conversation import question, transcript
from bot.handoff import tickets
from bot.handoff.hours import business_hours


@dataclass(frozen=True)
class HandoffResult:
    ticket: tickets.Ticket  # queued (the bot is silent from now on) or callback (it still answers)
    text: str


def handoff_reply(conversation_id: str, events: Iterable[Mapping], category: Optional[str] = None,
                  now: Optional[datetime] = None) -> HandoffResult:
    """Open (or find) the conversation's ticket, with the conversation so far (masked)."""
    events = list(events)
    hours = business_hours()
    now = now or datetime.now(timezone.utc)
    ticket = tickets.request_handoff(
        conversation_id, transcript.from_events(events), within_hours=hours.is_open(now), category=category,
        last_question=question.last_question(events))
    if ticket.status in tickets.HELD:
        position = tickets.queue_position(ticket)
        waiting = f" 현재 대기 순서는 {position}번째예요." if position else ""
        text = (f"상담원 연결을 요청했어요 (접수번호 {ticket.id}).{waiting} 상담원이 연결되면 이 대화창에서 "
                "바로 이어서 상담하실 수 있어요. 그동안 챗봇은 답변하지 않아요.")
        return HandoffResult(ticket, text)
    opening = hours.next_opening(now)
    when = f" 다음 상담 시작: {opening:%m월 %d일 %H:%M}." if opening else ""
    text = (f"지금은 상담원 운영 시간이 아니에요 (운영: {hours.describe()}).{when} "
            "아래에 전화번호를 남겨 주시면(개인정보 수집·이용 동의 필요) 운영 시간에 상담원이 전화드려요. "
            "번호를 남기지 않으시면 콜백 요청은 접수되지 않아요. 운영 시간에 다시 '상담원 연결'을 요청하셔도 돼요.")
    return HandoffResult(ticket, text)
