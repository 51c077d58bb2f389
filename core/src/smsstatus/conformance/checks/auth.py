"""``auth::wrong-<credential>`` and ``auth::missing-<credential>``: a push
with a wrong configured value, or with the value taken out of the request,
raises ``AuthenticationError``, whose message shows neither value."""

from __future__ import annotations

import functools
import json
from collections.abc import Iterator
from typing import Any
from urllib.parse import parse_qsl, quote, quote_plus, urlencode, urlsplit, urlunsplit

import attrs

from ... import errors as err
from ...credentials import CredentialSpec
from ...fixtures import Case, error_type
from ...leaks import find_secrets
from ...request import Headers, PushRequest
from ...vendor import VendorInfo
from ..context import Context, Family, Item, altered, expects_reports, json_body, push, push_request
from ..outcomes import CheckFailed, CheckSkipped

__all__ = ["FAMILY", "push_secrets", "without_value"]


def push_secrets(info: VendorInfo) -> list[CredentialSpec]:
    return [c for c in info.credentials if c.used_for == "push" and c.secret]


def seed_case(ctx: Context, spec: CredentialSpec) -> Case | None:
    """The first passing push case that carries the credential."""
    for case in ctx.cases:
        creds = case.data.get("credentials") or {}
        if case.kind == "push" and not case.xfail and expects_reports(case) and creds.get(spec.name):
            return case
    return None


def _drop_json(data: Any, value: str) -> Any:
    if isinstance(data, dict):
        return {k: _drop_json(v, value) for k, v in data.items() if v != value}
    if isinstance(data, list):
        return [_drop_json(v, value) for v in data if v != value]
    if isinstance(data, str) and value in data:
        return data.replace(value, "")
    return data


def _drop_pairs(pairs: list[tuple[str, str]], value: str) -> list[tuple[str, str]]:
    return [(k, v.replace(value, "")) for k, v in pairs if v != value]


def without_value(request: PushRequest, value: str) -> PushRequest | None:
    """The request with a credential value taken out wherever it is carried
    verbatim (header, query parameter, JSON member, form field, raw body);
    ``None`` when it is not carried verbatim (a signature, say)."""
    headers = [(k, v) for k, v in request.headers.raw_items() if v != value]
    headers = [(k, v.replace(value, "")) for k, v in headers]
    url = request.url
    parts = urlsplit(url)
    if parts.query:
        pairs = parse_qsl(parts.query, keep_blank_values=True)
        kept = _drop_pairs(pairs, value)
        if kept != pairs:
            url = urlunsplit(parts._replace(query=urlencode(kept)))
    body = request.body
    content_type = request.content_type
    if json_body(request):
        try:
            data = json.loads(body)
        except (ValueError, UnicodeDecodeError):
            data = None
        else:
            kept_json = _drop_json(data, value)
            if kept_json != data:
                body = json.dumps(kept_json, separators=(",", ":"), ensure_ascii=False).encode()
    elif body and content_type == "application/x-www-form-urlencoded":
        try:
            form = parse_qsl(body.decode("utf-8"), keep_blank_values=True)
        except UnicodeDecodeError:
            form = []
        kept = _drop_pairs(form, value)
        if kept != form:
            body = urlencode(kept).encode()
    if body == request.body:
        for spelling in dict.fromkeys((value, quote(value, safe=""), quote_plus(value))):
            body = body.replace(spelling.encode(), b"")
    changed = url != request.url or body != request.body or tuple(headers) != request.headers.raw_items()
    if not changed:
        return None
    return attrs.evolve(request, url=url, body=body, headers=Headers(headers))


def check(ctx: Context, spec: CredentialSpec, mode: str, seed: Case | None) -> None:
    if seed is None:
        raise CheckFailed(
            f"push credential {spec.name!r} is declared but no passing push case carries it: add one"
            " (credentials and expected reports) so wrong and missing values can be derived from it"
        )
    request = push_request(seed)
    values = dict(seed.data["credentials"])
    original = values[spec.name]
    if mode == "wrong":
        values[spec.name] = altered(original)
        what = f"a wrong {spec.name!r} (configured value differs from the one the request carries)"
    else:
        stripped = without_value(request, original)
        if stripped is None:
            raise CheckSkipped(
                f"{spec.name!r} is not carried verbatim in {seed.id} (signed?): auth::wrong-{spec.name} covers it"
            )
        request = stripped
        what = f"{spec.name!r} taken out of the request"
    try:
        result = push(ctx, request, values)
    except err.AuthenticationError as exc:
        text = f"{exc} {exc!r} {exc.args!r}"
        if find_secrets(text, {"configured": original, "wrong": values[spec.name]}):
            raise CheckFailed(
                f"the authentication error shows the credential value ({spec.name!r})"
            ) from None
        return
    except err.SmsStatusError as exc:
        raise CheckFailed(
            f"push {seed.id} with {what}: expected an authentication error, got {error_type(exc)}: {exc}"
        ) from None
    raise CheckFailed(f"push {seed.id} with {what} was accepted ({len(result.reports)} report(s))")


def plan(ctx: Context) -> Iterator[Item]:
    for spec in push_secrets(ctx.info):
        seed = seed_case(ctx, spec)
        for mode in ("wrong", "missing"):
            yield Item(f"{mode}-{spec.name}", functools.partial(check, ctx, spec, mode, seed))


FAMILY = Family("auth", plan, runs_fixtures=True)
