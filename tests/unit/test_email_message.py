"""What an email nudge looks like: both parts, links as text, the reply address, the brief's calendar file."""

from __future__ import annotations

from datetime import UTC, datetime
from email import message_from_bytes
from email.message import EmailMessage
from email.policy import default
from html import escape
from html.parser import HTMLParser
from pathlib import Path

import icalendar

from kairos.clock import FrozenClock
from kairos.deliver.channels.email import REPLY_HINT, EmailChannel, from_settings
from kairos.deliver.tokens import Signer
from kairos.domain.nudge import Links, Nudge
from kairos.settings import SmtpSettings, load_settings

NOW = datetime(2026, 3, 2, 8, 45, tzinfo=UTC)
SIGNER = Signer(b"a test key that is long enough")
NOTE = "You got this on email because email is the organization's first channel that reaches you."
LINKS = Links(
    respond={
        "applied": "https://k.example/r/a?x=1&y=2",
        "not_relevant": "https://k.example/r/n",
        "snooze": "https://k.example/r/s",
    },
    inbox="https://k.example/inbox?token=i",
    preferences="https://k.example/preferences?token=p",
)
MEETING = {
    "uid": "weekly-1on1",
    "title": "1:1 Bea / Rita",
    "start": "2026-03-02T09:00:00+00:00",
    "end": "2026-03-02T09:30:00+00:00",
    "recurrence_id": "2026-03-02T09:00:00+00:00",
}


def nudge(moment_id: int | None = 42, **changes: object) -> Nudge:
    values: dict[str, object] = {
        "recipient_id": "boss", "recipient_email": "boss@example.com", "recipient_name": "Bea Boss",
        "subject": "Before your 1:1 with Rita", "text": "Ask Rita about the review.\n\n--\nWhy: her goal.",
        "html": '<!DOCTYPE html><html><head></head><body style="x"><p>Ask Rita about the review.</p></body></html>',
        "why": {}, "moment_id": moment_id, "links": LINKS, "delivery_note": NOTE,
    }  # fmt: skip
    values.update(changes)
    return Nudge(**values)  # type: ignore[arg-type]


def channel(replies: bool = True) -> EmailChannel:
    return EmailChannel(SmtpSettings(sender="Kairos <kairos@kairos.example>"), SIGNER if replies else None,
                        "reply.kairos.example" if replies else None, FrozenClock(NOW))  # fmt: skip


def parts(msg: EmailMessage) -> tuple[str, str]:
    """The plain and HTML bodies, read back from the bytes as a mail client would."""
    parsed = message_from_bytes(msg.as_bytes(), policy=default)
    assert isinstance(parsed, EmailMessage)
    plain, html = parsed.get_body(("plain",)), parsed.get_body(("html",))
    assert plain is not None and html is not None
    return plain.get_content().replace("\r\n", "\n"), html.get_content().replace("\r\n", "\n")


class Anchors(HTMLParser):
    def __init__(self) -> None:
        super().__init__()
        self.found: list[tuple[str, str]] = []
        self._href: str | None = None
        self._text = ""

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag == "a":
            self._href, self._text = dict(attrs).get("href"), ""

    def handle_data(self, data: str) -> None:
        if self._href is not None:
            self._text += data

    def handle_endtag(self, tag: str) -> None:
        if tag == "a" and self._href is not None:
            self.found.append((self._text, self._href))
            self._href = None


def anchors(html: str) -> list[tuple[str, str]]:
    parser = Anchors()
    parser.feed(html)
    return parser.found


def test_the_delivery_note_ends_both_parts() -> None:
    plain, html = parts(channel().message(nudge(), "m42/email"))

    assert plain.rstrip().endswith(NOTE)
    assert html.rstrip().endswith(f'<p style="font-size: 0.9em; color: #444">{escape(NOTE)}</p></body></html>')


def test_one_tap_answers_are_real_links_with_words_and_the_inbox_and_preferences_follow() -> None:
    plain, html = parts(channel().message(nudge(), "m42/email"))

    assert anchors(html) == [
        ("I applied it", "https://k.example/r/a?x=1&y=2"),
        ("Not relevant", "https://k.example/r/n"),
        ("Remind me later", "https://k.example/r/s"),
        ("Your Kairos inbox", "https://k.example/inbox?token=i"),
        ("Your delivery preferences", "https://k.example/preferences?token=p"),
    ]
    assert "<img" not in html
    assert "I applied it: https://k.example/r/a?x=1&y=2\nNot relevant: https://k.example/r/n\n" in plain
    assert "Your delivery preferences: https://k.example/preferences?token=p" in plain


def test_without_a_public_url_there_are_no_links_but_the_note_is_still_there() -> None:
    plain, html = parts(channel(replies=False).message(nudge(links=Links()), "m42/email"))

    assert anchors(html) == []
    assert "http" not in plain
    assert plain.rstrip().endswith(NOTE)


