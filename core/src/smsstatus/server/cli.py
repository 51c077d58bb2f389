"""``smsstatus serve``, ``smsstatus status`` and ``smsstatus replay``.

Loaded lazily by the main command group; starlette and uvicorn are imported
only by ``serve``, database drivers only when a store is opened.
"""

from __future__ import annotations

import json
import sys
from collections.abc import Sequence
from typing import Any

import click

from .. import logs
from ..cli import EXIT_FAILED, _guard, _table
from ..display import printable
from .build import build_server, open_configured_store, uvicorn_options

__all__ = ["serve", "status", "replay"]

DB = click.option(
    "--db",
    "db",
    envvar="SMSSTATUS_DB",
    default=None,
    metavar="URL",
    help="sqlite:///FILE or postgresql://USER@HOST/DB (env SMSSTATUS_DB; default: the config's"
    " database, else sqlite:///smsstatus.sqlite3 in the working directory).",
)
CONFIG = click.option(
    "--config",
    "config_path",
    envvar="SMSSTATUS_CONFIG",
    default=None,
    type=click.Path(dir_okay=False),
    metavar="FILE",
    help="TOML config file (env SMSSTATUS_CONFIG); see docs/tracker.md.",
)


@click.command()
@DB
@CONFIG
@click.option("--host", default="127.0.0.1", show_default=True, help="Address to listen on.")
@click.option("--port", default=8000, show_default=True, type=int, help="Port to listen on.")
@click.option("--no-poll", is_flag=True, help="Run the receiver only (no poller).")
@click.option(
    "--workers",
    type=click.IntRange(1, 64),
    default=1,
    show_default=True,
    help="Receiver processes on the port (more than 1 needs a PostgreSQL store; pollers share the work"
    " through leases).",
)
@click.option(
    "--log-level",
    type=click.Choice(["debug", "info", "warning", "error"]),
    default="info",
    show_default=True,
)
@_guard
def serve(  # noqa: PLR0917 -- click passes options positionally
    db: str | None,
    config_path: str | None,
    host: str,
    port: int,
    no_poll: bool,
    workers: int,
    log_level: str,
) -> None:
    """Run the webhook receiver and the poller (uvicorn)."""
    import os

    import uvicorn

    from .build import database_url
    from .config import load_config
    from .workers import WORKER_SPEC, requires_postgres, worker_spec

    if workers > 1 and (why := requires_postgres(database_url(db, load_config(config_path)))):
        raise click.BadParameter(why, param_hint="--workers")
    # One line per record, control characters escaped, secrets scrubbed;
    # uvicorn's own loggers propagate to it (log_config=None below).
    logs.configure(log_level)
    server = build_server(db=db, config_path=config_path, poll=not no_poll)
    assert server.receiver is not None and server.app is not None
    prefix = server.config.receiver.prefix
    click.echo(f"smsstatus: store {server.tracker.store.url}", err=True)
    for vendor in server.receiver.vendors:
        click.echo(f"smsstatus: receiving {vendor} at http://{host}:{port}{prefix}/{vendor}", err=True)
    if server.poller is not None and server.poller.vendors:
        click.echo(f"smsstatus: polling {', '.join(v.vendor for v in server.poller.vendors)}", err=True)
    for note in server.notes:
        click.echo(printable(f"smsstatus: {note}"), err=True)
    options = {
        "host": host,
        "port": port,
        "log_level": log_level,
        # uvicorn's loggers propagate to logs.configure's handler.
        "log_config": None,
        **uvicorn_options(server.config.receiver),
    }
    if workers > 1:
        # This process only supervises: each worker builds its own server
        # (the store is migrated already, by the build above).
        server.close()
        click.echo(f"smsstatus: {workers} worker processes", err=True)
        os.environ[WORKER_SPEC] = worker_spec(
            db=db, config_path=config_path, poll=not no_poll, log_level=log_level
        )
        uvicorn.run("smsstatus.server.workers:worker_app", factory=True, workers=workers, **options)
        return
    try:
        uvicorn.run(server.app, **options)
    finally:
        server.close()


