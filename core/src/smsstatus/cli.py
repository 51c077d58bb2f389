"""The ``smsstatus`` command line.

Exit codes (documented in ``docs/cli.md``):

* 0 success
* 1 checks failed (conformance), or an internal error
* 2 usage error (bad option, unknown vendor, missing credential, unsupported operation)
* 3 bad payload or failed authentication
* 4 vendor or network error, or a broken plugin

Errors are one line on stderr; ``--debug`` adds the traceback. No output ever
echoes a credential value. Human-readable output (tables, error lines, log
lines) has its control characters escaped (:mod:`smsstatus.display`); JSON
output is exact.
"""

from __future__ import annotations

import json
import sys
import traceback
from collections.abc import Callable, Iterable, Sequence
from typing import Any, ClassVar, NoReturn, TypeVar

import click

from . import logs
from .apiversion import PLUGIN_API_VERSION
from .credentials import credentials_from_env
from .display import printable
from .errors import NotAStatusError, SmsStatusError
from .http import DEFAULT_MAX_RESPONSE_BYTES
from .scrub import Scrubber

F = TypeVar("F", bound=Callable[..., Any])

EXIT_OK = 0
EXIT_FAILED = 1
EXIT_USAGE = 2
EXIT_PAYLOAD = 3
EXIT_VENDOR = 4

# The secrets of this command line, scrubbed from every error line printed.
_SCRUBBER = Scrubber()


class _State:
    debug = False


def _fail(message: str, code: int) -> NoReturn:
    click.echo(f"smsstatus: error: {printable(_SCRUBBER(message))}", err=True)
    sys.exit(code)


def _guard(func: F) -> F:
    """Turn library errors into one line on stderr and the documented exit code."""
    import functools

    @functools.wraps(func)
    def wrapper(*args: Any, **kwargs: Any) -> Any:
        try:
            return func(*args, **kwargs)
        except SmsStatusError as exc:
            if _State.debug:
                traceback.print_exc()
            _fail(str(exc), exc.exit_code)
        except (click.exceptions.Exit, click.ClickException, SystemExit, KeyboardInterrupt):
            raise
        except ModuleNotFoundError as exc:
            extra = _EXTRA_OF.get((exc.name or "").partition(".")[0])
            if extra is None:
                raise
            if _State.debug:
                traceback.print_exc()
            _fail(
                f"this needs the {extra!r} extra, not installed: pip install 'smsstatus[{extra}]'", EXIT_USAGE
            )
        except Exception as exc:  # noqa: BLE001 -- last line of defence: one line, no traceback
            if _State.debug:
                traceback.print_exc()
            _fail(f"internal error: {type(exc).__name__}: {exc} (rerun with --debug)", EXIT_FAILED)

    return wrapper  # type: ignore[return-value]


def _registry() -> Any:
    from .registry import load

    return load()


def _parse_credentials(vendor: str, registry: Any, given: Sequence[str]) -> dict[str, str]:
    info = registry.info(vendor)
    values = credentials_from_env(vendor, tuple(c.name for c in info.credentials))
    for item in given:
        key, sep, value = item.partition("=")
        if not sep or not key:
            raise click.BadParameter("expected KEY=VALUE", param_hint="--credential")
        values[key] = value
    for secret in registry.credentials(vendor, values).secret_values():
        _SCRUBBER.add_secret(secret)
    return values


def _dump(value: Any, indent: int | None = None) -> str:
    return json.dumps(value, ensure_ascii=False, indent=indent)


def _emit_reports(reports: Iterable[Any], fmt: str, extra: dict[str, Any] | None = None) -> None:
    from .serialize import to_dict

    rows = [to_dict(r) for r in reports]
    if fmt == "jsonl":
        for row in rows:
            click.echo(_dump(row))
    elif fmt == "json":
        click.echo(_dump({"reports": rows, **(extra or {})}, indent=2))
    else:
        _table(
            rows,
            ("vendor", "message_id", "recipient", "status", "final", "reason", "vendor_status", "status_at"),
        )


