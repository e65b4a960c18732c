"""Rasa component: read a citizen's typos as the words the bot knows, before anything else.

First in the pipeline. A message typed without any space is first re-spaced by Kiwi
(bot/korean/spacing.py; the parse data shows it under ``spacing``). At training time it
learns the domain words (nouns and roots of the FAQ phrasings) and every character run of
the training phrasings; at parse time it replaces an unseen run one jamo away from a
domain word when Kiwi's language model clearly prefers the corrected sentence
(bot/korean/spelling.py; each correction listed under ``spelling``). The rest of the
pipeline reads the re-spaced, corrected text; the citizen's own words stay in the
tracker event.
"""
from __future__ import annotations

import json
from typing import Any, Dict, List, Optional, Text

from rasa.engine.graph import ExecutionContext, GraphComponent
from rasa.engine.recipes.default_recipe import DefaultV1Recipe
from rasa.engine.storage.resource import Resource
from rasa.engine.storage.storage import ModelStorage
from rasa.shared.nlu.constants import INTENT, TEXT
from rasa.shared.nlu.training_data.message import Message
from rasa.shared.nlu.training_data.training_data import TrainingData

from bot.korean.kiwi import KiwiAnalyzer, default_analyzer
from bot.korean.spacing import respace
from bot.korean.spelling import SpellingCorrector, apply

CORRECTIONS_KEY = "spelling"
SPACING_KEY = "spacing"
_FILE = "spelling.json"
_WORD_TAGS = ("NNG", "NNP", "XR")


@DefaultV1Recipe.register(DefaultV1Recipe.ComponentType.MESSAGE_TOKENIZER, is_trainable=True)
class SpellingNormalizer(GraphComponent):
    """Corrects typos of domain words in the message text (see module docstring)."""

    @staticmethod
    def get_default_config() -> Dict[Text, Any]:
        return {
            "intent_prefix": "faq_",  # domain words come from these intents' phrasings
            "min_gain": 7.0,  # Kiwi log-likelihood a correction must add
            "max_length": 5,  # longest run (syllables) compared with a domain word
            "min_count": 2,  # phrasings a run must occur in to be known text (not a typo of a noisy copy)
            "respace_min_syllables": 8,  # re-space a message with no space and this many syllables (0: never)
        }

    @staticmethod
    def required_packages() -> List[Text]:
        return ["kiwipiepy"]

    @classmethod
    def validate_config(cls, config: Dict[Text, Any]) -> None:
        if float(config["min_gain"]) <= 0 or int(config["max_length"]) < 2 or int(config["min_count"]) < 1 \
                or int(config["respace_min_syllables"]) < 0:
            raise ValueError("SpellingNormalizer: min_gain must be > 0, max_length >= 2, min_count >= 1, "
                             "respace_min_syllables >= 0")

    def __init__(self, config: Dict[Text, Any], model_storage: ModelStorage, resource: Resource,
                 corrector: Optional[SpellingCorrector] = None, analyzer: Optional[KiwiAnalyzer] = None) -> None:
        self.validate_config(config)
        self._config = config
        self._storage = model_storage
        self._resource = resource
        self.corrector = corrector
        self.analyzer = analyzer

    @classmethod
    def create(cls, config: Dict[Text, Any], model_storage: ModelStorage, resource: Resource,
               execution_context: ExecutionContext) -> "SpellingNormalizer":
        return cls(config, model_storage, resource)

    def train(self, training_data: TrainingData) -> Resource:
        analyzer = default_analyzer()
        texts = [m.get(TEXT) for m in training_data.training_examples if m.get(TEXT)]
        domain = [m.get(TEXT) for m in training_data.intent_examples
                  if str(m.get(INTENT) or "").startswith(self._config["intent_prefix"])]
        words = [m.form for text in domain for m in analyzer.morphemes(text) if m.tag.startswith(_WORD_TAGS)]
        self.corrector = SpellingCorrector.build(texts, words, analyzer.score, float(self._config["min_gain"]),
                                                 max_length=int(self._config["max_length"]),
                                                 min_count=int(self._config["min_count"]))
        with self._storage.write_to(self._resource) as directory:
            (directory / _FILE).write_text(json.dumps(self.corrector.to_json(), ensure_ascii=False))
        return self._resource

    @classmethod
    def load(cls, config: Dict[Text, Any], model_storage: ModelStorage, resource: Resource,
             execution_context: ExecutionContext, **kwargs: Any) -> "SpellingNormalizer":
        with model_storage.read_from(resource) as directory:
            data = json.loads((directory / _FILE).read_text())
        analyzer = default_analyzer()
        analyzer.score("워밍업")  # load Kiwi now, not on the first citizen's message
        return cls(config, model_storage, resource, SpellingCorrector.from_json(data, analyzer.score), analyzer)

    def process(self, messages: List[Message]) -> List[Message]:
        for message in messages:
            text = message.get(TEXT)
            if self.corrector is None or not text or text.startswith("/"):  # "/intent{…}" payloads
                continue
            if self.analyzer is not None:
                spaced = respace(text, self.analyzer.space, int(self._config["respace_min_syllables"]))
                if spaced != text:
                    text = spaced
                    message.set(TEXT, text)
                    message.set(SPACING_KEY, text, add_to_output=True)
            fixes = self.corrector.corrections(text)
            if fixes:
                message.set(TEXT, apply(text, fixes))
                message.set(CORRECTIONS_KEY, [{"start": f.start, "end": f.end, "typed": f.typed,
                                               "read_as": f.read_as} for f in fixes], add_to_output=True)
        return messages

    def process_training_data(self, training_data: TrainingData) -> TrainingData:
        return training_data  # the training phrasings are the known text
