"""action_handoff_to_agent / action_decline_handoff: the first version of the human handoff."""
from typing import Any, Dict, List, Text

from rasa_sdk import Action, Tracker
from rasa_sdk.events import ConversationPaused, SlotSet
from rasa_sdk.executor import CollectingDispatcher

from bot.handoff.service import handoff_reply, transcript_from_events


class ActionHandoffToAgent(Action):
    def name(self) -> Text:
        return "action_handoff_to_agent"

    def run(self, dispatcher: CollectingDispatcher, tracker: Tracker,
            domain: Dict[Text, Any]) -> List[Dict[Text, Any]]:
        result = handoff_reply(
            conversation_id=tracker.sender_id,
            transcript=transcript_from_events(tracker.events),
            category=tracker.get_slot("faq_category"),
        )
        dispatcher.utter_message(text=result.text)
        events: List[Dict[Text, Any]] = [SlotSet("handoff_ticket", str(result.ticket.id)),
                                         SlotSet("handoff_offered", False)]
        if result.pause_bot:
            events.append(ConversationPaused())
        return events


class ActionDeclineHandoff(Action):
    def name(self) -> Text:
        return "action_decline_handoff"

    def run(self, dispatcher: CollectingDispatcher, tracker: Tracker,
            domain: Dict[Text, Any]) -> List[Dict[Text, Any]]:
        dispatcher.utter_message(response="utter_handoff_declined")
        return [SlotSet("handoff_offered", False)]
