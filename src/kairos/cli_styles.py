"""``kairos import assessments`` and ``kairos style``: results in, profiles and insight out, consent respected."""

from __future__ import annotations

import json
from types import ModuleType
from typing import Annotated

import typer
from rich.markup import escape
from rich.table import Table

from kairos.domain.style import Instrument, StyleProfile, StyleSharing
from kairos.store import Database

style_app = typer.Typer(
    help="Style profiles from assessments: a person's, a pair's, a team's; who may see them.", no_args_is_help=True
)

AsOption = Annotated[
    str | None, typer.Option("--as", help="Show what this person (id) may see; default: the person themself")
]
NowOption = Annotated[str | None, typer.Option("--now", help="Pretend it is this time (ISO 8601 with zone)")]


def _env() -> tuple[ModuleType, Database]:
    from kairos import cli

    return cli, cli._database(cli._settings())


def import_assessments_cmd(
    file: Annotated[str, typer.Argument(help="A CSV or JSON file of one instrument's results")],
    instrument: Annotated[
        Instrument | None, typer.Option(help="The instrument; default: told from the columns (or JSON 'instrument')")
    ] = None,
    now: NowOption = None,
) -> None:
    """Import behavioral-assessment results (DISC, CliftonStrengths, Enneagram, Insights, HBDI, Big Five, VIA,
    16-type); see docs/formats/assessments.md."""
    from kairos.ingest.assessments import import_assessments

    cli, db = _env()
    done = import_assessments(db, file, instrument=instrument, now=cli._parse_now(now))
    cli.out.print(f"{file}: {done.results} {done.instrument.value} results ({done.new} new), {done.events} new events")


def _person(conn, person_id: str):  # type: ignore[no-untyped-def]
    from kairos.errors import InputError
    from kairos.store import people as people_store

    person = people_store.get_any(conn, person_id)
    if person is None:
        raise InputError.at("kairos style", "the id of a known person", field="person", value=person_id)
    return person


def _facts_table(profile: StyleProfile, title: str) -> Table:
    table = Table("dimension", "tendency", "lean", "from", title=escape(title))
    for fact in profile.facts:
        lean = "" if fact.lean is None else f"{fact.lean:+.1f}"
        table.add_row(fact.dimension.value, escape(fact.statement), lean, escape(f"{fact.evidence}; {fact.source}"))
    return table


@style_app.command("show")
def style_show(
    person: Annotated[str, typer.Argument(help="Whose profile")],
    viewer: AsOption = None,
    as_json: Annotated[bool, typer.Option("--json", help="Print the facts as JSON")] = False,
) -> None:
    """A person's style profile, fact by fact with the instrument and score behind each, as a viewer may see it."""
    from kairos.profiles.service import style_mapping, visible_profile

    cli, db = _env()
    settings = cli._settings()
    with db.transaction() as conn:
        owner = _person(conn, person)
        looker = _person(conn, viewer) if viewer else owner
        profile = visible_profile(conn, owner, looker, style_mapping(settings.styles_dir))
    if profile is None:
        cli.out.print(f"{person}'s style-sharing choice does not include {looker.id}: nothing is shown.")
        raise typer.Exit(0)
    if as_json:
        rows = [{"dimension": f.dimension.value, "statement": f.statement, "lean": f.lean,
                 "instrument": f.instrument.value, "evidence": f.evidence, "rule": f.rule, "source": f.source,
                 "ref": f.ref} for f in profile.facts]  # fmt: skip
        print(json.dumps(rows, indent=2, ensure_ascii=False))
        return
    if profile.empty:
        cli.out.print(f"No assessment results for {owner.name}: messages to and about them use no style facts.")
        return
    cli.out.print(_facts_table(profile, f"How {owner.name} tends to work"))
    cli.out.print("Tendencies, not labels: each names the instrument and score it came from (docs/styles.md).")


@style_app.command("sharing")
def style_sharing(
    person: Annotated[str, typer.Argument(help="Whose choice it is")],
    sharing: Annotated[StyleSharing, typer.Argument(help="none, private, manager (the default) or team")],
    by: Annotated[str, typer.Option("--by", help="Who makes the choice: only the person themself may")],
    now: NowOption = None,
) -> None:
    """Choose who may see your style facts: nobody (not used at all), only you, also your manager, or also your team."""
    from kairos.ingest.assessments import set_style_sharing

    cli, db = _env()
    set_style_sharing(db, person, sharing, by=by, now=cli._parse_now(now))
    cli.out.print(f"Style sharing for {person}: {sharing.value}.")


