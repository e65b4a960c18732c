"""Clustering missed questions on the project's real e5 embeddings."""
import time
from datetime import datetime, timedelta, timezone

import numpy as np

from bot.studio import clusters
from bot.studio.review import Item

START = datetime(2026, 11, 1, tzinfo=timezone.utc)


def item(n, text, guess=None, source="fallback"):
    return Item(n, f"c-{n}", text, source, guess, None, None, "open", None, START + timedelta(minutes=n))


def test_paraphrases_form_one_cluster_and_an_unrelated_question_stays_apart():
    texts = ["음식물 쓰레기 봉투 어디서 사요?", "음식물쓰레기 봉투는 어디서 팔아요", "음식물 쓰레기 봉투 파는 곳 알려주세요",
             "음식물 쓰레기봉투 구입처가 어디예요?", "음식물 쓰레기 봉투 어디서 사요?",  # a duplicate
             "반려견 동물등록은 어떻게 하나요?"]
    found = clusters.group([item(n, t, "waste_bag" if n == 1 else None) for n, t in enumerate(texts)])
    assert [c.count for c in found] == [5, 1]
    big, lone = found
    assert big.texts[0].startswith("음식물") and len(big.texts) == 4 and big.guess == "waste_bag"
    assert (big.first_seen, big.last_seen) == (START, START + timedelta(minutes=4))
    assert lone.texts == ["반려견 동물등록은 어떻게 하나요?"] and lone.guess is None
    shown = clusters.as_json(big)
    assert shown["count"] == 5 and shown["distinct"] == 4 and len(shown["items"]) == 5


def test_average_linkage_stops_at_the_threshold():
    a, b = np.array([1.0, 0.0]), np.array([0.0, 1.0])
    vectors = np.stack([a, a * 0.99 + b * 0.141, b]).astype(np.float32)
    vectors /= np.linalg.norm(vectors, axis=1, keepdims=True)
    assert sorted(map(sorted, clusters.average_linkage(vectors, 0.9))) == [[0, 1], [2]]
    assert clusters.average_linkage(vectors[:0], 0.9) == []


def test_clustering_500_items_is_quick_once_encoded():
    rng = np.random.default_rng(0)
    centres = rng.normal(size=(40, 384))
    vectors = centres[rng.integers(0, 40, 500)] + rng.normal(scale=0.15, size=(500, 384))
    vectors = (vectors / np.linalg.norm(vectors, axis=1, keepdims=True)).astype(np.float32)
    started = time.monotonic()
    found = clusters.average_linkage(vectors, 0.9)
    assert time.monotonic() - started < 5 and 30 <= len(found) <= 45
