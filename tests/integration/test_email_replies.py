"""Answering an email nudge by replying: the loop delivers over real SMTP, the reply comes back over real SMTP.

A tick at ``DUE`` sends the 1:1 brief to Bea (boss) and the tip to Rita (rep) through an aiosmtpd sink; replies go to
the ``kairos mail-in`` server (``email_inbound.controller``) on a free port, sent with smtplib as a mail system would.
"""

from __future__ import annotations

import smtplib
import threading
import time
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from email import message_from_bytes
from email.message import EmailMessage
from email.policy import SMTP, default
from email.utils import make_msgid
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import select

from kairos.clock import FrozenClock
from kairos.deliver.base import ReceiptStatus
from kairos.deliver.channels import email as email_channel
from kairos.deliver.channels import email_inbound
from kairos.deliver.tokens import signer
from kairos.demo.mail_sink import MailSink
from kairos.domain.nudge import Nudge
from kairos.settings import SettingsError, SmtpSettings, load_settings
from kairos.store import Database, open_database
from kairos.store.schema import events, moments, responses
from kairos.worker.runtime import Runtime
from kairos.worker.tick import tick
from tests.support.loop import runtime, small_org
from tests.support.servers import free_port, smtp_banner

DUE = datetime(2026, 3, 2, 8, 45, tzinfo=UTC)  # 09:45 in Berlin, before the 10:00 1:1
LATER = DUE + timedelta(minutes=20)
SETTINGS: dict[str, Any] = {
    "delivery": {"channels": ["email"], "secret_key": "a test key that is long enough"},
    "mail_in": {"reply_domain": "reply.kairos.example", "max_message_bytes": 10_000},
}

NUDGE = Nudge(recipient_id="boss", recipient_email="boss@example.com", recipient_name="Bea Boss", subject="Brief",
              text="Ask Rita.", html="<p>Ask Rita.</p>", why={}, moment_id=42, delivery_note="By email.")  # fmt: skip


@dataclass
class Loop:
    rt: Runtime
    port: int  # where replies go
    delivered: dict[str, EmailMessage]  # the nudge each person received, by their address

    def reply_to(self, who: str) -> str:
        return str(self.delivered[who]["Reply-To"])


@pytest.fixture
def loop(db: Database, tmp_path: Path) -> Iterator[Loop]:
    small_org(db, tmp_path)
    with MailSink(tmp_path / "mail") as sink:
        rt = runtime(db, tmp_path, smtp={"port": sink.port, "sender": "Kairos <kairos@kairos.example>"}, **SETTINGS)
        tick(rt, DUE)
    delivered = {}
    for path in sorted((tmp_path / "mail").glob("*.eml")):
        msg = message_from_bytes(path.read_bytes(), policy=default)
        assert isinstance(msg, EmailMessage)
        delivered[msg["To"].addresses[0].addr_spec] = msg
    assert set(delivered) == {"boss@example.com", "rep@example.com"}
    server = email_inbound.controller(rt.settings, db, FrozenClock(LATER), port=free_port())
    server.start()
    try:
        yield Loop(rt, int(server.port), delivered)
    finally:
        server.stop()


def reply(original: EmailMessage, body: str, *, sender: str, message_id: str | None = None, **headers: str) -> bytes:
    """A reply as a mail client writes it: the answer on top, the nudge quoted below."""
    msg = EmailMessage()
    msg["From"] = sender
    msg["To"] = original["Reply-To"]
    msg["Subject"] = f"Re: {original['Subject']}"
    msg["Message-ID"] = message_id or make_msgid(domain="mail.example.com")
    msg["In-Reply-To"] = original["Message-ID"]
    for name, value in headers.items():
        msg[name.replace("_", "-")] = value
    plain = original.get_body(("plain",))
    assert plain is not None
    quoted = "\n".join(f"> {line}" for line in plain.get_content().splitlines())
    msg.set_content(f"{body}\n\nOn Mon, 2 Mar 2026 at 09:45, Kairos <kairos@kairos.example> wrote:\n{quoted}\n")
    return msg.as_bytes(policy=SMTP)  # CRLF, as SMTP wants


