"""The host's checks on what a plugin's parse_push hands back, for the one-report
push the registry asks in one pass and for the rest (the same refusals either way)."""

from __future__ import annotations

from datetime import UTC, datetime
from decimal import Decimal
from typing import Any

import pytest
import smsstatus
from smsstatus import Channel, Money, Part, PayloadError, Status, StatusReport, hookimpl
from smsstatus.model import MAX_ID_LENGTH, WarningCode


def _vendor(reports: int, **fields: Any) -> object:
    """A push vendor ``checked`` answering ``reports`` copies of one report with ``fields``."""

    class Checked:
        @hookimpl
        def vendor_info(self) -> smsstatus.VendorInfo:
            return smsstatus.VendorInfo(
                id="checked",
                display_name="Checked",
                capabilities=frozenset({smsstatus.Capability.PUSH}),
                statuses=(),
            )

        @hookimpl
        def parse_push(self, request: smsstatus.PushRequest) -> smsstatus.PushResult:
            base: dict[str, Any] = {
                "vendor": "checked",
                "message_id": "m-1",
                "status": Status.DELIVERED,
                "received_at": datetime(2025, 1, 1, tzinfo=UTC),
                "channel": Channel.PUSH,
                "raw": {},
            }
            one = StatusReport(**(base | fields))
            return smsstatus.PushResult(reports=(one,) * reports)

    return Checked()


def _push(reports: int, **fields: Any) -> smsstatus.PushResult:
    registry = smsstatus.Registry(vendors={"checked": _vendor(reports, **fields)})
    return registry.parse_push("checked", smsstatus.PushRequest.build(body=b"{}"))


#: Ids no store can hold or query back (model.identity_problem): control characters
#: (C0, DEL, C1), lone surrogates, empty, blank, too long.
BAD_IDS = ["m-1\x00", "m\r\nforged", "m\x7f", "m\x85", "m\ud800", "", "   ", "x" * (MAX_ID_LENGTH + 1)]
#: Ids that are fine, though str.isprintable is False for some (a no-break space, a soft hyphen).
GOOD_IDS = ["627239445736452096", "订单 42", "x" * MAX_ID_LENGTH, "m\u00a0x", "m\u00ad1", "a b"]


@pytest.mark.parametrize("reports", [1, 2])
@pytest.mark.parametrize("name", ["message_id", "batch_id", "part_ref"])
@pytest.mark.parametrize("value", BAD_IDS)
def test_an_id_no_store_can_hold_is_refused_in_one_report_or_many(
    reports: int, name: str, value: str
) -> None:
    with pytest.raises(PayloadError) as info:
        _push(reports, **{name: value})
    assert info.value.vendor == "checked"


@pytest.mark.parametrize("reports", [1, 2])
@pytest.mark.parametrize("name", ["message_id", "batch_id", "part_ref"])
@pytest.mark.parametrize("value", GOOD_IDS)
def test_a_good_id_is_handed_on_as_it_is(reports: int, name: str, value: str) -> None:
    result = _push(reports, **{name: value})
    assert [getattr(report, name) for report in result.reports] == [value] * reports


@pytest.mark.parametrize("reports", [1, 2])
def test_a_part_beyond_what_sms_allows_is_refused_and_a_good_one_kept(reports: int) -> None:
    with pytest.raises(PayloadError, match="part"):
        _push(reports, part=Part(4, 3))
    assert _push(reports, part=Part(2, 3)).reports[0].part == Part(2, 3)


@pytest.mark.parametrize("reports", [1, 2])
def test_a_price_beyond_the_bound_becomes_null_with_a_warning(reports: int) -> None:
    result = _push(reports, price=Money(Decimal("1e999999"), "EUR"))
    for report in result.reports:
        assert report.price is None
        assert [(w.field, w.code) for w in report.warnings] == [("price", WarningCode.OUT_OF_RANGE)]
    assert _push(reports, price=Money(Decimal("0.05"), "EUR")).reports[0].price == Money(
        Decimal("0.05"), "EUR"
    )
