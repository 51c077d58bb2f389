"""``money``: amounts are exact ``Decimal`` values, however many digits the vendor sends.

Every push and fetch case that expects a price runs as recorded (each amount
must be a ``Decimal``, never a float), then again with the input value that
carries the amount replaced by high-precision probes: a JSON number with many
decimal places, a tiny one, and (where the vendor sends amounts as text) more
digits than a float holds. The report's amount must equal the probe exactly,
as a value and once serialised: an amount that went through a float, was
rounded, or was formatted with a fixed number of places shows here.
"""

from __future__ import annotations

import copy
from collections.abc import Iterator
from decimal import Decimal, InvalidOperation
from typing import Any
from urllib.parse import parse_qsl, urlencode, urlsplit, urlunsplit

from ...fixtures import Case
from ...serialize import to_dict
from ..context import Context, Family, Item, expects_reports, push, push_request, replay_fetch
from ..outcomes import CheckFailed, CheckSkipped

#: Probes for amounts the vendor sends as JSON numbers (each exact as a float's shortest repr).
NUMBER_PROBES = (123.456789012345, 0.00001234)
#: Probes for amounts sent as text: also more digits than a float holds.
TEXT_PROBES = ("0.00001234", "1234.5678901234567891")


def _amount(text: Any) -> Decimal | None:
    if isinstance(text, bool) or not isinstance(text, (str, int, float)):
        return None
    try:
        value = Decimal(repr(text)) if isinstance(text, float) else Decimal(str(text).strip())
    except InvalidOperation:
        return None
    return value if value.is_finite() else None


def _expected_amounts(case: Case) -> list[Decimal | None]:
    found: list[Decimal | None] = []
    for report in case.data["expect"].get("reports", []):
        price = report.get("price")
        found.append(_amount(price.get("amount")) if isinstance(price, dict) else None)
    return found


def _replace_leaves(value: Any, amount: Decimal, number: float, text: str) -> tuple[Any, int]:
    """``value`` with every leaf equal to ``amount`` replaced by a probe of its type."""
    if isinstance(value, dict):
        pairs = [(k, _replace_leaves(v, amount, number, text)) for k, v in value.items()]
        return {k: v for k, (v, _) in pairs}, sum(n for _, (_, n) in pairs)
    if isinstance(value, list):
        items = [_replace_leaves(v, amount, number, text) for v in value]
        return [v for v, _ in items], sum(n for _, n in items)
    if isinstance(value, (int, float)) and not isinstance(value, bool) and _amount(value) == amount:
        return number, 1
    if isinstance(value, str) and _amount(value) == amount:
        return text, 1
    return value, 0


def _replace_pairs(
    pairs: list[tuple[str, str]], amount: Decimal, text: str
) -> tuple[list[tuple[str, str]], int]:
    out = [(k, text if _amount(v) == amount else v) for k, v in pairs]
    return out, sum(1 for (_, a), (_, b) in zip(pairs, out, strict=True) if a != b)


def _probe_push(data: dict[str, Any], amount: Decimal, number: float, text: str) -> int:
    request = data["request"]
    body = request.get("body") or {}
    changed = 0
    if "json" in body:
        body["json"], changed = _replace_leaves(body["json"], amount, number, text)
    elif "form" in body:
        form = body["form"]
        pairs = list(form.items()) if isinstance(form, dict) else [tuple(p) for p in form]
        new, changed = _replace_pairs(pairs, amount, text)
        body["form"] = new
    parts = urlsplit(request["url"])
    if parts.query:
        new, n = _replace_pairs(parse_qsl(parts.query, keep_blank_values=True), amount, text)
        if n:
            request["url"] = urlunsplit(parts._replace(query=urlencode(new)))
            changed += n
    return changed


def _probe_fetch(data: dict[str, Any], amount: Decimal, number: float, text: str) -> int:
    changed = 0
    for exchange in data["exchanges"]:
        body = exchange["response"].get("body") or {}
        if "json" in body:
            body["json"], n = _replace_leaves(body["json"], amount, number, text)
            changed += n
    return changed


def _run(ctx: Context, case: Case) -> Any:
    if case.kind == "push":
        try:
            return push(ctx, push_request(case), case.data.get("credentials") or {})
        except Exception as exc:  # noqa: BLE001 -- judged by the caller
            return exc
    return replay_fetch(ctx, case)[1]


def _type_problems(case: Case, result: Any) -> Iterator[str]:
    for i, report in enumerate(getattr(result, "reports", ())):
        price = report.price
        if price is not None and not isinstance(price.amount, Decimal):
            yield f"{case.id}: report {i} has a {type(price.amount).__name__} amount (money is Decimal)"


def _probe_problems(ctx: Context, case: Case, index: int, amount: Decimal) -> Iterator[str]:
    for number, text in zip(NUMBER_PROBES, TEXT_PROBES, strict=True):
        data = copy.deepcopy(dict(case.data))
        if case.kind == "push":
            # A probe changes what a push signature covers: leave the push
            # credentials out, so the amount is judged, not the signature.
            push_names = {c.name for c in ctx.info.credentials if c.used_for == "push"}
            creds = data.get("credentials") or {}
            data["credentials"] = {k: v for k, v in creds.items() if k not in push_names}
        changed = (_probe_push if case.kind == "push" else _probe_fetch)(data, amount, number, text)
        if not changed:
            return
        result = _run(ctx, Case(case.vendor, case.file, data))
        reports = getattr(result, "reports", None)
        if reports is None or index >= len(reports):
            what = (
                f"{type(result).__name__}: {result}"
                if isinstance(result, BaseException)
                else "no such report"
            )
            yield f"{case.id}: with the amount {amount} replaced by a high-precision one: {what}"
            continue
        price = reports[index].price
        got = None if price is None else price.amount
        written = (to_dict(reports[index]).get("price") or {}).get("amount")
        wants = {_amount(number), _amount(text)}
        if not isinstance(got, Decimal) or got not in wants or _amount(written) not in wants:
            sent = " or ".join(sorted({repr(number), repr(text)}))
            yield (
                f"{case.id}: the vendor's amount {amount} replaced by {sent} gave {got!r}"
                f" (serialised {written!r}): amounts must be kept exactly (Decimal from the text, never a float)"
            )
            return


def check(ctx: Context) -> None:
    problems: list[str] = []
    probed = 0
    for case in ctx.cases:
        if case.kind not in ("push", "fetch") or case.xfail or not expects_reports(case):
            continue
        amounts = _expected_amounts(case)
        if not any(a is not None for a in amounts):
            continue
        probed += 1
        problems += _type_problems(case, _run(ctx, case))
        for index, amount in enumerate(amounts):
            if amount is not None:
                problems += _probe_problems(ctx, case, index, amount)
    if problems:
        raise CheckFailed("\n".join(dict.fromkeys(problems)))
    if not probed:
        raise CheckSkipped("no push or fetch case expects a price")


def plan(ctx: Context) -> Iterator[Item]:
    yield Item(None, lambda: check(ctx))


FAMILY = Family("money", plan, runs_fixtures=True)
