"""Rate limits for the public citizen surface: token buckets per connection and per client IP."""
from __future__ import annotations

import time
from dataclasses import dataclass, field
from typing import Dict


@dataclass
class TokenBucket:
    """``capacity`` events at once, refilled at ``per_second``; :meth:`take` says if one may pass."""

    capacity: float
    per_second: float
    tokens: float = -1.0
    stamp: float = field(default_factory=time.monotonic)

    def __post_init__(self) -> None:
        if self.tokens < 0:
            self.tokens = self.capacity

    def take(self) -> bool:
        now = time.monotonic()
        self.tokens = min(self.capacity, self.tokens + (now - self.stamp) * self.per_second)
        self.stamp = now
        if self.tokens >= 1:
            self.tokens -= 1
            return True
        return False

    def idle(self) -> bool:
        """Full again: nothing to remember."""
        return self.tokens + (time.monotonic() - self.stamp) * self.per_second >= self.capacity


class KeyedLimits:
    """One bucket per key (a client IP); idle buckets are forgotten."""

    def __init__(self, capacity: float, per_second: float) -> None:
        self.capacity, self.per_second = capacity, per_second
        self.buckets: Dict[str, TokenBucket] = {}
        self._sweep = time.monotonic()

    def take(self, key: str) -> bool:
        if time.monotonic() - self._sweep > 60:
            self._sweep = time.monotonic()
            self.buckets = {k: b for k, b in self.buckets.items() if not b.idle()}
        bucket = self.buckets.get(key)
        if bucket is None:
            bucket = self.buckets[key] = TokenBucket(self.capacity, self.per_second)
        return bucket.take()


class Counter:
    """How many of something (open sockets) each key holds right now."""

    def __init__(self) -> None:
        self.counts: Dict[str, int] = {}

    def acquire(self, key: str, limit: int) -> bool:
        if self.counts.get(key, 0) >= limit:
            return False
        self.counts[key] = self.counts.get(key, 0) + 1
        return True

    def release(self, key: str) -> None:
        left = self.counts.get(key, 0) - 1
        if left > 0:
            self.counts[key] = left
        else:
            self.counts.pop(key, None)
