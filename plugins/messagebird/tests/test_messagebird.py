"""Tests of the messagebird plugin: every fixture case, MessageBird's own
signature test vectors, and the tricky parts. Expected values come from
MessageBird's docs and SDK tests, never from the plugin's output."""

from __future__ import annotations

import base64
import json
from datetime import UTC, datetime

import pytest
import smsstatus_messagebird
from smsstatus.plugin import AuthenticationError, Capability, MappingKind, PushRequest, Reason, Status
from smsstatus.plugin.testing import Case, Registry, fast_path_mode, load, load_cases, run_case
from smsstatus_messagebird import signature

REGISTRY = Registry(vendors={"messagebird": smsstatus_messagebird})
CASES = load_cases(REGISTRY.info("messagebird"))


@pytest.mark.parametrize("case", CASES, ids=lambda c: c.id)
def test_fixture(case: Case) -> None:
    run_case(REGISTRY, case)


def test_fixture_coverage() -> None:
    assert {c.kind for c in CASES} == {"push", "fetch", "map"}
    mapped = {(c.data["status"], c.data.get("code")) for c in CASES if c.kind == "map"}
    documented = {(s.value, s.code) for s in REGISTRY.info("messagebird").statuses}
    assert documented <= mapped, documented - mapped


def test_entry_point_loads() -> None:
    registry = load(environ={"SMSSTATUS_VENDORS": "messagebird"})
    loaded = registry.vendors["messagebird"]
    assert loaded.distribution == "smsstatus-messagebird"
    assert loaded.hooks == {"vendor_info", "parse_push", "fetch", "map_status"}
    assert loaded.info.capabilities == {Capability.PUSH, Capability.FETCH}


