"""The push hot path: what a plugin's lean path reads and builds with.

A plugin's ``parse_push`` can have two paths (``docs/writing-a-plugin.md``,
"A lean path for the common push"):

* the **detailed** path, which reads every field through
  :class:`~smsstatus.fields.Record` and raises the detailed
  :class:`~smsstatus.PayloadError` (vendor, field path, reason) on bad input;
* a **lean** path for the shape the vendor documents, with exact type checks
  inline, that answers ``None`` on anything unusual so that the detailed path
  runs instead. It never raises and never warns: every input it does not take
  as it is gets the detailed path's answer, errors and warnings included.

:func:`fast_path` joins the two; the tests run every push fixture case
through both and compare (:func:`fast_path_mode`). The constructors here
build the same objects as the attrs classes' own, from positional arguments
in field order: binding some twenty keyword arguments costs more than the
rest of building a report. :func:`fast_json` and :func:`fast_form` decode a
body the way the detailed path does, or answer ``None``.
"""

from __future__ import annotations

import contextlib
import functools
import json
from collections.abc import Callable, Iterator, Mapping
from datetime import datetime
from decimal import Decimal
from typing import Any, Literal, ParamSpec, TypeVar

from .model import (
    MAX_ID_LENGTH,
    Channel,
    MappingKind,
    Money,
    Operator,
    Part,
    Reason,
    ReportWarning,
    Status,
    StatusReport,
    WarningCode,
    identity_problem,
)
from .request import (
    ItemError,
    PushReply,
    PushResult,
    _decoded_form,
    _WeakReferable,
    fast_multipart,
    parse_urlencoded,
)

__all__ = [
    "FastPathMismatch",
    "LeanMiss",
    "decoder_name",
    "fast_form",
    "fast_json",
    "fast_multipart",
    "fast_path",
    "fast_path_mode",
    "lean_ident",
    "lean_text",
    "new_money",
    "new_operator",
    "new_part",
    "new_push_result",
    "new_report",
    "new_warning",
    "use_json_decoder",
]

P = ParamSpec("P")
R = TypeVar("R")

_new = object.__new__

#: ``StatusReport.final`` of each status (the attrs class derives it the same way),
#: by member name: ``Enum.__hash__`` is Python code, a str's hash is cached.
_FINAL_OF: dict[str, bool] = {status._name_: status.final for status in Status}


class _ReportUnderConstruction:
    """What :func:`new_report` fills before making it a :class:`StatusReport`.

    A frozen class refuses plain attribute stores, so a report's fields go
    into its ``__dict__`` one dict store at a time (StatusReport.__init__
    does that). This plain class has the same layout (a ``__dict__`` and
    ``__weakref__``, no slots), so its instances take the fast store into
    the instance's own values, and one ``__class__`` assignment then makes
    the object a StatusReport: Python allows it between classes of the same
    layout and gives the object a ``__dict__`` of the fields as stored, in
    field order (same attributes, equality, repr and size as the attrs
    constructor's). Measured in instructions (callgrind, one report of 26
    positional arguments): 11,121 -> 6,719 per report.
    """


def new_report(  # noqa: PLR0917 -- one parameter per field, in field order
    vendor: str,
    message_id: str | None,
    batch_id: str | None,
    recipient: str | None,
    recipient_raw: str | None,
    sender: str | None,
    status: Status,
    mapping: MappingKind,
    reason: Reason | None,
    vendor_status: str | None,
    vendor_code: str | None,
    vendor_description: str | None,
    client_ref: str | None,
    segments: int | None,
    part: Part | None,
    price: Money | None,
    country: str | None,
    operator: Operator | None,
    submitted_at: datetime | None,
    status_at: datetime | None,
    notified_at: datetime | None,
    received_at: datetime,
    channel: Channel,
    extra: Mapping[str, Any],
    raw: Mapping[str, Any],
    warnings: tuple[ReportWarning, ...],
    part_ref: str | None = None,
    /,
) -> StatusReport:
    """``StatusReport(vendor=..., ...)`` from every field but the derived
    ``final``, positionally in the class's field order: the same object
    (equal, same attributes) at about half the cost. Pass ``{}`` for no
    ``extra`` and ``()`` for no warnings (a lean path has none)."""
    self: Any = _new(_ReportUnderConstruction)
    self.vendor = vendor
    self.message_id = message_id
    self.batch_id = batch_id
    self.recipient = recipient
    self.recipient_raw = recipient_raw
    self.sender = sender
    self.status = status
    self.final = _FINAL_OF[status._name_]
    self.mapping = mapping
    self.reason = reason
    self.vendor_status = vendor_status
    self.vendor_code = vendor_code
    self.vendor_description = vendor_description
    self.client_ref = client_ref
    self.segments = segments
    self.part = part
    self.price = price
    self.country = country
    self.operator = operator
    self.submitted_at = submitted_at
    self.status_at = status_at
    self.notified_at = notified_at
    self.received_at = received_at
    self.channel = channel
    self.extra = extra
    self.raw = raw
    self.warnings = warnings
    self.part_ref = part_ref
    self.__class__ = StatusReport  # from here on frozen, as every report
    return self  # type: ignore[no-any-return]


