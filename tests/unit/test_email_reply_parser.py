"""Reading an email reply: what its first line means, what is cut, and what is refused before anything is stored."""

from __future__ import annotations

import pytest

from kairos.deliver.base import Rejected
from kairos.deliver.channels.email_inbound import html_text, parse_reply, read_reply, without_quotes
from kairos.domain.response import ResponseKind

MAX = 1_000_000


@pytest.mark.parametrize(
    ("body", "kind", "rating"),
    [
        ("done", ResponseKind.APPLIED, None),
        ("Done!", ResponseKind.APPLIED, None),
        ("I did it.", ResponseKind.APPLIED, None),
        ("Yes", ResponseKind.APPLIED, None),
        ("✅", ResponseKind.APPLIED, None),
        ("applied", ResponseKind.APPLIED, None),
        ("Not relevant", ResponseKind.NOT_RELEVANT, None),
        ("no.", ResponseKind.NOT_RELEVANT, None),
        ("irrelevant", ResponseKind.NOT_RELEVANT, None),
        ("later", ResponseKind.SNOOZE, None),
        ("Not now", ResponseKind.SNOOZE, None),
        ("snooze", ResponseKind.SNOOZE, None),
        ("4", ResponseKind.RATING, 4),
        ("5/5", ResponseKind.RATING, 5),
    ],
)
def test_the_first_line_decides_the_answer(body: str, kind: ResponseKind, rating: int | None) -> None:
    reply = read_reply(f"{body}\n\nOn Mon, 2 Mar 2026 at 09:45, Kairos <kairos@kairos.example> wrote:\n> Ask Rita.")

    assert (reply.kind, reply.rating, reply.text) == (kind, rating, None)


def test_a_sentence_is_a_reflection_kept_without_the_quoted_nudge() -> None:
    reply = read_reply("I asked her first and she opened up.\nIt felt better.\n\n> Ask Rita about the review.")

    assert reply.kind is ResponseKind.REFLECTION
    assert reply.text == "I asked her first and she opened up.\nIt felt better."


def test_what_follows_a_one_word_answer_is_kept_as_its_text() -> None:
    reply = read_reply("Done\nShe liked the specific example.\n-- \nBea")

    assert (reply.kind, reply.text) == (ResponseKind.APPLIED, "She liked the specific example.")


def test_six_or_zero_is_not_a_rating_but_a_reflection() -> None:
    assert read_reply("6").kind is ResponseKind.REFLECTION
    assert read_reply("0").kind is ResponseKind.REFLECTION


@pytest.mark.parametrize(
    "quoted",
    [
        "On Mon, 2 Mar 2026 at 09:45, Kairos <kairos@kairos.example>\nwrote:\nAsk Rita.",  # Gmail wraps the line
        "-----Original Message-----\nFrom: Kairos\nAsk Rita.",
        "________________________________\nFrom: Kairos <kairos@kairos.example>\nSent: Monday\nAsk Rita.",
        "From: Kairos <kairos@kairos.example>\nSent: Monday, 2 March 2026 09:45\nTo: Bea\nSubject: Brief\nAsk Rita.",
        "Am Mo., 2. März 2026 um 09:45 Uhr schrieb Kairos <kairos@kairos.example>:\nAsk Rita.",
        "Sent from my iPhone\n\nAsk Rita.",
        "-- \nBea Boss | Engineering Manager\nAsk Rita.",
        "--\nBea\nAsk Rita.",
    ],
)
def test_the_quoted_original_and_the_signature_are_cut(quoted: str) -> None:
    assert without_quotes(f"later\n\n{quoted}") == "later"


def test_a_line_that_merely_mentions_from_is_kept() -> None:
    assert without_quotes("From: my side it went well.\nReally.") == "From: my side it went well.\nReally."


def test_an_html_reply_is_read_as_text_without_the_quoted_part() -> None:
    html = (
        "<html><head><style>p{color:red}</style></head><body><div>Not now</div><div><br></div>"
        '<div class="gmail_quote"><blockquote>Ask Rita &amp; listen.</blockquote></div></body></html>'
    )

    assert read_reply(html_text(html)).kind is ResponseKind.SNOOZE


