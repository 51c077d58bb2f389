"""Outputs of a run: the JSON report, JUnit XML, a terminal table and progress.

The JSON document follows ``schemas/conformance-report.schema.json``
(``report_format`` 1; consumers ignore keys they do not know). Every message
was redacted by the engine before it gets here.
"""

from __future__ import annotations

import platform
import re
import sys
from collections.abc import Callable
from typing import Any, TextIO
from xml.etree import ElementTree as ET

from .. import __version__
from . import REPORT_FORMAT, SUITE_VERSION
from .engine import FAILING, OUTCOMES, Result, Run, VendorRun

__all__ = ["to_json", "to_junit_xml", "render_table", "Progress", "fixture_format"]

TOOL_NAME = "smsstatus-conformance"


def fixture_format() -> int:
    from ..schemas import load_schema

    value = load_schema("fixture")["properties"]["fixture_format"]["const"]
    return int(value)


def _counts(results: list[Result]) -> dict[str, int]:
    found = dict.fromkeys(OUTCOMES, 0)
    for result in results:
        found[result.outcome] += 1
    return found


def _iso(run: Run) -> str:
    return run.started_at.replace(tzinfo=None).isoformat(timespec="milliseconds") + "Z"


def _result_json(result: Result) -> dict[str, Any]:
    return {
        "id": result.id,
        "check": result.check,
        "subject": result.subject,
        "outcome": result.outcome,
        "duration": round(result.duration, 6),
        "message": result.message,
        "known_failure": result.known_failure,
    }


def _vendor_json(vendor: VendorRun) -> dict[str, Any]:
    plan = vendor.plan
    return {
        "id": plan.vendor,
        "distribution": plan.distribution,
        "version": plan.version,
        "loaded": plan.loaded,
        "load_error": plan.load_error,
        "summary": _counts(vendor.results),
        "checks": [_result_json(r) for r in vendor.results],
    }


def to_json(run: Run) -> dict[str, Any]:
    """The run as one JSON document (the published conformance-report schema)."""
    options = run.options
    return {
        "report_format": REPORT_FORMAT,
        "tool": {"name": TOOL_NAME, "version": __version__, "suite_version": SUITE_VERSION},
        "fixture_format": fixture_format(),
        "python": {"version": platform.python_version(), "implementation": platform.python_implementation()},
        "platform": sys.platform,
        "options": {
            "strict": options.strict,
            "fixtures": str(options.fixtures_dir) if options.fixtures_dir is not None else None,
            "seed": options.seed,
            "max_examples": options.max_examples,
            "time_limit": options.time_limit,
            "checks": sorted(options.checks) if options.checks is not None else None,
        },
        "started_at": _iso(run),
        "duration": round(run.duration, 6),
        "exit_code": run.exit_code,
        "summary": run.counts(),
        "vendors": [_vendor_json(v) for v in run.vendors],
    }


# -- JUnit XML ------------------------------------------------------------------------------------

_XML_BAD = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ud800-\udfff\ufffe\uffff]")


def _xml_text(text: str | None) -> str:
    """Text XML 1.0 can carry (control characters shown as escapes)."""
    return _XML_BAD.sub(lambda m: f"\\u{ord(m.group()):04x}", text or "")


def _first_line(text: str | None) -> str:
    return _xml_text((text or "").strip().split("\n", 1)[0])


