"""Who may agree what: focuses, commitments and observations between a person and their manager."""

from __future__ import annotations

from datetime import UTC, date, datetime
from pathlib import Path

import pytest

from kairos.domain.commitment import CommitmentKind, CommitmentStatus, Visibility, visible_to
from kairos.errors import InputError
from kairos.ingest.agreements import (
    agree_focus,
    follow_up_commitment,
    propose_focus,
    record_commitment,
    record_observation,
)
from kairos.ingest.framework import import_framework
from kairos.ingest.people import import_people
from kairos.store import Database
from kairos.store import agreements as store
from kairos.store import people as people_store
from kairos.worker.process import coaching_focus
from tests.factories import FRAMEWORK_YAML, people_csv

NOW = datetime(2026, 3, 2, 12, tzinfo=UTC)


@pytest.fixture
def org(db: Database, tmp_path: Path) -> Database:
    people_csv(tmp_path / "p.csv", [
        "boss,Bea Boss,boss@example.com,,Lead,M1,Core,Berlin,Europe/Berlin,2020-01-01",
        "rep,Rita Report,rep@example.com,boss,Engineer,IC2,Core,Berlin,Europe/Berlin,2022-01-01",
        "peer,Pat Peer,peer@example.com,boss,Engineer,IC2,Core,Berlin,Europe/Berlin,2022-01-01",
    ])  # fmt: skip
    (tmp_path / "fw.yaml").write_text(FRAMEWORK_YAML)
    import_people(db, tmp_path / "p.csv", as_of=date(2026, 3, 1), now=NOW)
    import_framework(db, tmp_path / "fw.yaml", now=NOW)
    return db


def test_a_focus_proposed_by_the_manager_becomes_active_only_when_the_person_agrees(org: Database) -> None:
    focus = propose_focus(org, person_id="rep", competency_id="giving-feedback", target_level=3,
                          description="Give feedback within a day.", by="boss", now=NOW)  # fmt: skip
    assert focus.manager_agreed and not focus.agreed
    with org.transaction() as conn:
        assert store.active_focus(conn, "rep") is None
    agreed = agree_focus(org, focus.id, by="rep", now=NOW)
    assert agreed.agreed
    with org.transaction() as conn:
        goal = coaching_focus(conn, people_store.get(conn, "rep"), min_raters=3)
    assert goal is not None and goal.origin == "focus" and goal.text == "Give feedback within a day."
    assert goal.agreed == "as your shared focus on 02 March 2026"


def test_only_the_person_or_their_manager_may_propose_or_agree(org: Database) -> None:
    with pytest.raises(InputError) as error:
        propose_focus(org, person_id="rep", competency_id="giving-feedback", target_level=2, description="x",
                      by="peer", now=NOW)  # fmt: skip
    assert error.value.problems[0].field == "by" and error.value.problems[0].value == "peer"


def test_a_focus_outside_the_organizations_priorities_is_refused(org: Database, tmp_path: Path) -> None:
    # Version 2 of the framework gains a second competency and names only the first as a priority.
    second = """
  - id: delegation
    name: Delegation
    definition: Hands over outcomes, not tasks.
    levels:
      - {level: 1, name: Learning, anchors: ["Hands over small tasks with instructions."]}
      - {level: 2, name: Practising, anchors: ["Hands over outcomes with a deadline."]}
      - {level: 3, name: Skilled, anchors: ["Hands over ownership and stays available."]}
"""
    priorities = "".join(
        f"\n  {stage}:\n"
        + "".join(f"    - {{competency: giving-feedback, level: 2, behavior: Habit {n}}}\n" for n in range(4))
        for stage in ("frontline", "mid-level", "senior")
    )
    text = (
        FRAMEWORK_YAML.replace('version: "2026.1"', 'version: "2026.2"') + second + "priority_behaviors:" + priorities
    )
    (tmp_path / "fw2.yaml").write_text(text)
    import_framework(org, tmp_path / "fw2.yaml", now=NOW.replace(hour=13))
    with pytest.raises(InputError) as error:
        propose_focus(org, person_id="rep", competency_id="delegation", target_level=2, description="x", by="rep",
                      now=NOW)  # fmt: skip
    assert error.value.problems[0].field == "competency" and "priorities (giving-feedback)" in str(error.value)
    focus = propose_focus(org, person_id="rep", competency_id="giving-feedback", target_level=2, description="y",
                          by="rep", now=NOW)  # fmt: skip
    assert focus.person_agreed and not focus.manager_agreed


def test_a_commitment_is_followed_up_once_by_either_party(org: Database) -> None:
    commitment = record_commitment(org, person_id="rep", kind=CommitmentKind.NEXT_STEP, text="Draft the memo.",
                                   by="boss", now=NOW)  # fmt: skip
    assert commitment.manager_id == "boss" and commitment.status is CommitmentStatus.OPEN
    with pytest.raises(InputError):
        follow_up_commitment(org, commitment.id, status=CommitmentStatus.DONE, note="", by="peer", now=NOW)
    done = follow_up_commitment(org, commitment.id, status=CommitmentStatus.DONE, note="Sent.", by="rep", now=NOW)
    assert done.status is CommitmentStatus.DONE and done.follow_up == "Sent."
    with pytest.raises(InputError) as error:
        follow_up_commitment(org, commitment.id, status=CommitmentStatus.DROPPED, note="", by="rep", now=NOW)
    assert "already done" in str(error.value)
    with org.transaction() as conn:
        assert store.open_between(conn, "rep", "boss") == []


def test_an_observation_is_the_managers_and_a_note_either_partys(org: Database) -> None:
    with pytest.raises(InputError):
        record_observation(org, person_id="rep", text="I did well.", by="rep", now=NOW)
    record_observation(org, person_id="rep", text="Gave clear feedback in the retro.", by="boss", now=NOW,
                       competency_id="giving-feedback")  # fmt: skip
    record_observation(org, person_id="rep", text="Want to practise saying no.", by="rep", now=NOW, kind="note",
                       visibility=Visibility.PRIVATE)  # fmt: skip
    with org.transaction() as conn:
        assert len(store.observations_about(conn, "rep")) == 2


def test_visibility_private_is_for_the_author_manager_for_the_pair_organization_for_the_talent_team() -> None:
    pair = {"author": "rep", "subject": "rep", "manager": "boss"}
    assert visible_to(Visibility.PRIVATE, viewer="rep", **pair)
    assert not visible_to(Visibility.PRIVATE, viewer="boss", **pair)
    assert visible_to(Visibility.MANAGER, viewer="boss", **pair)
    assert not visible_to(Visibility.MANAGER, viewer="hr", viewer_is_talent_team=True, **pair)
    assert visible_to(Visibility.ORGANIZATION, viewer="hr", viewer_is_talent_team=True, **pair)
    assert not visible_to(Visibility.ORGANIZATION, viewer="peer", **pair)
