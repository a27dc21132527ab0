"""``kairos respond``, ``kairos review`` and ``kairos policy``: answers in, weighty recommendations approved,
and what the adaptive policy has learned."""

from __future__ import annotations

import json
from types import ModuleType
from typing import Annotated

import typer
from rich.markup import escape
from rich.table import Table

from kairos.domain.response import ResponseKind
from kairos.store import Database

review_app = typer.Typer(help="Weighty recommendations waiting for a person's approval.", no_args_is_help=True)
policy_app = typer.Typer(help="The intervention policy: check it, and see what it has learned.", no_args_is_help=True)

NowOption = Annotated[str | None, typer.Option("--now", help="Pretend it is this time (ISO 8601 with zone)")]
ByOption = Annotated[str, typer.Option("--by", help="Who does this (person id)")]


def _env() -> tuple[ModuleType, Database]:
    from kairos import cli

    return cli, cli._database(cli._settings())


def respond(
    moment: Annotated[int, typer.Argument(help="The moment the nudge came from (its id is in the message's why)")],
    kind: Annotated[ResponseKind, typer.Argument(help="applied, not_relevant, snooze, reflection or rating")],
    by: ByOption,
    text: Annotated[str | None, typer.Option(help="The reflection, in the person's words")] = None,
    rating: Annotated[int | None, typer.Option(help="1 to 5")] = None,
    now: NowOption = None,
) -> None:
    """Record a person's answer to a nudge they received; a snooze plans it again for the next working morning."""
    from kairos.ingest.responses import record_response

    cli, db = _env()
    settings = cli._settings()
    response_id = record_response(db, moment, kind, by=by, now=cli._parse_now(now), text=text, rating=rating,
                                  working_days=tuple(settings.working_days))  # fmt: skip
    cli.out.print(f"Response {response_id} recorded for moment {moment}: {kind.value}.")


@review_app.command("list")
def review_list() -> None:
    """Items waiting for approval, oldest first, with why each needs a person."""
    from kairos.store import decisions as decision_store

    cli, db = _env()
    with db.transaction() as conn:
        items = decision_store.waiting_reviews(conn)
    table = Table("item", "moment", "intervention", "for", "why it waits", "reasons of the decision")
    for item in items:
        d = item.decision
        table.add_row(str(item.id), str(item.moment_id), d["kind"], d["inputs"].get("person", ""),
                      escape("; ".join(item.reasons)), escape(d["reasons"][0]))  # fmt: skip
    cli.out.print(table if items else "Nothing is waiting for review.")


@review_app.command("approve")
def review_approve(
    item: int, by: ByOption, note: Annotated[str, typer.Option(help="Why, for the record")] = "", now: NowOption = None
) -> None:
    """Approve an item: its moment runs again with exactly the decision that was held."""
    from kairos.worker.review import approve

    cli, db = _env()
    moment_id = approve(db, item, by=by, note=note, now=cli._parse_now(now))
    cli.out.print(f"Item {item} approved; moment {moment_id} will carry it out at the next tick.")


@review_app.command("reject")
def review_reject(
    item: int, by: ByOption, note: Annotated[str, typer.Option(help="Why it should not go out")], now: NowOption = None
) -> None:
    """Reject an item, saying why; nothing is sent."""
    from kairos.worker.review import reject

    cli, db = _env()
    reject(db, item, by=by, note=note, now=cli._parse_now(now))
    cli.out.print(f"Item {item} rejected.")


@policy_app.command("validate")
def policy_validate(
    file: Annotated[str | None, typer.Argument(help="A policy file; default: the one in use")] = None,
) -> None:
    """Check a policy file: every problem with its line and key."""
    from pathlib import Path

    from kairos.decide.policy_file import load_policy
    from kairos.worker.runtime import policy_path

    cli, _ = _env()
    policy = load_policy(Path(file) if file else policy_path(cli._settings()))
    kinds = sum(len(v) for v in policy.interventions.values())
    cli.out.print(f"{policy.source}: policy {policy.label} is valid ({kinds} bottleneck→intervention pairs).")


@policy_app.command("report")
def policy_report(as_json: Annotated[bool, typer.Option("--json", help="Print the report as JSON")] = False) -> None:
    """What the adaptive policy optimizes, what it has learned per segment, and how much it explored."""
    from kairos.decide.policy_file import load_policy
    from kairos.worker.learn import learned_report
    from kairos.worker.runtime import policy_path

    cli, db = _env()
    policy = load_policy(policy_path(cli._settings()))
    report = learned_report(db, policy)
    if as_json:
        print(json.dumps(report, indent=2))
        return
    cli.out.print(f"Policy {policy.label} optimizes: {policy.optimizes}", highlight=False)
    cap = f"{policy.adaptive.max_explore_share:.0%}"
    cli.out.print(f"Segments by {', '.join(policy.adaptive.segment_by)}; {report['protected_attributes']}. "
                  f"Exploration is capped at {cap} of a segment's adaptive decisions; {report['credit']}.",
                  highlight=False)  # fmt: skip
    for seg in report["segments"]:
        mean = f", mean reward {seg['mean_reward']:.2f}" if seg["mean_reward"] is not None else ""
        title = (f"{seg['segment']}: {seg['adaptive_decisions']} adaptive decisions, {seg['exploratory']} "
                 f"exploratory, {seg['settled']} settled{mean}")  # fmt: skip
        table = Table("bottleneck", "kind of help", "posterior mean", "outcomes settled", title=title)
        for arm in seg["arms"]:
            table.add_row(arm["bottleneck"], arm["kind"], f"{arm['posterior_mean']:.2f}", str(arm["outcomes"]))
        cli.out.print(table)
    if not report["segments"]:
        cli.out.print("Nothing learned yet: no decision of this policy has been made.")
