"""The Slack message of a nudge: Block Kit within Slack's limits, every person-supplied character inert."""

from __future__ import annotations

import json
from dataclasses import replace
from typing import Any

from kairos.deliver.base import Answer
from kairos.deliver.channels.slack import (
    MAX_BLOCKS,
    REFLECT,
    REFLECTION_BLOCK,
    REFLECTION_INPUT,
    REFLECTION_VIEW,
    answered_blocks,
    escape,
    message,
    readable,
    reflection_view,
)
from kairos.domain.nudge import Links, Nudge
from kairos.domain.response import ResponseKind

NOTE = "You got this on Slack because slack is your chosen channel. Answer with the buttons below it."
FOOTER = "Why you are seeing this: your calendar shows “1:1 Bea / Rita”, and the play “1:1 brief” (v1)."


def nudge(moment: int = 41, **changes: Any) -> Nudge:
    base = Nudge(
        recipient_id="boss", recipient_email="boss@example.com", recipient_name="Bea Boss",
        subject="Your 1:1 with Rita at 10:00", text=f"Ask Rita what went well.\n\nThen agree one step.\n\n--\n{FOOTER}",
        html="<p>…</p>", why={"play": {"id": "brief", "title": "1:1 brief"}}, moment_id=moment, delivery_note=NOTE,
    )  # fmt: skip
    return replace(base, **changes)


def of_type(blocks: list[dict[str, Any]], kind: str) -> list[dict[str, Any]]:
    return [b for b in blocks if b["type"] == kind]


