"""What a push brings in and what the host hands back.

A :class:`PushRequest` carries everything any vendor's signature scheme needs:
the method, the full public URL as the vendor called it (scheme, host, port,
path and the raw query in its original order), every header (case-insensitive,
multi-valued), the raw body bytes, the receive time and the remote address.
"""

from __future__ import annotations

import codecs
import json
import re
from collections.abc import Iterable, Iterator, Mapping
from datetime import UTC, datetime
from typing import Any, Literal
from urllib.parse import unquote, unquote_to_bytes, urlsplit

import attrs

from .model import JSONValue, StatusReport

__all__ = ["Headers", "PushRequest", "PushReply", "PushResult", "ItemError", "FetchResult", "DrainResult"]

HeaderInput = Mapping[str, str] | Iterable[tuple[str, str]] | None


class Headers(Mapping[str, str]):
    """Immutable, case-insensitive, multi-valued HTTP headers.

    ``headers["content-type"]`` gives the first value; :meth:`get_all` gives
    every value in arrival order; iteration yields each name once, in the
    spelling first seen.

    Building one only keeps the pairs: the case-insensitive index is built on
    the second lookup (the first, usually Content-Type, scans the few pairs),
    so a push whose plugin reads one header pays for no index.
    """

    __slots__ = ("_index", "_items")

    def __init__(self, items: HeaderInput = None) -> None:
        self._items: tuple[tuple[str, str], ...] = _pairs(items)
        #: None: never looked up; False: looked up once (by a scan); then the index.
        self._index: dict[str, list[str]] | Literal[False] | None = None

    def _lookup(self, key: str) -> list[str] | None:
        """Every value of the lower-cased name ``key`` (``None``: absent)."""
        index = self._index
        if index:
            return index.get(key)
        if index is None and len(self._items) <= _SCAN_LIMIT:
            self._index = False  # the next lookup builds the index
            size = len(key)
            found = [v for n, v in self._items if len(n) == size and (n == key or n.lower() == key)]
            return found or None
        return self._build_index().get(key)

    def _first(self, key: str) -> str | None:
        """The first value of the lower-cased name ``key``: :meth:`_lookup`
        for one value, scanning with a plain loop that stops at the first
        match (a comprehension costs a frame, and collects every value)."""
        index = self._index
        if index:
            values = index.get(key)
            return values[0] if values else None
        if index is None and len(self._items) <= _SCAN_LIMIT:
            self._index = False  # the next lookup builds the index
            size = len(key)
            for n, v in self._items:
                if n == key or (len(n) == size and n.lower() == key):
                    return v
            return None
        values = self._build_index().get(key)
        return values[0] if values else None

    def _build_index(self) -> dict[str, list[str]]:
        index: dict[str, list[str]] = {}
        for name, value in self._items:
            index.setdefault(name.lower(), []).append(value)
        self._index = index
        return index

    def _full_index(self) -> dict[str, list[str]]:
        return self._index or self._build_index()

    def __getitem__(self, name: str) -> str:
        value = self._first(name.lower())
        if value is None:
            raise KeyError(name)
        return value

    def __contains__(self, name: object) -> bool:
        return isinstance(name, str) and self._lookup(name.lower()) is not None

    def __iter__(self) -> Iterator[str]:
        seen: set[str] = set()
        for name, _ in self._items:
            if name.lower() not in seen:
                seen.add(name.lower())
                yield name

    def __len__(self) -> int:
        return len(self._full_index())

    def get(self, name: str, default: Any = None) -> Any:  # faster than Mapping.get's try/except
        value = self._first(name.lower())
        return default if value is None else value

    def get_all(self, name: str) -> list[str]:
        return list(self._lookup(name.lower()) or ())

    def raw_items(self) -> tuple[tuple[str, str], ...]:
        """Every (name, value) pair as received, duplicates included."""
        return self._items

    def __eq__(self, other: object) -> bool:
        if isinstance(other, Headers):
            return self._full_index() == other._full_index()
        return NotImplemented

    def __hash__(self) -> int:
        return hash(tuple(sorted((k, tuple(v)) for k, v in self._full_index().items())))

    def __repr__(self) -> str:
        # Header values can be credentials (Authorization): show names only.
        return f"Headers({list(self)!r})"