def _table(rows: Sequence[dict[str, Any]], columns: Sequence[str]) -> None:
    def cell(value: Any) -> str:
        if value is None:
            return "-"
        if isinstance(value, bool):
            return "yes" if value else "no"
        return printable(str(value))

    cells = [[cell(row.get(c)) for c in columns] for row in rows]
    widths = [max([len(c), *(len(r[i]) for r in cells)]) for i, c in enumerate(columns)]
    click.echo("  ".join(c.upper().ljust(w) for c, w in zip(columns, widths, strict=True)).rstrip())
    for r in cells:
        click.echo("  ".join(v.ljust(w) for v, w in zip(r, widths, strict=True)).rstrip())


def _report_item_errors(errors: Sequence[Any]) -> None:
    from .fixtures import error_type

    for item in errors:
        where = f"item {item.index}" if item.index is not None else f"id {item.key}"
        line = f"smsstatus: {error_type(item.error)} error at {where}: {_SCRUBBER(str(item.error))}"
        click.echo(printable(line), err=True)


FORMAT_REPORTS = click.option(
    "--format",
    "fmt",
    type=click.Choice(["jsonl", "json", "table"]),
    default="jsonl",
    show_default=True,
    help="jsonl: one canonical report per line.",
)
CREDENTIAL = click.option(
    "--credential",
    "credentials",
    multiple=True,
    metavar="KEY=VALUE",
    help="A vendor credential (also read from SMSSTATUS_<VENDOR>_<KEY>).",
)

TIMEOUT = click.option(
    "--timeout",
    default=15.0,
    show_default=True,
    type=click.FloatRange(min=0, min_open=True),
    help="Seconds each HTTP exchange may take in all: connecting, retries, their waits and the answer.",
)
MAX_RESPONSE_BYTES = click.option(
    "--max-response-bytes",
    default=DEFAULT_MAX_RESPONSE_BYTES,
    show_default=True,
    type=click.IntRange(min=1),
    help="Largest vendor answer taken; a larger one is an error.",
)


#: Modules of the optional extras, by the extra that installs them.
_EXTRA_OF = {
    "starlette": "server",
    "uvicorn": "server",
    "psycopg": "postgres",
    "psycopg_pool": "postgres",
    "pytest": "conformance",
    "hypothesis": "conformance",
    "time_machine": "conformance",
}

#: The environment variables the command line reads (shown by ``--help``).
ENVIRONMENT: tuple[tuple[str, str], ...] = (
    ("SMSSTATUS_<VENDOR>_<NAME>", "A vendor credential (names: smsstatus plugins); --credential wins."),
    ("SMSSTATUS_VENDORS", "Load only these vendor plugins (comma-separated ids)."),
    ("SMSSTATUS_DB", "The tracker's store for serve, status and replay (--db wins)."),
    ("SMSSTATUS_CONFIG", "The TOML config file of serve, status and replay (--config wins)."),
    (
        "SMSSTATUS_CONFORMANCE_MAX_EXAMPLES",
        "conformance: generated inputs per robustness check (--max-examples wins).",
    ),
    ("SMSSTATUS_CONFORMANCE_SEED", "conformance: seed of the robustness checks (--seed wins)."),
    (
        "SMSSTATUS_CONFORMANCE_TIME_LIMIT",
        "conformance: seconds one generated input may take (--time-limit wins).",
    ),
    (
        "_SMSSTATUS_COMPLETE",
        'Shell completion: eval "$(_SMSSTATUS_COMPLETE=bash_source smsstatus)" (docs/cli.md).',
    ),
)


def complete_vendor(_ctx: click.Context, _param: click.Parameter, incomplete: str) -> list[Any]:
    """Shell completion of a VENDOR argument: the installed vendor ids, read from
    the entry points without importing any plugin."""
    from importlib.metadata import entry_points

    from click.shell_completion import CompletionItem

    names = sorted({ep.name for ep in entry_points(group="smsstatus.vendors")})
    return [CompletionItem(name) for name in names if name.startswith(incomplete)]


def _with_vendor_completion(command: click.Command) -> click.Command:
    """``command`` with its VENDOR argument(s) completing the installed vendor ids."""
    for index, param in enumerate(command.params):
        if isinstance(param, click.Argument) and param.name in ("vendor", "vendors"):
            command.params[index] = click.Argument(
                [param.name], nargs=param.nargs, required=param.required, shell_complete=complete_vendor
            )
    return command


