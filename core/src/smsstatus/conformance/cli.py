"""``smsstatus conformance`` and ``smsstatus new-plugin`` (wired lazily by
:mod:`smsstatus.cli`).

Exit codes of ``conformance``: 0 every check passed (known failures failed
as declared), 1 a check failed, 2 usage error (unknown vendor or check, bad
option, missing ``conformance`` extra), 4 a plugin could not be loaded.
"""

from __future__ import annotations

import json
import sys
from pathlib import Path

import click

from .engine import EXIT_USAGE, UsageError

__all__ = ["conformance", "new_plugin"]


def _usage(message: str) -> None:
    click.echo(f"smsstatus: error: {message}", err=True)
    sys.exit(EXIT_USAGE)


def _needs_extra() -> None:
    import importlib.util

    missing = [name for name in ("hypothesis", "time_machine") if importlib.util.find_spec(name) is None]
    if missing:
        _usage(
            f"the conformance kit needs {', '.join(m.replace('_', '-') for m in missing)}: pip install 'smsstatus[conformance]'"
        )


@click.command()
@click.argument("vendors", nargs=-1)
@click.option(
    "--format",
    "fmt",
    type=click.Choice(["table", "json"]),
    default="table",
    show_default=True,
    help="table: a readable summary; json: one document (schemas/conformance-report.schema.json).",
)
@click.option(
    "--junit-xml",
    type=click.Path(dir_okay=False, path_type=Path),
    default=None,
    help="Also write JUnit XML to this file.",
)
@click.option("--strict", is_flag=True, help="Also require the core capabilities (check core-capabilities).")
@click.option(
    "--fixtures",
    "fixtures_dir",
    type=click.Path(exists=True, file_okay=False, path_type=Path),
    default=None,
    help="Run these fixture files (an application's captures) against the installed plugins they name.",
)
@click.option(
    "--check",
    "checks",
    multiple=True,
    metavar="NAME",
    help="Run only this check (repeatable); load always runs, fixture-file with checks that run fixtures.",
)
@click.option(
    "--seed",
    type=int,
    default=0,
    show_default=True,
    envvar="SMSSTATUS_CONFORMANCE_SEED",
    show_envvar=True,
    help="Seed of the robustness checks.",
)
@click.option(
    "--max-examples",
    type=click.IntRange(min=1),
    default=100,
    show_default=True,
    envvar="SMSSTATUS_CONFORMANCE_MAX_EXAMPLES",
    show_envvar=True,
    help="Generated inputs per robustness check.",
)
@click.option(
    "--time-limit",
    type=click.FloatRange(min=0.01),
    default=2.0,
    show_default=True,
    envvar="SMSSTATUS_CONFORMANCE_TIME_LIMIT",
    show_envvar=True,
    help="Seconds a plugin may take for one generated input.",
)
@click.option("--list", "list_only", is_flag=True, help="List the check ids without running them.")
@click.option(
    "--progress/--no-progress", default=None, help="Dots on stderr while running (default: on a terminal)."
)
@click.option("-v", "--verbose", is_flag=True, help="Table: every check, and the messages of skipped ones.")
def conformance(  # noqa: PLR0917 -- click passes options positionally
    vendors: tuple[str, ...],
    fmt: str,
    junit_xml: Path | None,
    strict: bool,
    fixtures_dir: Path | None,
    checks: tuple[str, ...],
    seed: int,
    max_examples: int,
    time_limit: float,
    list_only: bool,
    progress: bool | None,
    verbose: bool,
) -> None:
    """Check installed vendor plugins (all, or each VENDOR) against the contract.

    Exit codes: 0 all passed, 1 a check failed, 2 usage error, 4 a plugin
    could not be loaded. See docs/conformance.md.
    """
    from . import engine, report

    try:
        options = engine.Options(
            strict=strict,
            fixtures_dir=fixtures_dir,
            seed=seed,
            max_examples=max_examples,
            time_limit=time_limit,
            checks=engine.check_names(checks) if checks else None,
        )
        targets = engine.select_targets(vendors, options)
        if not list_only:
            _needs_extra()
        plans = engine.build_plans(targets, options)
    except UsageError as exc:
        _usage(str(exc))
    if list_only:
        for plan in plans:
            for check in plan.checks:
                suffix = f"  [known failure: {check.known_failure}]" if check.known_failure else ""
                click.echo(check.id + suffix)
        sys.exit(engine.EXIT_LOAD if any(not p.loaded for p in plans) else engine.EXIT_OK)
    show_progress = sys.stderr.isatty() if progress is None else progress
    ticker = report.Progress(sys.stderr) if show_progress else None
    run = engine.run(plans, options, on_result=ticker)
    if ticker is not None:
        ticker.close()
    if junit_xml is not None:
        junit_xml.parent.mkdir(parents=True, exist_ok=True)
        junit_xml.write_bytes(report.to_junit_xml(run))
    if fmt == "json":
        click.echo(json.dumps(report.to_json(run), indent=2, ensure_ascii=False))
    else:
        report.render_table(run, verbose=verbose, echo=click.echo)
    sys.exit(run.exit_code)


@click.command("new-plugin")
@click.argument("name")
@click.option(
    "--dir",
    "directory",
    type=click.Path(file_okay=False, path_type=Path),
    default=Path(),
    show_default=True,
    help="Where to create the smsstatus-NAME directory.",
)
@click.option(
    "--display-name", default=None, help="The vendor's name as people write it (default: from NAME)."
)
def new_plugin(name: str, directory: Path, display_name: str | None) -> None:
    """Write a new vendor plugin distribution, smsstatus-NAME, that passes conformance.

    It holds the hooks of an example vendor (JSON webhook and a status API),
    payload schemas, fixtures, tests and a CI workflow: replace the example
    protocol with your vendor's, fixture first (docs/writing-a-plugin.md).
    """
    from .scaffold import ScaffoldError, write_plugin

    try:
        target = write_plugin(name, directory, display_name=display_name)
    except ScaffoldError as exc:
        _usage(str(exc))
    click.echo(f"created {target}")
    click.echo("next:")
    click.echo(f"  cd {target}")
    click.echo('  pip install -e ".[test]"')
    click.echo(f"  smsstatus conformance {name}")
    click.echo("  pytest")