#: Up to this many pairs, a first lookup scans them instead of building the index.
_SCAN_LIMIT = 16


def _pairs(items: HeaderInput) -> tuple[tuple[str, str], ...]:
    """The (name, value) pairs of ``items``; ``TypeError`` unless all are str."""
    if items.__class__ is list or items.__class__ is tuple:
        pairs = tuple(items)
        try:  # what frameworks hand over: checked without copying
            for pair in pairs:
                if pair.__class__ is not tuple:
                    break
                name, value = pair  # unpacking checks the length (ValueError) in C
                if name.__class__ is not str or value.__class__ is not str:
                    break
            else:
                return pairs
        except ValueError:
            pass  # not a pair: the loop below says why
    found: list[tuple[str, str]] = []
    if items is not None:
        source = items.items() if isinstance(items, Mapping) else items
        for name, value in source:
            if not (isinstance(name, str) and isinstance(value, str)):
                raise TypeError("header names and values must be str")
            found.append((name, value))
    return tuple(found)


def _to_headers(value: HeaderInput | Headers) -> Headers:
    return value if isinstance(value, Headers) else Headers(value)


def _utcnow() -> datetime:
    return datetime.now(UTC)


# Not slotted, and the __init__ written out: a frozen slotted class sets each
# slot through its descriptor (attrs' generated __init__ through
# object.__setattr__, and calls the converter and factories through
# wrappers); a frozen dict class stores straight into __dict__, as
# StatusReport does. Measured in paired rounds (benchmarks/fixed_cost.py):
# the seven stores 0.31 -> 0.15 us. Reading an attribute of a dict class
# costs about 0.02 us more than a slot's, and a push reads four or five, so
# the gain is about 0.1 us net on the object every push builds first.
@attrs.frozen(kw_only=True, init=False, slots=False)
class PushRequest:
    """An HTTP request a vendor made to our webhook, as received.

    Build one from any web framework; the fields are plain data. ``url`` is the
    full public URL the vendor called (rebuild it from your public base URL or
    forwarding headers behind a proxy, never from the bind address).
    ``headers`` may be :class:`Headers` or anything it takes; ``received_at``
    defaults to now.
    """

    method: str = "POST"
    url: str = "http://localhost/"
    headers: Headers = attrs.field(factory=Headers, converter=_to_headers)
    body: bytes = b""
    received_at: datetime = attrs.field(factory=_utcnow)
    remote_addr: str | None = None
    #: The media type, worked out on first use (not part of equality).
    _content_type: str | None = attrs.field(default=None, init=False, eq=False, repr=False)

    def __init__(
        self,
        *,
        method: str = "POST",
        url: str = "http://localhost/",
        headers: HeaderInput | Headers = None,
        body: bytes = b"",
        received_at: datetime | None = None,
        remote_addr: str | None = None,
    ) -> None:
        d = self.__dict__  # a frozen dict class: stored as attrs' own __init__ would
        d["method"] = method
        d["url"] = url
        d["headers"] = headers if headers.__class__ is Headers else Headers(headers)
        d["body"] = body
        d["received_at"] = _utcnow() if received_at is None else received_at
        d["remote_addr"] = remote_addr
        d["_content_type"] = None

    @classmethod
    def build(
        cls,
        *,
        method: str = "POST",
        url: str = "http://localhost/",
        query: str | None = None,
        headers: HeaderInput = None,
        content_type: str | None = None,
        body: bytes | str = b"",
        received_at: datetime | None = None,
        remote_addr: str | None = None,
    ) -> PushRequest:
        """Convenience constructor: appends ``query`` to ``url`` and adds a
        Content-Type header when given."""
        if query:
            url = f"{url}{'&' if '?' in url else '?'}{query.lstrip('?')}"
        header_pairs = list(_to_headers(headers).raw_items())
        if content_type is not None and not any(n.lower() == "content-type" for n, _ in header_pairs):
            header_pairs.append(("Content-Type", content_type))
        return cls(
            method=method.upper(),
            url=url,
            headers=Headers(header_pairs),
            body=body.encode("utf-8") if isinstance(body, str) else body,
            received_at=received_at or _utcnow(),
            remote_addr=remote_addr,
        )

    @property
    def query_string(self) -> str:
        """The raw query string, without ``?``, exactly as in the URL."""
        url = self.url
        if (
            url.isascii()
            and "\n" not in url
            and "\t" not in url
            and "\r" not in url
            and "[" not in url
            and "]" not in url
        ):
            # What urlsplit answers for such a URL, without its scheme and
            # netloc work: the query runs from the first "?" to the first "#"
            # (urlsplit cuts the fragment, then the query), and nothing in it
            # differs. urlsplit removes tab, CR and LF anywhere (so those go
            # to it), strips leading C0 controls and spaces (never "?" or
            # "#": the query stays the same) and keeps every other control
            # character; it checks a bracketed (IPv6) host and, only when not
            # ASCII, the host's characters (those go to it too, to raise as
            # it raises). Five C scans of one character each, against 0.4 us
            # for isprintable on a 130-character callback URL.
            return url.partition("#")[0].partition("?")[2]
        return urlsplit(url).query

    @property
    def query_params(self) -> list[tuple[str, str]]:
        """The decoded query as an ordered multi-map (repeated keys kept)."""
        return parse_urlencoded(self.query_string)

    @property
    def content_type(self) -> str:
        """The media type without parameters, lower-cased (``""`` when absent)."""
        cached = self._content_type
        if cached is None:
            # Every lean path asks this first: the pairs are scanned here (no
            # Headers method call, no index for one header), and the few
            # spellings senders use are answered from a table.
            cached = ""
            for name, value in self.headers._items:
                if name == "content-type" or (len(name) == 12 and name.lower() == "content-type"):
                    cached = _MEDIA_TYPES.get(value) or _media_type(value)
                    break
            self.__dict__["_content_type"] = cached
        return cached

    def json(self) -> JSONValue:
        """The body decoded as JSON (raises ``ValueError`` on bad JSON)."""
        return json.loads(self.body)

    def form_params(self) -> list[tuple[str, str]]:
        """The body decoded as form data (urlencoded or multipart), ordered, repeated keys kept."""
        if self.content_type == "multipart/form-data":
            return _parse_multipart(self.headers.get("content-type", ""), self.body)
        return parse_urlencoded(self.body.decode("utf-8"))

    def __repr__(self) -> str:
        # The query and body may hold credentials (InnoPaaS's pswd): keep them out.
        path = urlsplit(self.url).path
        return f"PushRequest(method={self.method!r}, path={path!r}, body_bytes={len(self.body)})"


