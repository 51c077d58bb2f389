"""Tests of the aws plugin: every fixture case, AWS's own signed SNS sample,
certificates generated here for tampering, the certificate-host rule and the
per-client cache. Expected values come from AWS's docs and SDK tests."""

from __future__ import annotations

import base64
import json
from datetime import UTC, datetime
from pathlib import Path

import httpx
import pytest
import smsstatus_aws
from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import padding, rsa
from cryptography.x509.oid import NameOID
from smsstatus.plugin import (
    AuthenticationError,
    Capability,
    HttpClient,
    MappingKind,
    PayloadError,
    PushRequest,
    SmsStatusError,
    Status,
)
from smsstatus.plugin.testing import (
    Case,
    PluginError,
    Registry,
    fast_path_mode,
    load,
    load_cases,
    run_case,
)
from smsstatus_aws import sns
from smsstatus_aws.push import MAX_RECORDS

REGISTRY = Registry(vendors={"aws": smsstatus_aws})
CASES = load_cases(REGISTRY.info("aws"))


@pytest.mark.parametrize("case", CASES, ids=lambda c: c.id)
def test_fixture(case: Case) -> None:
    run_case(REGISTRY, case)


def test_fixture_coverage() -> None:
    assert {c.kind for c in CASES} == {"push", "map"}
    mapped = {(c.data["status"], c.data.get("code")) for c in CASES if c.kind == "map"}
    documented = {(s.value, s.code) for s in REGISTRY.info("aws").statuses}
    assert documented <= mapped, documented - mapped


def test_entry_point_loads_push_only_with_plugin_api_1_5() -> None:
    registry = load(environ={"SMSSTATUS_VENDORS": "aws"})
    loaded = registry.vendors["aws"]
    assert loaded.distribution == "smsstatus-aws"
    assert loaded.hooks == {"vendor_info", "parse_push", "map_status"}  # no per-message status API
    assert loaded.info.capabilities == {Capability.PUSH}
    assert loaded.plugin_api == "1.5"  # short_value_cache


# -- AWS's own vector ----------------------------------------------------------------------
# aws/aws-sdk-java-v2 services/sns/src/test/resources/software/amazon/awssdk/services/sns/
# sample-message.json and unit-test-public-cert.pem (commit 30c3112c765169a61bea93f427be1e3ca92f02fd),
# checked by SnsSignatureCheckerTest.validateMessageTest.
AWS_CERT = (Path(__file__).parent / "aws-sdk-java-v2-unit-test-public-cert.pem").read_bytes()
AWS_SAMPLE = {
    "Type": "Notification",
    "MessageId": "d39649d4-bf5b-5b80-af75-07acb3dd9b4a",
    "TopicArn": "arn:aws:sns:us-east-1:810605503585:just_testing",
    "Subject": "this is raw",
    "Message": "boo",
    "Timestamp": "2015-09-20T01:22:14.001Z",
    "SignatureVersion": "1",
    "Signature": "fQh5DUyhpw41y6tx/BJuqK2Clvs7uY6N7poaOfzK08E+C6saKq9dMz5b9A0lGWWU7VsB+qHELBaL3OdS9U4BmFI36Ppt5Q6Bs"
    "WmqSho+1hgwBYFFFZghO6BYXxsNmLml1yZl2X+MQKy3D516hgN7pUvYnvvq2cfsvy21ivU6Oiv96gcte2s+aPUi6O9CAdc2GfZRXCqC9wow"
    "KoxhFUUQW/UTHQfxt/60qWgNxhhVwAbPtnXWkAXwxixYKl5qOHcl3u2TxkAHn+1X8XmgjnpvEO5p0vQvOEHXBnGsjPglRXE9g5FVnAFXjhv"
    "HXeTWUcVLNI0eSRJeOBPbKpkjeDsR4g==",
    "SigningCertURL": "https://sns.us-east-1.amazonaws.com/SimpleNotificationService-bb750dd426d95ee9390147a5624348ee.pem",
}


def _serving(body: bytes, log: list[str]) -> HttpClient:
    def answer(request: httpx.Request) -> httpx.Response:
        log.append(str(request.url))
        return httpx.Response(200, content=body)

    return HttpClient("aws", None, transport=httpx.MockTransport(answer))


