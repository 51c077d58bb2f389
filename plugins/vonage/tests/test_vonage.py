"""Tests of the vonage plugin: every fixture case, Vonage's own signature test
vectors, tampering, and the error messages' silence about secrets. Expected
values come from Vonage's documentation and SDKs (cited per test), never from
the code."""

from __future__ import annotations

import contextlib
import hashlib
import json
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from typing import Any
from urllib.parse import urlencode

import pytest
import smsstatus_vonage
from smsstatus.plugin import (
    AuthenticationError,
    Capability,
    CredentialsError,
    PayloadError,
    PushRequest,
    Status,
)
from smsstatus.plugin.testing import Case, Registry, load, load_cases, run_case
from smsstatus_vonage import signed_webhooks, signing

REGISTRY = Registry(vendors={"vonage": smsstatus_vonage})
CASES = load_cases(REGISTRY.info("vonage"))


@pytest.mark.parametrize("case", CASES, ids=lambda c: c.id)
def test_fixture(case: Case) -> None:
    run_case(REGISTRY, case)


def test_fixture_coverage() -> None:
    assert {c.kind for c in CASES} == {"push", "fetch", "map"}
    mapped = {(c.data["status"], c.data.get("code")) for c in CASES if c.kind == "map"}
    documented = {(s.value, s.code) for s in REGISTRY.info("vonage").statuses}
    assert documented <= mapped, documented - mapped


def test_entry_point_loads() -> None:
    loaded = load(environ={"SMSSTATUS_VENDORS": "vonage"}).vendors["vonage"]
    assert loaded.distribution == "smsstatus-vonage"
    assert loaded.hooks == {"vendor_info", "parse_push", "fetch", "map_status"}
    assert loaded.info.capabilities == {Capability.PUSH, Capability.FETCH}


# -- SMS API signatures: Vonage's SDK test vectors ----------------------------------------------

#: Vonage/vonage-python-sdk tests/test_signature.py (commit 38f9b6ee8b1dae8b70b6a10ff6de97160f4f52c9):
#: signature secret "secret" over {"a": "1", "b": "2", "timestamp": "1461605396"}.
OLD_SDK_PARAMS = {"a": "1", "b": "2", "timestamp": "1461605396"}
OLD_SDK_VECTORS = {
    "md5hash": "6af838ef94998832dbfc29020b564830",  # test_signature / test_check_signature (plain MD5)
    "md5": "c15c21ced558c93a226c305f58f902f2",  # test_signature_md5 (HMAC-MD5)
    "sha1": "3e19a4e6880fdc2c1426bfd0587c98b9532f0210",
    "sha256": "a321e824b9b816be7c3f28859a31749a098713d39f613c80d455bbaffae1cd24",
    "sha512": "812a18f76680fa0fe1b8bd9ee1625466ceb1bd96242e4d050d2cfd9a7b40166c63ed26ec9702168781b6edcf1633db8ff95af9341701004eec3fcf9550572ee8",
}


@pytest.mark.parametrize(("method", "expected"), OLD_SDK_VECTORS.items())
def test_sdk_signature_vectors(method: str, expected: str) -> None:
    assert signing.sign(OLD_SDK_PARAMS, "secret", method) == expected


#: Vonage/vonage-python-sdk http_client/tests/test_auth.py (commit 19168f9b4b1ba56366a649c8d145c713103bcebb):
#: signature secret "signature_secret"; that SDK signs "md5" as HMAC-MD5.
def test_http_client_sdk_vectors() -> None:
    params = {"param1": "value1", "param2": "value2", "timestamp": "1234567890"}
    assert signing.sign(params, "signature_secret", "sha256") == (
        "280c4320703dbc98bfa22db676655ed2acfbfe8792b062ff7622e67f1183c287"
    )
    assert signing.sign(params, "signature_secret", "md5") == "724c2bf6ca423c36e20631b11d1c5753"
    special = {"param1": "value&1", "param2": "value=2", "timestamp": "1234567890"}
    assert signing.sign(special, "signature_secret", "md5") == "2bbf0abafb2c55e5af6231513896a2ac"


SIGNED_AT = datetime(2009, 2, 13, 23, 31, 30, tzinfo=UTC)  # Unix 1234567890


def test_sdk_check_signature_vector_verifies_and_rejects_tampering() -> None:
    # test_check_signature_valid_signature: {"param": "value", "timestamp": 1234567890, "sig": "655a..."}.
    params = {"param": "value", "timestamp": "1234567890", "sig": "655a4d0b7f064dff438defc52b012cf5"}
    signing.verify("vonage", params, "signature_secret", "md5", SIGNED_AT)
    # Vonage's API reference shows sig in upper case: case does not matter.
    signing.verify("vonage", {**params, "sig": params["sig"].upper()}, "signature_secret", "md5", SIGNED_AT)
    for tampered in (
        {**params, "param": "value2"},
        {**params, "timestamp": "1234567891"},
        {**params, "extra": "x"},
    ):
        with pytest.raises(AuthenticationError):
            signing.verify("vonage", tampered, "signature_secret", "md5", SIGNED_AT)


