"""Email replies: any bytes are read or refused with a reason, never a crash; forged or replayed replies change nothing.

Three kinds of input: arbitrary bytes, messages built from random MIME parts (content types, charsets, transfer
encodings, headers, quoted originals, signatures), and replies through the handler against a delivered nudge on each
database (a wrong MAC, a replay of the same Message-ID, a message over the size limit).
"""

from __future__ import annotations

import base64
import quopri
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest
from hypothesis import HealthCheck, assume, given, settings
from hypothesis import strategies as st
from sqlalchemy import func, select

from kairos.clock import FrozenClock
from kairos.deliver.base import Rejected
from kairos.deliver.channels.email_inbound import ReplyHandler, parse_reply, read_reply, without_quotes
from kairos.deliver.tokens import signer
from kairos.demo.mail_sink import MailSink
from kairos.domain.response import ResponseKind
from kairos.ingest.responses import MAX_REFLECTION
from kairos.store import Database
from kairos.store.schema import events, moments, responses
from kairos.worker.tick import tick
from tests.support.loop import runtime, small_org

QUICK = settings(max_examples=300, deadline=None)
WITH_DB = settings(max_examples=30, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
MAX = 10_000
PARSER_REASONS = {"malformed", "unsupported", "oversized"}

LINES = st.sampled_from([
    "done", "Done!", "later", "not relevant", "4", "✅", "I tried it today.", "", " ", "> quoted line", ">> deeper",
    "On Mon, 2 Mar 2026 at 09:45, Kairos <kairos@kairos.example> wrote:", "-- ", "--", "-----Original Message-----",
    "From: Kairos", "Sent: Monday", "Sent from my iPhone", "<p>done</p>", "=?utf-8?q?done?=", "é\u200bü", "\x00",
    "________________________________", ".", "..",
]) | st.text(max_size=80)  # fmt: skip
BODIES = st.lists(LINES, max_size=12).map("\n".join)
HEADER_VALUES = st.sampled_from([
    "boss@example.com", "Bea <boss@example.com>", "", "<>", "no at sign", "=?utf-8?b?QmVh?= <boss@example.com>",
    "\"unterminated <boss@example.com", "a@b, c@d", "<id@x>", "auto-replied", "no", "bulk", "yes",
]) | st.text(max_size=40).filter(lambda s: "\n" not in s and "\r" not in s)  # fmt: skip


@st.composite
def mime_messages(draw: st.DrawFn) -> bytes:
    """A message as a mail client (or an attacker) might write it: random headers, parts, charsets, encodings."""
    headers = draw(st.lists(st.tuples(st.sampled_from(["From", "Message-ID", "Auto-Submitted", "Precedence",
                                                       "X-Autoreply", "Subject", "Content-Type", "MIME-Version"]),
                                      HEADER_VALUES), max_size=6))  # fmt: skip
    parts = draw(st.lists(st.tuples(
        st.sampled_from(["text/plain", "text/html", "application/octet-stream", "text/calendar", "message/rfc822"]),
        st.sampled_from(["utf-8", "latin-1", "x-unknown", "", "utf-7"]),
        st.sampled_from(["7bit", "8bit", "base64", "quoted-printable", "x-bogus"]),
        BODIES,
    ), min_size=1, max_size=3))  # fmt: skip
    boundary = "b0und"
    head = "".join(f"{name}: {value}\r\n" for name, value in headers)
    if len(parts) == 1 and draw(st.booleans()):
        content_type, charset, encoding, body = parts[0]
        return (head + _part_head(content_type, charset, encoding) + "\r\n").encode() + _encoded(body, encoding)
    kind = draw(st.sampled_from(["alternative", "mixed", "report", "related"]))
    out = (head + f'MIME-Version: 1.0\r\nContent-Type: multipart/{kind}; boundary="{boundary}"\r\n\r\n').encode()
    for content_type, charset, encoding, body in parts:
        out += f"--{boundary}\r\n{_part_head(content_type, charset, encoding)}\r\n".encode()
        out += _encoded(body, encoding) + b"\r\n"
    if draw(st.booleans()):
        out += f"--{boundary}--\r\n".encode()  # a message cut short has no closing boundary
    return out


def _part_head(content_type: str, charset: str, encoding: str) -> str:
    params = f"; charset={charset}" if charset else ""
    return f"Content-Type: {content_type}{params}\r\nContent-Transfer-Encoding: {encoding}\r\n"


def _encoded(body: str, encoding: str) -> bytes:
    raw = body.replace("\n", "\r\n").encode("utf-8", "surrogatepass")
    if encoding == "base64":
        return base64.encodebytes(raw)
    if encoding == "quoted-printable":
        return quopri.encodestring(raw)
    return raw


def _outcome(raw: bytes, mail_from: str) -> None:
    try:
        parsed = parse_reply(raw, mail_from, MAX)
    except Rejected as refused:
        assert refused.reason in PARSER_REASONS
        assert len(refused.detail) <= 300
        return
    assert "@" in parsed.sender and parsed.external_id
    text = parsed.reply.text
    assert text is None or 0 < len(text) <= MAX_REFLECTION
    assert (parsed.reply.rating is not None) == (parsed.reply.kind is ResponseKind.RATING)


@QUICK
@given(st.binary(max_size=3000), st.sampled_from(["boss@example.com", "", "<>"]))
def test_any_bytes_are_read_or_refused_with_a_reason(raw: bytes, mail_from: str) -> None:
    _outcome(raw, mail_from)


@QUICK
@given(mime_messages(), st.sampled_from(["boss@example.com", ""]))
def test_any_mime_message_is_read_or_refused_with_a_reason(raw: bytes, mail_from: str) -> None:
    _outcome(raw, mail_from)


@QUICK
@given(BODIES)
def test_a_reply_body_is_an_answer_or_refused_and_never_keeps_quoted_lines(body: str) -> None:
    try:
        reply = read_reply(body)
    except Rejected as refused:
        assert refused.reason in ("unsupported", "oversized")
        return
    if reply.kind is ResponseKind.REFLECTION:
        assert reply.text == without_quotes(body) != ""
    assert not any(line.lstrip().startswith(">") for line in (reply.text or "").splitlines())


@settings(max_examples=20, deadline=None)
@given(st.integers(min_value=MAX + 1, max_value=4 * MAX), st.sampled_from([b"done ", b"x", b"\r\n", b"\xff"]))
def test_a_message_over_the_limit_is_oversized_whatever_it_holds(size: int, filler: bytes) -> None:
    raw = b"From: boss@example.com\r\n\r\n" + filler * (size // len(filler) + 1)

    with pytest.raises(Rejected) as caught:
        parse_reply(raw, "boss@example.com", MAX)

    assert caught.value.reason == "oversized"


@settings(max_examples=100, deadline=None)
@given(st.text(min_size=1, max_size=40, alphabet="abc .\n>-"), st.integers(min_value=0, max_value=300))
def test_a_reflection_over_the_limit_is_refused_never_cut(phrase: str, extra: int) -> None:
    words = (phrase * (MAX_REFLECTION // len(phrase) + 2))[: MAX_REFLECTION + 1 + extra]
    assume(len(without_quotes(words)) > MAX_REFLECTION)
    with pytest.raises(Rejected) as caught:
        read_reply(words)
    assert caught.value.reason == "oversized"


# --- through the handler, against a delivered nudge -----------------------------------------------------------------

DUE = datetime(2026, 3, 2, 8, 45, tzinfo=UTC)


@dataclass
class Delivered:
    handler: ReplyHandler
    db: Database
    moment_id: int
    address: str  # the genuine reply address of Bea's brief


@pytest.fixture
def delivered(db: Database, tmp_path: Path) -> Iterator[Delivered]:
    small_org(db, tmp_path)
    with MailSink(tmp_path / "mail") as sink:
        rt = runtime(db, tmp_path, smtp={"port": sink.port},
                     delivery={"channels": ["email"], "secret_key": "a test key that is long enough"},
                     mail_in={"reply_domain": "reply.example", "max_message_bytes": MAX})  # fmt: skip
        tick(rt, DUE)
    with db.transaction() as conn:
        query = select(moments.c.id).where(moments.c.recipient_id == "boss", moments.c.stop_reason == "delivered")
        moment_id = conn.execute(query).scalar_one()
    reply_signer = signer(rt.settings)
    handler = ReplyHandler(db, reply_signer, rt.settings, FrozenClock(DUE))
    yield Delivered(handler, db, moment_id, f"{reply_signer.reply_local_part(moment_id, 'boss')}@reply.example")


def state(db: Database) -> tuple[int, int, int]:
    """Responses, moments, and refusals recorded so far."""
    with db.transaction() as conn:

        def count(table: Any, *where: Any) -> int:
            return int(conn.execute(select(func.count()).select_from(table).where(*where)).scalar_one())

        return count(responses), count(moments), count(events, events.c.type == "channel.rejected")


@WITH_DB
@given(mac=st.text(alphabet="0123456789abcdef", min_size=20, max_size=20), body=BODIES)
def test_a_wrong_mac_is_refused_as_forged_recorded_and_changes_nothing(
    delivered: Delivered, mac: str, body: str
) -> None:
    genuine = delivered.address.split("@")[0].split(".")[1]
    assume(mac != genuine)
    forged = f"reply+m{delivered.moment_id}.{mac}@reply.example"
    responses_before, moments_before, refused_before = state(delivered.db)

    at_rcpt = delivered.handler.check_recipient(forged)
    at_data = delivered.handler.receive(f"From: boss@example.com\r\n\r\n{body}".encode(), forged, "boss@example.com")

    assert at_rcpt.startswith("550") and at_data.startswith("550")
    assert state(delivered.db) == (responses_before, moments_before, refused_before + 2)


@WITH_DB
@given(body=BODIES, message_id=st.text(alphabet="abcdefghij0123456789.-", min_size=1, max_size=30))
def test_the_same_reply_twice_is_recorded_once_and_the_copy_changes_nothing(
    delivered: Delivered, body: str, message_id: str
) -> None:
    raw = f"From: Bea <boss@example.com>\r\nMessage-ID: <{message_id}@hyp>\r\n\r\n{body}\r\n".encode()
    first = delivered.handler.receive(raw, delivered.address, "boss@example.com")
    after_first = state(delivered.db)

    second = delivered.handler.receive(raw, delivered.address, "boss@example.com")

    assert second.startswith("250")  # a resend must not bounce
    responses_now, moments_now, refused_now = state(delivered.db)
    assert (responses_now, moments_now) == after_first[:2]
    assert refused_now == after_first[2] + 1  # the copy: replayed (or the same refusal again)
    if first.startswith("250 2.0.0 Thank you"):
        assert second == "250 2.0.0 This reply was already recorded"


@WITH_DB
@given(size=st.integers(min_value=MAX + 1, max_value=3 * MAX))
def test_an_oversized_reply_is_refused_recorded_and_changes_nothing(delivered: Delivered, size: int) -> None:
    before = state(delivered.db)
    raw = b"From: boss@example.com\r\n\r\n" + b"done\r\n" * (size // 6 + 1)

    answer = delivered.handler.receive(raw, delivered.address, "boss@example.com")

    assert answer.startswith("552 5.3.4")
    assert state(delivered.db) == (before[0], before[1], before[2] + 1)
