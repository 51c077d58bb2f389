"""CFK vendors whose flaw is in their source text, for the checks that read
source (``constant-time``): each lives in this module of its own, so the
good vendor's package stays clean."""

from __future__ import annotations

from cfk_plugins import Vendor
from smsstatus import AuthenticationError, Credentials, PushRequest, PushResult, hookimpl


class PlainCompareVendor(Vendor):
    """Checks the webhook token with ``!=`` (a timing side channel)."""

    @hookimpl
    def parse_push(self, vendor: str, request: PushRequest, credentials: Credentials) -> PushResult:
        token = request.headers.get("X-Token")
        configured = credentials.optional("token")
        if configured and token != configured:
            raise AuthenticationError(vendor, "token", "does not match")
        return super().parse_push(vendor, request, credentials.__class__(vendor, {}))
