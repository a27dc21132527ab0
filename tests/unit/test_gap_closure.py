"""Skill-gap closure on priority behaviors: ≥ 1 level within six months of the evidence that showed the gap,
never shown for a group below the minimum size."""

from __future__ import annotations

from dataclasses import replace
from datetime import date

from kairos.domain.framework import PriorityBehavior
from kairos.measure.gap_closure import EvidencePoint, GapOutcome, closure_report, outcome
from tests.factories import framework

TODAY = date(2026, 12, 1)
FEEDBACK_3 = PriorityBehavior("frontline", "giving-feedback", 3)
FW = replace(framework(), priority_behaviors=(FEEDBACK_3,), career_stages=(("frontline", ("IC1", "IC2")),))


def _points(*pairs: tuple[str, int]) -> list[EvidencePoint]:
    return [EvidencePoint(date.fromisoformat(on), level, "review") for on, level in pairs]


def test_a_gap_narrowed_by_one_level_within_six_months_counts_as_closed() -> None:
    assert outcome(_points(("2026-01-15", 1), ("2026-06-30", 2)), 3, TODAY) is GapOutcome.CLOSED


def test_a_level_gained_after_the_six_months_does_not_count_and_the_gap_stays_open() -> None:
    assert outcome(_points(("2026-01-15", 1), ("2026-08-01", 2)), 3, TODAY) is GapOutcome.OPEN


def test_a_gap_without_later_evidence_is_pending_until_the_window_ends_then_open() -> None:
    points = _points(("2026-10-01", 2))
    assert outcome(points, 3, TODAY) is GapOutcome.PENDING
    assert outcome(points, 3, date(2027, 5, 1)) is GapOutcome.OPEN


def test_evidence_at_or_above_the_level_from_the_start_means_met_and_none_means_no_evidence() -> None:
    assert outcome(_points(("2026-01-15", 3)), 3, TODAY) is GapOutcome.MET
    assert outcome([], 3, TODAY) is GapOutcome.NO_EVIDENCE


def test_the_baseline_is_the_first_evidence_below_the_level_not_an_earlier_one_that_met_it() -> None:
    points = _points(("2025-06-01", 3), ("2026-01-15", 2), ("2026-03-01", 3))
    assert outcome(points, 3, TODAY) is GapOutcome.CLOSED


def _stage_of(n: int, closed: int, still_open: int) -> tuple[dict[str, list[str]], dict]:  # type: ignore[type-arg]
    members = [f"p{i}" for i in range(n)]
    evidence = {}
    for i, pid in enumerate(members):
        if i < closed:
            evidence[(pid, "giving-feedback")] = _points(("2026-01-15", 2), ("2026-04-01", 3))
        elif i < closed + still_open:
            evidence[(pid, "giving-feedback")] = _points(("2026-01-15", 2), ("2026-04-01", 2))
    return {"frontline": members}, evidence


def test_the_report_counts_each_outcome_and_the_closure_rate_over_settled_gaps() -> None:
    members, evidence = _stage_of(16, closed=6, still_open=5)
    [row] = closure_report(FW, members, evidence, today=TODAY, min_group=5)
    assert (row.people, row.with_evidence, row.with_gap, row.closed, row.still_open) == (16, 11, 11, 6, 5)
    assert row.meeting_now == 6
    assert row.rate == 6 / 11


def test_a_stage_with_fewer_people_than_the_minimum_group_shows_nothing() -> None:
    members, evidence = _stage_of(4, closed=2, still_open=2)
    [row] = closure_report(FW, members, evidence, today=TODAY, min_group=5)
    assert row.as_dict()["people"] is None
    assert all(row.as_dict()[k] is None for k in ("with_evidence", "with_gap", "closed", "still_open", "closure_rate"))


def test_a_small_count_inside_a_large_stage_withholds_the_whole_row_so_it_cannot_be_worked_out() -> None:
    members, evidence = _stage_of(20, closed=2, still_open=5)
    [row] = closure_report(FW, members, evidence, today=TODAY, min_group=5)
    assert row.people == 20
    shown = row.as_dict()
    assert all(shown[k] is None for k in ("with_evidence", "meeting_now", "with_gap", "closed", "still_open",
                                          "pending", "closure_rate"))  # fmt: skip


def test_a_small_complement_withholds_the_row_too() -> None:
    members, evidence = _stage_of(12, closed=6, still_open=5)  # one person without evidence
    [row] = closure_report(FW, members, evidence, today=TODAY, min_group=5)
    assert row.with_evidence is None and row.closed is None


def test_a_rate_over_fewer_settled_gaps_than_the_minimum_is_withheld_while_counts_show() -> None:
    members, evidence = _stage_of(10, closed=0, still_open=0)
    ids = members["frontline"]
    for pid in ids[:5]:
        evidence[(pid, "giving-feedback")] = _points(("2026-10-01", 2))  # pending: the window is still running
    for pid in ids[5:]:
        evidence[(pid, "giving-feedback")] = _points(("2026-10-01", 3))
    [row] = closure_report(FW, members, evidence, today=TODAY, min_group=5)
    assert (row.with_gap, row.pending, row.closed, row.still_open) == (5, 5, 0, 0)
    assert row.rate is None