class _LazyGroup(click.Group):
    """Commands from other modules, imported only when invoked, so ``--help``
    and the light commands stay fast."""

    lazy: ClassVar[dict[str, tuple[str, str, str]]] = {
        "conformance": (
            "smsstatus.conformance.cli",
            "conformance",
            "Check installed plugins against the contract.",
        ),
        "new-plugin": (
            "smsstatus.conformance.cli",
            "new_plugin",
            "Write a new plugin distribution to start from.",
        ),
        "serve": (
            "smsstatus.server.cli",
            "serve",
            "Run the webhook receiver and the poller.",
        ),
        "status": (
            "smsstatus.server.cli",
            "status",
            "Show a tracked message's status and history.",
        ),
        "replay": (
            "smsstatus.server.cli",
            "replay",
            "Re-run dead letters (pushes that failed).",
        ),
        "stats": (
            "smsstatus.server.stats_command",
            "stats",
            "Delivery quality: rates, time to final status, stalls.",
        ),
    }

    def format_epilog(self, ctx: click.Context, formatter: click.HelpFormatter) -> None:
        with formatter.section("Environment"):
            formatter.write_dl(ENVIRONMENT)
        super().format_epilog(ctx, formatter)

    def main(
        self,
        args: Sequence[str] | None = None,
        prog_name: str | None = None,
        complete_var: str | None = None,
        standalone_mode: bool = True,
        **extra: Any,
    ) -> Any:
        """click's ``main``, but a usage error is one line (``smsstatus: error:
        ...``) with exit code 2, as every other error, instead of click's
        usage block."""
        if not standalone_mode:
            return super().main(args, prog_name, complete_var, standalone_mode, **extra)
        try:
            code = super().main(args, prog_name, complete_var, False, **extra)
        except click.exceptions.NoArgsIsHelpError as exc:  # bare ``smsstatus``: the help, as click shows it
            exc.show()
            sys.exit(exc.exit_code)
        except click.ClickException as exc:
            where = (
                f" (see '{exc.ctx.command_path} --help')"
                if isinstance(exc, click.UsageError) and exc.ctx
                else ""
            )
            code = EXIT_USAGE if isinstance(exc, click.UsageError) else exc.exit_code
            _fail(exc.format_message() + where, code)
        except click.exceptions.Abort:
            _fail("aborted", EXIT_FAILED)
        sys.exit(code if isinstance(code, int) else EXIT_OK)

    def list_commands(self, ctx: click.Context) -> list[str]:
        return sorted([*super().list_commands(ctx), *self.lazy])

    def get_command(self, ctx: click.Context, cmd_name: str) -> click.Command | None:
        if cmd_name in self.lazy:
            import importlib

            module, attr, _ = self.lazy[cmd_name]
            command: click.Command = getattr(importlib.import_module(module), attr)
            return _with_vendor_completion(command)
        return super().get_command(ctx, cmd_name)

    def format_commands(self, ctx: click.Context, formatter: click.HelpFormatter) -> None:
        rows = [(name, cmd.get_short_help_str(60)) for name, cmd in sorted(self.commands.items())]
        rows += [(name, help_) for name, (_, _, help_) in self.lazy.items()]
        with formatter.section("Commands"):
            formatter.write_dl(sorted(rows))


@click.group(cls=_LazyGroup, context_settings={"help_option_names": ["-h", "--help"]})
@click.option("--debug", is_flag=True, help="Show tracebacks on errors.")
@click.version_option(package_name="smsstatus")
def main(debug: bool) -> None:
    """Turn SMS vendors' delivery-status dialects into one canonical report.

    Exit codes: 0 success, 1 checks failed, 2 usage error, 3 bad payload or
    failed authentication, 4 vendor or network error.
    """
    _State.debug = debug
    if debug:
        logs.configure("debug")


