"""Rasa component: rank FAQ entries for a message and put them into the parse data.

Like Rasa's ResponseSelector it adds its result under its own key
(``faq_ranking``: a list of ``{faq_id, score, classifier, dense, lexical, jamo}``).
It runs after the intent classifier and reuses what the pipeline already computed:
the sentence embedding (features whose origin is ``featurizer``), the lemmas of
the tokens and the (corrected) text. The index — embeddings of every FAQ phrasing,
a BM25 bag of lemmas and one of jamo n-grams per FAQ — is built at training time
and persisted in the model storage.
"""
from __future__ import annotations

import json
import logging
from typing import Any, Dict, List, Optional, Text

import numpy as np
from rasa.engine.graph import ExecutionContext, GraphComponent
from rasa.engine.recipes.default_recipe import DefaultV1Recipe
from rasa.engine.storage.resource import Resource
from rasa.engine.storage.storage import ModelStorage
from rasa.nlu.constants import TOKENS_NAMES
from rasa.shared.nlu.constants import (FEATURE_TYPE_SENTENCE, INTENT, INTENT_RANKING_KEY, TEXT)
from rasa.shared.nlu.training_data.message import Message
from rasa.shared.nlu.training_data.training_data import TrainingData

from bot.faq.base import INTENT_PREFIX
from bot.faq.policy import load_policy
from bot.faq.retriever import FaqIndex, rank

logger = logging.getLogger(__name__)

RANKING_KEY = "faq_ranking"
_CONTENT_TAGS = ("NN", "NP", "NR", "VV", "VA", "XR", "SL", "SH", "SN", "MAG", "W_")
_INDEX_JSON, _INDEX_ARRAYS = "index.json", "index.npz"


def content_lemmas(message: Message) -> List[str]:
    """Lemmas of the content tokens (nouns, predicates, roots, foreign words, numbers)."""
    lemmas = []
    for token in message.get(TOKENS_NAMES[TEXT]) or []:
        tag = str((token.data or {}).get("pos", ""))
        if not tag or tag.startswith(_CONTENT_TAGS):
            lemmas.append(token.lemma or token.text)
    return lemmas


@DefaultV1Recipe.register(DefaultV1Recipe.ComponentType.INTENT_CLASSIFIER, is_trainable=True)
class FaqRetriever(GraphComponent):
    """Hybrid FAQ ranking: classifier + sentence-embedding similarity + BM25."""

    @staticmethod
    def get_default_config() -> Dict[Text, Any]:
        return {
            "featurizer": "sentence_embeddings",  # alias of the SentenceEmbeddingFeaturizer
            "top_k": 10,
        }

    @staticmethod
    def required_packages() -> List[Text]:
        return ["numpy"]

    def __init__(self, config: Dict[Text, Any], model_storage: ModelStorage, resource: Resource,
                 index: Optional[FaqIndex] = None) -> None:
        self._config = config
        self._storage = model_storage
        self._resource = resource
        self.index = index
        self.ranker = load_policy().ranker

    @classmethod
    def create(cls, config: Dict[Text, Any], model_storage: ModelStorage, resource: Resource,
               execution_context: ExecutionContext) -> "FaqRetriever":
        return cls(config, model_storage, resource)

    def _sentence_vector(self, message: Message) -> Optional[np.ndarray]:
        for feature in message.features:
            if (feature.attribute == TEXT and feature.type == FEATURE_TYPE_SENTENCE
                    and feature.origin == self._config["featurizer"]):
                return np.asarray(feature.features, dtype=np.float32).reshape(-1)
        return None

    def train(self, training_data: TrainingData) -> Resource:
        phrasings = []
        for example in training_data.intent_examples:
            intent = example.get(INTENT) or ""
            if not intent.startswith(INTENT_PREFIX):
                continue
            vector = self._sentence_vector(example)
            if vector is None:
                raise ValueError(f"FaqRetriever: no sentence features from "
                                 f"{self._config['featurizer']!r}; check the pipeline aliases")
            phrasings.append((intent[len(INTENT_PREFIX):], vector, content_lemmas(example), example.get(TEXT) or ""))
        self.index = FaqIndex.build(phrasings)
        with self._storage.write_to(self._resource) as directory:
            (directory / _INDEX_JSON).write_text(json.dumps(self.index.to_json(), ensure_ascii=False))
            np.savez(directory / _INDEX_ARRAYS, **self.index.to_arrays())
        return self._resource

    @classmethod
    def load(cls, config: Dict[Text, Any], model_storage: ModelStorage, resource: Resource,
             execution_context: ExecutionContext, **kwargs: Any) -> "FaqRetriever":
        try:
            with model_storage.read_from(resource) as directory:
                meta = json.loads((directory / _INDEX_JSON).read_text())
                with np.load(directory / _INDEX_ARRAYS) as arrays:
                    index = FaqIndex.from_parts(meta, {k: arrays[k] for k in arrays.files})
        except (ValueError, FileNotFoundError):
            logger.warning("FaqRetriever: no persisted index; FAQ ranking will be empty")
            index = None
        return cls(config, model_storage, resource, index)

    def process(self, messages: List[Message]) -> List[Message]:
        for message in messages:
            ranking: List[Dict[str, Any]] = []
            if self.index is not None and message.get(TEXT):
                classifier = {
                    item["name"][len(INTENT_PREFIX):]: float(item["confidence"])
                    for item in message.get(INTENT_RANKING_KEY) or []
                    if str(item.get("name", "")).startswith(INTENT_PREFIX)
                }
                candidates = rank(self.index, self.ranker, self._sentence_vector(message),
                                  content_lemmas(message), classifier, int(self._config["top_k"]),
                                  query_text=message.get(TEXT))
                ranking = [c.as_dict() for c in candidates]
            message.set(RANKING_KEY, ranking, add_to_output=True)
        return messages

    def process_training_data(self, training_data: TrainingData) -> TrainingData:
        return training_data