# -- MessageBird's JWT vectors -------------------------------------------------------
# messagebird/python-rest-api tests/test_request_validator/webhook_signature_test_data.json
# (commit 2905d953cb0b8c743dda1798f92ed7b9a76c5ca0), run by tests/test_request_validator.py
# with the clock at each vector's "timestamp". One vector per distinct token and outcome
# (the SDK repeats each for five HTTP methods, which the signature does not cover).
SECRET = "36efdd1aace2e26cd490f0d951138253bef2f7c6d34d18981da781555cc4cebb"
AT = datetime(2021, 7, 5, 10, 0, tzinfo=UTC)  # 2021-07-05T12:00:00+02:00
H256 = "eyJhbGciOiJIUzI1NiIsInR5cCI6IkpXVCJ9"
NO_PARAMS = (
    f"{H256}.eyJpc3MiOiJNZXNzYWdlQmlyZCIsIm5iZiI6MTYyNTQ3OTIwMCwiZXhwIjoxNjI1NDc5MjYwLCJqdGkiOiI1OWEyNDRkYy1lOWFkLTRl"
    "MjMtOTc3OC0zNzFmYWEyMzhmNzIiLCJ1cmxfaGFzaCI6IjBmMTE1ZGIwNjJiN2MwZGQwMzBiMTY4NzhjOTlkZWE1YzM1NGI0OWRjMzdiMzhlYjg4"
    "NDYxNzljNzc4M2U5ZDcifQ.6Fp0rVOsRr1fj9S2GidXAfkmPVofKr8_RTffC6G6r2E"
)
WITH_PARAMS = (
    f"{H256}.eyJpc3MiOiJNZXNzYWdlQmlyZCIsIm5iZiI6MTYyNTQ3OTIwMCwiZXhwIjoxNjI1NDc5MjYwLCJqdGkiOiJjOTQ2YWY3Ny1lMTgyLTRl"
    "YWEtYjJmZi0xYTU0NWI1ZTk5MWEiLCJ1cmxfaGFzaCI6IjQxZjA1ZjBkZGQwYTIyYWIyMDlhYzQ2ZjQ3YzQ1NzJkOWNlZmEyNTdlZDc0YjI0MDA0"
    "YmFlNzUzZWNlNmMyNjAifQ.huo2ou6JDoDc7sV25d75UMWeYhBeavQlLsqIibSZuac"
)
WITH_PAYLOAD = (
    f"{H256}.eyJpc3MiOiJNZXNzYWdlQmlyZCIsIm5iZiI6MTYyNTQ3OTIwMCwiZXhwIjoxNjI1NDc5MjYwLCJqdGkiOiI5M2U1NTAwNi1hMGU4LTQ1"
    "MjYtYTE5MC1mYTVmZjAwZWExMTYiLCJ1cmxfaGFzaCI6IjQxZjA1ZjBkZGQwYTIyYWIyMDlhYzQ2ZjQ3YzQ1NzJkOWNlZmEyNTdlZDc0YjI0MDA0"
    "YmFlNzUzZWNlNmMyNjAiLCJwYXlsb2FkX2hhc2giOiJkZmZkNjAyMWJiMmJkNWIwYWY2NzYyOTA4MDllYzNhNTMxOTFkZDgxYzdmNzBhNGIyODY4"
    "OGEzNjIxODI5ODZmIn0._H--TOuYFLpeEH39-rg5E3IHVkjHozBcaKVWPRC5m9I"
)
PORT = (
    f"{H256}.eyJpc3MiOiJNZXNzYWdlQmlyZCIsIm5iZiI6MTYyNTQ3OTIwMCwiZXhwIjoxNjI1NDc5MjYwLCJqdGkiOiI1OWEyNDRkYy1lOWFkLTRl"
    "MjMtOTc3OC0zNzFmYWEyMzhmNzIiLCJ1cmxfaGFzaCI6IjA3Zjc4NjFhNjliMTNjMjI5YzZhZTU5NmQxOThiMjc2M2IwNTRjZjVlMDAwZDczNmQx"
    "YzQ4MTAyZDc3MGNmZmMifQ.vcpa0IicGAbpo064dOjiA2VbVOR2S5uZBEaBOP16sS8"
)
SPECIAL_URL = (
    f"{H256}.eyJpc3MiOiJNZXNzYWdlQmlyZCIsIm5iZiI6MTYyNTQ3OTIwMCwiZXhwIjoxNjI1NDc5MjYwLCJqdGkiOiI1OWEyNDRkYy1lOWFkLTRl"
    "MjMtOTc3OC0zNzFmYWEyMzhmNzIiLCJ1cmxfaGFzaCI6IjhhZmYzNzQ4ZDc4OWM0MzMzNTczZTFjMzFmZTViMDA0OTQwY2I1ZmM0NzQ2MGVkM2Qw"
    "ZTY1NGY3ZmM0ZTVmYWUifQ.mJBCMfEjKmN3IMuzqPXPHktWETrcu0iNdF3agE8PDyI"
)
SPECIAL_PAYLOAD = (
    f"{H256}.eyJpc3MiOiJNZXNzYWdlQmlyZCIsIm5iZiI6MTYyNTQ3OTIwMCwiZXhwIjoxNjI1NDc5MjYwLCJqdGkiOiI1OWEyNDRkYy1lOWFkLTRl"
    "MjMtOTc3OC0zNzFmYWEyMzhmNzIiLCJ1cmxfaGFzaCI6IjBmMTE1ZGIwNjJiN2MwZGQwMzBiMTY4NzhjOTlkZWE1YzM1NGI0OWRjMzdiMzhlYjg4"
    "NDYxNzljNzc4M2U5ZDciLCJwYXlsb2FkX2hhc2giOiIyNDMxYmQ5Y2NiNDhlZDAxNmZhZDU2N2IwNzcxMjAzOGI1Y2RkOTQ5YWM5ZDQxZmU0Njkz"
    "ZDVhMzg0NWNmN2U4In0.IQiKzeEPaO3A48lhKmBDSmxZyCESPCGxdSKFdi0dEJs"
)
HS384 = (
    "eyJhbGciOiJIUzM4NCIsInR5cCI6IkpXVCJ9.eyJpc3MiOiJNZXNzYWdlQmlyZCIsIm5iZiI6MTYyNTQ3OTIwMCwiZXhwIjoxNjI1NDc5MjYwLCJq"
    "dGkiOiI1OWEyNDRkYy1lOWFkLTRlMjMtOTc3OC0zNzFmYWEyMzhmNzIiLCJ1cmxfaGFzaCI6IjBmMTE1ZGIwNjJiN2MwZGQwMzBiMTY4NzhjOTlk"
    "ZWE1YzM1NGI0OWRjMzdiMzhlYjg4NDYxNzljNzc4M2U5ZDcifQ.KNMW-29X77lZeuPmThmHWc_RUAvTkaDkpxIZK6mqE08v8mWKiU9Edh4QXwAJO2nv"
)
HS512 = (
    "eyJhbGciOiJIUzUxMiIsInR5cCI6IkpXVCJ9.eyJpc3MiOiJNZXNzYWdlQmlyZCIsIm5iZiI6MTYyNTQ3OTIwMCwiZXhwIjoxNjI1NDc5MjYwLCJq"
    "dGkiOiI1OWEyNDRkYy1lOWFkLTRlMjMtOTc3OC0zNzFmYWEyMzhmNzIiLCJ1cmxfaGFzaCI6IjBmMTE1ZGIwNjJiN2MwZGQwMzBiMTY4NzhjOTlk"
    "ZWE1YzM1NGI0OWRjMzdiMzhlYjg4NDYxNzljNzc4M2U5ZDcifQ.rd6r0iMyNGnVPCwurETphE3Y8rpAyvvnUK0S8WvGUkt2E1QSRAZ7NZJZBHw1Y_W"
    "b5W-sK9HJr_PRL2vz4jRT3Q"
)
FUTURE = (
    f"{H256}.eyJpc3MiOiJNZXNzYWdlQmlyZCIsIm5iZiI6MTYyNTQ4MjgwMCwiZXhwIjoxNjI1NDgyODYwLCJqdGkiOiJmOWY4YzM4Mi0yNDQ5LTQz"
    "MTEtYjcyYi0xZGY3MTY4NzkzMWUiLCJ1cmxfaGFzaCI6IjBmMTE1ZGIwNjJiN2MwZGQwMzBiMTY4NzhjOTlkZWE1YzM1NGI0OWRjMzdiMzhlYjg4"
    "NDYxNzljNzc4M2U5ZDcifQ.ZELgDFNGhjZH9CffQKcq3sytBe2I0KciLxpBhcfstHQ"
)
PAST = (
    f"{H256}.eyJpc3MiOiJNZXNzYWdlQmlyZCIsIm5iZiI6MTYyNTQ3NTYwMCwiZXhwIjoxNjI1NDc1NjYwLCJqdGkiOiI1ZjAyZjUyMi02MDMwLTQ2"
    "YzgtYjVhMy0wMTI0NjQ3OGQ4YmMiLCJ1cmxfaGFzaCI6IjBmMTE1ZGIwNjJiN2MwZGQwMzBiMTY4NzhjOTlkZWE1YzM1NGI0OWRjMzdiMzhlYjg4"
    "NDYxNzljNzc4M2U5ZDcifQ.45MSST3B_2PsjNUeiuW54_vUQgVw4rBXrdWrOUEz3lM"
)
SORTED = (
    f"{H256}.eyJpc3MiOiJNZXNzYWdlQmlyZCIsIm5iZiI6MTYyNTQ3OTIwMCwiZXhwIjoxNjI1NDc5MjYwLCJqdGkiOiJhNzVjOTA5Ni1lODIzLTQ0"
    "MmItODVmMi03ZDNjOWQ5YjcyNmIiLCJ1cmxfaGFzaCI6IjZhMDIyZDgzNGMxODMzMGJhYWQ4YTJiZDYxMzUxNzNlZDIxNjEwYTQ1NDUxNmJlMGRm"
    "M2YxY2MwMTUxNjEwZWEifQ.z6Sw1XQIM0wuEQGBhXBdawDIIrtMg2XnmA_bpDq53pE"
)
WRONG_PAYLOAD = (
    f"{H256}.eyJpc3MiOiJNZXNzYWdlQmlyZCIsIm5iZiI6MTYyNTQ3OTIwMCwiZXhwIjoxNjI1NDc5MjYwLCJqdGkiOiIxNDUwMTUzMi05NmYyLTQ2"
    "ODQtOTgzMi02OGYwOTUxYWUzNDIiLCJ1cmxfaGFzaCI6IjBmMTE1ZGIwNjJiN2MwZGQwMzBiMTY4NzhjOTlkZWE1YzM1NGI0OWRjMzdiMzhlYjg4"
    "NDYxNzljNzc4M2U5ZDciLCJwYXlsb2FkX2hhc2giOiJmYjYyZjAyYWNkYTdkNzQxNzdhNzAxYTFjZTAwNmU2YmFjZDkwYzdkNGQ3YWI0ODE2OTJj"
    "MWRhNDdjODEwNzZiIn0.m79RCwO6dGa9pvzsQypkVuXQ6eM0CkRl6_U7MfWg6TM"
)
OTHER_SECRET = (
    f"{H256}.eyJpc3MiOiJNZXNzYWdlQmlyZCIsIm5iZiI6MTYyNTQ3OTIwMCwiZXhwIjoxNjI1NDc5MjYwLCJqdGkiOiIyNDNjMjdhZS0yZjAyLTQ2"
    "YTAtODg1Mi1jNjZmMzdlYTlmNDYiLCJ1cmxfaGFzaCI6IjBmMTE1ZGIwNjJiN2MwZGQwMzBiMTY4NzhjOTlkZWE1YzM1NGI0OWRjMzdiMzhlYjg4"
    "NDYxNzljNzc4M2U5ZDcifQ.JgSeYyOtlEKAXk8bz30iJI4tXgf4lxknoiezawuVhb4"
)
REMOVED_PAYLOAD = (
    f"{H256}.eyJpc3MiOiJNZXNzYWdlQmlyZCIsIm5iZiI6MTYyNTQ3OTIwMCwiZXhwIjoxNjI1NDc5MjYwLCJqdGkiOiIxNDUwMTUzMi05NmYyLTQ2"
    "ODQtOTgzMi02OGYwOTUxYWUzNDIiLCJ1cmxfaGFzaCI6IjBmMTE1ZGIwNjJiN2MwZGQwMzBiMTY4NzhjOTlkZWE1YzM1NGI0OWRjMzdiMzhlYjg4"
    "NDYxNzljNzc4M2U5ZDciLCJwYXlsb2FkX2hhc2giOiJkZmZkNjAyMWJiMmJkNWIwYWY2NzYyOTA4MDllYzNhNTMxOTFkZDgxYzdmNzBhNGIyODY4"
    "OGEzNjIxODI5ODZmIn0.bHfsjj3tljfzTufoG3EU3p_yFrQh9CufyzRSaRMd4ss"
)
NONE_ALG = (
    "eyJhbGciOiJub25lIiwidHlwIjoiSldUIn0.eyJpc3MiOiJNZXNzYWdlQmlyZCIsImlhdCI6MTYyNTQ3OTIwMCwiZXhwIjoxNjI1NDc5MjYwLCJqdGki"
    "OiI1OWEyNDRkYy1lOWFkLTRlMjMtOTc3OC0zNzFmYWEyMzhmNzIiLCJ1cmxfaGFzaCI6IjBmMTE1ZGIwNjJiN2MwZGQwMzBiMTY4NzhjOTlkZWE1"
    "YzM1NGI0OWRjMzdiMzhlYjg4NDYxNzljNzc4M2U5ZDcifQ."
)
ROOT = "https://example.com/"
PARAMS = "https://example.com/path?bar=1&foo=2"
SPECIAL = "Some text containg & < >, & and \\u0026"