def test_signature_errors_reveal_nothing_derived_from_the_secret() -> None:
    secret = "a-long-signature-secret-value"
    params = {
        "messageId": "0B00000127FDBC63",
        "status": "delivered",
        "timestamp": "1234567890",
        "sig": "00" * 16,
    }
    expected = signing.sign(params, secret, "md5hash")
    with pytest.raises(AuthenticationError) as caught:
        signing.verify("vonage", params, secret, "md5hash", SIGNED_AT)
    text = str(caught.value) + repr(caught.value.args)
    assert secret not in text and expected not in text and expected.upper() not in text


def test_an_unknown_signature_method_is_a_credentials_error() -> None:
    request = PushRequest.build(
        method="GET", url="https://h.test/dlr", query="messageId=1&status=delivered&sig=ab"
    )
    with pytest.raises(CredentialsError) as caught:
        REGISTRY.parse_push(
            "vonage", request, {"signature_secret": "s3cret-value", "signature_method": "crc32"}
        )
    assert caught.value.credential == "signature_method"


@pytest.mark.parametrize(
    ("label", "method"), [("MD5 HMAC", "md5"), ("SHA-256 HMAC", "sha256"), ("md5hash", "md5hash")]
)
def test_dashboard_labels_name_the_methods(label: str, method: str) -> None:
    assert signing.normalise_method("vonage", label) == method


# -- Messages API JWT -----------------------------------------------------------------------------

#: Vonage/vonage-python-sdk jwt/tests/test_verify_jwt.py (commit 445cab802b0f9d61d8e036b146bf67102d5051f6):
#: an HS256 token signed with this secret (claims iss, iat 1697634680, exp, aud, sub; no payload_hash).
SDK_TOKEN = (
    "eyJ0eXAiOiJKV1QiLCJhbGciOiJIUzI1NiJ9.eyJpc3MiOiJPbmxpbmUgSldUIEJ1aWxkZXIiLCJpYXQiOjE2OTc2MzQ2ODAsImV4cCI6"
    "MzMyNTQ1NDA4MjgsImF1ZCI6IiIsInN1YiI6IiJ9.88vJc3I2HhuqEDixHXVhc9R30tA6U_HQHZTC29y6CGM"
)
SDK_SECRET = "qwertyuiopasdfghjklzxcvbnm123456"


def test_sdk_jwt_vector_signature_verifies_then_lacks_payload_hash() -> None:
    at = datetime.fromtimestamp(1697634680, UTC)
    with pytest.raises(
        AuthenticationError, match="payload_hash"
    ):  # the signature passed; the claim is missing
        signed_webhooks.verify("vonage", SDK_TOKEN, b"{}", SDK_SECRET, at)
    with pytest.raises(AuthenticationError, match="signature does not match"):
        signed_webhooks.verify("vonage", SDK_TOKEN, b"{}", "asdf", at)


def test_jwt_algorithm_none_and_garbage_are_refused() -> None:
    header, payload, _ = SDK_TOKEN.split(".")
    unsigned = "eyJhbGciOiJub25lIiwidHlwIjoiSldUIn0." + payload + "."  # {"alg":"none","typ":"JWT"}
    at = datetime.fromtimestamp(1697634680, UTC)
    for token in (unsigned, "not-a-jwt", header + "." + payload):
        with pytest.raises(AuthenticationError):
            signed_webhooks.verify("vonage", token, b"{}", SDK_SECRET, at)


def test_jwt_freshness_is_judged_against_the_receive_time() -> None:
    jwt = pytest.importorskip("jwt")
    body = b'{"message_uuid":"u-1","status":"delivered"}'
    issued = datetime(2025, 3, 1, 12, 0, tzinfo=UTC)
    token = jwt.encode(
        {"iat": int(issued.timestamp()), "payload_hash": hashlib.sha256(body).hexdigest()},
        SDK_SECRET,
        algorithm="HS256",
    )
    signed_webhooks.verify("vonage", token, body, SDK_SECRET, issued + timedelta(minutes=4))
    with pytest.raises(AuthenticationError, match="stale"):
        signed_webhooks.verify("vonage", token, body, SDK_SECRET, issued + timedelta(minutes=6))
    with pytest.raises(AuthenticationError, match="future"):
        signed_webhooks.verify("vonage", token, body, SDK_SECRET, issued - timedelta(minutes=2))


# -- receipts --------------------------------------------------------------------------------------


