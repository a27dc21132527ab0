"""The wait before a failed delivery is retried (kairos.deliver.backoff)."""

from __future__ import annotations

from datetime import timedelta

import pytest

from kairos.deliver.backoff import CAP, base_delay, retry_delay

MIN = timedelta(minutes=1)


def test_the_base_wait_grows_one_five_twenty_five_minutes_then_stays_at_two_hours() -> None:
    assert [base_delay(n) for n in range(1, 7)] == [MIN, 5 * MIN, 25 * MIN, CAP, CAP, CAP]
    assert base_delay(10_000) == CAP == timedelta(hours=2)


def test_each_wait_is_between_half_and_all_of_the_base_in_whole_seconds() -> None:
    for attempt in range(1, 8):
        wait = retry_delay(attempt, "moment-42/webhook")
        assert base_delay(attempt) / 2 <= wait <= base_delay(attempt)
        assert wait.microseconds == 0


def test_the_same_delivery_and_attempt_always_wait_the_same_so_replays_and_tests_are_reproducible() -> None:
    assert retry_delay(3, "moment-42/webhook") == retry_delay(3, "moment-42/webhook")


def test_deliveries_that_failed_together_retry_at_different_times() -> None:
    waits = {retry_delay(2, f"moment-{n}/webhook") for n in range(100)}
    assert len(waits) > 50  # 151 whole seconds between 2.5 and 5 minutes to choose from


def test_attempts_are_counted_from_one() -> None:
    with pytest.raises(ValueError, match="counted from 1"):
        retry_delay(0, "moment-1/email")


def test_a_providers_retry_after_is_read_as_seconds_or_a_date_and_nonsense_is_ignored() -> None:
    from datetime import UTC, datetime

    from kairos.deliver.backoff import parse_retry_after

    now = datetime(2026, 3, 2, 9, tzinfo=UTC)
    assert parse_retry_after("120", now) == timedelta(minutes=2)
    assert parse_retry_after("Mon, 02 Mar 2026 09:05:00 GMT", now) == timedelta(minutes=5)
    assert parse_retry_after("Mon, 02 Mar 2026 08:00:00 GMT", now) == timedelta(0)  # already past
    assert parse_retry_after("soon", now) is None and parse_retry_after(None, now) is None
    assert parse_retry_after("99999999", now) == timedelta(days=1)  # capped
