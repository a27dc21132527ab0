"""Matrix events are written by anyone in the room: any event reads as an answer, a refusal with a reason, or
nothing — never a crash — and refused or replayed answers change nothing that is stored.

Three kinds of input: arbitrary JSON values, events shaped like Matrix's (reactions, replies, threads, edits) with
random and missing fields, and answers drained into a database on each backend (a fake poll: the parser is
covered above, here what matters is what ``drain`` stores).
"""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from sqlalchemy import func, select

from kairos.deliver.base import Answer, Channel, Receipt, Rejected
from kairos.deliver.channels.matrix import DIGEST_KEY, for_digest, message_content, parse_event, without_fallback
from kairos.deliver.inbound import drain
from kairos.domain.nudge import Nudge
from kairos.domain.response import ResponseKind
from kairos.ingest.responses import MAX_REFLECTION
from kairos.store import Database
from kairos.store import channels as channel_store
from kairos.store.schema import events, responses

QUICK = settings(max_examples=300, deadline=None)
WITH_DB = settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
BOT = "@kairos:example.org"
MARK = "SECRET-BODY-TEXT"

JSON = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats(allow_nan=True) | st.text(max_size=30),
    lambda inner: st.lists(inner, max_size=4) | st.dictionaries(st.text(max_size=12), inner, max_size=4),
    max_leaves=20,
)
IDS = st.sampled_from(["$nudge", "", "$" + "x" * 300, BOT, "@bea:example.org"]) | st.text(max_size=20) | JSON
KEYS = (
    st.sampled_from(["✅", "👍", "👍🏽", "👎", "❌", "⏰", "⏰️", "💤", "🎉", "", "✅✅"]) | st.text(max_size=8) | JSON
)
BODIES = st.sampled_from([
    "> <@kairos:example.org> nudge\n> line\n\nIt went well", "✅", "2 ✅", "#1. tried it", "", "  ", ">", "> only",
    MARK * 400, "x" * (MAX_REFLECTION + 1),
]) | st.text(max_size=200) | JSON  # fmt: skip


def maybe(value: st.SearchStrategy[Any]) -> st.SearchStrategy[Any]:
    """A field that may be missing (None here means: leave it out)."""
    return st.none() | value


@st.composite
def relations(draw: st.DrawFn) -> Any:
    shape = draw(st.sampled_from(["annotation", "reply", "thread", "replace", "junk"]))
    if shape == "annotation":
        return {"rel_type": "m.annotation", "event_id": draw(IDS), "key": draw(KEYS)}
    if shape == "reply":
        return {"m.in_reply_to": draw(st.fixed_dictionaries({}, optional={"event_id": IDS}) | JSON)}
    if shape == "thread":
        return {"rel_type": "m.thread", "event_id": draw(IDS), "m.in_reply_to": {"event_id": draw(IDS)}}
    if shape == "replace":
        return {"rel_type": "m.replace", "event_id": draw(IDS)}
    return draw(JSON)


@st.composite
def matrix_events(draw: st.DrawFn) -> Any:
    content = {
        "msgtype": draw(maybe(st.sampled_from(["m.text", "m.emote", "m.image", "m.notice"]) | JSON)),
        "body": draw(maybe(BODIES)),
        "m.relates_to": draw(maybe(relations())),
        DIGEST_KEY: draw(maybe(JSON)),
    }
    fields = {
        "type": draw(maybe(st.sampled_from(["m.reaction", "m.room.message", "m.room.member"]) | JSON)),
        "sender": draw(maybe(st.sampled_from([BOT, "@bea:example.org"]) | JSON)),
        "event_id": draw(maybe(IDS)),
        "origin_server_ts": draw(maybe(st.integers() | JSON)),
        "content": draw(st.sampled_from([None, "content"])),
    }
    event = {k: v for k, v in fields.items() if v is not None}
    if event.get("content") == "content":
        event["content"] = {k: v for k, v in content.items() if v is not None}
    return event


def check(found: object) -> None:
    """Whatever came out is one of the three outcomes, in bounds, and a refusal never repeats the payload."""
    assert found is None or isinstance(found, Answer | Rejected)
    if isinstance(found, Rejected):
        assert found.reason in Rejected.REASONS
        assert MARK not in found.detail and len(found.detail) < 300
    if isinstance(found, Answer):
        assert found.channel == "matrix" and found.sender != BOT
        assert found.provider_ref and len(found.provider_ref) <= 255
        assert found.text is None or (0 < len(found.text) <= MAX_REFLECTION and "\x00" not in found.text)
        assert (found.kind is ResponseKind.REFLECTION) == (found.text is not None)


