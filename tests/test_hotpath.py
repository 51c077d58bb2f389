"""The push hot path's pieces build and read exactly what the detailed path does.

Fast constructors against the attrs constructors (every field), the fast
decoders against the standard library, the lazy header index and the quick
query string against their plain versions, and fast_path's three modes.
Nothing here times anything (benchmarks/run.py does).
"""

from __future__ import annotations

import copy
import email.parser
import email.policy
import importlib.util
import inspect
import json
import pickle
import re
import string
import sys
import weakref
from datetime import UTC, datetime, timedelta, timezone
from decimal import Decimal
from typing import Any
from urllib.parse import parse_qsl, quote, quote_plus, unquote_plus, urlsplit

import attrs
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from smsstatus import hotpath
from smsstatus.hotpath import (
    FastPathMismatch,
    fast_form,
    fast_json,
    fast_multipart,
    fast_path,
    fast_path_mode,
    new_money,
    new_operator,
    new_part,
    new_push_result,
    new_report,
    new_warning,
)
from smsstatus.model import (
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
)
from smsstatus.request import (
    Headers,
    ItemError,
    PushReply,
    PushRequest,
    PushResult,
    _parse_multipart,
    _plain_multipart,
    _unquote_plus,
    parse_urlencoded,
)

# -- constructors ------------------------------------------------------------------


def _init_names(cls: type) -> list[str]:
    return [a.name for a in attrs.fields(cls) if a.init]


def _positional_names(function: Any, cls: type) -> list[str]:
    params = inspect.signature(function).parameters.values()
    assert all(p.kind is p.POSITIONAL_ONLY for p in params)
    # Only a trailing field added later (part_ref) may be left out, with the class's own default.
    defaults = {a.name: a.default for a in attrs.fields(cls)}
    assert all(p.default is p.empty or p.default == defaults[p.name] for p in params)
    return [p.name for p in params]


@pytest.mark.parametrize(
    ("cls", "function"),
    [
        (StatusReport, new_report),
        (Part, new_part),
        (Money, new_money),
        (Operator, new_operator),
        (ReportWarning, new_warning),
        (PushResult, new_push_result),
    ],
)
def test_each_fast_constructor_takes_every_init_field_in_field_order(cls: type, function: Any) -> None:
    assert _positional_names(function, cls) == _init_names(cls)


def _every_field_set(status: Status) -> dict[str, Any]:
    """A distinct, non-default value for every field a report can be given."""
    return {
        "vendor": "acme",
        "message_id": "m-1",
        "batch_id": "b-1",
        "recipient": "+8613800000000",
        "recipient_raw": "8613800000000",
        "sender": "ACME",
        "status": status,
        "mapping": MappingKind.VENDOR_DEFAULT,
        "reason": Reason.BLOCKED,
        "vendor_status": "UNDELIV",
        "vendor_code": "E1",
        "vendor_description": "blocked by carrier",
        "client_ref": "order-7",
        "segments": 3,
        "part": Part(2, 3),
        "price": Money(Decimal("0.0567"), "CNY"),
        "country": "CN",
        "operator": Operator("460", "00", "China Mobile"),
        "submitted_at": datetime(2025, 6, 10, 8, 0, tzinfo=UTC),
        "status_at": datetime(2025, 6, 10, 16, 0, tzinfo=timezone(timedelta(hours=8))),
        "notified_at": datetime(2025, 6, 10, 8, 1, tzinfo=UTC),
        "received_at": datetime(2025, 6, 10, 8, 2, tzinfo=UTC),
        "channel": Channel.FETCH,
        "extra": {"unit_price": "0.0567"},
        "raw": {"status": "UNDELIV"},
        "warnings": (ReportWarning("$.fee", WarningCode.UNREADABLE, "not a number"),),
        "part_ref": "0A1B2C3D",
    }


@pytest.mark.parametrize("status", list(Status))
def test_new_report_builds_what_the_attrs_constructor_builds(status: Status) -> None:
    values = _every_field_set(status)
    expected = StatusReport(**values)
    built = new_report(*(values[name] for name in _init_names(StatusReport)))
    assert built == expected
    assert vars(built) == vars(expected)
    assert list(vars(built)) == list(vars(expected))  # same attribute order: reprs and vars() alike
    assert built.final is expected.final is status.final
    assert repr(built) == repr(expected)
    assert type(built) is StatusReport
    # Built as a plain object then given its class: nothing of the builder shows.
    assert sys.getsizeof(vars(built)) == sys.getsizeof(vars(expected))
    assert pickle.loads(pickle.dumps(built)) == expected
    assert weakref.ref(built)() is built
    assert attrs.evolve(built, vendor_code="E2") == attrs.evolve(expected, vendor_code="E2")
    with pytest.raises(attrs.exceptions.FrozenInstanceError):
        built.status = Status.DELIVERED  # type: ignore[misc]
    with pytest.raises(attrs.exceptions.FrozenInstanceError):
        built.new_field = 1  # type: ignore[attr-defined]


