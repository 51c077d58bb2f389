"""A loopback stand-in for the application's callback endpoint: records every
POST (headers and body) and answers what the test says (200 by default)."""

from __future__ import annotations

import http.server
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

import attrs


@attrs.frozen
class Received:
    headers: dict[str, str]
    body: bytes


class CallbackReceiver:
    def __init__(self, port: int = 0) -> None:
        self.received: list[Received] = []
        self.answer = 200
        #: Bytes of answer body (sent slowly when ``trickle`` is set).
        self.answer_body = b"ok"
        self.trickle: float = 0.0
        self._lock = threading.Lock()
        receiver = self

        class Handler(http.server.BaseHTTPRequestHandler):
            def do_POST(self) -> None:
                length = int(self.headers.get("content-length", "0"))
                body = self.rfile.read(length)
                with receiver._lock:
                    receiver.received.append(Received({k.lower(): v for k, v in self.headers.items()}, body))
                    answer, payload, trickle = receiver.answer, receiver.answer_body, receiver.trickle
                self.send_response(answer)
                self.send_header("content-length", str(len(payload)))
                self.end_headers()
                try:
                    if trickle:
                        for i in range(len(payload)):
                            self.wfile.write(payload[i : i + 1])
                            self.wfile.flush()
                            time.sleep(trickle)
                    else:
                        self.wfile.write(payload)
                except OSError:
                    pass  # the client stopped reading: as intended

            def log_message(self, *_args: Any) -> None:
                pass

        self.server = http.server.ThreadingHTTPServer(("127.0.0.1", port), Handler)
        self.server.daemon_threads = True
        self.port = int(self.server.server_address[1])
        self.url = f"http://127.0.0.1:{self.port}/sms-status"
        self._thread = threading.Thread(target=self.server.serve_forever, daemon=True)
        self._thread.start()

    def close(self) -> None:
        self.server.shutdown()
        self.server.server_close()


@contextmanager
def callback_receiver(port: int = 0) -> Iterator[CallbackReceiver]:
    receiver = CallbackReceiver(port)
    try:
        yield receiver
    finally:
        receiver.close()
