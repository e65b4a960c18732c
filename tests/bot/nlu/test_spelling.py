"""Contract of SpellingNormalizer (Rasa 3 GraphComponent): train, persist, load, process."""
import pytest
from rasa.engine.graph import GraphComponent
from rasa.engine.storage.resource import Resource
from rasa.shared.nlu.constants import INTENT, TEXT
from rasa.shared.nlu.training_data.message import Message
from rasa.shared.nlu.training_data.training_data import TrainingData

from bot.nlu.spelling import CORRECTIONS_KEY, SPACING_KEY, SpellingNormalizer
from tests.bot.nlu.conftest import EXAMPLES

EXTRA = [("보건소 위치가 어디예요", "faq_health_center_info"), ("마음이 무거워요", "chitchat")]


def config(**extra):
    return {**SpellingNormalizer.get_default_config(), **extra}


@pytest.fixture
def trained(storage, context):
    resource = Resource("spelling")
    component = SpellingNormalizer.create(config(), storage, resource, context)
    data = TrainingData([Message(data={TEXT: t, INTENT: i}) for t, i in EXAMPLES + EXTRA])
    assert component.train(data) == resource
    assert component.process_training_data(data) is data
    return resource


def test_is_a_graph_component():
    assert issubclass(SpellingNormalizer, GraphComponent)
    assert SpellingNormalizer.get_default_config()["min_gain"] > 0
    assert SpellingNormalizer.required_packages() == ["kiwipiepy"]
    with pytest.raises(ValueError):
        SpellingNormalizer.validate_config(config(min_gain=0))
    with pytest.raises(ValueError):
        SpellingNormalizer.validate_config(config(respace_min_syllables=-1))


def test_loaded_component_corrects_the_text_and_lists_the_corrections(trained, storage, context):
    loaded = SpellingNormalizer.load(config(), storage, trained, context)
    typo, clean, payload = (Message(data={TEXT: t}) for t in ("보거소 위치 알려주세요", "보건소 위치", "/greet"))
    loaded.process([typo, clean, payload])
    assert typo.get(TEXT) == "보건소 위치 알려주세요"
    assert typo.as_dict(only_output_properties=True)[CORRECTIONS_KEY] == [
        {"start": 0, "end": 3, "typed": "보거소", "read_as": "보건소"}]
    assert clean.get(TEXT) == "보건소 위치" and clean.get(CORRECTIONS_KEY) is None
    assert payload.get(TEXT) == "/greet"


def test_domain_words_come_only_from_faq_intents(trained, storage, context):
    loaded = SpellingNormalizer.load(config(), storage, trained, context)
    assert "보건소" in loaded.corrector.words and "마음" not in loaded.corrector.words


def test_a_glued_message_is_spaced_before_it_is_corrected(trained, storage, context):
    loaded = SpellingNormalizer.load(config(), storage, trained, context)
    glued, short, spaced = (Message(data={TEXT: t}) for t in ("보거소는어디에있나요", "보건소위치", "보건소 위치가어디예요알려줘"))
    loaded.process([glued, short, spaced])
    assert glued.get(TEXT) == "보건소는 어디에 있나요"
    assert glued.as_dict(only_output_properties=True)[SPACING_KEY] == "보거소는 어디에 있나요"
    assert short.get(TEXT) == "보건소위치" and short.get(SPACING_KEY) is None  # too short to re-space
    assert spaced.get(TEXT) == "보건소 위치가어디예요알려줘"  # a citizen's own spacing is kept
    off = SpellingNormalizer.load(config(respace_min_syllables=0), storage, trained, context)
    untouched = Message(data={TEXT: "보건소위치가어디예요알려줘"})
    off.process([untouched])
    assert untouched.get(TEXT) == "보건소위치가어디예요알려줘"