def test_new_report_with_defaults_equals_the_defaults() -> None:
    received = datetime(2025, 1, 1, tzinfo=UTC)
    expected = StatusReport(
        vendor="v", message_id=None, status=Status.SENT, received_at=received, channel=Channel.PUSH, raw={}
    )
    defaults = {a.name: a.default for a in attrs.fields(StatusReport) if a.init}
    values = {name: value for name, value in defaults.items() if value is not attrs.NOTHING}
    values |= {"vendor": "v", "message_id": None, "status": Status.SENT, "received_at": received}
    values |= {"channel": Channel.PUSH, "raw": {}, "extra": {}}
    assert new_report(*(values[name] for name in _init_names(StatusReport))) == expected


def test_small_fast_constructors_build_what_the_attrs_constructors_build() -> None:
    assert new_part(2, 3) == Part(2, 3) and repr(new_part(2, 3)) == repr(Part(2, 3))
    assert new_money(Decimal("1.5"), None) == Money(Decimal("1.5"), None)
    assert new_operator("460", None, "CM") == Operator(mcc="460", mnc=None, name="CM")
    warning = new_warning("$.x", WarningCode.OUT_OF_RANGE, "too big")
    assert (
        warning == ReportWarning("$.x", WarningCode.OUT_OF_RANGE, "too big") and warning.reason == "too big"
    )
    error = ItemError(error=ValueError("x"), raw={}, index=0)
    reply = PushReply.text("ok")
    built = new_push_result((), reply, (error,))
    assert built == PushResult(reports=(), reply=reply, errors=(error,))
    assert type(built) is PushResult and weakref.ref(built)() is built
    assert (built.reports, built.reply, built.errors) == ((), reply, (error,))
    assert repr(built) == repr(PushResult(reports=(), reply=reply, errors=(error,)))
    assert copy.copy(built) == built
    assert hash(new_part(1, 2)) == hash(Part(1, 2))
    with pytest.raises(attrs.exceptions.FrozenInstanceError):
        built.reply = PushReply()  # type: ignore[misc]


@pytest.mark.parametrize("cls", [StatusReport, PushResult, PushRequest])
def test_hand_written_inits_take_the_attrs_fields_with_their_defaults(cls: type) -> None:
    """These classes' __init__ is written out for speed: it must take what
    attrs would generate (keyword-only, same names, same defaults)."""
    params = {p.name: p for p in inspect.signature(cls).parameters.values()}
    fields = [a for a in attrs.fields(cls) if a.init]
    assert list(params) == [a.name for a in fields]
    for field in fields:
        param = params[field.name]
        assert param.kind is param.KEYWORD_ONLY
        if field.default is attrs.NOTHING:
            assert param.default is param.empty, field.name
        elif not isinstance(field.default, attrs.Factory):  # type: ignore[arg-type]
            assert param.default == field.default, field.name


def test_status_report_init_sets_every_field_and_derives_final() -> None:
    values = _every_field_set(Status.EXPIRED)
    report = StatusReport(**values)
    assert {name: getattr(report, name) for name in values} == values
    assert report.final is True
    minimal = {k: values[k] for k in ("vendor", "message_id", "status", "received_at", "channel", "raw")}
    first, second = StatusReport(**minimal), StatusReport(**minimal)
    assert first.extra == {} and first.extra is not second.extra  # a new dict each, as attrs' factory
    assert PushResult(reports=()).reply == PushReply()


# -- decoders ----------------------------------------------------------------------

json_values = st.recursive(
    st.none()
    | st.booleans()
    | st.integers(min_value=-(10**40), max_value=10**40)
    | st.floats(allow_nan=False, allow_infinity=False)
    | st.text(),
    lambda children: (
        st.lists(children, max_size=4) | st.dictionaries(st.text(max_size=8), children, max_size=4)
    ),
    max_leaves=12,
)

DECODERS = [
    "json",
    pytest.param(
        "msgspec",
        marks=pytest.mark.skipif(importlib.util.find_spec("msgspec") is None, reason="msgspec not installed"),
    ),
]


@pytest.fixture(params=DECODERS, scope="module")
def decoder(request: pytest.FixtureRequest) -> Any:
    hotpath.use_json_decoder(request.param)
    yield request.param
    hotpath.use_json_decoder(None)


