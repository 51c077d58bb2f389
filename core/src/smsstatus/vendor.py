"""What a vendor plugin says about itself (the ``vendor_info`` hook's answer)."""

from __future__ import annotations

import enum
from importlib.resources.abc import Traversable

import attrs

from .credentials import CredentialSpec
from .model import MappedStatus

__all__ = ["DEFAULT_MAX_BATCH", "Capability", "DocumentedStatus", "PollPolicy", "VendorInfo"]

#: ``VendorInfo.max_batch`` of a plugin that declares none: a ceiling, not any
#: vendor's figure (a plugin should declare what its vendor documents).
DEFAULT_MAX_BATCH = 1000


class Capability(enum.Enum):
    PUSH = "push"  #: the vendor calls our webhook (``parse_push``)
    FETCH = "fetch"  #: we can query the vendor's API (``fetch``)
    DRAIN = "drain"  #: we can collect reports the vendor hands out once (``drain``)


@attrs.frozen
class DocumentedStatus:
    """One status value or code the vendor documents, and what it maps to.

    Conformance checks that ``map_status(value, code)`` answers ``expected``;
    the vendor page's mapping table is generated from these.
    """

    value: str
    expected: MappedStatus
    code: str | None = None
    description: str = ""


@attrs.frozen
class PollPolicy:
    """How to poll a fetch vendor for a message that has no final status yet
    (used by pollers; seconds after submission)."""

    first_after: float
    interval: float
    give_up_after: float
    batch_limit: int


@attrs.frozen(kw_only=True)
class VendorInfo:
    """Metadata of one vendor plugin.

    ``id`` must equal the entry point name under ``smsstatus.vendors``.
    ``schemas`` and ``fixtures`` are package resources (``importlib.resources``
    traversables) so they work from an installed wheel, zipped or not.
    """

    id: str
    display_name: str
    capabilities: frozenset[Capability]
    statuses: tuple[DocumentedStatus, ...]
    credentials: tuple[CredentialSpec, ...] = ()
    schemas: Traversable | None = None
    fixtures: Traversable | None = None
    default_base_url: str | None = None
    docs_url: str | None = None
    poll: PollPolicy | None = None
    #: Which report field holds the id ``fetch`` takes: ``"message_id"`` (one
    #: message, e.g. Contacta's id) or ``"batch_id"`` (a send request, e.g. D7's
    #: request_id, uSpeedo's SessionNo). Pollers use it to know what to ask for.
    fetch_key: str | None = None
    #: Fields of raw records that carry secrets and are removed from ``raw``.
    secret_fields: tuple[str, ...] = ()
    #: The most records one push may carry, and one fetched id may answer
    #: with: what the vendor documents, with a margin (Huawei documents 50 per
    #: batch push and declares 100). The plugin refuses a longer batch before
    #: reading any item (``smsstatus.fields.check_batch``); the host checks
    #: every result against it too. An over-long batch is a payload error,
    #: never silently truncated.
    max_batch: int = DEFAULT_MAX_BATCH
