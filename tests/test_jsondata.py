"""smsstatus.to_json_data / smsstatus.dumps: the one public way to turn what the library returns
into JSON data. Expected values are the documented JSON forms: a report as the canonical schema
says, tracker records with their attribute names as keys, instants as RFC 3339 UTC strings."""

from __future__ import annotations

import ast
import json
from datetime import UTC, datetime
from decimal import Decimal
from pathlib import Path
from typing import Any

import attrs
import jsonschema
import pytest
import smsstatus
from smsstatus.serialize import to_dict
from smsstatus.tracker import (
    EventRecord,
    MessageKey,
    MessageRecord,
    PartRecord,
    PollTarget,
    StatusChange,
    Tracker,
    open_store,
)

ROOT = Path(__file__).resolve().parents[1]
WHEN = datetime(2024, 2, 1, 0, 11, 0, tzinfo=UTC)


def report(status: smsstatus.Status = smsstatus.Status.DELIVERED) -> smsstatus.StatusReport:
    return smsstatus.StatusReport(
        vendor="acme",
        message_id="m-1",
        recipient="+8618888888888",
        status=status,
        vendor_status=status.value.upper(),
        status_at=WHEN,
        received_at=WHEN,
        price=smsstatus.Money(amount=Decimal("0.0567"), currency="CNY"),
        channel=smsstatus.Channel.PUSH,
        raw={"status": status.value.upper()},
    )


@pytest.fixture
def tracker(tmp_path: Path) -> Any:
    tracker = Tracker(open_store(f"sqlite:///{tmp_path / 't.sqlite3'}"))
    yield tracker
    tracker.store.close()


def test_a_report_is_the_schema_form() -> None:
    data = smsstatus.to_json_data(report())
    assert data == to_dict(report())
    schema = json.loads((ROOT / "schemas" / "status-report.schema.json").read_text())
    jsonschema.Draft202012Validator(schema).validate(data)
    assert isinstance(data, dict)
    assert data["status_at"] == "2024-02-01T00:11:00Z" and data["price"] == {
        "amount": "0.0567",
        "currency": "CNY",
    }
    assert data["final"] is True


def test_a_status_change_has_every_field(tracker: Tracker) -> None:
    [change] = tracker.apply([report()]).changes
    data = smsstatus.to_json_data(change)
    assert isinstance(data, dict)
    assert list(data) == [f.name for f in attrs.fields(StatusChange)]
    assert data["key"] == {"vendor": "acme", "message_id": "m-1", "recipient": "+8618888888888"}
    assert data["previous"] is None and data["status"] == "delivered" and data["decision"] == "first"
    assert data["message_status"] == "delivered" and data["message_final"] is True
    assert data["report"] == to_dict(report())
    assert json.loads(json.dumps(data)) == data  # plain JSON values only


def test_a_message_record_has_every_field(tracker: Tracker) -> None:
    tracker.apply([report(smsstatus.Status.SENT), report()])
    [record] = tracker.message("acme", "m-1")
    data = smsstatus.to_json_data(record)
    assert isinstance(data, dict)
    assert list(data) == [f.name for f in attrs.fields(MessageRecord)]
    assert data["status"] == "delivered" and data["final"] is True and data["events"] == 2
    assert [e["status"] for e in data["history"]] == ["sent", "delivered"]
    assert [e["decision"] for e in data["history"]] == ["first", "settle"]
    assert list(data["parts"][0]) == [f.name for f in attrs.fields(PartRecord)]
    assert list(data["history"][0]) == [f.name for f in attrs.fields(EventRecord)]
    assert data["history"][1]["report"]["status"] == "delivered"
    assert data["created_at"].endswith("Z") and data["poll_target"] is None
    assert json.loads(smsstatus.dumps(record)) == data


def test_json_dumps_default_and_sequences() -> None:
    text = json.dumps({"reports": [report()]}, default=smsstatus.to_json_data)
    assert json.loads(text)["reports"][0]["status"] == "delivered"
    assert smsstatus.to_json_data((report(),)) == [to_dict(report())]
    assert smsstatus.to_json_data(MessageKey("acme", "m-1", "")) == {
        "vendor": "acme",
        "message_id": "m-1",
        "recipient": "",
    }


def test_anything_else_is_a_type_error_as_json_dumps_would_raise() -> None:
    with pytest.raises(TypeError, match="datetime is not JSON-serialisable by smsstatus"):
        smsstatus.to_json_data(WHEN)
    with pytest.raises(TypeError):
        json.dumps({"when": WHEN}, default=smsstatus.to_json_data)


@pytest.mark.parametrize(
    "cls",
    [StatusChange, MessageRecord, PartRecord, EventRecord, PollTarget, MessageKey],
    ids=lambda c: c.__name__,
)
def test_every_field_is_documented(cls: type) -> None:
    """Each attribute of the records applications read carries a docstring (the API reference shows it)."""
    module = (
        ROOT / "core" / "src" / "smsstatus" / "tracker" / ("keys.py" if cls is MessageKey else "records.py")
    )
    tree = ast.parse(module.read_text())
    [node] = [n for n in tree.body if isinstance(n, ast.ClassDef) and n.name == cls.__name__]
    documented = set()
    for statement, following in zip(node.body, node.body[1:], strict=False):
        if (
            isinstance(statement, ast.AnnAssign)
            and isinstance(statement.target, ast.Name)
            and isinstance(following, ast.Expr)
            and isinstance(following.value, ast.Constant)
            and isinstance(following.value.value, str)
        ):
            documented.add(statement.target.id)
    missing = {f.name for f in attrs.fields(cls)} - documented
    assert not missing, f"{cls.__name__}: undocumented fields {sorted(missing)}"
