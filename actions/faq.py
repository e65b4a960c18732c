"""action_answer_faq: answer from the FAQ base, clarify, small talk, decline — or hand off if the citizen asked."""
import logging
from typing import Any, Dict, List, Text

from rasa_sdk import Action, Tracker
from rasa_sdk.events import SlotSet
from rasa_sdk.executor import CollectingDispatcher

from actions.handoff import hand_off
from bot.conversation import names
from bot.conversation.handoff_request import is_explicit_agent_request
from bot.faq.answering import respond
from bot.handoff import counters

logger = logging.getLogger(__name__)


def answer_faq(dispatcher: CollectingDispatcher, tracker: Tracker) -> List[Dict[Text, Any]]:
    """Reply to the latest message from the FAQ base; the slot events to return."""
    message = tracker.latest_message or {}
    intent = message.get("intent") or {}
    if intent.get("name") != "request_human" and is_explicit_agent_request(message.get("text") or ""):
        return hand_off(dispatcher, tracker)  # the classifier missed it, but the citizen asked for a person
    reply = respond(
        text=message.get("text") or "",
        intent=intent.get("name"),
        intent_ranking=message.get("intent_ranking") or [],
        faq_ranking=message.get("faq_ranking"),
        previous_faq_id=tracker.get_slot(names.SLOT_FAQ_ID),
        previous_outcome=tracker.get_slot(names.SLOT_FAQ_OUTCOME),
    )
    try:
        counters.bot_outcome(tracker.sender_id, reply.slots.get(names.SLOT_FAQ_OUTCOME, names.OUTCOME_ANSWER))
    except Exception:  # counters must never cost the citizen an answer
        logger.exception("could not record the bot outcome")
    for item in reply.messages:
        dispatcher.utter_message(text=item["text"], buttons=item["buttons"] or None)
    return [SlotSet(name, value) for name, value in reply.slots.items()]


class ActionAnswerFaq(Action):
    def name(self) -> Text:
        return "action_answer_faq"

    def run(self, dispatcher: CollectingDispatcher, tracker: Tracker,
            domain: Dict[Text, Any]) -> List[Dict[Text, Any]]:
        return answer_faq(dispatcher, tracker)
