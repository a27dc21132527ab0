"""The Adaptive Card a nudge becomes in Teams: its words as plain text, its answers as buttons naming the moment."""

from __future__ import annotations

import json
from collections.abc import Iterator
from typing import Any

from kairos.deliver.channels.teams import CARD_TYPE, card, message
from kairos.domain.nudge import Links, Nudge

EVIL = "[Open your review](https://evil.example/steal) **now** <at>everyone</at>"


def _nudge(moment: int | None = 42, **more: Any) -> Nudge:
    fields: dict[str, Any] = {
        "recipient_id": "boss", "recipient_email": "boss@example.com", "recipient_name": "Bea Boss",
        "subject": f"Before your 1:1 “{EVIL}”",
        "text": f"Ask Rita about {EVIL}.\n\n- Name one thing that went well\n- Ask what got in the way\n\n--\n"
                "Why you are seeing this: your calendar shows “1:1”.",
        "html": "<p>ignored</p>", "why": {"facts": []}, "moment_id": moment,
        "delivery_note": "Sent on Microsoft Teams, your chosen channel; change it in your preferences.",
        **more,
    }  # fmt: skip
    return Nudge(**fields)


def _walk(node: Any) -> Iterator[dict[str, Any]]:
    if isinstance(node, dict):
        yield node
        for value in node.values():
            yield from _walk(value)
    elif isinstance(node, list):
        for item in node:
            yield from _walk(item)


def _texts(node: Any) -> list[str]:
    return [n["text"] for n in _walk(node) if n.get("type") == "TextRun"]


def _submits(node: Any) -> list[dict[str, Any]]:
    return [n for n in _walk(node) if n.get("type") == "Action.Submit"]


def test_the_card_is_an_adaptive_card_in_a_message_activity() -> None:
    activity = message(_nudge(), "28:bot", "Answer with the buttons on this card.")
    assert activity["type"] == "message" and activity["from"] == {"id": "28:bot"}
    [attachment] = activity["attachments"]
    assert attachment["contentType"] == CARD_TYPE == "application/vnd.microsoft.card.adaptive"
    content = attachment["content"]
    assert content["type"] == "AdaptiveCard" and content["version"] in ("1.4", "1.5")
    assert activity["summary"].startswith("Before your 1:1")


def test_composed_text_is_never_read_as_markdown() -> None:
    built = card(_nudge())
    # TextBlock renders Markdown; only TextRuns (which never do) carry what Kairos composed
    assert not [n for n in _walk(built) if n.get("type") == "TextBlock"]
    texts = _texts(built)
    assert any(EVIL in t for t in texts)
    elsewhere = [v for n in _walk(built) if n.get("type") != "TextRun" for v in n.values() if isinstance(v, str)]
    assert not [v for v in elsewhere if "Open your review" in v]


def test_subject_body_why_note_and_how_to_answer_are_all_on_the_card() -> None:
    texts = _texts(card(_nudge(), "Answer with the buttons on this card."))
    assert texts[0].startswith("Before your 1:1")
    assert "• Name one thing that went well" in texts and "• Ask what got in the way" in texts
    assert "Why you are seeing this: your calendar shows “1:1”." in texts
    assert texts[-2:] == ["Answer with the buttons on this card.",
                          "Sent on Microsoft Teams, your chosen channel; change it in your preferences."]  # fmt: skip


def test_the_why_and_the_notes_are_subtle() -> None:
    built = card(_nudge(), "Answer here.")
    subtle = [n["text"] for n in _walk(built) if n.get("type") == "TextRun" and n.get("isSubtle")]
    assert subtle == ["Why you are seeing this: your calendar shows “1:1”.", "Answer here.",
                      "Sent on Microsoft Teams, your chosen channel; change it in your preferences."]  # fmt: skip


def test_each_button_names_the_moment_and_the_answer() -> None:
    built = card(_nudge(42))
    data = [s["data"] for s in _submits(built)]
    assert data == [
        {"kairos": {"moment": 42, "kind": k}} for k in ("applied", "not_relevant", "snooze", "reflection", "rating")
    ]
    [box] = [n for n in _walk(built) if n.get("type") == "Input.Text"]
    assert box["id"] == "reflection_42" and box["isMultiline"] and box["maxLength"] == 5000
    [choice] = [n for n in _walk(built) if n.get("type") == "Input.ChoiceSet"]
    assert choice["id"] == "rating_42" and [c["value"] for c in choice["choices"]] == ["1", "2", "3", "4", "5"]
    reflection, rating = _submits(built)[-2:]
    assert reflection["associatedInputs"] == rating["associatedInputs"] == "auto"  # they carry the card's inputs
    assert {s["associatedInputs"] for s in _submits(built)[:-2]} == {"none"}


def test_a_nudge_not_yet_stored_has_no_buttons() -> None:
    built = card(_nudge(None))
    assert not _submits(built) and not [n for n in _walk(built) if n.get("type") == "Input.Text"]


def test_a_digest_has_one_container_per_nudge_each_with_its_own_answers() -> None:
    members = (_nudge(1, subject="First"), _nudge(2, subject="Second"), _nudge(3, subject="Third"))
    digest = _nudge(None, subject="Your Kairos digest", digest=members)
    built = card(digest, "Answer with the buttons.")
    containers = [n for n in built["body"] if n.get("type") == "Container"]
    assert len(containers) == 3
    for moment, container in zip((1, 2, 3), containers, strict=True):
        assert {s["data"]["kairos"]["moment"] for s in _submits(container)} == {moment}
        assert [n["id"] for n in _walk(container) if n.get("type") == "Input.Text"] == [f"reflection_{moment}"]
    assert _texts(built)[0] == "Your Kairos digest"
    assert _texts(built)[-1].startswith("Sent on Microsoft Teams")


def test_a_long_digest_stays_under_the_teams_message_size_and_keeps_every_button() -> None:
    text = "word " * 5000 + "\n\n--\nWhy: " + "because " * 500
    for count in (2, 12, 25):
        digest = _nudge(None, subject="Digest", digest=tuple(_nudge(i, text=text) for i in range(1, count + 1)))
        built = message(digest, "28:bot")
        assert len(json.dumps(built)) < 28_000
        pressed = {(s["data"]["kairos"]["moment"], s["data"]["kairos"]["kind"]) for s in _submits(built)}
        assert {(m, "applied") for m in range(1, count + 1)} <= pressed


def test_links_open_the_inbox_and_preferences_but_only_over_http() -> None:
    links = Links(inbox="https://kairos.example/inbox?t=x", preferences="javascript:alert(1)")
    built = card(_nudge(links=links))
    opened = [n for n in _walk(built) if n.get("type") == "Action.OpenUrl"]
    assert opened == [{"type": "Action.OpenUrl", "title": "Open in Kairos", "url": "https://kairos.example/inbox?t=x"}]
