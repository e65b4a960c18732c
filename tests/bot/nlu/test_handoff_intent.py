"""Contract of ExplicitHandoffClassifier (Rasa 3 GraphComponent)."""
import pytest
from rasa.engine.graph import GraphComponent
from rasa.shared.nlu.constants import INTENT, INTENT_RANKING_KEY, TEXT
from rasa.shared.nlu.training_data.message import Message

from bot.nlu.handoff_intent import ExplicitHandoffClassifier


def classified(text, intent="bot_challenge"):
    message = Message(data={TEXT: text, INTENT: {"name": intent, "confidence": 0.8},
                            INTENT_RANKING_KEY: [{"name": intent, "confidence": 0.8},
                                                 {"name": "request_human", "confidence": 0.1}]})
    component = ExplicitHandoffClassifier.create(ExplicitHandoffClassifier.get_default_config(), None, None, None)
    component.process([message])
    return message


def test_is_a_graph_component():
    assert issubclass(ExplicitHandoffClassifier, GraphComponent)
    assert ExplicitHandoffClassifier.get_default_config() == {"intent": "request_human"}
    assert ExplicitHandoffClassifier.required_packages() == []


@pytest.mark.parametrize("text", ["몇 번을 말해요 사람이랑 얘기하겠다고요", "상담원 연결해 주세요", "챗봇 말고 사람이요"])
def test_an_explicit_request_becomes_request_human(text):
    message = classified(text)
    assert message.get(INTENT) == {"name": "request_human", "confidence": 1.0}
    ranking = message.get(INTENT_RANKING_KEY)
    assert [r["name"] for r in ranking] == ["request_human", "bot_challenge"]
    assert "intent" in message.as_dict(only_output_properties=True)


@pytest.mark.parametrize("text", ["다른 사람이 대신 찾아가도 되나요?", "상담원 연결 시간이 몇 시예요?", "너 사람이야?",
                                  '/faq_passport_fee', ""])
def test_other_messages_keep_their_intent(text):
    message = classified(text)
    assert message.get(INTENT)["name"] == "bot_challenge"
    assert len(message.get(INTENT_RANKING_KEY)) == 2
