"""Reading a status callback that comes as a form body or as a query.

Many vendors call a webhook with the report's fields either urlencoded in a
POST body or, when the callback is a GET (or a proxy turned the POST into one),
in the query string. Which of the two, which Content-Types count as a form,
what a repeated field means and what to say about a body that is not a form is
the same for all of them, so it is written once here:

* :func:`callback_params` and :func:`callback_fields` for the detailed path
  (a body that is not form data is a :class:`~smsstatus.PayloadError`
  naming the vendor and ``form``);
* :func:`fast_callback_fields` for a lean path (``None`` on anything but
  the plain case, so that the detailed path explains).
"""

from __future__ import annotations

from .errors import PayloadError
from .hotpath import fast_form
from .request import PushRequest

__all__ = ["FORM_TYPES", "callback_fields", "callback_params", "fast_callback_fields"]

_URLENCODED = "application/x-www-form-urlencoded"
#: The Content-Types a callback's form body comes with; ``""`` (none) is read as a form too.
FORM_TYPES = frozenset({_URLENCODED, "multipart/form-data", ""})


def callback_params(vendor: str, request: PushRequest) -> tuple[list[tuple[str, str]], str]:
    """The callback's fields in order, repeated names kept, and where they
    came from: the form body (``"form"``, urlencoded or multipart), or the
    query when the request has no body (``"query"``).

    A body whose Content-Type is not a form's (:data:`FORM_TYPES`), or that is
    not form data (bad UTF-8, broken multipart), is a
    :class:`~smsstatus.PayloadError` at ``form``.
    """
    if not request.body:
        return request.query_params, "query"
    content_type = request.content_type
    if content_type not in FORM_TYPES:
        raise PayloadError(
            vendor, "form", f"expected a form body (or the fields in the query), got {content_type!r}"
        )
    try:
        return request.form_params(), "form"
    except (ValueError, LookupError) as exc:  # bad UTF-8, broken multipart, unknown charset
        raise PayloadError(vendor, "form", f"body is not valid form data: {type(exc).__name__}") from None


def callback_fields(vendor: str, request: PushRequest) -> tuple[dict[str, str], str]:
    """:func:`callback_params` as ``{name: value}``: a field sent twice
    counts with its first value (what form libraries read)."""
    params, where = callback_params(vendor, request)
    data: dict[str, str] = {}
    for name, value in params:
        data.setdefault(name, value)
    return data, where


def fast_callback_fields(request: PushRequest) -> dict[str, str] | None:
    """For a lean path: the urlencoded body or, when there is no body, the
    query, as :func:`~smsstatus.hotpath.fast_form` reads it; ``None`` for
    anything else (another or no Content-Type with a body, multipart, a name
    sent twice, bad UTF-8), which :func:`callback_fields` then reads or
    explains. Where it answers, it answers what :func:`callback_fields`
    does."""
    body = request.body
    if not body:
        return fast_form(request.query_string)
    if request.content_type != _URLENCODED:
        return None
    return fast_form(body)