# Slotted frozen classes: write each slot through its descriptor, as
# object.__setattr__ would after looking it up.
def _setters(cls: type, *names: str) -> tuple[Callable[[object, Any], None], ...]:
    return tuple(cls.__dict__[name].__set__ for name in names)


_part_index, _part_total = _setters(Part, "index", "total")
_money_amount, _money_currency = _setters(Money, "amount", "currency")
_op_mcc, _op_mnc, _op_name = _setters(Operator, "mcc", "mnc", "name")
_warning_field, _warning_code, _warning_reason = _setters(ReportWarning, "field", "code", "reason")


def new_part(index: int, total: int, /) -> Part:
    """``Part(index, total)``; the caller has checked ``1 <= index <= total <= MAX_PARTS``."""
    self: Part = _new(Part)
    _part_index(self, index)
    _part_total(self, total)
    return self


def new_money(amount: Decimal, currency: str | None, /) -> Money:
    """``Money(amount, currency)``."""
    self: Money = _new(Money)
    _money_amount(self, amount)
    _money_currency(self, currency)
    return self


def new_operator(mcc: str | None, mnc: str | None, name: str | None, /) -> Operator:
    """``Operator(mcc, mnc, name)``."""
    self: Operator = _new(Operator)
    _op_mcc(self, mcc)
    _op_mnc(self, mnc)
    _op_name(self, name)
    return self


class LeanMiss(Exception):
    """Raised inside a lean path by the ``lean_*`` readers (or the plugin's own
    checks) for a value it does not take exactly as it is. The lean path
    catches it and returns ``None``, so the detailed path reads the push and
    gives its answer, warning or error."""


def lean_text(value: Any, /) -> str | None:
    """An optional string as ``Record.opt_string`` reads it when it reads it
    without a warning (absent, ``null`` and ``""`` give ``None``); anything
    else raises :class:`LeanMiss`."""
    if value is None or value.__class__ is str:
        return value or None
    raise LeanMiss


#: An integer below this in size has at most 256 characters of text with its sign
#: (MAX_ID_LENGTH). A module constant: 10**255 is not folded by the compiler.
_INT_ID_BOUND = 10**255


def lean_ident(value: Any, /) -> str | None:
    """An optional id as ``Record.ident(..., required=False)`` reads it when it
    reads it without a warning: absent, ``null`` or ``""`` give ``None``, a
    clean string itself, an integer its text; anything else raises
    :class:`LeanMiss`."""
    if value.__class__ is str:
        # Codes and numbers are digit strings: one C scan instead of identity_problem.
        if value.isdigit() and len(value) <= MAX_ID_LENGTH:
            return value
        if not value:
            return None
        if identity_problem(value) is None:
            return value
        raise LeanMiss
    if value is None:
        return None
    if value.__class__ is int and -_INT_ID_BOUND < value < _INT_ID_BOUND:
        return str(value)
    raise LeanMiss


def new_warning(field: str, code: WarningCode, reason: str, /) -> ReportWarning:
    """``ReportWarning(field, code, reason)``."""
    self: ReportWarning = _new(ReportWarning)
    _warning_field(self, field)
    _warning_code(self, code)
    _warning_reason(self, reason)
    return self