_new = object.__new__


def _checked_headers(pairs: tuple[tuple[str, str], ...]) -> Headers:
    """``Headers(pairs)`` for pairs the caller built itself as tuples of two
    ``str`` (the ASGI adapter decodes them): the public constructor checks
    every pair again, about half of what the request object costs."""
    headers: Headers = _new(Headers)
    headers._items = pairs
    headers._index = None
    return headers


def _new_request(  # noqa: PLR0917 -- positional on purpose: the adapters' per-push constructor
    method: str,
    url: str,
    headers: Headers,
    body: bytes,
    received_at: datetime,
    remote_addr: str | None,
    /,
) -> PushRequest:
    """``PushRequest(method=..., ...)`` for the adapters, which pass every field
    ready: positionally, without the keyword call (binding keywords into
    ``__init__`` costs about as much as the seven stores)."""
    request: PushRequest = _new(PushRequest)
    d = request.__dict__  # stored as PushRequest.__init__ stores them
    d["method"] = method
    d["url"] = url
    d["headers"] = headers
    d["body"] = body
    d["received_at"] = received_at
    d["remote_addr"] = remote_addr
    d["_content_type"] = None
    return request


#: Content-Type header values already seen, to their media type: nearly every
#: push sends one of a few spellings (``application/json``, ``...; charset=utf-8``),
#: and a table lookup costs a third of partition, strip and lower (0.13 us
#: less per push, paired rounds). Bounded in count and key length: the
#: values are whatever senders write; once full, new spellings are worked
#: out each time, as before.
_MEDIA_TYPES: dict[str, str] = {}
_MEDIA_TYPES_MAX = 64
_MEDIA_TYPE_KEY_MAX = 128


