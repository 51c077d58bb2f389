"""The store's JSON text: msgspec's encoder (when installed) and the standard
library's give the same text for every canonical report the fixtures yield,
and values msgspec refuses still encode."""

from __future__ import annotations

import json
from typing import Any

import pytest
import smsstatus
from smsstatus.fixtures import build_push_request, load_cases, offline_push_transport
from smsstatus.serialize import to_dict
from smsstatus.tracker import jsontext

_standard = json.JSONEncoder(ensure_ascii=False, separators=(",", ":")).encode


def _fixture_reports() -> list[dict[str, Any]]:
    registry = smsstatus.load()
    cases = [c for v in registry.vendors.values() for c in load_cases(v.info)]
    registry.use_push_transport(offline_push_transport(cases))
    reports = []
    for case in cases:
        if case.kind != "push" or "reports" not in case.data["expect"]:
            continue
        credentials = registry.credentials(case.vendor, case.data.get("credentials"))
        result = registry.parse_push(case.vendor, build_push_request(case.data), credentials)
        reports += [to_dict(r) for r in result.reports]
    return reports


def test_report_text_is_the_standard_librarys() -> None:
    reports = _fixture_reports()
    assert len(reports) > 50
    for data in reports:
        assert jsontext.dumps(data) == _standard(data)


def test_values_msgspec_refuses_still_encode() -> None:
    odd = {"key": {1: "int key"}, "nested": [None, True, 1.5, "é"]}
    assert json.loads(jsontext.dumps(odd)) == json.loads(_standard(odd))


def test_uses_msgspec_when_installed() -> None:
    try:
        import msgspec  # noqa: F401
    except ImportError:
        pytest.skip("msgspec is not installed (smsstatus[fast]): the standard library encodes")
    assert jsontext.encoder_name == "msgspec"