@main.command()
@click.option("--format", "fmt", type=click.Choice(["table", "json"]), default="table", show_default=True)
@_guard
def plugins(fmt: str) -> None:
    """List installed vendor plugins, and the ones that failed to load."""
    registry = _registry()
    vendors = [
        {
            "id": v.id,
            "display_name": v.info.display_name,
            "capabilities": sorted(c.value for c in v.info.capabilities),
            "credentials": [
                {"name": c.name, "used_for": c.used_for, "required": c.required, "description": c.description}
                for c in v.info.credentials
            ],
            "statuses": [
                {
                    "value": d.value,
                    "code": d.code,
                    "status": d.expected.status.value,
                    "final": d.expected.final,
                    "reason": d.expected.reason.value if d.expected.reason else None,
                    "mapping": d.expected.mapping.value,
                }
                for d in v.info.statuses
            ],
            "fetch_key": v.info.fetch_key,
            "distribution": v.distribution,
            "version": v.version,
            "docs_url": v.info.docs_url,
            "plugin_api": v.plugin_api,
        }
        for v in registry.vendors.values()
    ]
    failures = [
        {"name": f.name, "error": f.error, "distribution": f.distribution, "version": f.version}
        for f in registry.failures
    ]
    if fmt == "json":
        # plugin_api: the plugin API this smsstatus provides (each vendor's: what it declares).
        document = {"plugin_api": PLUGIN_API_VERSION, "vendors": vendors, "failures": failures}
        click.echo(_dump(document, indent=2))
        return
    rows = [
        {
            "vendor": v["id"],
            "name": v["display_name"],
            "capabilities": ",".join(v["capabilities"]),
            "distribution": f"{v['distribution']} {v['version']}" if v["distribution"] else None,
            "state": "ok",
        }
        for v in vendors
    ]
    rows += [
        {
            "vendor": f["name"],
            "distribution": f"{f['distribution']} {f['version']}" if f["distribution"] else None,
            "state": f"BROKEN: {f['error']}",
        }
        for f in failures
    ]
    _table(rows, ("vendor", "name", "capabilities", "distribution", "state"))


@main.command()
@click.argument("vendor")
@click.argument("file", type=click.File("rb"), default="-")
@click.option("--method", default=None, help="HTTP method (default: POST with a body, GET without).")
@click.option("--content-type", default=None, help="Content-Type of the body (default: sniffed).")
@click.option("--query", default=None, help="Query string, e.g. for GET pushes.")
@click.option(
    "--url", default="https://webhook.invalid/", show_default=True, help="Public URL the vendor called."
)
@click.option("--header", "headers", multiple=True, metavar="'K: V'", help="A request header.")
@CREDENTIAL
@FORMAT_REPORTS
@_guard
def parse(
    vendor: str,
    file: Any,
    method: str | None,
    content_type: str | None,
    query: str | None,
    url: str,
    headers: Sequence[str],
    credentials: Sequence[str],
    fmt: str,
) -> None:
    """Parse one push (webhook request body from FILE or stdin) into canonical reports."""
    from .request import PushRequest

    registry = _registry()
    creds = _parse_credentials(vendor, registry, credentials)
    body: bytes = (
        file.read() if file is not None and not (file.name == "<stdin>" and sys.stdin.isatty()) else b""
    )
    header_pairs = []
    for item in headers:
        name, sep, value = item.partition(":")
        if not sep or not name.strip():
            raise click.BadParameter(f"expected 'Name: value', got {item!r}", param_hint="--header")
        header_pairs.append((name.strip(), value.strip()))
    if content_type is None and body and not any(n.lower() == "content-type" for n, _ in header_pairs):
        content_type = (
            "application/json" if body.lstrip()[:1] in (b"{", b"[") else "application/x-www-form-urlencoded"
        )
    request = PushRequest.build(
        method=method or ("POST" if body else "GET"),
        url=url,
        query=query,
        headers=header_pairs,
        content_type=content_type,
        body=body,
    )
    result = registry.parse_push(vendor, request, creds)
    reply = {
        "status_code": result.reply.status_code,
        "content_type": result.reply.content_type,
        "body": result.reply.body.decode("utf-8", "replace"),
    }
    _emit_reports(result.reports, fmt, {"reply": reply, "errors": len(result.errors)})
    if result.errors:
        _report_item_errors(result.errors)
        # Traffic that is no status (an inbound message) is acknowledged, not a failure.
        if not all(isinstance(item.error, NotAStatusError) for item in result.errors):
            sys.exit(EXIT_PAYLOAD)


@main.command("map")
@click.argument("vendor")
@click.argument("status")
@click.argument("code", required=False)
@_guard
def map_(vendor: str, status: str, code: str | None) -> None:
    """Map a vendor STATUS (and CODE) to its canonical status."""
    mapped = _registry().map_status(vendor, status, code)
    click.echo(
        _dump(
            {
                "vendor": vendor,
                "vendor_status": status,
                "vendor_code": code,
                "status": mapped.status.value,
                "final": mapped.final,
                "reason": mapped.reason.value if mapped.reason else None,
                "mapping": mapped.mapping.value,
                "description": mapped.description,
                "retry_later": mapped.reason.retry_later if mapped.reason else None,
                "retry_elsewhere": mapped.reason.retry_elsewhere if mapped.reason else None,
            }
        )
    )


