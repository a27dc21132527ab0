"""Standard Webhooks signing and the reference verifier (kairos.deliver.signing)."""

from __future__ import annotations

import base64

import pytest

from kairos.deliver.signing import SignatureError, new_secret, secret_key, sign, signature, verify

# The specification's reference libraries publish this example (libraries/python/tests/test_webhooks.py).
SPEC_SECRET = "whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw"
SPEC_ID = "msg_p5jXN8AQM9LWM0D4loKWxJek"
SPEC_TIME = 1614265330
SPEC_BODY = b'{"test": 2432232314}'
SPEC_SIGNATURE = "v1,g0hM9SsE+OTPJTGt/tmIKtSyZlE3uFJELVlNIOLJ1OE="

KEY = secret_key(SPEC_SECRET)
OLD_KEY = secret_key(new_secret())
NOW = 1_772_440_000


def signed(body: bytes = b'{"a":1}', msg_id: str = "moment-7/webhook", at: int = NOW) -> dict[str, str]:
    return sign([KEY], msg_id, at, body)


def reason(keys: list[bytes], headers: dict[str, str], body: bytes, now: float = NOW) -> str:
    with pytest.raises(SignatureError) as caught:
        verify(keys, headers, body, now)
    return caught.value.reason


def test_a_signature_matches_the_specifications_published_example() -> None:
    assert signature(KEY, SPEC_ID, SPEC_TIME, SPEC_BODY) == SPEC_SIGNATURE
    headers = {"webhook-id": SPEC_ID, "webhook-timestamp": str(SPEC_TIME), "webhook-signature": SPEC_SIGNATURE}
    assert verify([KEY], headers, SPEC_BODY, SPEC_TIME + 10).msg_id == SPEC_ID


def test_the_key_is_the_base64_decoded_part_of_the_secret_and_the_prefix_may_be_left_off() -> None:
    assert secret_key(SPEC_SECRET) == base64.b64decode("MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw")
    assert secret_key("MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw") == KEY
    assert len(secret_key(new_secret())) == 32


@pytest.mark.parametrize(
    ("secret", "says"),
    [("whsec_not base64!", "not base64"), ("whsec_" + base64.b64encode(b"short").decode(), "at least 24")],
)
def test_a_secret_that_is_not_base64_or_too_short_is_refused_with_the_reason(secret: str, says: str) -> None:
    with pytest.raises(ValueError, match=says):
        secret_key(secret)


def test_the_three_headers_carry_the_id_the_unix_seconds_and_the_signature() -> None:
    headers = signed(at=NOW)
    assert headers["webhook-id"] == "moment-7/webhook"
    assert headers["webhook-timestamp"] == str(NOW)
    assert headers["webhook-signature"].startswith("v1,")


def test_during_a_key_rotation_both_signatures_are_sent_and_either_key_verifies() -> None:
    body = b'{"rotating":true}'
    headers = sign([KEY, OLD_KEY], "m-1", NOW, body)
    assert len(headers["webhook-signature"].split(" ")) == 2
    assert verify([KEY], headers, body, NOW)
    assert verify([OLD_KEY], headers, body, NOW)


def test_header_names_are_read_in_any_case() -> None:
    headers = {k.upper(): v for k, v in signed().items()}
    assert verify([KEY], headers, b'{"a":1}', NOW).timestamp == NOW


def test_signatures_of_other_schemes_are_skipped_when_a_v1_one_matches() -> None:
    headers = signed()
    headers["webhook-signature"] = "v1a,AAAA v2,BBBB " + headers["webhook-signature"] + " v1,junk%%"
    assert verify([KEY], headers, b'{"a":1}', NOW)


@pytest.mark.parametrize("missing", ["webhook-id", "webhook-timestamp", "webhook-signature"])
def test_a_request_without_one_of_the_headers_is_unsigned(missing: str) -> None:
    headers = signed()
    del headers[missing]
    assert reason([KEY], headers, b'{"a":1}') == "unsigned"


@pytest.mark.parametrize("stamp", ["soon", "1.5e9", "-5", "１２３", "9" * 20])
def test_a_timestamp_that_is_not_unix_seconds_is_malformed(stamp: str) -> None:
    headers = signed() | {"webhook-timestamp": stamp}
    assert reason([KEY], headers, b'{"a":1}') == "malformed"


def test_only_other_schemes_or_unreadable_signatures_are_malformed() -> None:
    assert reason([KEY], signed() | {"webhook-signature": "v1a,AAAA v1,%%%"}, b'{"a":1}') == "malformed"


def test_a_timestamp_more_than_five_minutes_away_either_way_is_stale_and_five_minutes_is_accepted() -> None:
    body = b'{"a":1}'
    assert verify([KEY], signed(at=NOW - 300), body, NOW)
    assert verify([KEY], signed(at=NOW + 300), body, NOW)
    assert reason([KEY], signed(at=NOW - 301), body) == "stale"
    assert reason([KEY], signed(at=NOW + 301), body) == "stale"


def test_another_body_id_timestamp_or_key_is_forged() -> None:
    headers, body = signed(), b'{"a":1}'
    assert reason([KEY], headers, b'{"a":2}') == "forged"
    assert reason([KEY], headers | {"webhook-id": "moment-8/webhook"}, body) == "forged"
    assert reason([KEY], headers | {"webhook-timestamp": str(NOW + 1)}, body) == "forged"
    assert reason([OLD_KEY], headers, body) == "forged"


@pytest.mark.parametrize("msg_id", ["", "a.b", "a b", "line\nbreak"])
def test_an_id_that_could_blur_the_signed_content_cannot_be_signed(msg_id: str) -> None:
    with pytest.raises(ValueError, match="webhook id"):
        sign([KEY], msg_id, NOW, b"{}")


def test_signing_needs_a_key() -> None:
    with pytest.raises(ValueError, match="at least one key"):
        sign([], "m-1", NOW, b"{}")