@settings(max_examples=300)
@given(value=json_values, ascii_only=st.booleans())
def test_fast_json_gives_what_json_loads_gives(decoder: str, value: Any, ascii_only: bool) -> None:
    body = json.dumps(value, ensure_ascii=ascii_only).encode()
    decoded = fast_json(body)
    expected = json.loads(body)
    assert decoded == expected
    assert json.dumps(decoded) == json.dumps(expected)  # types too: 1 is not 1.0, big ints stay ints


@pytest.mark.parametrize(
    "body",
    [
        b"{",
        b"",
        b"[1,]",
        b"\xff{}",
        b"[" * 100_000 + b"]" * 100_000,  # deeper than any decoder's limit
        b'{"a": NaN}',  # json accepts, msgspec refuses: the detailed path decides
        b'"\\ud800"',
        b"1e400",
        b"\xef\xbb\xbf{}",
    ],
)
def test_fast_json_answers_none_or_what_json_loads_gives(decoder: str, body: bytes) -> None:
    decoded = fast_json(body)
    if decoded is not None:
        expected = json.loads(body)
        assert json.dumps(decoded) == json.dumps(expected)


def test_fast_json_keeps_integers_beyond_64_bits(decoder: str) -> None:
    # An id sent as a number must not become a float (orjson would: not used).
    assert fast_json(b'{"id": 123456789012345678901234567890}') == {"id": 123456789012345678901234567890}


form_text = st.text(alphabet=string.ascii_letters + string.digits + "%+=&-._~:é中 /\\", max_size=40)


@settings(max_examples=400)
@given(text=form_text)
def test_unquote_plus_and_parse_urlencoded_agree_with_the_stdlib(text: str) -> None:
    assert _unquote_plus(text) == unquote_plus(text)
    assert parse_urlencoded(text) == parse_qsl(text, keep_blank_values=True)


@settings(max_examples=200)
@given(raw=st.binary(max_size=12))
def test_unquote_plus_of_any_escaped_bytes_agrees_with_the_stdlib(raw: bytes) -> None:
    text = "".join(f"%{b:02X}" for b in raw) + "x+y"
    assert _unquote_plus(text) == unquote_plus(text)


@settings(max_examples=300)
@given(text=form_text)
def test_fast_form_is_the_form_as_a_dict_or_none(text: str) -> None:
    pairs = parse_qsl(text, keep_blank_values=True)
    names = [name for name, _ in pairs]
    expected = dict(pairs) if len(set(names)) == len(names) else None
    assert fast_form(text) == expected
    assert fast_form(text.encode()) == expected
    assert fast_form(b"a=1&b=\xff") is None


# Forms as senders write them: names and values percent-encoded (any
# character, separators, backslashes, "+" for a space) with, now and then, a
# stray "%", a bad escape, an escaped byte that is not UTF-8, an empty piece or
# a repeated name: every branch of the one-pass decoding and its fallbacks.
_form_chars = st.text(alphabet=string.ascii_letters + '&=+%\\ é中\x7f\x01"-:/@,', max_size=8)
_form_piece = st.one_of(
    st.tuples(_form_chars, _form_chars, st.booleans()).map(
        lambda t: f"{quote_plus(t[0]) if t[2] else quote(t[0], safe='')}={quote_plus(t[1])}"
    ),
    st.sampled_from(
        [
            "",
            "a",
            "=x",
            "a=%",
            "a=%4",
            "b=%zz",
            "c=%C3",
            "d=%FF",
            "e=%e9%80",
            "a=1",
            "\\=%5C",
            "n\\n=%41",
            "t=\\x41%2B",
            "u=\\\\%5C\\",
            "v=%2B%2b%3a%3A",
            "l=%2f%2c%40%20%2F%2C",
            "w=%%2B",
            "x=%2%2F",
            "y=%2B%C3%A9",
            "z=%2B%zz",
        ]
    ),
)


@settings(max_examples=500)
@given(pieces=st.lists(_form_piece, max_size=10))
def test_encoded_forms_decode_as_the_stdlib_decodes_them(pieces: list[str]) -> None:
    text = "&".join(pieces)
    pairs = parse_qsl(text, keep_blank_values=True)
    assert parse_urlencoded(text) == pairs
    names = [name for name, _ in pairs]
    expected = dict(pairs) if len(set(names)) == len(names) else None
    assert fast_form(text) == expected
    assert fast_form(text.encode()) == expected


def _expected_form(text: str) -> dict[str, str] | None:
    pairs = parse_qsl(text, keep_blank_values=True)
    names = [name for name, _ in pairs]
    return dict(pairs) if len(set(names)) == len(names) else None


