"""Tests of the plivo plugin: every fixture case, Plivo's published signature
vectors, and the tricky parts. Expected values come from Plivo's docs and SDK
tests, never from the plugin's output."""

from __future__ import annotations

import base64
import hashlib
import hmac

import pytest
import smsstatus_plivo
from smsstatus.plugin import AuthenticationError, Capability, PushRequest, Status, fast_form
from smsstatus.plugin.testing import Case, Registry, fast_path_mode, load, load_cases, run_case
from smsstatus_plivo import signature
from smsstatus_plivo.push import _Odd, _time_of, plivo_time

REGISTRY = Registry(vendors={"plivo": smsstatus_plivo})
CASES = load_cases(REGISTRY.info("plivo"))
FORM = "application/x-www-form-urlencoded"


@pytest.mark.parametrize("case", CASES, ids=lambda c: c.id)
def test_fixture(case: Case) -> None:
    run_case(REGISTRY, case)


def test_fixture_coverage() -> None:
    assert {c.kind for c in CASES} == {"push", "fetch", "map"}
    mapped = {(c.data["status"], c.data.get("code")) for c in CASES if c.kind == "map"}
    documented = {(s.value, s.code) for s in REGISTRY.info("plivo").statuses}
    assert documented <= mapped, documented - mapped


def test_entry_point_loads() -> None:
    registry = load(environ={"SMSSTATUS_VENDORS": "plivo"})
    loaded = registry.vendors["plivo"]
    assert loaded.distribution == "smsstatus-plivo"
    assert loaded.hooks == {"vendor_info", "parse_push", "fetch", "map_status"}
    assert loaded.info.capabilities == {Capability.PUSH, Capability.FETCH}


# -- V2: Plivo's published vectors ---------------------------------------------------
# plivo/plivo-python tests/resources/test_signature.py (commit 8779d2c42f16a19a2f4d30170e816e0c4a3c04b3)
# and plivo/plivo-node test/utils.js (commit 00544ef1f0ee62fc5ffc3ce34fee36ceed50c1c8, the port cases).


@pytest.mark.parametrize(
    ("url", "nonce", "token", "expected"),
    [
        ("https://answer.url", "12345", "my_auth_token", "ehV3IKhLysWBxC1sy8INm0qGoQYdYsHwuoKjsX7FsXc="),
        (
            "https://answer.url:8000",
            "24725744043720739450",
            "my_auth_token",
            "LDphWoWimP4QM5AoWI1uwP6WmlWtt5ITPZjXIWYvCNU=",
        ),
        (
            "https://answer.url:8080",
            "123456",
            "my_auth_tokens",
            "xeV6S6BPIQJ/rgKCjCm/Fo2ve5zNe1fatQoHyRT8vxQ=",
        ),
    ],
)
def test_v2_vectors(url: str, nonce: str, token: str, expected: str) -> None:
    assert signature.sign(token, signature.base_url(url) + nonce) == expected
    request = PushRequest.build(
        url=url,
        headers=[("X-Plivo-Signature-V2", expected), ("X-Plivo-Signature-V2-Nonce", nonce)],
        body="MessageUUID=u&Status=sent",
        content_type=FORM,
    )
    signature.verify("plivo", request, signature.keys(token, None), [], v3_only=False)


@pytest.mark.parametrize(
    ("url", "nonce", "token"),
    [
        ("https://answer.url", "12345", "my_auth_tokens"),  # "should fail": wrong token
        ("https://answer.url:8000", "12345", "my_auth_token"),  # "should fail for correct url but with port"
        ("https://answer.url:8080", "12345", "my_auth_token"),
    ],
)
def test_v2_vectors_that_must_fail(url: str, nonce: str, token: str) -> None:
    request = PushRequest.build(
        url=url,
        headers=[
            ("X-Plivo-Signature-V2", "ehV3IKhLysWBxC1sy8INm0qGoQYdYsHwuoKjsX7FsXc="),
            ("X-Plivo-Signature-V2-Nonce", nonce),
        ],
    )
    with pytest.raises(AuthenticationError) as info:
        signature.verify("plivo", request, signature.keys(token, None), [], v3_only=False)
    assert "ehV3" not in str(info.value) and token not in str(info.value)


# -- V3 ---------------------------------------------------------------------------------
# The string to sign is written out by hand from plivo/plivo-python
# plivo/utils/signature_v3.py (commit 0843141a9db3ee39b5edd54fbffefdd14a63f16e):
# construct_post_url / construct_get_url, then "." + nonce, HMAC-SHA256, base64.

CALL = "97ceeb52-58b6-11e1-86da-77300b68f8bb"