def to_junit_xml(run: Run) -> bytes:
    """JUnit XML: one testsuite per vendor, run and plugin facts as testsuite properties."""
    root = ET.Element("testsuites", name=TOOL_NAME)
    totals = dict.fromkeys(("tests", "failures", "errors", "skipped"), 0)
    for vendor in run.vendors:
        plan = vendor.plan
        counts = _counts(vendor.results)
        suite_counts = {
            "tests": len(vendor.results),
            "failures": counts["failed"] + counts["xpassed"],
            "errors": counts["error"],
            "skipped": counts["skipped"] + counts["xfailed"],
        }
        for key, value in suite_counts.items():
            totals[key] += value
        attributes = {
            "name": f"{TOOL_NAME}.{plan.vendor}",
            **{k: str(v) for k, v in suite_counts.items()},
            "time": f"{sum(r.duration for r in vendor.results):.3f}",
            "timestamp": _iso(run),
        }
        suite = ET.SubElement(root, "testsuite", attributes)
        properties = ET.SubElement(suite, "properties")
        facts = {
            "smsstatus_version": __version__,
            "suite_version": SUITE_VERSION,
            "fixture_format": str(fixture_format()),
            "python_version": platform.python_version(),
            "vendor": plan.vendor,
            "distribution": plan.distribution or "",
            "plugin_version": plan.version or "",
            "loaded": "true" if plan.loaded else "false",
            "strict": "true" if run.options.strict else "false",
            "seed": str(run.options.seed),
        }
        for name, fact in facts.items():
            ET.SubElement(properties, "property", name=name, value=_xml_text(fact))
        for result in vendor.results:
            case = ET.SubElement(
                suite,
                "testcase",
                classname=result.vendor,
                name=_xml_text(result.id.split("::", 1)[1]),
                time=f"{result.duration:.3f}",
            )
            outcome = result.outcome
            if outcome in ("failed", "xpassed"):
                node = ET.SubElement(case, "failure", message=_first_line(result.message), type=outcome)
                node.text = _xml_text(result.message)
            elif outcome == "error":
                node = ET.SubElement(case, "error", message=_first_line(result.message), type="error")
                node.text = _xml_text(result.message)
            elif outcome in ("skipped", "xfailed"):
                node = ET.SubElement(case, "skipped", message=_first_line(result.message), type=outcome)
    for key, value in totals.items():
        root.set(key, str(value))
    root.set("time", f"{run.duration:.3f}")
    ET.indent(root)
    body: bytes = ET.tostring(root, encoding="utf-8", xml_declaration=True)
    return body + b"\n"


# -- terminal ----------------------------------------------------------------------------------------

_MARK = {"passed": ".", "failed": "F", "xfailed": "x", "xpassed": "X", "skipped": "s", "error": "E"}


class Progress:
    """A dot line per vendor on a stream (stderr): ``acme ....F.x``."""

    def __init__(self, stream: TextIO) -> None:
        self.stream = stream
        self.vendor: str | None = None

    def __call__(self, result: Result) -> None:
        if result.vendor != self.vendor:
            if self.vendor is not None:
                self.stream.write("\n")
            self.vendor = result.vendor
            self.stream.write(f"{result.vendor} ")
        self.stream.write(_MARK[result.outcome])
        self.stream.flush()

    def close(self) -> None:
        if self.vendor is not None:
            self.stream.write("\n")
            self.stream.flush()


def _summary(counts: dict[str, int]) -> str:
    parts = [f"{counts[o]} {o}" for o in OUTCOMES if counts.get(o)]
    return ", ".join(parts) or "nothing ran"


_CONTROL = re.compile("[\x00-\x08\x0b-\x1f\x7f]")


def _indent(text: str, prefix: str = "      ") -> str:
    """Indented, with control characters (a terminal escape in a plugin's message, say) made visible."""
    text = _CONTROL.sub(lambda m: f"\\x{ord(m.group()):02x}", text)
    return "\n".join(prefix + line for line in text.splitlines())


def render_table(run: Run, *, verbose: bool = False, echo: Callable[[str], None] = print) -> None:
    """A readable summary: per vendor, each check's counts; details of what did not pass."""
    echo(
        f"smsstatus conformance: suite {SUITE_VERSION}, fixture format {fixture_format()},"
        f" smsstatus {__version__}, Python {platform.python_version()}"
    )
    for vendor in run.vendors:
        plan = vendor.plan
        origin = f"{plan.distribution} {plan.version}" if plan.distribution else "(no distribution)"
        state = "" if plan.loaded else "  NOT LOADED"
        echo("")
        echo(f"{plan.vendor}  {origin}{state}")
        names: dict[str, list[Result]] = {}
        for result in vendor.results:
            names.setdefault(result.check, []).append(result)
        width = max((len(n) for n in names), default=5)
        if verbose:
            width = max((len(r.id) - len(plan.vendor) - 2 for r in vendor.results), default=5)
            for result in vendor.results:
                local = result.id.split("::", 1)[1]
                echo(f"  {local.ljust(width)}  {result.outcome:<8} {result.duration:7.3f}s")
        else:
            for name, results in names.items():
                counts = _counts(results)
                text = results[0].outcome if len(results) == 1 else _summary(counts)
                echo(f"  {name.ljust(width)}  {text}")
        shown = ("failed", "xpassed", "error") + (("xfailed", "skipped") if verbose else ())
        for result in vendor.results:
            if result.outcome in shown and result.message:
                echo(f"  {result.outcome.upper()} {result.id}")
                echo(_indent(result.message))
    counts = run.counts()
    failing = sum(counts[o] for o in FAILING)
    verdict = "FAILED" if failing or run.exit_code else "OK"
    echo("")
    echo(f"{verdict}: {len(run.vendors)} vendor(s), {_summary(counts)} in {run.duration:.2f}s")
