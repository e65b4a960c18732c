"""Real Rasa components around the custom ones: SpacyNLP + SpacyTokenizer on the project pipeline."""
import pytest
from rasa.engine.graph import ExecutionContext, GraphSchema
from rasa.engine.storage.local_model_storage import LocalModelStorage
from rasa.nlu.tokenizers.spacy_tokenizer import SpacyTokenizer
from rasa.nlu.utils.spacy_utils import SpacyNLP
from rasa.shared.nlu.constants import INTENT, TEXT
from rasa.shared.nlu.training_data.message import Message
from rasa.shared.nlu.training_data.training_data import TrainingData

from bot.korean.spacy_pipeline import DEFAULT_OUTPUT
from bot.nlu.sentence_featurizer import SentenceEmbeddingFeaturizer

ALIAS = "sentence_embeddings"
EXAMPLES = [
    ("여권 발급 수수료가 얼마예요?", "faq_passport_fee"),
    ("여권 만드는 데 돈 얼마 들어요", "faq_passport_fee"),
    ("여권 재발급 어디서 신청해요?", "faq_passport_new"),
    ("여권 신청할 때 준비물 알려주세요", "faq_passport_new"),
    ("계량기가 얼어서 터졌어요", "faq_water_meter_frozen"),
    ("수도 계량기 동파 신고", "faq_water_meter_frozen"),
    ("안녕하세요", "greet"),
]


@pytest.fixture(scope="session")
def spacy_nlp():
    return SpacyNLP.create({**SpacyNLP.get_default_config(), "model": str(DEFAULT_OUTPUT)}, None, None, None)


@pytest.fixture
def storage(tmp_path):
    return LocalModelStorage(tmp_path)


@pytest.fixture
def context():
    return ExecutionContext(GraphSchema({}), node_name=ALIAS)


@pytest.fixture
def prepare(spacy_nlp):
    """Run the real SpacyNLP, SpacyTokenizer and e5 featurizer over texts (training or inference)."""
    tokenizer = SpacyTokenizer(SpacyTokenizer.get_default_config())
    featurizer = SentenceEmbeddingFeaturizer({**SentenceEmbeddingFeaturizer.get_default_config(), "alias": ALIAS},
                                             ALIAS)
    model = spacy_nlp.provide()

    def run(pairs, training: bool):
        messages = [Message(data={TEXT: text, **({INTENT: intent} if training and intent else {})})
                    for text, intent in pairs]
        if training:
            data = TrainingData(messages)
            spacy_nlp.process_training_data(data, model)
            tokenizer.process_training_data(data)
            featurizer.process_training_data(data)
            return data
        spacy_nlp.process(messages, model)
        tokenizer.process(messages)
        featurizer.process(messages)
        return messages

    return run
