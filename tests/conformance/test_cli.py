"""``smsstatus conformance`` through a real subprocess: exit codes, JSON, JUnit, table."""

from __future__ import annotations

import json
from importlib import metadata
from pathlib import Path
from typing import Any
from xml.etree import ElementTree as ET

import pytest
from harness import CFK, Site, fixture_file, smsstatus
from smsstatus.registry import VENDOR_GROUP
from smsstatus.schemas import errors_of, validator


def _checks(document: dict[str, Any]) -> dict[str, dict[str, Any]]:
    return {c["id"]: c for v in document["vendors"] for c in v["checks"]}


def _junit(path: Path) -> dict[str, ET.Element]:
    root = ET.parse(path).getroot()
    assert root.tag == "testsuites"
    return {f"{c.get('classname')}::{c.get('name')}": c for c in root.iter("testcase")}


def _assert_report(document: dict[str, Any], junit: Path) -> None:
    assert errors_of(validator("conformance-report"), document) == []
    cases = _junit(junit)
    checks = _checks(document)
    assert set(cases) == set(checks)
    for check_id, check in checks.items():
        failed = cases[check_id].find("failure") is not None or cases[check_id].find("error") is not None
        assert failed == (check["outcome"] in ("failed", "xpassed", "error")), check_id


# -- the bundled plugins ----------------------------------------------------------------------------


def test_every_installed_vendor_plugin_passes(tmp_path: Path) -> None:
    """Runs over whatever vendor plugins are installed in this environment."""
    installed = sorted({ep.name for ep in metadata.entry_points(group=VENDOR_GROUP)})
    if not installed:
        pytest.skip("no vendor plugins installed")
    junit = tmp_path / "conformance.xml"
    result = smsstatus("conformance", "--format", "json", "--junit-xml", junit)
    document = json.loads(result.stdout)
    failing = {
        c["id"]: (c["outcome"], (c["message"] or "")[:300])
        for v in document["vendors"]
        for c in v["checks"]
        if c["outcome"] in ("failed", "xpassed", "error")
    }
    assert failing == {}
    assert result.returncode == 0, result.stderr
    assert [v["id"] for v in document["vendors"]] == installed
    assert all(v["loaded"] and v["distribution"] for v in document["vendors"])
    _assert_report(document, junit)
    suites = ET.parse(junit).getroot().findall("testsuite")
    assert [s.get("name") for s in suites] == [f"smsstatus-conformance.{v}" for v in installed]


# -- a conforming plugin ------------------------------------------------------------------------------


def test_a_conforming_plugin_passes_with_json_and_junit_output(site: Site, tmp_path: Path) -> None:
    site.add("cfkgood")
    junit = tmp_path / "out" / "junit.xml"
    result = smsstatus("conformance", "cfkgood", "--format", "json", "--junit-xml", junit, env=site.env())
    assert result.returncode == 0, result.stdout + result.stderr
    assert result.stderr == ""
    document = json.loads(result.stdout)
    assert document["exit_code"] == 0
    assert document["tool"] == {"name": "smsstatus-conformance", "version": "0.1.0", "suite_version": "1.1"}
    assert document["fixture_format"] == 1
    (vendor,) = document["vendors"]
    assert (vendor["id"], vendor["distribution"], vendor["version"]) == (
        "cfkgood",
        "smsstatus-cfkgood",
        "0.1.0",
    )
    checks = _checks(document)
    assert checks["cfkgood::case::push::delivered"]["outcome"] == "passed"
    assert checks["cfkgood::robustness::push"]["outcome"] == "passed"
    _assert_report(document, junit)
    properties = {p.get("name"): p.get("value") for p in ET.parse(junit).getroot().iter("property")}
    assert properties["distribution"] == "smsstatus-cfkgood"
    assert properties["plugin_version"] == "0.1.0"
    assert properties["python_version"] == document["python"]["version"]


# -- broken plugins: exit 1, naming the failing check ---------------------------------------------------

_CASE = json.loads((CFK / "fixtures" / "push.json").read_text())["cases"][0]
_OFF_SCHEMA = {**_CASE, "id": "id-is-an-object"}
_OFF_SCHEMA["request"] = {**_CASE["request"], "body": {"json": {"id": {}, "status": "SENT"}}}

BROKEN: dict[str, tuple[tuple[str, ...], dict[str, str], list[str]]] = {
    # vendor: (flaws, extra fixture files, checks that must fail)
    "cfkbadmap": (("bad_map",), {}, ["cfkbadmap::status-map"]),
    "cfkcrash": (("crash",), {}, ["cfkcrash::robustness::push"]),
    "cfkleak": (("leak",), {}, ["cfkleak::secrets"]),
    "cfkoffschema": (
        (),
        {
            "extra.json": fixture_file("cfkoffschema", [_OFF_SCHEMA]),
            "broken.json": '{"fixture_format": 1, "vendor": "cfkoffschema", "cases": "none"}',
        },
        ["cfkoffschema::case::extra::id-is-an-object", "cfkoffschema::fixture-file::broken.json"],
    ),
}