def _hmac(token: str, text: str) -> str:
    return base64.b64encode(hmac.new(token.encode(), text.encode(), hashlib.sha256).digest()).decode()


@pytest.mark.parametrize(
    ("method", "url", "body", "signed"),
    [
        (
            "GET",
            f"https://answer.url?Duration=300&CallUUID={CALL}",
            [],
            f"https://answer.url?CallUUID={CALL}&Duration=300",
        ),
        (
            "POST",
            "https://answer.url",
            [("Duration", "300"), ("CallUUID", CALL)],
            f"https://answer.url?CallUUID{CALL}Duration300",
        ),
        (
            "POST",
            "https://answer.url/cb?z=1&a=2",
            [("Duration", "300"), ("CallUUID", CALL)],
            f"https://answer.url/cb?a=2&z=1.CallUUID{CALL}Duration300",
        ),
        ("POST", "https://answer.url/cb?z=1&a=2", [], "https://answer.url/cb?a=2&z=1"),
        (
            "POST",
            "https://answer.url:8443/cb",
            [("a", "1 2"), ("a", "0")],
            "https://answer.url:8443/cb?a0a1 2",
        ),
    ],
)
def test_v3_message_follows_the_sdk_construction(
    method: str, url: str, body: list[tuple[str, str]], signed: str
) -> None:
    assert signature.v3_message(method, url, body) == signed
    expected = _hmac("my_auth_token", signed + ".12345")
    request = PushRequest.build(
        method=method,
        url=url,
        headers=[("X-Plivo-Signature-V3", f"other,{expected}"), ("X-Plivo-Signature-V3-Nonce", "12345")],
    )
    signature.verify("plivo", request, signature.keys("my_auth_token", None), body, v3_only=True)


def test_the_published_v3_get_vector_signs_an_older_construction() -> None:
    """plivo/plivo-go utils_test.go TestValidateSignatureV3Pass and plivo/plivo-ruby
    spec/signature_spec.rb publish rXj4UwTSVxH6Kj+W0qX8LaCvVOOvmzPGzY8sQVn3d1I= for
    GET https://answer.url with CallUUID/Duration and nonce 12345. It is the HMAC of
    an older SDK's string (a "/?" and a trailing "&"), not of the construction every
    current SDK implements, so the plugin follows the current one."""
    old = f"https://answer.url/?CallUUID={CALL}&Duration=300&.12345"
    assert _hmac("my_auth_token", old) == "rXj4UwTSVxH6Kj+W0qX8LaCvVOOvmzPGzY8sQVn3d1I="
    assert signature.v3_message("GET", f"https://answer.url?CallUUID={CALL}&Duration=300", []) != old[:-6]


def test_v3_rejects_tampering_without_revealing_the_expected_signature() -> None:
    body = [("MessageUUID", "u1"), ("Status", "delivered")]
    good = _hmac("tok-123456", signature.v3_message("POST", "https://h.test/cb", body) + ".n1")
    tampered = [("MessageUUID", "u1"), ("Status", "failed")]
    request = PushRequest.build(
        url="https://h.test/cb",
        headers=[("X-Plivo-Signature-V3", good), ("X-Plivo-Signature-V3-Nonce", "n1")],
    )
    with pytest.raises(AuthenticationError) as info:
        signature.verify("plivo", request, signature.keys("tok-123456", None), tampered, v3_only=False)
    expected = _hmac("tok-123456", signature.v3_message("POST", "https://h.test/cb", tampered) + ".n1")
    assert expected not in str(info.value) and "tok-123456" not in str(info.value)


def test_sent_stays_in_flight_and_420_is_expired() -> None:
    assert not REGISTRY.map_status("plivo", "sent").final
    assert REGISTRY.map_status("plivo", "undelivered", "420").status is Status.EXPIRED
    assert REGISTRY.map_status("plivo", "failed").status is Status.REJECTED


# -- the lean path's form reader ----------------------------------------------------------
# Core's fast_form reads the fields (tested against the standard library in
# tests/test_hotpath.py, Plivo's long callback included).

#: Plivo's delivered callback as it arrives (the "delivered-every-field" fixture's body).
PLIVO_BODY = (
    "To=918527012345&From=14155551234&Type=sms&Status=delivered&ErrorCode=&Units=1&TotalRate=0.0025"
    "&TotalAmount=0.0025&MCC=405&MNC=803&MessageUUID=83876bdb-5e5e-11ea-bd57-0242ac110003"
    "&PartInfo=1+of+1&MessageTime=2024-08-21+12%3A59%3A58.512345&PowerpackUUID="
)