def _media_type(value: str) -> str:
    """The media type of a Content-Type header value, lower-cased, without
    parameters; kept in :data:`_MEDIA_TYPES` while it has room."""
    media = value.partition(";")[0].strip().lower()
    if len(_MEDIA_TYPES) < _MEDIA_TYPES_MAX and len(value) <= _MEDIA_TYPE_KEY_MAX and value.__class__ is str:
        _MEDIA_TYPES[value] = media
    return media


def parse_urlencoded(text: str) -> list[tuple[str, str]]:
    """``application/x-www-form-urlencoded`` text to ordered pairs.

    The same result as ``urllib.parse.parse_qsl(text, keep_blank_values=True)``
    (tested against it), about three times faster: this runs on every form
    or query push. Escapes are decoded in one pass over the whole text where
    that cannot differ from decoding piece by piece (:func:`_decoded_form`),
    else piece by piece.
    """
    if "%" in text or "+" in text:
        decoded = _decoded_form(text)
        if decoded is None:
            return _parse_piecewise(text)
        text = decoded
    pairs: list[tuple[str, str]] = []
    for piece in text.split("&"):
        if piece:
            name, _, value = piece.partition("=")
            pairs.append((name, value))
    return pairs


def _parse_piecewise(text: str) -> list[tuple[str, str]]:
    """:func:`parse_urlencoded` decoding each name and value on its own: for
    the texts :func:`_decoded_form` does not take (escaped separators,
    escapes that are not UTF-8 or not escapes)."""
    pairs: list[tuple[str, str]] = []
    for piece in text.split("&"):
        if not piece:
            continue
        name, _, value = piece.partition("=")
        if "%" in name or "+" in name:
            name = _unquote_plus(name)
        if "%" in value or "+" in value:
            value = _unquote_plus(value)
        pairs.append((name, value))
    return pairs


#: The escapes :func:`_decoded_form` replaces directly: the ASCII punctuation
#: callbacks escape (``:`` in every time, ``+`` in every number). None
#: decodes to ``&``, ``=``, ``%`` or a hex digit.
_ASCII_ESCAPES = {
    "%3A": ":",
    "%2B": "+",
    "%2F": "/",
    "%40": "@",
    "%2C": ",",
    "%20": " ",
    "%3a": ":",
    "%2b": "+",
    "%2f": "/",
    "%2c": ",",
}

#: The ``unicode_escape`` decoder itself (``bytes.decode`` would look the codec up by name every time).
_unicode_escape = codecs.getdecoder("unicode_escape")


