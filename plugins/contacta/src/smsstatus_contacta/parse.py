"""One ``GET /v2/sms/check`` answer to one canonical report, or a typed error.

Answers (see ``docs/vendors/contacta.md``):

* ``{"status": true, "description": {id, job_id, added_on, charge, ...}}`` --
  the documented success answer, which has no delivery state: ``sent``.
* ``{"status": true, "description": {"message": {control, status,
  disposicion, ...}, "answers": ...}}`` -- the older shape the vendor's SDK
  reads; ``status`` / ``disposicion`` are mapped by :mod:`.mapping`.
* ``{"status": false, "error": true, "description"|"message": "..."}`` --
  an error. "Your key auth is not valid" (or HTTP 401/403) fails the whole
  fetch (:class:`KeyRejectedError`); anything else is about this one id.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from datetime import datetime
from typing import TYPE_CHECKING, Any

from smsstatus.plugin import (
    MAX_PARTS,
    Channel,
    Money,
    NotFoundError,
    Operator,
    PayloadError,
    Record,
    Status,
    StatusReport,
    VendorError,
    kind_of,
    shown,
    strip_fields,
    to_e164,
)

from . import SECRET_FIELDS
from .mapping import STATUS_TRUE, map_value
from .times import format_utc, opt_time

if TYPE_CHECKING:
    from smsstatus.plugin import HttpResponse

__all__ = ["SECRET_FIELDS", "KeyRejectedError", "read_answer", "raw_of"]

#: Top-level fields removed from ``raw`` should the vendor ever echo them

REDACTED = "***"


class KeyRejectedError(VendorError):
    """Contacta rejected the account token: no id can be fetched with it."""


def read_answer(vendor: str, response: HttpResponse, secret: str = "") -> StatusReport:
    """The report of one check answer.

    Raises :class:`KeyRejectedError` (whole fetch), :class:`NotFoundError`,
    :class:`VendorError` or :class:`PayloadError` (this id only).
    """
    code = response.status_code
    ok = 200 <= code < 300
    try:
        data = json.loads(response.content)
    except (ValueError, UnicodeDecodeError):
        if ok:
            raise PayloadError(vendor, "$", "body is not valid JSON") from None
        raise _http_error(vendor, code) from None
    if not isinstance(data, dict):
        if ok:
            raise PayloadError(vendor, "$", "expected a JSON object")
        raise _http_error(vendor, code)
    if secret:
        # Should the vendor ever echo the token, mask it before anything is read.
        data = _redact(data, secret)
    flag = data.get("status")
    if flag is False or (not ok and flag is not True):
        raise _error_answer(vendor, code, data)
    record = Record(vendor, data)
    record.boolean("status")  # a missing or non-boolean status is a payload error
    description = record.child("description")
    raw = strip_fields(data, SECRET_FIELDS)
    if isinstance(description.get("message"), Mapping):
        return _legacy(vendor, description, raw, response.received_at)
    return _documented(vendor, description, raw, response.received_at)


# -- the documented answer ----------------------------------------------------


def _documented(vendor: str, d: Record, raw: dict[str, Any], received_at: datetime) -> StatusReport:
    message_id = d.ident("id")
    batch_id = d.ident("job_id", required=False)
    submitted_at = opt_time(d, "added_on")
    amount = d.decimal("charge", required=False)
    iso_code = country_name = number_type = None
    country = d.opt_child("country")
    if country is not None:
        iso_code = _iso_code(country)
        country_name = country.opt_string("country")
        number_type = country.opt_string("type")
    encoding = d.opt_string("encoding")
    length = d.integer("length", required=False, minimum=0)
    segments = d.integer("segments", required=False, minimum=0, maximum=MAX_PARTS)
    d.opt_string("message")  # type-checked; the text itself stays in raw only
    number = d.opt_string("number")
    sender = d.opt_string("sender")
    mapped = map_value(STATUS_TRUE, None)
    extra = {
        key: value
        for key, value in (
            ("encoding", encoding),
            ("length", length),
            ("country_name", country_name),
            ("number_type", number_type),
        )
        if value is not None
    }
    return StatusReport(
        vendor=vendor,
        message_id=message_id,
        batch_id=batch_id,
        recipient=_e164(number, iso_code),
        recipient_raw=number,
        sender=sender,
        status=mapped.status,
        mapping=mapped.mapping,
        reason=mapped.reason,
        vendor_status=STATUS_TRUE,
        segments=segments,
        price=Money(amount, None) if amount is not None else None,
        country=iso_code,
        submitted_at=submitted_at,
        received_at=received_at,
        channel=Channel.FETCH,
        extra=extra,
        raw=raw,
        warnings=d.warnings,
    )


def _iso_code(country: Record) -> str | None:
    value = country.opt_string("iso_code")
    if value is None:
        return None
    if len(value) != 2 or not (value.isascii() and value.isalpha()):
        country.warn("iso_code", f"{shown(value)} is not an ISO 3166-1 alpha-2 code")
        return None
    return value.upper()


def _e164(number: str | None, iso_code: str | None) -> str | None:
    # The sms-mexico product answers 10-digit national numbers (8100001234);
    # the global product answers 52... Add 52 only where the country is Mexico
    # or not stated.
    if iso_code in (None, "MX"):
        return to_e164(number, country_code="52", national_length=10)
    return to_e164(number)


# -- the older answer shape (vendor SDK) ----------------------------------------


def _legacy(vendor: str, d: Record, raw: dict[str, Any], received_at: datetime) -> StatusReport:
    m = d.child("message")
    message_id = m.ident("control")
    vendor_status = _word(m, "status", required=True)
    vendor_code = _word(m, "disposicion", required=False)
    client_ref = _word(m, "campo_a", required=False)  # at most 32 characters at send time
    carrier = m.opt_string("carrier")
    m.opt_string("msg")  # type-checked; the text itself stays in raw only
    send_date = opt_time(m, "send_date")
    received_date = opt_time(m, "received_date")
    answers = d.get("answers")
    mapped = map_value(vendor_status or "", vendor_code)
    extra: dict[str, Any] = {}
    if send_date is not None:
        extra["send_date"] = format_utc(send_date)
    if isinstance(answers, list):
        extra["answers_count"] = len(answers)
    return StatusReport(
        vendor=vendor,
        message_id=message_id,
        status=mapped.status,
        mapping=mapped.mapping,
        reason=mapped.reason,
        vendor_status=vendor_status,
        vendor_code=vendor_code,
        client_ref=client_ref,
        operator=Operator(name=carrier) if carrier else None,
        # The SDK reads received_date as "added_at" (when Contacta took the
        # message) and send_date as "sent_at": only a "sent" state has an
        # event time; a delivery or failure time is not in the answer.
        submitted_at=received_date,
        status_at=send_date if mapped.status is Status.SENT else None,
        received_at=received_at,
        channel=Channel.FETCH,
        extra=extra,
        raw=raw,
        warnings=d.warnings,
    )


def _word(record: Record, name: str, *, required: bool) -> str | None:
    """A value sent as a string or an integer, as text (``""`` is absent).
    Required (the status): a bad value rejects the record; optional: null and
    a warning."""
    value = record.get(name)
    if value is None or value == "":
        if required:
            raise record.error(name, "required field is missing")
        return None
    if isinstance(value, bool) or not isinstance(value, (str, int)):
        if required:
            raise record.error(name, "expected a string or an integer")
        record.warn(name, f"expected a string or an integer, got {kind_of(value)}")
        return None
    return str(value)


# -- errors --------------------------------------------------------------------

_NOT_FOUND_WORDS = ("not found", "no encontrado", "no existe", "not exist", "doesn't exist", "inexistente")


def _error_answer(vendor: str, code: int, data: Mapping[str, Any]) -> VendorError:
    for name in ("description", "message"):
        value = data.get(name)
        if isinstance(value, str) and value:
            return _classify(vendor, code, value, value)
    return _classify(vendor, code, None, "error answer without a description")


def _http_error(vendor: str, code: int) -> VendorError:
    return _classify(vendor, code, None, f"HTTP {code} answer without a JSON error object")


def _classify(vendor: str, code: int, text: str | None, message: str) -> VendorError:
    """Whole-fetch (rejected key), not found, or another error of this id.

    The vendor has no error codes: its documented texts are the only signal
    ("Your key auth is not valid ..." vs "Missing params ...")."""
    http_status = None if 200 <= code < 300 else code
    lowered = (text or "").lower()
    if code in (401, 403) or "auth" in lowered or "autoriza" in lowered:
        return KeyRejectedError(vendor, message, http_status=http_status)
    if code == 404 or any(word in lowered for word in _NOT_FOUND_WORDS):
        return NotFoundError(vendor, message, http_status=http_status)
    return VendorError(vendor, message, http_status=http_status)


# -- raw -------------------------------------------------------------------------


def _redact(value: Any, secret: str) -> Any:
    """``value`` with ``secret`` masked in every string, keys included."""
    if isinstance(value, str):
        return value.replace(secret, REDACTED)
    if isinstance(value, list):
        return [_redact(item, secret) for item in value]
    if isinstance(value, dict):
        return {_redact(key, secret): _redact(item, secret) for key, item in value.items()}
    return value


def raw_of(response: HttpResponse, secret: str = "") -> Any:
    """An answer as received, for an item error: the JSON value with secret
    fields removed, else the body text; the token is masked wherever it occurs."""
    try:
        data = json.loads(response.content)
    except (ValueError, UnicodeDecodeError):
        text = response.content.decode("utf-8", errors="replace")
        return text.replace(secret, REDACTED) if secret else text
    if secret:
        data = _redact(data, secret)
    return strip_fields(data, SECRET_FIELDS) if isinstance(data, dict) else data
