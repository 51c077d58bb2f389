"""The host's bound on prices: an amount beyond 10^±30 (or not finite) becomes
null plus an out-of-range warning, for every plugin, on push and on fetch.

"1e999999" is ten bytes a sender writes and a megabyte once written as the
fixed-point text the store and the JSON Schema use."""

from __future__ import annotations

import json
from datetime import UTC, datetime
from decimal import Decimal
from typing import Any

import attrs
import pytest
import smsstatus
from smsstatus import FetchResult, Money, PushResult, hookimpl
from smsstatus.hotpath import fast_path_mode
from smsstatus.model import WarningCode
from smsstatus.registry import MAX_PRICE_EXPONENT
from smsstatus.serialize import to_dict


def _priced(vendor: str, message_id: str, amount: str) -> smsstatus.StatusReport:
    return smsstatus.StatusReport(
        vendor=vendor,
        message_id=message_id,
        status=smsstatus.Status.DELIVERED,
        vendor_status="ok",
        price=Money(Decimal(amount), "EUR"),
        raw={"id": message_id, "price": amount},
        received_at=datetime(2026, 12, 1, tzinfo=UTC),
        channel=smsstatus.Channel.PUSH,
    )


class Priced:
    """A plugin that prices each report as its push or fetch says."""

    def __init__(self, amounts: list[str]) -> None:
        self.amounts = amounts

    @hookimpl
    def vendor_info(self) -> smsstatus.VendorInfo:
        return smsstatus.VendorInfo(
            id="acme",
            display_name="Acme",
            capabilities=frozenset({smsstatus.Capability.PUSH, smsstatus.Capability.FETCH}),
            statuses=(smsstatus.DocumentedStatus("ok", smsstatus.MappedStatus(smsstatus.Status.DELIVERED)),),
        )

    @hookimpl
    def map_status(self, status: str) -> smsstatus.MappedStatus:
        return smsstatus.MappedStatus(smsstatus.Status.DELIVERED)

    @hookimpl
    def parse_push(self, vendor: str, request: smsstatus.PushRequest) -> PushResult:
        return PushResult(reports=tuple(_priced(vendor, f"m{i}", a) for i, a in enumerate(self.amounts)))

    @hookimpl
    def fetch(self, vendor: str, ids: tuple[str, ...]) -> FetchResult:
        return FetchResult(reports=tuple(_priced(vendor, f"m{i}", a) for i, a in enumerate(self.amounts)))


@pytest.mark.parametrize("amount", ["1e999999", "-1E+31", "1e-31", "NaN", "Infinity"])
def test_a_price_beyond_the_bound_becomes_null_with_a_warning(amount: str) -> None:
    registry = smsstatus.Registry(vendors={"acme": Priced(["0.0333", amount])})
    for result in (
        registry.parse_push("acme", smsstatus.PushRequest.build(body="{}")),
        registry.fetch("acme", ["m0", "m1"]),
    ):
        good, bad = result.reports
        assert good.price == Money(Decimal("0.0333"), "EUR") and good.warnings == ()
        assert bad.price is None
        assert [(w.field, w.code) for w in bad.warnings] == [("price", WarningCode.OUT_OF_RANGE)]
        assert bad.raw == {"id": "m1", "price": amount}  # nothing lost
        assert len(json.dumps(to_dict(bad))) < 2000


@pytest.mark.parametrize("amount", ["1e30", "-9.99E+30", "1e-30", "0.00001234", "0"])
def test_prices_within_the_bound_are_handed_on_unchanged(amount: str) -> None:
    registry = smsstatus.Registry(vendors={"acme": Priced([amount])})
    (report,) = registry.parse_push("acme", smsstatus.PushRequest.build(body="{}")).reports
    assert report.price == Money(Decimal(amount), "EUR") and report.warnings == ()
    assert MAX_PRICE_EXPONENT == 30


def test_a_real_plugin_lean_and_detailed_give_the_same_bounded_report() -> None:
    """Vonage's documented receipt with its price swapped for "1e999999": the
    same answer whichever path of the plugin reads it."""
    registry = smsstatus.load(environ={"SMSSTATUS_VENDORS": "vonage"})
    body: dict[str, Any] = {
        "err-code": "0",
        "message-timestamp": "2018-10-25 12:10:29",
        "messageId": "0B00000127FDBC63",
        "msisdn": "447547232824",
        "network-code": "23410",
        "price": "1e999999",
        "status": "delivered",
        "to": "Nexmo CLI",
    }
    request = smsstatus.PushRequest.build(body=json.dumps(body), content_type="application/json")
    answers = []
    for mode in ("fast", "detailed"):
        with fast_path_mode(mode):
            (report,) = registry.parse_push("vonage", request).reports
        answers.append(report)
        assert report.price is None and report.status is smsstatus.Status.DELIVERED
        assert report.raw["price"] == "1e999999"
        assert any(w.code is WarningCode.OUT_OF_RANGE for w in report.warnings)
    assert answers[0] == answers[1]


def test_a_bounded_price_does_not_skip_the_host_checks_of_later_reports() -> None:
    """The host's id check still runs on every report after one whose price it bounds."""

    class BadIdAfterHugePrice(Priced):
        @hookimpl
        def parse_push(self, vendor: str, request: smsstatus.PushRequest) -> PushResult:
            good = _priced(vendor, "m0", "1e999999")
            bad = attrs.evolve(_priced(vendor, "m1", "1"), message_id="m1\x00")
            return PushResult(reports=(good, bad))

    registry = smsstatus.Registry(vendors={"acme": BadIdAfterHugePrice([])})
    with pytest.raises(smsstatus.PayloadError, match="report 1: message_id"):
        registry.parse_push("acme", smsstatus.PushRequest.build(body="{}"))
