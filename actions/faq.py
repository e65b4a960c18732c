"""action_answer_faq: answer from the FAQ base, clarify, offer a human, or decline."""
from typing import Any, Dict, List, Text

from rasa_sdk import Action, Tracker
from rasa_sdk.events import SlotSet
from rasa_sdk.executor import CollectingDispatcher

from bot.faq.answering import respond


class ActionAnswerFaq(Action):
    def name(self) -> Text:
        return "action_answer_faq"

    def run(self, dispatcher: CollectingDispatcher, tracker: Tracker,
            domain: Dict[Text, Any]) -> List[Dict[Text, Any]]:
        message = tracker.latest_message or {}
        intent = message.get("intent") or {}
        reply = respond(
            text=message.get("text") or "",
            intent=intent.get("name"),
            intent_confidence=float(intent.get("confidence") or 0.0),
            intent_ranking=message.get("intent_ranking") or [],
            faq_ranking=message.get("faq_ranking"),
            previous_faq_id=tracker.get_slot("faq_id"),
        )
        for item in reply.messages:
            dispatcher.utter_message(text=item["text"], buttons=item["buttons"] or None)
        return [SlotSet(name, value) for name, value in reply.slots.items()]