def test_aws_sample_verifies_and_any_change_is_refused() -> None:
    log: list[str] = []
    with _serving(AWS_CERT, log) as client:
        sns.verify("aws", AWS_SAMPLE, client)
        for field in ("Message", "MessageId", "Subject", "Timestamp", "TopicArn"):
            with pytest.raises(AuthenticationError, match="does not match"):
                sns.verify("aws", {**AWS_SAMPLE, field: AWS_SAMPLE[field] + "x"}, client)
    assert log == [AWS_SAMPLE["SigningCertURL"]]  # fetched once, then cached for this client


# -- a certificate made here -------------------------------------------------------------
KEY = rsa.generate_private_key(public_exponent=65537, key_size=2048)
OTHER_KEY = rsa.generate_private_key(public_exponent=65537, key_size=2048)


def _certificate(key: rsa.RSAPrivateKey) -> bytes:
    name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "sns.amazonaws.com test")])
    cert = (
        x509.CertificateBuilder()
        .subject_name(name)
        .issuer_name(name)
        .public_key(key.public_key())
        .serial_number(7)
        .not_valid_before(datetime(2024, 1, 1, tzinfo=UTC))
        .not_valid_after(datetime(2034, 1, 1, tzinfo=UTC))
        .sign(key, hashes.SHA256())
    )
    return cert.public_bytes(serialization.Encoding.PEM)


CERT_URL = "https://sns.eu-west-1.amazonaws.com/SimpleNotificationService-test.pem"
TOPIC = "arn:aws:sns:eu-west-1:111122223333:sms"
EVENT = {"eventType": "TEXT_DELIVERED", "messageId": "m-1", "isFinal": True, "eventTimestamp": 1722951451456}


def _signed(version: str, key: rsa.RSAPrivateKey = KEY, **changes: str) -> dict[str, str]:
    envelope = {
        "Type": "Notification",
        "MessageId": "n-1",
        "TopicArn": TOPIC,
        "Message": json.dumps(EVENT),
        "Timestamp": "2024-08-06T13:37:31.900Z",
    }
    text = "".join(f"{k}\n{envelope[k]}\n" for k in ("Message", "MessageId", "Timestamp", "TopicArn", "Type"))
    digest = hashes.SHA1() if version == "1" else hashes.SHA256()
    signature = base64.b64encode(key.sign(text.encode(), padding.PKCS1v15(), digest)).decode()
    return {
        **envelope,
        "SignatureVersion": version,
        "Signature": signature,
        "SigningCertURL": CERT_URL,
        **changes,
    }


def _push(envelope: dict[str, str], cert: bytes, log: list[str]) -> PushRequest:
    return PushRequest.build(
        body=json.dumps(envelope),
        content_type="text/plain; charset=UTF-8",
        headers=[("x-amz-sns-message-type", "Notification")],
        received_at=datetime(2024, 8, 6, 13, 37, 32, tzinfo=UTC),
    )


@pytest.mark.parametrize("version", ["1", "2"])
def test_generated_signatures_verify_through_the_registry(version: str) -> None:
    log: list[str] = []
    with _serving(_certificate(KEY), log) as client:
        result = REGISTRY.parse_push(
            "aws", _push(_signed(version), b"", log), {"topic_arn": TOPIC}, client=client
        )
    (report,) = result.reports
    assert (report.message_id, report.status) == ("m-1", Status.DELIVERED)
    assert log == [CERT_URL]


def test_without_topic_arn_any_signed_topic_is_read() -> None:
    # SNS signatures need no configured secret, so they are always checked;
    # topic_arn only narrows the topics (docs/vendors/aws.md says to set it).
    with _serving(_certificate(KEY), []) as client:
        result = REGISTRY.parse_push("aws", _push(_signed("2"), b"", []), client=client)
    assert [r.message_id for r in result.reports] == ["m-1"]


@pytest.mark.parametrize(
    "changes",
    [
        {"Message": json.dumps({**EVENT, "eventType": "TEXT_SPAM"})},
        {"TopicArn": TOPIC + "-2"},
        {"SignatureVersion": "2"},  # signed with SHA-1, claimed SHA-256
        {"Signature": base64.b64encode(b"\x00" * 256).decode()},
    ],
)
def test_tampering_is_refused(changes: dict[str, str]) -> None:
    log: list[str] = []
    with _serving(_certificate(KEY), log) as client, pytest.raises(AuthenticationError):
        sns.verify("aws", _signed("1", **changes), client)


