"""Loopback stand-ins for the two consuming pulls: Infobip's
``GET /sms/1/reports`` and InnoPaaS's ``POST /pull/report``.

Each holds a queue of records and, like the real vendor, deletes what it hands
out. ``handed_out`` is every record that left the stand-in, in order: a test
compares it with what was stored to prove nothing handed out was lost.
"""

from __future__ import annotations

import json
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from http.server import BaseHTTPRequestHandler, HTTPServer
from typing import Any
from urllib.parse import parse_qs, urlsplit

INFOBIP_KEY = "standin-infobip-key"
INNOPAAS_ACCOUNT = ("IM6000001", "standin-innopaas-password")


def infobip_record(n: int) -> dict[str, Any]:
    return {
        "bulkId": "bulk-1",
        "messageId": f"ib-{n:05d}",
        "to": "41793026727",
        "doneAt": "2025-06-10T09:00:00.000+0000",
        "smsCount": 1,
        "status": {"groupId": 3, "groupName": "DELIVERED", "id": 5, "name": "DELIVERED_TO_HANDSET"},
        "error": {"groupId": 0, "groupName": "OK", "id": 0, "name": "NO_ERROR", "permanent": False},
    }


def innopaas_record(n: int) -> dict[str, str]:
    return {
        "batchSeq": "I123645_2402011714_1",
        "msgid": f"ip-{n:05d}",
        "mobile": "008613900001111",
        "reportTime": "1706778840000",
        "status": "DELIVRD",
        "smsNum": "1",
    }


class DrainStandIn:
    """A consuming pull API on 127.0.0.1; ``kind`` is ``infobip`` or ``innopaas``."""

    def __init__(
        self, kind: str, records: list[dict[str, Any]], *, max_batch: int = 1000, delay: float = 0.0
    ) -> None:
        self.kind = kind
        self.queue = list(records)
        self.max_batch = max_batch
        self.delay = delay  #: seconds each answer takes (after the records are taken)
        self.handed_out: list[dict[str, Any]] = []
        #: Every non-empty batch handed out, in order.
        self.batches: list[list[dict[str, Any]]] = []
        self.requests = 0
        self.lock = threading.Lock()
        self.server = HTTPServer(("127.0.0.1", 0), self._handler())
        self.base_url = f"http://127.0.0.1:{self.server.server_address[1]}"

    def _take(self, count: int) -> list[dict[str, Any]]:
        with self.lock:
            batch, self.queue = self.queue[:count], self.queue[count:]
            self.handed_out += batch
            if batch:
                self.batches.append(batch)
            self.requests += 1
        if self.delay:
            time.sleep(self.delay)  # like a real vendor, the records are gone before the answer arrives
        return batch

    def _handler(self) -> type[BaseHTTPRequestHandler]:
        standin = self

        class Handler(BaseHTTPRequestHandler):
            def _answer(self, code: int, body: Any) -> None:
                data = json.dumps(body).encode()
                self.send_response(code)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(data)))
                self.end_headers()
                self.wfile.write(data)

            def do_GET(self) -> None:
                url = urlsplit(self.path)
                if standin.kind != "infobip" or url.path != "/sms/1/reports":
                    return self._answer(404, {})
                if self.headers.get("Authorization") != f"App {INFOBIP_KEY}":
                    error = {
                        "serviceException": {"messageId": "UNAUTHORIZED", "text": "Invalid login details"}
                    }
                    return self._answer(401, {"requestError": error})
                limit = int(parse_qs(url.query).get("limit", ["50"])[0])
                self._answer(200, {"results": standin._take(min(limit, standin.max_batch))})

            def do_POST(self) -> None:
                body = json.loads(self.rfile.read(int(self.headers.get("Content-Length", "0"))) or b"{}")
                if standin.kind != "innopaas" or urlsplit(self.path).path != "/pull/report":
                    return self._answer(404, {})
                if (body.get("account"), body.get("password")) != INNOPAAS_ACCOUNT:
                    return self._answer(200, {"result": [], "code": 102, "error": "Incorrect password"})
                count = int(body.get("count", 20))
                self._answer(
                    200, {"result": standin._take(min(count, standin.max_batch)), "code": 0, "error": ""}
                )

            def log_message(self, *args: Any) -> None:
                pass

        return Handler

    @contextmanager
    def running(self) -> Iterator[DrainStandIn]:
        thread = threading.Thread(target=self.server.serve_forever, daemon=True)
        thread.start()
        try:
            yield self
        finally:
            self.server.shutdown()
            self.server.server_close()
