"""The catalog of checks: every check family in run order, and the plan of
one vendor's checks.

:data:`FAMILIES` is the registry: one entry per check module of
:mod:`smsstatus.conformance.checks`, whose names are the stable check names
(``docs/conformance.md``). :func:`plan_vendor` loads a vendor on its own,
reads its fixture files and manifest, asks each family for its items and
applies declared known failures.
"""

from __future__ import annotations

from ..fixtures import offline_push_transport
from .checks import (
    auth,
    batch_limit,
    capability_fixtures,
    case,
    constant_time,
    core_capabilities,
    fixture_file,
    hooks,
    load,
    manifest,
    metadata,
    money,
    redaction,
    replay,
    requests,
    robustness,
    schemas,
    secrets,
    signature_oracle,
    status_map,
)
from .context import MIN_SECRET, Context, Family, altered, load_context
from .fixturefiles import read_fixture_files, vendors_in
from .manifest import read_manifest
from .outcomes import Check, Options, Target, VendorPlan

__all__ = ["FAMILIES", "CHECK_NAMES", "plan_vendor"]

#: Every check, in run order.
FAMILIES: tuple[Family, ...] = (
    load.FAMILY,
    metadata.FAMILY,
    hooks.FAMILY,
    constant_time.FAMILY,
    schemas.FAMILY,
    manifest.FAMILY,
    fixture_file.FAMILY,
    case.FAMILY,
    status_map.FAMILY,
    capability_fixtures.FAMILY,
    replay.FAMILY,
    requests.FAMILY,
    batch_limit.FAMILY,
    money.FAMILY,
    auth.FAMILY,
    signature_oracle.FAMILY,
    robustness.FAMILY,
    secrets.FAMILY,
    redaction.FAMILY,
    core_capabilities.FAMILY,
)

#: Every check name, in run order.
CHECK_NAMES: tuple[str, ...] = tuple(f.name for f in FAMILIES)

#: Checks that run fixture cases: selecting one also selects ``fixture-file``,
#: whose failures are why a file's cases do not run at all.
RUN_FIXTURES = frozenset(f.name for f in FAMILIES if f.runs_fixtures)


def _selected(checks: list[Check], options: Options) -> list[Check]:
    if options.checks is None:
        return checks
    names = set(options.checks) | {"load"}
    if names & RUN_FIXTURES:
        names.add("fixture-file")
    return [c for c in checks if c.name in names]


def _read_fixtures(ctx: Context) -> None:
    info, options = ctx.info, ctx.options
    if options.fixtures_dir is not None:
        names = vendors_in(options.fixtures_dir).get(ctx.vendor, [])
        ctx.files = read_fixture_files(ctx.vendor, options.fixtures_dir, info, names)
    else:
        ctx.files = read_fixture_files(ctx.vendor, info.fixtures, info)
        ctx.manifest = read_manifest(ctx.vendor, info.fixtures)
    # Pushes the checks derive from the cases stay offline: a push whose parsing
    # makes a request gets the recorded answer, or fails as if offline.
    ctx.registry.use_push_transport(offline_push_transport(ctx.cases))


def _apply_manifest(ctx: Context, checks: list[Check]) -> None:
    if ctx.app_mode or ctx.manifest.problems:
        return
    for entry in ctx.manifest.entries:
        if entry.check.split("::", 1)[0] in manifest.NOT_DECLARABLE:
            continue
        for item in checks:
            if entry.check in (item.name, item.local_id):
                item.known_failure = (
                    entry.reason if item.known_failure is None else f"{item.known_failure}; {entry.reason}"
                )


def plan_vendor(target: Target, options: Options) -> VendorPlan:
    """Load one vendor and plan its checks (only ``load`` when it did not load)."""
    ctx = load_context(target, options)
    vendor = target.vendor
    if ctx.loaded is None:
        only_load = [Check(vendor, "load", i.subject, i.run) for i in load.FAMILY.plan(ctx)]
        problems = "; ".join(ctx.load_problems)
        return VendorPlan(
            vendor, ctx.distribution, ctx.version, False, problems, _selected(only_load, options)
        )
    _read_fixtures(ctx)
    checks: list[Check] = []
    for family in FAMILIES:
        if ctx.app_mode and not family.app_mode:
            continue
        checks += [Check(vendor, family.name, i.subject, i.run, i.known_failure) for i in family.plan(ctx)]
    ctx.known_ids = frozenset(c.local_id for c in checks) | frozenset(c.name for c in checks)
    _apply_manifest(ctx, checks)
    secrets = [s for f in ctx.files for s in f.secrets if len(s) >= MIN_SECRET]
    secrets += [altered(s) for s in secrets]
    return VendorPlan(
        vendor,
        ctx.distribution,
        ctx.version,
        True,
        "; ".join(ctx.load_problems) or None,
        _selected(checks, options),
        tuple(dict.fromkeys(secrets)),
    )