def test_each_part_is_its_own_report_with_its_own_price() -> None:
    # "You should receive a carrier DLR for each part of the concatenated SMS" (delivery-receipts.md).
    base = {"msisdn": "447547232824", "to": "Acme", "status": "delivered", "err-code": "0"}
    reports = [
        REGISTRY.parse_push(
            "vonage",
            PushRequest.build(method="GET", url="https://h.test/dlr", query=urlencode({**base, **part})),
        ).reports[0]
        for part in ({"messageId": "P1", "price": "0.03330000"}, {"messageId": "P2", "price": "0.03330000"})
    ]
    assert [r.message_id for r in reports] == ["P1", "P2"]
    assert all(r.price is not None and str(r.price.amount) == "0.03330000" for r in reports)
    assert all(r.sender == "Acme" and r.recipient == "+447547232824" for r in reports)


def test_a_messages_part_count_beyond_one_sms_is_null_with_a_warning() -> None:
    # sms.count_total counts the parts of one SMS: at most 255 (the canonical
    # schema's bound); a larger count is unreadable, not a report to refuse.
    body = {
        "message_uuid": "aaaaaaaa-bbbb-cccc-dddd-0123456789ab",
        "to": "447700900000",
        "from": "447700900001",
        "timestamp": "2020-01-01T14:00:03.010Z",
        "status": "submitted",
        "channel": "sms",
        "sms": {"count_total": "100000"},
    }
    request = PushRequest.build(content_type="application/json", body=json.dumps(body))
    (report,) = REGISTRY.parse_push("vonage", request).reports
    assert (report.status, report.segments) == (Status.SENT, None)
    assert [(w.field, w.code.value) for w in report.warnings] == [("$.sms.count_total", "out_of_range")]
    assert report.raw == body


def test_a_post_reads_its_body_not_its_query() -> None:
    body = json.dumps({"messageId": "B1", "status": "delivered"})
    request = PushRequest.build(
        url="https://h.test/dlr?messageId=Q1&status=failed", content_type="application/json", body=body
    )
    (report,) = REGISTRY.parse_push("vonage", request).reports
    assert (report.message_id, report.status) == ("B1", Status.DELIVERED)


def test_only_identity_and_status_reject_a_receipt() -> None:
    odd = {
        "messageId": "0B00000127FDBC63",
        "status": "delivered",
        "network-code": "23x10",
        "price": "free",
        "message-timestamp": "yesterday",
        "msisdn": "447547232824",
    }
    request = PushRequest.build(method="GET", url="https://h.test/dlr", query=urlencode(odd))
    (report,) = REGISTRY.parse_push("vonage", request).reports
    assert (report.status, report.operator, report.price, report.notified_at) == (
        Status.DELIVERED,
        None,
        None,
        None,
    )
    assert {w.field for w in report.warnings} == {
        "query.network-code",
        "query.price",
        "query.message-timestamp",
    }
    assert report.extra["network_code"] == "23x10" and report.raw == odd
    for missing in ("messageId", "status"):
        broken = {k: v for k, v in odd.items() if k != missing}
        with pytest.raises(PayloadError):
            REGISTRY.parse_push(
                "vonage", PushRequest.build(method="GET", url="https://h.test/dlr", query=urlencode(broken))
            )


# -- the lean paths -----------------------------------------------------------------------------


@pytest.mark.parametrize(
    "value",
    [
        "2018-10-25 12:10:29",  # Vonage's documented example (delivery-receipts.md)
        "2000-01-01 00:00:00",
        "2018-02-29 12:10:29",  # no such day
        "2018-13-25 12:10:29",
        "2018-10-25 24:00:00",
        "2018-10-25 12:10:60",
        "2018-W43-4 12:10:29",  # an ISO week date fromisoformat would take
        "2018-10-25 12:10:2\u0669",  # a non-ASCII digit
        "2018-1-25 12:10:29 ",
        "2018-10-25T12:10:29",
        "2018-10-25 12:10:29.5",
        "0000-10-25 12:10:29",
        "+018-10-25 12:10:29",
        "2018-10-25 1:10:29",
        "",
        "yesterday",
    ],
)
def test_the_receipt_time_reads_as_parse_local_does(value: str) -> None:
    # receipts._vonage_time reads the documented layout without parse_local;
    # every value must get parse_local's answer, or its ValueError.
    from smsstatus.plugin import parse_local
    from smsstatus_vonage.receipts import _vonage_time

    try:
        expected: datetime | type[ValueError] = parse_local(value, "%Y-%m-%d %H:%M:%S", UTC)
    except ValueError:
        expected = ValueError
    try:
        got: datetime | type[ValueError] = _vonage_time(value)
    except ValueError:
        got = ValueError
    assert got == expected
    if isinstance(got, datetime):
        assert got.tzinfo is UTC


