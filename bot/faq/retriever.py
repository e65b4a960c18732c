"""The hybrid FAQ retriever: classifier ranking + sentence-embedding similarity + BM25.

Each FAQ is represented by the embeddings of its question and examples (dense),
one bag of lemmas (lexical) and one bag of jamo n-grams of its phrasings (jamo:
survives typos and missing spaces, bot/korean/jamo.py). A query's score for an FAQ is

    weights.classifier * P(intent faq_<id>)              (DIET's ranking)
  + weights.dense      * calibrate(max cosine to the FAQ's phrasings)
  + weights.lexical    * BM25 / BM25 of a perfect match  (0–1)
  + weights.jamo       * the same over jamo n-grams      (0–1)

with the weights and the cosine calibration in :class:`RankerConfig` (fitted by
``scripts/calibrate.py`` and stored in ``data/answer_policy.yml``).
"""
from __future__ import annotations

import math
from collections import Counter
from dataclasses import asdict, dataclass
from typing import Dict, List, Mapping, Optional, Sequence

import numpy as np

from bot.korean.jamo import jamo_ngrams


@dataclass(frozen=True)
class Candidate:
    faq_id: str
    score: float
    classifier: float
    dense: float
    lexical: float
    jamo: float = 0.0

    def as_dict(self) -> Dict[str, float]:
        return {k: (round(v, 4) if isinstance(v, float) else v) for k, v in asdict(self).items()}


@dataclass(frozen=True)
class RankerConfig:
    classifier_weight: float = 0.5
    dense_weight: float = 0.35
    lexical_weight: float = 0.15
    jamo_weight: float = 0.0
    cosine_floor: float = 0.80  # cosine that counts as "no similarity"
    cosine_ceiling: float = 0.95  # cosine that counts as "same question"


class Bm25:
    """Okapi BM25 over one bag of terms per document."""

    def __init__(self, documents: Sequence[Sequence[str]], k1: float = 1.2, b: float = 0.75) -> None:
        self.k1, self.b = k1, b
        self.term_freqs = [Counter(doc) for doc in documents]
        self.lengths = np.array([max(len(doc), 1) for doc in documents], dtype=np.float32)
        self.avg_length = float(self.lengths.mean()) if len(documents) else 1.0
        n = len(documents)
        df = Counter(term for doc in self.term_freqs for term in doc)
        self.idf = {t: math.log(1 + (n - f + 0.5) / (f + 0.5)) for t, f in df.items()}
        self._norm = self.k1 * (1 - self.b + self.b * self.lengths / self.avg_length)
        self._postings: Dict[str, np.ndarray] = {}  # term → its BM25 weight per document, on first use

    def _weights(self, term: str) -> np.ndarray:
        weights = self._postings.get(term)
        if weights is None:
            tf = np.array([freqs.get(term, 0) for freqs in self.term_freqs], dtype=np.float32)
            weights = self.idf[term] * tf * (self.k1 + 1) / (tf + self._norm)
            self._postings[term] = weights
        return weights

    def scores(self, query: Sequence[str]) -> np.ndarray:
        out = np.zeros(len(self.term_freqs), dtype=np.float32)
        for term in set(query):
            if term in self.idf:
                out += self._weights(term)
        return out

    def perfect_score(self, query: Sequence[str]) -> float:
        """The score of a document of average length holding each known query term once."""
        return sum(self.idf[t] for t in set(query) if t in self.idf)

    def normalized(self, query: Sequence[str]) -> np.ndarray:
        perfect = self.perfect_score(query)
        if perfect <= 0:
            return np.zeros(len(self.term_freqs), dtype=np.float32)
        return np.clip(self.scores(query) / perfect, 0.0, 1.0)


