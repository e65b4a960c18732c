"""Token buckets and counters behind the citizen rate limits."""
import time

from bot.web.limits import Counter, KeyedLimits, TokenBucket


def test_a_bucket_allows_its_burst_then_refills():
    bucket = TokenBucket(capacity=3, per_second=10)
    assert [bucket.take() for _ in range(4)] == [True, True, True, False]
    time.sleep(0.15)
    assert bucket.take()


def test_keys_have_their_own_buckets():
    limits = KeyedLimits(capacity=1, per_second=0.001)
    assert limits.take("1.2.3.4") and not limits.take("1.2.3.4") and limits.take("5.6.7.8")


def test_a_counter_caps_concurrent_holders_per_key():
    sockets = Counter()
    assert all(sockets.acquire("ip", 2) for _ in range(2)) and not sockets.acquire("ip", 2)
    sockets.release("ip")
    assert sockets.acquire("ip", 2)
    sockets.release("ip"), sockets.release("ip")
    assert sockets.counts == {}
