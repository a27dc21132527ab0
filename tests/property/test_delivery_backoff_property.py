"""Properties of the retry wait (kairos.deliver.backoff): bounded, growing, deterministic, spread out."""

from __future__ import annotations

from hypothesis import given
from hypothesis import strategies as st

from kairos.deliver.backoff import CAP, base_delay, retry_delay

attempts = st.integers(min_value=1, max_value=1_000)
keys = st.text(min_size=1, max_size=80)


@given(attempts, keys)
def test_every_wait_lies_between_half_and_all_of_its_base_and_never_past_two_hours(attempt: int, key: str) -> None:
    wait = retry_delay(attempt, key)
    assert base_delay(attempt) / 2 <= wait <= base_delay(attempt) <= CAP


@given(attempts)
def test_the_upper_bound_never_shrinks_from_one_attempt_to_the_next(attempt: int) -> None:
    assert base_delay(attempt) <= base_delay(attempt + 1)


@given(attempts, keys)
def test_the_wait_depends_only_on_the_delivery_and_the_attempt(attempt: int, key: str) -> None:
    assert retry_delay(attempt, key) == retry_delay(attempt, key)


@given(st.integers(min_value=1, max_value=12), st.text(min_size=1, max_size=20))
def test_one_outages_retries_spread_over_the_whole_window(attempt: int, prefix: str) -> None:
    base = base_delay(attempt)
    waits = [retry_delay(attempt, f"{prefix}-{n}") for n in range(200)]
    low, high = base / 2, base
    quarter = (high - low) / 4
    # 200 deliveries failing together land in every quarter of the window, not on one instant
    for q in range(4):
        start, end = low + quarter * q, low + quarter * (q + 1)
        assert any(start <= w <= end for w in waits), (attempt, q)
