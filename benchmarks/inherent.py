"""The part of a push's cost that comes with its vendor's format, measured apart.

Most pushes are one JSON document (or one form) in, reports out, and
``benchmarks/run.py`` compares them with ``json.loads`` of the same bytes.
A few shapes carry work no parser can skip, which that ratio would hide:

* **AWS SNS** signs every notification (RSA PKCS#1 v1.5 over SHA-1 or
  SHA-256): the plugin verifies each push, and the event is a second JSON
  document inside the envelope's ``Message`` string.
* **AWS Data Firehose** batches events as base64 records (and may gzip the
  body): each record is decoded and is a JSON document of its own.
* **Kannel** relays the SMSC's answer in ``answer``: for SMPP, the delivery
  receipt text (``id:... sub:... dlvrd:... submit date:... done date:...
  stat:... err:... text:...``), a second document of eight fields with two
  dates inside one query parameter. There is no extra work to time apart
  (its parsing is the plugin's), only a second document to count.

For those, :func:`measure` times the vendor's own operations with the
plugin's own code (the signature check) or the standard library (inflate,
base64), in the same paired rounds as the push, and ``json.loads`` of every
JSON document the push holds. ``run.py`` shows both, and the ratio of what
is left, ``(parse_push - inherent) / json.loads of every document``.

This file names vendors; it is a benchmark, not core (core never does).
"""

from __future__ import annotations

import base64
import json
import zlib
from collections.abc import Callable
from typing import Any

__all__ = ["measure"]


def _gzip_inflated(request: Any) -> bytes:
    if (request.headers.get("content-encoding") or "").lower() == "gzip":
        return zlib.decompress(request.body, 16 + zlib.MAX_WBITS)
    return bytes(request.body)


def _sns(case: dict[str, Any], request: Any) -> tuple[str, Callable[[], Any], Callable[[], Any]]:
    from smsstatus.fixtures import exchanges_of
    from smsstatus.plugin import HttpClient
    from smsstatus.plugin.testing import Case, ReplayTransport
    from smsstatus_aws import sns

    envelope = json.loads(request.body)
    client = HttpClient(
        "aws", None, transport=ReplayTransport(exchanges_of(Case("aws", "-", case)), strict=False)
    )
    sns.verify("aws", envelope, client)  # fetches the certificate once; cached per client, as in the plugin
    body, message = bytes(request.body), envelope["Message"]

    def documents() -> Any:
        return json.loads(body), json.loads(message)

    return (
        f"RSA signature check of the envelope (SignatureVersion {envelope['SignatureVersion']})",
        lambda: sns.verify("aws", envelope, client),
        documents,
    )


def _firehose(case: dict[str, Any], request: Any) -> tuple[str, Callable[[], Any], Callable[[], Any]]:
    gzip = (request.headers.get("content-encoding") or "").lower() == "gzip"
    inflated = _gzip_inflated(request)
    records = [r["data"] for r in json.loads(inflated)["records"]]
    lines = [
        line for data in records for line in base64.b64decode(data).decode().splitlines() if line.strip()
    ]

    def decode_records() -> Any:
        body = _gzip_inflated(request) if gzip else None
        return body, [base64.b64decode(data, validate=True).decode() for data in records]

    def documents() -> Any:
        return json.loads(inflated), [json.loads(line) for line in lines]

    what = f"{'gzip inflate, ' if gzip else ''}base64 of {len(records)} records"
    return what, decode_records, documents


def _kannel(case: dict[str, Any], request: Any) -> tuple[str, Callable[[], Any], Callable[[], Any]]:
    from smsstatus import smpp
    from smsstatus.plugin import parse_urlencoded

    fields = dict(parse_urlencoded(request.query_string))
    answer = fields.get("answer") or ""
    receipt_fields = smpp._standard_layout(answer) or smpp._fields_of(answer)  # its eight raw values
    outer = json.dumps(fields, ensure_ascii=False).encode()
    inner = json.dumps(receipt_fields, ensure_ascii=False).encode()

    def documents() -> Any:
        return json.loads(outer), json.loads(inner)

    return "none: the SMPP receipt in `answer` is a second document", lambda: None, documents


_INHERENT = {
    ("aws", "sns"): _sns,
    ("aws", "firehose"): _firehose,
    ("kannel", "dlr-url"): _kannel,
}


Timer = Callable[[Callable[[], Any], Callable[[], Any]], tuple[list[float], list[float]]]


def measure(
    vendor: str, shape: str, case: dict[str, Any], request: Any, *, parse: Callable[[], Any], timer: Timer
) -> dict[str, Any] | None:
    """What the shape's format costs by itself (``None`` for an ordinary shape):
    ``what`` it is, ``inherent_us`` (its best round, per push), ``documents_us``
    (``json.loads`` of every JSON document in the push) and
    ``ratio_without_inherent``: ``(parse_push - inherent) / documents``, taken
    as the difference of two ratios each timed in its own paired rounds
    (``parse`` against the documents, the inherent work against them), so
    that the machine's load between the two timings cancels as in run.py."""
    build = _INHERENT.get((vendor, shape.split(" (", maxsplit=1)[0]))
    if build is None:
        return None
    what, inherent, documents = build(case, request)
    cost, json_for_cost = timer(inherent, documents)
    whole, json_for_whole = timer(parse, documents)
    return {
        "what": what,
        "inherent_us": min(cost) * 1e6,
        "documents_us": min(json_for_whole) * 1e6,
        "ratio_without_inherent": min(whole) / min(json_for_whole) - min(cost) / min(json_for_cost),
    }