# Callbacks as vendors send them, and the edge cases of the direct
# replacement of ASCII escapes (_decoded_form) and of the JSON split of long
# forms (fast_form): each against the standard library.
PLIVO_LIKE = (
    "To=918527012345&From=14155551234&Type=sms&Status=delivered&ErrorCode=&Units=1&TotalRate=0.0025"
    "&TotalAmount=0.0025&MCC=405&MNC=803&MessageUUID=83876bdb-5e5e-11ea-bd57-0242ac110003"
    "&ParentMessageUUID=83876bdb-5e5e-11ea-bd57-0242ac110003&PartInfo=1+of+1&Sequence=3"
    "&MessageTime=2024-08-21+12%3A59%3A58.512345&QueuedTime=2024-08-21+12%3A59%3A58.602001"
    "&SentTime=2024-08-21+12%3A59%3A59.110020&DeliveryReportTime=2024-08-21+13%3A00%3A04.807311&PowerpackUUID="
)
LONG_TAIL = "".join(f"&f{i}=v{i}" for i in range(20))


@pytest.mark.parametrize(
    "text",
    [
        PLIVO_LIKE,
        "",
        "a=1&&b=2",
        "a=1&b",
        "a=b=c",
        "a=1&a=2",
        "a=%26&b=%3D",  # escaped separators: split first
        "a=%3A%26",  # a replaceable escape first, then a separator
        "a=%253A",  # an escaped "%" before what looks like an escape
        "a=%%3A",
        "a=%3A%",
        "a=%3A%2",
        "a=%3a%2b+%2B%2f%2c%40%20",
        "a=%3A%C3%A9",  # a replaceable escape, then UTF-8 bytes
        "a=%C3%A9%3A",
        "a=%3A%FF",  # not UTF-8 once unescaped
        'a="x"&b=\\',
        "a=\x01",
        "a=%E2%82%AC&b=€",
        "%3A=1",
        "a=1&",
        "to=%2B4915112345678&x=%2B%2B",
        PLIVO_LIKE + LONG_TAIL,  # long enough for the JSON split
        PLIVO_LIKE + LONG_TAIL + "&To=again",  # a name twice
        PLIVO_LIKE + LONG_TAIL + "&q=%22x%22",  # a quote after decoding
        PLIVO_LIKE + LONG_TAIL + "&q=%5Cu0041",  # a JSON escape after decoding
        PLIVO_LIKE + LONG_TAIL + '&q=x","y":"z',  # JSON's separators in a value
        PLIVO_LIKE + LONG_TAIL + "&q=%01",  # a control character
        PLIVO_LIKE + LONG_TAIL + "&q=a=b",  # "=" inside a value
        PLIVO_LIKE + LONG_TAIL + "&&q",  # an empty piece, a piece without "="
        PLIVO_LIKE + LONG_TAIL + "&=x",  # an empty name
        PLIVO_LIKE + LONG_TAIL + "&q=\ud800",  # a lone surrogate (str input only)
    ],
)
def test_fast_form_reads_callbacks_and_edge_cases_as_the_stdlib(decoder: str, text: str) -> None:
    expected = _expected_form(text)
    assert fast_form(text) == expected
    if "\ud800" not in text:  # bytes cannot hold it
        assert fast_form(text.encode()) == expected


def test_long_plain_forms_take_the_json_split(decoder: str) -> None:
    # Else the hypothesis test below would not reach it.
    taken = hotpath._split_as_json(PLIVO_LIKE.replace("+", " ").replace("%3A", ":") + LONG_TAIL)
    assert (taken is not None) == (decoder == "msgspec")


# Mostly plain fields (so that the JSON split is tried), now and then one
# that it must refuse or that changes the split.
_plain_value = st.text(alphabet=string.ascii_letters + string.digits + " é中:/+-.", max_size=12)
_odd_value = st.one_of(
    st.text(alphabet=string.ascii_letters + '&=+%\\ é"\x01\x7f:/-', max_size=12),
    st.sampled_from(['x","y":"z', "\\u0041", '\\"', "a=b", "", "%3A", "%zz", "é中"]),
)


@settings(max_examples=300)
@given(
    plain=st.lists(st.tuples(_plain_value, _plain_value), min_size=10, max_size=30),
    odd=st.lists(st.tuples(_odd_value, _odd_value, st.booleans()), max_size=2),
    repeat=st.booleans(),
)
def test_long_forms_decode_as_the_stdlib_decodes_them(
    decoder: str, plain: list[tuple[str, str]], odd: list[tuple[str, str, bool]], repeat: bool
) -> None:
    pieces = [f"{quote_plus(n)}={quote_plus(v)}" for n, v in plain]
    pieces += [f"{quote_plus(n)}={quote_plus(v)}" if encode else f"{n}={v}" for n, v, encode in odd]
    text = "&".join([*pieces, "pad=" + "x" * 300, *(pieces[:1] if repeat else [])])
    expected = _expected_form(text)
    assert fast_form(text) == expected
    assert fast_form(text.encode()) == expected


