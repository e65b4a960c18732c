"""Dense sentence features from a sentence-transformers model (default: the built e5)."""
from __future__ import annotations

from typing import Any, Dict, List, Optional, Text

import numpy as np
from rasa.engine.graph import ExecutionContext, GraphComponent
from rasa.engine.recipes.default_recipe import DefaultV1Recipe
from rasa.engine.storage.resource import Resource
from rasa.engine.storage.storage import ModelStorage
from rasa.nlu.featurizers.dense_featurizer.dense_featurizer import DenseFeaturizer
from rasa.shared.nlu.constants import TEXT
from rasa.shared.nlu.training_data.message import Message
from rasa.shared.nlu.training_data.training_data import TrainingData

from bot import settings
from bot.embeddings import cache as embedding_cache
from bot.embeddings import model as embeddings


@DefaultV1Recipe.register(DefaultV1Recipe.ComponentType.MESSAGE_FEATURIZER, is_trainable=False)
class SentenceEmbeddingFeaturizer(DenseFeaturizer, GraphComponent):
    """Adds one L2-normalized sentence embedding per message text (no sequence features).

    The embedding is computed once per message here; the FAQ retriever reads it back
    from the message's features instead of encoding again. ``backend`` (``onnx`` or
    ``torch``; None → ``EMBEDDING_BACKEND``) is part of the config, so a switch retrains. The
    encoder is loaded and run once when the component is created: the first message after
    start-up is as fast as any other.
    """

    @staticmethod
    def get_default_config() -> Dict[Text, Any]:
        return {
            **DenseFeaturizer.get_default_config(),
            "model": None,  # None → EMBEDDING_MODEL
            "backend": None,  # None → EMBEDDING_BACKEND
            "batch_size": 64,
        }

    @staticmethod
    def required_packages() -> List[Text]:
        return ["onnxruntime", "tokenizers"]  # torch and sentence_transformers with backend: torch

    @classmethod
    def validate_config(cls, config: Dict[Text, Any]) -> None:
        if int(config.get("batch_size", 1)) < 1:
            raise ValueError("SentenceEmbeddingFeaturizer: batch_size must be >= 1")
        if config.get("backend") not in (None, *settings.EMBEDDING_BACKENDS):
            raise ValueError(f"SentenceEmbeddingFeaturizer: backend must be one of {settings.EMBEDDING_BACKENDS}")

    @classmethod
    def create(cls, config: Dict[Text, Any], model_storage: ModelStorage, resource: Resource,
               execution_context: ExecutionContext) -> "SentenceEmbeddingFeaturizer":
        featurizer = cls(config, execution_context.node_name)
        embeddings.warm_up(featurizer.model_name, featurizer.backend)
        return featurizer

    def __init__(self, config: Dict[Text, Any], name: Text) -> None:
        super().__init__(name, config)
        self.model_name: Optional[str] = config.get("model")
        self.backend: str = config.get("backend") or settings.EMBEDDING_BACKEND

    @property
    def identifier(self) -> Text:
        """The ``origin`` of the features this component adds."""
        return self._identifier

    def _encode(self, texts: List[Text]) -> np.ndarray:
        return embeddings.encode_queries(texts, self.model_name, batch_size=int(self._config["batch_size"]),
                                         backend=self.backend)

    def _featurize(self, messages: List[Message], cache: Optional[embedding_cache.EmbeddingCache] = None) -> None:
        todo = [m for m in messages if m.get(TEXT) is not None]
        texts = [m.get(TEXT) for m in todo]
        vectors = cache.encode(texts, self._encode) if cache is not None and texts else self._encode(texts)
        for message, vector in zip(todo, vectors):
            self.add_features_to_message(None, vector[np.newaxis, :], TEXT, message)

    def process_training_data(self, training_data: TrainingData) -> TrainingData:
        """All examples in one call (sorted by length inside: less padding), through the
        on-disk cache of ``EMBEDDING_TRAIN_CACHE`` so a retraining encodes only new examples."""
        cache = embedding_cache.for_model(settings.EMBEDDING_TRAIN_CACHE or None,
                                          self.model_name or settings.EMBEDDING_MODEL, settings.EMBEDDING_QUERY_PROMPT,
                                          self.backend)
        self._featurize(training_data.training_examples, cache)
        return training_data

    def process(self, messages: List[Message]) -> List[Message]:
        self._featurize(messages)
        return messages
