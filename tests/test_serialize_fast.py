"""The hand-written report-to-dict path gives exactly what the cattrs converter gives.

The converter (``serialize.converter``) is the reference: every report of every
fixture case of every installed plugin, and hypothesis-built reports, go through
both and must agree in keys, key order, values and value types (``repr`` tells
``1`` from ``1.0`` and ``True``, and shows key order, which ``==`` ignores).
"""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime, timedelta, timezone
from decimal import Decimal
from types import MappingProxyType
from typing import Any

import attrs
import pytest
import smsstatus
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from smsstatus import fixtures, serialize
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
from smsstatus.plugin.testing import CaseFailure, load, load_cases, run_case


def reference(report: StatusReport) -> dict[str, Any]:
    data: dict[str, Any] = serialize.converter.unstructure(report)
    return data


def assert_same(report: StatusReport) -> None:
    fast = serialize.fast_report_dict(report)
    assert fast is not None, f"the fast path gave up on {report!r}"
    want = reference(report)
    assert fast == want
    assert repr(fast) == repr(want)  # key order and value types too
    assert repr(serialize.to_dict(report)) == repr(want)


# -- every fixture report of every installed plugin -----------------------------

REGISTRY = load(environ={})
CASES = [
    case
    for vendor in sorted(REGISTRY.vendors)
    for case in load_cases(REGISTRY.info(vendor))
    if case.kind in ("push", "fetch")
]


@pytest.fixture
def compared_reports(monkeypatch: pytest.MonkeyPatch) -> Iterator[list[StatusReport]]:
    """Every report the fixture runner turns into a dict, checked on the way."""
    seen: list[StatusReport] = []

    def checked(report: StatusReport) -> dict[str, Any]:
        seen.append(report)
        assert_same(report)
        return serialize.to_dict(report)

    monkeypatch.setattr(fixtures, "to_dict", checked)
    yield seen


def test_every_installed_plugin_has_fixture_reports() -> None:
    assert len(REGISTRY.vendors) >= 5
    assert len(CASES) >= 100


@pytest.mark.parametrize("case", CASES, ids=lambda c: f"{c.vendor}:{c.id}")
def test_fixture_reports_match_the_converter(case: Any, compared_reports: list[StatusReport]) -> None:
    try:
        run_case(REGISTRY, case)
    except CaseFailure:
        if not case.xfail:
            raise
    expect = case.data["expect"]
    if expect.get("reports"):
        assert compared_reports, f"{case.id}: no report went through to_dict"


# -- hypothesis-built reports ---------------------------------------------------

json_values = st.recursive(
    st.none()
    | st.booleans()
    | st.integers(min_value=-(10**30), max_value=10**30)
    | st.floats(allow_nan=False)
    | st.text(max_size=12),
    lambda children: (
        st.lists(children, max_size=3)
        | st.tuples(children, children)
        | st.dictionaries(st.text(max_size=6), children, max_size=3)
    ),
    max_leaves=12,
)
opt_text = st.none() | st.text(max_size=16)
zones = st.sampled_from([UTC, timezone(timedelta(hours=8)), timezone(timedelta(hours=-3, minutes=-30))])
instants = st.datetimes(min_value=datetime(1990, 1, 1), max_value=datetime(2100, 1, 1), timezones=zones)
opt_instants = st.none() | instants
amounts = st.decimals(allow_nan=False, allow_infinity=False, places=None) | st.sampled_from(
    [Decimal("1E-7"), Decimal("0.05670"), Decimal("-0"), Decimal("12E+3")]
)
warnings = st.builds(
    ReportWarning, field=st.text(max_size=10), code=st.sampled_from(WarningCode), reason=st.text(max_size=10)
)

reports = st.builds(
    StatusReport,
    vendor=st.text(max_size=10),
    message_id=opt_text,
    batch_id=opt_text,
    recipient=opt_text,
    recipient_raw=opt_text,
    sender=opt_text,
    status=st.sampled_from(Status),
    mapping=st.sampled_from(MappingKind),
    reason=st.none() | st.sampled_from(Reason),
    vendor_status=opt_text,
    vendor_code=opt_text,
    vendor_description=opt_text,
    client_ref=opt_text,
    segments=st.none() | st.integers(min_value=0, max_value=300),
    part=st.none() | st.builds(Part, st.integers(1, 255), st.integers(1, 255)),
    price=st.none() | st.builds(Money, amounts, opt_text),
    country=opt_text,
    operator=st.none() | st.builds(Operator, mcc=opt_text, mnc=opt_text, name=opt_text),
    submitted_at=opt_instants,
    status_at=opt_instants,
    notified_at=opt_instants,
    received_at=instants,
    channel=st.sampled_from(Channel),
    extra=st.dictionaries(st.text(max_size=6), json_values, max_size=3),
    raw=st.dictionaries(st.text(max_size=6), json_values, max_size=5),
    warnings=st.lists(warnings, max_size=3).map(tuple),
    part_ref=opt_text,
)


