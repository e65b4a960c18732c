"""Strings the web app, the Rasa channel, the actions and the scripts must spell alike."""
from __future__ import annotations

# --- button payloads (a citizen's click sends the payload as the message) -----------------
PAYLOAD_PREFIX = "/"
FAQ_INTENT_PREFIX = "faq_"
FAQ_PAYLOAD_PREFIX = PAYLOAD_PREFIX + FAQ_INTENT_PREFIX
HUMAN_PAYLOAD = "/request_human"
DENY_PAYLOAD = "/deny"
#: what a payload stood for, in the words the citizen saw (FAQ payloads show the entry's question)
PAYLOAD_TITLES = {HUMAN_PAYLOAD: "상담원 연결", DENY_PAYLOAD: "아니요"}

# --- actions (domain.yml) ----------------------------------------------------------------------
ACTION_HANDOFF = "action_handoff_to_agent"

# --- slots (domain.yml) ----------------------------------------------------------------------
SLOT_FAQ_ID = "faq_id"
SLOT_FAQ_CATEGORY = "faq_category"
SLOT_FAQ_SCORE = "faq_score"
SLOT_FAQ_OUTCOME = "faq_outcome"
SLOT_HANDOFF_OFFERED = "handoff_offered"
SLOT_HANDOFF_TICKET = "handoff_ticket"

# --- who speaks (tracker event metadata "role"; chat message "role") --------------------------
CITIZEN, BOT, AGENT, SYSTEM = "citizen", "bot", "agent", "system"
ROLES = (CITIZEN, BOT, AGENT, SYSTEM)

# --- tracker event metadata keys ---------------------------------------------------------------
META_ROLE = "role"
META_AGENT_NAME = "agent_name"
#: the citizen browser's id of a message: retries of one message are recognised by it
META_CLIENT_ID = "client_id"
#: who received a citizen message: ROUTE_BOT (the bot answered) or ROUTE_AGENT (recorded for an agent)
META_ROUTE = "route"
META_TICKET_ID = "ticket_id"
#: the web app's outbox row that put an event into the tracker (a retried delivery is recognised)
META_OUTBOX_ID = "outbox_id"
ROUTE_BOT, ROUTE_AGENT = "bot", "agent"
#: the channel a web citizen's message came through (REST metadata "channel")
WEB_CHANNEL = "web"

# --- custom JSON in bot replies (REST: {"custom": {...}}) -----------------------------------
#: the handoff action opened or found a ticket: {"handoff": {"ticket_id": 12, "status": "queued"}}
REPLY_HANDOFF = "handoff"
#: the channel recorded the message for an agent instead of the bot: {"routed": {"ticket_id": 12}}
REPLY_ROUTED = "routed"
#: the bot answered from an FAQ entry (the page offers 👍/👎 on it): {"faq": {"faq_id": "passport_fee"}}
REPLY_FAQ = "faq"

# --- what the bot did with a message (slot faq_outcome; analytics counters) -----------------
OUTCOME_ANSWER, OUTCOME_CLARIFY, OUTCOME_OFFER_HUMAN, OUTCOME_OUT_OF_SCOPE = (
    "answer", "clarify", "offer_human", "out_of_scope")
OUTCOME_SMALL_TALK = "small_talk"
#: unsure for the first time: the topic menu and a hint; a person is offered only if it happens again
OUTCOME_UNSURE = "unsure"

# --- small talk and the topic menu --------------------------------------------------------------
#: intents the FAQ action answers in character when no FAQ entry clearly fits
SMALL_TALK_INTENTS = ("chitchat", "bot_complaint")
#: a topic-menu button: /choose_topic{"topic": "<FAQ category>"}
TOPIC_INTENT = "choose_topic"
TOPIC_ENTITY = "topic"


def topic_payload(category: str) -> str:
    return f'{PAYLOAD_PREFIX}{TOPIC_INTENT}{{"{TOPIC_ENTITY}": "{category}"}}'
