"""A griffe extension for the API reference: Sphinx roles become Markdown code.

The docstrings are written for readers of the source and use Sphinx roles
(:class:`~smsstatus.Registry`, :func:`load`); rendered as Markdown those would
show the role name. Each becomes inline code of the name as Sphinx would show
it (``~`` keeps the last component only).
"""

from __future__ import annotations

import re
from typing import Any

import griffe

_ROLE = re.compile(r":(?:py:)?(?:class|func|meth|mod|attr|data|exc|obj|const):`(~?)([^`]+)`")


def _plain(match: re.Match[str]) -> str:
    short, name = match.group(1), match.group(2)
    return f"`{name.rsplit('.', 1)[-1] if short else name}`"


class SphinxRoles(griffe.Extension):
    def on_instance(self, *, obj: griffe.Object, **_: Any) -> None:
        if obj.docstring is not None:
            obj.docstring.value = _ROLE.sub(_plain, obj.docstring.value)
