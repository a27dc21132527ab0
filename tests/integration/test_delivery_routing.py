"""The delivery stage against a real database and a real SMTP server: the channel each person gets and why,
fallbacks when a channel cannot deliver, dead letters, daily digests, a person's own quiet hours, companions.

The chat channel here is a recording stand-in (the worker's rules are under test, not a provider); each real
channel has its own tests against its server or documented payloads.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import select

from kairos.deliver.base import Address, Channel, Receipt, ReceiptStatus
from kairos.deliver.channels.email import EmailChannel
from kairos.deliver.channels.inbox import InboxChannel
from kairos.demo.mail_sink import MailSink
from kairos.domain.moment import TraceStep
from kairos.domain.nudge import Nudge
from kairos.domain.person import Person
from kairos.domain.preferences import Address as StoredAddress
from kairos.domain.preferences import Preference
from kairos.ingest.people import import_people
from kairos.ingest.preferences import Change, change_preferences
from kairos.settings import SmtpSettings
from kairos.store import Database
from kairos.store import channels as channel_store
from kairos.store import decisions as decision_store
from kairos.store import moments as moment_store
from kairos.store.schema import deliveries, digests, moments
from kairos.worker.dead_letters import retry_dead_letter
from kairos.worker.review import approve
from kairos.worker.runtime import Runtime
from kairos.worker.tick import tick
from tests.factories import people_csv
from tests.support.loop import runtime, small_org, weekly_one_on_one
from tests.support.servers import free_port

DUE = datetime(2026, 3, 2, 8, 45, tzinfo=UTC)  # the first 1:1's brief (boss) and tip (rep) are due


class Recorder(Channel):
    """Records what it is given; answers from a script, then DELIVERED."""

    answers = "Answer with the buttons below."

    def __init__(self, name: str, *, reach: Callable[[Person], bool] = lambda p: True,
                 script: tuple[Receipt, ...] = (), companion: bool = False) -> None:  # fmt: skip
        self.name, self.reach, self.script, self.companion = name, reach, list(script), companion
        self.sent: list[tuple[Nudge, Address | None, str]] = []

    def reaches(self, person: Person, address: Address | None) -> bool:
        return self.reach(person)

    def applies_to(self, nudge: Nudge) -> bool:
        return nudge.meeting is not None if self.companion else True

    def send(self, nudge: Nudge, address: Address | None, key: str, mark_in_flight: Callable[[], None]) -> Receipt:
        mark_in_flight()
        self.sent.append((nudge, address, key))
        if self.script:
            return self.script.pop(0)
        return Receipt(ReceiptStatus.DELIVERED, provider_id=f"{self.name}/{len(self.sent)}",
                       learned=StoredAddress(self.name, f"{nudge.recipient_id}@{self.name}"))  # fmt: skip


@pytest.fixture
def sink(tmp_path: Path) -> Iterator[MailSink]:
    with MailSink(tmp_path / "mail") as server:
        yield server


def _channels(sink: MailSink, *extra: Channel) -> dict[str, Channel]:
    found: dict[str, Channel] = {c.name: c for c in extra}
    found["email"] = EmailChannel(SmtpSettings(host="127.0.0.1", port=sink.port))
    found["inbox"] = InboxChannel()
    return found


def _rows(db: Database, table: Any, *where: Any) -> list[Any]:
    with db.transaction() as conn:
        return list(conn.execute(select(table).where(*where).order_by(table.c[list(table.c.keys())[0]])))


def _moment(db: Database, recipient: str, action: str) -> Any:
    [row] = _rows(db, moments, moments.c.recipient_id == recipient, moments.c.action == action,
                  moments.c.due_at < datetime(2026, 3, 5, tzinfo=UTC))  # fmt: skip
    return row


def test_the_organizations_first_channel_that_reaches_a_person_carries_it_and_the_message_says_why(
    db: Database, tmp_path: Path, sink: MailSink
) -> None:
    small_org(db, tmp_path)
    chat = Recorder("chat", reach=lambda p: p.id == "boss")  # rep has no chat account
    rt = runtime(
        db,
        tmp_path,
        _channels(sink, chat),
        delivery={"channels": ["chat", "email"], "public_url": "https://kairos.example.org"},
    )
    tick(rt, DUE)
    [(nudge, address, key)] = chat.sent
    brief = _moment(db, "boss", "manager-brief")
    assert nudge.recipient_id == "boss" and nudge.moment_id == brief.id and key == f"moment-{brief.id}/chat"
    assert address is None  # nothing on record yet; what the channel learned is kept for next time
    with db.transaction() as conn:
        assert channel_store.address(conn, "boss", "chat") == StoredAddress("chat", "boss@chat")
    assert "You got this on chat because chat is the organization's first channel that reaches you." in (
        nudge.delivery_note
    )
    assert "Answer with the buttons below." in nudge.delivery_note
    assert "https://kairos.example.org/preferences?token=" in nudge.delivery_note
    assert set(nudge.links.respond) == {"applied", "not_relevant", "snooze", "reflection", "rating"}
    assert nudge.meeting is not None and nudge.meeting["title"] == "1:1 Bea / Rita"
    route = [s for s in brief.trace if s["path"] == "deliver/route"]
    assert route[0]["detail"].startswith("chat: ")
    tip = _moment(db, "rep", "employee-tip")
    assert tip.stop_reason == "delivered" and len(sink.messages()) == 1  # rep got email
    assert "because email is the organization's first channel that reaches you" in sink.messages()[0].get_body(
        ("plain",)
    ).get_content().replace("\n", " ")  # fmt: skip


def test_a_channel_that_cannot_reach_the_person_falls_back_to_the_next_one(
    db: Database, tmp_path: Path, sink: MailSink
) -> None:
    small_org(db, tmp_path)
    gone = Receipt(ReceiptStatus.UNREACHABLE, detail="account_inactive")
    chat = Recorder("chat", script=(gone, gone))
    rt = runtime(db, tmp_path, _channels(sink, chat), delivery={"channels": ["chat", "email"]})
    tick(rt, DUE)  # both nudges fail on chat, and are planned again at once on email
    tick(rt, DUE)
    brief = _moment(db, "boss", "manager-brief")
    assert brief.stop_reason == "delivered" and len(sink.messages()) == 2
    rows = _rows(db, deliveries, deliveries.c.moment_id == brief.id)
    assert [(r.channel, r.status) for r in rows] == [("chat", "failed"), ("email", "delivered")]
    assert rows[0].detail == "cannot reach the person: account_inactive"
    fallback = next(s for s in brief.trace if s["path"] == "deliver/fallback")
    assert "chat cannot reach the person: account_inactive; falling back to email" in fallback["detail"]
    said = " ".join(" ".join(m.get_body(("plain",)).get_content().split()) for m in sink.messages())
    assert "You got this on email because chat could not deliver it, and email is the organization's" in said


def test_retries_spread_out_then_the_delivery_is_dead_lettered_and_the_next_channel_takes_over(
    db: Database, tmp_path: Path, sink: MailSink
) -> None:
    small_org(db, tmp_path)
    busy = Receipt(ReceiptStatus.RETRYABLE, detail="ratelimited")
    chat = Recorder("chat", reach=lambda p: p.id == "rep", script=(busy,) * 3)
    rt = runtime(db, tmp_path, _channels(sink, chat), delivery={"channels": ["chat", "email"], "max_attempts": 3})
    now = DUE
    tick(rt, now)
    tip = _moment(db, "rep", "employee-tip")
    while tip.stop_reason is None:
        assert tip.due_at > now or tip.due_at == now  # a retry never comes early
        now = tip.due_at
        tick(rt, now)
        tip = _moment(db, "rep", "employee-tip")
    assert tip.stop_reason == "delivered"
    rows = _rows(db, deliveries, deliveries.c.moment_id == tip.id)
    assert [(r.channel, r.status, r.attempts) for r in rows] == [("chat", "failed", 3), ("email", "delivered", 1)]
    assert rows[0].detail == "dead-lettered after 3 attempts: ratelimited"
    assert len(chat.sent) == 3 and all(  # every try says why this channel, not how the last one went
        "because chat is the organization's first channel that reaches you" in n.delivery_note for n, _, _ in chat.sent
    )
    assert [s["detail"][:20] for s in tip.trace if s["path"] == "deliver"][:2] == [
        "chat attempt 1 faile", "chat attempt 2 faile"]  # fmt: skip


def test_when_no_channel_is_left_the_moment_fails_the_nudge_waits_in_the_inbox_and_can_be_sent_again(
    db: Database, tmp_path: Path
) -> None:
    small_org(db, tmp_path)
    port = free_port()  # nothing listens: the mail server is down
    email = EmailChannel(SmtpSettings(host="127.0.0.1", port=port))
    rt = runtime(db, tmp_path, {"email": email, "inbox": InboxChannel()}, delivery={"max_attempts": 1})
    tick(rt, DUE)
    tip = _moment(db, "rep", "employee-tip")
    assert tip.stop_reason == "delivery_failed"
    assert "waits in their inbox" in tip.trace[-1]["detail"]
    [row] = _rows(db, deliveries, deliveries.c.moment_id == tip.id)
    assert row.status == "failed" and row.detail.startswith("dead-lettered after 1 attempts: ConnectionRefusedError")
    with MailSink(tmp_path / "mail", port=port) as sink:  # the server is back
        assert retry_dead_letter(db, tip.id, by="ops", now=DUE + timedelta(minutes=5)) == "email"
        tick(rt, DUE + timedelta(minutes=5))
        assert _moment(db, "rep", "employee-tip").stop_reason == "delivered" and len(sink.messages()) == 1


def test_someone_who_opted_out_of_every_channel_gets_the_nudge_in_their_inbox_only(
    db: Database, tmp_path: Path, sink: MailSink
) -> None:
    small_org(db, tmp_path)
    change_preferences(db, "rep", Change(opt_out=("email",)), by="rep", enabled=["email"], now=DUE)
    rt = runtime(db, tmp_path, _channels(sink))
    tick(rt, DUE)
    tip = _moment(db, "rep", "employee-tip")
    assert tip.stop_reason == "delivered"
    [row] = _rows(db, deliveries, deliveries.c.moment_id == tip.id)
    route = next(s for s in tip.trace if s["path"] == "deliver/route")
    assert row.channel == "inbox" and "opted out of email" in route["detail"]
    assert [m["To"] for m in sink.messages()] == ["Bea Boss <boss@example.com>"]


def _promote_rep(db: Database, tmp: Path, now: datetime) -> None:
    people_csv(tmp / "people2.csv", [
        "boss,Bea Boss,boss@example.com,,Engineering Manager,M1,Core,Berlin,Europe/Berlin,2020-01-01",
        "rep,Rita Report,rep@example.com,boss,Senior Engineer,IC3,Core,Berlin,Europe/Berlin,2022-01-01",
    ])  # fmt: skip
    import_people(db, tmp / "people2.csv", as_of=now.date(), now=now)


def _held_promotion(db: Database, tmp: Path, rt: Runtime) -> Any:
    """rep takes a 09:15 digest; their promotion nudge (approved by a coach) is held for Wednesday's digest."""
    small_org(db, tmp)
    change_preferences(db, "rep", Change(pacing="digest", digest_time="09:15"), by="rep", enabled=["email"],
                       now=DUE)  # fmt: skip
    tick(rt, DUE)
    tip = _moment(db, "rep", "employee-tip")
    assert tip.stop_reason == "delivered"  # it expires at the 1:1, before any digest: it goes now
    _promote_rep(db, tmp, datetime(2026, 3, 3, 10, tzinfo=UTC))
    tick(rt, datetime(2026, 3, 3, 10, tzinfo=UTC))  # plans the promotion nudge for Wednesday 09:00 Berlin
    tick(rt, datetime(2026, 3, 4, 8, tzinfo=UTC))  # a transition plan waits for a person's approval first
    with db.transaction() as conn:
        [item] = decision_store.waiting_reviews(conn)
    approve(db, item.id, by="coach", note="fine", now=datetime(2026, 3, 4, 8, 5, tzinfo=UTC))
    tick(rt, datetime(2026, 3, 4, 8, 5, tzinfo=UTC))
    [promo] = [m for m in _rows(db, moments, moments.c.play_id == "promotion") if m.stop_reason is None]
    return promo