def test_a_certificate_of_another_key_is_refused() -> None:
    with (
        _serving(_certificate(OTHER_KEY), []) as client,
        pytest.raises(AuthenticationError, match="does not match"),
    ):
        sns.verify("aws", _signed("1"), client)


@pytest.mark.parametrize(
    ("url", "allowed"),
    [
        ("https://sns.us-east-1.amazonaws.com/SimpleNotificationService-x.pem", True),
        ("https://sns.cn-north-1.amazonaws.com.cn/SimpleNotificationService-x.pem", True),
        ("https://sns.us-east-1.amazonaws.com:443/x.pem", True),
        ("http://sns.us-east-1.amazonaws.com/x.pem", False),
        ("https://sns.us-east-1.amazonaws.com.evil.example/x.pem", False),
        ("https://evil.example/sns.us-east-1.amazonaws.com/x.pem", False),
        ("https://user@sns.us-east-1.amazonaws.com/x.pem", False),
        ("https://sns.us-east-1.amazonaws.com:8443/x.pem", False),
        ("https://s3.amazonaws.com/x.pem", False),
        ("https://SNS.us-east-1.amazonaws.com@evil.example/x.pem", False),
        (None, False),
    ],
)
def test_only_sns_hosts_over_https(url: str | None, allowed: bool) -> None:
    assert sns.allowed_sns_url(url) is allowed


def test_a_foreign_certificate_url_is_never_fetched() -> None:
    log: list[str] = []
    envelope = _signed("1", SigningCertURL="https://attacker.example/cert.pem")
    with _serving(_certificate(KEY), log) as client, pytest.raises(AuthenticationError):
        sns.verify("aws", envelope, client)
    assert log == []


def test_mapping_keeps_successful_open_unless_final() -> None:
    assert not REGISTRY.map_status("aws", "TEXT_SUCCESSFUL").final
    assert REGISTRY.map_status("aws", "TEXT_SUCCESSFUL", "final").status is Status.DELIVERED
    assert REGISTRY.map_status("aws", "TEXT_UNKNOWN").status is Status.UNDELIVERED
    assert REGISTRY.map_status("aws", "_SMS.SUCCESS").mapping is MappingKind.UNMAPPED


# -- Firehose batch bounds ---------------------------------------------------------------
# A Firehose HTTP endpoint request holds the records of a buffer of up to 64 MiB
# (Amazon Data Firehose developer guide, "HTTP endpoint delivery request and
# response specifications"); each record's data is one event or several joined
# by newlines.


def _event(n: int) -> str:
    return json.dumps({"eventType": "TEXT_DELIVERED", "isFinal": True, "messageId": f"m-{n}"})


def _firehose(records: list[str]) -> PushRequest:
    body = {
        "requestId": "ed4acda5-034f-9f42-bba1-f29aea6d7d8f",
        "timestamp": 1722951500000,
        "records": [{"data": base64.b64encode(r.encode()).decode()} for r in records],
    }
    return PushRequest.build(
        content_type="application/json",
        body=json.dumps(body),
        headers=[("X-Amz-Firehose-Request-Id", body["requestId"])],
    )


def test_a_firehose_request_of_more_than_a_thousand_events_is_read_whole() -> None:
    # The host refuses a result longer than the declared max_batch: the
    # declaration must cover what the plugin reads (10,000 events).
    result = REGISTRY.parse_push("aws", _firehose([_event(n) for n in range(1500)]))
    assert len(result.reports) == 1500 and result.errors == ()
    assert result.reports[-1].message_id == "m-1499"


def test_events_joined_in_records_are_bounded_together_before_any_report() -> None:
    joined = "\n".join(_event(n) for n in range(MAX_RECORDS + 1))
    with pytest.raises(PayloadError) as caught:
        REGISTRY.parse_push("aws", _firehose([joined]))
    assert caught.value.field == "$.records"  # the plugin's check, not the host's after 10,001 reports