# -- multipart ---------------------------------------------------------------------


def _mime_fields(content_type: str, body: bytes) -> list[tuple[str, str]]:
    message = email.parser.BytesParser(policy=email.policy.HTTP).parsebytes(
        b"Content-Type: " + content_type.encode("latin-1") + b"\r\n\r\n" + body
    )
    fields = []
    for part in message.iter_parts():
        name = part.get_param("name", header="content-disposition")
        if isinstance(name, str):
            payload = part.get_payload(decode=True)
            data = payload if isinstance(payload, bytes) else b""
            fields.append((name, data.decode(part.get_content_charset() or "utf-8")))
    return fields


field_names = st.text(alphabet=string.ascii_letters + string.digits + "_.-", max_size=12)
field_values = st.text(alphabet=st.characters(blacklist_categories=("Cs",)), max_size=20)


@settings(max_examples=300)
@given(
    fields=st.lists(st.tuples(field_names, field_values), min_size=1, max_size=5),
    boundary=st.text(alphabet=string.ascii_letters + string.digits + "'()+_,./:=?-", min_size=1, max_size=30),
    quoted=st.booleans(),
    final_crlf=st.booleans(),
)
def test_plain_multipart_reads_what_the_mime_parser_reads(
    fields: list[tuple[str, str]], boundary: str, quoted: bool, final_crlf: bool
) -> None:
    body = (
        b"".join(
            f'--{boundary}\r\nContent-Disposition: form-data; name="{name}"\r\n\r\n'.encode()
            + value.encode()
            + b"\r\n"
            for name, value in fields
        )
        + f"--{boundary}--{chr(13) + chr(10) if final_crlf else ''}".encode()
    )
    token = all(c in string.ascii_letters + string.digits + "+_.-" for c in boundary)
    quoted = quoted or not token  # a boundary with tspecials must be quoted (RFC 2045)
    content_type = f"multipart/form-data; boundary={chr(34) + boundary + chr(34) if quoted else boundary}"
    expected = _mime_fields(content_type, body)
    plain = _plain_multipart(content_type, body)
    if plain is not None:  # None: a value with a line break or such, which the MIME parser reads
        assert plain == expected
    assert _parse_multipart(content_type, body) == expected
    # A delimiter inside a name or a value is not the plain shape (the plain reader passes it on),
    # nor is a control character below the space in a value (CR, LF, TAB, NUL...).
    simple = [(n, v) for n, v in fields if min(v, default=" ") >= " " and f"--{boundary}" not in f"{n}\0{v}"]
    if simple == fields and len({n for n, _ in fields}) == len(fields):
        assert plain is not None  # the plain shape is taken, not always passed on


@pytest.mark.parametrize(
    ("content_type", "body"),
    [
        (
            "multipart/form-data; boundary=b",
            b'preamble\r\n--b\r\nContent-Disposition: form-data; name="a"\r\n\r\n1\r\n--b--',
        ),
        (
            "multipart/form-data; boundary=b",
            b'--b\r\nContent-Disposition: form-data; name="a"\r\nContent-Type: text/plain; charset=latin-1\r\n\r\n\xe9\r\n--b--',
        ),
        (
            "multipart/form-data; boundary=b",
            b'--b\r\nContent-Disposition: form-data; name="a"; filename="x.txt"\r\n\r\n1\r\n--b--',
        ),
        (
            "multipart/form-data; boundary=b",
            b"--b\r\nContent-Disposition: form-data; name*=utf-8''%C3%A9\r\n\r\n1\r\n--b--",
        ),
        (
            "multipart/form-data; boundary=b",
            b'--b\r\nContent-Disposition: form-data; name="a"\r\nContent-Transfer-Encoding: base64\r\n\r\nMQ==\r\n--b--',
        ),
        (
            "multipart/form-data; boundary=b; boundary=c",
            b'--b\r\nContent-Disposition: form-data; name="a"\r\n\r\n1\r\n--b--',
        ),
        ("multipart/form-data; boundary=b", b'--b\nContent-Disposition: form-data; name="a"\n\n1\n--b--\n'),
        # The head alone: its quote opens a name that nothing closes.
        (
            "multipart/form-data; boundary=b",
            b'--b\r\nContent-Disposition: form-data; name="\r\n\r\nx\r\n--b--',
        ),
        (
            "multipart/form-data; boundary=b",
            b'--b\r\nContent-Disposition: form-data; name="a"\r\n\r\n1\r\n--b--\r\n\r\n',
        ),
        (
            "multipart/form-data; boundary=b",
            b'--b\r\nContent-Disposition: form-data; name="a"\r\n\r\n1\r\n--b--x',
        ),
        (
            "multipart/form-data; boundary=b",
            b'--b\r\nContent-Disposition: form-data; name="a"\r\n\r\n1\r\r\n--b--',
        ),
        (
            "multipart/form-data; boundary=b",
            b'--b\r\nContent-Disposition: form-data; name="a"\r\n\r\n1--bb\r\n--b--',
        ),
        # A name the MIME parser decodes: a quoted-pair, an encoded word.
        (
            "multipart/form-data; boundary=b",
            b'--b\r\nContent-Disposition: form-data; name="a\\b"\r\n\r\n1\r\n--b--',
        ),
        (
            "multipart/form-data; boundary=b",
            b'--b\r\nContent-Disposition: form-data; name="=?utf-8?q?=41?="\r\n\r\n1\r\n--b--',
        ),
        # A value of two lines: the part does not end where its first line does.
        (
            "multipart/form-data; boundary=b",
            b'--b\r\nContent-Disposition: form-data; name="a"\r\n\r\n1\r\njunk\r\n'
            b'--b\r\nContent-Disposition: form-data; name="c"\r\n\r\n2\r\n--b--',
        ),
        # A NUL where a delimiter line was and a delimiter inside a value: as many
        # delimiters as parts and a closing one, but the NUL is no delimiter.
        (
            "multipart/form-data; boundary=b",
            b'--b\r\nContent-Disposition: form-data; name="a"\r\n\r\nx--b\r\n'
            b'\x00\r\nContent-Disposition: form-data; name="c"\r\n\r\n2\r\n--b--',
        ),
    ],
)
def test_multipart_outside_the_plain_shape_goes_to_the_mime_parser(content_type: str, body: bytes) -> None:
    assert _plain_multipart(content_type, body) is None
    assert _parse_multipart(content_type, body) == _mime_fields(content_type, body)


