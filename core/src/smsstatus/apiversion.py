"""The plugin API version: which :mod:`smsstatus.plugin` a plugin was written for.

The plugin API (everything :mod:`smsstatus.plugin` exports, plus the hooks and
what the host does with their answers) is versioned ``MAJOR.MINOR``:

* MINOR grows when the API gains something (a new export, a new optional
  ``VendorInfo`` field, a new optional hook argument). A plugin written for
  1.2 may use 1.2's additions, so it needs a host providing 1.2 or later.
* MAJOR grows when something a plugin may rely on changes or goes away. A
  plugin written for another major may break in any call.

A plugin declares the version it was written for as a string literal in its
module, ``SMSSTATUS_PLUGIN_API = "1.0"``. The host reads it before it
registers the plugin's hooks, so a mismatch is reported as such instead of as
whatever the first incompatible call would raise. A plugin without the
declaration predates it and was written for 1.0, the first versioned API.

This module imports nothing: the registry calls it for every plugin it loads.
"""

from __future__ import annotations

import re

__all__ = [
    "DECLARATION",
    "PLUGIN_API_VERSION",
    "UNDECLARED_VERSION",
    "declared_version",
    "incompatibility",
]

#: The plugin API this smsstatus provides.
PLUGIN_API_VERSION = "1.6"
#: The module attribute in which a plugin declares the API it was written for.
DECLARATION = "SMSSTATUS_PLUGIN_API"
#: The version assumed for a plugin that declares none (it predates the declaration).
UNDECLARED_VERSION = "1.0"

_VERSION = re.compile(r"(0|[1-9][0-9]{0,3})\.(0|[1-9][0-9]{0,3})")


def _parse(version: str) -> tuple[int, int]:
    match = _VERSION.fullmatch(version)
    if match is None:
        raise ValueError(version)
    return int(match.group(1)), int(match.group(2))


def declared_version(plugin: object) -> object:
    """What ``plugin`` declares in :data:`DECLARATION` (``None``: nothing)."""
    return getattr(plugin, DECLARATION, None)


def incompatibility(declared: object, provided: str = PLUGIN_API_VERSION) -> str | None:
    """Why a plugin declaring ``declared`` cannot run on a host providing
    ``provided``, or ``None`` when it can (same major, minor not newer).
    ``None`` declared means the plugin predates the declaration."""
    if declared is None:
        declared = UNDECLARED_VERSION
    if not isinstance(declared, str) or _VERSION.fullmatch(declared) is None:
        shown = repr(declared)[:40]
        return (
            f"declares plugin API {shown} in {DECLARATION}; expected a string 'MAJOR.MINOR'"
            f" such as {PLUGIN_API_VERSION!r}"
        )
    major, minor = _parse(declared)
    host_major, host_minor = _parse(provided)
    if major == host_major and minor <= host_minor:
        return None
    newer = (major, minor) > (host_major, host_minor)
    remedy = "upgrade smsstatus" if newer else "upgrade the plugin (or use an older smsstatus)"
    return (
        f"built for plugin API {declared}, but this smsstatus provides plugin API {provided}"
        f" (a plugin needs the same major version and a minor version no newer): {remedy}"
    )