def send(port: int, mail_from: str, rcpt: str, raw: bytes) -> tuple[int, str]:
    """One SMTP transaction; the server's answer to RCPT (when refused) or to DATA."""
    with smtplib.SMTP("127.0.0.1", port, timeout=10) as smtp:
        smtp.ehlo()
        code, answer = smtp.mail(mail_from)
        assert code == 250, answer
        code, answer = smtp.rcpt(rcpt)
        if code != 250:
            return code, answer.decode()
        try:
            code, answer = smtp.data(raw)
        except smtplib.SMTPDataError as exc:
            return exc.smtp_code, exc.smtp_error.decode() if isinstance(exc.smtp_error, bytes) else exc.smtp_error
        return code, answer.decode()


def stored(db: Database) -> list[Any]:
    with db.transaction() as conn:
        return list(conn.execute(select(responses).order_by(responses.c.id)))


def rejections(db: Database) -> list[str]:
    with db.transaction() as conn:
        rows = conn.execute(select(events.c.data).where(events.c.type == "channel.rejected").order_by(events.c.seq))
        return [r.data["reason"] for r in rows if r.data["channel"] == "email"]


def moment_of(db: Database, recipient: str) -> Any:
    with db.transaction() as conn:
        return conn.execute(select(moments).where(moments.c.recipient_id == recipient,
                                                  moments.c.stop_reason == "delivered")).one()  # fmt: skip


def test_replying_done_to_the_brief_records_it_as_applied(loop: Loop) -> None:
    brief = loop.delivered["boss@example.com"]

    code, answer = send(loop.port, "boss@example.com", loop.reply_to("boss@example.com"),
                        reply(brief, "Done!", sender="Bea Boss <boss@example.com>"))  # fmt: skip

    assert (code, answer) == (250, "2.0.0 Thank you: recorded as applied")
    (response,) = stored(loop.rt.db)
    assert (response.moment_id, response.person_id, response.kind, response.channel, response.text) == (
        moment_of(loop.rt.db, "boss").id, "boss", "applied", "email", None
    )  # fmt: skip
    assert rejections(loop.rt.db) == []


def test_replying_later_plans_the_tip_again_for_the_next_working_morning(loop: Loop) -> None:
    tip = loop.delivered["rep@example.com"]
    snoozed = moment_of(loop.rt.db, "rep")

    code, _ = send(loop.port, "rep@example.com", loop.reply_to("rep@example.com"),
                   reply(tip, "later", sender="rep@example.com"))  # fmt: skip

    assert code == 250
    assert [r.kind for r in stored(loop.rt.db)] == ["snooze"]
    with loop.rt.db.transaction() as conn:
        again = conn.execute(select(moments).where(moments.c.context["snoozed_from"].as_integer() == snoozed.id)).one()
    assert (again.status, again.due_at) == ("planned", datetime(2026, 3, 3, 8, tzinfo=UTC))  # Tue 09:00 Berlin


def test_a_sentence_is_kept_as_a_reflection_without_the_quoted_nudge_or_signature(loop: Loop) -> None:
    tip = loop.delivered["rep@example.com"]
    words = "I gave Sam feedback the same day.\nIt felt awkward but he thanked me."

    send(loop.port, "rep@example.com", loop.reply_to("rep@example.com"),
         reply(tip, f"{words}\n\n-- \nRita Report\nEngineer", sender="rep@example.com"))  # fmt: skip

    ((kind, text),) = [(r.kind, r.text) for r in stored(loop.rt.db)]
    assert (kind, text) == ("reflection", words)


def test_a_resent_reply_is_taken_again_and_changes_nothing(loop: Loop) -> None:
    brief = loop.delivered["boss@example.com"]
    raw = reply(brief, "not relevant", sender="boss@example.com", message_id="<same@mail.example.com>")

    first = send(loop.port, "boss@example.com", loop.reply_to("boss@example.com"), raw)
    second = send(loop.port, "boss@example.com", loop.reply_to("boss@example.com"), raw)

    assert first[0] == second[0] == 250  # a resend must not bounce
    assert second[1] == "2.0.0 This reply was already recorded"
    assert [r.kind for r in stored(loop.rt.db)] == ["not_relevant"]
    assert rejections(loop.rt.db) == ["replayed"]