def _decoded_form(text: str) -> str | None:
    """``text`` with every ``+`` and escape decoded, or ``None`` when that
    could differ from splitting first and decoding each piece.

    Decoding first is the same when no escape decodes to ``&`` or ``=`` (the
    pieces keep their bounds) and the whole decodes as strict UTF-8 (a
    separator is ASCII, so it never splits a character's bytes: each piece
    then decodes strictly, to what ``unquote`` gives it). The escapes are
    decoded in C: ``%XY`` becomes ``\\xXY`` for the ``unicode_escape`` codec
    after every backslash is doubled, so no other escape can appear; its
    answer holds one code point per byte, which ``latin-1`` turns back into
    the bytes. An escape that is not two hex digits makes the codec raise:
    ``None``, and ``unquote`` keeps such text as it is. The usual escapes of
    ASCII punctuation are replaced directly first (below), which is cheaper
    on every form and query the plugins' fixtures hold.
    """
    if "+" in text:
        text = text.replace("+", " ")
    first = text.find("%")
    if first < 0:
        return text
    # Most callbacks escape a kind or two of ASCII punctuation (":" in every
    # time, "+" in every E.164 number): replacing each kind everywhere costs
    # less than the codec pass and the separator scans below (which pass
    # over the whole text several times). Exact: every "%" and two hex
    # digits is an escape wherever it stands (unquote splits at every "%"),
    # and a replaced character is neither "%" nor a hex digit, so it never
    # starts or completes another escape, nor is it a separator. When no "%"
    # is left, every escape was one of these; the first other one (UTF-8
    # bytes, say) hands the text to the codec pass from the start. The "+"
    # for spaces were replaced before "%2B" made new ones.
    plain = text
    while True:
        escape = plain[first : first + 3]
        char = _ASCII_ESCAPES.get(escape)
        if char is None:
            break
        plain = plain.replace(escape, char)
        first = plain.find("%", first)
        if first < 0:
            return plain
    if "%26" in text or ("%3" in text and ("%3D" in text or "%3d" in text)):
        return None  # an escaped separator: split first
    if "\\" in text:
        text = text.replace("\\", "\\\\")
    try:
        return _unicode_escape(text.replace("%", "\\x").encode())[0].encode("latin-1").decode()
    except UnicodeError:  # a bad escape (UnicodeDecodeError), or bytes that are not UTF-8
        return None


def _unquote_plus(text: str) -> str:
    """``unquote_plus(text)``, twice as fast where the escapes are valid UTF-8:
    a lead byte always starts a literal character's encoding, so when the
    whole text decodes strictly, each escaped run decodes to what
    ``unquote``'s per-run decoding gives (tested against it)."""
    if "+" in text:
        text = text.replace("+", " ")
    try:
        return unquote_to_bytes(text).decode()
    except UnicodeError:  # invalid UTF-8 escapes: unquote's replacement characters
        return unquote(text)


def _parse_multipart(content_type: str, body: bytes) -> list[tuple[str, str]]:
    """Parse multipart/form-data text fields with the stdlib MIME parser
    (imported here: the email package costs ~10 ms of start-up otherwise),
    or, for the plain shape every form library sends, by splitting."""
    simple = _plain_multipart(content_type, body)
    if simple is not None:
        return simple
    import email.parser
    import email.policy

    message = email.parser.BytesParser(policy=email.policy.HTTP).parsebytes(
        b"Content-Type: " + content_type.encode("latin-1") + b"\r\n\r\n" + body
    )
    if not message.is_multipart():
        raise ValueError("multipart body without parts")
    fields: list[tuple[str, str]] = []
    for part in message.iter_parts():
        name = part.get_param("name", header="content-disposition")
        if not isinstance(name, str):
            continue
        payload = part.get_payload(decode=True)
        data = payload if isinstance(payload, bytes) else b""
        fields.append((name, data.decode(part.get_content_charset() or "utf-8")))
    return fields


_BOUNDARY = re.compile(r"[0-9A-Za-z'()+_,./:=?-]{1,70}")
_BOUNDARY_TOKEN = re.compile(r"[0-9A-Za-z+_.-]{1,70}")
#: The Content-Type as form libraries write it, boundary last and unquoted.
_MULTIPART_PREFIX = "multipart/form-data; boundary="
_MULTIPART_PREFIX_SIZE = len(_MULTIPART_PREFIX)
#: One part of a plain body once every delimiter is replaced by a NUL (see
#: fast_multipart): the NUL of its delimiter line, its one header line, a blank
#: line, a one-line value, and the NUL of the delimiter after it (looked at, not
#: taken). A name holds only characters that need no quoting or decoding; a
#: value no control character below the space (CR, LF, TAB, NUL...): one range
#: is sre's cheapest class (0.25 us less on D7's postback than ``[^\r\n]``),
#: and a value with a TAB is rare enough to go to the MIME parser.
_PLAIN_PART = re.compile(
    r'\x00\r\nContent-Disposition: form-data; name="([0-9A-Za-z_.\[\]-]*)"\r\n\r\n([ -\U0010ffff]*)\r\n(?=\x00)'
)
#: What follows a plain body's last delimiter: ``--`` (the closing one), with
#: or without its line end.
_PLAIN_ENDS = ("--\r\n", "--")


