"""Tests of the twilio plugin: every fixture case, Twilio's own signature test
vectors, and the tricky parts. Expected values come from Twilio's docs and
SDK tests, never from the plugin's output."""

from __future__ import annotations

import hashlib
from datetime import UTC, datetime

import pytest
import smsstatus_twilio
from smsstatus.plugin import AuthenticationError, Capability, MappingKind, PushRequest, Reason, Record, Status
from smsstatus.plugin.testing import Case, Registry, load, load_cases, run_case
from smsstatus_twilio import signature
from smsstatus_twilio.pull import message_report
from smsstatus_twilio.push import dlr_done_local

REGISTRY = Registry(vendors={"twilio": smsstatus_twilio})
CASES = load_cases(REGISTRY.info("twilio"))
FORM = "application/x-www-form-urlencoded"


@pytest.mark.parametrize("case", CASES, ids=lambda c: c.id)
def test_fixture(case: Case) -> None:
    run_case(REGISTRY, case)


def test_fixture_coverage() -> None:
    assert {c.kind for c in CASES} == {"push", "fetch", "map"}
    mapped = {(c.data["status"], c.data.get("code")) for c in CASES if c.kind == "map"}
    documented = {(s.value, s.code) for s in REGISTRY.info("twilio").statuses}
    assert documented <= mapped, documented - mapped


def test_entry_point_loads() -> None:
    registry = load(environ={"SMSSTATUS_VENDORS": "twilio"})
    loaded = registry.vendors["twilio"]
    assert loaded.distribution == "smsstatus-twilio"
    assert loaded.hooks == {"vendor_info", "parse_push", "fetch", "map_status"}
    assert loaded.info.capabilities == {Capability.PUSH, Capability.FETCH}


# -- Twilio's published signature vectors ---------------------------------------
# twilio/twilio-python tests/unit/test_request_validator.py
# (commit 30368b08ba580a6c18202ab20bfc68d59559ebd7): auth token "12345".
TOKEN = "12345"
URI = "https://mycompany.com/myapp.php?foo=1&bar=2"
PARAMS = [
    ("CallSid", "CA1234567890ABCDE"),
    ("Digits", "1234"),
    ("From", "+14158675309"),
    ("To", "+18005551212"),
    ("Caller", "+14158675309"),
]


@pytest.mark.parametrize(
    ("url", "params", "expected"),
    [
        (URI, PARAMS, "RSOYDt4T1cUTdK1PDd93/VVr8B8="),  # test_compute_signature
        (  # test_compute_signature_duplicate_multi_dict: repeated keys sorted by value
            URI,
            [("Sid", "CA123"), ("SidAccount", "AC123"), ("Digits", "5678"), ("Digits", "1234")],
            "IK+Dwps556ElfBT0I3Rgjkr1wJU=",
        ),
        (URI.replace(".com", ".com:443"), PARAMS, "kvajT1Ptam85bY51eRf/AJRuM3w="),  # adds_port_on_https
        (  # adds_port_on_http
            URI.replace("https", "http").replace(".com", ".com:80"),
            PARAMS,
            "0ZXoZLH/DfblKGATFgpif+LLRf4=",
        ),
        (  # removes_port_on_http: the hash of the http URI with port 1234
            URI.replace("https", "http").replace(".com", ".com:1234"),
            PARAMS,
            "Zmvh+3yNM1Phv2jhDCwEM3q5ebU=",
        ),
    ],
)
def test_compute_matches_twilio_python_vectors(
    url: str, params: list[tuple[str, str]], expected: str
) -> None:
    assert signature.compute(TOKEN, url, params) == expected


def test_compute_matches_the_webhooks_security_page_example() -> None:
    # twilio.com/docs/usage/webhooks/webhooks-security, "Validating requests":
    # the same URL, Caller/From +12349013030, signature 0/KCTR6DLpKmkAf8muzZqo1nDgQ=.
    params = [
        ("CallSid", "CA1234567890ABCDE"),
        ("Caller", "+12349013030"),
        ("Digits", "1234"),
        ("From", "+12349013030"),
        ("To", "+18005551212"),
    ]
    assert signature.compute(TOKEN, URI, params) == "0/KCTR6DLpKmkAf8muzZqo1nDgQ="


def _signed(url: str, body: str, sig: str, content_type: str = FORM) -> PushRequest:
    return PushRequest.build(
        url=url, body=body, content_type=content_type, headers=[("X-Twilio-Signature", sig)]
    )


FORM_BODY = (
    "CallSid=CA1234567890ABCDE&Digits=1234&From=%2B14158675309&To=%2B18005551212&Caller=%2B14158675309"
)


@pytest.mark.parametrize(
    ("url", "sig"),
    [
        (URI, "RSOYDt4T1cUTdK1PDd93/VVr8B8="),  # test_validation
        (URI.replace(".com", ".com:1234"), "RSOYDt4T1cUTdK1PDd93/VVr8B8="),  # removes_port_on_https
        (URI, "kvajT1Ptam85bY51eRf/AJRuM3w="),  # adds_port_on_https
        (URI.replace("https", "http"), "0ZXoZLH/DfblKGATFgpif+LLRf4="),  # adds_port_on_http
        (URI.replace("https", "http").replace(".com", ".com:1234"), "Zmvh+3yNM1Phv2jhDCwEM3q5ebU="),
    ],
)
def test_verify_accepts_twilio_python_validation_vectors(url: str, sig: str) -> None:
    request = _signed(url, FORM_BODY, sig)
    signature.verify("twilio", request, TOKEN, request.form_params())