def _second_nudge_before_the_digest(db: Database, rt: Runtime, promo: Any) -> int:
    """Another nudge for rep (a copy of the held one), due at 09:10 Berlin, run: the id of its moment."""
    with db.transaction() as conn:
        second = moment_store.plan_again(
            conn,
            promo,
            suffix="second",
            due_at=datetime(2026, 3, 4, 8, 10, tzinfo=UTC),
            expires_at=datetime(2026, 3, 6, tzinfo=UTC),
            context={},
            step=TraceStep("test", "done", "a second nudge"),
            now=promo.created_at,
        )
    assert second is not None
    tick(rt, datetime(2026, 3, 4, 8, 10, tzinfo=UTC))
    return second


class WorkerDied(BaseException):
    """Stands for the process being killed: nothing in the worker catches it."""


def test_a_worker_that_dies_while_the_digest_is_being_accepted_never_sends_it_twice(
    db: Database, tmp_path: Path
) -> None:
    class DiesAfterCommitPoint(Recorder):
        def send(self, nudge: Nudge, address: Address | None, key: str, mark: Callable[[], None]) -> Receipt:
            if nudge.digest and not any(sent.digest for sent, _, _ in self.sent):
                mark()
                self.sent.append((nudge, address, key))
                raise WorkerDied
            return super().send(nudge, address, key, mark)

    chat = DiesAfterCommitPoint("chat")
    rt = runtime(db, tmp_path, {"chat": chat, "inbox": InboxChannel()}, delivery={"channels": ["chat"]},
                 claim_lease_seconds=60)  # fmt: skip
    promo = _held_promotion(db, tmp_path, rt)
    at = promo.due_at
    sent_before = len(chat.sent)
    with pytest.raises(WorkerDied):
        tick(rt, at)
    tick(rt, at + timedelta(minutes=2))  # the dead worker's lease is over: another worker takes the moment
    [promo] = _rows(db, moments, moments.c.id == promo.id)
    assert promo.stop_reason == "delivery_uncertain" and len(chat.sent) == sent_before + 1
    [digest] = _rows(db, digests)
    assert digest.status == "uncertain" and "not sent again" in digest.detail


