"""``kairos channels``, ``kairos preferences``, ``kairos deliveries``, ``kairos inbox`` and ``kairos mail-in``: how
people are reached, what they chose, what failed, and replies by email."""

from __future__ import annotations

from datetime import timedelta
from pathlib import Path
from types import ModuleType
from typing import Annotated

import typer
from rich.markup import escape
from rich.table import Table

from kairos.store import Database

channels_app = typer.Typer(help="Delivery channels and people's addresses on them.", no_args_is_help=True)
preferences_app = typer.Typer(help="How and when a person is reached: channel, opt-outs, digest, quiet hours.",
                              no_args_is_help=True)  # fmt: skip
deliveries_app = typer.Typer(help="Deliveries that failed for good (dead letters), and sending them again.",
                             no_args_is_help=True)  # fmt: skip
inbox_app = typer.Typer(help="People's web inboxes.", no_args_is_help=True)

NowOption = Annotated[str | None, typer.Option("--now", help="Pretend it is this time (ISO 8601 with zone)")]
ByOption = Annotated[str, typer.Option("--by", help="Who does this (person id)")]


def _env() -> tuple[ModuleType, Database]:
    from kairos import cli

    return cli, cli._database(cli._settings())


@channels_app.command("list")
def channels_list() -> None:
    """Every channel Kairos knows, whether it is configured, and the organization's order."""
    from kairos import cli
    from kairos.deliver.registry import FACTORIES, build_channels

    settings = cli._settings()
    built = build_channels(settings)
    order = settings.delivery.channels
    table = Table("channel", "configured", "place in the organization's order", "answers")
    for name in sorted(FACTORIES):
        channel = built.get(name)
        place = str(order.index(name) + 1) if name in order else ("beside it" if channel and channel.companion else "—")
        table.add_row(name, "yes" if channel else "no", place, escape(channel.answers if channel else ""))
    cli.out.print(table)


@channels_app.command("check")
def channels_check() -> None:
    """Sign in to every configured channel without sending anything; exit 1 if one cannot work."""
    from kairos import cli
    from kairos.deliver.registry import build_channels

    built = build_channels(cli._settings())  # no database needed: this is about the settings and the servers
    table = Table("channel", "works", "what was tried")
    failed = False
    for name, channel in sorted(built.items()):
        try:
            found = channel.check()
        finally:
            channel.close()
        failed = failed or not found.ok
        table.add_row(name, "yes" if found.ok else "[red]no[/red]", escape(found.detail))
    cli.out.print(table)
    if failed:
        raise typer.Exit(1)


def import_addresses_cmd(file: Path, now: NowOption = None) -> None:
    """Import people's chat addresses (CSV person_id,channel,address); see docs/formats/channel-addresses.md."""
    from kairos.ingest.addresses import import_addresses

    cli, db = _env()
    count = import_addresses(db, file, now=cli._parse_now(now), max_chars=cli._settings().max_field_chars)
    cli.out.print(f"{file}: {count} addresses stored")


@channels_app.command("link")
def channels_link(
    person: str,
    channel: Annotated[str, typer.Argument(help="slack, teams or matrix")],
    address: Annotated[str, typer.Argument(help="The person's id on that channel")],
    now: NowOption = None,
) -> None:
    """Record one person's address on a channel (what `kairos import addresses` does for a file)."""
    import tempfile

    from kairos.ingest.addresses import import_addresses

    cli, db = _env()
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "address.csv"
        path.write_text(f"person_id,channel,address\n{person},{channel},{address}\n")
        import_addresses(db, path, now=cli._parse_now(now))
    cli.out.print(f"{person} is {address} on {channel}.", markup=False, highlight=False)


@channels_app.command("unlink")
def channels_unlink(person: str, channel: str) -> None:
    """Forget a person's address on a channel (their messages go to the next channel that reaches them)."""
    from kairos.store import channels as channel_store

    cli, db = _env()
    with db.transaction() as conn:
        removed = channel_store.remove_address(conn, person, channel)
    cli.out.print(f"{person}'s {channel} address removed." if removed else f"{person} had no {channel} address.")


@preferences_app.command("show")
def preferences_show(person: str) -> None:
    """A person's preferences and the organization's defaults they fall back on."""
    from kairos.domain.preferences import Pacing, Preference
    from kairos.store import channels as channel_store

    cli, db = _env()
    settings = cli._settings()
    with db.transaction() as conn:
        pref = channel_store.preference(conn, person)
        known = channel_store.addresses_of(conn, person)
    pref = pref or Preference(person_id=person)
    order = ", ".join(settings.delivery.channels)
    pacing = pref.pacing.value
    if pref.pacing is Pacing.DIGEST:
        pacing += f" at {pref.digest_time or settings.delivery.digest_time:%H:%M}"
    quiet = pref.own_quiet_hours or (settings.quiet_hours.start, settings.quiet_hours.end)
    lines = [
        f"channel: {pref.channel or 'the organization order (' + order + ')'}",
        f"opted out of: {', '.join(sorted(pref.opted_out)) or 'nothing'}",
        f"pacing: {pacing}",
        f"quiet hours: {quiet[0]:%H:%M}-{quiet[1]:%H:%M}" + (" (own)" if pref.own_quiet_hours else ""),
        "addresses: " + (", ".join(f"{a.channel} {a.value}" for a in known.values()) or "none on record"),
    ]
    for line in lines:
        cli.out.print(line, markup=False, highlight=False)