def _plain_multipart(content_type: str, body: bytes) -> list[tuple[str, str]] | None:
    """The fields of a multipart/form-data body in the plain shape, or ``None``.

    Plain: one unquoted or simply quoted boundary, no preamble or epilogue,
    CRLF line ends, and parts of one ``Content-Disposition: form-data;
    name="..."`` header each with a one-line UTF-8 value, no name twice (the
    MIME parser reads those). The MIME parser gives the same fields for such
    a body (tested against it) at a hundredth of the cost.
    """
    fields = fast_multipart(content_type, body)
    return None if fields is None else list(fields.items())


def _multipart_boundary(content_type: str) -> str | None:
    """The boundary of a plain multipart Content-Type, or ``None``."""
    params = [p.strip() for p in content_type.split(";")[1:]]
    found = [p[9:] for p in params if p[:9].lower() == "boundary="]
    if len(found) != 1 or not content_type.isprintable():
        return None
    boundary = found[0]
    if len(boundary) > 1 and boundary[0] == boundary[-1] == '"':
        boundary = boundary[1:-1]  # quoted: any of RFC 2046's boundary characters
        if _BOUNDARY.fullmatch(boundary) is None:
            return None
    elif _BOUNDARY_TOKEN.fullmatch(boundary) is None:  # unquoted: a token (no tspecials)
        return None
    return boundary


def fast_multipart(content_type: str, body: bytes) -> dict[str, str] | None:
    """A multipart/form-data body as ``{name: value}`` when it has the plain
    shape form libraries send (one header per part, one-line UTF-8 values
    without control characters below the space) and no name twice, else
    ``None``. ``content_type`` is the whole header
    (with its boundary). Equal to what :meth:`PushRequest.form_params
    <smsstatus.PushRequest.form_params>` reads from such a body.

    (Here rather than in :mod:`smsstatus.hotpath`, which exports it: the
    detailed path's :func:`_plain_multipart` reads with it too.)

    How: the body is split at every delimiter and joined again with a NUL
    (a character it must not hold) in their place, and ``findall`` reads the
    parts with one fixed pattern, in C. (The pattern cannot hold the
    boundary: form libraries pick a new one per request, and compiling a
    pattern costs more than reading the body.)

    Why that is exact: the body starts with a delimiter and ends with the
    closing one (checked on the first and last pieces). A part's match starts
    at a NUL and ends just before the next one, and matches never overlap,
    so ``count`` parts start at ``count`` distinct NULs; the closing
    delimiter's (a NUL then ``--``, which starts no part) is one more. With
    exactly ``count + 1`` delimiters in the body, those are all: each part
    ends where the next starts or at the closing delimiter, nothing precedes
    the first (no preamble), only the closing line end follows (no epilogue),
    and no name or value holds the delimiter, a CR or an LF. Line for line,
    the body is the plain shape of these fields, which the MIME parser reads
    as the same names and values (tests/test_hotpath.py compares the two on
    mutated bodies). D7's 510-byte postback: 3.0 against 5.3 us for the
    line-slicing reader this replaced.
    """
    boundary = content_type[_MULTIPART_PREFIX_SIZE:]
    if not content_type.startswith(_MULTIPART_PREFIX) or _BOUNDARY_TOKEN.fullmatch(boundary) is None:
        # Not as form libraries write it (boundary last and unquoted): read the parameters.
        found = _multipart_boundary(content_type)
        if found is None:
            return None
        boundary = found
    try:
        text = body.decode()
    except UnicodeDecodeError:
        return None
    if "\x00" in text:
        return None  # the NULs below must be the delimiters alone
    pieces = text.split("--" + boundary)
    if pieces[0] or pieces[-1] not in _PLAIN_ENDS:
        return None  # a preamble, an epilogue or no closing delimiter
    parts = _PLAIN_PART.findall("\x00".join(pieces))
    count = len(parts)
    if not count or len(pieces) != count + 2:  # a delimiter that is not a part's or the closing one
        return None
    data = dict(parts)
    return data if len(data) == count else None  # fewer: a name given twice


