"""Rasa component: an explicit request for a person is ``request_human``, whatever the model says.

"몇 번을 말해요 사람이랑 얘기하겠다고요" reads like a complaint to the classifier
(``bot_challenge``), and a rule would answer it with a canned line. The regular
expressions of bot/conversation/handoff_request.py recognise such requests reliably;
this component, last in the pipeline, makes them ``request_human`` so the handoff rule
runs. It never takes ``request_human`` away: the handoff action guards that direction.
"""
from __future__ import annotations

from typing import Any, Dict, List, Text

from rasa.engine.graph import ExecutionContext, GraphComponent
from rasa.engine.recipes.default_recipe import DefaultV1Recipe
from rasa.engine.storage.resource import Resource
from rasa.engine.storage.storage import ModelStorage
from rasa.shared.nlu.constants import (INTENT, INTENT_NAME_KEY, INTENT_RANKING_KEY, PREDICTED_CONFIDENCE_KEY,
                                       TEXT)
from rasa.shared.nlu.training_data.message import Message

from bot.conversation.handoff_request import is_explicit_agent_request
from bot.conversation.names import PAYLOAD_PREFIX

REQUEST_HUMAN = "request_human"


@DefaultV1Recipe.register(DefaultV1Recipe.ComponentType.INTENT_CLASSIFIER, is_trainable=False)
class ExplicitHandoffClassifier(GraphComponent):
    """Sets the intent to ``request_human`` (confidence 1) for explicit requests for a person."""

    @staticmethod
    def get_default_config() -> Dict[Text, Any]:
        return {"intent": REQUEST_HUMAN}

    @staticmethod
    def required_packages() -> List[Text]:
        return []

    def __init__(self, config: Dict[Text, Any]) -> None:
        self._intent = str(config["intent"])

    @classmethod
    def create(cls, config: Dict[Text, Any], model_storage: ModelStorage, resource: Resource,
               execution_context: ExecutionContext) -> "ExplicitHandoffClassifier":
        return cls(config)

    def process(self, messages: List[Message]) -> List[Message]:
        for message in messages:
            text = message.get(TEXT) or ""
            current = (message.get(INTENT) or {}).get(INTENT_NAME_KEY)
            if current == self._intent or text.startswith(PAYLOAD_PREFIX) or not is_explicit_agent_request(text):
                continue
            top = {INTENT_NAME_KEY: self._intent, PREDICTED_CONFIDENCE_KEY: 1.0}
            ranking = [r for r in message.get(INTENT_RANKING_KEY) or [] if r.get(INTENT_NAME_KEY) != self._intent]
            message.set(INTENT, top, add_to_output=True)
            message.set(INTENT_RANKING_KEY, [top] + ranking, add_to_output=True)
        return messages
