"""Removing credentials from a push before it is stored as a dead letter.

Two sources say what is secret: the plugin's ``VendorInfo.secret_fields``
(field names, e.g. InnoPaaS's ``pswd``, whatever their value) and the
configured credential values of the vendor (wherever they appear). Values are
replaced by ``***``; the field itself stays so the payload keeps its shape
and can be replayed once the plugin is fixed (replay does not re-check push
authentication: see ``docs/tracker.md``). Authorization-like headers are
always replaced.
"""

from __future__ import annotations

import contextlib
import json
import re
from collections.abc import Iterable, Sequence
from typing import Any
from urllib.parse import parse_qsl, quote, quote_plus, urlencode, urlsplit, urlunsplit

from ..credentials import REDACTED, redact

__all__ = ["Redactor", "REDACTED", "SENSITIVE_HEADERS"]

#: Headers whose whole value is replaced.
SENSITIVE_HEADERS = frozenset(
    {"authorization", "proxy-authorization", "cookie", "set-cookie", "x-api-key", "x-auth-token"}
)


class Redactor:
    """Redacts one vendor's secrets from URLs, headers, bodies and raw items."""

    def __init__(self, secret_fields: Iterable[str] = (), secret_values: Iterable[str] = ()) -> None:
        self.fields = frozenset(secret_fields)
        self._lower_fields = frozenset(f.lower() for f in self.fields)
        values: set[str] = set()
        for value in secret_values:
            if value:
                values.update({value, quote(value, safe=""), quote_plus(value), json.dumps(value)[1:-1]})
        self.values = tuple(sorted(values, key=len, reverse=True))
        patterns = [re.escape(f) for f in sorted(self.fields)]
        if patterns:
            names = "|".join(patterns)
            self._json_re: re.Pattern[str] | None = re.compile(
                rf'("(?:{names})"\s*:\s*)("(?:[^"\\]|\\.)*"|[^,}}\]\s]+)', re.IGNORECASE
            )
            self._form_re: re.Pattern[str] | None = re.compile(
                rf"((?:^|[&;?])(?:{names})=)[^&;#]*", re.IGNORECASE
            )
        else:
            self._json_re = self._form_re = None

    def text(self, value: str) -> str:
        return redact(value, self.values)

    def _secret_key(self, key: str) -> bool:
        return key.lower() in self._lower_fields

    def query(self, query: str) -> str:
        if not query:
            return query
        pairs = parse_qsl(query, keep_blank_values=True)
        if any(self._secret_key(k) for k, _ in pairs):
            query = urlencode([(k, REDACTED if self._secret_key(k) else v) for k, v in pairs], safe="*")
        return self.text(query)

    def url(self, url: str) -> str:
        parts = urlsplit(url)
        netloc = parts.netloc
        if parts.password is not None:
            netloc = netloc.replace(f":{parts.password}@", f":{REDACTED}@", 1)
        return self.text(urlunsplit(parts._replace(netloc=netloc, query=self.query(parts.query))))

    def headers(self, pairs: Sequence[tuple[str, str]]) -> tuple[tuple[str, str], ...]:
        return tuple(
            (
                name,
                REDACTED if name.lower() in SENSITIVE_HEADERS or self._secret_key(name) else self.text(value),
            )
            for name, value in pairs
        )

    def raw(self, value: Any) -> Any:
        """A JSON-compatible value with secret fields and values replaced.

        Walks the value with an explicit stack, not recursion: a push nested
        thousands of levels deep is the sender's problem, never a crash here.
        """
        root: list[Any] = [None]
        # (value to copy, container of the copy, key or index in it)
        stack: list[tuple[Any, Any, Any]] = [(value, root, 0)]
        while stack:
            item, parent, slot = stack.pop()
            if isinstance(item, dict):
                copy: dict[Any, Any] = {}
                for k, v in item.items():
                    if self._secret_key(str(k)):
                        copy[k] = REDACTED
                    else:
                        copy[k] = None
                        stack.append((v, copy, k))
                parent[slot] = copy
            elif isinstance(item, list | tuple):
                items: list[Any] = [None] * len(item)
                stack.extend((v, items, i) for i, v in enumerate(item))
                parent[slot] = items
            elif isinstance(item, str):
                parent[slot] = self.text(item)
            else:
                parent[slot] = item
        return root[0]

    def body(self, body: bytes, content_type: str) -> bytes:
        """The body with secrets replaced; unchanged bytes when it holds none."""
        if not body or (not self.fields and not self.values):
            return body
        text = body.decode("utf-8", "surrogateescape")
        media = content_type.split(";", 1)[0].strip().lower()
        if self.fields and media.endswith("json"):
            try:
                data = json.loads(text)
            except (ValueError, RecursionError):  # nested too deeply is unreadable too
                data = None
            if data is not None:
                cleaned = self.raw(data)
                with contextlib.suppress(RecursionError):  # too deep to compare or write: use the text
                    if cleaned != data:
                        return json.dumps(cleaned, ensure_ascii=False).encode("utf-8", "surrogateescape")
        if self.fields and media == "application/x-www-form-urlencoded":
            text = self.query(text)
        # Whatever the declared type: field patterns (JSON-like and form-like)
        # and configured values.
        if self._json_re is not None:
            text = self._json_re.sub(lambda m: f'{m.group(1)}"{REDACTED}"', text)
        if self._form_re is not None:
            text = self._form_re.sub(lambda m: f"{m.group(1)}{REDACTED}", text)
        return self.text(text).encode("utf-8", "surrogateescape")