def _lines(title: str, lines: tuple) -> None:  # type: ignore[type-arg]
    from kairos import cli

    if lines:
        cli.out.print(title)
        for line in lines:
            refs = ", ".join(f.ref for f in line.facts)
            cli.out.print(f"  - {line.text}", markup=False, highlight=False)
            cli.out.print(f"      from: {refs}", markup=False, highlight=False, style="dim")


@style_app.command("pair")
def style_pair(
    person: Annotated[str, typer.Argument(help="The reader: who adapts (e.g. the manager)")],
    other: Annotated[str, typer.Argument(help="The person they work with")],
    viewer: AsOption = None,
) -> None:
    """How PERSON may adapt to OTHER, their likely friction, and what to do before a 1:1 — every line with the facts
    it comes from; OTHER's facts appear only if their consent lets the viewer (default PERSON) see them."""
    from kairos.profiles.relationship import relate
    from kairos.profiles.service import style_mapping, visible_profile

    cli, db = _env()
    mapping = style_mapping(cli._settings().styles_dir)
    with db.transaction() as conn:
        a, b = _person(conn, person), _person(conn, other)
        looker = _person(conn, viewer) if viewer else a
        profile_a = visible_profile(conn, a, looker, mapping)
        profile_b = visible_profile(conn, b, looker, mapping)
    names = {a.id: a.first_name, b.id: b.first_name}
    for who, profile in ((a, profile_a), (b, profile_b)):
        if profile is None:
            cli.out.print(f"{who.id}'s style-sharing choice does not include {looker.id}: their facts are not used.")
    insight = relate(profile_a or StyleProfile(a.id), profile_b or StyleProfile(b.id), names)
    _lines(f"How {a.first_name} may adapt to {b.first_name}:", insight.adapt)
    _lines("Likely friction:", insight.friction)
    _lines(f"Before a 1:1 with {b.first_name}:", insight.before_one_on_one)
    for note in insight.notes:
        cli.out.print(note, markup=False)


@style_app.command("team")
def style_team(
    team: Annotated[str, typer.Argument(help="The team, as in the people file's team column")],
    viewer: Annotated[str, typer.Option("--as", help="Who is looking (person id): consent decides who is named")],
    newcomer: Annotated[str | None, typer.Option(help="Also brief the team on this newcomer (person id)")] = None,
) -> None:
    """A team's style map, likely friction between members and what the team may under-weigh, as a viewer may see
    it: members whose consent excludes the viewer are counted, never named."""
    from kairos.domain.framework import same_label
    from kairos.profiles.service import style_mapping, team_view
    from kairos.profiles.team import joiner_briefing
    from kairos.store import people as people_store

    cli, db = _env()
    mapping = style_mapping(cli._settings().styles_dir)
    with db.transaction() as conn:
        looker = _person(conn, viewer)
        members = [p for p in people_store.active(conn).values() if same_label(p.team, team)]
        if not members:
            from kairos.errors import InputError

            raise InputError.at("kairos style team", "a team with active members", field="team", value=team)
        insight = team_view(conn, members, looker, mapping)
    table = Table("dimension", "how the team leans", title=escape(f"{team}: style map as {looker.id} may see it"))
    for spread in insight.style_map:
        table.add_row(spread.dimension.value, escape(spread.summary))
    cli.out.print(table)
    _lines("Likely friction between members:", tuple(p.line for p in insight.friction))
    _lines("What the team may under-weigh:", insight.under_weighed)
    for note in insight.notes:
        cli.out.print(note, markup=False)
    if newcomer:
        briefing = joiner_briefing(insight, newcomer)
        _lines(f"{newcomer} compared with the team:", briefing.compared)
        _lines("For the team:", briefing.for_team)
        _lines("For the newcomer:", briefing.for_newcomer)
        _lines("Likely friction:", tuple(p.line for p in briefing.friction))
        for note in briefing.notes:
            cli.out.print(note, markup=False)
