"""From the example files to a brief in a real mail server, and the manager's emailed "done" back through a
separate ``kairos mail-in`` process into the stored responses — the loop's steps 6 and 7 over real SMTP."""

from __future__ import annotations

import smtplib
from datetime import timedelta
from email.message import EmailMessage
from email.utils import make_msgid
from pathlib import Path

import pytest
from sqlalchemy import select

from kairos.store import open_database
from kairos.store.schema import moments, responses
from tests.e2e.conftest import Kairos, import_demo_org, read_mail
from tests.e2e.test_reinforcement_loop import _first_one_on_one_with_a_goal
from tests.support.servers import ServerProcess, SmtpServer, free_port, smtp_banner

pytestmark = pytest.mark.e2e

REPLY_DOMAIN = "replies.northwind.example"


def _reply(to: str, sender: str, body: str, message_id: str) -> EmailMessage:
    msg = EmailMessage()
    msg["From"], msg["To"], msg["Subject"], msg["Message-ID"] = sender, to, "Re: your brief", message_id
    msg.set_content(body)
    return msg


def test_a_managers_emailed_done_reaches_kairos_through_mail_in_and_counts_once(
    database_url: str, tmp_path: Path, smtp: SmtpServer
) -> None:
    kairos = Kairos(database_url, tmp_path, smtp.port)
    port = free_port()
    kairos.env |= {"KAIROS_MAIL_IN__REPLY_DOMAIN": REPLY_DOMAIN, "KAIROS_MAIL_IN__PORT": str(port),
                   "KAIROS_DELIVERY__SECRET_KEY": "e2e-secret-e2e-secret-e2e-secret"}  # fmt: skip
    import_demo_org(kairos)
    meeting, report, _, _ = _first_one_on_one_with_a_goal(database_url)
    kairos("run", "--once", "--now", (meeting.start - timedelta(minutes=30)).isoformat())
    db = open_database(database_url)
    with db.transaction() as conn:
        brief = conn.execute(select(moments).where(moments.c.context["meeting"].as_string() == meeting.key,
                                                   moments.c.action == "manager-brief")).one()  # fmt: skip
    [mail] = [read_mail(p) for p in (tmp_path / "mail").glob("*.eml") if read_mail(p)["X-Kairos-Delivery"] ==
              f"moment-{brief.id}/email"]  # fmt: skip
    reply_to = mail["Reply-To"].addresses[0].addr_spec
    assert reply_to.startswith(f"reply+m{brief.id}.") and reply_to.endswith(f"@{REPLY_DOMAIN}")
    manager = mail["To"].addresses[0].addr_spec

    server = ServerProcess(kairos.command("mail-in"), tmp_path / "mail-in.log", lambda: smtp_banner(port),
                           env=kairos.env)  # fmt: skip
    try:
        reply = _reply(reply_to, manager, f"Done!\n\nOn Mon, 2 Mar 2026, Kairos wrote:\n> {mail['Subject']}\n",
                       make_msgid(domain="northwind.example"))  # fmt: skip
        for _ in range(2):  # a mail system that resends the same reply changes nothing the second time
            with smtplib.SMTP("127.0.0.1", port, timeout=10) as client:
                refused = client.send_message(reply)
            assert refused == {}
        stranger = _reply(reply_to, "someone.else@northwind.example", "done", make_msgid(domain="example.org"))
        with smtplib.SMTP("127.0.0.1", port, timeout=10) as client, pytest.raises(smtplib.SMTPDataError) as bounced:
            client.send_message(stranger)
        assert bounced.value.smtp_code == 550
    finally:
        server.stop()
    with db.transaction() as conn:
        stored = conn.execute(select(responses).where(responses.c.moment_id == brief.id)).all()
    db.dispose()
    assert [(r.kind, r.channel, r.person_id) for r in stored] == [("applied", "email", report.manager_id)]
