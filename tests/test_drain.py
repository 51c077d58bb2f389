"""The drain hook: a pull that consumes what it returns.

Registry dispatch and validation with small test plugins, then ``smsstatus
drain`` through the real CLI against loopback stand-ins of Infobip's and
InnoPaaS's consuming pulls: everything the stand-in handed out is printed,
a report or a raw record, and nothing twice."""

from __future__ import annotations

import json
from collections.abc import Sequence
from typing import Any

import pytest
import smsstatus
from smsstatus import (
    Capability,
    Channel,
    CredentialSpec,
    DocumentedStatus,
    DrainResult,
    MappedStatus,
    PluginError,
    Status,
    StatusReport,
    UnsupportedError,
    VendorInfo,
    hookimpl,
)

from .drain_standins import INFOBIP_KEY, INNOPAAS_ACCOUNT, DrainStandIn, infobip_record, innopaas_record
from .test_bundled_end_to_end import cli


class Drainer:
    """A drain-only vendor: each call asks ``GET /next`` once."""

    def __init__(self, capabilities: frozenset[Capability] = frozenset({Capability.DRAIN})) -> None:
        self.capabilities = capabilities
        self.seen: list[tuple[str, str | None, str]] = []

    @hookimpl
    def vendor_info(self) -> VendorInfo:
        return VendorInfo(
            id="drainer",
            display_name="Drainer",
            capabilities=self.capabilities,
            statuses=(DocumentedStatus("ok", MappedStatus(Status.DELIVERED)),),
            credentials=(CredentialSpec("key", "drain", "pull key"),),
            default_base_url="https://pull.drainer.invalid",
        )

    @hookimpl
    def map_status(self, status: str) -> MappedStatus:
        return MappedStatus(Status.DELIVERED)

    @hookimpl
    def drain(
        self, vendor: str, credentials: smsstatus.Credentials, client: smsstatus.HttpClient
    ) -> DrainResult:
        self.seen.append((vendor, credentials.optional("key"), client.base_url))
        report = StatusReport(
            vendor=vendor,
            message_id="m-1",
            status=Status.DELIVERED,
            channel=Channel.FETCH,
            received_at=smsstatus.PushRequest().received_at,
            raw={"id": "m-1"},
        )
        return DrainResult(reports=(report,), more=True)


def test_registry_drain_calls_the_vendors_hook_with_the_host_client() -> None:
    drainer = Drainer()
    registry = smsstatus.Registry(vendors={"drainer": drainer})
    result = registry.drain("drainer", {"key": "k-123456"}, base_url="http://127.0.0.1:9")
    assert [r.message_id for r in result.reports] == ["m-1"] and result.more is True
    assert drainer.seen == [("drainer", "k-123456", "http://127.0.0.1:9")]


def test_drain_capability_and_hook_must_agree() -> None:
    registry = smsstatus.Registry(vendors={"drainer": Drainer(frozenset({Capability.PUSH}))})
    (failure,) = registry.failures
    assert "capability 'push'" in failure.error or "'drain'" in failure.error


def test_a_vendor_without_drain_is_unsupported(fake_vendor_cls: Any) -> None:
    registry = smsstatus.Registry(vendors={"acme": fake_vendor_cls("acme")})
    with pytest.raises(UnsupportedError):
        registry.drain("acme", {"api_key": "x"})


def test_a_drain_that_returns_something_else_is_a_plugin_error() -> None:
    class Broken(Drainer):
        @hookimpl
        def drain(self, vendor: str) -> Any:  # type: ignore[override]
            return ["not", "a", "DrainResult"]

    registry = smsstatus.Registry(vendors={"drainer": Broken()})
    with pytest.raises(PluginError, match="DrainResult"):
        registry.drain("drainer")


# -- smsstatus drain, against loopback stand-ins ------------------------------------------


def _ids(stdout: str) -> list[str]:
    return [json.loads(line)["message_id"] for line in stdout.splitlines()]


def _drained(handed_out: Sequence[dict[str, Any]], key: str) -> list[str]:
    return [str(r[key]) for r in handed_out]


def test_cli_drains_infobip_batch_by_batch() -> None:
    standin = DrainStandIn("infobip", [infobip_record(n) for n in range(250)])
    env = {"SMSSTATUS_INFOBIP_API_KEY": INFOBIP_KEY}
    with standin.running():
        one = cli("drain", "infobip", "--base-url", standin.base_url, env=env)
        rest = cli("drain", "infobip", "--base-url", standin.base_url, "--max-batches", "10", env=env)
    assert one.returncode == 0 and rest.returncode == 0, one.stderr + rest.stderr
    # One batch of 100 (the plugin's limit), then 100 and the last 50; the 50 says "no more".
    assert len(_ids(one.stdout)) == 100 and len(_ids(rest.stdout)) == 150
    assert standin.requests == 3
    assert _ids(one.stdout) + _ids(rest.stdout) == _drained(standin.handed_out, "messageId")


def test_cli_drains_innopaas_and_keeps_unreadable_records_raw() -> None:
    records: list[dict[str, Any]] = [innopaas_record(n) for n in range(120)]
    broken = {**innopaas_record(999), "status": " "}  # a blank status: only identity and status reject
    records.insert(5, broken)
    standin = DrainStandIn("innopaas", records)
    account, password = INNOPAAS_ACCOUNT
    env = {"SMSSTATUS_INNOPAAS_ACCOUNT": account, "SMSSTATUS_INNOPAAS_PASSWORD": password}
    with standin.running():
        out = cli("drain", "innopaas", "--base-url", standin.base_url, "--max-batches", "5", env=env)
    assert out.returncode == 3  # an unreadable record was drained: printed raw, exit 3
    printed = _ids(out.stdout)
    (error,) = [json.loads(line) for line in out.stderr.splitlines() if line.startswith("{")]
    assert error["raw"] == broken and error["error"] == "payload"
    handed_out = _drained(standin.handed_out, "msgid")
    assert sorted([*printed, error["raw"]["msgid"]]) == sorted(handed_out)
    assert len(handed_out) == 121 and standin.queue == []
    assert password not in out.stdout + out.stderr


def test_cli_drain_with_a_refused_credential_consumes_nothing() -> None:
    standin = DrainStandIn("infobip", [infobip_record(1)])
    with standin.running():
        out = cli(
            "drain",
            "infobip",
            "--base-url",
            standin.base_url,
            env={"SMSSTATUS_INFOBIP_API_KEY": "wrong-key-1"},
        )
    assert out.returncode == 4 and "401" in out.stderr and "wrong-key-1" not in out.stderr
    assert standin.handed_out == [] and len(standin.queue) == 1