def new_push_result(
    reports: tuple[StatusReport, ...], reply: PushReply, errors: tuple[ItemError, ...], /
) -> PushResult:
    """``PushResult(reports=..., reply=..., errors=...)``."""
    self: Any = _new(_ResultUnderConstruction)
    self.reports = reports
    self.reply = reply
    self.errors = errors
    self.__class__ = PushResult  # from here on frozen
    return self  # type: ignore[no-any-return]


class _ResultUnderConstruction(_WeakReferable):
    """What :func:`new_push_result` fills before making it a :class:`PushResult`:
    the same slots (and the same base), so plain attribute stores, then one
    ``__class__`` assignment, as :class:`_ReportUnderConstruction`. A frozen
    slotted class's fields are otherwise set through their descriptors'
    ``__set__``, a call each: 3,480 -> 2,380 instructions a result."""

    __slots__ = ("errors", "reply", "reports")  # CPython sorts them: the order is not the layout


# -- decoding ------------------------------------------------------------------


def _stdlib_json(body: bytes | str) -> Any:
    return json.loads(body)


def _pick_decoder() -> tuple[str, Callable[[bytes | str], Any]]:
    """msgspec's JSON decoder when installed (``smsstatus[fast]``), else the
    standard library's. msgspec decodes a small push body about six times
    faster and to the same values: integers of any size stay integers (orjson
    turns those above 64 bits into floats, which would change an id), floats
    are correctly rounded. Where it refuses what ``json`` accepts (``NaN``, a
    lone surrogate, a BOM, ``1e400``), :func:`fast_json` answers ``None`` and
    the detailed path decodes with ``json``."""
    try:
        from msgspec.json import Decoder
    except ImportError:
        return "json", _stdlib_json
    return "msgspec", Decoder().decode


_decoder: Callable[[bytes | str], Any] | None = None
_decoder_name = ""


def decoder_name() -> str:
    """Which decoder :func:`fast_json` uses: ``"msgspec"`` or ``"json"``."""
    if _decoder is None:
        _load_decoder()
    return _decoder_name


def use_json_decoder(name: Literal["msgspec", "json"] | None = None) -> str:
    """Make :func:`fast_json` decode with ``name`` (``None``: the best
    installed) and answer the decoder now in use: for benchmarks and tests
    that compare the two (``ImportError`` when msgspec is not installed)."""
    global _decoder, _decoder_name
    if name == "json":
        _decoder_name, _decoder = "json", _stdlib_json
    elif name == "msgspec":
        from msgspec.json import Decoder

        _decoder_name, _decoder = "msgspec", Decoder().decode
    else:
        _load_decoder()
    return _decoder_name


def _load_decoder() -> Callable[[bytes | str], Any]:
    global _decoder, _decoder_name
    _decoder_name, _decoder = _pick_decoder()
    return _decoder


def fast_json(body: bytes | str) -> Any:
    """``body`` decoded as JSON, or ``None`` when the fast decoder cannot read it.

    A lean path takes the answer only when it has the documented type (check
    with ``.__class__ is dict``): ``None`` (bad JSON, nesting deeper than the
    decoder's limit, a JSON ``null``) sends the push to the detailed path,
    which decodes again with ``json`` and raises the detailed error. Values
    equal what ``json.loads`` gives for the same bytes."""
    decode = _decoder or _load_decoder()
    try:
        return decode(body)
    except Exception:  # noqa: BLE001 -- any refusal means "not the lean path's input"
        return None


