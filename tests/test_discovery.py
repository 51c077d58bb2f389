"""smsstatus.discovery finds what importlib.metadata finds, or hands over to it.

Each case lays distributions out on a throw-away ``sys.path`` and compares the
shortcut's answer (entry point names, values, order, distribution names and
versions) with ``importlib.metadata.entry_points(group=...)`` on the same path;
the layouts the shortcut does not copy must be handed over, never guessed.
"""

from __future__ import annotations

import sys
import zipfile
from collections.abc import Callable
from importlib import metadata
from pathlib import Path

import pytest
from smsstatus import discovery
from smsstatus.registry import VENDOR_GROUP, WRAPPER_GROUP

GROUP = "smsstatus.vendors"

pytestmark = pytest.mark.skipif(sys.version_info >= (3, 12), reason="the shortcut is taken on 3.11 only")

Seen = list[tuple[str, str, str | None, str | None]]


def by_metadata(group: str, paths: list[str], monkeypatch: pytest.MonkeyPatch) -> Seen:
    with monkeypatch.context() as patch:
        patch.setattr(sys, "path", paths)
        found = [(ep.name, ep.value, ep.dist) for ep in metadata.entry_points(group=group)]
    return [(n, v, d.metadata["Name"], d.version) if d else (n, v, None, None) for n, v, d in found]


def by_scan(group: str, paths: list[str]) -> Seen:
    return [(e.name, e.value, *e.distribution()) for e in discovery._scan(group, paths)]


def dist(
    root: Path,
    directory: str,
    *,
    entry_points: str | None = None,
    metadata_text: str | None = "Metadata-Version: 2.1\nName: {name}\nVersion: {version}\n",
) -> Path:
    info = root / directory
    info.mkdir(parents=True)
    stem = directory.rsplit(".", 1)[0]
    name, _, version = stem.partition("-")
    if metadata_text is not None:
        (info / "METADATA").write_text(metadata_text.format(name=name, version=version or "0"))
    if entry_points is not None:
        (info / "entry_points.txt").write_text(entry_points)
    return info


def test_the_installed_environment_reads_the_same(monkeypatch: pytest.MonkeyPatch) -> None:
    for group in (VENDOR_GROUP, WRAPPER_GROUP):
        assert by_scan(group, sys.path) == by_metadata(group, sys.path, monkeypatch)
    assert len(by_scan(VENDOR_GROUP, sys.path)) >= 17  # the bundled plugins at least


def test_an_entry_loads_what_the_entry_point_loads() -> None:
    (ep,) = [e for e in metadata.entry_points(group=VENDOR_GROUP) if e.name == "d7"]
    (entry,) = [e for e in discovery._scan(VENDOR_GROUP, sys.path) if e.name == "d7"]
    assert entry.load() is ep.load()