def test_replies_go_to_a_signed_address_for_this_moment_and_its_recipient_and_the_message_says_what_to_write() -> None:
    msg = channel().message(nudge(), "m42/email")
    plain, html = parts(msg)

    local, domain = str(msg["Reply-To"]).split("@")
    assert domain == "reply.kairos.example"
    assert SIGNER.read_reply_local_part(local) == 42
    assert SIGNER.reply_matches(local, "boss") and not SIGNER.reply_matches(local, "rep")
    assert REPLY_HINT in plain and "&quot;done&quot;, &quot;not relevant&quot;" in html


def test_the_reply_hint_is_said_once_when_the_delivery_note_already_carries_it() -> None:
    plain, _ = parts(channel().message(nudge(delivery_note=f"{NOTE} {REPLY_HINT}"), "m42/email"))

    assert plain.count(REPLY_HINT) == 1


def test_without_a_reply_domain_there_is_no_reply_to_and_no_promise_of_one() -> None:
    msg = channel(replies=False).message(nudge(), "m42/email")

    assert msg["Reply-To"] is None
    assert REPLY_HINT not in parts(msg)[0]


def test_the_answer_links_come_before_the_why_you_are_seeing_this_footer() -> None:
    html_footer = nudge().html.replace("</p></body>", "</p><hr><p>Why: her goal.</p></body>")
    plain, html = parts(channel().message(nudge(html=html_footer), "k"))

    assert plain.index("I applied it:") < plain.index("--\nWhy: her goal.") < plain.index("Your Kairos inbox")
    assert html.index(">I applied it<") < html.index("<hr><p>Why: her goal.") < html.index(">Your Kairos inbox<")


def test_the_preferences_link_is_the_list_unsubscribe_address_unencoded_however_long() -> None:
    long = "https://k.example/preferences?token=" + "eyJ" * 60
    raw = channel().message(nudge(links=Links(preferences=long)), "k").as_bytes()

    assert f"List-Unsubscribe: <{long}>\r\n".encode() in raw
    assert channel().message(nudge(links=Links()), "k")["List-Unsubscribe"] is None


def test_a_brief_about_a_meeting_carries_itself_as_a_calendar_file_at_the_meetings_time() -> None:
    msg = message_from_bytes(channel().message(nudge(meeting=MEETING), "m42/email").as_bytes(), policy=default)
    assert isinstance(msg, EmailMessage)

    (attachment,) = list(msg.iter_attachments())
    assert attachment.get_filename() == "brief.ics"
    assert attachment.get_content_type() == "text/calendar"
    assert attachment.get_param("method") == "PUBLISH"
    calendar = icalendar.Calendar.from_ical(attachment.get_content())
    (event,) = calendar.walk("VEVENT")
    assert str(calendar["METHOD"]) == "PUBLISH"
    assert event.decoded("DTSTART") == datetime(2026, 3, 2, 9, tzinfo=UTC)
    assert str(event["SUMMARY"]) == "Brief: 1:1 Bea / Rita"
    assert str(event["RELATED-TO"]) == "weekly-1on1"
    assert str(event["DESCRIPTION"]) == "Ask Rita about the review.\n\n--\nWhy: her goal."
    assert str(event["UID"]) == "kairos-brief-42@kairos.example"


def test_a_nudge_without_a_meeting_has_no_attachment() -> None:
    assert list(channel().message(nudge(), "k").iter_attachments()) == []


def test_a_digest_shows_each_nudge_with_its_own_answer_links_and_a_reply_link_per_nudge() -> None:
    first = nudge(41, links=Links(respond={"applied": "https://k.example/r/41a"}), subject="First")
    second = nudge(43, links=Links(respond={"applied": "https://k.example/r/43a"}), subject="Second")
    digest = nudge(None, subject="Your Kairos digest: 2 notes", text="ignored", html="ignored", digest=(first, second))

    msg = channel().message(digest, "digest-boss/email")
    plain, html = parts(msg)

    assert msg["Reply-To"] is None  # one address could not say which of the two a reply answers
    found = anchors(html)
    assert ("I applied it", "https://k.example/r/41a") in found and ("I applied it", "https://k.example/r/43a") in found
    mail = [href for text, href in found if text == "Answer by email"]
    assert [SIGNER.read_reply_local_part(h.removeprefix("mailto:").split("@")[0]) for h in mail] == [41, 43]
    assert plain.index("1. First") < plain.index("https://k.example/r/41a") < plain.index("2. Second")
    assert "ignored" not in plain
    assert plain.rstrip().endswith(NOTE)


def test_a_digest_of_one_nudge_is_answered_by_replying() -> None:
    only = nudge(41, subject="Only")

    msg = channel().message(nudge(None, digest=(only,)), "digest-boss/email")

    assert SIGNER.read_reply_local_part(str(msg["Reply-To"]).split("@")[0]) == 41


def test_from_settings_signs_replies_only_when_a_reply_domain_is_set(tmp_path: Path) -> None:
    off = from_settings(load_settings(data_dir=tmp_path / "off"))
    on = from_settings(load_settings(data_dir=tmp_path / "on", mail_in={"reply_domain": "reply.example"}))

    assert off.replies is None and off.answers == ""
    assert not (tmp_path / "off" / "secret.key").exists()
    assert on.replies is not None and on.answers == REPLY_HINT