# Bodies built from the pieces of the plain shape in any order: the plain
# reader (lines read as slices) takes a body only as the MIME parser reads it.
_MP_PIECES = st.sampled_from(
    ["--b", "--", "\r\n", "\r", "\n", 'Content-Disposition: form-data; name="', '"', "a", "é", "=", " "]
)
_MP_PLAIN = (
    '--b\r\nContent-Disposition: form-data; name="msg_id"\r\n\r\n7052cd16\r\n'
    '--b\r\nContent-Disposition: form-data; name="status"\r\n\r\ndelivered\r\n--b--\r\n'
)


@settings(max_examples=500)
@given(
    pieces=st.lists(_MP_PIECES, max_size=30),
    start=st.sampled_from(["", _MP_PLAIN, _MP_PLAIN[:60]]),
    content_type=st.sampled_from(
        [
            "multipart/form-data; boundary=b",
            'multipart/form-data; boundary="b"',
            "multipart/form-data; boundary=b; x=y",
        ]
    ),
)
def test_plain_multipart_of_any_arrangement_is_none_or_what_the_mime_parser_reads(
    pieces: list[str], start: str, content_type: str
) -> None:
    body = (start + "".join(pieces)).encode()
    plain = _plain_multipart(content_type, body)
    fast = fast_multipart(content_type, body)
    if plain is None:
        assert fast is None
        return
    expected = _mime_fields(content_type, body)
    assert plain == expected
    assert fast == dict(expected)
    assert len(fast) == len(expected)  # a name given twice is the MIME parser's


# Near-plain bodies: a plain body of random fields, then a few edits at random
# places (a byte or a piece of the framing inserted, removed or written over: a
# delimiter inside a value, a bare CR or LF, a CRLF cut short, a quote, a NUL,
# non-UTF-8). The plain reader must answer on every unedited body, and whenever
# it answers, exactly as the MIME parser reads the same bytes.
_MP_BOUNDARIES = ["b", "d7-fixture-boundary", "----WebKitFormBoundary7MA4YWxkTrZu0gW", "x-", "-"]
_MP_EDIT_PIECES = st.one_of(
    st.binary(min_size=1, max_size=1),
    st.sampled_from(
        [
            b"\r",
            b"\n",
            b"\r\n",
            b"\r\n\r\n",
            b"--",
            b'"',
            b"\\",
            b"; ",
            b"\x00",
            b"\xc3\xa9",
            b"\xff",
            b"\t",
            b"=?utf-8?q?=41?=",
        ]
    ),
    st.sampled_from(
        ["{d}", "{d}--", "\r\n{d}\r\n", "\r\n{d}--\r\n", '{d}\r\nContent-Disposition: form-data; name="z"']
    ),
)
_MP_EDITS = st.lists(
    st.tuples(
        st.one_of(st.integers(min_value=0, max_value=2000), st.sampled_from(["start", "end", "name"])),
        st.sampled_from(["insert", "remove", "overwrite"]),
        _MP_EDIT_PIECES,
    ),
    max_size=3,
)