def test_someone_else_cannot_answer_a_nudge_by_replying_to_its_address(loop: Loop) -> None:
    brief = loop.delivered["boss@example.com"]

    code, answer = send(loop.port, "rep@example.com", loop.reply_to("boss@example.com"),
                        reply(brief, "done", sender="rep@example.com"))  # fmt: skip
    stranger = send(loop.port, "eve@elsewhere.example", loop.reply_to("boss@example.com"),
                    reply(brief, "done", sender="eve@elsewhere.example"))  # fmt: skip

    assert (code, answer) == (550, "5.7.1 Only the person a nudge was sent to can answer it")
    assert stranger[0] == 550
    assert stored(loop.rt.db) == []
    assert rejections(loop.rt.db) == ["not_recipient", "unknown_sender"]


def test_a_forged_or_unknown_reply_address_is_refused_before_the_message_is_sent(loop: Loop) -> None:
    genuine = loop.reply_to("boss@example.com")
    local, domain = genuine.split("@")
    moment = int(local.split(".")[0].removeprefix("reply+m"))
    forged = f"reply+m{moment}.{'0' * 20}@{domain}"
    other_moment = f"{loop.reply_to('rep@example.com').split('.')[0]}.{local.split('.')[1]}@{domain}"

    answers = [send(loop.port, "boss@example.com", rcpt, b"Subject: x\r\n\r\ndone\r\n")
               for rcpt in (forged, other_moment, "reply+m999999.0123456789abcdef0123@reply.kairos.example",
                            "bea@reply.kairos.example", genuine.replace(domain, "elsewhere.example"))]  # fmt: skip

    assert [code for code, _ in answers] == [550] * 5
    assert {text for _, text in answers} == {"5.1.1 No such Kairos reply address"}
    assert rejections(loop.rt.db) == ["forged", "forged", "unknown_message", "unknown_message", "unknown_message"]
    assert stored(loop.rt.db) == []


def test_one_message_answers_one_nudge(loop: Loop) -> None:
    with smtplib.SMTP("127.0.0.1", loop.port, timeout=10) as smtp:
        smtp.ehlo()
        smtp.mail("boss@example.com")
        assert smtp.rcpt(loop.reply_to("boss@example.com"))[0] == 250
        assert smtp.rcpt(loop.reply_to("rep@example.com"))[0] == 452


def test_an_oversized_reply_is_refused_with_552_whether_announced_or_not_and_noted(loop: Loop) -> None:
    rcpt = loop.reply_to("boss@example.com")
    raw = reply(loop.delivered["boss@example.com"], "done " + "x" * 20_000, sender="boss@example.com")

    # smtplib announces SIZE= itself
    with (
        smtplib.SMTP("127.0.0.1", loop.port, timeout=10) as smtp,
        pytest.raises(smtplib.SMTPSenderRefused) as announced,
    ):
        smtp.sendmail("boss@example.com", [rcpt], raw)
    unannounced = send(loop.port, "boss@example.com", rcpt, raw)

    assert announced.value.smtp_code == 552
    assert unannounced[0] == 552 and "10000 bytes" in unannounced[1]
    assert rejections(loop.rt.db) == ["oversized", "oversized"]
    assert stored(loop.rt.db) == []


def test_a_reflection_over_5000_characters_bounces_and_says_the_limit(loop: Loop) -> None:
    lines = ["I tried it and it went well, and I would do it again next week."] * 80  # under the byte limit
    words = "\n".join(lines)  # 5,199 characters
    raw = ("From: rep@example.com\r\nSubject: Re: tip\r\n\r\n" + "\r\n".join(lines) + "\r\n").encode()

    code, answer = send(loop.port, "rep@example.com", loop.reply_to("rep@example.com"), raw)

    assert (code, answer) == (552, f"5.3.4 Kairos keeps a reflection to 5000 characters and this one has "
                                   f"{len(words)}; please shorten it and reply again")  # fmt: skip
    assert stored(loop.rt.db) == []
    assert rejections(loop.rt.db) == ["oversized"]


def test_an_out_of_office_reply_is_taken_and_only_noted(loop: Loop) -> None:
    brief = loop.delivered["boss@example.com"]

    code, _ = send(loop.port, "boss@example.com", loop.reply_to("boss@example.com"),
                   reply(brief, "I am away until Monday.", sender="boss@example.com",
                         Auto_Submitted="auto-replied"))  # fmt: skip

    assert code == 250
    assert stored(loop.rt.db) == []
    assert rejections(loop.rt.db) == ["unsupported"]