@click.command()
@click.argument("vendor")
@click.argument("message_id")
@DB
@CONFIG
@click.option("--format", "fmt", type=click.Choice(["table", "json"]), default="table", show_default=True)
@_guard
def status(vendor: str, message_id: str, db: str | None, config_path: str | None, fmt: str) -> None:
    """Show the current status and history of a message (or a polled fetch id)."""
    from ..cli import _fail, _registry
    from ..errors import UnknownVendorError
    from ..serialize import format_instant
    from ..tracker import NotTrackedError, Tracker

    # An unknown vendor is named as parse names it; a store may still hold
    # messages of a vendor whose plugin is gone, so that is said only when
    # nothing is found.
    unknown: UnknownVendorError | None = None
    try:
        _registry().get(vendor)
    except UnknownVendorError as exc:
        unknown = exc
    try:
        store = _open_existing_store(db, config_path)
    except click.UsageError:
        if unknown is not None:
            raise unknown from None
        raise
    try:
        records = Tracker(store).message(vendor, message_id)
    except NotTrackedError as exc:
        if unknown is None:
            raise
        _fail(f"{exc}; {unknown}", unknown.exit_code)
    finally:
        store.close()

    def t(value: Any) -> Any:
        return format_instant(value) if value is not None else None

    data = [
        {
            "vendor": r.key.vendor,
            "message_id": r.key.message_id,
            "recipient": r.key.recipient or None,
            "status": r.status.value if r.status else None,
            "final": r.final,
            "reason": r.reason.value if r.reason else None,
            "parts_total": r.parts_total,
            "parts_missing": list(r.parts_missing),
            "batch_id": r.batch_id,
            "client_ref": r.client_ref,
            "events": r.events,
            "created_at": t(r.created_at),
            "updated_at": t(r.updated_at),
            "parts": [
                {
                    "index": p.index,
                    "total": p.total,
                    "status": p.status.value,
                    "reason": p.reason.value if p.reason else None,
                    "final": p.final,
                    "status_at": t(p.status_at),
                    "received_at": t(p.received_at),
                }
                for p in r.parts
            ],
            "poll": None
            if r.poll_target is None
            else {
                "fetch_id": r.poll_target.fetch_id,
                "state": r.poll_target.state,
                "polls": r.poll_target.polls,
                "submitted_at": t(r.poll_target.submitted_at),
                "next_poll_at": t(r.poll_target.next_poll_at),
                "give_up_at": t(r.poll_target.give_up_at),
                "last_polled_at": t(r.poll_target.last_polled_at),
                "last_error": r.poll_target.last_error,
            },
            "history": [
                {
                    "event": e.id,
                    "part": e.part_index,
                    "status": e.status.value,
                    "reason": e.reason.value if e.reason else None,
                    "vendor_status": e.vendor_status,
                    "vendor_code": e.vendor_code,
                    "status_at": t(e.status_at),
                    "received_at": t(e.received_at),
                    "channel": e.channel,
                    "applied": e.applied,
                    "decision": e.decision.value,
                    "synthetic": e.synthetic,
                    "duplicates": e.duplicates,
                    "report": e.report,
                }
                for e in r.history
            ],
        }
        for r in records
    ]
    if fmt == "json":
        click.echo(json.dumps({"messages": data}, ensure_ascii=False, indent=2))
        return

    def say(line: str) -> None:  # vendor values: control characters escaped
        click.echo(printable(line))

    for i, m in enumerate(data):
        if i:
            click.echo("")
        who = f" to {m['recipient']}" if m["recipient"] else ""
        state = m["status"] or "no report yet"
        if m["final"]:
            state += " (final)"
        if m["reason"]:
            state += f", reason {m['reason']}"
        say(f"{m['vendor']} {m['message_id']}{who}: {state}")
        if m["parts_total"] and m["parts_total"] > 1:
            missing = f", missing {m['parts_missing']}" if m["parts_missing"] else ""
            parts = ", ".join(f"{p['index']}={p['status']}" for p in m["parts"])
            say(f"  parts: {m['parts_total']} ({parts}){missing}")
        if m["batch_id"] or m["client_ref"]:
            say(f"  batch {m['batch_id'] or '-'}, client ref {m['client_ref'] or '-'}")
        poll = m["poll"]
        if poll:
            say(
                f"  poll: {poll['fetch_id']} {poll['state']}, {poll['polls']} poll(s), next {poll['next_poll_at']},"
                f" give up {poll['give_up_at']}"
                + (f", last error: {poll['last_error']}" if poll["last_error"] else "")
            )
        if m["history"]:
            rows = [
                {
                    **e,
                    "applied": e["applied"],
                    "synthetic": "synthetic" if e["synthetic"] else None,
                    "duplicates": e["duplicates"] or None,
                }
                for e in m["history"]
            ]
            _table(
                rows,
                (
                    "event",
                    "received_at",
                    "status_at",
                    "part",
                    "status",
                    "reason",
                    "vendor_status",
                    "channel",
                    "decision",
                    "applied",
                    "duplicates",
                    "synthetic",
                ),
            )


