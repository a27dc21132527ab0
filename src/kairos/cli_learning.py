"""``kairos import catalog`` and ``kairos import xapi``: the learning catalog and learning records from files."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

NowOption = Annotated[str | None, typer.Option("--now", help="Pretend it is this time (ISO 8601 with zone)")]


def import_catalog_cmd(
    file: Annotated[Path, typer.Argument(help="A CSV or JSON catalog of learning activities")],
    now: NowOption = None,
) -> None:
    """Import the learning catalog: activities tagged with competencies and levels of the latest framework; see
    docs/formats/catalog.md."""
    from kairos import cli
    from kairos.ingest.catalog import import_catalog

    settings = cli._settings()
    done = import_catalog(cli._database(settings), file, now=cli._parse_now(now), max_chars=settings.max_field_chars)
    cli.out.print(
        f"{file}: {done.entries} activities ({done.new} new) checked against framework {done.framework}; "
        f"{done.events} new learning.completed events from statements stored before"
    )


def import_xapi_cmd(
    file: Annotated[Path, typer.Argument(help="xAPI statements: a JSON array, or one statement per line")],
    now: NowOption = None,
) -> None:
    """Import xAPI statements from a file, all or nothing; completions of catalogued activities become
    learning.completed events; see docs/formats/xapi.md."""
    from kairos import cli
    from kairos.ingest.xapi import import_statements

    settings = cli._settings()
    done = import_statements(cli._database(settings), file, now=cli._parse_now(now))
    cli.out.print(
        f"{file}: {len(done.ids)} statements ({done.new} new, {done.unknown_actors} of them about no known person); "
        f"{done.events} new learning.completed events"
    )