def fast_form(body: bytes | str) -> dict[str, str] | None:
    """A urlencoded form (or query string) as ``{name: value}``, or ``None``
    when it is not the plain case (not UTF-8, or a name given twice). The
    values equal :func:`~smsstatus.request.parse_urlencoded`'s (what
    :meth:`PushRequest.form_params <smsstatus.PushRequest.form_params>` gives
    for a urlencoded body): the caller checks the Content-Type.

    Plugins call this rather than a reader of their own: the technique that
    is fastest for the input is chosen here (a long form of many fields is
    split by the JSON decoder, a short one by a loop)."""
    if isinstance(body, bytes):
        try:
            text = body.decode()
        except UnicodeDecodeError:
            return None
    else:
        text = body
    plain = text
    if "%" in text or "+" in text:
        decoded = _decoded_form(text)
        if decoded is None:
            return _form_of_pairs(parse_urlencoded(text))
        plain = decoded
    if len(plain) >= _JSON_SPLIT_LENGTH:
        split = _split_as_json(plain)
        if split is not None:
            return split or None  # {}: a name given twice
    # The usual form: filled straight into the dict (a plain loop costs half
    # of building the pairs first).
    pieces = plain.split("&")
    data: dict[str, str] = {}
    for piece in pieces:
        name, _, value = piece.partition("=")
        data[name] = value
    if len(data) != len(pieces) or "" in data:
        # A name twice, or an empty piece (skipped, as parse_qsl skips it): the pairs say which.
        return _form_of_pairs(parse_urlencoded(text))
    return data


#: From this length a decoded form may be split by the JSON decoder
#: (:func:`_split_as_json`); measured (paired rounds, msgspec): 20 fields of
#: 369 characters 2.40 against 2.88 µs for the loop, 19 of 434 2.49 against
#: 2.67, 12 of 233 even, 8 to 10 of 180-290 characters 7-14 % slower. The
#: field count decides, but counting costs a pass: the length gates it.
_JSON_SPLIT_LENGTH = 300
_JSON_SPLIT_FIELDS = 16


def _split_as_json(plain: str) -> dict[str, str] | None:
    """A decoded form of many fields as ``{name: value}`` by one call of the
    C JSON decoder, ``{}`` when a name is given twice, ``None`` when this
    cannot tell (the loop in :func:`fast_form` then splits it).

    ``a=1&b=2`` becomes the JSON text ``{"a":"1","b":"2"}``. That is exactly
    the loop's split: the decoder takes the text only when it is an object of
    strings, which means every piece held exactly one ``=`` (so no piece is
    empty and the partition is the same), and the "=" count check lets only
    such texts through. A character JSON escapes (``"``, ``\\``) would be
    read differently: such texts are refused here; control characters and
    lone surrogates make the decoder refuse. Only with msgspec: the standard
    library's decoder is slower than the loop at any size (measured)."""
    pieces = plain.count("&") + 1
    if pieces < _JSON_SPLIT_FIELDS or plain.count("=") != pieces or '"' in plain or "\\" in plain:
        return None
    decode = _decoder or _load_decoder()
    if _decoder_name != "msgspec":
        return None
    try:
        data = decode('{"' + plain.replace("=", '":"').replace("&", '","') + '"}')
    except Exception:  # noqa: BLE001 -- any refusal: the loop splits it
        return None
    if data.__class__ is not dict:
        return None
    return data if len(data) == pieces else {}  # fewer: a name given twice


def _form_of_pairs(pairs: list[tuple[str, str]]) -> dict[str, str] | None:
    data = dict(pairs)
    return data if len(data) == len(pairs) else None


# -- joining the two paths -------------------------------------------------------------

Mode = Literal["fast", "detailed", "compare"]
_mode: Mode = "fast"
#: In "compare" mode: per lean path (module.qualname), how many calls it took and how many it passed on.
_counts: dict[str, list[int]] = {}


class FastPathMismatch(AssertionError):
    """In ``compare`` mode: a lean path answered differently from the detailed one."""


def fast_path(lean: Callable[P, R | None]) -> Callable[[Callable[P, R]], Callable[P, R]]:
    """Decorate the detailed ``parse`` with its lean path ``lean``::

        def _lean(vendor: str, request: PushRequest) -> PushResult | None: ...

        @fast_path(_lean)
        def parse(vendor: str, request: PushRequest) -> PushResult: ...  # the detailed path

    ``parse(...)`` (called with positional arguments only, as hooks are) then
    calls ``lean(...)`` with the same arguments and returns
    its answer unless it is ``None``, and otherwise the detailed path's. An
    exception in ``lean`` (a bug: a lean path never raises) also falls back
    to the detailed path, so the caller still gets the detailed error; the
    tests surface such exceptions (:func:`fast_path_mode`).
    """
    key = f"{lean.__module__}.{lean.__qualname__}"

    def decorate(detailed: Callable[P, R]) -> Callable[P, R]:
        # Positional arguments only, as the host and the hooks pass them: no
        # keyword dict to build on every push.
        take: Callable[..., R | None] = lean
        read: Callable[..., R] = detailed

        def parse(*args: Any) -> R:
            if _mode == "fast":
                try:
                    answer = take(*args)
                except Exception:  # noqa: BLE001 -- a lean path's bug costs speed, never the answer
                    answer = None
                if answer is not None:
                    return answer
                return read(*args)
            return _other_mode(key, take, read, *args)

        functools.update_wrapper(parse, detailed)
        parse.lean = lean  # type: ignore[attr-defined]
        parse.detailed = detailed  # type: ignore[attr-defined]
        _counts.setdefault(key, [0, 0])
        return parse  # type: ignore[return-value]

    return decorate


