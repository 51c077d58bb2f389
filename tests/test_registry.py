"""The plugin host: routing, isolation, validation, error scrubbing."""

from __future__ import annotations

import types
import warnings
from typing import Any

import pytest
import smsstatus
from smsstatus import MappingKind, Status, hookimpl
from smsstatus.errors import PayloadError, PluginError, UnknownVendorError, UnsupportedError


def _registry_with(**vendors: object) -> smsstatus.Registry:
    return smsstatus.Registry(vendors=vendors)


def test_only_the_named_vendors_implementation_runs(fake_vendor_cls: Any, push: Any) -> None:
    first, second, third = fake_vendor_cls("first"), fake_vendor_cls("second"), fake_vendor_cls("third")
    registry = _registry_with(first=first, second=second, third=third)
    # pluggy calls the last registered plugin first; routing must not depend on that.
    for target in (first, second, third):
        result = registry.parse_push(target.vendor_id, push({"id": "m1", "status": "ok"}))
        assert [r.vendor for r in result.reports] == [target.vendor_id]
    assert first.calls == ["parse_push", "map_status:ok"]
    assert second.calls == ["parse_push", "map_status:ok"]
    assert third.calls == ["parse_push", "map_status:ok"]
    assert registry.map_status("first", "fail").status is Status.UNDELIVERED
    assert first.calls[-1] == "map_status:fail" and second.calls[-1] != "map_status:fail"


def test_wrappers_see_every_vendor(fake_vendor_cls: Any, counting_wrapper_cls: Any, push: Any) -> None:
    wrapper = counting_wrapper_cls()
    registry = smsstatus.Registry(vendors={"a": fake_vendor_cls("a"), "b": fake_vendor_cls("b")})
    registry.add_wrapper(wrapper, name="counter")
    registry.parse_push("a", push({"id": "1", "status": "ok"}))
    registry.parse_push("b", push({"id": "2", "status": "ok"}))
    registry.map_status("b", "fail")
    assert wrapper.seen == [("parse_push", "a"), ("parse_push", "b"), ("map_status", "b")]


def test_unknown_vendor_names_the_installed_ones(registry: smsstatus.Registry) -> None:
    with pytest.raises(UnknownVendorError) as info:
        registry.map_status("nope", "ok")
    assert info.value.vendor == "nope"
    assert info.value.known == ("acme",)


def test_unrecognised_value_is_unmapped_not_an_error(registry: smsstatus.Registry) -> None:
    mapped = registry.map_status("acme", "brand-new-status")
    assert mapped.status is Status.UNKNOWN
    assert mapped.mapping is MappingKind.UNMAPPED
    assert not mapped.final


def test_plugin_bug_becomes_plugin_error_with_secrets_scrubbed(push: Any) -> None:
    class Buggy:
        @hookimpl
        def vendor_info(self) -> smsstatus.VendorInfo:
            return smsstatus.VendorInfo(
                id="buggy",
                display_name="Buggy",
                capabilities=frozenset({smsstatus.Capability.PUSH}),
                statuses=(),
                credentials=(smsstatus.CredentialSpec("token", "push", "webhook token"),),
            )

        @hookimpl
        def parse_push(self, credentials: smsstatus.Credentials) -> smsstatus.PushResult:
            raise KeyError(f"token {credentials['token'].reveal()} not found")

    registry = _registry_with(buggy=Buggy())
    with pytest.raises(PluginError) as info:
        registry.parse_push("buggy", push({}), credentials={"token": "s3cr3t-value"})
    assert "s3cr3t-value" not in str(info.value)
    assert "KeyError" in info.value.reason


def test_payload_error_message_is_scrubbed_of_secrets(registry: smsstatus.Registry, push: Any) -> None:
    # The fake plugin reports a wrong token; make the error carry the secret to prove scrubbing.
    class Leaky:
        @hookimpl
        def vendor_info(self) -> smsstatus.VendorInfo:
            return smsstatus.VendorInfo(
                id="leaky",
                display_name="Leaky",
                capabilities=frozenset({smsstatus.Capability.PUSH}),
                statuses=(),
                credentials=(smsstatus.CredentialSpec("token", "push", "webhook token"),),
            )

        @hookimpl
        def parse_push(self, vendor: str, credentials: smsstatus.Credentials) -> smsstatus.PushResult:
            raise PayloadError(vendor, "$.token", f"expected {credentials.require('token')}")

    leaky = _registry_with(leaky=Leaky())
    with pytest.raises(PayloadError) as info:
        leaky.parse_push("leaky", push({}), credentials={"token": "hunter2-secret"})
    assert "hunter2-secret" not in str(info.value)
    assert "hunter2-secret" not in info.value.reason
    assert info.value.field == "$.token"