@main.command()
@click.argument("vendor")
@click.argument("ids", nargs=-1, required=True)
@click.option(
    "--base-url", default=None, help="Override the vendor's API base URL (regional node, test server)."
)
@TIMEOUT
@MAX_RESPONSE_BYTES
@CREDENTIAL
@FORMAT_REPORTS
@_guard
def fetch(
    vendor: str,
    ids: Sequence[str],
    base_url: str | None,
    timeout: float,
    max_response_bytes: int,
    credentials: Sequence[str],
    fmt: str,
) -> None:
    """Fetch the current status of message IDS from the vendor's API."""
    registry = _registry()
    creds = _parse_credentials(vendor, registry, credentials)
    result = registry.fetch(
        vendor, ids, creds, base_url=base_url, timeout=timeout, max_response_bytes=max_response_bytes
    )
    _emit_reports(result.reports, fmt, {"errors": len(result.errors)})
    if result.errors:
        _report_item_errors(result.errors)
        sys.exit(EXIT_VENDOR)


@main.command()
@click.argument("vendor")
@click.option(
    "--base-url", default=None, help="Override the vendor's API base URL (regional node, test server)."
)
@TIMEOUT
@MAX_RESPONSE_BYTES
@click.option(
    "--max-batches",
    default=1,
    show_default=True,
    type=click.IntRange(1, 10_000),
    help="Batches to collect while the vendor says it holds more.",
)
@CREDENTIAL
@FORMAT_REPORTS
@_guard
def drain(
    vendor: str,
    base_url: str | None,
    timeout: float,
    max_response_bytes: int,
    max_batches: int,
    credentials: Sequence[str],
    fmt: str,
) -> None:
    """Collect reports from a pull that hands each report out once.

    The vendor forgets what it returns: each batch is written out (reports on
    stdout, unreadable records as JSON lines with their raw value on stderr)
    before the next request.
    """
    registry = _registry()
    creds = _parse_credentials(vendor, registry, credentials)
    unreadable = 0
    for _ in range(max_batches):
        result = registry.drain(
            vendor, creds, base_url=base_url, timeout=timeout, max_response_bytes=max_response_bytes
        )
        _emit_reports(result.reports, fmt, {"errors": len(result.errors), "more": result.more})
        _emit_drained_errors(result.errors)
        unreadable += len(result.errors)
        if not result.more:
            break
    if unreadable:
        sys.exit(EXIT_PAYLOAD)


def _emit_drained_errors(errors: Sequence[Any]) -> None:
    """Records the vendor no longer holds: one JSON line each, raw included."""
    from .fixtures import error_type

    for item in errors:
        line = {
            "error": error_type(item.error),
            "message": str(item.error),
            "index": item.index,
            "key": item.key,
            "raw": item.raw,
        }
        click.echo(json.dumps(line, ensure_ascii=False, default=str), err=True)


@main.command()
@click.argument("name")
@_guard
def schema(name: str) -> None:
    """Print a JSON Schema: status-report, fixture, or VENDOR/FILE of a plugin."""
    from .schemas import SCHEMA_NAMES, load_schema

    if name in SCHEMA_NAMES:
        click.echo(_dump(load_schema(name), indent=2))
        return
    vendor, sep, file = name.partition("/")
    if not sep:
        raise click.BadParameter(
            f"unknown schema {name!r}; choose one of {', '.join(SCHEMA_NAMES)} or VENDOR/FILE",
            param_hint="NAME",
        )
    info = _registry().info(vendor)
    candidates = [file, f"{file}.schema.json", f"{file}.json"]
    for candidate in candidates:
        if info.schemas is not None and (info.schemas / candidate).is_file():
            click.echo((info.schemas / candidate).read_text("utf-8").rstrip())
            return
    available = sorted(f.name for f in info.schemas.iterdir()) if info.schemas is not None else []
    raise click.BadParameter(
        f"{vendor} has no schema {file!r} (has: {', '.join(available)})", param_hint="NAME"
    )


for _command in (parse, map_, fetch):
    _with_vendor_completion(_command)


if __name__ == "__main__":  # pragma: no cover
    main()
