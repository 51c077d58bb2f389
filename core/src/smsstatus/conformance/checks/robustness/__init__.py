"""``robustness::push``, ``robustness::fetch``, ``robustness::map``:
malformed inputs generated with hypothesis from the plugin's own valid
inputs (:mod:`.mutations`), each answered within the time bound with what the
contract allows (:mod:`.push`, :mod:`.fetch`, :mod:`.map`); hypothesis runs
reproducibly (:mod:`.explore`)."""

from __future__ import annotations

import functools
from collections.abc import Iterator

from ...context import Context, Family, Item
from . import fetch, map, push

_HOOK_CHECKS = (
    ("parse_push", "push", push.check),
    ("fetch", "fetch", fetch.check),
    ("map_status", "map", map.check),
)


def plan(ctx: Context) -> Iterator[Item]:
    for hook, subject, check in _HOOK_CHECKS:
        if hook in ctx.hooks:
            yield Item(subject, functools.partial(check, ctx))


FAMILY = Family("robustness", plan, runs_fixtures=True)
