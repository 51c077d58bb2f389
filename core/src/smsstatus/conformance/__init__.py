"""The smsstatus conformance kit: one engine, two doors.

``smsstatus conformance [VENDOR...]`` (see :mod:`smsstatus.conformance.cli`)
and the pytest plugin (``pytest --smsstatus-conformance[=VENDORS]``, see
:mod:`smsstatus.conformance.pytest_plugin`) plan the same checks with
:mod:`smsstatus.conformance.engine` and run them under the same stable ids,
``<vendor>::<check>[::<subject>]``. ``docs/conformance.md`` lists the checks.

This module is imported by pytest for every run in an environment where
smsstatus is installed (through the ``pytest11`` entry point), so it imports
nothing: the engine, hypothesis and jsonschema load only when a run asks.
"""

from __future__ import annotations

__all__ = ["SUITE_VERSION", "REPORT_FORMAT", "MANIFEST_NAME"]

#: Version of the check suite. New mandatory checks only in minor versions;
#: a check's id never changes meaning within a major version.
SUITE_VERSION = "1.1"
#: Version of the JSON report (``schemas/conformance-report.schema.json``).
REPORT_FORMAT = 1
#: The plugin-level known-failure manifest, in the plugin's fixtures directory.
MANIFEST_NAME = "conformance.toml"
