"""Group open review items: the same question once (``matching_key``), then average-linkage
clusters of their e5 sentence embeddings, largest first.

The embedding model loads on first use (``bot.embeddings.model``); each distinct text is
encoded once per process and kept in a bounded cache.
"""
from __future__ import annotations

import threading
from collections import Counter, OrderedDict
from dataclasses import dataclass, field
from datetime import datetime
from typing import Callable, Dict, List, Optional, Sequence

import numpy as np

from bot import settings
from bot.korean.normalize import matching_key
from bot.studio.review import Item

MAX_SAMPLES = 5
CACHE_SIZE = 20_000
_cache: "OrderedDict[str, np.ndarray]" = OrderedDict()
_cache_lock = threading.Lock()


@dataclass
class Cluster:
    items: List[Item]  # every item, duplicates included
    texts: List[str]  # distinct texts, the most central first
    guess: Optional[str] = None  # most common bot guess among the items
    sources: Dict[str, int] = field(default_factory=dict)

    @property
    def count(self) -> int:
        return len(self.items)

    @property
    def first_seen(self) -> datetime:
        return min(i.created_at for i in self.items)

    @property
    def last_seen(self) -> datetime:
        return max(i.created_at for i in self.items)

    @property
    def central(self) -> str:
        return self.texts[0]

    @property
    def key(self) -> str:
        """A stable name for the cluster while its items are open: its oldest item's id."""
        return str(min(i.id for i in self.items))


def encode(texts: Sequence[str]) -> np.ndarray:
    """Normalized e5 query embeddings of ``texts``, through the per-process cache."""
    from bot.embeddings.model import encode_queries

    with _cache_lock:
        missing = [t for t in dict.fromkeys(texts) if t not in _cache]
    if missing:
        vectors = encode_queries(missing)
        with _cache_lock:
            for text, vector in zip(missing, vectors):
                _cache[text] = vector
            while len(_cache) > CACHE_SIZE:
                _cache.popitem(last=False)
    with _cache_lock:
        return np.stack([_cache[t] for t in texts]) if texts else np.zeros((0, 1), dtype=np.float32)


def average_linkage(vectors: np.ndarray, threshold: float) -> List[List[int]]:
    """Agglomerative clustering of normalized rows: merge the two clusters whose mean cosine
    similarity is highest while it is at least ``threshold``. Row indices per cluster."""
    n = len(vectors)
    if n == 0:
        return []
    sim = (vectors @ vectors.T).astype(np.float64)
    np.fill_diagonal(sim, -np.inf)
    sizes = np.ones(n)
    members: Dict[int, List[int]] = {i: [i] for i in range(n)}
    while len(members) > 1:
        flat = int(np.argmax(sim))
        i, j = divmod(flat, n)
        if sim[i, j] < threshold:
            break
        merged = (sizes[i] * sim[i] + sizes[j] * sim[j]) / (sizes[i] + sizes[j])  # Lance–Williams
        sim[i], sim[:, i] = merged, merged
        sim[i, i] = -np.inf
        sim[j, :], sim[:, j] = -np.inf, -np.inf
        sizes[i] += sizes[j]
        members[i].extend(members.pop(j))
    return list(members.values())


def group(items: Sequence[Item], threshold: Optional[float] = None,
          embed: Callable[[Sequence[str]], np.ndarray] = encode) -> List[Cluster]:
    """Clusters of ``items``, largest first (then most recent)."""
    threshold = settings.REVIEW_CLUSTER_SIMILARITY if threshold is None else threshold
    by_key: "OrderedDict[str, List[Item]]" = OrderedDict()
    for item in items:
        by_key.setdefault(matching_key(item.text), []).append(item)
    keys = list(by_key)
    texts = [by_key[k][0].text for k in keys]
    vectors = embed(texts) if texts else np.zeros((0, 1), dtype=np.float32)
    clusters = []
    for rows in average_linkage(vectors, threshold):
        weights = np.array([len(by_key[keys[r]]) for r in rows], dtype=np.float64)
        centroid = (weights[:, None] * vectors[rows]).sum(axis=0)
        order = [rows[k] for k in np.argsort(-(vectors[rows] @ centroid), kind="stable")]
        members = [item for r in order for item in by_key[keys[r]]]
        guesses = Counter(i.bot_guess for i in members if i.bot_guess)
        clusters.append(Cluster(items=members, texts=[texts[r] for r in order],
                                guess=guesses.most_common(1)[0][0] if guesses else None,
                                sources=dict(Counter(i.source for i in members))))
    clusters.sort(key=lambda c: (-c.count, -c.last_seen.timestamp()))
    return clusters


def as_json(cluster: Cluster) -> dict:
    return {
        "key": cluster.key, "count": cluster.count, "distinct": len(cluster.texts),
        "first_seen": cluster.first_seen.isoformat(), "last_seen": cluster.last_seen.isoformat(),
        "samples": cluster.texts[:MAX_SAMPLES], "guess": cluster.guess, "sources": cluster.sources,
        "agent_reply": next((i.agent_reply for i in cluster.items if i.agent_reply), None),
        "items": [{"id": i.id, "text": i.text, "source": i.source, "bot_guess": i.bot_guess,
                   "bot_score": i.bot_score, "agent_reply": i.agent_reply,
                   "created_at": i.created_at.isoformat()} for i in cluster.items],
    }
