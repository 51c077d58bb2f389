"""What a vendor plugin's own tests use besides :mod:`smsstatus.plugin`.

A plugin's tests load the plugin into a host and run its fixture cases::

    from smsstatus.plugin.testing import Case, Registry, load_cases, run_case

    import smsstatus_acme

    REGISTRY = Registry(vendors={"acme": smsstatus_acme})


    @pytest.mark.parametrize("case", load_cases(REGISTRY.info("acme")), ids=lambda c: c.id)
    def test_fixture(case: Case) -> None:
        run_case(REGISTRY, case)

Part of the plugin API and versioned with it. Unlike :mod:`smsstatus.plugin`
it is never imported when a plugin loads, so it may cost more (the fixture
runner validates with jsonschema and compares through the serializer).
"""

from __future__ import annotations

from ..errors import PluginError, UnknownVendorError, UnsupportedError
from ..fixtures import Case, CaseFailure, FixtureError, load_cases, run_case
from ..hotpath import FastPathMismatch, fast_path_mode
from ..registry import LoadedVendor, PluginFailure, Registry, load
from ..replay import Exchange, ReplayTransport

__all__ = [
    # the host, to load the plugin into (directly, or through its entry point)
    "LoadedVendor",
    "PluginFailure",
    "Registry",
    "load",
    # errors the host raises around a plugin's calls
    "PluginError",
    "UnknownVendorError",
    "UnsupportedError",
    # the fixture runner
    "Case",
    "CaseFailure",
    "FixtureError",
    "load_cases",
    "run_case",
    # offline replay of recorded HTTP exchanges (fetch, drain, and pushes that make requests)
    "Exchange",
    "ReplayTransport",
    # lean push paths checked against the detailed ones (API 1.3)
    "FastPathMismatch",
    "fast_path_mode",
]
