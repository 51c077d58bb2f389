"""MkDocs hooks for the smsstatus site (see mkdocs.yml).

* Every vendor page in ``docs/vendors/`` joins the navigation, and so does
  any other page mkdocs.yml does not name: a new page needs no edit here.
* A link that leaves ``docs/`` (``../schemas/...``, ``../../plugins/d7``) works
  when reading the Markdown in the repository but not on the site: it becomes
  a link to the file in the repository, and a target that does not exist is
  a warning (so the strict build fails).
"""

from __future__ import annotations

import logging
import posixpath
import re
from pathlib import Path
from typing import Any

REPOSITORY = "https://github.com/smsstatus/smsstatus/blob/main/"
ROOT = Path(__file__).resolve().parents[2]
DOCS = ROOT / "docs"
_LINK = re.compile(r"(\]\()([^)\s]+)(\))")
log = logging.getLogger("mkdocs.plugins.smsstatus")


def _listed(nav: Any) -> set[str]:
    """Every page file named in a (nested) mkdocs nav."""
    if isinstance(nav, str):
        return {nav}
    if isinstance(nav, dict):
        return set().union(*(_listed(v) for v in nav.values()))
    if isinstance(nav, list):
        return set().union(*(_listed(v) for v in nav))
    return set()


def on_config(config: Any) -> Any:
    """Vendor pages under "Vendors"; any other page the navigation does not
    name (a new document) under "More", so adding a page never breaks the build."""
    listed = _listed(config["nav"])
    pages = sorted(
        p.relative_to(DOCS).as_posix()
        for p in DOCS.rglob("*.md")
        if "_build" not in p.relative_to(DOCS).parts
    )
    vendors = [p for p in pages if p.startswith("vendors/") and p not in listed]
    others = [p for p in pages if not p.startswith("vendors/") and p not in listed]
    if vendors:
        config["nav"].append({"Vendors": vendors})
    if others:
        config["nav"].append({"More": others})
    return config


def _outside(page_path: str, target: str) -> str | None:
    """The repository path ``target`` points at, when it leaves docs/."""
    if re.match(r"^[a-z][a-z0-9+.-]*:|^#|^/", target):
        return None
    path = target.split("#", 1)[0]
    joined = posixpath.normpath(posixpath.join("docs", posixpath.dirname(page_path), path))
    return None if joined.startswith("docs/") else joined


def on_page_markdown(markdown: str, page: Any, **_: Any) -> str:
    def rewrite(match: re.Match[str]) -> str:
        target = match.group(2)
        repo_path = _outside(page.file.src_uri, target)
        if repo_path is None:
            return match.group(0)
        if repo_path.startswith("..") or not (ROOT / repo_path).exists():
            log.warning("%s links to %s, which is not in the repository", page.file.src_uri, target)
            return match.group(0)
        return f"{match.group(1)}{REPOSITORY}{repo_path}{match.group(3)}"

    return _LINK.sub(rewrite, markdown)