def every_text(blocks: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """Every text object in the blocks (section texts, context elements, headers, button labels)."""
    found: list[dict[str, Any]] = []

    def walk(value: Any) -> None:
        if isinstance(value, dict):
            if value.get("type") in ("mrkdwn", "plain_text"):
                found.append(value)
            for item in value.values():
                walk(item)
        elif isinstance(value, list):
            for item in value:
                walk(item)

    walk(blocks)
    return found


def test_a_nudge_is_a_header_its_body_a_context_line_four_buttons_and_a_rating_carrying_the_moment_id() -> None:
    blocks, text = message(nudge())
    assert [b["type"] for b in blocks] == ["header", "section", "context", "actions"]
    assert blocks[0]["text"] == {"type": "plain_text", "text": "Your 1:1 with Rita at 10:00", "emoji": True}
    assert blocks[1]["text"]["text"] == "Ask Rita what went well.\n\nThen agree one step."
    actions = blocks[-1]
    assert [e["action_id"] for e in actions["elements"]] == [
        "kairos.applied", "kairos.not_relevant", "kairos.snooze", "kairos.reflect", "kairos.rating"
    ]  # fmt: skip
    assert {e["value"] for e in actions["elements"] if e["type"] == "button"} == {"41"}
    assert [o["value"] for o in actions["elements"][-1]["options"]] == [f"41:{n}" for n in range(1, 6)]
    assert actions["block_id"] == "kairos.answer.41"
    assert text.startswith("Your 1:1 with Rita at 10:00\n\nAsk Rita")


def test_every_message_shows_the_why_and_the_delivery_note_in_its_context_line() -> None:
    context = of_type(message(nudge())[0], "context")[0]
    lines = [e["text"] for e in context["elements"]]
    assert lines == [FOOTER, NOTE]


def test_without_a_footer_the_why_names_the_play() -> None:
    context = of_type(message(nudge(text="Just the body."))[0], "context")[0]
    assert context["elements"][0]["text"] == "Why you are seeing this: the play “1:1 brief”."


def test_person_supplied_text_never_becomes_a_mention_or_a_link() -> None:
    hostile = "Hi <@U0BOSS> <!channel> <https://evil.example|click me> & see https://evil.example #general @here"
    blocks, text = message(nudge(subject=hostile, text=hostile, delivery_note=hostile))
    for obj in every_text(blocks):
        if obj["type"] == "mrkdwn":
            assert obj["verbatim"] is True  # Slack links nothing on its own in it
            assert "<" not in obj["text"] and ">" not in obj["text"], obj["text"]
    section = of_type(blocks, "section")[0]["text"]["text"]
    assert section == (
        "Hi &lt;@U0BOSS&gt; &lt;!channel&gt; &lt;https://evil.example|click me&gt; &amp; see https://evil.example "
        "#general @here"
    )
    assert "<" not in text and ">" not in text and "&amp;" in text


def test_the_subject_is_plain_text_which_slack_never_parses() -> None:
    header = message(nudge(subject="<@U1> & *bold*\nsecond line " + "x" * 300))[0][0]
    assert header["type"] == "header" and header["text"]["type"] == "plain_text"
    assert header["text"]["text"].startswith("<@U1> & *bold* second line")
    assert len(header["text"]["text"]) == 150  # Slack's header limit


def test_only_kairos_own_links_are_clickable() -> None:
    prefs, inbox = "https://kairos.example/preferences?token=a&b=1", "https://kairos.example/inbox?token=z"
    note = f"Change your channel: {prefs} Read more at https://elsewhere.example"
    blocks = message(nudge(delivery_note=note, links=Links(preferences=prefs, inbox=inbox)))[0]
    line = of_type(blocks, "context")[0]["elements"][1]["text"]
    assert line == (
        "Change your channel: <https://kairos.example/preferences?token=a&amp;b=1|change how Kairos reaches you> "
        "Read more at https://elsewhere.example"
    )


def test_a_long_body_is_cut_between_paragraphs_within_slacks_3000_characters() -> None:
    paragraphs = [f"Paragraph {i}: " + "word & " * 150 for i in range(20)]
    blocks = message(nudge(text="\n\n".join(paragraphs)))[0]
    sections = of_type(blocks, "section")
    assert 1 < len(sections) <= 8
    assert all(len(s["text"]["text"]) <= 3000 for s in sections)
    assert all(not s["text"]["text"].rstrip().endswith(("&", "&a", "&am", "&amp")) for s in sections)
    assert sections[-1]["text"]["text"].endswith("(the rest is in your inbox)")
    assert len(blocks) <= MAX_BLOCKS


def test_a_nudge_without_a_moment_has_no_buttons() -> None:
    assert not of_type(message(nudge(moment_id=None))[0], "actions")


def test_a_digest_shows_each_member_with_its_own_buttons() -> None:
    members = tuple(nudge(moment=m, subject=f"Note {m}") for m in (7, 8, 9))
    digest = nudge(moment_id=None, subject="Your Kairos digest: 3 notes", digest=members,
                   delivery_note="You chose a daily digest.")  # fmt: skip
    blocks, text = message(digest)
    actions = of_type(blocks, "actions")
    assert [a["block_id"] for a in actions] == ["kairos.answer.7", "kairos.answer.8", "kairos.answer.9"]
    assert [{e["value"] for e in a["elements"] if e["type"] == "button"} for a in actions] == [{"7"}, {"8"}, {"9"}]
    sections = [s["text"]["text"] for s in of_type(blocks, "section")]
    assert sections[0].startswith("*Note 7*\nAsk Rita what went well.")
    assert blocks[-1]["type"] == "context" and blocks[-1]["elements"][0]["text"] == "You chose a daily digest."
    assert text == "Your Kairos digest: 3 notes: Note 7; Note 8; Note 9"


def test_a_digest_too_big_for_one_message_says_how_many_more_wait_in_the_inbox() -> None:
    members = tuple(nudge(moment=m, subject=f"Note {m}") for m in range(30))
    digest = nudge(moment_id=None, subject="Your Kairos digest: 30 notes", digest=members,
                   links=Links(inbox="https://kairos.example/inbox?token=t"))  # fmt: skip
    blocks = message(digest)[0]
    assert len(blocks) <= MAX_BLOCKS
    shown = len(of_type(blocks, "actions"))
    assert shown == 15
    assert of_type(blocks, "section")[-1]["text"]["text"] == (
        "15 more are in your Kairos inbox. <https://kairos.example/inbox?token=t|Open it>"
    )


def test_a_biggest_digest_interaction_fits_the_inbound_body_limit() -> None:
    """Slack sends the whole message back with a click: the largest digest must stay under the body limit."""
    from urllib.parse import urlencode

    from kairos.deliver.channels.slack import MAX_BODY_BYTES

    long = "\n\n".join(["A sentence with <some> & many words, repeated. " * 20] * 5)
    members = tuple(nudge(moment=10**8 + m, subject="S" * 200, text=f"{long}\n\n--\n{FOOTER * 10}") for m in range(16))
    blocks = message(nudge(moment_id=None, subject="digest", digest=members, delivery_note=NOTE * 5))[0]
    payload = {"type": "block_actions", "message": {"blocks": blocks, "text": "x" * 3000}, "actions": [{}] * 1}
    size = len(urlencode({"payload": json.dumps(payload)}))
    assert size < MAX_BODY_BYTES, size


def test_answering_replaces_only_that_members_buttons_and_keeps_reflect() -> None:
    members = tuple(nudge(moment=m) for m in (7, 8))
    blocks = message(nudge(moment_id=None, digest=members))[0]
    answer = Answer("slack", "x", "U1", ResponseKind.APPLIED, moment_id=8)
    updated = answered_blocks(blocks, "kairos.answer.8", answer)
    assert [b.get("block_id") for b in of_type(updated, "actions")] == ["kairos.answer.7", "kairos.reflect.8"]
    assert of_type(updated, "actions")[1]["elements"][0]["action_id"] == REFLECT
    noted = [b for b in updated if b.get("block_id") == "kairos.noted.8"]
    assert noted[0]["elements"][0]["text"] == "Noted: you applied it."
    assert answered_blocks(blocks, "kairos.answer.99", answer) == []  # not this message: nothing to update


def test_the_reflection_modal_carries_the_moment_and_a_text_input() -> None:
    view = reflection_view(41)
    assert view["type"] == "modal" and view["callback_id"] == REFLECTION_VIEW and view["private_metadata"] == "41"
    block = view["blocks"][0]
    assert block["type"] == "input" and block["block_id"] == REFLECTION_BLOCK
    assert block["element"] == {"type": "plain_text_input", "action_id": REFLECTION_INPUT, "multiline": True,
                                "max_length": 3000}  # fmt: skip
    assert all(len(view[k]["text"]) <= 24 for k in ("title", "submit", "close"))


def test_escape_and_readable_are_inverse_on_plain_text() -> None:
    plain = "a < b & c > d &amp; e"
    assert readable(escape(plain)) == plain


def test_readable_turns_slack_markup_into_the_words_a_person_saw() -> None:
    said = "Told <@U0REP> about <https://x.example/a|the doc> in <#C1|general>, see <https://x.example> &amp; <!here>"
    assert readable(said) == "Told @U0REP about the doc in general, see https://x.example & here"


def test_the_composers_quotes_and_bullets_become_slacks_own_and_stay_inert() -> None:
    body = "Your goal:\n> Give <@U1> feedback & more.\n- first step\n- second <https://x.example|step>"
    section = of_type(message(nudge(text=body))[0], "section")[0]["text"]["text"]
    assert section == (
        "Your goal:\n> Give &lt;@U1&gt; feedback &amp; more.\n• first step\n• second &lt;https://x.example|step&gt;"
    )
