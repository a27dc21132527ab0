"""Competing moments: one recipient, one slot; the highest priority keeps it and both traces say so."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from kairos.plays.slots import Contender, contest

NOW = datetime(2026, 3, 2, 6, tzinfo=UTC)
NINE_BERLIN = datetime(2026, 3, 3, 8, tzinfo=UTC)


def moment(mid: int, priority: int, *, who: str = "rep", due: datetime = NINE_BERLIN, play: str = "p",
           meeting: str | None = None) -> Contender:  # fmt: skip
    return Contender(mid, who, due, priority, play, "act", "Europe/Berlin", meeting)


def test_the_higher_priority_keeps_the_slot_and_the_other_is_deduplicated_with_the_reason() -> None:
    review = moment(1, 60, play="review-goals")
    goal = moment(2, 40, play="goal-updated")
    [loss] = contest([goal, review], NOW)
    assert (loss.loser, loss.winner) == (goal, review)
    step = loss.loser_step()
    assert (step.path, step.outcome) == ("rules/priority", "fail")
    assert step.detail == (
        "deduplicated: review-goals/act (priority 60) has rep's slot at Tue 03 Mar 09:00 Europe/Berlin; "
        "this moment has priority 40"
    )
    assert loss.winner_step().detail == (
        "kept rep's slot at Tue 03 Mar 09:00 Europe/Berlin over goal-updated/act (priority 40)"
    )


def test_on_equal_priority_the_moment_planned_first_keeps_the_slot() -> None:
    losses = contest([moment(7, 40), moment(5, 40), moment(6, 40)], NOW)
    assert {loss.winner.moment_id for loss in losses} == {5}
    assert [loss.loser.moment_id for loss in losses] == [6, 7]


def test_different_recipients_or_due_times_do_not_compete() -> None:
    assert contest([moment(1, 50), moment(2, 60, who="boss"), moment(3, 70, due=NINE_BERLIN + timedelta(hours=1))],
                   NOW) == []  # fmt: skip


def test_overdue_moments_not_tied_to_a_meeting_compete_for_now() -> None:
    late_review = moment(1, 60, due=NOW - timedelta(days=3))
    late_gap = moment(2, 55, due=NOW - timedelta(days=1))
    [loss] = contest([late_review, late_gap], NOW)
    assert loss.winner is late_review
    assert "(already due when planned)" in loss.loser_step().detail


def test_overdue_briefs_for_two_different_meetings_both_keep_their_slots() -> None:
    first = moment(1, 80, due=NOW - timedelta(minutes=20), meeting="a@once")
    second = moment(2, 80, due=NOW - timedelta(minutes=5), meeting="b@once")
    assert contest([first, second], NOW) == []