def test_unsupported_operation(push: Any) -> None:
    class PushOnly:
        @hookimpl
        def vendor_info(self) -> smsstatus.VendorInfo:
            return smsstatus.VendorInfo(
                id="pushonly",
                display_name="Push only",
                capabilities=frozenset({smsstatus.Capability.PUSH}),
                statuses=(),
            )

        @hookimpl
        def parse_push(self) -> smsstatus.PushResult:
            return smsstatus.PushResult(reports=())

    registry = _registry_with(pushonly=PushOnly())
    with pytest.raises(UnsupportedError):
        registry.fetch("pushonly", ["1"])
    with pytest.raises(UnsupportedError):
        registry.map_status("pushonly", "x")


# -- registration problems are reported, never fatal -------------------------


def _info(vendor_id: str) -> smsstatus.VendorInfo:
    return smsstatus.VendorInfo(id=vendor_id, display_name=vendor_id, capabilities=frozenset(), statuses=())


def test_misspelled_hook_is_reported(fake_vendor_cls: Any) -> None:
    bad = types.SimpleNamespace(
        vendor_info=hookimpl(lambda: _info("typo")),
        parse_pushh=hookimpl(lambda: None),
    )
    registry = smsstatus.Registry(vendors={"typo": bad, "good": fake_vendor_cls("good")})
    assert list(registry.vendors) == ["good"]
    (failure,) = registry.failures
    assert failure.name == "typo"
    assert "unknown hook 'parse_pushh'" in failure.error


def test_wrong_marker_registers_nothing_and_is_reported() -> None:
    import pluggy

    other = pluggy.HookimplMarker("someotherproject")
    bad = types.SimpleNamespace(vendor_info=other(lambda: _info("marker")))
    registry = smsstatus.Registry(vendors={"marker": bad})
    assert not registry.vendors
    assert "registers no smsstatus hooks" in registry.failures[0].error


def test_hook_argument_with_default_is_reported() -> None:
    def map_status(status: str, code: str | None = None) -> smsstatus.MappedStatus:
        return smsstatus.MappedStatus(Status.UNKNOWN)

    bad = types.SimpleNamespace(vendor_info=hookimpl(lambda: _info("dflt")), map_status=hookimpl(map_status))
    registry = smsstatus.Registry(vendors={"dflt": bad})
    assert "gives defaults to code" in registry.failures[0].error


def test_hook_argument_not_in_spec_is_reported() -> None:
    def map_status(status: str, colour: str) -> smsstatus.MappedStatus:
        return smsstatus.MappedStatus(Status.UNKNOWN)

    bad = types.SimpleNamespace(vendor_info=hookimpl(lambda: _info("extra")), map_status=hookimpl(map_status))
    registry = smsstatus.Registry(vendors={"extra": bad})
    assert registry.failures[0].name == "extra"
    assert "colour" in registry.failures[0].error


def test_duplicate_vendor_id_is_reported(fake_vendor_cls: Any) -> None:
    registry = smsstatus.Registry()
    registry.add_vendor("acme", fake_vendor_cls("acme"), distribution="smsstatus-acme")
    registry.add_vendor("acme", fake_vendor_cls("acme"), distribution="acme-fork")
    assert list(registry.vendors) == ["acme"]
    assert registry.vendors["acme"].distribution == "smsstatus-acme"
    assert "duplicate vendor id" in registry.failures[0].error
    assert "smsstatus-acme" in registry.failures[0].error


def test_info_id_must_match_entry_point_name(fake_vendor_cls: Any) -> None:
    registry = smsstatus.Registry(vendors={"other-name": fake_vendor_cls("acme")})
    assert "differs from the entry point name" in registry.failures[0].error


