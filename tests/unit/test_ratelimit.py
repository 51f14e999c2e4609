"""The token bucket, on a fake clock: bursts, waits, refill at exactly the rate, the cap.

Expected waits are worked out by hand from the configured numbers (60 per minute is one token
a second), not with the limiter's own formula, so a wrong formula cannot agree with itself.
"""

from __future__ import annotations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from jisik.server.ratelimit import RateLimiter


class FakeClock:
    def __init__(self, now: float = 1000.0) -> None:
        self.now = now

    def __call__(self) -> float:
        return self.now

    def advance(self, seconds: float) -> None:
        self.now += seconds


def limiter(per_minute: int, burst: int) -> tuple[RateLimiter, FakeClock]:
    clock = FakeClock()
    return RateLimiter(per_minute, burst, clock=clock), clock


def test_a_burst_is_allowed_then_the_wait_is_reported():
    bucket, _ = limiter(per_minute=60, burst=3)  # one token a second
    assert [bucket.take("k") for _ in range(3)] == [0.0, 0.0, 0.0]
    # Empty bucket, no time passed: a whole token is missing, one second at 1/s.
    assert bucket.take("k") == pytest.approx(1.0)
    # Refused requests spend nothing: the wait stays the same.
    assert bucket.take("k") == pytest.approx(1.0)


def test_tokens_refill_at_exactly_the_configured_rate():
    bucket, clock = limiter(per_minute=120, burst=2)  # two tokens a second: one per 0.5 s
    assert bucket.take("k") == 0.0 and bucket.take("k") == 0.0
    assert bucket.take("k") == pytest.approx(0.5)
    clock.advance(0.2)  # 0.4 of a token back: 0.6 missing, 0.3 s at 2/s
    assert bucket.take("k") == pytest.approx(0.3)
    clock.advance(0.3)  # exactly one token now
    assert bucket.take("k") == 0.0
    assert bucket.take("k") == pytest.approx(0.5)  # and it was spent
    clock.advance(1.0)  # two tokens back, the whole burst
    assert bucket.take("k") == 0.0 and bucket.take("k") == 0.0
    assert bucket.take("k") == pytest.approx(0.5)


def test_a_long_idle_never_fills_above_the_burst():
    bucket, clock = limiter(per_minute=60, burst=5)
    for _ in range(5):
        bucket.take("k")
    clock.advance(3600)  # an hour: 3,600 tokens' worth, capped at 5
    assert [bucket.take("k") for _ in range(5)] == [0.0] * 5
    assert bucket.take("k") == pytest.approx(1.0)


def test_keys_have_separate_buckets():
    bucket, clock = limiter(per_minute=60, burst=1)
    assert bucket.take("alice") == 0.0
    assert bucket.take("alice") == pytest.approx(1.0)
    assert bucket.take("bob") == 0.0  # alice's empty bucket is not bob's
    clock.advance(0.25)
    assert bucket.take("alice") == pytest.approx(0.75)
    assert bucket.take("bob") == pytest.approx(0.75)


def test_the_default_clock_is_monotonic_time():
    import time

    assert RateLimiter(60, 1)._clock is time.monotonic


@settings(max_examples=200, deadline=None)
@given(
    per_minute=st.integers(1, 6000),
    burst=st.integers(1, 200),
    steps=st.lists(st.floats(0, 30, allow_nan=False), min_size=1, max_size=40),
)
def test_over_any_schedule_at_most_burst_plus_rate_times_elapsed_pass(per_minute, burst, steps):
    """The defining property of a token bucket, over random request schedules: in any run,
    the requests allowed never exceed the burst plus what the rate refilled meanwhile; and a
    refused request is told a wait that, once waited, lets it through."""
    bucket, clock = limiter(per_minute, burst)
    start, allowed = clock.now, 0
    for step in steps:
        clock.advance(step)
        wait = bucket.take("k")
        if wait == 0.0:
            allowed += 1
        else:
            assert 0 < wait <= 60 / per_minute + 1e-9  # at most one token's time
            clock.advance(wait + 1e-9)
            assert bucket.take("k") == 0.0
            allowed += 1
    elapsed = clock.now - start
    assert allowed <= burst + elapsed * per_minute / 60 + 1e-6
