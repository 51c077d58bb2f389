"""Each event's stored report text (``jsontext.report_text``) is exactly
``dumps(to_dict(report))``, the text stored before it existed, whether the
report is encoded as it stands or goes through ``to_dict``."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta, timezone
from decimal import Decimal
from types import MappingProxyType
from typing import Any

import attrs
import pytest
import smsstatus
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from smsstatus.fixtures import build_push_request, load_cases, offline_push_transport
from smsstatus.model import (
    Channel,
    MappingKind,
    Money,
    Operator,
    Part,
    Reason,
    ReportWarning,
    Status,
    StatusReport,
    WarningCode,
)
from smsstatus.serialize import to_dict
from smsstatus.tracker import jsontext

pytestmark = pytest.mark.skipif(jsontext.encoder_name != "msgspec", reason="msgspec not installed")


def before(report: StatusReport) -> str:
    return jsontext.dumps(to_dict(report))


def _fixture_reports() -> list[StatusReport]:
    registry = smsstatus.load(environ={})
    cases = [c for v in registry.vendors.values() for c in load_cases(v.info)]
    registry.use_push_transport(offline_push_transport(cases))
    reports: list[StatusReport] = []
    for case in cases:
        if case.kind != "push" or "reports" not in case.data["expect"]:
            continue
        credentials = registry.credentials(case.vendor, case.data.get("credentials"))
        reports += registry.parse_push(case.vendor, build_push_request(case.data), credentials).reports
    return reports


def test_every_fixture_report_is_stored_as_before() -> None:
    reports = _fixture_reports()
    assert len(reports) > 100
    direct = 0
    for report in reports:
        assert jsontext.report_text(report) == before(report), report.vendor
        direct += jsontext._direct(report) is not None
    # Nearly every real report is encoded as it stands (else this saves nothing).
    assert direct > 0.9 * len(reports)


def plain(**changes: Any) -> StatusReport:
    fields: dict[str, Any] = {
        "vendor": "acme",
        "message_id": "m-1",
        "status": Status.DELIVERED,
        "received_at": datetime(2025, 3, 1, 12, 0, 0, 123456, tzinfo=UTC),
        "channel": Channel.PUSH,
        "raw": {"id": "m-1", "n": [1, 2.5, None, True], "t": ("a", {"b": "é\n\x00"})},
        **changes,
    }
    return StatusReport(**fields)


class Text(str):
    pass


@pytest.mark.parametrize(
    ("report", "direct"),
    [
        (plain(), True),
        (plain(status_at=datetime(2025, 3, 1, 11, 59, 58, tzinfo=UTC)), True),
        # whole milliseconds: format_instant writes .120Z, msgspec would write .120000Z
        (plain(status_at=datetime(2025, 3, 1, 11, 59, 58, 120000, tzinfo=UTC)), True),
        (plain(received_at=datetime(2025, 3, 1, 12, 0, 0, 1000, tzinfo=UTC)), True),
        (plain(received_at=datetime(99, 3, 1, tzinfo=UTC)), True),
        (plain(status_at=datetime(2025, 3, 1, 19, 0, tzinfo=timezone(timedelta(hours=8)))), False),
        (plain(price=Money(Decimal("0.0075"), "EUR")), True),
        (plain(price=Money(Decimal("1E-7"), "EUR")), True),
        (plain(price=Money(Decimal("12E+3"), None)), True),
        (plain(part=Part(2, 3), segments=3, part_ref="r1", reason=Reason.EXPIRED), True),
        (plain(operator=Operator(mcc="424", mnc="02", name=None), country="AE"), True),
        (plain(warnings=(ReportWarning("price", WarningCode.UNREADABLE, "not a number"),)), True),
        (plain(mapping=MappingKind.UNMAPPED, extra={"event_id": "e-1", "synthetic": None}), True),
        (plain(vendor_status=Text("sent")), False),
        (plain(raw={"at": datetime(2025, 1, 1, tzinfo=UTC)}), False),
        (plain(raw={"amount": Decimal("1.5")}), False),
        (plain(raw={"big": 10**30}), True),
        (plain(raw={"status": Status.SENT}), False),
        (plain(raw=MappingProxyType({"id": "m-1"})), False),
    ],
)
def test_unusual_values_are_stored_as_before(report: StatusReport, direct: bool) -> None:
    assert jsontext.report_text(report) == before(report)
    assert (jsontext._direct(report) is not None) is direct


def test_a_subclass_goes_through_to_dict() -> None:
    @attrs.frozen(kw_only=True, slots=False, init=False)
    class Mine(StatusReport):
        pass

    report = Mine(
        vendor="acme",
        message_id="m",
        status=Status.SENT,
        received_at=plain().received_at,
        channel=Channel.PUSH,
        raw={},
    )
    assert jsontext._direct(report) is None
    assert jsontext.report_text(report) == before(report)


def test_a_report_whose_fields_are_out_of_order_goes_through_to_dict() -> None:
    # _direct unpacks the fields by position, and the text follows the dict's
    # order: two fields of the same type swapped in the instance's dict must
    # neither trade values nor trade places in the text.
    report = plain(vendor_status="sent", vendor_code="0")
    fields = report.__dict__
    swapped = {
        ("vendor_code" if k == "vendor_status" else "vendor_status" if k == "vendor_code" else k): None
        for k in fields
    }
    reordered = {k: fields[k] for k in swapped}
    fields.clear()
    fields.update(reordered)
    assert list(fields).index("vendor_code") < list(fields).index("vendor_status")
    assert jsontext._direct(report) is None
    assert jsontext.report_text(report) == before(report)
    assert '"vendor_status":"sent","vendor_code":"0"' in jsontext.report_text(report)


def test_the_unpacked_order_is_the_field_order() -> None:
    assert tuple(f.name for f in attrs.fields(StatusReport)) == jsontext._UNPACKED
    assert jsontext._DIRECT


def test_what_to_dict_refuses_it_still_refuses() -> None:
    naive = plain(status_at=datetime(2025, 3, 1, 12, 0))
    with pytest.raises(ValueError, match="naive"):
        before(naive)
    with pytest.raises(ValueError, match="naive"):
        jsontext.report_text(naive)


json_values = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats(allow_nan=False) | st.text(max_size=8),
    lambda inner: (
        st.lists(inner, max_size=3) | st.tuples(inner) | st.dictionaries(st.text(max_size=4), inner)
    ),
    max_leaves=10,
)
# Whole seconds, whole milliseconds and microseconds, in UTC and elsewhere.
micros = st.sampled_from([0, 1000, 120000, 999000]) | st.integers(0, 999_999)
instants = st.builds(
    lambda at, micro, zone: at.replace(microsecond=micro, tzinfo=UTC).astimezone(zone),
    st.datetimes(min_value=datetime(1, 1, 2), max_value=datetime(9999, 12, 30)),
    micros,
    st.sampled_from([UTC, UTC, timezone(timedelta(hours=5, minutes=30))]),
)
texts = st.none() | st.text(max_size=10)


@settings(max_examples=300, suppress_health_check=[HealthCheck.too_slow])
@given(
    st.builds(
        plain,
        message_id=texts,
        recipient=texts,
        vendor_code=texts,
        status=st.sampled_from(Status),
        reason=st.none() | st.sampled_from(Reason),
        segments=st.none() | st.integers(0, 300),
        part=st.none() | st.builds(Part, st.integers(1, 255), st.integers(1, 255)),
        price=st.none() | st.builds(Money, st.decimals(allow_nan=False, allow_infinity=False), texts),
        submitted_at=st.none() | instants,
        status_at=st.none() | instants,
        received_at=instants,
        extra=st.dictionaries(st.text(max_size=6), json_values, max_size=3),
        raw=st.dictionaries(st.text(max_size=6), json_values, max_size=4),
    )
)
def test_built_reports_are_stored_as_before(report: StatusReport) -> None:
    assert jsontext.report_text(report) == before(report)