def test_a_line_longer_than_smtp_allows_is_refused_and_noted(loop: Loop) -> None:
    raw = ("From: rep@example.com\r\nSubject: Re: tip\r\n\r\n" + "x" * 2000 + "\r\n").encode()

    code, _ = send(loop.port, "rep@example.com", loop.reply_to("rep@example.com"), raw)

    assert code == 500
    assert rejections(loop.rt.db) == ["malformed"]


def test_serve_answers_on_the_configured_port_until_stopped(db: Database, tmp_path: Path) -> None:
    settings = load_settings(data_dir=tmp_path, mail_in={"reply_domain": "reply.example", "port": free_port()})
    stop = threading.Event()
    server = threading.Thread(target=email_inbound.serve, args=(settings, db), kwargs={"stop": stop})
    server.start()
    try:
        deadline = time.monotonic() + 10
        while not smtp_banner(settings.mail_in.port) and time.monotonic() < deadline:
            time.sleep(0.05)
        code, _ = send(settings.mail_in.port, "boss@example.com", "nobody@reply.example", b"Subject: x\r\n\r\ndone\r\n")
    finally:
        stop.set()
        server.join(10)
    assert code == 550 and not server.is_alive()
    assert rejections(db) == ["unknown_message"]


def test_without_a_reply_domain_there_is_nothing_to_serve(db: Database, tmp_path: Path) -> None:
    with pytest.raises(SettingsError, match="KAIROS_MAIL_IN__REPLY_DOMAIN"):
        email_inbound.serve(load_settings(data_dir=tmp_path), db)


# --- the outbound message over real SMTP -----------------------------------------------------------------------------


def test_a_nudge_goes_out_once_with_its_reply_address_and_the_message_id_is_the_provider_id(tmp_path: Path) -> None:
    settings = load_settings(data_dir=tmp_path, **SETTINGS)
    marks: list[str] = []
    with MailSink(tmp_path / "mail") as sink:
        channel = email_channel.from_settings(settings.model_copy(update={"smtp": SmtpSettings(port=sink.port)}))
        receipt = channel.send(NUDGE, None, "moment-42/email", lambda: marks.append("in flight"))
    (path,) = sorted((tmp_path / "mail").glob("*.eml"))
    sent = message_from_bytes(path.read_bytes(), policy=default)

    assert (receipt.status, marks) == (ReceiptStatus.DELIVERED, ["in flight"])
    assert receipt.provider_id == sent["Message-ID"] and "moment-42.email" in str(receipt.provider_id)
    local = str(sent["Reply-To"]).split("@")[0]
    assert signer(settings).reply_matches(local, "boss")


def test_a_refused_recipient_is_permanent_and_an_unreachable_server_retryable(loop: Loop, tmp_path: Path) -> None:
    # The reply server refuses any address that is not a reply address: a real 550 at RCPT TO.
    refusing = email_channel.EmailChannel(SmtpSettings(port=loop.port))
    gone = email_channel.EmailChannel(SmtpSettings(port=free_port(), timeout_seconds=2))
    marks: list[str] = []

    refused = refusing.send(NUDGE, None, "k1", lambda: marks.append("in flight"))
    unreachable = gone.send(NUDGE, None, "k2", lambda: marks.append("in flight"))

    assert refused.status is ReceiptStatus.PERMANENT and "RCPT TO refused: 550" in refused.detail
    assert unreachable.status is ReceiptStatus.RETRYABLE
    assert marks == []  # neither server could have accepted anything


def test_a_database_outage_is_a_temporary_failure_so_the_reply_is_kept_and_tried_again(tmp_path: Path) -> None:
    unreachable = open_database("postgresql+psycopg://kairos@127.0.0.1:9/kairos?connect_timeout=2")
    settings = load_settings(data_dir=tmp_path, **SETTINGS)
    handler = email_inbound.ReplyHandler(unreachable, signer(settings), settings, FrozenClock(LATER))
    server = email_inbound.ReplyController(handler, hostname="127.0.0.1", port=free_port())
    server.start()
    try:
        code, answer = send(int(server.port), "boss@example.com", "reply+m1.0123456789abcdef0123@reply.kairos.example",
                            b"Subject: x\r\n\r\ndone\r\n")  # fmt: skip
    finally:
        server.stop()
        unreachable.dispose()
    assert code == 451 and "postgres" not in answer.lower()