@QUICK
@given(JSON)
def test_any_json_value_is_read_or_refused_never_a_crash(value: Any) -> None:
    check(parse_event(value, BOT))


@QUICK
@given(matrix_events())
def test_any_matrix_shaped_event_is_read_or_refused_never_a_crash(value: Any) -> None:
    check(parse_event(value, BOT))


@QUICK
@given(matrix_events(), st.lists(st.integers(1, 10**6), min_size=1, max_size=30))
def test_a_digest_answer_names_one_of_its_items_or_is_refused(value: Any, items: list[int]) -> None:
    found = parse_event(value, BOT)
    if isinstance(found, Answer):
        resolved = for_digest(found, items)
        check(resolved)
        if isinstance(resolved, Answer):
            assert resolved.moment_id in items


@QUICK
@given(st.lists(st.text(max_size=40).map(lambda s: "> " + s.replace("\n", " ")), max_size=5), st.text(max_size=80))
def test_the_quoted_original_never_survives_and_the_reply_always_does(quoted: list[str], own: str) -> None:
    body = "\n".join(quoted) + ("\n\n" if quoted else "") + own
    if not own.lstrip().startswith(">"):
        assert without_fallback(body) == (own.strip() if quoted else body.strip())


@QUICK
@given(st.text(max_size=200), st.text(max_size=80))
def test_no_text_in_a_nudge_becomes_markup(text: str, subject: str) -> None:
    nudge = Nudge("p", "p@example.com", "P", subject, text + "<script>x</script><a href='u'>", "", {})
    content = message_content(nudge)
    assert "<script" not in content["formatted_body"] and "<a " not in content["formatted_body"]
    assert content["m.mentions"] == {}


class Replaying(Channel):
    """A polled channel that hands ``drain`` what a hostile or repeated /sync could: answers to nudges that do not
    exist, by people Kairos does not know, twice over, and refusals from the parser."""

    name = "matrix"

    def __init__(self, items: list[Answer | Rejected]) -> None:
        self.items = items

    def send(self, *args: Any, **kwargs: Any) -> Receipt:
        raise AssertionError("not sent")

    def poll(self, since: str | None) -> tuple[list[Answer | Rejected], str | None]:
        return self.items + self.items, f"{since or ''}s"


# Event ids and senders come from the homeserver, never with NUL (which PostgreSQL cannot store in text or JSON).
PRINTABLE = st.text(st.characters(blacklist_categories=["Cs", "Cc"]), max_size=40)
ANSWERS = st.builds(
    Answer, channel=st.just("matrix"), external_id=PRINTABLE.filter(bool),
    sender=st.sampled_from(["@bea:example.org", "@mallory:example.org", BOT]), kind=st.sampled_from(ResponseKind),
    moment_id=st.none() | st.integers(-5, 10**6), provider_ref=st.none() | PRINTABLE, text=st.none() | PRINTABLE,
)  # fmt: skip
REFUSALS = st.builds(Rejected, channel=st.just("matrix"), reason=st.sampled_from(Rejected.REASONS),
                     detail=PRINTABLE)  # fmt: skip


@WITH_DB
@given(st.lists(ANSWERS | REFUSALS, max_size=6))
def test_refused_and_replayed_answers_are_recorded_and_store_nothing(db: Database, items: list[Any]) -> None:
    with db.transaction() as conn:
        before = conn.execute(select(func.count()).select_from(events)).scalar_one()
        cursor = channel_store.cursor(conn, "matrix") or ""
    now = datetime(2026, 3, 2, 9, tzinfo=UTC)
    result = drain(db, Replaying(items), now)
    assert (result.accepted, result.rejected) == (0, 2 * len(items))
    with db.transaction() as conn:
        assert conn.execute(select(func.count()).select_from(responses)).scalar_one() == 0
        after = conn.execute(select(func.count()).select_from(events)).scalar_one()
        assert after - before == 2 * len(items)  # each one a channel.rejected event
        assert channel_store.cursor(conn, "matrix") == cursor + "s"  # moved on, though nothing was taken