VALID = [
    ("no URL parameters or payload", ROOT, "", NO_PARAMS),
    ("URL parameters and no payload", PARAMS, "", WITH_PARAMS),
    ("URL parameters and payload", PARAMS, "Hello, World!", WITH_PAYLOAD),
    ("Port number in URL", "https://example.com:8080/", "", PORT),
    (
        "Special characters in URL",
        "https://example.com/?obj%5Bfield1%5D=val1&obj%5Bfield2%5D=val2&param=value+with+spaces",
        "",
        SPECIAL_URL,
    ),
    ("Special characters in the payload", ROOT, SPECIAL, SPECIAL_PAYLOAD),
    ("HS384 alg", ROOT, "", HS384),
    ("HS512 alg", ROOT, "", HS512),
]
INVALID = [
    ("Token received before it was issued", ROOT, "", FUTURE),
    ("Token received after it was expired", ROOT, "", PAST),
    (
        "Token received on different URL (parameters were sorted out of order)",
        "https://example.com/path?foo=1&bar=2",
        "",
        SORTED,
    ),
    ("Payload does not match", ROOT, "Hello, World!", WRONG_PAYLOAD),
    ("Different secret", ROOT, "", OTHER_SECRET),
    ("payload was removed in transit", ROOT, "", REMOVED_PAYLOAD),
    ("payload was added in transit", ROOT, "Hello, World!", NO_PARAMS),
    ("none alg", ROOT, "", NONE_ALG),
]