@settings(max_examples=1500)
@given(
    fields=st.lists(
        st.tuples(
            st.text(alphabet=string.ascii_letters + string.digits + "_.[]-", max_size=12),
            st.text(
                alphabet=st.characters(blacklist_categories=("Cs",), min_codepoint=0x20),
                max_size=20,
            ),
        ),
        min_size=1,
        max_size=6,
        unique_by=lambda field: field[0],
    ),
    boundary=st.sampled_from(_MP_BOUNDARIES),
    quoted=st.booleans(),
    final_crlf=st.booleans(),
    repeat=st.booleans(),
    edits=_MP_EDITS,
)
def test_near_plain_multipart_is_read_as_the_mime_parser_reads_it_or_passed_on(
    *,
    fields: list[tuple[str, str]],
    boundary: str,
    quoted: bool,
    final_crlf: bool,
    repeat: bool,
    edits: list[tuple[int | str, str, Any]],
) -> None:
    delimiter = f"--{boundary}"
    fields = fields + fields[:1] if repeat else fields  # a name twice: the MIME parser keeps both
    body = (
        "".join(
            f'{delimiter}\r\nContent-Disposition: form-data; name="{n}"\r\n\r\n{v}\r\n' for n, v in fields
        )
        + delimiter
        + "--"
        + ("\r\n" if final_crlf else "")
    ).encode()
    content_type = f"multipart/form-data; boundary={f'{chr(34)}{boundary}{chr(34)}' if quoted else boundary}"
    if not edits and not repeat and not any(delimiter in f"{n}\0{v}" for n, v in fields):
        assert fast_multipart(content_type, body) == dict(fields)  # every plain body is taken
    for position, kind, piece in edits:
        edit = piece.format(d=delimiter).encode() if isinstance(piece, str) else piece
        if position == "name":  # inside the first name's quotes
            at = body.find(b'name="') + 6
        else:
            at = (
                0
                if position == "start"
                else len(body)
                if position == "end"
                else int(position) % (len(body) + 1)
            )
        body = (
            body[:at]
            + (b"" if kind == "remove" else edit)
            + body[at + (0 if kind == "insert" else len(edit)) :]
        )
    fast = fast_multipart(content_type, body)
    if fast is not None:
        assert list(fast.items()) == _mime_fields(content_type, body)
        assert _plain_multipart(content_type, body) == list(fast.items())
    else:
        assert _plain_multipart(content_type, body) is None


def test_fast_multipart_reads_the_plain_shape_and_refuses_a_name_twice() -> None:
    content_type = "multipart/form-data; boundary=b"
    assert fast_multipart(content_type, _MP_PLAIN.encode()) == {"msg_id": "7052cd16", "status": "delivered"}
    twice = _MP_PLAIN.replace('"status"', '"msg_id"').encode()
    assert _plain_multipart(content_type, twice) is None  # the MIME parser reads both
    assert _parse_multipart(content_type, twice) == [("msg_id", "7052cd16"), ("msg_id", "delivered")]
    assert fast_multipart(content_type, twice) is None
    assert fast_multipart(content_type, _MP_PLAIN.replace("delivered", "d\xe9").encode("latin-1")) is None
    tab = _MP_PLAIN.replace("delivered", "de\tlivered").encode()  # a control character: the MIME parser's
    assert fast_multipart(content_type, tab) is None
    assert _parse_multipart(content_type, tab) == [("msg_id", "7052cd16"), ("status", "de\tlivered")]


# -- request -----------------------------------------------------------------------

header_names = st.sampled_from(["Content-Type", "content-type", "X-Sig", "x-sig", "HOST", "Accept", "X-Ünï"])


@settings(max_examples=200)
@given(
    pairs=st.lists(st.tuples(header_names, st.text(max_size=5)), max_size=20),
    lookups=st.lists(header_names, max_size=6),
)
def test_headers_answer_as_a_full_index_would(pairs: list[tuple[str, str]], lookups: list[str]) -> None:
    index: dict[str, list[str]] = {}
    for name, value in pairs:
        index.setdefault(name.lower(), []).append(value)
    headers = Headers(pairs)
    for name in lookups:  # the first lookup scans, later ones use the index
        values = index.get(name.lower())
        assert headers.get(name) == (values[0] if values else None)
        assert headers.get_all(name) == (values or [])
        assert (name in headers) is (values is not None)
        if values:
            assert headers[name] == values[0]
        else:
            with pytest.raises(KeyError):
                headers[name]
    assert len(headers) == len(index)
    assert headers == Headers(list(pairs))
    assert headers.raw_items() == tuple(pairs)


