"""``redaction``: a vendor answer that echoes a credential never carries it into the output.

Recorded answers seldom echo a credential, so the path that keeps an echoed
one out of reports, errors and logs is never exercised by the fixtures.
Vendors do echo: an error body repeating the request, a field holding the key.
Six fetch cases (the first three expecting reports, the first three expecting
errors) run again with each secret credential the plugin sends (verbatim or
encoded) put into the recorded answers: appended to every string of a JSON
answer (or to a text answer), and as the value of an ``echo`` member and of
each declared ``secret_fields`` member added to every JSON object. Whatever
the plugin answers (reports, item errors, an error, log records, output), no
secret may show in it, in any encoding. (The host's HTTP client masks the
secrets it sends in every answer it reads; this check holds it and every
plugin to that.)
"""

from __future__ import annotations

import copy
from collections.abc import Iterator, Mapping
from typing import Any

from ...fixtures import Case
from ...leaks import found_in
from ..context import Context, Family, Item, replay_fetch, secret_credentials
from ..outcomes import CheckSkipped
from ..sandbox import Capture
from .secrets import outcome_texts, report_leaks, search

#: The member added to every object of an answer to echo the secrets.
ECHO_MEMBER = "echo"


def _appended(value: Any, suffix: str) -> Any:
    if isinstance(value, dict):
        return {k: _appended(v, suffix) for k, v in value.items()}
    if isinstance(value, list):
        return [_appended(v, suffix) for v in value]
    if isinstance(value, str):
        return value + suffix
    return value


def _with_fields(value: Any, fields: Mapping[str, str]) -> Any:
    if isinstance(value, dict):
        return {**{k: _with_fields(v, fields) for k, v in value.items()}, **fields}
    if isinstance(value, list):
        return [_with_fields(v, fields) for v in value]
    return value


def _inject(case: Case, how: str, secrets: Mapping[str, str], fields: tuple[str, ...]) -> Case | None:
    data = copy.deepcopy(dict(case.data))
    echo = " ".join(secrets.values())
    changed = False
    for exchange in data["exchanges"]:
        body = exchange["response"].get("body")
        if not body:
            continue
        if "json" in body:
            if how == "appended":
                body["json"] = _appended(body["json"], f" {echo}")
            else:
                body["json"] = _with_fields(body["json"], dict.fromkeys((*fields, ECHO_MEMBER), echo))
            changed = True
        elif "text" in body and how == "appended":
            body["text"] = f"{body['text']} {echo}"
            changed = True
    return Case(case.vendor, case.file, data) if changed else None


def _sent_secrets(ctx: Context, case: Case, secrets: Mapping[str, str]) -> dict[str, str]:
    """The secrets the plugin puts in its requests (a vendor can echo only those)."""
    transport, _ = replay_fetch(ctx, case)
    texts = [
        "\n".join(
            [str(r.url), *(f"{k}: {v}" for k, v in r.headers.items()), r.content.decode("utf-8", "replace")]
        )
        for r in transport.requests
    ]
    return {k: v for k, v in secrets.items() if any(found_in(t, v) for t in texts)}


#: Fetch cases echoed into, per vendor: the first that expect reports and the
#: first that expect errors (each answer path is exercised; all of them would
#: only repeat it at a cost).
CASES_PER_OUTCOME = 3


def _sample(ctx: Context) -> list[Case]:
    fetches = [c for c in ctx.cases if c.kind == "fetch" and not c.xfail and c.data["exchanges"]]
    reports = [c for c in fetches if "reports" in c.data["expect"]]
    errors = [c for c in fetches if "reports" not in c.data["expect"] or c.data["expect"].get("errors")]
    chosen = {c.id: c for c in reports[:CASES_PER_OUTCOME] + errors[:CASES_PER_OUTCOME]}
    return list(chosen.values())


def check(ctx: Context) -> None:
    found: dict[tuple[str, str, str], list[str]] = {}
    ran = 0
    fields = tuple(ctx.info.secret_fields)
    for case in _sample(ctx):
        secrets = _sent_secrets(ctx, case, secret_credentials(ctx, case.data.get("credentials") or {}))
        if not secrets:
            continue
        for how in ("appended", "members"):
            injected = _inject(case, how, secrets, fields)
            if injected is None:
                continue
            ran += 1
            with Capture() as capture:
                _, outcome = replay_fetch(ctx, injected)
                texts = outcome_texts(outcome)
            run = f"{case.id} (echoed {'in every string' if how == 'appended' else 'in added members'})"
            search(texts + list(capture.texts()), secrets, run, found)
    report_leaks(found)
    if not ran:
        raise CheckSkipped("no fetch case sends a secret credential the vendor could echo")


def plan(ctx: Context) -> Iterator[Item]:
    if "fetch" in ctx.hooks:
        yield Item(None, lambda: check(ctx))


FAMILY = Family("redaction", plan, runs_fixtures=True)