def _other_mode(key: str, lean: Callable[..., R | None], detailed: Callable[..., R], *args: Any) -> R:
    if _mode == "detailed":
        return detailed(*args)
    answer = lean(*args)  # compare: a lean path's exception is a bug, and surfaces
    counts = _counts.setdefault(key, [0, 0])
    if answer is None:
        counts[1] += 1
        return detailed(*args)
    counts[0] += 1
    try:
        expected: R | BaseException = detailed(*args)
    except Exception as exc:  # noqa: BLE001 -- compared below
        expected = exc
    problem = _difference(answer, expected)
    if problem is not None:
        raise FastPathMismatch(f"{key}: the lean path's answer differs from the detailed path's: {problem}")
    return answer


def _difference(lean: object, detailed: object) -> str | None:
    if isinstance(detailed, BaseException):
        return f"the detailed path raised {type(detailed).__name__}: {detailed}"
    if type(lean) is not type(detailed):
        return f"{type(lean).__name__} against {type(detailed).__name__}"
    if isinstance(lean, PushResult) and isinstance(detailed, PushResult):
        if lean.reply != detailed.reply:
            return f"reply {lean.reply!r} against {detailed.reply!r}"
        if len(lean.reports) != len(detailed.reports):
            return f"{len(lean.reports)} reports against {len(detailed.reports)}"
        for index, (mine, theirs) in enumerate(zip(lean.reports, detailed.reports, strict=True)):
            problem = _report_difference(mine, theirs)
            if problem is not None:
                return f"report {index}: {problem}"
        mine_errors = [(e.index, e.key, e.raw, type(e.error), str(e.error)) for e in lean.errors]
        their_errors = [(e.index, e.key, e.raw, type(e.error), str(e.error)) for e in detailed.errors]
        if mine_errors != their_errors:
            return f"item errors {mine_errors!r} against {their_errors!r}"
        return None
    return None if lean == detailed else f"{lean!r} against {detailed!r}"


def _report_difference(lean: StatusReport, detailed: StatusReport) -> str | None:
    for name, value in vars(detailed).items():
        mine = getattr(lean, name)
        # Types too: 1 == 1.0 == True, and an int where a str belongs is a bug.
        if mine != value or type(mine) is not type(value):
            return f"{name}: {mine!r} against {value!r}"
        if name == "warnings" and [w.reason for w in mine] != [w.reason for w in value]:
            return f"warning reasons {mine!r} against {value!r}"
    if vars(lean).keys() != vars(detailed).keys():
        return f"fields {list(vars(lean))} against {list(vars(detailed))}"
    return None


@contextlib.contextmanager
def fast_path_mode(mode: Mode) -> Iterator[dict[str, list[int]]]:
    """For tests: run every :func:`fast_path` in ``mode`` meanwhile.

    ``"detailed"`` skips the lean paths; ``"compare"`` runs both paths on
    every call the lean path takes and raises :class:`FastPathMismatch` when
    they differ (a lean path's exception propagates). Yields, per lean path,
    ``[taken, passed on]`` call counts of this block (``compare`` only).
    Not thread-safe: a test switch."""
    global _mode  # noqa: PLW0603 -- a process-wide test switch
    previous = _mode
    saved = {key: list(value) for key, value in _counts.items()}
    for value in _counts.values():
        value[:] = [0, 0]
    _mode = mode
    try:
        yield _counts
    finally:
        _mode = previous
        for key, value in saved.items():
            _counts[key] = value
