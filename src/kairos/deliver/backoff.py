"""How long a failed delivery waits before its next attempt: exponential, capped, with deterministic jitter.

The wait before retry *n* (after the *n*-th failed attempt) is drawn between half and all of
``min(1 min × 5^(n-1), 2 h)``: 1, 5, 25 minutes, then 2 hours ("equal jitter"). The draw is a hash of the delivery
key and the attempt, not a random number: one outage's retries spread out instead of arriving together when the
receiver comes back, yet a test (or a replay with a frozen clock) gets the same schedule every time. Half the base is
always waited, so a receiver that is down is never hammered.
"""

from __future__ import annotations

import hashlib
from datetime import datetime, timedelta
from email.utils import parsedate_to_datetime

FIRST = timedelta(minutes=1)
FACTOR = 5
CAP = timedelta(hours=2)


def base_delay(attempt: int) -> timedelta:
    """The upper bound of the wait after failed attempt ``attempt`` (1 for the first): 1, 5, 25 min, then 2 h."""
    if attempt < 1:
        raise ValueError(f"attempts are counted from 1, not {attempt}")
    if attempt > 8:  # 5^7 minutes is far past the cap; stop before the power grows without need
        return CAP
    scale: int = FACTOR ** (attempt - 1)
    return min(FIRST * scale, CAP)


def retry_delay(attempt: int, key: str) -> timedelta:
    """The wait after failed attempt ``attempt`` of the delivery ``key``: between half and all of
    :func:`base_delay`, whole seconds, the same for the same (key, attempt)."""
    ceiling = base_delay(attempt).total_seconds()
    floor = ceiling / 2
    return timedelta(seconds=round(floor + (ceiling - floor) * _unit(f"{key}\x00{attempt}")))


def _unit(seed: str) -> float:
    """A number in [0, 1) that depends only on ``seed`` (the first 8 bytes of its SHA-256)."""
    return int.from_bytes(hashlib.sha256(seed.encode()).digest()[:8], "big") / 2**64


def parse_retry_after(value: str | None, now: datetime) -> timedelta | None:
    """An HTTP ``Retry-After`` header (seconds, or an HTTP date) as a wait; None when absent or unreadable."""
    if not value:
        return None
    text = value.strip()
    if text.isdigit():
        return timedelta(seconds=min(int(text), 86_400))
    try:
        when = parsedate_to_datetime(text)
    except (TypeError, ValueError):
        return None
    if when.tzinfo is None:
        return None
    return max(when - now, timedelta(0))
