"""A mail server that takes the whole message and drops the connection before saying "250" may have accepted it:
the email channel says it is uncertain (the worker will not send it twice); a refused connection is only retried."""

from __future__ import annotations

import socket
import threading

from kairos.deliver.base import ReceiptStatus
from kairos.deliver.channels.email import EmailChannel
from kairos.domain.nudge import Nudge
from kairos.settings import SmtpSettings
from tests.support.servers import free_port

NUDGE = Nudge(recipient_id="rep", recipient_email="rep@example.com", recipient_name="Rita Report", subject="Hello",
              text="A note.", html="<p>A note.</p>", why={}, moment_id=7)  # fmt: skip


def _drops_after_data(listener: socket.socket, seen: list[str]) -> None:
    conn, _ = listener.accept()
    with conn, conn.makefile("rb") as lines:
        conn.sendall(b"220 test ESMTP\r\n")
        while True:
            line = lines.readline()
            if not line:
                return
            seen.append(line.decode().strip().split(" ")[0].upper())
            if line.upper().startswith(b"DATA"):
                conn.sendall(b"354 go ahead\r\n")
                while lines.readline() not in (b".\r\n", b""):
                    pass
                return  # the message is here; the connection closes with no answer
            conn.sendall(b"250 ok\r\n")


def test_a_connection_lost_after_the_message_was_sent_is_uncertain() -> None:
    listener = socket.socket()
    listener.bind(("127.0.0.1", 0))
    listener.listen(1)
    seen: list[str] = []
    server = threading.Thread(target=_drops_after_data, args=(listener, seen), daemon=True)
    server.start()
    marked: list[bool] = []
    channel = EmailChannel(SmtpSettings(host="127.0.0.1", port=listener.getsockname()[1], timeout_seconds=5))
    receipt = channel.send(NUDGE, None, "moment-7/email", lambda: marked.append(True))
    server.join(5)
    listener.close()
    assert marked == [True] and "DATA" in seen
    assert receipt.status is ReceiptStatus.UNCERTAIN and "during DATA" in receipt.detail


def test_a_refused_connection_is_retried_because_nothing_was_sent() -> None:
    channel = EmailChannel(SmtpSettings(host="127.0.0.1", port=free_port(), timeout_seconds=5))
    marked: list[bool] = []
    receipt = channel.send(NUDGE, None, "moment-7/email", lambda: marked.append(True))
    assert receipt.status is ReceiptStatus.RETRYABLE and marked == []
