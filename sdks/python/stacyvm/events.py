"""``GET /events``: sandbox lifecycle events as Server-Sent Events, followed across reconnections."""

from __future__ import annotations

import http.client
import json
import socket
import threading
import time
from typing import Any, Iterator, Mapping, Optional

from ._http import Transport
from .errors import ResourceLimitError, StacyVMConnectionError, StacyVMError, UnavailableError
from .models import SandboxEvent

# what the server announces (retry: 2000); used until a stream says otherwise
DEFAULT_RETRY_SECONDS = 2.0
MAX_BACKOFF_SECONDS = 30.0
# the server sends a heartbeat after 15 s of quiet: a stream that lasted this long was working
STEADY_SECONDS = 15.0


def _worth_retrying(error: StacyVMError) -> bool:
    # 429 too: a stream the client dropped holds its slot until the server's next write to it fails
    return isinstance(error, (StacyVMConnectionError, UnavailableError, ResourceLimitError)) or error.status in (502, 504)


def _hang_up(answer) -> None:
    """Closes a response, waking a thread blocked reading it (closing the socket alone would not)."""
    sock = getattr(getattr(getattr(answer, "fp", None), "raw", None), "_sock", None)
    if sock is not None:
        try:
            sock.shutdown(socket.SHUT_RDWR)
        except OSError:
            pass
    try:
        answer.close()
    except Exception:  # a half-read chunked body may complain on close; it is closed all the same
        pass


class EventStream:
    """The caller's sandbox events as they happen: iterate it for ``SandboxEvent`` values.

    When the server ends the stream (it does every 10 minutes) or the connection drops, it reconnects
    by itself from the last event's ``cursor``, so nothing is missed or repeated; after ``max_retries``
    failed attempts in a row it raises the last error. ``close()`` (safe from another thread, and done
    by ``with``) closes the connection and ends the iteration. Leaving a ``for`` loop does not close it."""

    def __init__(self, transport: Transport, query: Mapping[str, Any], last_event_id: Optional[str],
                 max_retries: int, read_timeout: float):
        self._http = transport
        self._query = dict(query)
        self.cursor: Optional[str] = last_event_id or None
        """The position after the last event received: ``last_event_id`` for a later stream."""
        self.max_retries = max_retries
        self._read_timeout = read_timeout
        self._retry_seconds = DEFAULT_RETRY_SECONDS
        self._closed = threading.Event()
        # opened now, so errors of the request itself raise here and the stream's "now" is fixed
        self._answer = self._connect()
        self._events = self._follow()

    @property
    def closed(self) -> bool:
        return self._closed.is_set()

    def __iter__(self) -> "EventStream":
        return self

    def __next__(self) -> SandboxEvent:
        return next(self._events)

    def close(self) -> None:
        self._closed.set()
        answer = self._answer
        if answer is not None:
            _hang_up(answer)

    def __enter__(self) -> "EventStream":
        return self

    def __exit__(self, *exc) -> None:
        self.close()

    def _connect(self):
        headers = {"Accept": "text/event-stream", "Cache-Control": "no-cache"}
        if self.cursor:
            headers["Last-Event-ID"] = self.cursor
        return self._http.open("GET", "/events", query=self._query, headers=headers, timeout=self._read_timeout)

    def _backoff(self, failures: int, retry_after: Optional[int] = None) -> float:
        delay = min(self._retry_seconds * 2 ** (failures - 1), MAX_BACKOFF_SECONDS)
        return max(delay, retry_after or 0)

    def _follow(self) -> Iterator[SandboxEvent]:
        failures = 0
        try:
            while not self._closed.is_set():
                if self._answer is None:
                    try:
                        self._answer = self._connect()
                    except StacyVMError as refused:
                        failures += 1
                        if self._closed.is_set():
                            return
                        if not _worth_retrying(refused) or failures > self.max_retries:
                            raise
                        self._closed.wait(self._backoff(failures, refused.retry_after))
                        continue
                opened = time.monotonic()
                delivered = False
                dropped: Optional[Exception] = None
                try:
                    for event in self._read(self._answer):
                        delivered = True
                        yield event
                except Exception as failure:
                    if self._closed.is_set():
                        return
                    if not isinstance(failure, (OSError, http.client.HTTPException)):
                        raise
                    dropped = failure
                finally:
                    _hang_up(self._answer)
                    self._answer = None
                if self._closed.is_set():
                    return
                if delivered or time.monotonic() - opened >= STEADY_SECONDS:
                    # a working stream ended (the server ends each after 10 minutes): resume after its last event
                    failures = 0
                    self._closed.wait(self._retry_seconds)
                    continue
                failures += 1
                if failures > self.max_retries:
                    reason = f"dropped: {dropped}" if dropped else "kept ending at once"
                    raise StacyVMConnectionError(f"the event stream of {self._http.base_url} {reason}")
                self._closed.wait(self._backoff(failures))
        finally:
            self._closed.set()
            if self._answer is not None:
                _hang_up(self._answer)
                self._answer = None

    def _read(self, answer) -> Iterator[SandboxEvent]:
        """Server-Sent Events (WHATWG HTML): ``data:`` lines, ``id:``, ``retry:``; comments and other fields are skipped."""
        data = []
        last_id = self.cursor
        while not self._closed.is_set():
            raw = answer.readline()
            if not raw:
                return
            for line in raw.decode("utf-8", "replace").rstrip("\n").rstrip("\r").split("\r"):
                if not line:
                    self.cursor = last_id
                    if data:
                        payload, data = "\n".join(data), []
                        yield SandboxEvent.from_json(json.loads(payload), last_id)
                    continue
                if line.startswith(":"):
                    continue
                field, _, value = line.partition(":")
                value = value[1:] if value.startswith(" ") else value
                if field == "data":
                    data.append(value)
                elif field == "id" and "\0" not in value:
                    last_id = value or None
                elif field == "retry" and value.isdigit():
                    self._retry_seconds = int(value) / 1000