def test_nudges_held_for_a_digest_count_against_the_weekly_cap(db: Database, tmp_path: Path, sink: MailSink) -> None:
    rt = runtime(db, tmp_path, _channels(sink), weekly_cap=2)  # rep's 1:1 tip went out on Monday: one of two
    promo = _held_promotion(db, tmp_path, rt)
    second = _second_nudge_before_the_digest(db, rt, promo)
    [copy] = _rows(db, moments, moments.c.id == second)
    assert copy.stop_reason == "weekly_cap" and "weekly cap 2/2" in copy.trace[-1]["detail"]


def test_a_daily_digest_gathers_held_nudges_into_one_message_while_briefs_still_go_on_time(
    db: Database, tmp_path: Path, sink: MailSink
) -> None:
    rt = runtime(db, tmp_path, _channels(sink))
    promo = _held_promotion(db, tmp_path, rt)
    assert promo.due_at == datetime(2026, 3, 4, 8, 15, tzinfo=UTC)  # 09:15 Berlin, today
    assert "held for the daily digest at Wed 09:15 Europe/Berlin" in promo.trace[-1]["detail"]
    second = _second_nudge_before_the_digest(db, rt, promo)
    [copy] = _rows(db, moments, moments.c.id == second)
    assert copy.stop_reason is None and copy.due_at == promo.due_at  # held for the same digest
    before = len(sink.messages())
    tick(rt, datetime(2026, 3, 4, 8, 15, tzinfo=UTC))
    done = _rows(db, moments, moments.c.id.in_([promo.id, second]))
    assert {m.stop_reason for m in done} == {"delivered"}
    [digest] = _rows(db, digests)
    assert digest.status == "delivered" and sorted(digest.moment_ids) == sorted([promo.id, second])
    mail = sink.messages()[before:]
    assert len(mail) == 1 and mail[0]["Subject"] == "Your Kairos digest: 2 notes"
    assert "you chose a daily digest" in mail[0].get_body(("plain",)).get_content().replace("\n", " ")
    rows = _rows(db, deliveries, deliveries.c.moment_id.in_([promo.id, second]))
    assert {(r.status, r.digest_key) for r in rows} == {("delivered", digest.key)}
    tick(rt, datetime(2026, 3, 4, 9, tzinfo=UTC))
    assert len(sink.messages()) == before + 1  # each went once


