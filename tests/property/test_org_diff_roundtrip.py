"""The diff between two states of an organization is exact: replaying its events onto the first yields the second."""

from __future__ import annotations

import dataclasses
from datetime import date

from hypothesis import given, settings
from hypothesis import strategies as st

from kairos.domain.org import apply_changes, diff_snapshots
from kairos.domain.person import Person, PersonStatus

IDS = [f"p{i}" for i in range(8)]
LEVELS = ["IC1", "IC2", "IC3", "M1", "M2", "E1", "Senior"]
ZONES = ["Europe/Berlin", "America/New_York", "Asia/Singapore"]


@st.composite
def organizations(draw: st.DrawFn) -> dict[str, Person]:
    """A random organization of employed people whose manager links point inside it without cycles."""
    ids = draw(st.lists(st.sampled_from(IDS), unique=True, max_size=len(IDS)))
    org: dict[str, Person] = {}
    for index, pid in enumerate(ids):
        # Managers come only from earlier people, so there is never a cycle.
        manager = draw(st.none() | st.sampled_from(ids[:index])) if index else None
        org[pid] = Person(
            id=pid,
            name=draw(st.sampled_from(["Ana Lima", "Bo Chen", "Cy Obi"])),
            email=f"{pid}@example.com",
            manager_id=manager,
            role=draw(st.sampled_from(["Engineer", "Designer", "Lead"])),
            level=draw(st.sampled_from(LEVELS)),
            team=draw(st.sampled_from(["Core", "Mobile"])),
            location=draw(st.sampled_from(["Berlin", "Boston"])),
            time_zone=draw(st.sampled_from(ZONES)),
            start_date=draw(st.none() | st.dates(date(2015, 1, 1), date(2025, 1, 1))),
            status=draw(st.sampled_from([PersonStatus.ACTIVE, PersonStatus.LEAVE])),
            end_date=None,
        )
    return org


@settings(max_examples=300, deadline=None)
@given(organizations(), organizations())
def test_replaying_the_diff_of_two_full_snapshots_rebuilds_the_second(
    before: dict[str, Person], after: dict[str, Person]
) -> None:
    changes = diff_snapshots(before, after.values(), full=True)
    assert apply_changes(before, changes) == after


@settings(max_examples=200, deadline=None)
@given(organizations(), st.data())
def test_a_partial_update_changes_only_the_people_it_names(before: dict[str, Person], data: st.DataObject) -> None:
    if not before:
        return
    pid = data.draw(st.sampled_from(sorted(before)))
    changed = dataclasses.replace(
        before[pid], level=data.draw(st.sampled_from(LEVELS)), status=data.draw(st.sampled_from(list(PersonStatus)))
    )
    result = apply_changes(before, diff_snapshots(before, [changed], full=False))
    expected = dict(before)
    if changed.status is PersonStatus.TERMINATED:
        expected.pop(pid)
    else:
        expected[pid] = changed
    assert result == expected


@settings(max_examples=200, deadline=None)
@given(organizations())
def test_an_unchanged_snapshot_yields_no_events(org: dict[str, Person]) -> None:
    assert diff_snapshots(org, org.values(), full=True) == []