class FaqIndex:
    """Dense vectors of every FAQ phrasing plus a BM25 index with one document per FAQ."""

    def __init__(self, faq_ids: Sequence[str], vectors: np.ndarray, owners: np.ndarray,
                 documents: Sequence[Sequence[str]], jamo_documents: Optional[Sequence[Sequence[str]]] = None) -> None:
        if len(vectors) != len(owners):
            raise ValueError("one owner per vector")
        self.faq_ids = list(faq_ids)
        self.vectors = np.asarray(vectors, dtype=np.float32)
        self.owners = np.asarray(owners, dtype=np.int32)
        self.documents = [list(d) for d in documents]
        self.bm25 = Bm25(self.documents)
        # models trained before the jamo bags have none: their jamo score is 0
        self.jamo_documents = [list(d) for d in jamo_documents] if jamo_documents else None
        self.jamo_bm25 = Bm25(self.jamo_documents) if self.jamo_documents else None

    @classmethod
    def build(cls, phrasings: Sequence[tuple]) -> "FaqIndex":
        """From ``(faq_id, vector, lemmas, text)`` tuples, one per phrasing."""
        faq_ids = list(dict.fromkeys(p[0] for p in phrasings))
        position = {f: i for i, f in enumerate(faq_ids)}
        documents: List[List[str]] = [[] for _ in faq_ids]
        jamo_documents: List[List[str]] = [[] for _ in faq_ids]
        for faq_id, _, lemmas, text in phrasings:
            documents[position[faq_id]].extend(lemmas)
            jamo_documents[position[faq_id]].extend(jamo_ngrams(text))
        vectors = np.stack([p[1] for p in phrasings]) if phrasings else np.zeros((0, 1), np.float32)
        owners = np.array([position[p[0]] for p in phrasings], dtype=np.int32)
        return cls(faq_ids, vectors, owners, documents, jamo_documents)

    def jamo_scores(self, text: str) -> np.ndarray:
        """Per FAQ, BM25 of the text's jamo n-grams over its phrasings' (0–1)."""
        if self.jamo_bm25 is None or not text:
            return np.zeros(len(self.faq_ids), dtype=np.float32)
        return self.jamo_bm25.normalized(jamo_ngrams(text))

    def max_cosines(self, query_vector: Optional[np.ndarray]) -> np.ndarray:
        """Per FAQ, the best cosine between the query and its phrasings (0 without a vector)."""
        best = np.zeros(len(self.faq_ids), dtype=np.float32)
        if query_vector is None or not len(self.vectors):
            return best
        q = np.asarray(query_vector, dtype=np.float32).reshape(-1)
        q = q / (np.linalg.norm(q) or 1.0)
        cosines = self.vectors @ q
        best[:] = -1.0
        np.maximum.at(best, self.owners, cosines)
        return best

    def to_arrays(self) -> Dict[str, np.ndarray]:
        return {"vectors": self.vectors, "owners": self.owners}

    def to_json(self) -> dict:
        return {"faq_ids": self.faq_ids, "documents": self.documents, "jamo_documents": self.jamo_documents}

    @classmethod
    def from_parts(cls, meta: dict, arrays: Mapping[str, np.ndarray]) -> "FaqIndex":
        return cls(meta["faq_ids"], arrays["vectors"], arrays["owners"], meta["documents"],
                   meta.get("jamo_documents"))


def combine(config: RankerConfig, classifier: np.ndarray, cosine: np.ndarray, lexical: np.ndarray,
            jamo: Optional[np.ndarray] = None) -> np.ndarray:
    """The combined score of each FAQ from its components (see module docstring)."""
    span = max(config.cosine_ceiling - config.cosine_floor, 1e-6)
    dense = np.clip((cosine - config.cosine_floor) / span, 0.0, 1.0)
    total = config.classifier_weight * classifier + config.dense_weight * dense + config.lexical_weight * lexical
    return total if jamo is None else total + config.jamo_weight * jamo


def rank(index: FaqIndex, config: RankerConfig, query_vector: Optional[np.ndarray],
         query_lemmas: Sequence[str], classifier: Mapping[str, float], top_k: int = 10,
         query_text: str = "") -> List[Candidate]:
    """The FAQs ordered by combined score (see module docstring)."""
    cosines = index.max_cosines(query_vector)
    lexical = index.bm25.normalized(query_lemmas)
    jamo = index.jamo_scores(query_text)
    cls_scores = np.array([float(classifier.get(f, 0.0)) for f in index.faq_ids], dtype=np.float32)
    total = combine(config, cls_scores, cosines, lexical, jamo)
    order = np.argsort(-total, kind="stable")[:top_k]
    return [Candidate(index.faq_ids[i], float(total[i]), float(cls_scores[i]), float(cosines[i]),
                      float(lexical[i]), float(jamo[i])) for i in order]