@attrs.frozen(kw_only=True)
class PushReply:
    """The HTTP answer the vendor expects, so that it stops retrying."""

    status_code: int = 200
    content_type: str | None = None
    body: bytes = b""

    @classmethod
    def json(cls, value: Any, status_code: int = 200) -> PushReply:
        return cls(
            status_code=status_code,
            content_type="application/json",
            body=json.dumps(value, separators=(",", ":")).encode(),
        )

    @classmethod
    def text(cls, value: str, status_code: int = 200) -> PushReply:
        return cls(status_code=status_code, content_type="text/plain; charset=utf-8", body=value.encode())


@attrs.frozen(kw_only=True)
class ItemError:
    """One item of a batch that could not be normalised, with what it carried.

    ``raw`` is the item as received (secrets removed) so it can be stored and
    replayed once the plugin is fixed. ``key`` names the item where it can be
    named (an id, a message id); ``index`` is its position in the batch.
    """

    error: Exception
    raw: JSONValue
    index: int | None = None
    key: str | None = None


class _WeakReferable:
    """A base that gives its slotted subclasses their ``__weakref__`` slot first.

    attrs puts a slotted class's ``__weakref__`` after its fields, and
    CPython's layout check then refuses ``__class__`` assignment between it
    and a plain class of the same slots (the check allows the weak-reference
    slot only before the others). Inherited from here, the slot comes first,
    so :func:`smsstatus.hotpath.new_push_result` can fill a plain twin with
    plain attribute stores and then give it the class.
    """

    __slots__ = ("__weakref__",)


@attrs.frozen(kw_only=True, init=False)
class PushResult(_WeakReferable):
    """What ``parse_push`` returns: the reports, the vendor's expected reply
    (HTTP 200 with an empty body by default), and the items of a batch that
    failed (the good ones are never lost)."""

    reports: tuple[StatusReport, ...]
    reply: PushReply = attrs.field(factory=PushReply)
    errors: tuple[ItemError, ...] = ()

    def __init__(
        self,
        *,
        reports: tuple[StatusReport, ...],
        reply: PushReply | None = None,
        errors: tuple[ItemError, ...] = (),
    ) -> None:
        # Written out, as PushRequest's: slot descriptors instead of object.__setattr__.
        _set_reports(self, reports)
        _set_reply(self, PushReply() if reply is None else reply)
        _set_errors(self, errors)


_set_reports, _set_reply, _set_errors = (
    PushResult.__dict__[name].__set__ for name in ("reports", "reply", "errors")
)


@attrs.frozen(kw_only=True)
class FetchResult:
    """What ``fetch`` returns: the reports found and, per id that failed
    (not found, or malformed), its error."""

    reports: tuple[StatusReport, ...]
    errors: tuple[ItemError, ...] = ()


@attrs.frozen(kw_only=True)
class DrainResult:
    """What ``drain`` returns: one batch from a pull that consumes what it
    returns. ``errors`` hold the records (or the whole body) that could not be
    read, raw, since the vendor no longer has them; ``more`` says the vendor
    may hold more right now (the batch was full)."""

    reports: tuple[StatusReport, ...]
    errors: tuple[ItemError, ...] = ()
    more: bool = False