@pytest.fixture(scope="module")
def broken(module_site: Site, tmp_path_factory: pytest.TempPathFactory) -> tuple[Any, dict[str, ET.Element]]:
    """One run over every broken plugin: the table on stdout, progress on stderr, JUnit to a file."""
    for vendor, (flaws, files, _) in BROKEN.items():
        module_site.add(vendor, flaws=flaws, fixtures=files)
    junit = tmp_path_factory.mktemp("junit") / "junit.xml"
    result = smsstatus("conformance", *BROKEN, "--progress", "--junit-xml", junit, env=module_site.env())
    return result, _junit(junit)


def test_broken_plugins_fail_the_run_with_exit_1(broken: tuple[Any, dict[str, ET.Element]]) -> None:
    result, _ = broken
    assert result.returncode == 1
    assert "FAILED: 4 vendor(s)" in result.stdout
    assert "'DELIVERED': status 'sent' != declared 'delivered'" in result.stdout
    progress = result.stderr.splitlines()
    assert [line.split()[0] for line in progress] == list(BROKEN)
    assert all(set(line.split()[1]) <= set(".Fs") and "F" in line for line in progress)


@pytest.mark.parametrize("vendor", BROKEN)
def test_each_broken_plugin_fails_exactly_the_checks_that_cover_its_flaw(
    broken: tuple[Any, dict[str, ET.Element]], vendor: str
) -> None:
    result, cases = broken
    failing = sorted(
        k for k, c in cases.items() if k.startswith(f"{vendor}::") and c.find("failure") is not None
    )
    expected = BROKEN[vendor][2]
    if vendor == "cfkbadmap":  # the wrong mapping also breaks the fixtures that expect DELIVERED
        expected = [*expected, "cfkbadmap::case::map::map-delivered", "cfkbadmap::case::map::map-lowercase"]
        expected += ["cfkbadmap::case::push::delivered"]
    assert failing == sorted(expected)
    for check_id in expected:
        assert f"FAILED {check_id}" in result.stdout  # the table names it


# -- exit 4 and exit 2 ---------------------------------------------------------------------------------------


def test_a_plugin_that_cannot_load_exits_4(site: Site) -> None:
    site.add_import_error("cfkimport")
    site.add_raw("cfkmisspelled", "MisspelledHook()")
    site.add("cfkgood")
    result = smsstatus(
        "conformance", "cfkimport", "cfkmisspelled", "cfkgood", "--format", "json", env=site.env()
    )
    assert result.returncode == 4
    document = json.loads(result.stdout)
    vendors = {v["id"]: v for v in document["vendors"]}
    assert not vendors["cfkimport"]["loaded"]
    assert [c["id"] for c in vendors["cfkimport"]["checks"]] == ["cfkimport::load"]
    assert "import failed: RuntimeError: broken at import" in vendors["cfkimport"]["checks"][0]["message"]
    assert "unknown hook 'map_stauts'" in vendors["cfkmisspelled"]["load_error"]
    assert vendors["cfkmisspelled"]["checks"][0]["outcome"] == "failed"
    assert vendors["cfkgood"]["loaded"]  # the others still run
    assert vendors["cfkgood"]["summary"]["failed"] == 0


@pytest.mark.parametrize(
    ("args", "says"),
    [
        (["conformance", "no-such-vendor"], "unknown vendor 'no-such-vendor'"),
        (["conformance", "cfkgood", "--check", "nonsense"], "unknown check 'nonsense'"),
        (["conformance", "--format", "xml"], "Invalid value for '--format'"),
        (["conformance", "--fixtures", "FIXTURES"], "name vendors that are not installed: elsewhere"),
        (["new-plugin", "Bad Name"], "is not a usable vendor id"),
    ],
)
def test_usage_errors_exit_2(site: Site, tmp_path: Path, args: list[str], says: str) -> None:
    site.add("cfkgood")
    fixtures = tmp_path / "captured"
    fixtures.mkdir()
    (fixtures / "x.json").write_text(fixture_file("elsewhere", [_CASE]))
    result = smsstatus(*[str(fixtures) if a == "FIXTURES" else a for a in args], env=site.env(), cwd=tmp_path)
    assert result.returncode == 2
    assert says in result.stderr


def test_list_and_application_fixtures(site: Site, tmp_path: Path) -> None:
    site.add("cfkgood")
    listed = smsstatus("conformance", "cfkgood", "--list", env=site.env())
    assert listed.returncode == 0
    ids = listed.stdout.split()
    assert ids[0] == "cfkgood::load"
    assert {"cfkgood::case::push::delivered", "cfkgood::robustness::map", "cfkgood::secrets"} <= set(ids)
    captured = tmp_path / "captured"
    captured.mkdir()
    wrong = {**_CASE, "id": "seen-in-production"}
    wrong["expect"] = {**_CASE["expect"], "reply": {**_CASE["expect"]["reply"], "status_code": 202}}
    (captured / "prod.json").write_text(fixture_file("cfkgood", [_CASE, wrong]))
    result = smsstatus("conformance", "--fixtures", captured, "--format", "json", env=site.env())
    assert result.returncode == 1
    checks = _checks(json.loads(result.stdout))
    assert {k: v["outcome"] for k, v in checks.items()} == {
        "cfkgood::load": "passed",
        "cfkgood::fixture-file::prod.json": "passed",
        "cfkgood::case::prod::delivered": "passed",
        "cfkgood::case::prod::seen-in-production": "failed",
        "cfkgood::secrets": "passed",
    }
    assert "reply status 200 != 202" in checks["cfkgood::case::prod::seen-in-production"]["message"]