@settings(max_examples=300, suppress_health_check=[HealthCheck.too_slow])
@given(reports)
def test_built_reports_match_the_converter(report: StatusReport) -> None:
    assert_same(report)


# -- the fast path knows every field, and gives up on what it does not know ------


@pytest.mark.parametrize("cls", [StatusReport, Part, Money, Operator, ReportWarning])
def test_the_fast_path_knows_every_field(cls: type) -> None:
    """Adding a field to the model fails here until ``serialize._fast`` writes it
    and ``FAST_FIELDS`` lists it (meanwhile every report goes through cattrs)."""
    assert serialize.FAST_FIELDS[cls] == tuple(f.name for f in attrs.fields(cls))


def test_the_fast_path_is_on() -> None:
    assert serialize._FAST_PATH_MATCHES
    plain = StatusReport(
        vendor="acme",
        message_id="m-1",
        status=Status.SENT,
        received_at=datetime(2024, 2, 1, tzinfo=UTC),
        channel=Channel.PUSH,
        raw={},
    )
    assert list(serialize.to_dict(plain)) == list(serialize.FAST_FIELDS[StatusReport])
    assert_same(plain)


class _Text(str):
    pass


class _Sub(StatusReport):
    pass


def _odd(**changes: Any) -> StatusReport:
    base: dict[str, Any] = {
        "vendor": "acme",
        "message_id": "m-1",
        "status": Status.SENT,
        "received_at": datetime(2024, 2, 1, tzinfo=UTC),
        "channel": Channel.PUSH,
        "raw": {"a": 1},
    }
    return StatusReport(**{**base, **changes})


@pytest.mark.parametrize(
    "report",
    [
        _odd(sender=_Text("ACME")),
        _odd(raw={"when": datetime(2024, 2, 1, tzinfo=UTC)}),
        _odd(raw={"amount": Decimal("1.5")}),
        _odd(raw={1: "non-text key"}),
        _odd(raw=MappingProxyType({"a": 1})),
        _odd(extra={"status": Status.SENT}),
        _odd(warnings=[ReportWarning("$.x", WarningCode.UNREADABLE, "bad")]),  # type: ignore[arg-type]
        _Sub(
            vendor="acme",
            message_id="m",
            status=Status.SENT,
            received_at=datetime(2024, 2, 1, tzinfo=UTC),
            channel=Channel.PUSH,
            raw={},
        ),
    ],
    ids=[
        "str-subclass",
        "time-in-raw",
        "decimal-in-raw",
        "int-key",
        "mappingproxy",
        "enum-in-extra",
        "list-warnings",
        "subclass",
    ],
)
def test_anything_unexpected_goes_through_the_converter(report: StatusReport) -> None:
    assert serialize.fast_report_dict(report) is None
    assert repr(serialize.to_dict(report)) == repr(reference(report))


def test_a_naive_time_fails_as_it_does_through_the_converter() -> None:
    report = _odd(status_at=datetime(2024, 2, 1))
    assert serialize.fast_report_dict(report) is None
    with pytest.raises(ValueError, match="naive datetime"):
        serialize.to_dict(report)


def test_the_tracker_and_to_json_data_take_the_fast_path(monkeypatch: pytest.MonkeyPatch) -> None:
    calls: list[StatusReport] = []
    real = serialize.fast_report_dict

    def counted(report: StatusReport) -> dict[str, Any] | None:
        calls.append(report)
        return real(report)

    monkeypatch.setattr(serialize, "fast_report_dict", counted)
    report = _odd(warnings=(ReportWarning("$.x", WarningCode.UNREADABLE, "bad"),))
    assert smsstatus.to_json_data(report) == reference(report)
    assert calls == [report]


def test_the_tracker_stores_the_fast_form(monkeypatch: pytest.MonkeyPatch, tmp_path: Any) -> None:
    """The tracker stores each report's text through ``jsontext.report_text``,
    which encodes a plain report without building its dict at all and is held
    to ``dumps(to_dict(report))`` (tests/tracker/test_report_text.py)."""
    from smsstatus.tracker import Tracker, apply_lean, jsontext, open_store

    calls: list[StatusReport] = []
    real = jsontext.report_text

    def counted(report: StatusReport) -> str:
        calls.append(report)
        return real(report)

    # Both apply paths build an event's row with apply_lean.event_row.
    monkeypatch.setattr(apply_lean, "report_text", counted)
    tracker = Tracker(open_store(f"sqlite:///{tmp_path / 't.sqlite3'}"))
    try:
        report = _odd()
        tracker.apply([report])
        with tracker.store.read() as tx:
            stored = tx.all("SELECT report FROM events")
    finally:
        tracker.store.close()
    assert report in calls
    assert stored == [(jsontext.dumps(serialize.to_dict(report)),)]


@given(
    st.datetimes(min_value=datetime(1, 1, 2), max_value=datetime(9999, 12, 30), timezones=zones)
    | instants.map(lambda t: t.replace(microsecond=t.microsecond // 1000 * 1000))
)
def test_instants_are_written_as_format_instant_writes_them(when: datetime) -> None:
    assert serialize._instant(when) == serialize.format_instant(when)
