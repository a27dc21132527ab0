"""``kairos focus``, ``kairos commitments`` and ``kairos observe``: what a person and their manager agree."""

from __future__ import annotations

from datetime import date
from types import ModuleType
from typing import Annotated

import typer
from rich.table import Table

from kairos.domain.commitment import CommitmentKind, CommitmentStatus, Visibility
from kairos.store import Database

focus_app = typer.Typer(help="The focus a person and their manager agree on.", no_args_is_help=True)
commitments_app = typer.Typer(
    help="Next steps and feedback agreed in a 1:1, and their follow-up.", no_args_is_help=True
)


def _env() -> tuple[ModuleType, Database]:
    """The main CLI module (for its consoles and clock parsing) and the configured database."""
    from kairos import cli

    return cli, cli._database(cli._settings())


ByOption = Annotated[str, typer.Option("--by", help="Who does this: the person or their manager (person id)")]
NowOption = Annotated[str | None, typer.Option("--now", help="Pretend it is this time (ISO 8601 with zone)")]


@focus_app.command("propose")
def focus_propose(
    person: Annotated[str, typer.Argument(help="The person whose focus it is")],
    competency: Annotated[str, typer.Option(help="A competency id of the current framework")],
    level: Annotated[int, typer.Option(help="The target level")],
    description: Annotated[str, typer.Option(help="The focus in the words the two agree on")],
    by: ByOption,
    now: NowOption = None,
) -> None:
    """Propose a focus; the proposer agrees with it, the other party still has to."""
    from kairos.ingest.agreements import propose_focus

    cli, db = _env()
    focus = propose_focus(db, person_id=person, competency_id=competency, target_level=level,
                          description=description, by=by, now=cli._parse_now(now))  # fmt: skip
    waiting = "agreed by both: it is the active focus" if focus.agreed else "waiting for the other party to agree"
    cli.out.print(f"Focus {focus.id} for {person}: {competency} → level {level} ({waiting}).")


@focus_app.command("agree")
def focus_agree(focus_id: int, by: ByOption, now: NowOption = None) -> None:
    """Agree to a proposed focus; once both agree it becomes the active focus."""
    from kairos.ingest.agreements import agree_focus

    cli, db = _env()
    focus = agree_focus(db, focus_id, by=by, now=cli._parse_now(now))
    state = "now the active focus" if focus.agreed else "still waiting for the other party"
    cli.out.print(f"Focus {focus.id} for {focus.person_id}: {state}.")


@commitments_app.command("add")
def commitments_add(
    person: Annotated[str, typer.Argument(help="The person (the report in the 1:1)")],
    text: Annotated[str, typer.Argument(help="What was agreed")],
    by: ByOption,
    kind: Annotated[CommitmentKind, typer.Option(help="Whose it is")] = CommitmentKind.NEXT_STEP,
    meeting: Annotated[str | None, typer.Option(help="The 1:1 it was agreed in (meeting key)")] = None,
    due: Annotated[str | None, typer.Option(help="Due date, YYYY-MM-DD")] = None,
    visibility: Annotated[Visibility, typer.Option(help="Who may see it")] = Visibility.MANAGER,
    now: NowOption = None,
) -> None:
    """Record a commitment from a 1:1; the next brief and tip bring it back until it is followed up."""
    from kairos.ingest.agreements import record_commitment

    cli, db = _env()
    found = record_commitment(db, person_id=person, kind=kind, text=text, by=by, now=cli._parse_now(now),
                              meeting_key=meeting, due=date.fromisoformat(due) if due else None,
                              visibility=visibility)  # fmt: skip
    cli.out.print(f"Commitment {found.id} recorded for {person} and {found.manager_id}.")


def _follow_up(commitment_id: int, status: CommitmentStatus, note: str, by: str, now: str | None) -> None:
    from kairos.ingest.agreements import follow_up_commitment

    cli, db = _env()
    found = follow_up_commitment(db, commitment_id, status=status, note=note, by=by, now=cli._parse_now(now))
    cli.out.print(f"Commitment {found.id}: {found.status.value}.")


@commitments_app.command("done")
def commitments_done(
    commitment_id: int, by: ByOption, note: Annotated[str, typer.Option(help="What happened")] = "",
    now: NowOption = None,
) -> None:  # fmt: skip
    """Mark a commitment done, with what happened."""
    _follow_up(commitment_id, CommitmentStatus.DONE, note, by, now)


@commitments_app.command("drop")
def commitments_drop(
    commitment_id: int, by: ByOption, note: Annotated[str, typer.Option(help="Why it was dropped")] = "",
    now: NowOption = None,
) -> None:  # fmt: skip
    """Drop a commitment that no longer applies, saying why."""
    _follow_up(commitment_id, CommitmentStatus.DROPPED, note, by, now)


@commitments_app.command("list")
def commitments_list(person: Annotated[str, typer.Argument(help="The person")]) -> None:
    """A person's commitments, open and followed up."""
    from kairos.store import agreements as store

    cli, db = _env()
    with db.transaction() as conn:
        rows = store.all_for(conn, person)
    table = Table("id", "kind", "text", "status", "recorded (UTC)", "follow-up")
    for c in rows:
        table.add_row(str(c.id), c.kind.value, c.text, c.status.value, f"{c.recorded_at:%Y-%m-%d %H:%M}",
                      c.follow_up or "")  # fmt: skip
    cli.out.print(table)


def observe(
    person: Annotated[str, typer.Argument(help="The person observed")],
    text: Annotated[str, typer.Argument(help="What was observed, as evidence")],
    by: ByOption,
    kind: Annotated[str, typer.Option(help="observation (a manager's) or note (a short 1:1 note)")] = "observation",
    competency: Annotated[str | None, typer.Option(help="The competency it is evidence of")] = None,
    visibility: Annotated[Visibility, typer.Option(help="Who may see it")] = Visibility.MANAGER,
    meeting: Annotated[str | None, typer.Option(help="The 1:1 it belongs to (meeting key)")] = None,
    now: NowOption = None,
) -> None:
    """Store a manager observation or a 1:1 note as evidence, under its visibility."""
    from kairos.ingest.agreements import record_observation

    cli, db = _env()
    observation_id = record_observation(db, person_id=person, text=text, by=by, now=cli._parse_now(now), kind=kind,
                                        competency_id=competency, visibility=visibility,
                                        meeting_key=meeting)  # fmt: skip
    cli.out.print(f"Observation {observation_id} stored for {person} ({visibility.value}).")