def _request(url: str, body: str, token: str, at: datetime = AT) -> PushRequest:
    return PushRequest.build(
        method="POST" if body else "GET",
        url=url,
        body=body,
        headers=[("MessageBird-Signature-JWT", token)],
        received_at=at,
    )


@pytest.mark.parametrize(("name", "url", "body", "token"), VALID, ids=[v[0] for v in VALID])
def test_sdk_valid_vectors_verify(name: str, url: str, body: str, token: str) -> None:
    claims = signature.check_jwt("messagebird", _request(url, body, token), SECRET, token)
    assert claims["iss"] == "MessageBird"


@pytest.mark.parametrize(("name", "url", "body", "token"), INVALID, ids=[v[0] for v in INVALID])
def test_sdk_invalid_vectors_are_refused_without_an_oracle(
    name: str, url: str, body: str, token: str
) -> None:
    with pytest.raises(AuthenticationError) as info:
        signature.check_jwt("messagebird", _request(url, body, token), SECRET, token)
    assert info.value.credential == "signing_key"
    text = str(info.value)
    assert SECRET not in text
    for part in token.split("."):
        assert not part or part not in text


def test_a_vector_verifies_only_within_its_window_of_receive_times() -> None:
    # NO_PARAMS: nbf 1625479200 (10:00:00Z), exp 1625479260, leeway 1 s either way.
    for seconds, valid in ((-2, False), (-1, True), (0, True), (60, True), (60.9, True), (61, False)):
        at = datetime.fromtimestamp(1625479200 + seconds, UTC)
        request = _request(ROOT, "", NO_PARAMS, at)
        if valid:
            signature.check_jwt("messagebird", request, SECRET, NO_PARAMS)
        else:
            with pytest.raises(AuthenticationError):
                signature.check_jwt("messagebird", request, SECRET, NO_PARAMS)