def test_headers_still_refuse_values_that_are_not_str() -> None:
    with pytest.raises(TypeError):
        Headers([("X-Count", 3)])  # type: ignore[list-item]
    with pytest.raises(TypeError):
        Headers({b"X": "y"})  # type: ignore[dict-item]


url_text = st.text(
    alphabet=string.ascii_letters + string.digits + ":/?#&=%[]@!$'()*+,;. \t\n\r\x00\x1f\x7f\x85-é",
    max_size=40,
)
#: What a URL may start with: a usual one, none (a relative URL), leading characters urlsplit strips.
url_start = st.sampled_from(["https://hooks.example.test", "", " ", "\x00http://h", "\x1f?", "//h", "h:"])


@settings(max_examples=600)
@given(start=url_start, path=url_text)
def test_query_string_is_what_urlsplit_answers(start: str, path: str) -> None:
    url = start + path
    try:
        expected = urlsplit(url).query
    except ValueError as exc:
        with pytest.raises(ValueError, match=re.escape(str(exc))):
            _ = PushRequest(url=url).query_string
        return
    assert PushRequest(url=url).query_string == expected


# -- fast_path ---------------------------------------------------------------------


def _lean(value: int) -> str | None:
    if value < 0:
        raise RuntimeError("a lean-path bug")
    return "lean" if value % 2 == 0 else None


@fast_path(_lean)
def _parse(value: int) -> str:
    return "lean" if value % 2 == 0 and value != 4 else "detailed"


def test_fast_path_takes_the_lean_answer_and_else_the_detailed_one() -> None:
    assert _parse(2) == "lean"
    assert _parse(3) == "detailed"
    assert _parse(-1) == "detailed"  # a lean path's exception costs only speed


def test_fast_path_modes() -> None:
    with fast_path_mode("detailed"):
        assert _parse(2) == "lean" and _parse(4) == "detailed"
    with fast_path_mode("compare") as counts:
        assert _parse(2) == "lean"
        assert _parse(3) == "detailed"
        key = f"{__name__}._lean"
        assert counts[key] == [1, 1]
        with pytest.raises(FastPathMismatch, match="lean"):
            _parse(4)  # the lean path answers "lean", the detailed path "detailed"
        with pytest.raises(RuntimeError):
            _parse(-1)  # surfaces in compare mode
    assert _parse(4) == "lean"  # back to fast


# -- times -------------------------------------------------------------------------


@settings(max_examples=400)
@given(
    parts=st.tuples(
        st.integers(0, 9999),
        st.integers(0, 13),
        st.integers(0, 32),
        st.integers(0, 25),
        st.integers(0, 61),
        st.integers(0, 61),
    ),
    separator=st.sampled_from([" ", "T", "x"]),
    layout=st.sampled_from(["%Y-%m-%d %H:%M:%S", "%Y-%m-%dT%H:%M:%S"]),
    padded=st.booleans(),
)
def test_parse_local_reads_dashed_times_as_strptime_does(
    parts: tuple[int, ...], separator: str, layout: str, padded: bool
) -> None:
    from smsstatus.times import parse_local

    width = 2 if padded else 1
    year, *rest = parts
    text = f"{year:04d}-{rest[0]:0{width}d}-{rest[1]:0{width}d}{separator}{rest[2]:02d}:{rest[3]:02d}:{rest[4]:02d}"
    try:
        expected: Any = datetime.strptime(text, layout).replace(tzinfo=UTC)
    except ValueError:
        expected = ValueError
    try:
        got: Any = parse_local(text, layout, UTC)
    except ValueError:
        got = ValueError
    assert got == expected


# -- SMPP receipts -----------------------------------------------------------------

receipt_values = st.text(alphabet=string.ascii_letters + string.digits + ":-_", max_size=12)


@settings(max_examples=400)
@given(
    values=st.lists(receipt_values, min_size=7, max_size=7),
    text=st.none() | st.text(alphabet=string.printable, max_size=30),
)
def test_standard_receipt_layout_reads_as_the_key_by_key_parser(values: list[str], text: str | None) -> None:
    from smsstatus.smpp import _fields_of, _standard_layout

    keys = ("id", "sub", "dlvrd", "submit date", "done date", "stat", "err")
    receipt = " ".join(f"{k}:{v}" for k, v in zip(keys, values, strict=True))
    if text is not None:
        receipt += f" text:{text}"
    fast = _standard_layout(receipt)
    if fast is not None:
        assert fast == _fields_of(receipt)
    if text is None or ("\n" not in text and "\r" not in text and "\x0b" not in text and "\x0c" not in text):
        assert fast is not None
