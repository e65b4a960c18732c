"""action_answer_faq: answer from the FAQ base, clarify, small talk, decline — or hand off if the citizen asked."""
import logging
from typing import Any, Dict, List, Text

from rasa_sdk import Action, Tracker
from rasa_sdk.events import SlotSet
from rasa_sdk.executor import CollectingDispatcher

from actions.handoff import decline_handoff, hand_off
from bot.conversation import names
from bot.conversation.handoff_request import answer_to_offer, is_explicit_agent_request
from bot.faq.answering import respond
from bot.handoff import counters
from bot.studio import analytics, review

logger = logging.getLogger(__name__)


def answer_faq(dispatcher: CollectingDispatcher, tracker: Tracker) -> List[Dict[Text, Any]]:
    """Reply to the latest message from the FAQ base; the slot events to return."""
    message = tracker.latest_message or {}
    intent = message.get("intent") or {}
    if intent.get("name") != "request_human" and is_explicit_agent_request(message.get("text") or ""):
        return hand_off(dispatcher, tracker)  # the classifier missed it, but the citizen asked for a person
    if intent.get("name") == "nlu_fallback" and tracker.get_slot(names.SLOT_HANDOFF_OFFERED):
        answer = answer_to_offer(message.get("text") or "", message.get("intent_ranking") or [])  # an unsure "네"
        if answer == "affirm":
            return hand_off(dispatcher, tracker)
        if answer == "deny":
            return decline_handoff(dispatcher)
    reply = respond(
        text=message.get("text") or "",
        intent=intent.get("name"),
        intent_ranking=message.get("intent_ranking") or [],
        faq_ranking=message.get("faq_ranking"),
        previous_faq_id=tracker.get_slot(names.SLOT_FAQ_ID),
        previous_outcome=tracker.get_slot(names.SLOT_FAQ_OUTCOME),
    )
    outcome = reply.slots.get(names.SLOT_FAQ_OUTCOME, names.OUTCOME_ANSWER)
    try:
        counters.bot_outcome(tracker.sender_id, outcome)
        analytics.record_outcome(tracker.sender_id, outcome, reply.slots.get(names.SLOT_FAQ_ID),
                                 reply.slots.get(names.SLOT_FAQ_CATEGORY))
    except Exception:  # counters must never cost the citizen an answer
        logger.exception("could not record the bot outcome")
    try:
        review.collect_turn(tracker.sender_id, tracker.events, message.get("text") or "", outcome,
                            message.get("faq_ranking"))
    except Exception:  # nor must the review queue
        logger.exception("could not record the turn for the review queue")
    answered = reply.slots.get(names.SLOT_FAQ_ID) if outcome == names.OUTCOME_ANSWER else None
    for item in reply.messages:  # an answer names its entry: the page offers 👍/👎 on it
        dispatcher.utter_message(text=item["text"], buttons=item["buttons"] or None,
                                 json_message={names.REPLY_FAQ: {"faq_id": answered}} if answered else None)
    return [SlotSet(name, value) for name, value in reply.slots.items()]


class ActionAnswerFaq(Action):
    def name(self) -> Text:
        return "action_answer_faq"

    def run(self, dispatcher: CollectingDispatcher, tracker: Tracker,
            domain: Dict[Text, Any]) -> List[Dict[Text, Any]]:
        return answer_faq(dispatcher, tracker)