def test_a_persons_own_quiet_hours_are_honoured_at_delivery_time(db: Database, tmp_path: Path, sink: MailSink) -> None:
    small_org(db, tmp_path)
    change_preferences(db, "boss", Change(quiet_hours="07:00-09:40"), by="boss", enabled=["email"], now=DUE)
    rt = runtime(db, tmp_path, _channels(sink))
    tick(rt, DUE)  # 09:45 Berlin: outside boss's quiet hours, and rep has the organization's
    assert len(sink.messages()) == 2
    change_preferences(db, "boss", Change(quiet_hours="07:00-12:00"), by="boss", enabled=["email"], now=DUE)
    tick(rt, datetime(2026, 3, 9, 8, 45, tzinfo=UTC))  # the second week: boss's brief falls in quiet hours
    [brief] = _rows(db, moments, moments.c.recipient_id == "boss", moments.c.due_at > datetime(2026, 3, 8, tzinfo=UTC))
    assert brief.stop_reason == "quiet_hours"  # waiting until 12:00 would be after the 1:1
    assert "quiet hours (09:45 Europe/Berlin)" in brief.trace[-1]["detail"]


def test_a_companion_channel_gets_briefs_about_meetings_beside_the_persons_channel_and_retries_alone(
    db: Database, tmp_path: Path, sink: MailSink
) -> None:
    small_org(db, tmp_path)
    calendar = Recorder("calendar", companion=True,
                        script=(Receipt(ReceiptStatus.RETRYABLE, detail="412 precondition failed"),))  # fmt: skip
    rt = runtime(db, tmp_path, _channels(sink, calendar))
    report = tick(rt, DUE)
    assert report.companions == 2 and len(sink.messages()) == 2  # brief and tip are about the 1:1
    rows = _rows(db, deliveries, deliveries.c.channel == "calendar")
    assert sorted(r.status for r in rows) == ["delivered", "retry"] and not any(r.is_primary for r in rows)
    retry = next(r for r in rows if r.status == "retry")
    assert tick(rt, retry.next_attempt_at).companions == 1
    assert {r.status for r in _rows(db, deliveries, deliveries.c.channel == "calendar")} == {"delivered"}
    assert len(calendar.sent) == 3 and {m.stop_reason for m in _rows(db, moments, moments.c.id.in_(
        [r.moment_id for r in rows]))} == {"delivered"}  # fmt: skip


