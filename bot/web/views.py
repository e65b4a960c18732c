"""What people see of tickets and of the chat: the console's ticket summary, the citizen's
state bar and the chat's greeting."""
from __future__ import annotations

from datetime import datetime, timezone
from typing import Dict, Optional

from bot import settings
from bot.faq.answering import faq_base
from bot.faq.small_talk import welcome
from bot.handoff import tickets
from bot.handoff.hours import business_hours
from bot.web.hub import Hub
from bot.web.users import get_account


def age_seconds(moment: Optional[datetime]) -> int:
    if moment is None:
        return 0
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=timezone.utc)
    return max(0, int((datetime.now(timezone.utc) - moment).total_seconds()))


def agent_name(username: Optional[str]) -> Optional[str]:
    account = get_account(username) if username else None
    return account.display_name if account else None


def ticket_summary(ticket: tickets.Ticket, hub: Hub) -> Dict:
    """A queue row: enough to choose a chat, nothing that identifies the citizen (blocking).
    ``waiting_seconds``: since it entered its state (queued, taken, callback requested)."""
    since = {tickets.QUEUED: ticket.queued_at, tickets.ASSIGNED: ticket.assigned_at}.get(ticket.status)
    agent = get_account(ticket.agent_username) if ticket.agent_username else None
    labels = faq_base().categories()
    expires = None
    if ticket.status == tickets.CALLBACK and ticket.has_callback_phone:
        expires = max(0, settings.CALLBACK_EXPIRY_HOURS * 3600 - age_seconds(ticket.created_at))
    return {"id": ticket.id, "status": ticket.status, "callback": ticket.is_callback,
            "category": labels.get(ticket.category or "", ticket.category), "category_key": ticket.category,
            "department": ticket.department, "last_question": ticket.last_question,
            "created_at": ticket.created_at.isoformat(), "waiting_seconds": age_seconds(since or ticket.created_at),
            "expires_in_seconds": expires,
            "agent": {"username": agent.username, "display_name": agent.display_name} if agent else None,
            "citizen_online": hub.citizen_online(ticket.conversation_id),
            "has_callback_phone": ticket.has_callback_phone, "rating": ticket.rating, "outcome": ticket.outcome}


def citizen_state(ticket: Optional[tickets.Ticket], hub: Hub) -> Dict:
    """The citizen's state bar: bot, queued (position, estimate), assigned (agent), callback (blocking)."""
    hours = business_hours().describe()
    if ticket is None or ticket.status not in tickets.ACTIVE:
        return {"type": "state", "state": "bot", "hours": hours}
    payload = {"type": "state", "state": ticket.status, "ticket_id": ticket.id, "hours": hours}
    if ticket.status == tickets.QUEUED:
        position = tickets.queue_position(ticket)
        agents = max(1, len(hub.online_agents()))
        payload.update(queue_position=position,
                       estimated_wait_minutes=-(-position * settings.AVERAGE_HANDLING_MINUTES // agents))
    elif ticket.status == tickets.ASSIGNED:
        payload["agent_name"] = agent_name(ticket.agent_username)
    return payload


def greeting() -> Dict:
    """The welcome the page shows above every conversation: text and the busiest topics."""
    return welcome(faq_base())
