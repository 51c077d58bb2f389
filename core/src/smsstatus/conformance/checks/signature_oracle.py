"""``signature-oracle``: an authentication error never gives away the signature it expected.

An error that says which signature it expected lets anyone forge a push: send
anything, read the right signature from the answer, send again. For every
passing push case that carries a digest (a hex or base64 run of 16 to 64
bytes: a signature, in a header, the query, a form field or a JSON member),
the push is sent with that digest spoiled, and with every credential wrong;
each digest that then shows in the error (or a log record) is spliced into the
request where the original was (in the original's encoding) and sent again. It
must be rejected again.
"""

from __future__ import annotations

import base64
import binascii
import re
from collections.abc import Iterator, Mapping

import attrs

from ...fixtures import Case
from ...request import Headers, PushRequest
from ..context import Context, Family, Item, altered, expects_reports, push, push_request
from ..outcomes import CheckFailed, CheckSkipped
from ..sandbox import Capture
from .secrets import error_texts

_HEX = re.compile(r"(?<![0-9A-Za-z])[0-9a-fA-F]{32,128}(?![0-9A-Za-z])")
_B64 = re.compile(r"(?<![0-9A-Za-z+/_-])[A-Za-z0-9+/_-]{22,88}={0,2}(?![0-9A-Za-z+/=_-])")


_HEX_WITH_DASHES = re.compile(r"[0-9a-fA-F-]+")


def _mixed(run: str) -> bool:
    """Upper case, lower case and digits, as any base64 of 16 random bytes has."""
    return any(c.isupper() for c in run) and any(c.islower() for c in run) and any(c.isdigit() for c in run)


@attrs.frozen
class Digest:
    text: str
    raw: bytes
    encoding: str  # "hex", "HEX" or "base64"

    def spelled_like(self, other: Digest) -> str:
        """These bytes written as ``other`` is (hex in its case, or base64)."""
        if other.encoding == "base64":
            return base64.b64encode(self.raw).decode()
        text = self.raw.hex()
        return text.upper() if other.encoding == "HEX" else text


def digests(text: str) -> list[Digest]:
    """Hex and base64 runs that decode to 16..64 bytes."""
    found: dict[str, Digest] = {}
    for match in _HEX.finditer(text):
        run = match.group()
        if len(run) % 2 == 0 and len(run) <= 128:
            found[run] = Digest(run, bytes.fromhex(run), "HEX" if run.isupper() else "hex")
    for match in _B64.finditer(text):
        run = match.group()
        if run in found or not _mixed(run) or _HEX_WITH_DASHES.fullmatch(run):
            continue  # ids (a UUID, a word with digits) are not digests
        try:
            raw = base64.b64decode(
                run.replace("-", "+").replace("_", "/") + "=" * (-len(run) % 4), validate=True
            )
        except (binascii.Error, ValueError):
            continue
        if 16 <= len(raw) <= 64:
            found[run] = Digest(run, raw, "base64")
    return list(found.values())


def _spoiled(digest: Digest) -> str:
    text = digest.text
    if digest.encoding == "base64":
        middle = len(text) // 2
        return text[:middle] + ("A" if text[middle] != "A" else "B") + text[middle + 1 :]
    last = text[-1]
    return text[:-1] + ("0" if last not in "0" else "1")


def _where(request: PushRequest) -> list[str]:
    texts = [v for _, v in request.headers.raw_items()]
    texts.append(request.url)
    texts.append(request.body.decode("utf-8", "replace"))
    return texts


def _swap(request: PushRequest, old: str, new: str) -> PushRequest:
    headers = Headers([(k, v.replace(old, new)) for k, v in request.headers.raw_items()])
    body = request.body.replace(old.encode(), new.encode())
    return attrs.evolve(request, url=request.url.replace(old, new), headers=headers, body=body)


def _rejected(ctx: Context, request: PushRequest, values: Mapping[str, str]) -> tuple[bool, list[str], int]:
    """Whether the push is rejected as unauthenticated, every text it produced,
    and how many digests the host withheld from the error (``AuthenticationError.withheld``)."""
    withheld = 0
    with Capture() as capture:
        try:
            push(ctx, request, values)
        except Exception as exc:  # noqa: BLE001 -- any error is a rejection; its text is searched
            texts = [t for _, t in error_texts(exc, "the error")]
            rejected = True
            withheld = getattr(exc, "withheld", 0)
        else:
            texts, rejected = [], False
    return rejected, texts + [t for _, t in capture.texts()], withheld


def _oracle(
    ctx: Context,
    case: Case,
    request: PushRequest,
    *,
    slot: str,
    values: dict[str, str],
    digest: Digest,
    how: str,
) -> str | None:
    """Whether a rejected ``request`` (its signature being ``slot``) tells the signature that passes."""
    rejected, texts, withheld = _rejected(ctx, request, values)
    if not rejected:
        return None
    if withheld:
        # The host removed them before anyone could read them; the plugin wrote them.
        return (
            f"{case.id}: a push with {how} was rejected with an authentication error holding"
            f" {withheld} digest(s) the request did not carry (the host withheld them):"
            " the error is a signing oracle (say only that the signature does not match)"
        )
    sent = {d.text for d in digests(" ".join(_where(request)))}
    for shown in digests("\n".join(texts)):
        if shown.text in sent:
            continue
        forged = _swap(request, slot, shown.spelled_like(digest))
        again, _, _ = _rejected(ctx, forged, values)
        if not again:
            return (
                f"{case.id}: a push with {how} was rejected with an error (or log record) holding a"
                f" digest; sent again with that digest as the signature, the push was accepted:"
                " the error is a signing oracle (say only that the signature does not match)"
            )
    return None


def _push_cases(ctx: Context) -> Iterator[Case]:
    for case in ctx.cases:
        if case.kind == "push" and not case.xfail and expects_reports(case) and case.data.get("credentials"):
            yield case


def check(ctx: Context) -> None:
    problems: list[str] = []
    tried = 0
    for case in _push_cases(ctx):
        request = push_request(case)
        values: dict[str, str] = dict(case.data["credentials"])
        carried = [d for d in digests(" ".join(_where(request))) if d.text not in values.values()]
        for digest in carried:
            tried += 1
            bad = _spoiled(digest)
            how = f"the digest {digest.text[:12]}... spoiled"
            spoiled = _swap(request, digest.text, bad)
            problem = _oracle(ctx, case, spoiled, slot=bad, values=values, digest=digest, how=how)
            if problem is None:
                wrong = {k: altered(v) for k, v in values.items()}
                how = "wrong credentials configured"
                problem = _oracle(ctx, case, request, slot=digest.text, values=wrong, digest=digest, how=how)
            if problem is not None:
                problems.append(problem)
                break
    if problems:
        raise CheckFailed("\n".join(problems))
    if not tried:
        raise CheckSkipped("no passing push case with credentials carries a digest (a signature)")


def plan(ctx: Context) -> Iterator[Item]:
    if "parse_push" in ctx.hooks:
        yield Item(None, lambda: check(ctx))


FAMILY = Family("signature-oracle", plan, runs_fixtures=True)
