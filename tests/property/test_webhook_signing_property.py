"""Properties of Standard Webhooks signing (kairos.deliver.signing): whatever is signed verifies; any change to the
body, the id, the timestamp or the key, and any request outside the tolerance, does not; nothing crashes the
verifier but a SignatureError."""

from __future__ import annotations

import string

import pytest
from hypothesis import assume, given
from hypothesis import strategies as st

from kairos.deliver.channels.webhook import webhook_id
from kairos.deliver.signing import SignatureError, sign, verify

NOW = 1_772_440_000

keys = st.binary(min_size=24, max_size=64)
bodies = st.binary(max_size=4_000)
ids = st.text(alphabet=string.ascii_letters + string.digits + "-_/:", min_size=1, max_size=60)
skews = st.integers(min_value=-300, max_value=300)


def fails(keys: list[bytes], headers: dict[str, str], body: bytes, now: float = NOW) -> str:
    with pytest.raises(SignatureError) as caught:
        verify(keys, headers, body, now)
    return caught.value.reason


@given(keys, ids, skews, bodies)
def test_any_body_signed_within_the_tolerance_verifies(key: bytes, msg_id: str, skew: int, body: bytes) -> None:
    verified = verify([key], sign([key], msg_id, NOW + skew, body), body, NOW)
    assert (verified.msg_id, verified.timestamp) == (msg_id, NOW + skew)


@given(keys, ids, bodies, st.data())
def test_any_altered_byte_of_the_body_fails(key: bytes, msg_id: str, body: bytes, data: st.DataObject) -> None:
    headers = sign([key], msg_id, NOW, body)
    if body:
        i = data.draw(st.integers(0, len(body) - 1))
        flip = data.draw(st.integers(1, 255))
        altered = body[:i] + bytes([body[i] ^ flip]) + body[i + 1 :]
    else:
        altered = data.draw(st.binary(min_size=1, max_size=10))
    assert fails([key], headers, altered) == "forged"


@given(keys, ids, bodies, st.binary(min_size=1, max_size=20))
def test_a_body_with_bytes_added_fails(key: bytes, msg_id: str, body: bytes, extra: bytes) -> None:
    assert fails([key], sign([key], msg_id, NOW, body), body + extra) == "forged"


@given(keys, ids, ids, bodies)
def test_another_id_fails(key: bytes, msg_id: str, other: str, body: bytes) -> None:
    assume(other != msg_id)
    headers = sign([key], msg_id, NOW, body) | {"webhook-id": other}
    assert fails([key], headers, body) == "forged"


@given(keys, ids, bodies, st.integers(min_value=-300, max_value=300).filter(bool))
def test_another_timestamp_fails_even_inside_the_tolerance(key: bytes, msg_id: str, body: bytes, shift: int) -> None:
    headers = sign([key], msg_id, NOW, body)
    headers["webhook-timestamp"] = str(NOW + shift)
    assert fails([key], headers, body, now=NOW) == "forged"


@given(keys, keys, ids, bodies)
def test_another_key_fails(key: bytes, other: bytes, msg_id: str, body: bytes) -> None:
    assume(other != key)
    assert fails([other], sign([key], msg_id, NOW, body), body) == "forged"


@given(keys, ids, bodies, st.integers(min_value=301, max_value=10**9))
def test_a_request_older_or_newer_than_five_minutes_fails_however_well_signed(
    key: bytes, msg_id: str, body: bytes, away: int
) -> None:
    assert fails([key], sign([key], msg_id, NOW - away, body), body) == "stale"
    assert fails([key], sign([key], msg_id, NOW + away, body), body) == "stale"


@given(keys, keys, ids, bodies)
def test_with_two_signatures_either_key_verifies(new: bytes, old: bytes, msg_id: str, body: bytes) -> None:
    headers = sign([new, old], msg_id, NOW, body)
    assert verify([new], headers, body, NOW) and verify([old], headers, body, NOW)


@given(keys, st.dictionaries(st.sampled_from(["webhook-id", "webhook-timestamp", "webhook-signature", "x"]),
                             st.text(max_size=120)), bodies)  # fmt: skip
def test_arbitrary_headers_are_refused_with_a_reason_never_a_crash(
    key: bytes, headers: dict[str, str], body: bytes
) -> None:
    assert fails([key], headers, body) in {"unsigned", "malformed", "stale", "forged"}


@given(st.text(min_size=1, max_size=120), st.text(min_size=1, max_size=120))
def test_any_idempotency_key_becomes_a_signable_webhook_id_and_different_keys_stay_different(a: str, b: str) -> None:
    assert sign([b"k" * 32], webhook_id(a), NOW, b"{}")["webhook-id"] == webhook_id(a)
    assert (webhook_id(a) == webhook_id(b)) == (a == b)
