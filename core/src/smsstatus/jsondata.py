"""JSON-ready data for everything the library hands an application.

``json.dumps(report)`` fails: a :class:`~smsstatus.StatusReport` holds
datetimes, decimals and enums. :func:`to_json_data` turns one into plain
``dict``/``list``/``str``/``int``/``float``/``bool``/``None`` data, in the
documented JSON form:

* a :class:`~smsstatus.StatusReport` exactly as ``schemas/status-report.schema.json``
  describes it (what ``smsstatus parse`` prints);
* a :class:`~smsstatus.tracker.StatusChange`, :class:`~smsstatus.tracker.MessageRecord`
  (with its :class:`~smsstatus.tracker.PartRecord`, :class:`~smsstatus.tracker.EventRecord`
  and :class:`~smsstatus.tracker.PollTarget`) and :class:`~smsstatus.tracker.MessageKey`
  as objects with the attribute names as keys;
* a :class:`~smsstatus.MappedStatus`, and a list or tuple of any of these.

Everywhere, instants are RFC 3339 strings in UTC (``2024-02-01T00:11:00Z``),
money amounts decimal strings, enums their values, tuples lists.
:func:`dumps` is ``json.dumps`` of that; ``to_json_data`` also works as
``json.dumps(..., default=smsstatus.to_json_data)`` inside your own documents.
"""

from __future__ import annotations

import json
from functools import cache
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    import cattrs

__all__ = ["to_json_data", "dumps", "JSONData"]

#: What :func:`to_json_data` returns (nested plain JSON values).
JSONData = dict[str, Any] | list[Any] | str | int | float | bool | None


@cache
def _converter() -> tuple[cattrs.Converter, tuple[type, ...]]:
    # cattrs and the tracker load on first use: importing smsstatus stays cheap.
    from . import serialize
    from .model import MappedStatus, StatusReport
    from .tracker import EventRecord, MessageKey, MessageRecord, PartRecord, PollTarget, StatusChange

    conv = serialize.converter.copy()
    # A report (alone or inside a StatusChange) takes serialize's hand-written path.
    conv.register_unstructure_hook(StatusReport, serialize.to_dict)
    supported = (
        StatusReport,
        MappedStatus,
        StatusChange,
        MessageRecord,
        PartRecord,
        EventRecord,
        PollTarget,
        MessageKey,
    )
    return conv, supported


def to_json_data(obj: Any) -> JSONData:
    """``obj`` as JSON-ready data (see the module docstring for what is supported).

    Raises ``TypeError`` for anything else, as ``json.dumps`` does, so it can
    serve as ``json.dumps``'s ``default``.
    """
    if isinstance(obj, list | tuple):
        return [to_json_data(item) for item in obj]
    conv, supported = _converter()
    if not isinstance(obj, supported):
        names = ", ".join(t.__name__ for t in supported)
        raise TypeError(f"{type(obj).__name__} is not JSON-serialisable by smsstatus (supported: {names})")
    data: JSONData = conv.unstructure(obj)
    return data


def dumps(obj: Any, *, indent: int | None = None) -> str:
    """``obj`` as JSON text (UTF-8 characters kept, not escaped)."""
    return json.dumps(to_json_data(obj), ensure_ascii=False, indent=indent)
