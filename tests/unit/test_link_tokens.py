"""Signed link tokens and reply addresses: they say who may do what until when, and nothing else gets through."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from hypothesis import given
from hypothesis import strategies as st

from kairos.deliver.tokens import BadToken, Grant, Signer

NOW = datetime(2026, 3, 2, 9, tzinfo=UTC)
SIGNER = Signer(b"0123456789abcdef0123456789abcdef")


def _token(scope: str = "respond", **kw: object) -> str:
    values: dict = {"person_id": "rep", "scope": scope, "expires": NOW + timedelta(days=30), "moment_id": 7,
                    "kind": "applied"} | kw  # fmt: skip
    return SIGNER.issue(Grant(**values))


def test_a_token_gives_back_exactly_what_it_was_issued_for() -> None:
    grant = SIGNER.check(_token(), "respond", NOW)
    assert (grant.person_id, grant.scope, grant.moment_id, grant.kind) == ("rep", "respond", 7, "applied")


def test_a_token_for_one_scope_does_not_open_another() -> None:
    with pytest.raises(BadToken, match="for respond, not inbox"):
        SIGNER.check(_token(), "inbox", NOW)


def test_an_expired_token_is_refused_with_its_date() -> None:
    with pytest.raises(BadToken, match="expired on 01 April 2026"):
        SIGNER.check(_token(), "respond", NOW + timedelta(days=30))


def test_another_deployments_token_is_refused() -> None:
    other = Signer(b"another-key-another-key-another-key")
    with pytest.raises(BadToken, match="altered or made by another deployment"):
        other.check(_token(), "respond", NOW)


def test_a_short_key_is_refused() -> None:
    with pytest.raises(ValueError):
        Signer(b"short")


@given(st.text(max_size=300))
def test_any_string_is_either_a_valid_token_or_refused_never_a_crash(text: str) -> None:
    with pytest.raises(BadToken):
        SIGNER.check(text, "respond", NOW)


@given(st.integers(min_value=0, max_value=10**6), st.integers(min_value=0, max_value=200))
def test_changing_any_character_of_a_token_breaks_it(position: int, replacement: int) -> None:
    token = _token()
    i = position % len(token)
    swapped = chr(ord("A") + replacement % 26) if token[i] != chr(ord("A") + replacement % 26) else "z"
    altered = token[:i] + swapped + token[i + 1 :]
    if altered == token:
        return
    with pytest.raises(BadToken):
        SIGNER.check(altered, "respond", NOW)


def test_a_reply_address_fits_an_email_local_part_and_names_its_moment_and_recipient() -> None:
    local = SIGNER.reply_local_part(4242, "rep")
    assert len(local) <= 64 and local.startswith("reply+m4242.")
    assert SIGNER.read_reply_local_part(local.upper()) == 4242  # mail systems may change the case
    assert SIGNER.reply_matches(local, "rep")
    assert not SIGNER.reply_matches(local, "boss")  # someone else's reply address
    assert not SIGNER.reply_matches(local.replace("m4242", "m4243"), "rep")  # another moment