def test_a_tampered_claim_breaks_the_signature() -> None:
    head, claims, sig = WITH_PARAMS.split(".")
    data = json.loads(base64.urlsafe_b64decode(claims + "=="))
    data["exp"] += 3600
    forged = base64.urlsafe_b64encode(json.dumps(data).encode()).rstrip(b"=").decode()
    token = f"{head}.{forged}.{sig}"
    with pytest.raises(AuthenticationError, match="signature"):
        signature.check_jwt("messagebird", _request(PARAMS, "", token), SECRET, token)


# -- the deprecated MessageBird-Signature: the SDK's vectors --------------------------
# messagebird/python-rest-api tests/test_signed_request.py (commit 0a6dc11f52eb7c6c49493695a8f3ad633f8dce87).
LEGACY_KEY = "PlLrKaqvZNRR5zAjm42ZT6q1SQxgbbGd"
LEGACY_QUERY = [
    ("recipient", "31612345678"),
    ("reference", "FOO"),
    ("statusDatetime", "2019-01-11T09:17:11+00:00"),
    ("id", "eef0ab57a9e049be946f3821568c2b2e"),
    ("status", "delivered"),
    ("mccmnc", "20408"),
    ("ported", "1"),
]


@pytest.mark.parametrize(
    ("body", "expected"),
    [
        (b"", "KVBdcVdz2lYMwcBLZCRITgxUfA/WkwSi+T3Wxl2HL6w="),  # test_signed_request_withou_body
        (b'{"foo":"bar"}', "2bl+38H4oHVg03pC3bk2LvCB0IHFgfC4cL5HPQ0LdmI="),  # test_signed_request_with_body
    ],
)
def test_legacy_signature_matches_the_sdk_vectors(body: bytes, expected: str) -> None:
    assert signature.legacy_signature(LEGACY_KEY, "1547198231", LEGACY_QUERY, body) == expected


