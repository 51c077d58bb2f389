"""Finding the installed plugins' entry points, cheaply where that is exact.

:func:`smsstatus.load` needs one group's entry points and each one's
distribution name and version. On Python 3.11, ``import importlib.metadata``
alone imports the email package (it parses ``METADATA`` with it), zipfile,
csv and more: about 18 ms of start-up, then ``entry_points()`` builds a
distribution object for every installed distribution and the name and version
are parsed with email (about 10 ms more, with 130 distributions installed).

For the usual layout this module does what importlib.metadata does, in the
same order, without importing it: only the standard path finder declares
distributions; each ``sys.path`` entry is a directory (or missing) holding
``*.dist-info`` / ``*.egg-info`` entries; the first distribution of each
normalised name wins; ``entry_points.txt`` is read as importlib.metadata's
``Sectioned`` reads it; ``Name`` and ``Version`` are the first such headers of
``METADATA`` when its header block has only one-line ``Name: value`` fields.
Anything else (importlib.metadata already imported, another finder, a zip or
egg on ``sys.path``, a directory name or entry line importlib.metadata would
read differently, a header it would unfold, any unexpected error) goes to
importlib.metadata itself, so the result never differs from it: the rules
below are CPython 3.11's (``Lib/importlib/metadata/__init__.py``, ``Lookup``,
``PathDistribution._normalized_name``, ``Sectioned``, ``EntryPoint``; and
``email.feedparser``), and ``tests/test_discovery.py`` compares both on the
installed environment and on hand-made layouts. Python 3.12 defers the email
import itself, so the shortcut is taken on 3.11 only.
"""

from __future__ import annotations

import contextlib
import functools
import os
import re
import sys
from collections.abc import Callable, Sequence
from importlib import import_module
from importlib.machinery import PathFinder
from typing import TYPE_CHECKING, NamedTuple

if TYPE_CHECKING:
    from importlib import metadata

__all__ = ["PluginEntry", "entries"]


class PluginEntry(NamedTuple):
    """One entry point of a group, as :func:`smsstatus.load` uses it."""

    name: str
    #: ``EntryPoint.value`` ("module:attr").
    value: str | None
    #: Imports the entry point's object (``EntryPoint.load``).
    load: Callable[[], object]
    #: The distribution's ``Name`` and ``Version`` metadata (``None`` when
    #: the entry point has no distribution).
    distribution: Callable[[], tuple[str | None, str | None]]


def entries(group: str) -> list[PluginEntry]:
    """The entry points of ``group``, in ``importlib.metadata.entry_points(group=...)``'s order."""
    # Once importlib.metadata is imported, using it costs nothing more (and a
    # test that patches its entry_points sees its patch used).
    if sys.version_info < (3, 12) and "importlib.metadata" not in sys.modules:
        # Anything unusual (or any error) is importlib.metadata's to answer, or to raise.
        with contextlib.suppress(Exception):
            return _scan(group, sys.path)
    return _from_metadata(group)


def _from_metadata(group: str) -> list[PluginEntry]:
    from importlib import metadata

    return [
        # getattr: a stand-in entry point (a test's) may have no value.
        PluginEntry(ep.name, getattr(ep, "value", None), ep.load, functools.partial(_dist_of, ep))
        for ep in metadata.entry_points(group=group)
    ]


def _dist_of(ep: metadata.EntryPoint) -> tuple[str | None, str | None]:
    dist = getattr(ep, "dist", None)
    if dist is None:
        return None, None
    return dist.metadata["Name"], dist.version


class _Unusual(Exception):
    """A layout importlib.metadata reads in a way this module does not copy."""


# EntryPoint.pattern: a value EntryPoint.load can split.
_VALUE = re.compile(r"(?P<module>[\w.]+)\s*(:\s*(?P<attr>[\w.]+)\s*)?((?P<extras>\[.*\])\s*)?$")
_SUFFIXES = (".dist-info", ".egg-info")
# What PathDistribution.read_text turns into "no such file".
_MISSING = (FileNotFoundError, IsADirectoryError, KeyError, NotADirectoryError, PermissionError)
# A header line email's feed parser splits at its first colon, with no
# envelope ("From ") or continuation to handle.
_HEADER = re.compile(r"[\041-\071\073-\176]+:")


def _normalize(name: str) -> str:
    """``Prepared.normalize``: PEP 503 plus dashes as underscores."""
    return re.sub(r"[-_.]+", "-", name).lower().replace("-", "_")


