"""HTTP connections with limits: the size of a request head, the time a request may take to
arrive, idle connections, and connections per client address.

uvicorn's httptools protocol reads a request head of any size, and keeps a connection open as
long as its client likes until the first request arrives. `LimitedHttpToolsProtocol` adds the
limits a public server needs, before the bytes reach the parser (which would buffer them):

- a request head (request line and headers) over `MAX_HEAD` bytes gets 431, or 414 if the
  request line alone is that long, and the connection is closed;
- a head must arrive within `HEAD_TIMEOUT` seconds of its first byte, and a body within
  `BODY_TIMEOUT` of the end of its head (else 408); a connection that sends nothing is
  closed after `IDLE_TIMEOUT` (uvicorn closes kept-alive connections after the same time);
- one client address holds at most `PER_CLIENT` connections (one more gets 429).

The total number of connections is bounded by uvicorn's `limit_concurrency`, sized from the
machine's memory (`kgtool.server.config.default_connections`).
"""

from __future__ import annotations

import asyncio
import http
from typing import Any

from uvicorn.protocols.http.httptools_impl import HttpToolsProtocol

from kgtool.server.config import MAX_HEAD

HEAD_TIMEOUT = 10.0
BODY_TIMEOUT = 30.0
IDLE_TIMEOUT = 5.0
PER_CLIENT = 64
#: After a refusal, what the client still sends is read and dropped for this long before the
#: connection closes: closing with unread bytes would reset it, and the client would lose the
#: answer that says why.
LINGER = 2.0
_END = b"\r\n\r\n"


class LimitedHttpToolsProtocol(HttpToolsProtocol):
    """uvicorn's httptools protocol with the limits of the module docstring."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self._in_head = True
        self._head_size = 0
        self._tail = b""
        self._line_done = False
        self._refused = False
        self._timer: asyncio.TimerHandle | None = None

    # -- the connection -------------------------------------------------------------------

    def connection_made(self, transport: asyncio.Transport) -> None:  # type: ignore[override]
        super().connection_made(transport)
        host = self.client[0] if self.client else None
        if host is not None:
            same = sum(
                1
                for other in self.connections
                if isinstance(other, HttpToolsProtocol) and other.client and other.client[0] == host
            )
            if same > PER_CLIENT:
                self._refuse(429, f"too many connections from {host}: at most {PER_CLIENT} at once")
                return
        self._arm(IDLE_TIMEOUT, None)

    def connection_lost(self, exc: Exception | None) -> None:
        self._disarm()
        super().connection_lost(exc)

    def data_received(self, data: bytes) -> None:
        if self._refused or (self._in_head and not self._count_head(data)):
            return
        super().data_received(data)

    def on_message_complete(self) -> None:
        super().on_message_complete()
        self._disarm()
        self._in_head = True
        self._head_size = 0
        self._tail = b""
        self._line_done = False

    # -- the limits -----------------------------------------------------------------------

    def _count_head(self, data: bytes) -> bool:
        """Count the head's bytes in `data`; False (and the connection refused) if too many."""
        if self._head_size == 0 and data:
            self._arm(HEAD_TIMEOUT, "the request head did not arrive")
        window = self._tail + data
        end = window.find(_END)
        head = len(data) if end < 0 else max(0, end + len(_END) - len(self._tail))
        if not self._line_done and b"\n" in window[: end if end >= 0 else len(window)]:
            self._line_done = True
        self._head_size += head
        self._tail = window[-3:]
        if self._head_size > MAX_HEAD:
            if self._line_done:
                self._refuse(431, f"the request headers are larger than {MAX_HEAD} bytes")
            else:
                self._refuse(
                    414,
                    f"the request line is longer than {MAX_HEAD} bytes: send a long query "
                    "with POST",
                )
            return False
        if end >= 0:
            self._in_head = False
            self._arm(BODY_TIMEOUT, "the request body did not arrive")
        return True

    def _arm(self, seconds: float, why: str | None) -> None:
        self._disarm()
        self._timer = self.loop.call_later(seconds, self._expired, seconds, why)

    def _disarm(self) -> None:
        if self._timer is not None:
            self._timer.cancel()
            self._timer = None

    def _expired(self, seconds: float, why: str | None) -> None:
        self._timer = None
        if self.transport.is_closing():
            return
        if why is None:
            self.transport.close()  # idle: nothing was asked, nothing to answer
        else:
            self._refuse(408, f"{why} within {seconds:g} s")

    def _refuse(self, status: int, message: str) -> None:
        """Answer `status` with `message` and close the connection (after `LINGER`)."""
        self._disarm()
        self._refused = True
        body = (message + "\n").encode("utf-8")
        phrase = http.HTTPStatus(status).phrase
        head = (
            f"HTTP/1.1 {status} {phrase}\r\n"
            "content-type: text/plain; charset=utf-8\r\n"
            f"content-length: {len(body)}\r\n"
            "connection: close\r\n\r\n"
        ).encode("ascii")
        if self.cycle is not None and self.cycle.response_started:
            self.transport.close()  # an answer is on its way already: cut it short
            return
        self.transport.write(head + body)
        if self.transport.can_write_eof():
            self.transport.write_eof()
        self._timer = self.loop.call_later(LINGER, self.transport.close)