def test_preference_changes_are_checked_whole_and_only_by_the_person(db: Database, tmp_path: Path) -> None:
    from kairos.errors import InputError

    small_org(db, tmp_path)
    enabled = ["email", "slack"]
    with pytest.raises(InputError, match="by"):
        change_preferences(db, "rep", Change(channel="slack"), by="boss", enabled=enabled, now=DUE)
    with pytest.raises(InputError, match="enabled channels"):
        change_preferences(db, "rep", Change(channel="pigeon"), by="rep", enabled=enabled, now=DUE)
    with pytest.raises(InputError, match="opted out of slack"):
        change_preferences(db, "rep", Change(channel="slack", opt_out=("slack",)), by="rep", enabled=enabled, now=DUE)
    with pytest.raises(InputError, match="HH:MM-HH:MM"):
        change_preferences(db, "rep", Change(quiet_hours="after dinner"), by="rep", enabled=enabled, now=DUE)
    with pytest.raises(InputError, match="differ"):
        change_preferences(db, "rep", Change(quiet_hours="20:00-20:00"), by="rep", enabled=enabled, now=DUE)
    with pytest.raises(InputError, match="realtime or digest"):
        change_preferences(db, "rep", Change(pacing="weekly"), by="rep", enabled=enabled, now=DUE)
    with db.transaction() as conn:
        assert channel_store.preference(conn, "rep") is None  # nothing half-stored
    done = change_preferences(db, "rep", Change(channel="slack", pacing="digest", quiet_hours="19:00-08:00"),
                              by="rep", enabled=enabled, now=DUE)  # fmt: skip
    assert done.channel == "slack" and done.own_quiet_hours is not None
    assert date(2026, 3, 2) == DUE.date()