def _scan(group: str, paths: Sequence[object]) -> list[PluginEntry]:
    for finder in sys.meta_path:
        if finder is not PathFinder and getattr(finder, "find_distributions", None):
            raise _Unusual("another finder declares distributions")
    found: list[PluginEntry] = []
    seen: set[str] = set()
    for root in paths:
        if not isinstance(root, str):
            raise _Unusual("a sys.path entry that is not a str")
        for child in _info_children(root):
            key = _name_from_stem(child)
            if key in seen:
                continue
            seen.add(key)
            found.extend(_group_entries(os.path.join(root, child), group))
    return found


def _info_children(root: str) -> list[str]:
    """The ``*.dist-info`` / ``*.egg-info`` children of ``root`` in the order
    importlib.metadata's ``Lookup.search`` yields them."""
    try:
        children = os.listdir(root or ".")
    except Exception:  # noqa: BLE001 -- FastPath.children suppresses every error too
        if os.path.isfile(root):
            raise _Unusual("a file on sys.path (importlib.metadata reads zip files)") from None
        return []
    base_is_egg = os.path.basename(root).lower().endswith(".egg")
    infos: dict[str, list[str]] = {}
    for child in children:
        low = child.lower()
        if low.endswith(_SUFFIXES):
            infos.setdefault(_normalize(low.rpartition(".")[0].partition("-")[0]), []).append(child)
        elif base_is_egg and low == "egg-info":
            raise _Unusual("an egg directory on sys.path")
    return [child for group in infos.values() for child in group]


def _name_from_stem(child: str) -> str:
    """``PathDistribution._normalized_name`` where it comes from the directory name."""
    filename, ext = os.path.splitext(child)
    if ext not in _SUFFIXES:  # e.g. "X.DIST-INFO": importlib.metadata reads the Name header
        raise _Unusual("a metadata directory name importlib.metadata reads differently")
    name = _normalize(filename.partition("-")[0])
    if not name:
        raise _Unusual("a metadata directory without a name")
    return name


def _group_entries(info: str, group: str) -> list[PluginEntry]:
    """``Distribution.entry_points`` of ``info`` selected by ``group``."""
    text = _read_text(info, "entry_points.txt") or ""
    section: str | None = None
    found: list[PluginEntry] = []
    for line in map(str.strip, text.splitlines()):
        if not line or line.startswith("#"):
            continue
        if line.startswith("[") and line.endswith("]"):
            section = line.strip("[]")
            continue
        if section is None:
            continue
        name, equals, value = line.partition("=")
        if not equals:  # Pair.parse raises on it: importlib.metadata's error to give
            raise _Unusual("an entry line without '='")
        if section != group:
            continue
        value = value.strip()
        if _VALUE.match(value) is None:  # EntryPoint.load fails its own way on it
            raise _Unusual("an entry point value EntryPoint.load cannot split")
        found.append(
            PluginEntry(
                name.strip(),
                value,
                functools.partial(_load, value),
                functools.partial(_name_and_version, info),
            )
        )
    return found


def _read_text(info: str, filename: str) -> str | None:
    """``PathDistribution.read_text``: ``None`` when the file is not there."""
    try:
        with open(os.path.join(info, filename), encoding="utf-8") as file:
            return file.read()
    except _MISSING:
        return None


def _load(value: str) -> object:
    """``EntryPoint.load``."""
    match = _VALUE.match(value)
    assert match is not None  # checked when the entry was read
    module = import_module(match.group("module"))
    attrs = filter(None, (match.group("attr") or "").split("."))
    return functools.reduce(getattr, attrs, module)


def _name_and_version(info: str) -> tuple[str | None, str | None]:
    """``dist.metadata["Name"], dist.version`` of the distribution at ``info``."""
    try:
        headers = _simple_headers(_read_text(info, "METADATA") or "")
        return headers["name"], headers["version"]
    except Exception:  # noqa: BLE001 -- importlib.metadata's to answer (or raise)
        from importlib import metadata
        from pathlib import Path

        dist = metadata.PathDistribution(Path(info))
        return dist.metadata["Name"], dist.version


def _simple_headers(text: str) -> dict[str, str]:
    """The first value of each header (lower-cased names), as email's
    compat32 parser reads a header block of one-line fields; ``_Unusual``
    for any other block (no block, folded lines, an envelope line, a line
    that would end the headers early)."""
    headers: dict[str, str] = {}
    for line in text.split("\n"):
        if not line:
            break
        match = _HEADER.match(line)
        if match is None:
            raise _Unusual("a header line email's parser reads differently")
        headers.setdefault(match.group()[:-1].lower(), line[match.end() :].lstrip(" \t"))
    if "name" not in headers or "version" not in headers:
        raise _Unusual("no Name or Version header")
    return headers