def test_an_empty_reply_is_unsupported_and_a_too_long_one_oversized() -> None:
    with pytest.raises(Rejected) as empty:
        read_reply("\n\n> Ask Rita.\n")
    with pytest.raises(Rejected) as long:
        read_reply("word " * 1001)

    assert empty.value.reason == "unsupported"
    assert long.value.reason == "oversized" and "5000 characters" in long.value.detail
    assert "word" not in long.value.detail  # never the body itself


def message(body: str, *headers: str, sender: str = "Bea <boss@example.com>") -> bytes:
    lines = [f"From: {sender}", "To: reply+m1.00000000000000000000@reply.example", "Subject: Re: brief", *headers]
    return ("\r\n".join(lines) + "\r\n\r\n" + body).encode()


def test_a_reply_is_parsed_with_its_sender_and_message_id() -> None:
    parsed = parse_reply(message("done", "Message-ID: <abc@mail.example>"), "bounce@mail.example", MAX)

    assert (parsed.sender, parsed.external_id, parsed.reply.kind) == (
        "boss@example.com", "<abc@mail.example>", ResponseKind.APPLIED
    )  # fmt: skip


def test_without_a_message_id_the_same_bytes_get_the_same_id() -> None:
    raw = message("done")

    assert parse_reply(raw, "b@x", MAX).external_id == parse_reply(raw, "b@x", MAX).external_id
    assert parse_reply(raw, "b@x", MAX).external_id.startswith("sha256:")


def test_a_multipart_reply_uses_its_text_part() -> None:
    raw = message(
        "--b\r\nContent-Type: text/plain; charset=utf-8\r\n\r\nnot relevant\r\n"
        "--b\r\nContent-Type: text/html\r\n\r\n<p>done</p>\r\n--b--\r\n",
        "MIME-Version: 1.0", 'Content-Type: multipart/alternative; boundary="b"',
    )  # fmt: skip

    assert parse_reply(raw, "b@x", MAX).reply.kind is ResponseKind.NOT_RELEVANT


@pytest.mark.parametrize(
    ("headers", "mail_from"),
    [
        (["Auto-Submitted: auto-replied"], "boss@example.com"),
        (["X-Autoreply: yes"], "boss@example.com"),
        (["Precedence: bulk"], "boss@example.com"),
        (["Precedence: auto_reply"], "boss@example.com"),
        ([], ""),  # a bounce: the empty envelope sender
        (["MIME-Version: 1.0", 'Content-Type: multipart/report; report-type=delivery-status; boundary="x"'],
         "boss@example.com"),
    ],
)  # fmt: skip
def test_automatic_messages_are_unsupported(headers: list[str], mail_from: str) -> None:
    with pytest.raises(Rejected) as caught:
        parse_reply(message("I am out of the office until Monday.", *headers), mail_from, MAX)

    assert caught.value.reason == "unsupported"


def test_auto_submitted_no_is_a_person() -> None:
    assert parse_reply(message("done", "Auto-Submitted: no"), "b@x", MAX).reply.kind is ResponseKind.APPLIED


def test_a_message_over_the_size_limit_is_oversized_and_says_the_limit() -> None:
    with pytest.raises(Rejected) as caught:
        parse_reply(message("x" * 20_000), "b@x", 10_000)

    assert caught.value.reason == "oversized" and "10000 bytes" in caught.value.detail


def test_a_message_without_any_sender_is_malformed() -> None:
    raw = b"Subject: hi\r\n\r\ndone"

    with pytest.raises(Rejected) as caught:
        parse_reply(raw, "postmaster", MAX)  # an envelope sender, so not a bounce; but no address anywhere

    assert caught.value.reason == "malformed"


def test_control_characters_and_undecodable_bytes_never_reach_the_database() -> None:
    raw = b"From: boss@example.com\r\nMessage-ID: <a\x00b@x>\r\nContent-Type: text/plain; charset=utf-8\r\n\r\n"
    raw += b"I tried\x00 it \xff\xfe today.\r\n"

    parsed = parse_reply(raw, "boss@example.com", MAX)

    assert parsed.reply.text == "I tried it \ufffd\ufffd today."
    assert "\x00" not in parsed.external_id
