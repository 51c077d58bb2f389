"""The hooks a vendor plugin implements.

A vendor plugin is a module (or object) registered under the entry point group
``smsstatus.vendors``; the entry point's name is the vendor id. It implements
``vendor_info`` and, depending on its capabilities, ``parse_push``, ``fetch``,
``drain`` and ``map_status``, each decorated with :data:`smsstatus.hookimpl`.

The host calls a vendor's hooks through a caller that holds only that vendor's
implementation (plus cross-cutting wrappers), so a plugin never has to check
whether a call is meant for it. Every hook receives ``vendor`` so wrappers that
see all vendors can tell them apart; an implementation may leave out any
argument it does not use (pluggy passes only the arguments an implementation
names), which is how these specs can grow without breaking plugins.
Implementations must not give their arguments defaults: pluggy does not pass
arguments that have one.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING

import pluggy

if TYPE_CHECKING:
    from .credentials import Credentials
    from .http import HttpClient
    from .model import MappedStatus
    from .request import DrainResult, FetchResult, PushRequest, PushResult
    from .vendor import VendorInfo

PROJECT = "smsstatus"

hookspec = pluggy.HookspecMarker(PROJECT)
#: Decorate a plugin's hook implementations with this marker.
hookimpl = pluggy.HookimplMarker(PROJECT)


@hookspec(firstresult=True)
def vendor_info() -> VendorInfo:  # type: ignore[empty-body]
    """Describe the vendor: id, display name, capabilities, documented
    statuses, credentials, and where its schemas and fixtures are.

    Called once when the plugin loads; must be cheap and must not do I/O
    beyond locating package resources.
    """


@hookspec(firstresult=True)
def parse_push(  # type: ignore[empty-body]
    vendor: str, request: PushRequest, credentials: Credentials, client: HttpClient
) -> PushResult:
    """Parse one webhook request the vendor made into canonical reports.

    :param vendor: the vendor id the request was routed to.
    :param request: the request as received (method, full URL, headers, raw
        body, receive time, remote address).
    :param credentials: the operator's configured credentials for this vendor;
        webhook credentials, when configured, must be checked (in constant time,
        see :func:`smsstatus.check_credential`) before anything else.
    :param client: (plugin API 1.2) the host's HTTP client, for the rare push that needs an
        outbound request to be understood or answered (a signing certificate
        to download, a subscription to confirm). Leave the argument out unless
        the plugin needs it: the host creates a client only for plugins whose
        implementation names it, so every other push costs nothing more. It
        has no base URL (give full URLs), a short total deadline, a response
        size limit and no retries (the vendor retries the push itself), and
        is shared by the pushes of one vendor, so a plugin may cache what it
        fetched per client (``weakref.WeakKeyDictionary``). It reaches the
        network in ``smsstatus serve`` and the library; fixture cases and the
        conformance kit replay recorded exchanges offline (a push case's
        ``exchanges``). Never send a request to a URL taken from the request
        without checking it against the vendor's documented hosts.
    :return: a :class:`~smsstatus.PushResult` with every report the request
        carried, the reply the vendor expects, and, for a batch, an
        :class:`~smsstatus.ItemError` for each item that could not be parsed.

    Raise :class:`~smsstatus.AuthenticationError` for a wrong or missing
    credential and :class:`~smsstatus.PayloadError` for a request that cannot
    be read at all. A status value the plugin does not recognise is not an
    error: report it with ``mapping=unmapped``. An outbound request that fails
    raises :class:`~smsstatus.TransportError` (the receiver answers 500, so
    the vendor retries).
    """


@hookspec(firstresult=True)
def fetch(  # type: ignore[empty-body]
    vendor: str, ids: Sequence[str], credentials: Credentials, client: HttpClient
) -> FetchResult:
    """Pull the current status of messages from the vendor's API.

    :param ids: the vendor's message or request ids, as the vendor names them.
    :param client: the host's HTTP client: base URL (overridable per call),
        timeouts, retries with backoff, offline replay in tests. Plugins make
        every request through it.
    :return: a :class:`~smsstatus.FetchResult`; ids the vendor does not know
        are reported as :class:`~smsstatus.NotFoundError` item errors, not raised.

    Split ``ids`` into as many calls as the vendor's per-call limit needs.
    """


@hookspec(firstresult=True)
def drain(vendor: str, credentials: Credentials, client: HttpClient) -> DrainResult:  # type: ignore[empty-body]
    """Collect the next batch of reports from a pull that hands each report
    out only once (the vendor deletes what it returns).

    :param client: the host's HTTP client, as for :func:`fetch`.
    :return: a :class:`~smsstatus.DrainResult` with the batch's reports, an
        :class:`~smsstatus.ItemError` for each record that could not be read
        (with its raw record: it is gone from the vendor, so it must be kept),
        and ``more=True`` when the vendor may hold more right now.

    Make **exactly one** consuming request per call: the host stores each
    batch before it asks for the next, so a crash loses at most the batch in
    flight. An answer that consumed reports but cannot be read is not raised:
    return its body as an item error. Raise only when nothing was consumed
    (a refused credential, a vendor error answer).
    """


@hookspec(firstresult=True)
def map_status(vendor: str, status: str, code: str | None) -> MappedStatus:  # type: ignore[empty-body]
    """Map one vendor status value (and code, where the vendor has one) to a
    canonical :class:`~smsstatus.MappedStatus`. Never raises for an unknown
    value: answers ``status=unknown, mapping=unmapped`` instead (or the
    vendor's documented default rule, ``mapping=vendor_default``).
    """


#: Hook names a vendor plugin may implement, in the order documented.
HOOK_NAMES: tuple[str, ...] = ("vendor_info", "parse_push", "fetch", "drain", "map_status")