# -- mapping and parsing details --------------------------------------------------------


def test_in_flight_statuses_stay_open() -> None:
    for value in ("scheduled", "sent", "buffered"):
        assert not REGISTRY.map_status("messagebird", value).final
    assert REGISTRY.map_status("messagebird", "delivery_failed", "103").reason is Reason.OPTED_OUT
    assert (
        REGISTRY.map_status("messagebird", "expired", "unavailable subscriber").reason is Reason.UNREACHABLE
    )
    unknown = REGISTRY.map_status("messagebird", "bogus")
    assert (unknown.status, unknown.mapping) == (Status.UNKNOWN, MappingKind.UNMAPPED)


def test_an_error_code_outranks_the_status_reason() -> None:
    mapped = REGISTRY.map_status("messagebird", "delivery_failed", "34")
    assert mapped.reason is Reason.CARRIER_ERROR


def test_settled_statuses_mean_the_same_with_any_code_or_reason() -> None:
    # The lean path reads SETTLED instead of map_code: exact only if no code or
    # reason can change these statuses' meaning.
    from smsstatus_messagebird.mapping import CODES, REASONS, SETTLED, map_code

    assert set(SETTLED) == {"scheduled", "sent", "buffered", "delivered"}
    for status, mapped in SETTLED.items():
        for code in (None, "", "x", *CODES):
            for reason in (None, "", *REASONS):
                assert map_code(status, code, reason) == mapped


@pytest.mark.parametrize(
    ("mccmnc", "lean", "country"),
    [
        ("20408", True, "NL"),  # KPN (E.212)
        ("20408", True, "NL"),  # again: memoised by network_of
        (" 20408", True, "NL"),
        ("2040", False, None),  # not an MCC+MNC: null with a warning, on the detailed path
        ("2040x", False, None),
    ],
)
def test_networks_read_by_the_lean_path_are_the_detailed_paths(
    mccmnc: str, lean: bool, country: str | None
) -> None:
    query = f"id=e8077d803532c0b5937c639b60216938&status=delivered&mccmnc={mccmnc.replace(' ', '+')}"
    request = PushRequest.build(url=f"https://hooks.example.test/mb?{query}", method="GET")
    with fast_path_mode("compare") as counts:  # compare: both paths answer the same
        result = REGISTRY.parse_push("messagebird", request, {})
        assert list(counts["smsstatus_messagebird.push._lean"]) == ([1, 0] if lean else [0, 1])
    report = result.reports[0]
    assert report.extra["network_code"] == mccmnc
    assert report.country == country
    assert (report.operator is not None) is lean