def test_shadowing_normalising_and_order(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    first, second = tmp_path / "first", tmp_path / "second"
    # Same normalised name in both directories: the first one wins, also when
    # it declares no entry points at all.
    dist(first, "Acme.Plugin-1.0.dist-info", entry_points="[smsstatus.vendors]\nacme = acme_one\n")
    dist(second, "acme_plugin-2.0.dist-info", entry_points="[smsstatus.vendors]\nacme = acme_two\n")
    dist(first, "quiet-1.0.dist-info")
    dist(second, "quiet-2.0.dist-info", entry_points="[smsstatus.vendors]\nquiet = never\n")
    # Several entries, other groups, comments, blank lines, spaces, extras.
    dist(
        second,
        "zeta-3.0.dist-info",
        entry_points=(
            "# a comment\n\n[console_scripts]\nzeta = zeta.cli:main\n"
            "[smsstatus.vendors]\n  beta =  zeta.b : hooks [extra]\nalpha=zeta.a\n# alpha = no\n"
            "[smsstatus.plugins]\nwrap = zeta.wrap\n"
        ),
    )
    # An old egg-info file (not a directory) counts as a distribution with no entry points.
    (first / "oldegg-0.1.egg-info").write_text("Metadata-Version: 1.0\nName: oldegg\nVersion: 0.1\n")
    dist(second, "oldegg-0.2.dist-info", entry_points="[smsstatus.vendors]\noldegg = oldegg\n")
    paths = [str(first), str(tmp_path / "missing"), str(second)]
    for group in (GROUP, "smsstatus.plugins", "console_scripts", "nothing"):
        assert by_scan(group, paths) == by_metadata(group, paths, monkeypatch)
    names = [name for name, *_ in by_scan(GROUP, paths)]
    assert names == ["acme", "beta", "alpha"]


def test_metadata_headers_are_read_as_email_reads_them(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    texts = {
        "spaces": "Name:   spaced  \nVersion:\t1.0 \n",
        "case": "name: lower\nVERSION: 2\n",
        "first": "Name: first\nName: second\nVersion: 1\nVersion: 2\n",
        "body": "Metadata-Version: 2.1\nName: real\nVersion: 1\n\nName: in the body\n",
        "empty": "Name:\nVersion: 1\n",
        "nonascii": "Name: caf\u00e9\nVersion: 1\n",
        "noeol": "Name: last\nVersion: 9",
    }
    for label, text in texts.items():
        dist(tmp_path, f"{label}-1.dist-info", entry_points=f"[g]\n{label} = m\n", metadata_text=text)
    paths = [str(tmp_path)]
    assert by_scan("g", paths) == by_metadata("g", paths, monkeypatch)
    assert ("spaces", "m", "spaced  ", "1.0 ") in by_scan("g", paths)


@pytest.mark.parametrize(
    "text",
    [
        "Name: folded\n  more\nVersion: 1\n",  # a continuation line
        "From someone\nName: x\nVersion: 1\n",  # an envelope line
        "Name: x\nnot a header\nVersion: 1\n",  # ends the headers early
        "\ufeffName: bom\nVersion: 1\n",
        "Version: 1\n",  # no Name
        "",
    ],
)
def test_other_metadata_goes_to_importlib_metadata(
    text: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    dist(tmp_path, "odd-1.dist-info", entry_points="[g]\nodd = m\n", metadata_text=text)
    with pytest.raises(discovery._Unusual):
        discovery._simple_headers(text)
    paths = [str(tmp_path)]
    assert by_scan("g", paths) == by_metadata("g", paths, monkeypatch)


def test_pkg_info_without_metadata(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    info = dist(tmp_path, "legacy-1.egg-info", entry_points="[g]\nlegacy = m\n", metadata_text=None)
    (info / "PKG-INFO").write_text("Metadata-Version: 1.1\nName: Legacy\nVersion: 1.0\n")
    paths = [str(tmp_path)]
    assert by_scan("g", paths) == by_metadata("g", paths, monkeypatch) == [("legacy", "m", "Legacy", "1.0")]


def layout_upper_suffix(root: Path) -> None:
    dist(root, "Upper-1.0.DIST-INFO", entry_points="[g]\nupper = m\n")


def layout_entry_without_equals(root: Path) -> None:
    dist(root, "broken-1.dist-info", entry_points="[other]\njust a word\n")


def layout_unloadable_value(root: Path) -> None:
    dist(root, "bad-1.dist-info", entry_points="[g]\nbad = not a value!\n")


def layout_zip(root: Path) -> None:
    with zipfile.ZipFile(root / "bundle.zip", "w") as bundle:
        bundle.writestr("zipped-1.dist-info/METADATA", "Name: zipped\nVersion: 1\n")
        bundle.writestr("zipped-1.dist-info/entry_points.txt", "[g]\nzipped = m\n")


def layout_egg(root: Path) -> None:
    egg = root / "old-1.egg"
    (egg / "EGG-INFO").mkdir(parents=True)
    (egg / "EGG-INFO" / "PKG-INFO").write_text("Name: old\nVersion: 1\n")
    (egg / "EGG-INFO" / "entry_points.txt").write_text("[g]\nold = m\n")


@pytest.mark.parametrize(
    ("layout", "entry"),
    [
        (layout_upper_suffix, ""),
        (layout_entry_without_equals, ""),
        (layout_unloadable_value, ""),
        (layout_zip, "bundle.zip"),
        (layout_egg, "old-1.egg"),
    ],
)
def test_other_layouts_go_to_importlib_metadata(
    layout: Callable[[Path], None], entry: str, tmp_path: Path
) -> None:
    layout(tmp_path)
    with pytest.raises(discovery._Unusual):
        discovery._scan("g", [str(tmp_path / entry) if entry else str(tmp_path)])


def test_another_distribution_finder_goes_to_importlib_metadata(monkeypatch: pytest.MonkeyPatch) -> None:
    class Finder:
        @staticmethod
        def find_distributions(*args: object, **kwargs: object) -> list[object]:
            return []

    monkeypatch.setattr(sys, "meta_path", [*sys.meta_path, Finder()])
    with pytest.raises(discovery._Unusual):
        discovery._scan(GROUP, sys.path)


def test_entries_uses_importlib_metadata_once_it_is_imported(monkeypatch: pytest.MonkeyPatch) -> None:
    # It is imported in this process (pytest uses it): a patch of it is what entries() sees.
    def entry_points(group: str) -> list[metadata.EntryPoint]:
        return [metadata.EntryPoint("x", "y", group)]

    monkeypatch.setattr(metadata, "entry_points", entry_points)
    (entry,) = discovery.entries(GROUP)
    assert (entry.name, entry.value, entry.distribution()) == ("x", "y", (None, None))