@preferences_app.command("set")
def preferences_set(
    person: str,
    by: ByOption,
    channel: Annotated[str | None, typer.Option(help="A channel name, inbox, or 'default'")] = None,
    opt_out: Annotated[list[str] | None, typer.Option(help="Never use this channel (repeatable)")] = None,
    opt_in: Annotated[list[str] | None, typer.Option(help="Undo an opt-out (repeatable)")] = None,
    pacing: Annotated[str | None, typer.Option(help="realtime or digest")] = None,
    digest_time: Annotated[str | None, typer.Option(help="HH:MM local, or 'default'")] = None,
    quiet_hours: Annotated[str | None, typer.Option(help="HH:MM-HH:MM local, or 'default'")] = None,
    now: NowOption = None,
) -> None:
    """Change a person's preferences (only the person may: --by is them)."""
    from kairos.deliver.registry import build_channels
    from kairos.ingest.preferences import Change, change_preferences

    cli, db = _env()
    settings = cli._settings()
    enabled = [name for name, ch in build_channels(settings).items() if not ch.companion]
    change = Change(channel=channel, opt_out=tuple(opt_out or ()), opt_in=tuple(opt_in or ()), pacing=pacing,
                    digest_time=digest_time, quiet_hours=quiet_hours)  # fmt: skip
    change_preferences(db, person, change, by=by, enabled=enabled, now=cli._parse_now(now),
                       origin="kairos preferences set")  # fmt: skip
    preferences_show(person)


@deliveries_app.command("list")
def deliveries_list(
    status: Annotated[list[str] | None, typer.Option(help="failed, uncertain, retry, … (default failed, uncertain)")]
    = None,
    channel: Annotated[str | None, typer.Option(help="Only this channel")] = None,
    limit: Annotated[int, typer.Option(help="How many, newest first")] = 50,
) -> None:  # fmt: skip
    """Deliveries in a state, newest first, with the reason each failed."""
    from kairos.store import deliveries as delivery_store

    cli, db = _env()
    wanted = tuple(status or ("failed", "uncertain"))
    with db.transaction() as conn:
        rows = delivery_store.listed(conn, statuses=wanted, channel=channel, limit=limit)
    table = Table("moment", "channel", "recipient", "status", "attempts", "updated (UTC)", "reason")
    for r in rows:
        table.add_row(str(r.moment_id), r.channel, r.recipient_id, r.status, str(r.attempts),
                      f"{r.updated_at:%Y-%m-%d %H:%M}", escape(r.detail or ""))  # fmt: skip
    cli.out.print(table if rows else f"No delivery is {' or '.join(wanted)}.")


@deliveries_app.command("retry")
def deliveries_retry(moment: int, by: ByOption, now: NowOption = None) -> None:
    """Send a failed (or uncertain) delivery again at the next tick, once its cause is fixed."""
    from kairos.worker.dead_letters import retry_dead_letter

    cli, db = _env()
    channel = retry_dead_letter(db, moment, by=by, now=cli._parse_now(now))
    cli.out.print(f"Moment {moment} will be sent again on {channel} at the next tick.")


@inbox_app.command("link")
def inbox_link(person: str, days: Annotated[int, typer.Option(help="How long the link works")] = 30,
               now: NowOption = None) -> None:  # fmt: skip
    """Print a link to a person's inbox (and one to their preferences), to give them."""
    from kairos.deliver.tokens import Grant, signer

    cli, _ = _env()
    settings = cli._settings()
    base = settings.delivery.public_url
    if not base:
        cli.out.print("Set KAIROS_DELIVERY__PUBLIC_URL (where people reach Kairos) first.")
        raise typer.Exit(2)
    until = cli._parse_now(now) + timedelta(days=days)
    sign = signer(settings).issue
    cli.out.print(f"{base}/inbox?token={sign(Grant(person, 'inbox', until))}", markup=False, highlight=False)
    cli.out.print(f"{base}/preferences?token={sign(Grant(person, 'preferences', until))}", markup=False,
                  highlight=False)  # fmt: skip


def mail_in(
    host: Annotated[str | None, typer.Option(help="Interface (default KAIROS_MAIL_IN__HOST)")] = None,
    port: Annotated[int | None, typer.Option(help="Port (default KAIROS_MAIL_IN__PORT)")] = None,
) -> None:
    """Receive replies to email nudges over SMTP (point the reply domain's MX or a forwarding rule here)."""
    from kairos.deliver.channels.email_inbound import serve

    cli, db = _env()
    settings = cli._settings()
    if not settings.mail_in.reply_domain:
        cli.out.print("Set KAIROS_MAIL_IN__REPLY_DOMAIN (the domain of reply addresses) first.")
        raise typer.Exit(2)
    updates: dict[str, object] = {}
    if host:
        updates["host"] = host
    if port:
        updates["port"] = port
    if updates:
        settings = settings.model_copy(update={"mail_in": settings.mail_in.model_copy(update=updates)})
    serve(settings, db)