@click.command()
@DB
@CONFIG
@click.option("--vendor", default=None, help="Only this vendor's dead letters.")
@click.option("--id", "ids", multiple=True, type=int, help="Only these dead letters (repeatable).")
@click.option("--list", "list_only", is_flag=True, help="List pending dead letters; replay nothing.")
@click.option(
    "--include-unauthenticated",
    is_flag=True,
    help="Also replay pushes nothing authenticates: those that failed authentication (checked again) and"
    " those of vendors with no push credentials configured (accepted AS THEY ARE: they may be forgeries).",
)
@click.option("--format", "fmt", type=click.Choice(["table", "json"]), default="table", show_default=True)
@_guard
def replay(  # noqa: PLR0917 -- click passes options positionally
    db: str | None,
    config_path: str | None,
    vendor: str | None,
    ids: Sequence[int],
    list_only: bool,
    include_unauthenticated: bool,
    fmt: str,
) -> None:
    """Re-run pending dead letters (pushes that failed) through the plugins."""
    from ..serialize import format_instant
    from ..tracker import Tracker
    from .replay import replay_dead_letters

    if list_only:
        store = open_configured_store(db, config_path)
        try:
            tracker = Tracker(store)
            letters = tracker.dead_letters(vendor=vendor, ids=list(ids) or None)
            drops = tracker.dead_letter_drops()
        finally:
            store.close()
        rows = [
            {
                "id": d.id,
                "vendor": d.vendor,
                "kind": d.kind,
                "error_type": d.error_type,
                "authentication": d.authentication,
                "replayable": d.replay_copy is not None,
                "received_at": format_instant(d.received_at),
                "attempts": d.attempts,
                "error": (d.last_error or d.error)[:100],
            }
            for d in letters
        ]
        dropped = [
            {"vendor": d.vendor, "reason": d.reason, "letters": d.letters, "bytes": d.bytes} for d in drops
        ]
        if fmt == "json":
            click.echo(json.dumps({"dead_letters": rows, "dropped": dropped}, ensure_ascii=False, indent=2))
        else:
            _table(
                rows,
                (
                    "id",
                    "vendor",
                    "kind",
                    "error_type",
                    "authentication",
                    "replayable",
                    "received_at",
                    "attempts",
                    "error",
                ),
            )
            for d in dropped:
                click.echo(
                    f"dropped by the dead-letter limits: {d['vendor']} {d['reason']}: {d['letters']} letter(s),"
                    f" {d['bytes']} byte(s)",
                    err=True,
                )
        return
    if include_unauthenticated:
        click.echo(
            "smsstatus: WARNING: --include-unauthenticated replays pushes nothing authenticated"
            " (vendors without push credentials are taken as they are): check them with --list first",
            err=True,
        )
    server = build_server(db=db, config_path=config_path, poll=False, app=False)
    try:
        outcomes = replay_dead_letters(
            server.registry,
            server.tracker,
            server.credentials,
            vendor=vendor,
            ids=list(ids) or None,
            include_unauthenticated=include_unauthenticated,
        )
    finally:
        server.close()
    rows = [
        {
            "id": o.id,
            "vendor": o.vendor,
            "state": o.state,
            "reports": o.reports,
            "applied": o.applied,
            "duplicates": o.duplicates,
            "error": o.error,
        }
        for o in outcomes
    ]
    if fmt == "json":
        click.echo(json.dumps({"replayed": rows}, ensure_ascii=False, indent=2))
    else:
        _table(rows, ("id", "vendor", "state", "reports", "applied", "duplicates", "error"))
        done = sum(1 for o in outcomes if o.state == "replayed")
        click.echo(f"{done} of {len(outcomes)} dead letter(s) replayed", err=True)
    if any(o.state == "failed" for o in outcomes):
        sys.exit(EXIT_FAILED)


def _open_existing_store(db: str | None, config_path: str | None) -> Any:
    """The configured store, which must exist: reading commands never create
    an empty SQLite file (a mistyped directory or --db would otherwise
    "succeed" with nothing tracked)."""
    from pathlib import Path
    from urllib.parse import unquote, urlsplit

    from ..tracker import open_store, redact_url
    from .build import database_url
    from .config import load_config

    url = database_url(db, load_config(config_path))
    parts = urlsplit(url)
    if parts.scheme.lower() == "sqlite":
        path = unquote(parts.path[1:]) if parts.path.startswith("/") else ""
        if path and not Path(path).exists():
            raise click.UsageError(
                f"no store at {redact_url(url)}: nothing is tracked there"
                " (smsstatus serve creates it; --db or SMSSTATUS_DB names another)"
            )
    return open_store(url)