def test_a_connection_lost_after_the_commit_point_is_never_resent_unless_the_channel_deduplicates(
    db: Database, tmp_path: Path, sink: MailSink
) -> None:
    small_org(db, tmp_path)
    lost = Receipt(ReceiptStatus.UNCERTAIN, detail="the connection failed while posting: timed out")
    chat = Recorder("chat", script=(lost,))
    deduplicating = Recorder("dedup", script=(lost,))
    deduplicating.resend_is_safe = True
    rt = runtime(db, tmp_path, _channels(sink, chat, deduplicating), delivery={"channels": ["chat", "email"]})
    with db.transaction() as conn:
        channel_store.set_preference(conn, Preference("rep", channel="dedup"), "rep", DUE)
    tick(rt, DUE)
    brief, tip = _moment(db, "boss", "manager-brief"), _moment(db, "rep", "employee-tip")
    assert brief.stop_reason == "delivery_uncertain" and len(chat.sent) == 1  # not sent again, nor on email
    assert "chat may have it: the connection failed while posting: timed out; not sent again" in brief.trace[-1][
        "detail"]  # fmt: skip
    [row] = _rows(db, deliveries, deliveries.c.moment_id == brief.id)
    assert row.status == "uncertain"
    assert tip.stop_reason is None  # the deduplicating channel tries again after the backoff
    tick(rt, tip.due_at)
    assert _moment(db, "rep", "employee-tip").stop_reason == "delivered" and len(deduplicating.sent) == 2
    assert len(sink.messages()) == 0


def test_a_companion_left_sending_by_a_dead_worker_is_sent_again_after_the_lease_when_that_is_safe(
    db: Database, tmp_path: Path, sink: MailSink
) -> None:
    class DiesOnce(Recorder):
        def send(self, nudge: Nudge, address: Address | None, key: str, mark: Callable[[], None]) -> Receipt:
            if not self.sent:
                mark()
                self.sent.append((nudge, address, key))
                raise WorkerDied
            return super().send(nudge, address, key, mark)

    small_org(db, tmp_path, [weekly_one_on_one()])
    calendar = DiesOnce("calendar", companion=True)
    calendar.resend_is_safe = True  # writing the same section into a meeting twice changes nothing
    rt = runtime(db, tmp_path, _channels(sink, calendar), claim_lease_seconds=60)
    with pytest.raises(WorkerDied):
        tick(rt, DUE)
    assert {r.status for r in _rows(db, deliveries, deliveries.c.channel == "calendar")} >= {"sending"}
    tick(rt, DUE + timedelta(minutes=2))
    assert {r.status for r in _rows(db, deliveries, deliveries.c.channel == "calendar")} == {"delivered"}
    assert len(calendar.sent) == 3  # the interrupted one again, and the other brief's copy


def test_a_digest_refused_for_good_hands_each_nudge_to_the_next_channel(
    db: Database, tmp_path: Path, sink: MailSink
) -> None:
    class RefusesDigests(Recorder):
        def send(self, nudge: Nudge, address: Address | None, key: str, mark: Callable[[], None]) -> Receipt:
            if nudge.digest:
                self.sent.append((nudge, address, key))
                return Receipt(ReceiptStatus.PERMANENT, detail="msg_too_long")
            return super().send(nudge, address, key, mark)

    chat = RefusesDigests("chat")
    rt = runtime(db, tmp_path, _channels(sink, chat), delivery={"channels": ["chat", "email"]})
    promo = _held_promotion(db, tmp_path, rt)
    before = len(sink.messages())
    tick(rt, promo.due_at)
    [promo] = _rows(db, moments, moments.c.id == promo.id)
    assert promo.stop_reason == "delivered" and len(sink.messages()) == before + 1
    rows = _rows(db, deliveries, deliveries.c.moment_id == promo.id)
    assert [(r.channel, r.status) for r in rows] == [("chat", "failed"), ("email", "delivered")]
    [digest] = _rows(db, digests)
    assert digest.status == "failed" and digest.detail == "msg_too_long"
    assert any("falling back to email" in s["detail"] for s in promo.trace)