def test_verify_body_sha256_vector() -> None:
    # test_validation_of_body_succeeds: the raw JSON body, its SHA-256 in the
    # URL's bodySHA256, and the signature of the URL alone.
    body = '{"property": "value", "boolean": true}'
    body_hash = "0a1ff7634d9ab3b95db5c9a2dfe9416e41502b283a80c7cf19632632f96e6620"
    assert hashlib.sha256(body.encode()).hexdigest() == body_hash  # test_compute_hash_unicode
    request = _signed(
        f"{URI}&bodySHA256={body_hash}", body, "a9nBmqA0ju/hNViExpshrM61xv4=", "application/json"
    )
    signature.verify("twilio", request, TOKEN, None)


@pytest.mark.parametrize(
    ("url", "body"),
    [
        (URI, FORM_BODY.replace("1234", "9999")),  # tampered body
        (URI.replace("foo=1", "foo=2"), FORM_BODY),  # tampered query
        (URI.replace("mycompany", "evilcompany"), FORM_BODY),  # another host
        (URI.replace("https", "http"), FORM_BODY),  # another scheme
    ],
)
def test_verify_rejects_tampering_without_revealing_the_expected_signature(url: str, body: str) -> None:
    request = _signed(url, body, "RSOYDt4T1cUTdK1PDd93/VVr8B8=")
    expected = signature.compute(TOKEN, url, request.form_params())
    with pytest.raises(AuthenticationError) as info:
        signature.verify("twilio", request, TOKEN, request.form_params())
    assert info.value.credential == "auth_token"
    assert expected not in str(info.value) and TOKEN not in str(info.value)


def test_verify_rejects_a_tampered_json_body() -> None:
    body = '{"property": "value", "boolean": false}'
    body_hash = "0a1ff7634d9ab3b95db5c9a2dfe9416e41502b283a80c7cf19632632f96e6620"
    request = _signed(
        f"{URI}&bodySHA256={body_hash}", body, "a9nBmqA0ju/hNViExpshrM61xv4=", "application/json"
    )
    with pytest.raises(AuthenticationError):
        signature.verify("twilio", request, TOKEN, None)


def test_url_variants_keep_everything_but_the_port() -> None:
    assert signature.url_variants("https://h.test/p?a=1&b=%2B") == (
        "https://h.test/p?a=1&b=%2B",
        "https://h.test:443/p?a=1&b=%2B",
    )
    assert signature.url_variants("http://h.test:8080/p") == ("http://h.test/p", "http://h.test:8080/p")
    assert signature.url_variants("https://[::1]/p") == ("https://[::1]/p", "https://[::1]:443/p")


# -- mapping and parsing details ------------------------------------------------------


def test_a_segment_count_beyond_one_sms_is_null_with_a_warning() -> None:
    # num_segments counts the parts of one SMS: at most 255 (the canonical
    # schema's bound); a larger count is unreadable, not a report to refuse.
    resource = {"sid": "SMded05904ccb347238880ca9264e8fe1c", "status": "delivered", "num_segments": "100000"}
    received = datetime(2019, 5, 24, 17, 45, 10, tzinfo=UTC)
    report = message_report(Record("twilio", resource), received)
    assert (report.status, report.segments) == (Status.DELIVERED, None)
    assert [(w.field, w.code.value) for w in report.warnings] == [("$.num_segments", "out_of_range")]
    assert report.raw == resource


def test_sent_is_not_final_and_failures_are() -> None:
    assert not REGISTRY.map_status("twilio", "sent").final
    assert REGISTRY.map_status("twilio", "failed").status is Status.REJECTED
    assert REGISTRY.map_status("twilio", "undelivered", "21610").reason is Reason.OPTED_OUT
    unknown = REGISTRY.map_status("twilio", "bogus")
    assert (unknown.status, unknown.mapping) == (Status.UNKNOWN, MappingKind.UNMAPPED)


@pytest.mark.parametrize(
    ("raw", "expected"),
    [("2302141012", "2023-02-14T10:12"), ("2313141012", None), ("23021410", None), ("", None)],
)
def test_dlr_done_local(raw: str, expected: str | None) -> None:
    assert dlr_done_local(raw) == expected


def test_status_at_stays_null_whatever_the_raw_done_date() -> None:
    request = PushRequest.build(
        body="MessageSid=SM1&MessageStatus=delivered&RawDlrDoneDate=2302141012",
        content_type=FORM,
        received_at=datetime(2023, 2, 14, 10, 13, tzinfo=UTC),
    )
    (report,) = REGISTRY.parse_push("twilio", request).reports
    assert report.status_at is None
    assert report.received_at == datetime(2023, 2, 14, 10, 13, tzinfo=UTC)


def test_settled_statuses_mean_the_same_with_any_error_code() -> None:
    # The lean path reads SETTLED instead of map_value and the inbound check:
    # exact only if no error code changes these statuses and none is inbound.
    from smsstatus_twilio.mapping import CODES, INBOUND, SETTLED, map_value

    assert {"queued", "sent", "delivered", "read"} <= set(SETTLED)
    assert not (INBOUND | {"undelivered", "failed"}) & set(SETTLED)
    for status, mapped in SETTLED.items():
        for code in (None, "", "0", "x", *CODES):
            assert map_value(status, code) == mapped
