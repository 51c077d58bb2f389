"""``secrets``: no secret credential value, verbatim or encoded (percent,
base64, hex), shows in anything a push or fetch case produces: reports, the
reply, item errors, errors and their causes, log records, stdout, stderr,
warnings. Push cases run again with wrong credentials and a truncated body."""

from __future__ import annotations

import json
from collections.abc import Iterator
from typing import Any

import attrs

from ...fixtures import Case
from ...leaks import find_secrets
from ..context import Context, Family, Item, altered, push, push_request, replay_fetch, secret_credentials
from ..outcomes import CheckFailed, CheckSkipped
from ..sandbox import Capture

__all__ = ["FAMILY", "error_texts", "result_texts", "observe"]


def error_texts(exc: BaseException, where: str) -> Iterator[tuple[str, str]]:
    """The error's message, repr and text attributes; for the errors chained
    to it, what a traceback shows (their message)."""
    yield where, f"{exc} {exc!r}"
    for name, value in vars(exc).items():
        if isinstance(value, str):
            yield f"{where} ({name})", value
    seen = {id(exc)}
    current = exc.__cause__ or exc.__context__
    while current is not None and id(current) not in seen:
        seen.add(id(current))
        yield f"the cause of {where}", f"{type(current).__name__}: {current}"
        current = current.__cause__ or current.__context__


def result_texts(result: Any) -> Iterator[tuple[str, str]]:
    """Every text of a push or fetch result: reports (as JSON), its repr, the
    reply, item errors and their raw records."""
    from ...serialize import to_dict

    for i, report in enumerate(result.reports):
        try:
            yield f"report {i}", json.dumps(to_dict(report), ensure_ascii=False, default=str)
        except Exception:  # noqa: BLE001 -- an unserialisable report: search its repr instead
            yield f"report {i}", repr(report)
    yield "the result's repr", repr(result)
    reply = getattr(result, "reply", None)
    if reply is not None:
        yield "the reply", reply.body.decode("utf-8", "replace")
    for item in result.errors:
        yield from error_texts(item.error, f"item error {item.index}/{item.key}")
        yield f"item error {item.index}/{item.key} raw", json.dumps(item.raw, ensure_ascii=False, default=str)


def outcome_texts(outcome: Any) -> list[tuple[str, str]]:
    if isinstance(outcome, BaseException):
        return list(error_texts(outcome, "an error"))
    return list(result_texts(outcome))


def observe(ctx: Context, case: Case, variant: str) -> list[tuple[str, str]]:
    """Run a case (or a variant of it) and return every text it produced."""
    values = dict(case.data.get("credentials") or {})
    with Capture() as capture:
        outcome: Any
        if case.kind == "push":
            request = push_request(case)
            if variant == "wrong-credentials":
                values = {k: altered(v) for k, v in values.items()}
            elif variant == "truncated-body":
                request = attrs.evolve(request, body=request.body[: len(request.body) // 2])
            try:
                outcome = push(ctx, request, values)
            except Exception as exc:  # noqa: BLE001 -- every error is searched, not judged
                outcome = exc
        else:
            _, outcome = replay_fetch(ctx, case)
        texts = outcome_texts(outcome)
    return texts + list(capture.texts())


def report_leaks(found: dict[tuple[str, str, str], list[str]]) -> None:
    """Fail listing ``(credential, encoding, where) -> runs``."""
    if not found:
        return
    lines = []
    for (name, encoding, where), runs in found.items():
        more = f" and {len(runs) - 1} more run(s)" if len(runs) > 1 else ""
        how = "" if encoding == "verbatim" else f" ({encoding})"
        lines.append(f"credential {name!r} appears{how} in {where}: {runs[0]}{more}")
    raise CheckFailed("\n".join(lines))


def search(
    texts: list[tuple[str, str]],
    secrets: dict[str, str],
    run: str,
    found: dict[tuple[str, str, str], list[str]],
) -> None:
    for where, text in texts:
        for name, encoding in find_secrets(text, secrets):
            runs = found.setdefault((name, encoding, where), [])
            if run not in runs:
                runs.append(run)


def check(ctx: Context) -> None:
    found: dict[tuple[str, str, str], list[str]] = {}
    ran = 0
    for case in ctx.cases:
        if case.kind not in ("push", "fetch"):
            continue
        secrets = secret_credentials(ctx, case.data.get("credentials") or {})
        if not secrets:
            continue
        variants = ["as recorded"]
        if case.kind == "push":
            variants += ["wrong-credentials", "truncated-body"]
        for variant in variants:
            ran += 1
            search(observe(ctx, case, variant), secrets, f"{case.id} ({variant})", found)
    report_leaks(found)
    if not ran:
        raise CheckSkipped("no push or fetch case carries a secret credential")


def plan(ctx: Context) -> Iterator[Item]:
    yield Item(None, lambda: check(ctx))


FAMILY = Family("secrets", plan, app_mode=True, runs_fixtures=True)
