"""The web inbox (D6): every nudge is stored, so "delivering" to the inbox is a receipt, never a send.

Every nudge is readable in its recipient's inbox whatever channel carried it (``api/inbox.py``). The inbox is also
a channel of its own: for people who chose it ("nothing pushed, I will look"), and for those no other enabled
channel reaches.
"""

from __future__ import annotations

from collections.abc import Callable

from kairos.deliver.base import Address, Channel, Check, Receipt, ReceiptStatus
from kairos.domain.nudge import Nudge
from kairos.domain.person import Person
from kairos.settings import Settings


class InboxChannel(Channel):
    name = "inbox"
    resend_is_safe = True  # nothing leaves the deployment
    answers = "Answer from your Kairos inbox."

    def reaches(self, person: Person, address: Address | None) -> bool:
        return True

    def check(self) -> Check:
        return Check(True, "every nudge is kept in the database; people read it with their link or the API")

    def send(
        self, nudge: Nudge, address: Address | None, idempotency_key: str, mark_in_flight: Callable[[], None]
    ) -> Receipt:
        return Receipt(ReceiptStatus.DELIVERED, detail="kept in the web inbox")


def from_settings(settings: Settings) -> InboxChannel:
    return InboxChannel()