def test_fast_form_reads_plivos_callback_as_plivo_sent_it() -> None:
    data = fast_form(PLIVO_BODY)
    assert data is not None
    # Plivo's docs: MessageTime "2024-08-21 12:59:58.512345" (form-encoded: "+" and %3A), PartInfo "1 of 1".
    assert (data["MessageTime"], data["PartInfo"], data["ErrorCode"]) == (
        "2024-08-21 12:59:58.512345",
        "1 of 1",
        "",
    )


@pytest.mark.parametrize(
    "value",
    [
        "2024-08-21 12:59:58.512345",
        "2024-08-21 12:59:58.51234 ",
        "2024-08-21 12:59:58+05:30",
        "2024-08-21 12:59:58",
        "2024-02-30 12:59:58.512345",
    ],
)
def test_the_lean_time_reader_is_plivo_time(value: str) -> None:
    try:
        expected = plivo_time(value)
    except ValueError:
        with pytest.raises(_Odd):
            _time_of(value)
        return
    assert _time_of(value) == expected and _time_of(value).tzinfo is not None  # type: ignore[union-attr]


def test_settled_states_mean_the_same_with_any_error_code() -> None:
    # The lean path reads SETTLED instead of map_value: exact only if no error
    # code can change these states' meaning.
    from smsstatus_plivo.mapping import CODES, SETTLED, map_value

    assert {"queued", "sent", "delivered"} <= set(SETTLED)
    assert "undelivered" not in SETTLED and "failed" not in SETTLED
    for state, mapped in SETTLED.items():
        for code in (None, "", "000", "x", *CODES):
            assert map_value(state, code) == mapped


@pytest.mark.parametrize(
    ("fields", "lean"),
    [
        ("TotalAmount=0.0025&TotalRate=0.0025&MCC=405&MNC=803", True),
        ("TotalAmount=0.0025&TotalRate=0.0025&MCC=405&MNC=803", True),  # from the lean path's memos
        ("TotalAmount=0.0050&MCC=405", True),
        ("MNC=03", True),
        ("TotalAmount=0." + "1" * 22, True),  # 24 characters: the longest amount the memo keeps
        ("TotalAmount=0." + "1" * 23, False),  # longer: read by the detailed path, same answer
        ("TotalAmount=NaN", False),  # what the detailed path warns about
        ("TotalRate=x", False),
        ("TotalRate=1E%2B2", True),  # extra.total_rate in fixed point: "100", from the rate's memo
        ("TotalRate=1E%2B2", True),
        ("TotalRate=0." + "1" * 23, False),  # too long for the memos: the detailed path
        ("TotalRate=1E%2B999", False),  # a thousand digits in fixed point: not kept, the detailed path
        ("TotalRate=1E-999", False),
        ("MCC=40", False),
        ("MNC=8030", False),
        ("Units=0&Sequence=0", True),  # counts from the lean path's table ("0" to "99")
        ("Units=99&Sequence=99", True),
        ("Units=100&Sequence=100", True),  # beyond it: the checks, the same number
        ("Units=255&Sequence=123456789", True),
        ("Units=007&Sequence=01", True),
        ("Units=256", False),  # more parts than a message has: the detailed path warns
        ("Sequence=-1", False),
        ("Units=%D9%A3", False),  # an Arabic-Indic three: not ASCII digits
    ],
)
def test_amounts_and_networks_read_by_the_lean_path_are_the_detailed_paths(fields: str, lean: bool) -> None:
    body = f"MessageUUID=83876bdb-5e5e-11ea-bd57-0242ac110003&Status=delivered&To=918527012345&{fields}"
    with fast_path_mode("compare") as counts:  # compare: both paths answer the same
        report = REGISTRY.parse_push("plivo", PushRequest.build(body=body, content_type=FORM), {}).reports[0]
        taken = list(counts["smsstatus_plivo.push._lean"])
    assert taken == ([1, 0] if lean else [0, 1])
    if fields.startswith("TotalAmount=0.0025"):
        assert (
            report.price is not None
            and str(report.price.amount) == "0.0025"
            and report.price.currency is None
        )
        assert report.extra["total_rate"] == "0.0025"
        assert report.operator is not None and (report.operator.mcc, report.operator.mnc) == ("405", "803")
    if fields == "TotalRate=1E%2B2":
        assert report.extra["total_rate"] == "100"
    if fields == "Units=99&Sequence=99":
        assert (report.segments, report.extra["sequence"]) == (99, 99)
    if fields == "Units=007&Sequence=01":
        assert (report.segments, report.extra["sequence"]) == (7, 1)
    if fields == "TotalRate=1E%2B999":
        assert report.extra["total_rate"] == "1" + "0" * 999
