"""action_handoff_to_agent / action_decline_handoff: hand the chat to a person, or not."""
import logging
from typing import Any, Dict, List, Text

from rasa_sdk import Action, Tracker
from rasa_sdk.events import SlotSet
from rasa_sdk.executor import CollectingDispatcher

from bot.conversation import names
from bot.conversation.handoff_request import is_explicit_agent_request
from bot.handoff.service import handoff_reply
from bot.studio import review

logger = logging.getLogger(__name__)


def hand_off(dispatcher: CollectingDispatcher, tracker: Tracker) -> List[Dict[Text, Any]]:
    """Open (or find) the citizen's ticket, say so, and tell the web app in the reply itself."""
    try:  # an answer followed by a request for a person: the review queue learns of it
        review.after_handoff(tracker.sender_id, tracker.events, tracker.get_slot(names.SLOT_FAQ_OUTCOME),
                             tracker.get_slot(names.SLOT_FAQ_ID))
    except Exception:  # never at the cost of the handoff
        logger.exception("could not record the handoff for the review queue")
    result = handoff_reply(tracker.sender_id, tracker.events, category=tracker.get_slot(names.SLOT_FAQ_CATEGORY))
    dispatcher.utter_message(text=result.text)
    dispatcher.utter_message(json_message={names.REPLY_HANDOFF: {
        "ticket_id": result.ticket.id, "status": result.ticket.status}})
    return [SlotSet(names.SLOT_HANDOFF_TICKET, str(result.ticket.id)),
            SlotSet(names.SLOT_HANDOFF_OFFERED, False)]


class ActionHandoffToAgent(Action):
    def name(self) -> Text:
        return names.ACTION_HANDOFF

    def run(self, dispatcher: CollectingDispatcher, tracker: Tracker,
            domain: Dict[Text, Any]) -> List[Dict[Text, Any]]:
        message = tracker.latest_message or {}
        if (message.get("intent") or {}).get("name") == "request_human" \
                and not is_explicit_agent_request(message.get("text") or ""):
            from actions.faq import answer_faq  # here, not at the top: action_answer_faq hands off through hand_off

            return answer_faq(dispatcher, tracker)  # "사람" without asking for one: a question
        return hand_off(dispatcher, tracker)


class ActionDeclineHandoff(Action):
    def name(self) -> Text:
        return "action_decline_handoff"

    def run(self, dispatcher: CollectingDispatcher, tracker: Tracker,
            domain: Dict[Text, Any]) -> List[Dict[Text, Any]]:
        return decline_handoff(dispatcher)


def decline_handoff(dispatcher: CollectingDispatcher) -> List[Dict[Text, Any]]:
    dispatcher.utter_message(response="utter_handoff_declined")
    return [SlotSet(names.SLOT_HANDOFF_OFFERED, False)]