# -- the lean path through SNS and Firehose -------------------------------------------------
# fast_path_mode("compare") parses every push the lean path takes on the
# detailed path too and fails on any difference; the counts say which took it.
LEAN = "smsstatus_aws.push._lean"


def _paths(request: PushRequest, credentials: dict[str, str], client: HttpClient | None = None) -> list[int]:
    """[taken by the lean path, passed on] for one push (a refusal is the detailed path's)."""
    with fast_path_mode("compare") as counts:
        try:
            REGISTRY.parse_push("aws", request, credentials, client=client)
        except PluginError:
            raise  # FastPathMismatch, or a bug
        except SmsStatusError:
            pass
        return list(counts[LEAN])


def test_sns_takes_the_lean_path_once_the_client_has_the_certificate() -> None:
    log: list[str] = []
    push = _push(_signed("2"), b"", log)
    with _serving(_certificate(KEY), log) as client:
        assert _paths(push, {"topic_arn": TOPIC}, client) == [0, 1]  # fetches the certificate
        assert _paths(push, {"topic_arn": TOPIC}, client) == [1, 0]
        # Refused on the lean path's own checks: passed on, and the detailed path refuses.
        assert _paths(push, {"topic_arn": TOPIC + "-2"}, client) == [0, 1]
        tampered = _push(_signed("2", Message=json.dumps({**EVENT, "eventType": "TEXT_SPAM"})), b"", log)
        assert _paths(tampered, {"topic_arn": TOPIC}, client) == [0, 1]
        with pytest.raises(AuthenticationError):
            REGISTRY.parse_push("aws", tampered, {"topic_arn": TOPIC}, client=client)
        (report,) = REGISTRY.parse_push("aws", push, {"topic_arn": TOPIC}, client=client).reports
    assert log == [CERT_URL]
    assert report.extra == {"sns_message_id": "n-1", "topic_arn": TOPIC, "is_final": True}


def test_firehose_takes_the_lean_path_with_the_access_key_and_records_of_several_events() -> None:
    push = _firehose([_event(1), _event(2) + "\n\n" + _event(3)])
    push = PushRequest(
        headers=[*push.headers.raw_items(), ("X-Amz-Firehose-Access-Key", "k" * 20)],
        body=push.body,
        received_at=push.received_at,
    )
    assert _paths(push, {"firehose_access_key": "k" * 20}) == [1, 0]
    assert _paths(push, {"firehose_access_key": "k" * 19 + "x"}) == [0, 1]
    result = REGISTRY.parse_push("aws", push, {"firehose_access_key": "k" * 20})
    assert [r.message_id for r in result.reports] == ["m-1", "m-2", "m-3"]
    # The documented answer: the request's id and timestamp echoed (Firehose developer guide).
    assert json.loads(result.reply.body) == {
        "requestId": "ed4acda5-034f-9f42-bba1-f29aea6d7d8f",
        "timestamp": 1722951500000,
    }


@pytest.mark.parametrize(
    "record", ["not base64!", base64.b64encode(b"\n \n").decode(), base64.b64encode(b"[1]").decode()]
)
def test_a_firehose_record_the_lean_path_cannot_read_goes_to_the_detailed_path(record: str) -> None:
    body = {
        "requestId": "r-1",
        "timestamp": 1,
        "records": [{"data": base64.b64encode(_event(1).encode()).decode()}, {"data": record}],
    }
    push = PushRequest.build(content_type="application/json", body=json.dumps(body))
    assert _paths(push, {}) == [0, 1]
    result = REGISTRY.parse_push("aws", push)
    assert [r.message_id for r in result.reports] == ["m-1"] and [e.index for e in result.errors] == [1]


@pytest.mark.parametrize("request_id", ["r-1", 'r-"1"', "r-\\1", "r-é"])
def test_the_lean_firehose_reply_is_the_detailed_one_for_any_request_id(request_id: str) -> None:
    body = {
        "requestId": request_id,
        "timestamp": 7,
        "records": [{"data": base64.b64encode(_event(1).encode()).decode()}],
    }
    push = PushRequest.build(content_type="application/json", body=json.dumps(body))
    assert _paths(push, {}) == [1, 0]  # compared with the detailed path's reply, byte for byte
    reply = REGISTRY.parse_push("aws", push).reply
    assert json.loads(reply.body) == {"requestId": request_id, "timestamp": 7}
