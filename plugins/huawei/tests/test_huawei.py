"""Tests of the huawei plugin: every fixture case, plus the tricky parts."""

from __future__ import annotations

import pytest
import smsstatus
import smsstatus_huawei
from smsstatus.fixtures import load_cases, run_case

REGISTRY = smsstatus.Registry(vendors={"huawei": smsstatus_huawei})
CASES = load_cases(REGISTRY.info("huawei"))


@pytest.mark.parametrize("case", CASES, ids=lambda c: c.id)
def test_fixture(case):  # type: ignore[no-untyped-def]
    run_case(REGISTRY, case)