def test_capability_must_match_hooks() -> None:
    bad = types.SimpleNamespace(
        vendor_info=hookimpl(
            lambda: smsstatus.VendorInfo(
                id="liar",
                display_name="Liar",
                capabilities=frozenset({smsstatus.Capability.FETCH}),
                statuses=(),
            )
        )
    )
    registry = smsstatus.Registry(vendors={"liar": bad})
    assert "capability 'fetch'" in registry.failures[0].error


def test_vendor_info_crash_is_isolated(fake_vendor_cls: Any) -> None:
    def boom() -> smsstatus.VendorInfo:
        raise RuntimeError("boom")

    registry = smsstatus.Registry(
        vendors={"boom": types.SimpleNamespace(vendor_info=hookimpl(boom)), "ok": fake_vendor_cls("ok")}
    )
    assert list(registry.vendors) == ["ok"]
    assert "vendor_info raised RuntimeError" in registry.failures[0].error


def test_load_isolates_a_plugin_that_fails_to_import(
    monkeypatch: pytest.MonkeyPatch, fake_vendor_cls: Any
) -> None:
    from importlib import metadata

    good = fake_vendor_cls("good")

    class EP:
        def __init__(self, name: str, target: Any) -> None:
            self.name, self._target, self.dist = name, target, None

        def load(self) -> Any:
            if isinstance(self._target, Exception):
                raise self._target
            return self._target

    def entry_points(group: str) -> list[EP]:
        if group == "smsstatus.vendors":
            return [EP("broken", ImportError("No module named 'missing_dep'")), EP("good", good)]
        return []

    monkeypatch.setattr(metadata, "entry_points", entry_points)
    registry = smsstatus.load(environ={})
    assert list(registry.vendors) == ["good"]
    assert registry.failures[0].name == "broken"
    assert "missing_dep" in registry.failures[0].error
    only = smsstatus.load(environ={"SMSSTATUS_VENDORS": "broken"})
    assert not only.vendors and only.failures[0].name == "broken"


def test_fetch_key_must_name_a_report_field(fake_vendor_cls: Any) -> None:
    class BadKey(fake_vendor_cls):  # type: ignore[misc,valid-type]
        @hookimpl
        def vendor_info(self) -> smsstatus.VendorInfo:
            import attrs

            return attrs.evolve(super().vendor_info(), fetch_key="msgid")

    registry = smsstatus.Registry(vendors={"acme": BadKey("acme")})
    assert "fetch_key 'msgid'" in registry.failures[0].error


def _push_taking(names: str, seen: list[tuple[Any, ...]]) -> object:
    """A vendor whose parse_push names exactly ``names`` (any order, no client)."""
    namespace: dict[str, Any] = {"seen": seen, "smsstatus": smsstatus}
    exec(  # the hook's signature is what is under test
        f"def parse_push({names}):\n"
        f"    seen.append(({names},))\n"
        "    return smsstatus.PushResult(reports=())\n",
        namespace,
    )

    class Vendor:
        @hookimpl
        def vendor_info(self) -> smsstatus.VendorInfo:
            return smsstatus.VendorInfo(
                id="acme",
                display_name="Acme",
                capabilities=frozenset({smsstatus.Capability.PUSH}),
                statuses=(),
            )

    Vendor.parse_push = staticmethod(hookimpl(namespace["parse_push"]))  # type: ignore[attr-defined]
    return Vendor()


@pytest.mark.parametrize(
    "names", ["vendor, request", "vendor, request, credentials", "credentials, request, vendor", "request"]
)
@pytest.mark.parametrize("wrapped", [False, True])
def test_parse_push_gets_the_arguments_it_names_whatever_the_route(
    names: str, wrapped: bool, counting_wrapper_cls: Any, push: Any
) -> None:
    """Without cross-cutting plugins the host calls the hook itself (a plugin
    taking exactly vendor, request, credentials with no layer at all); with
    one, through pluggy, which must not warn about the client nobody named."""
    seen: list[tuple[Any, ...]] = []
    registry = smsstatus.Registry(vendors={"acme": _push_taking(names, seen)})
    if wrapped:
        registry.add_wrapper(counting_wrapper_cls(), name="counter")
    request = push({"id": "m1", "status": "ok"})
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        registry.parse_push("acme", request)
        registry.parse_push("acme", request)
    creds = registry.credentials("acme", None)
    given = {"vendor": "acme", "request": request, "credentials": creds}
    assert seen == [tuple(given[name.strip()] for name in names.split(","))] * 2