def _alterations(payload: dict[str, Any]) -> Iterator[dict[str, Any]]:
    odd: list[Any] = [None, "", 0, 1240, True, 1.5, [], {}, "x" * 300, "a\x00b", "2025-13-45T25:61:00Z"]
    for key, value in payload.items():
        yield {k: v for k, v in payload.items() if k != key}
        for other in odd:
            yield {**payload, key: other}
        if isinstance(value, dict):
            for inner in _alterations(value):
                yield {**payload, key: inner}


@pytest.mark.parametrize("case_id", ["messages-v01-rejected-opt-out", "messages-v1-rejected-ttl"])
def test_altered_messages_statuses_give_the_same_answer_on_both_paths(case_id: str) -> None:
    # tests/test_fast_paths.py alters the first Messages case; the v0.1 shape
    # (to/from objects, error code and reason) and the v1 error object go
    # through other branches of the lean path.
    from smsstatus.plugin.testing import fast_path_mode

    case = next(c for c in CASES if c.id == f"push::{case_id}")
    payload = case.data["request"]["body"]["json"]
    # A v0.1 party named by "id" (OTT channels), alone or after an empty number.
    parties = [{"type": "whatsapp", "id": "447700900000"}, {"type": "sms", "number": "", "id": "4477009"}]
    seen = 0
    with fast_path_mode("compare") as counts:
        for altered in [*_alterations(payload), *({**payload, "to": party} for party in parties)]:
            request = PushRequest.build(content_type="application/json", body=json.dumps(altered))
            with contextlib.suppress(PayloadError):
                REGISTRY.parse_push("vonage", request)
            seen += 1
        taken = sum(took for key, (took, _) in counts.items() if key.startswith("smsstatus_vonage."))
    assert seen > 100 and taken > seen // 4  # the lean path took many, and agreed on each


def test_the_price_cache_keeps_no_long_amount() -> None:
    # The lean path caches Money per price text (prices repeat per destination);
    # a long text is the sender's choice, so it is read by the detailed path, uncached.
    from decimal import Decimal

    from smsstatus.plugin.testing import fast_path_mode
    from smsstatus_vonage import lean

    amount = "0.0333" + "0" * 60  # long, yet within the host's price bound (10^±30)
    query = urlencode({"messageId": "0B00000127FDBC63", "status": "delivered", "price": amount})
    request = PushRequest.build(method="GET", url="https://h.test/dlr", query=query)
    before = lean._money.cache_info().currsize
    with fast_path_mode("compare"):
        (report,) = REGISTRY.parse_push("vonage", request).reports
    assert report.price is not None and report.price.amount == Decimal(amount)
    assert lean._money.cache_info().currsize == before


def test_settled_words_mean_the_same_with_any_error_code() -> None:
    # The lean paths read SETTLED instead of map_value: exact only if no error
    # code can change these words' meaning.
    from smsstatus_vonage.mapping import CODES, SETTLED, map_value

    assert {"delivered", "accepted", "buffered", "submitted"} <= set(SETTLED)
    assert not {"failed", "rejected", "expired"} & set(SETTLED)
    for word, mapped in SETTLED.items():
        for code in (None, "", "0", "x", *CODES):
            assert map_value(word, code) == mapped


@pytest.mark.parametrize(
    ("fields", "lean"),
    [
        ({"price": "0.03330000", "err-code": "0", "msisdn": "447547232824"}, True),
        ({"price": 0.0333}, False),  # a JSON number: the detailed path reads every non-string receipt
        ({"err-code": 0}, False),
        ({"client-ref": None}, False),
        ({"err-code": ""}, True),  # empty strings read as absent on both paths
        ({"msisdn": "4" * 256}, True),  # the longest id
        ({"msisdn": "4" * 257}, False),  # too long for an id: the detailed path warns
        ({"network-code": "2341a"}, False),  # a clean id, but no MCC+MNC: the detailed path warns
        ({"err-code": "a\x00b"}, False),  # a control character
    ],
)
def test_a_json_receipt_reads_the_same_on_both_paths(fields: dict[str, Any], lean: bool) -> None:
    # The receipt's lean reader takes strings only (a JSON receipt is checked for it
    # first); every other receipt is the detailed path's, with the same answer.
    from smsstatus.plugin.testing import fast_path_mode

    receipt = {"messageId": "0B00000127FDBC63", "status": "delivered", "to": "Nexmo CLI", **fields}
    body = json.dumps(receipt)
    with fast_path_mode("compare") as counts:
        REGISTRY.parse_push("vonage", PushRequest.build(content_type="application/json", body=body))
        assert counts["smsstatus_vonage.push._lean"] == ([1, 0] if lean else [0, 1])
