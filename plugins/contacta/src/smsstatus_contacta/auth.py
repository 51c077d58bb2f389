"""Contacta's request authentication, as its PHP SDK (ContactaMX/SMS) builds it.

``src/Request.php`` sends ``Authorization: Basic base64("<unix time>:<token>")``
(the current Unix time as the user name, the account token as the password)
and ``src/Bulker.php`` repeats the token as the ``auth`` query parameter of
``sms/check``. Which of the two the server checks is unverified, so the
plugin sends both.
"""

from __future__ import annotations

import base64
import time
from collections.abc import Callable

__all__ = ["basic_authorization", "clock", "query_params"]

#: The time source of the Basic user name; tests replace it.
clock: Callable[[], float] = time.time


def basic_authorization(token: str) -> str:
    """The ``Authorization`` header value for ``token`` at the current time."""
    credentials = f"{int(clock())}:{token}".encode()
    return "Basic " + base64.b64encode(credentials).decode("ascii")


def query_params(token: str, message_id: str) -> list[tuple[str, str]]:
    """Query parameters of ``sms/check``, in the SDK's order."""
    return [("auth", token), ("token", message_id)]
